import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// `notify_verify` (seed 000 §9): `true` while the notify_id belongs to the partner and has not
/// been acknowledged, `false` otherwise, `invalid` for malformed parameters. No newline. Unsigned,
/// as Alipay's is: the notify_id itself is the secret. So it skips the common checks of
/// ``MAPIGateway`` and is not a ``MAPIService``.
struct NotifyVerify: Sendable {
    static let name = "notify_verify"

    func handle(_ parameters: ZhifuProtocol.Parameters, gateway: Gateway) async throws -> Response {
        guard let partnerText = parameters.nonEmpty("partner"), let partner = UserId(partnerText),
              let notifyId = parameters.nonEmpty("notify_id"), notifyId.utf8.count <= 128 else {
            return Self.answer("invalid")
        }
        return Self.answer(try await gateway.notifications.isPending(notifyId: notifyId, partner: partner) ? "true" : "false")
    }

    static func answer(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
