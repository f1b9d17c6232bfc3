import Foundation
import Hummingbird
import ZhifuCore

/// `GET /`: what a new user sees at the address `zhifu serve` printed (it used to be a 404): what
/// is running, where the pages are, and a copy-paste quickstart for the demo merchant with the
/// three common clients. Ids and key *paths* only: keys stay in their 0600 files and demo.txt.
struct StartPage {
    static let version = "0.1.0-dev"

    let gateway: Gateway

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/") { _, _ in Pages.render("start", try await model(), title: "Zhifu 支付 sandbox") }
    }

    func model() async throws -> StartPageModel {
        let configuration = gateway.configuration
        let now = gateway.clock.now
        var model = StartPageModel(
            version: Self.version, gatewayURL: configuration.publicURL + "/gateway.do", store: gateway.store.kind,
            clock: configuration.clockMode.rawValue, manualClock: configuration.clockMode == .manual,
            now: configuration.calendar.timestamp(now), timeZone: configuration.calendar.timeZone.identifier, console: configuration.consoleEnabled, demo: nil)
        // The demo merchant is shown only while it is in the store as the first start made it.
        let partner = DemoData.merchantPartner
        guard try await gateway.merchantDirectory.merchant(partner: partner) != nil,
              let app = try await gateway.merchantDirectory.app(appId: DemoData.demoAppId), app.partner == partner else { return model }
        let keys = configuration.dataDirectory + "/keys"
        let day = configuration.calendar.day(now)
        model.demo = StartPageModel.Demo(
            partner: partner.rawValue, logonId: DemoData.merchantPerson.logonId, accountName: DemoData.merchantPerson.name,
            appId: app.appId, demoFile: configuration.dataDirectory + "/demo.txt",
            appPrivateKey: keys + "/app_private.pem", gatewayPublicKey: keys + "/gateway_public.pem",
            keysPresent: FileManager.default.fileExists(atPath: keys + "/app_private.pem"),
            batchParameters: "service=batch_trans_notify&partner=\(partner.rawValue)&_input_charset=utf-8&email=\(DemoData.merchantPerson.logonId)"
                + "&account_name=\(DemoData.merchantPerson.name)&pay_date=\(day)&batch_no=\(day)001&batch_num=1&batch_fee=0.01"
                + "&detail_data=1^payee@zhifu.test^王五^0.01^备注&notify_url=http://127.0.0.1:9/notify")
        return model
    }
}

/// What the start page shows.
struct StartPageModel {
    struct Demo {
        var partner: String
        var logonId: String
        var accountName: String
        var appId: String
        var demoFile: String
        var appPrivateKey: String
        var gatewayPublicKey: String
        /// `false` on a node whose data directory did not make the demo world (another node did).
        var keysPresent: Bool
        /// A batch_trans_notify of one record, today, for the MAPI quickstart.
        var batchParameters: String
    }

    var version: String
    var gatewayURL: String
    var store: String
    var clock: String
    var manualClock: Bool
    var now: String
    var timeZone: String
    var console: Bool
    var demo: Demo?
}
