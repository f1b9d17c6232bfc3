import Testing
@testable import ZhifuXLS

/// The `.xls` writer, read back by a minimal reader of the compound file and the BIFF8 records
/// written here from [MS-CFB] and [MS-XLS]. Python's xlrd reads the gateway's files in the test
/// command (Tests/interop/bptb_xls_test.py).
@Suite struct WorkbookTests {
    func u16(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 }
    func u32(_ b: [UInt8], _ at: Int) -> Int { u16(b, at) | u16(b, at + 2) << 16 }

    /// The stream named in the directory, followed through the FAT.
    func stream(_ file: [UInt8]) throws -> (name: String, bytes: [UInt8]) {
        #expect(Array(file.prefix(8)) == [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
        #expect(u16(file, 0x1A) == 3 && u16(file, 0x1C) == 0xFFFE && u16(file, 0x1E) == 9, "version 3, little-endian, 512-byte sectors")
        func sector(_ n: Int) -> ArraySlice<UInt8> { file[(512 + n * 512)..<(512 + (n + 1) * 512)] }
        let fatSectors = (0..<u32(file, 0x2C)).map { u32(file, 0x4C + 4 * $0) }
        let fat = fatSectors.flatMap { s in stride(from: 0, to: 512, by: 4).map { u32(Array(sector(s)), $0) } }
        let directory = Array(sector(u32(file, 0x30)))
        #expect(directory[0x42] == 5, "the root storage comes first")
        let entry = Array(directory[128..<256])
        #expect(entry[0x42] == 2, "a stream")
        let nameLength = u16(entry, 0x40)
        let name = String(decoding: stride(from: 0, to: nameLength - 2, by: 2).map { UInt16(u16(entry, $0)) }, as: UTF16.self)
        var bytes: [UInt8] = []
        var next = u32(entry, 0x74)
        while next != 0xFFFF_FFFE {
            bytes += sector(next)
            next = fat[next]
        }
        #expect(bytes.count >= u32(entry, 0x78) && u32(entry, 0x78) >= 4096)
        return (name, Array(bytes.prefix(u32(entry, 0x78))))
    }

    /// Records from `offset` to the next EOF.
    func records(_ stream: [UInt8], from offset: Int) -> [(type: Int, data: [UInt8])] {
        var result: [(Int, [UInt8])] = []
        var at = offset
        while at + 4 <= stream.count {
            let type = u16(stream, at), length = u16(stream, at + 2)
            result.append((type, Array(stream[(at + 4)..<(at + 4 + length)])))
            at += 4 + length
            if type == 0x000A { break }
        }
        return result
    }

    /// The cells' texts by (row, column), through BOUNDSHEET's offset, SST (and CONTINUE) and LABELSST.
    func cells(_ file: [UInt8]) throws -> [[String]] {
        let (name, stream) = try stream(file)
        #expect(name == "Workbook")
        let globals = records(stream, from: 0)
        #expect(globals.first?.type == 0x0809 && u16(globals[0].data, 2) == 0x0005, "BOF of the workbook globals")
        #expect(globals.contains { $0.type == 0x0042 && u16($0.data, 0) == 1200 }, "CODEPAGE UTF-16")
        #expect(globals.filter { $0.type == 0x00E0 }.count == 16 && globals.filter { $0.type == 0x0031 }.count == 4)
        let boundSheet = try #require(globals.first { $0.type == 0x0085 })
        var sst: [UInt8] = []
        for (index, record) in globals.enumerated() where record.type == 0x00FC {
            sst = record.data
            var next = index + 1
            while globals[next].type == 0x003C { sst += globals[next].data; next += 1 }
        }
        var strings: [String] = []
        var at = 8
        for _ in 0..<u32(sst, 4) {
            let count = u16(sst, at), wide = sst[at + 2] == 1
            at += 3
            let units = (0..<count).map { wide ? UInt16(u16(sst, at + 2 * $0)) : UInt16(sst[at + $0]) }
            strings.append(String(decoding: units, as: UTF16.self))
            at += count * (wide ? 2 : 1)
        }
        let sheet = records(stream, from: u32(boundSheet.data, 0))
        #expect(sheet.first?.type == 0x0809 && u16(sheet[0].data, 2) == 0x0010, "BOF of a worksheet")
        var rows: [[String]] = []
        for record in sheet where record.type == 0x00FD {
            let r = u16(record.data, 0), c = u16(record.data, 2)
            while rows.count <= r { rows.append([]) }
            while rows[r].count <= c { rows[r].append("") }
            rows[r][c] = strings[u32(record.data, 6)]
        }
        return rows
    }

    @Test func textCellsComeBackFromTheSharedStringTable() throws {
        let rows = [["总金额", "总笔数", "支付宝账户"], ["0.03", "2", "gongsi1@shoufei.com"], ["bptb_20101220_4178", "1", "测试1"]]
        let file = try Workbook(sheetName: "退票明细", rows: rows).data()
        #expect(file.count % 512 == 0)
        #expect(try cells(file) == rows)
    }

    @Test func aLargeSheetContinuesTheStringTableAndSpansManyFATSectors() throws {
        let rows = (0..<3_000).map { ["流水\($0)", String(repeating: "名", count: 40) + "\($0)", "\($0).00"] }
        let file = try Workbook(sheetName: "Sheet1", rows: rows).data()
        #expect(file.count > 128 * 512, "more sectors than one FAT sector maps")
        #expect(try cells(file) == rows)
    }

    @Test func theRecordsAreLaidOutAsTheFormatSays() {
        var writer = BIFFWriter()
        writer.record(0x00FD) { $0.u16(1); $0.u16(2); $0.u16(15); $0.u32(7) }
        #expect(writer.bytes == [0xFD, 0x00, 0x0A, 0x00, 0x01, 0x00, 0x02, 0x00, 0x0F, 0x00, 0x07, 0x00, 0x00, 0x00])
        var name = BIFFWriter()
        name.shortString("Arial")
        #expect(name.bytes == [5, 0] + Array("Arial".utf8))
        #expect(StringTable.characters(Array("退".utf16)) == [1, 0x00, 0x90])
    }

    @Test func limitsAreRefusedRatherThanWrittenWrong() {
        #expect(throws: Workbook.Failure.tooManyColumns(257)) { try Workbook(sheetName: "a", rows: [Array(repeating: "x", count: 257)]).data() }
        #expect(throws: Workbook.Failure.sheetNameInvalid) { try Workbook(sheetName: "a/b", rows: []).data() }
        #expect(throws: Workbook.Failure.sheetNameInvalid) { try Workbook(sheetName: String(repeating: "a", count: 32), rows: []).data() }
        let long = String(repeating: "长", count: 300)
        #expect((try? cells(try Workbook(sheetName: "a", rows: [[long]]).data()))?.first?.first?.count == 255)
    }
}
