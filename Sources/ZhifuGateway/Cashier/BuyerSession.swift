import Crypto
import Foundation
import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// The buyer's session cookie: `userId.epoch.expiry.hmac`, HMAC-SHA256 under the gateway's random
/// session secret (stored once, shared by every node of a cluster; no signing key is involved).
/// Logging out moves the account's session epoch on, so the cookie ends on the server too.
struct BuyerSession: Sendable {
    static let cookie = "zhifu_buyer"
    static let seconds: Int64 = 30 * 60

    let gateway: Gateway

    func value(for buyer: Account) -> String {
        let payload = "\(buyer.userId.rawValue).\(buyer.sessionEpoch).\(Int64(gateway.clock.now.timeIntervalSince1970) + Self.seconds)"
        return payload + "." + mac(payload)
    }

    /// The `Set-Cookie` that signs the buyer in.
    func setCookie(for buyer: Account) -> String {
        "\(Self.cookie)=\(value(for: buyer)); Path=/; Max-Age=\(Self.seconds); HttpOnly; SameSite=Lax"
    }

    static let clearCookie = "\(cookie)=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"

    /// The signed-in buyer, if the cookie is ours, unexpired, and of the account's current epoch.
    func buyer(_ request: Request) async throws -> Account? {
        guard let cookie = request.cookies[Self.cookie]?.value, cookie.count <= 128 else { return nil }
        let parts = cookie.split(separator: ".").map(String.init)
        guard parts.count == 4, let buyer = UserId(parts[0]), let epoch = Int64(parts[1]), let expiry = Int64(parts[2]),
              ConstantTime.equals(Array(mac("\(parts[0]).\(parts[1]).\(parts[2])").utf8), Array(parts[3].utf8)),
              expiry > Int64(gateway.clock.now.timeIntervalSince1970),
              let account = try await gateway.accounts.account(userId: buyer), account.sessionEpoch == epoch else { return nil }
        return account
    }

    private func mac(_ payload: String) -> String {
        let key = SymmetricKey(data: gateway.sessionSecret)
        return Hex.lowercase(Array(HMAC<SHA256>.authenticationCode(for: Array(payload.utf8), using: key)))
    }
}
