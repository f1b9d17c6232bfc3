/// An Excel 97–2003 workbook (`.xls`): one worksheet of text cells, written as a BIFF8 `Workbook`
/// stream inside an OLE2 compound file. Every cell is text (a label), so that money is written as
/// the gateway prints it ("0.03"), never through a floating-point number.
///
/// The records are those of [MS-XLS] a reader needs to open a sheet: the globals (BOF, CODEPAGE,
/// WINDOW1, FONT, XF, STYLE, BOUNDSHEET, SST, EOF) and one sheet (BOF, DIMENSIONS, LABELSST cells,
/// WINDOW2, EOF).
public struct Workbook: Sendable {
    public var sheetName: String
    /// Rows of cells; rows may differ in length.
    public var rows: [[String]]

    /// BIFF8 limits: 65,536 rows, 256 columns, 255 characters in a label (longer text is cut).
    public static let maximumRows = 65_536
    public static let maximumColumns = 256
    public static let maximumLabelLength = 255

    public init(sheetName: String, rows: [[String]]) {
        self.sheetName = sheetName; self.rows = rows
    }

    public enum Failure: Error, Equatable {
        case tooManyRows(Int)
        case tooManyColumns(Int)
        case sheetNameInvalid
    }

    /// The `.xls` file's bytes.
    public func data() throws(Failure) -> [UInt8] {
        guard rows.count <= Self.maximumRows else { throw .tooManyRows(rows.count) }
        let columns = rows.map(\.count).max() ?? 0
        guard columns <= Self.maximumColumns else { throw .tooManyColumns(columns) }
        guard (1...31).contains(sheetName.count), !sheetName.contains(where: { "[]:*?/\\".contains($0) }) else { throw .sheetNameInvalid }
        return CompoundFile.single(streamNamed: "Workbook", stream: stream(columns: columns))
    }

    /// The BIFF8 stream: globals, then the sheet whose offset BOUNDSHEET names.
    func stream(columns: Int) -> [UInt8] {
        var strings = StringTable()
        var cells = BIFFWriter()
        for (r, row) in rows.enumerated() {
            for (c, text) in row.enumerated() {
                // LABELSST: row, column, XF 15 (the default cell format), index into the SST.
                cells.record(0x00FD) { $0.u16(r); $0.u16(c); $0.u16(15); $0.u32(strings.index(String(text.prefix(Self.maximumLabelLength)))) }
            }
        }
        var globals = BIFFWriter()
        globals.record(0x0809) { $0.u16(0x0600); $0.u16(0x0005); $0.u16(0x0DBB); $0.u16(0x07CC); $0.u32(0); $0.u32(0x06) }
        globals.record(0x0042) { $0.u16(1200) }  // CODEPAGE: UTF-16
        globals.record(0x003D) { w in  // WINDOW1
            for value in [0, 0, 0x4000, 0x2000, 0x0038, 0, 0, 1, 0x0258] { w.u16(value) }
        }
        for _ in 0..<4 {  // FONT 0–3 (index 4 is never used, by the format's rule)
            globals.record(0x0031) { w in
                w.u16(200); w.u16(0); w.u16(0x7FFF); w.u16(400); w.u16(0); w.u8(0); w.u8(0); w.u8(0); w.u8(0)
                w.shortString("Arial")
            }
        }
        for index in 0..<16 { globals.record(0x00E0) { Self.xf(&$0, style: index < 15) } }  // 15 style XFs, then the cell XF
        globals.record(0x0293) { $0.u16(0x8000); $0.u8(0); $0.u8(0xFF) }  // STYLE: Normal
        let boundSheetOffset = globals.bytes.count + 4  // after the record header
        globals.record(0x0085) { $0.u32(0); $0.u16(0); $0.shortString(sheetName) }  // BOUNDSHEET; offset patched below
        strings.write(into: &globals)
        globals.record(0x000A) { _ in }

        var sheet = BIFFWriter()
        sheet.record(0x0809) { $0.u16(0x0600); $0.u16(0x0010); $0.u16(0x0DBB); $0.u16(0x07CC); $0.u32(0); $0.u32(0x06) }
        sheet.record(0x0200) { $0.u32(0); $0.u32(rows.count); $0.u16(0); $0.u16(columns); $0.u16(0) }  // DIMENSIONS
        sheet.bytes += cells.bytes
        sheet.record(0x023E) { w in  // WINDOW2
            w.u16(0x06B6); w.u16(0); w.u16(0); w.u32(0x40); w.u16(0); w.u16(0); w.u32(0)
        }
        sheet.record(0x000A) { _ in }

        var bytes = globals.bytes
        let sheetOffset = UInt32(bytes.count)
        for i in 0..<4 { bytes[boundSheetOffset + i] = UInt8(truncatingIfNeeded: sheetOffset >> (8 * UInt32(i))) }
        return bytes + sheet.bytes
    }

    /// An XF record: a style XF (the 15 the format requires) or the cell XF, both font 0, General.
    static func xf(_ w: inout BIFFWriter, style: Bool) {
        w.u16(0); w.u16(0)
        w.u16(style ? 0xFFF5 : 0x0001)
        w.u8(0x20); w.u8(0); w.u8(0); w.u8(style ? 0 : 0xF8)
        w.u32(0); w.u32(0); w.u16(0x20C0)
    }
}

/// Record writer: little-endian fields, each record `type, length, data`.
struct BIFFWriter {
    var bytes: [UInt8] = []

    /// Most data a record holds; more goes into CONTINUE records.
    static let maximumRecordData = 8_224

    mutating func record(_ type: Int, _ body: (inout BIFFWriter) -> Void) {
        var data = BIFFWriter()
        body(&data)
        bytes.u16(type)
        bytes.u16(data.bytes.count)
        bytes += data.bytes
    }

    mutating func u8(_ value: Int) { bytes.append(UInt8(truncatingIfNeeded: value)) }
    mutating func u16(_ value: Int) { bytes.u16(value) }
    mutating func u32(_ value: Int) { bytes.u32(value) }

    /// ShortXLUnicodeString: 8-bit length, then UTF-16LE (flag 1) or Latin-1 (flag 0).
    mutating func shortString(_ text: String) {
        let units = Array(text.utf16)
        u8(units.count)
        bytes += StringTable.characters(units)
    }
}

extension [UInt8] {
    mutating func u16(_ value: Int) { append(UInt8(truncatingIfNeeded: value)); append(UInt8(truncatingIfNeeded: value >> 8)) }
    mutating func u32(_ value: Int) { for shift in stride(from: 0, to: 32, by: 8) { append(UInt8(truncatingIfNeeded: value >> shift)) } }
}

/// The shared string table (SST): each distinct text once, cells refer to it by index.
struct StringTable {
    private(set) var strings: [String] = []
    private var indices: [String: Int] = [:]
    private(set) var references = 0

    mutating func index(_ text: String) -> Int {
        references += 1
        if let index = indices[text] { return index }
        indices[text] = strings.count
        strings.append(text)
        return strings.count - 1
    }

    /// Flags byte and characters: Latin-1 when every unit fits in a byte, else UTF-16LE.
    static func characters(_ units: [UInt16]) -> [UInt8] {
        if units.allSatisfy({ $0 < 0x100 }) { return [0] + units.map { UInt8($0) } }
        var bytes: [UInt8] = [1]
        for unit in units { bytes.u16(Int(unit)) }
        return bytes
    }

    /// SST, continued in CONTINUE records at string boundaries (a label is at most 513 bytes, so
    /// no string is ever split).
    func write(into writer: inout BIFFWriter) {
        var chunks: [[UInt8]] = [[]]
        chunks[0].u32(references)
        chunks[0].u32(strings.count)
        for text in strings {
            let units = Array(text.utf16)
            var entry: [UInt8] = []
            entry.u16(units.count)
            entry += Self.characters(units)
            if chunks[chunks.count - 1].count + entry.count > BIFFWriter.maximumRecordData { chunks.append([]) }
            chunks[chunks.count - 1] += entry
        }
        for (i, chunk) in chunks.enumerated() {
            writer.record(i == 0 ? 0x00FC : 0x003C) { $0.bytes += chunk }
        }
    }
}
