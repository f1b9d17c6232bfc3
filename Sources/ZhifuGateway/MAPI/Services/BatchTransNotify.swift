import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// `batch_trans_notify` (seed 000): a page service. The request's answer is the confirm page;
/// its form posts to `/pages/batch_trans/confirm`.
struct BatchTransNotify: MAPIService {
    static let name = BatchTransService.serviceName
    static let isPage = true

    func handle(_ request: MAPIRequest, gateway: Gateway) async throws -> Response {
        let batch = try await gateway.batchTrans.submit(request.parameters, merchant: request.merchant, signType: request.signType, charset: request.charset)
        return batch.status == .waitConfirm ? BatchPages.confirm(batch) : BatchPages.result(batch)
    }

    /// `POST /pages/batch_trans/confirm`: the payer's logon id and payment password.
    static func confirm(form: ZhifuProtocol.Parameters, gateway: Gateway) async throws -> Response {
        guard let batchId = form.nonEmpty("batch_id"), let token = form.nonEmpty("token") else {
            return HTML.errorPage(MAPIFailure(.illegalArgument, "the form is incomplete"))
        }
        let account = form["account"] ?? "", password = form["password"] ?? ""
        guard account.utf8.count <= 100, password.utf8.count <= 64 else {
            return HTML.errorPage(MAPIFailure(.illegalArgument, "account or password too long"))
        }
        switch try await gateway.batchTrans.confirm(token: token, logonId: account, password: password, batchId: batchId) {
        case .paid(let batch):
            return BatchPages.result(batch)
        case .failed(let failure):
            guard let batch = try await gateway.store.batch(id: batchId), ConstantTime.equals(Array(batch.token.utf8), Array(token.utf8)) else {
                return HTML.errorPage(failure)
            }
            switch failure.code {
            case .userPassError, .accountNotConsistent: return BatchPages.confirm(batch, error: failure)
            case .userConfirmSucc: return BatchPages.result(batch)
            default: return HTML.errorPage(failure)
            }
        }
    }
}
