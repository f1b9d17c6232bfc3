import Foundation
import Hummingbird
import ZhifuCore
import ZhifuProtocol

struct ConsoleAppRow {
    var appId: String
    var signType: String
    var publicKey: String
}

struct ConsoleMerchantRow {
    var partner: String
    var services: String
    var md5: Bool
    var rsa: Bool
    var dsa: Bool
    var apps: [ConsoleAppRow]
    /// The operator's notify settings: a redirect URL (empty: none) and whether notifications are held.
    var redirectURL: String
    var paused: Bool
    var csrf: String
}

struct ConsoleMerchantsModel {
    var csrf: String
    var newKey: String?
    var error: String?
    var merchants: [ConsoleMerchantRow]
    var gatewayPublicKey: String
}

/// `/console/merchants`: merchants with the services they may call and the keys they verify with,
/// their apps' public keys, the gateway's public key (支付宝公钥) to download, and an MD5 key
/// rotation. `/console/accounts/new` adds a user account.
extension ConsoleRoutes {
    func registerMerchants(on router: Router<GatewayRequestContext>) {
        router.get("/console/merchants") { request, _ in
            try await withSession(request) { current, _ in try await merchantsPage(session: current, newKey: nil) }
        }
        router.post("/console/merchants/:partner/rotate-md5") { request, context in
            try await withSession(request, form: true) { current, _ in
                let key = try await actions.rotateMD5Key(partner: context.parameters.get("partner") ?? "")
                return try await merchantsPage(session: current, newKey: key)
            }
        }
        router.post("/console/merchants/:partner/notify") { request, context in
            try await withSession(request, form: true) { current, form in
                do {
                    _ = try await actions.setNotifySettings(partner: context.parameters.get("partner") ?? "", form: form)
                } catch OperatorActions.Refusal.invalid(let reason) {
                    return try await merchantsPage(session: current, newKey: nil, error: reason)
                }
                return redirect("/console/merchants")
            }
        }
        router.get("/console/gateway_public.pem") { request, _ in
            try await withSession(request) { _, _ in
                Response(status: .ok, headers: [.contentType: "application/x-pem-file", .contentDisposition: "attachment; filename=\"gateway_public.pem\""],
                         body: .init(byteBuffer: ByteBuffer(string: gateway.privateKey.publicKey.pemRepresentation)))
            }
        }
        router.post("/console/accounts/new") { request, _ in
            try await withSession(request, form: true) { _, form in
                let account = try await actions.createAccount(userId: form["user_id"] ?? "", logonId: form["logon_id"] ?? "", name: form["name"] ?? "",
                                                              password: form["password"] ?? "")
                return redirect("/console/accounts?q=\(account.userId.rawValue)")
            }
        }
    }

    private func merchantsPage(session current: String, newKey: String?, error: String? = nil) async throws -> Response {
        let csrf = session.csrfToken(for: current)
        let settings = Dictionary(try await gateway.store.notifySettings().map { ($0.partner, $0) }, uniquingKeysWith: { $1 })
        let rows = try await gateway.store.merchants(limit: 200).map { item in
            ConsoleMerchantRow(partner: item.merchant.partner.rawValue, services: item.merchant.services.joined(separator: ", "),
                               md5: item.merchant.md5Key != nil, rsa: item.merchant.rsaPublicKey != nil, dsa: item.merchant.dsaPublicKey != nil,
                               apps: item.apps.map { ConsoleAppRow(appId: $0.appId, signType: $0.signType.rawValue, publicKey: $0.publicKey) },
                               redirectURL: settings[item.merchant.partner]?.redirectURL ?? "", paused: settings[item.merchant.partner]?.paused ?? false,
                               csrf: csrf)
        }
        return Pages.render("console_merchants", ConsoleMerchantsModel(csrf: csrf, newKey: newKey, error: error, merchants: rows,
                                                                       gatewayPublicKey: gateway.privateKey.publicKey.pemRepresentation), title: "商户",
                            status: error == nil ? .ok : .badRequest)
    }
}
