import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// A MAPI request that passed the common checks (charset, service, partner, sign type, key, signature).
struct MAPIRequest: Sendable {
    var parameters: ZhifuProtocol.Parameters
    var charset: Charset
    var merchant: Merchant
    var signType: SignType
}

/// One `service=` of `/gateway.do`. Each lives in its own file under `MAPI/Services/`.
protocol MAPIService: Sendable {
    /// The `service` parameter's value.
    static var name: String { get }
    /// Page services answer errors with an HTML page (seed 000 §5.2); machine services with XML.
    static var isPage: Bool { get }
    func handle(_ request: MAPIRequest, gateway: Gateway) async throws -> Response
}

/// Machine services' XML (`<alipay><is_success>…`), always UTF-8.
enum MAPIXML {
    static func failure(_ code: MAPIError) -> Response {
        xml("<alipay><is_success>F</is_success><error>\(code.rawValue)</error></alipay>")
    }

    static func xml(_ body: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/xml; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + body)))
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
