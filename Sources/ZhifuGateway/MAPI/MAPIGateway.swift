import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// `GET|POST /gateway.do` for MAPI requests (those with `service=`).
///
/// The common checks run in a fixed order of precedence, each with the seed's code:
/// charset → service → partner → partner allowed this service → sign_type → key configured →
/// signature → the service's own arguments.
struct MAPIGateway: Sendable {
    let gateway: Gateway

    static let services: [String: any MAPIService] = {
        let all: [any MAPIService] = [BatchTransNotify(), BtnStatusQuery(), RefundFastpayByPlatformPwd(), BptbPayFileConfirm(), BptbUserConfirm(), BptbRefundFile()]
        return Dictionary(uniqueKeysWithValues: all.map { (type(of: $0).name, $0) })
    }()

    /// Alipay's rule for MAPI: a request that names no `_input_charset` is GBK, and so is every
    /// answer and notification it leads to. A named but empty or unknown charset is ILLEGAL_CHARSET.
    static let defaultCharset = Charset.gbk

    /// Decodes the request, runs the common checks and hands over to the service.
    func handle(query: [UInt8], body: [UInt8], upload: BptbUpload? = nil, outcome: RequestOutcome = RequestOutcome()) async throws -> Response {
        // The service (and so the error format) is read from the raw pairs first: a request whose
        // charset is wrong still gets the page or XML its service answers with.
        let rawService = FormCoding.rawField("service", in: query) ?? FormCoding.rawField("service", in: body)
        let service = rawService.flatMap { Self.services[$0] }
        // Only names Zhifu knows become labels: a client cannot grow the metrics without bound.
        outcome.name = service != nil || rawService == NotifyVerify.name ? rawService : "unknown"
        outcome.result = "T"
        func fail(_ failure: MAPIFailure, charset: Charset = .utf8) -> Response {
            outcome.result = failure.code.rawValue
            return service.map { type(of: $0).failureResponse(failure, charset: charset) } ?? MAPIXML.failure(failure.code, charset: charset)
        }

        let parameters: ZhifuProtocol.Parameters, charset: Charset
        do {
            (parameters, charset) = try FormCoding.decode(query: query, body: body, defaultCharset: Self.defaultCharset, refusingEmptyCharset: true)
        } catch .unsupportedCharset(let name) {
            return fail(MAPIFailure(.illegalCharset, name.isEmpty ? "_input_charset is empty" : "unsupported charset \(name)"))
        } catch .invalidBytes(let name, let charset) {
            return fail(MAPIFailure(.illegalCharset, "\(name) is not valid \(charset.rawValue)"))
        } catch {
            return fail(MAPIFailure(.illegalArgument, "\(error)"))
        }
        // notify_verify is unsigned, as Alipay's is: the notify_id itself is the secret.
        if rawService == NotifyVerify.name { return try await NotifyVerify().handle(parameters, gateway: gateway) }
        guard let service else { return fail(MAPIFailure(.illegalService, "unknown service \(rawService ?? "(none)")"), charset: charset) }
        let serviceType = type(of: service)
        do {
            var request = try await check(parameters, charset: charset, service: serviceType.name)
            request.upload = upload
            return try await service.handle(request, gateway: gateway)
        } catch let failure as MAPIFailure {
            return fail(failure, charset: charset)
        }
    }

    /// The common checks after charset and service.
    func check(_ parameters: ZhifuProtocol.Parameters, charset: Charset, service: String) async throws -> MAPIRequest {
        guard let partnerText = parameters.nonEmpty("partner"), let partner = UserId(partnerText),
              let merchant = try await gateway.merchant(partner: partner) else {
            throw MAPIFailure(.illegalPartner)
        }
        guard merchant.allows(service: service) else { throw MAPIFailure(.illegalPartnerExterface) }
        guard let signTypeText = parameters.nonEmpty("sign_type"), let signType = SignType(rawValue: signTypeText), signType != .rsa2 else {
            throw MAPIFailure(.illegalSignType, "sign_type must be MD5, RSA or DSA")
        }
        let key: String? = switch signType {
        case .md5: merchant.md5Key
        case .rsa, .rsa2: merchant.rsaPublicKey
        case .dsa: merchant.dsaPublicKey
        }
        guard let key, let verifier = try? SigningKeys.verifier(signType, key: key) else { throw MAPIFailure(.illegalSecurityProfile) }
        guard let signature = parameters.nonEmpty("sign"), SignContent.isValid(signature, for: parameters, charset: charset, verifier: verifier, content: SignContent.mapi) else {
            throw MAPIFailure(.illegalSign)
        }
        return MAPIRequest(parameters: parameters, charset: charset, merchant: merchant, signType: signType)
    }
}
