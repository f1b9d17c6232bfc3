import Foundation
import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// `refund_fastpay_by_platform_pwd` (seed 001): a page service. The request's answer is the
/// confirm page (图2-2); its form posts to `/pages/batch_refund/confirm`.
struct RefundFastpayByPlatformPwd: MAPIService {
    static let name = BatchRefundService.serviceName
    static let isPage = true

    func handle(_ request: MAPIRequest, gateway: Gateway) async throws -> Response {
        let command = try Self.command(request.parameters, charset: request.charset, calendar: gateway.configuration.calendar)
        let batch: RefundBatch
        do {
            batch = try await gateway.batchRefunds.submit(command, partner: request.merchant.partner, signType: request.signType, charset: request.charset)
        } catch let refusal as RefundBatchFailure {
            throw Self.failure(refusal)
        }
        let payees = try await Self.payees(batch, gateway: gateway)
        return batch.status == .waitConfirm ? RefundPages.confirm(batch, payees: payees) : RefundPages.result(batch, payees: payees)
    }

    /// The business parameters, in a fixed order, whose hash identifies a batch's content.
    static let businessParameters = ["seller_email", "seller_user_id", "refund_date", "batch_no", "batch_num", "detail_data", "notify_url"]

    /// Reads the request into a command, refusing malformed fields with seed 001's codes, in the
    /// order the precedence test lists.
    static func command(_ params: ZhifuProtocol.Parameters, charset: Charset, calendar: BusinessCalendar) throws(MAPIFailure) -> RefundBatchCommand {
        func required(_ name: String) throws(MAPIFailure) -> String {
            guard let value = params.nonEmpty(name) else { throw MAPIFailure(.illegalArgument, "\(name) is required") }
            return value
        }
        let sellerId = params.nonEmpty("seller_user_id"), sellerEmail = params.nonEmpty("seller_email")
        guard sellerId != nil || sellerEmail != nil else { throw MAPIFailure(.illegalArgument, "seller_email or seller_user_id is required") }
        let batchNo = try required("batch_no"), batchNumText = try required("batch_num")
        let detailText = try required("detail_data"), refundDate = try required("refund_date")
        guard calendar.parseTimestamp(refundDate) != nil else {
            throw MAPIFailure(.refundDateError, "refund_date must be yyyy-MM-dd HH:mm:ss")
        }
        guard isBatchNo(batchNo) else {
            throw MAPIFailure(.batchNoFormatError, "batch_no is the date (8 digits) and a serial of 3 to 24 letters or digits, not 000")
        }
        guard !batchNumText.isEmpty, batchNumText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), batchNumText.utf8.count <= 9,
              let batchNum = Int(batchNumText), batchNum > 0 else {
            throw MAPIFailure(.batchNumError, "batch_num must be a positive integer")
        }
        guard batchNum <= RefundDetail.maximumRecords else { throw MAPIFailure(.batchNumExceedLimit, "batch_num is above 1000") }
        let details: [RefundDetail]
        do { details = try RefundDetail.parse(detailText, charset: charset) } catch {
            throw MAPIFailure(error.code, "detail_data: \(error.description)")
        }
        guard batchNum == details.count else {
            throw MAPIFailure(.batchNumNotEqualTotal, "batch_num is \(batchNum) but detail_data has \(details.count) records")
        }
        var sellerUserId: UserId?
        if let sellerId {
            guard let id = UserId(sellerId) else { throw MAPIFailure(.sellerInfoNotExist, "seller_user_id \(sellerId) is not a user id") }
            sellerUserId = id
        }
        let notifyURL = params.nonEmpty("notify_url")
        if let notifyURL, !BatchTransNotify.isHTTPURL(notifyURL) {
            throw MAPIFailure(.illegalArgument, "notify_url must be an http(s) URL of at most 200 characters")
        }
        let fingerprint = Hex.lowercase(Digest.sha256(Array(businessParameters.map { "\($0)=\(params[$0] ?? "")" }.joined(separator: "\n").utf8)))
        return RefundBatchCommand(batchNo: batchNo, sellerUserId: sellerUserId, sellerEmail: sellerEmail, refundDate: refundDate,
                                  details: details, notifyURL: notifyURL, fingerprint: fingerprint)
    }

    /// 退款日期（8 位）+ 流水号（3~24 位, letters or digits, not 000); that the date is today is the domain's check.
    static func isBatchNo(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (11...32).contains(bytes.count), bytes.prefix(8).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        let serial = bytes.dropFirst(8)
        guard serial.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7a) }) else { return false }
        return String(decoding: serial, as: UTF8.self) != "000"
    }

    /// The seed's code for each of the domain's refusals.
    static func failure(_ refusal: RefundBatchFailure) -> MAPIFailure {
        switch refusal {
        case .sellerNotFound: MAPIFailure(.sellerInfoNotExist)
        case .duplicateBatchNo(let batchNo): MAPIFailure(.duplicateBatchNo, "batch_no \(batchNo) was used for a different batch")
        case .batchNoNotToday(let today): MAPIFailure(.batchNoFormatError, "batch_no must start with today's date, \(today)")
        case .sellerBlocked: MAPIFailure(.userBlockStatus)
        case .confirmPageExpired: MAPIFailure(.sessionTimeout, "this confirm page is no longer valid")
        case .alreadyConfirmed: MAPIFailure(.userConfirmSucc)
        case .wrongSeller: MAPIFailure(.accountNotConsistent, "enter the seller's logon id")
        case .wrongPassword(let remaining): MAPIFailure(.userPassError, "\(remaining) tries left")
        case .busy: MAPIFailure(.systemError, "too many password checks at once; try again")
        }
    }

    /// The buyer's logon id of each record's trade (收款人 email), for this partner's trades only.
    static func payees(_ batch: RefundBatch, gateway: Gateway) async throws -> [String: String] {
        var payees: [String: String] = [:]
        for record in batch.records {
            guard let trade = try await gateway.trades.stored(tradeNo: record.tradeNo), trade.partner == batch.partner,
                  let buyer = trade.buyer, let account = try await gateway.accounts.account(userId: buyer) else { continue }
            payees[record.tradeNo] = account.logonId
        }
        return payees
    }

    /// `POST /pages/batch_refund/confirm`: the seller's logon id and payment password.
    static func confirm(form: ZhifuProtocol.Parameters, gateway: Gateway) async throws -> Response {
        let input: ConfirmForm
        do { input = try ConfirmForm(form) } catch { return HTML.errorPage(error) }
        let (batchId, token) = (input.batchId, input.token)
        switch try await gateway.batchRefunds.confirm(token: token, logonId: input.account, password: input.password, batchId: batchId) {
        case .refunded(let batch):
            return RefundPages.result(batch, payees: try await payees(batch, gateway: gateway))
        case .failed(let refusal):
            let failure = failure(refusal)
            guard let batch = try await gateway.batchRefunds.batch(id: batchId, token: token) else { return HTML.errorPage(failure) }
            let payees = try await payees(batch, gateway: gateway)
            switch failure.code {
            case .userPassError, .accountNotConsistent: return RefundPages.confirm(batch, payees: payees, error: failure)
            case .userConfirmSucc: return RefundPages.result(batch, payees: payees)
            default: return HTML.errorPage(failure, charset: batch.charset)
            }
        }
    }
}
