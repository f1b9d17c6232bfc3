import Crypto
import Foundation
import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// The buyer's session cookie: `userId.expiry.hmac`, HMAC-SHA256 under a key derived from the
/// gateway's private key, so every node of a cluster accepts it and nobody else can make one.
struct BuyerSession: Sendable {
    static let cookie = "zhifu_buyer"
    static let seconds: Int64 = 30 * 60

    let gateway: Gateway

    func value(for buyer: UserId) -> String {
        let payload = "\(buyer.rawValue).\(Int64(gateway.clock.now.timeIntervalSince1970) + Self.seconds)"
        return payload + "." + mac(payload)
    }

    /// The `Set-Cookie` that signs the buyer in.
    func setCookie(for buyer: UserId) -> String {
        "\(Self.cookie)=\(value(for: buyer)); Path=/; Max-Age=\(Self.seconds); HttpOnly; SameSite=Lax"
    }

    static let clearCookie = "\(cookie)=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"

    /// The signed-in buyer, if the cookie is ours and unexpired.
    func buyer(_ request: Request) -> UserId? {
        guard let cookie = request.cookies[Self.cookie]?.value, cookie.count <= 128 else { return nil }
        let parts = cookie.split(separator: ".").map(String.init)
        guard parts.count == 3, let buyer = UserId(parts[0]), let expiry = Int64(parts[1]),
              ConstantTime.equals(Array(mac("\(parts[0]).\(parts[1])").utf8), Array(parts[2].utf8)),
              expiry > Int64(gateway.clock.now.timeIntervalSince1970) else { return nil }
        return buyer
    }

    private func mac(_ payload: String) -> String {
        let key = SymmetricKey(data: ZhifuProtocol.Digest.sha256(Array(("zhifu-buyer-session\n" + gateway.privateKey.pemRepresentation).utf8)))
        return Hex.lowercase(Array(HMAC<SHA256>.authenticationCode(for: Array(payload.utf8), using: key)))
    }
}
