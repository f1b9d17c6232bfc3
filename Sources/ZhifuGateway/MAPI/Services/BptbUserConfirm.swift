import Foundation
import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// `bptb_user_confirm` (seed 002): a page service. The request's answer is the review page of an
/// uploaded file (图2-2), whose password form posts to `/pages/bptb/confirm`. Outcomes go back to
/// `return_url` signed (§5): `file_name`, `is_success`, `partner`, `result_code`.
struct BptbUserConfirm: MAPIService {
    static let name = BptbService.confirmService
    static let isPage = true

    func handle(_ request: MAPIRequest, gateway: Gateway) async throws -> Response {
        let params = request.parameters
        guard let email = params.nonEmpty("email"), email.utf8.count <= 100 else { throw MAPIFailure(.illegalArgument, "email is required") }
        guard let fileName = params.nonEmpty("file_name"), BptbPayFileConfirm.isFileName(fileName) else {
            throw MAPIFailure(.illegalArgument, "file_name is required")
        }
        guard let returnURL = params.nonEmpty("return_url"), BatchTransNotify.isHTTPURL(returnURL) else {
            throw MAPIFailure(.illegalArgument, "return_url must be an http(s) URL of at most 200 characters")
        }
        let notifyURL = params.nonEmpty("notify_url")
        if let notifyURL, !BatchTransNotify.isHTTPURL(notifyURL) {
            throw MAPIFailure(.illegalArgument, "notify_url must be an http(s) URL of at most 200 characters")
        }
        let partner = request.merchant.partner
        do {
            let file = try await gateway.bptb.prepareConfirmation(partner: partner, fileName: fileName, email: email, returnURL: returnURL,
                                                                  notifyURL: notifyURL, signType: request.signType, charset: request.charset)
            return BptbPages.confirm(file)
        } catch let refusal as BptbFailure {
            let code = Self.code(refusal)
            let back = try await Self.returnLocation(partner: partner, fileName: fileName, code: code, returnURL: returnURL, signType: request.signType,
                                               charset: request.charset, gateway: gateway)
            let file = try await gateway.bptb.file(partner: partner, fileName: fileName)
            return BptbPages.result(file, fileName: fileName, resultCode: code, succeeded: code == .userConfirmSucc, returnLink: back,
                                    charset: request.charset)
        }
    }

    /// Seed 002 §10.1's code for each refusal.
    static func code(_ refusal: BptbFailure) -> MAPIError {
        switch refusal {
        case .userNotExist: .userNotExist
        case .accountNotConsistent: .accountNotConsistent
        case .userBlocked: .userBlockStatus
        case .fileNotExist: .fileNotExist
        case .queryResultIsNull: .queryResultIsNull
        case .detailValidatedFail: .detailValidatedFail
        case .alreadyConfirmed: .userConfirmSucc
        case .wrongPassword: .userPassError
        case .confirmPageExpired: .sessionTimeout
        case .busy: .systemError
        }
    }

    /// The merchant's return_url with §5's parameters, signed like a notification of the request's
    /// sign type (MD5 with the partner's key, RSA and DSA with the gateway's).
    static func returnLocation(partner: UserId, fileName: String, code: MAPIError, returnURL: String, signType: SignType, charset: Charset,
                               gateway: Gateway) async throws -> String? {
        var p = ZhifuProtocol.Parameters([("file_name", fileName), ("is_success", code == .userConfirmSucc ? "T" : "F"),
                                          ("partner", partner.rawValue), ("result_code", code.rawValue)])
        let md5Key = signType == .md5 ? try await gateway.merchant(partner: partner)?.md5Key : nil
        let signer = try gateway.mapiSigner(signType, md5Key: md5Key)
        guard let content = charset.encode(SignContent.mapi(p)) else { return nil }
        p["sign"] = try signer.sign(content)
        p["sign_type"] = signType.rawValue
        guard let query = FormCoding.encode(p, charset: charset) else { return nil }
        return returnURL + (returnURL.contains("?") ? "&" : "?") + query
    }

    /// `POST /pages/bptb/confirm`: the payer's payment password.
    static func confirm(form: ZhifuProtocol.Parameters, gateway: Gateway) async throws -> Response {
        let input: ConfirmForm
        do { input = try ConfirmForm(form) } catch { return HTML.errorPage(error) }
        let outcome = try await gateway.bptb.confirm(fileId: input.batchId, token: input.token, logonId: input.account, password: input.password)
        guard let file = try await gateway.bptb.file(id: input.batchId, token: input.token), let confirmation = file.confirmation else {
            return HTML.errorPage(MAPIFailure(.sessionTimeout, "this confirm page is no longer valid"))
        }
        switch outcome {
        case .confirmed(let file):
            return BptbPages.result(file, fileName: file.fileName, resultCode: .userConfirmSucc, succeeded: true,
                                    returnLink: "/pages/bptb/return/\(file.id)?token=\(confirmation.token)", charset: confirmation.charset)
        case .failed(let refusal):
            let code = code(refusal)
            switch refusal {
            case .wrongPassword(let remaining): return BptbPages.confirm(file, error: MAPIFailure(code, "\(remaining) tries left"))
            case .accountNotConsistent: return BptbPages.confirm(file, error: MAPIFailure(code))
            case .confirmPageExpired, .busy: return HTML.errorPage(MAPIFailure(code), charset: confirmation.charset)
            default:
                let back = try await returnLocation(partner: file.partner, fileName: file.fileName, code: code, returnURL: confirmation.returnURL,
                                              signType: confirmation.signType, charset: confirmation.charset, gateway: gateway)
                return BptbPages.result(file, fileName: file.fileName, resultCode: code, succeeded: code == .userConfirmSucc, returnLink: back,
                                        charset: confirmation.charset)
            }
        }
    }

    static func registerPages(on router: Router<GatewayRequestContext>, gateway: Gateway) {
        /// The way back after a confirmation: a redirect to the signed return_url within one minute
        /// of it (§7.1 (6)), an error page after.
        router.get("/pages/bptb/return/:fileId") { request, context in
            guard let file = try await gateway.bptb.file(id: context.parameters.get("fileId") ?? "", token: request.uri.queryParameters.get("token") ?? ""),
                  let confirmation = file.confirmation, let confirmedAt = file.confirmedAt else {
                return HTML.errorPage(MAPIFailure(.sessionTimeout, "this return link is not valid"))
            }
            guard gateway.clock.now.timeIntervalSince(confirmedAt) <= BptbService.returnValiditySeconds else {
                return HTML.errorPage(MAPIFailure(.sessionTimeout, "the return link expired one minute after the confirmation"), charset: confirmation.charset)
            }
            guard let location = try await returnLocation(partner: file.partner, fileName: file.fileName, code: .userConfirmSucc, returnURL: confirmation.returnURL,
                                                    signType: confirmation.signType, charset: confirmation.charset, gateway: gateway) else {
                return HTML.errorPage(MAPIFailure(.systemError))
            }
            return Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
        }
        /// 下载校验明细: the failing rows with their reasons, as GBK CSV.
        router.get("/pages/bptb/check/:fileId") { request, context in
            guard let file = try await gateway.bptb.file(id: context.parameters.get("fileId") ?? "", token: request.uri.queryParameters.get("token") ?? "") else {
                return HTML.errorPage(MAPIFailure(.sessionTimeout, "this link is not valid"))
            }
            let lines = [["商户流水号", "收款人姓名", "收款人账号", "付款金额", "校验结果"]]
                + file.rows.filter { $0.status == .invalid }.map { [$0.serialNo, $0.payeeName, $0.accountNo, $0.amountText, $0.failure ?? ""] }
            let csv = BptbRefundArchive.csv(lines)
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=gbk", .contentDisposition: "attachment; filename=\"check_\(file.id).csv\"",
                                                   .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(bytes: csv)))
        }
    }
}
