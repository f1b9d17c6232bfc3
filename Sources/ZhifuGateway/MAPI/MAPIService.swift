import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// A MAPI request that passed the common checks (charset, service, partner, sign type, key, signature).
struct MAPIRequest: Sendable {
    var parameters: ZhifuProtocol.Parameters
    var charset: Charset
    var merchant: Merchant
    var signType: SignType
    /// The file of a multipart upload (`bptb_pay_file_confirm`).
    var upload: BptbUpload?
}

/// One `service=` of `/gateway.do`. Each lives in its own file under `MAPI/Services/`.
protocol MAPIService: Sendable {
    /// The `service` parameter's value.
    static var name: String { get }
    /// Page services answer errors with an HTML page (seed 000 §5.2); machine services with XML.
    static var isPage: Bool { get }
    func handle(_ request: MAPIRequest, gateway: Gateway) async throws -> Response
    /// How a refusal is answered: the error page or the XML by `isPage`, unless the service says otherwise.
    static func failureResponse(_ failure: MAPIFailure, charset: Charset) -> Response
}

extension MAPIService {
    static func failureResponse(_ failure: MAPIFailure, charset: Charset) -> Response {
        isPage ? HTML.errorPage(failure, charset: charset) : MAPIXML.failure(failure.code, charset: charset)
    }
}

/// The confirm pages' form (batch pay, batch refund): the batch, its one-time token, and the
/// logon id and payment password typed, each bounded.
struct ConfirmForm {
    var batchId: String
    var token: String
    var account: String
    var password: String

    init(_ form: ZhifuProtocol.Parameters) throws(MAPIFailure) {
        guard let batchId = form.nonEmpty("batch_id"), let token = form.nonEmpty("token") else {
            throw MAPIFailure(.illegalArgument, "the form is incomplete")
        }
        let account = form["account"] ?? "", password = form["password"] ?? ""
        guard batchId.utf8.count <= 64, token.utf8.count <= 64, account.utf8.count <= 100, password.utf8.count <= 64 else {
            throw MAPIFailure(.illegalArgument, "account or password too long")
        }
        self.batchId = batchId; self.token = token; self.account = account; self.password = password
    }
}

/// Machine services' XML (`<alipay><is_success>…`), in the request's charset.
enum MAPIXML {
    static func failure(_ code: MAPIError, charset: Charset = .utf8) -> Response {
        xml("<alipay><is_success>F</is_success><error>\(code.rawValue)</error></alipay>", charset: charset)
    }

    static func xml(_ body: String, charset: Charset = .utf8) -> Response {
        let name = charset.rawValue.uppercased()
        let document = "<?xml version=\"1.0\" encoding=\"\(name)\"?>\n" + body
        return Response(status: .ok, headers: [.contentType: "text/xml; charset=\(name)"],
                        body: .init(byteBuffer: ByteBuffer(bytes: charset.encodeMarkup(document))))
    }

    /// XML text: `&`, `<`, `>` and both quotes as entities.
    static func escape(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&#39;"
            default: output.append(character)
            }
        }
        return output
    }
}
