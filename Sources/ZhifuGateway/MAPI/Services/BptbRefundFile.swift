import Foundation
import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// `bptb_refund_file` (seed 003): the refund tickets (退票) of the files confirmed on `date`, as a
/// zip (`application/octet-stream;charset=iso-8859-1`). Failures are `text/html;charset=gb2312`
/// with §8.1's message or code.
struct BptbRefundFile: MAPIService {
    static let name = BptbService.refundFileService
    static let isPage = false

    static let illegalParameters = "文件下载失败!非法请求参数。"
    static let downloadFailed = "文件下载失败!文件下载失败!"

    func handle(_ request: MAPIRequest, gateway: Gateway) async throws -> Response {
        let calendar = gateway.configuration.calendar
        guard let date = request.parameters.nonEmpty("date"), date.utf8.count == 8, date.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              calendar.parseTimestamp(String(date.prefix(4)) + "-" + String(date.dropFirst(4).prefix(2)) + "-" + String(date.suffix(2)) + " 00:00:00") != nil else {
            return Self.failure(Self.illegalParameters)
        }
        if let bizType = request.parameters.nonEmpty("biz_type"), bizType != "d_sale" { return Self.failure(MAPIError.bizProductIllegal.rawValue) }
        guard case .tickets(let payer, let tickets) = try await gateway.bptb.refundTickets(partner: request.merchant.partner, payDate: date) else {
            return Self.failure(Self.downloadFailed)
        }
        let lines = BptbRefundArchive.lines(payerLogonId: payer, tickets: tickets, calendar: calendar)
        let (name, bytes) = try BptbRefundArchive.archive(partner: request.merchant.partner, date: date, lines: lines, now: gateway.clock.now)
        return Response(status: .ok, headers: [.contentType: "application/octet-stream;charset=iso-8859-1",
                                               .contentDisposition: "attachment; filename=\"\(name)\"", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func failureResponse(_ failure: MAPIFailure, charset: Charset) -> Response {
        Self.failure(failure.code.rawValue)
    }

    static func failure(_ message: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html;charset=gb2312", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(bytes: Charset.gbk.encode(message) ?? Array(message.utf8))))
    }
}
