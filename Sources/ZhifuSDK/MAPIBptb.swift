import Foundation
import MultipartKit
import NIOCore
import NIOHTTP1
import SwiftCSV
import ZIPFoundation
import ZhifuProtocol

/// Batch pay to bank accounts (seeds 002 and 003): upload a payout file, send the payer to review
/// it, download the refund tickets (退票) of a pay date.
extension MAPIClient {
    /// A MAPI machine service's refusal: `<is_success>F</is_success><error>CODE</error>`, or the
    /// message of a failed download (`文件下载失败!文件下载失败!`).
    public struct ServiceError: Error, Equatable, Sendable, CustomStringConvertible {
        public var code: String
        public var description: String { code }
        public init(code: String) { self.code = code }
    }

    /// What the gateway made of an uploaded file.
    public struct PayoutFileReceipt: Sendable, Equatable {
        public var fileName: String
        public var totalCount: Int
        public var successCount: Int
        public var failCount: Int
        /// The valid rows' total: what confirming takes from the balance.
        public var successAmount: Amount

        public init(fileName: String, totalCount: Int, successCount: Int, failCount: Int, successAmount: Amount) {
            self.fileName = fileName; self.totalCount = totalCount; self.successCount = successCount; self.failCount = failCount
            self.successAmount = successAmount
        }
    }

    /// `bptb_pay_file_confirm`: uploads a payout file (CSV with the columns of seed 002 图2-2) as a
    /// signed multipart POST; the file is covered by its MD5 digest (`file_digest`), which is signed.
    public func uploadPayoutFile(named fileName: String, contents: [UInt8], transport: any AlipayTransport = HTTPClientTransport()) async throws -> PayoutFileReceipt {
        let fields = try signedParameters(service: "bptb_pay_file_confirm",
                                          Parameters([("file_name", fileName), ("digest_type", "MD5"), ("file_digest", Hex.lowercase(Digest.md5(contents)))]))
        var parts: [MultipartPart] = []
        for (name, value) in fields {
            guard let bytes = charset.encode(value) else { throw RequestError.unencodable }
            var part = MultipartPart(body: ByteBuffer(bytes: bytes))
            part.name = name
            parts.append(part)
        }
        let quotedName = fileName.replacingOccurrences(of: "\"", with: "%22").replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: "")
        parts.append(MultipartPart(headers: ["Content-Disposition": "form-data; name=\"file\"; filename=\"\(quotedName)\"", "Content-Type": "text/csv"],
                                   body: ByteBuffer(bytes: contents)))
        let boundary = "----ZhifuSDK" + SecureRandom.alphanumeric(16)
        var body = ByteBuffer()
        try MultipartSerializer().serialize(parts: parts, boundary: boundary, into: &body)
        let response = try await transport.send(AlipayHTTPRequest(method: "POST", url: gatewayURL, headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"],
                                                                   body: Array(body.readableBytesView)))
        let xml = Self.xmlFields(response.body, charset: charset)
        guard xml["is_success"] == "T", let name = xml["file_name"], let total = xml["total_count"].flatMap(Int.init),
              let success = xml["success_count"].flatMap(Int.init), let failed = xml["fail_count"].flatMap(Int.init),
              let amount = xml["success_amount"].flatMap(Amount.init) else {
            throw ServiceError(code: xml["error"] ?? "unreadable answer")
        }
        return PayoutFileReceipt(fileName: name, totalCount: total, successCount: success, failCount: failed, successAmount: amount)
    }

    /// `bptb_user_confirm`: the page the payer opens to review the file and type the payment
    /// password. The outcome comes back to `returnURL` (see ``NotificationVerifier/verifyPayoutReturn(_:charset:)``).
    public func payoutReviewURL(email: String, fileName: String, returnURL: String, notifyURL: String? = nil) throws(RequestError) -> String {
        var parameters = Parameters([("email", email), ("file_name", fileName), ("return_url", returnURL)])
        if let notifyURL { parameters["notify_url"] = notifyURL }
        return try requestURL(service: "bptb_user_confirm", parameters)
    }

    /// One refund ticket (退票) of seed 003 表5-1.
    public struct RefundTicket: Sendable, Equatable {
        public var batchName, serialNo, payeeName, accountNo, bankName, province, city, branch: String
        public var amount: Amount
        /// 1 对公, 2 对私.
        public var flag, memo: String
        /// 提现流水号.
        public var withdrawNo: String
        /// 退票日期 as printed (`2010年12月18日 09:00:00`).
        public var refundedAt: String
        /// 退票原因.
        public var reason: String
    }

    public struct RefundFile: Sendable, Equatable {
        /// The zip's file names (the `.csv` and the `.xls`).
        public var entries: [String]
        public var total: Amount
        public var count: Int
        /// 支付宝账户: the payer.
        public var account: String
        public var tickets: [RefundTicket]
        /// The zip as downloaded.
        public var zip: [UInt8]
    }

    /// `bptb_refund_file`: the refund tickets of files confirmed on `date` (yyyyMMdd), read from the
    /// zip's GBK CSV. A refusal throws ``ServiceError`` with seed 003's message or code.
    public func refundFile(date: String, bizType: String? = "d_sale", transport: any AlipayTransport = HTTPClientTransport(maximumResponseBytes: 16 << 20)) async throws -> RefundFile {
        var parameters = Parameters([("date", date)])
        if let bizType { parameters["biz_type"] = bizType }
        let response = try await transport.send(AlipayHTTPRequest(method: "GET", url: try requestURL(service: "bptb_refund_file", parameters)))
        guard response.body.starts(with: [0x50, 0x4B, 0x03, 0x04]) else {
            throw ServiceError(code: Charset.gbk.decode(response.body) ?? String(decoding: response.body, as: UTF8.self))
        }
        let archive = try Archive(data: Data(response.body), accessMode: .read)
        var entries: [String] = [], csvBytes: [UInt8]?
        for entry in archive {
            entries.append(entry.path)
            guard entry.path.lowercased().hasSuffix(".csv") else { continue }
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            csvBytes = Array(data)
        }
        guard let csvBytes, let text = Charset.gbk.decode(csvBytes) else { throw ServiceError(code: "the zip holds no GBK CSV") }
        return try Self.refundFile(csv: text, entries: entries, zip: response.body)
    }

    static func refundFile(csv text: String, entries: [String], zip: [UInt8]) throws -> RefundFile {
        let rows = try CSV<Enumerated>(string: text, delimiter: .comma, loadColumns: false).rows
        guard rows.count >= 2, let total = Amount(rows[0].first ?? ""), rows[0].count >= 3, let count = Int(rows[0][1]) else {
            throw ServiceError(code: "the refund file's totals do not read")
        }
        let tickets = try rows.dropFirst(2).map { r throws -> RefundTicket in
            guard r.count >= 14, let amount = Amount(r[8]) else { throw ServiceError(code: "a refund ticket does not read: \(r)") }
            return RefundTicket(batchName: r[0], serialNo: r[1], payeeName: r[2], accountNo: r[3], bankName: r[4], province: r[5], city: r[6],
                                branch: r[7], amount: amount, flag: r[9], memo: r[10], withdrawNo: r[11], refundedAt: r[12], reason: r[13])
        }
        guard tickets.count == count else { throw ServiceError(code: "总笔数 \(count) but \(tickets.count) tickets") }
        return RefundFile(entries: entries, total: total, count: count, account: rows[0][2], tickets: tickets, zip: zip)
    }

    /// `<name>text</name>` pairs of a MAPI XML answer (flat: the gateway's bptb answers nest one level).
    static func xmlFields(_ body: [UInt8], charset: Charset) -> [String: String] {
        let text = charset.decode(body) ?? String(decoding: body, as: UTF8.self)
        var fields: [String: String] = [:]
        var rest = text[...]
        while let open = rest.range(of: "<"), let close = rest[open.upperBound...].range(of: ">") {
            let name = String(rest[open.upperBound..<close.lowerBound])
            rest = rest[close.upperBound...]
            guard !name.hasPrefix("/"), !name.hasPrefix("?"), let end = rest.range(of: "</\(name)>"),
                  !rest[..<end.lowerBound].contains("<") else { continue }
            fields[name] = String(rest[..<end.lowerBound]).replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
        }
        return fields
    }
}
