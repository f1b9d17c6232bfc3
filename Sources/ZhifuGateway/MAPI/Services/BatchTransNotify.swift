import Foundation
import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// `batch_trans_notify` (seed 000): a page service. The request's answer is the confirm page;
/// its form posts to `/pages/batch_trans/confirm`.
public struct BatchTransNotify: MAPIService {
    static let name = BatchTransService.serviceName
    static let isPage = true

    func handle(_ request: MAPIRequest, gateway: Gateway) async throws -> Response {
        let command = try Self.command(request.parameters)
        let batch: Batch
        do {
            batch = try await gateway.batchTrans.submit(command, partner: request.merchant.partner, signType: request.signType, charset: request.charset)
        } catch let refusal as BatchTransFailure {
            throw Self.failure(refusal)
        }
        return batch.status == .waitConfirm ? BatchPages.confirm(batch) : BatchPages.result(batch)
    }

    /// The business parameters, in a fixed order, whose hash identifies a batch's content.
    static let businessParameters = ["account_name", "detail_data", "batch_no", "batch_num", "batch_fee", "pay_date", "email",
                                     "buyer_account_name", "extend_param", "notify_url"]

    /// Reads the request into a command, refusing malformed fields with the seed's codes.
    public static func command(_ params: ZhifuProtocol.Parameters) throws(MAPIFailure) -> BatchTransCommand {
        func required(_ name: String) throws(MAPIFailure) -> String {
            guard let value = params.nonEmpty(name) else { throw MAPIFailure(.illegalArgument, "\(name) is required") }
            return value
        }
        let batchNo = try required("batch_no")
        guard (11...32).contains(batchNo.utf8.count), batchNo.utf8.allSatisfy({ $0 < 0x80 && (Character(UnicodeScalar($0)).isLetter || Character(UnicodeScalar($0)).isNumber) }) else {
            throw MAPIFailure(.batchNoFormatError, "batch_no must be 11 to 32 letters or digits")
        }
        let accountName = try required("account_name")
        let details: [BatchTransDetail]
        do { details = try BatchTransDetail.parse(try required("detail_data")) } catch let error as DetailDataError {
            throw MAPIFailure(error.code, "detail_data: \(error.description)")
        } catch {
            throw MAPIFailure(.illegalArgument, "detail_data: \(error)")
        }
        let batchNumText = try required("batch_num")
        guard let batchNum = Int(batchNumText), batchNum > 0, batchNumText.allSatisfy(\.isASCII) else {
            throw MAPIFailure(.batchNumError, "batch_num must be a positive integer")
        }
        guard batchNum <= BatchTransDetail.maximumRecords else { throw MAPIFailure(.batchNumExceedLimit, "batch_num is above 1000") }
        guard batchNum == details.count else {
            throw MAPIFailure(.batchNumNotEqualTotal, "batch_num is \(batchNum) but detail_data has \(details.count) records")
        }
        guard let batchFee = Amount(try required("batch_fee")), batchFee.fen > 0 else {
            throw MAPIFailure(.illegalArgument, "batch_fee must be an amount like 20.00")
        }
        guard Amount.sum(details.map(\.amount)) == batchFee else {
            throw MAPIFailure(.illegalArgument, "batch_fee \(batchFee) is not the sum of detail_data's amounts")
        }
        let payDate = try required("pay_date")
        let extendParam = params.nonEmpty("extend_param")
        if let extendParam {
            do { _ = try ExtendParam.parse(extendParam) } catch { throw MAPIFailure(error.code, error.description) }
        }
        let notifyURL = params.nonEmpty("notify_url")
        if let notifyURL, !isHTTPURL(notifyURL) { throw MAPIFailure(.illegalArgument, "notify_url must be an http(s) URL of at most 200 characters") }
        guard let payerLogonId = params.nonEmpty("buyer_account_name") ?? params.nonEmpty("email") else {
            throw MAPIFailure(.illegalArgument, "email (or buyer_account_name) is required")
        }
        let fingerprint = Hex.lowercase(Digest.sha256(Array(businessParameters.map { "\($0)=\(params[$0] ?? "")" }.joined(separator: "\n").utf8)))
        return BatchTransCommand(batchNo: batchNo, accountName: accountName, details: details, batchFee: batchFee, payDate: payDate,
                                 payerLogonId: payerLogonId, extendParam: extendParam, notifyURL: notifyURL, fingerprint: fingerprint)
    }

    static func isHTTPURL(_ text: String) -> Bool {
        text.utf8.count <= 200 && (text.hasPrefix("http://") || text.hasPrefix("https://")) && URL(string: text)?.host != nil
    }

    /// The seed's code for each of the domain's refusals.
    static func failure(_ refusal: BatchTransFailure) -> MAPIFailure {
        switch refusal {
        case .duplicateBatchNo(let batchNo): MAPIFailure(.duplicateBatchNo, "batch_no \(batchNo) was used for a different batch")
        case .payDateNotToday(let today): MAPIFailure(.illegalArgument, "pay_date must be today, \(today)")
        case .payerNotFound(let logonId): MAPIFailure(.userNotExist, "no account \(logonId)")
        case .payerIsNotPartner: MAPIFailure(.accountNotConsistent, "the payer must be the partner's own account")
        case .payerBlocked: MAPIFailure(.userBlockStatus)
        case .accountNameMismatch: MAPIFailure(.accountNotConsistent, "account_name is not the payer's name")
        case .confirmPageExpired: MAPIFailure(.sessionTimeout, "this confirm page is no longer valid")
        case .alreadyConfirmed: MAPIFailure(.userConfirmSucc)
        case .wrongPayer: MAPIFailure(.accountNotConsistent, "enter the paying account's logon id")
        case .wrongPassword(let remaining): MAPIFailure(.userPassError, "\(remaining) tries left")
        case .busy: MAPIFailure(.systemError, "too many password checks at once; try again")
        }
    }

    /// `POST /pages/batch_trans/confirm`: the payer's logon id and payment password.
    static func confirm(form: ZhifuProtocol.Parameters, gateway: Gateway) async throws -> Response {
        let input: ConfirmForm
        do { input = try ConfirmForm(form) } catch { return HTML.errorPage(error) }
        let (batchId, token) = (input.batchId, input.token)
        switch try await gateway.batchTrans.confirm(token: token, logonId: input.account, password: input.password, batchId: batchId) {
        case .paid(let batch):
            return BatchPages.result(batch)
        case .failed(let refusal):
            let failure = failure(refusal)
            guard let batch = try await gateway.batchTrans.batch(id: batchId, token: token) else { return HTML.errorPage(failure) }
            switch failure.code {
            case .userPassError, .accountNotConsistent: return BatchPages.confirm(batch, error: failure)
            case .userConfirmSucc: return BatchPages.result(batch)
            default: return HTML.errorPage(failure)
            }
        }
    }
}
