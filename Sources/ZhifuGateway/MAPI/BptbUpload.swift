import Foundation
import MultipartKit
import SwiftCSV
import ZhifuCore
import ZhifuProtocol

/// The file part of a `bptb_pay_file_confirm` upload.
struct BptbUpload: Sendable {
    /// The part's `filename`, as the browser or client sent it.
    var fileName: String?
    var bytes: [UInt8]

    /// The largest upload: 5,000 rows fit in well under 2 MB.
    static let maximumBytes = 2 << 20
}

/// `multipart/form-data` bodies (RFC 7578) read with MultipartKit: the text fields become an
/// urlencoded body (their raw bytes, decoded later in `_input_charset` like any other request), the
/// part named `file` the upload.
enum MultipartForm {
    static func boundary(contentType: String) -> String? {
        // Every request asks; a glance at the first bytes answers the forms without Foundation.
        // Leading blanks are skipped as the full parse below trims them; a non-ASCII first byte
        // (another kind of space, perhaps) is left to that parse.
        let head = contentType.utf8.drop(while: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
        guard head.prefix(10).map({ $0 | 0x20 }).elementsEqual("multipart/".utf8) || (head.first ?? 0) >= 0x80 else { return nil }
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() where part.lowercased().hasPrefix("boundary=") {
            let value = part.dropFirst("boundary=".count)
            let unquoted = value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 ? value.dropFirst().dropLast() : value
            return unquoted.isEmpty || unquoted.count > 70 ? nil : String(unquoted)
        }
        return nil
    }

    static func parse(_ body: [UInt8], boundary: String) throws(MAPIFailure) -> (fields: [UInt8], upload: BptbUpload?) {
        var parts: [(headers: [String: String], body: [UInt8])] = []
        var headers: [String: String] = [:]
        var content: [UInt8] = []
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { buffer in content += buffer.readableBytesView }
        parser.onPartComplete = {
            parts.append((headers, content))
            headers = [:]
            content = []
        }
        do { try parser.execute(body) } catch { throw MAPIFailure(.illegalArgument, "the multipart body could not be read") }
        var fields: [String] = []
        var upload: BptbUpload?
        for part in parts {
            guard let disposition = part.headers["content-disposition"], let name = attribute("name", in: disposition) else { continue }
            if name == "file" {
                guard upload == nil else { throw MAPIFailure(.illegalArgument, "more than one file part") }
                upload = BptbUpload(fileName: attribute("filename", in: disposition), bytes: part.body)
            } else {
                fields.append(FormCoding.percentEncode(Array(name.utf8)) + "=" + FormCoding.percentEncode(part.body))
            }
        }
        return (Array(fields.joined(separator: "&").utf8), upload)
    }

    /// `name="value"` from a Content-Disposition header.
    static func attribute(_ key: String, in header: String) -> String? {
        for item in header.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where item.hasPrefix(key + "=") {
            let value = item.dropFirst(key.count + 1)
            return value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 ? String(value.dropFirst().dropLast()) : String(value)
        }
        return nil
    }
}

/// A payout file's rows: CSV in UTF-8 (with or without a BOM) or GBK, the header row naming the
/// columns of ``BptbValidation/columns`` (备注 and 对公对私标志 may be left out at the end).
/// Excel files are refused: no Excel reader is available to Zhifu, and the error says to save as CSV.
enum BptbFileReader {
    static func rows(_ bytes: [UInt8], fileName: String) throws(MAPIFailure) -> [BptbRow] {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".xls") || lower.hasSuffix(".xlsx") {
            throw MAPIFailure(.illegalFileFormat, "Zhifu reads CSV payout files only: save the sheet as CSV (UTF-8 or GBK) and upload that")
        }
        guard lower.hasSuffix(".csv") || lower.hasSuffix(".txt") else { throw MAPIFailure(.illegalFileFormat, "the file must be a .csv") }
        guard let text = decode(bytes) else { throw MAPIFailure(.illegalEncoding, "the file is neither UTF-8 nor GBK") }
        let csv: CSV<Enumerated>
        do { csv = try CSV<Enumerated>(string: text, delimiter: .comma, loadColumns: false) } catch {
            throw MAPIFailure(.illegalFileFormat, "the CSV could not be read: \(error)")
        }
        let header = csv.header.map { $0.trimmingCharacters(in: .whitespaces) }
        let expected = BptbValidation.columns
        guard header.count >= 8, header.count <= expected.count, header == Array(expected.prefix(header.count)) else {
            throw MAPIFailure(.illegalFileFormat, "the first row must name the columns " + expected.joined(separator: ","))
        }
        return csv.rows.filter { !$0.allSatisfy(\.isEmpty) }.map { cells in
            func cell(_ index: Int) -> String { index < cells.count ? cells[index].trimmingCharacters(in: .whitespaces) : "" }
            return BptbRow(serialNo: cell(0), payeeName: cell(1), accountNo: cell(2), province: cell(3), city: cell(4), bankName: cell(5),
                           branch: cell(6), amountText: cell(7), flag: cell(8), memo: cell(9))
        }
    }

    /// UTF-8 when the bytes are valid UTF-8 (a BOM dropped), else GBK.
    static func decode(_ bytes: [UInt8]) -> String? {
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        if let text = String(validating: body, as: UTF8.self) { return text }
        return Charset.gbk.decode(body)
    }
}
