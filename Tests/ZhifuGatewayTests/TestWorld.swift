import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuSDK

/// Hummingbird has a `Parameters` too; in these tests the name means the wire parameters.
typealias Parameters = ZhifuProtocol.Parameters

/// A gateway with the seed 000 sample's people, booted in-process with a manual clock.
struct TestWorld {
    static let partner = "2088002464631181"
    static let md5Key = "ddyzqyg4yy3rbvq0cqmnuwezyn2mhp5i"
    static let payerLogon = "maomao@alipay.com"
    static let payerPassword = "135790"
    static let rsaKey = try! PrivateKey.generate(.rsa)
    static let dsaKey = try! PrivateKey.generate(.dsa)
    static let appId = "2021000000000009"
    static let appKey = try! PrivateKey.generate(.rsa)
    /// The gateway's keys, made once per test process: generating them per world (DSA parameters
    /// take a second) made the suite CPU-bound.
    static let gatewayKeys = (rsa: try! PrivateKey.generate(.rsa), dsa: try! PrivateKey.generate(.dsa))
    static let buyer = "2088104000000001"

    let gateway: Gateway
    let directory: String

    /// `payees`: logon id, name, status.
    static func make(payerBalance: String = "100000.00", services: [String] = ["*"], extraAccounts: String = "", extraMerchants: String = "",
                     extraFixtures: String = "", extraTrades: String = "", store: WorldStore = .sqlite, onDisk: Bool = false, passwordChecksWaiting: Int = 64,
                     operatorPassword: String? = nil, adminToken: String? = nil, bank: BankSimulator = BankSimulator(),
                     payees: [(String, String, String)] = [("testture0002@126.com", "常炜买家二", "normal"), ("payee2@zhifu.test", "王五", "normal"),
                                                          ("blocked@zhifu.test", "赵六", "blocked")]) async throws -> TestWorld {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("zhifu-world-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var accounts = [#"{"userId": "\#(partner)", "logonId": "\#(payerLogon)", "name": "毛毛", "password": "\#(payerPassword)", "balance": "\#(payerBalance)"}"#,
                        #"{"userId": "\#(buyer)", "logonId": "15900005620", "name": "买家", "password": "111111", "balance": "500.00"}"#]
        for (index, payee) in payees.enumerated() {
            accounts.append(#"{"userId": "208810300000\#(String(format: "%04d", index))", "logonId": "\#(payee.0)", "name": "\#(payee.1)", "password": "111111", "status": "\#(payee.2)"}"#)
        }
        let fixtures = """
            {"accounts": [\(accounts.joined(separator: ","))\(extraAccounts)],
             "merchants": [{"partner": "\(partner)", "md5Key": "\(md5Key)", "rsaPublicKey": "\(rsaKey.publicKey.base64Representation)",
                            "dsaPublicKey": "\(dsaKey.publicKey.base64Representation)", "services": [\(services.map { "\"\($0)\"" }.joined(separator: ","))]}
                           \(extraMerchants)],
             "apps": [{"appId": "\(appId)", "partner": "\(partner)", "publicKey": "\(appKey.publicKey.base64Representation)", "signType": "RSA2"}],
             "trades": [{"tradeNo": "2026112222001400000001", "partner": "\(partner)", "outTradeNo": "order-wait", "amount": "88.88", "status": "WAIT_BUYER_PAY"},
                        {"tradeNo": "2026112222001400000002", "partner": "\(partner)", "buyer": "\(buyer)", "outTradeNo": "order-paid", "amount": "20.00", "status": "TRADE_SUCCESS"}\(extraTrades)]
             \(extraFixtures.contains("\"gateway\"") ? "" : #","gateway": {"privateKey": "\#(Base64.encode(gatewayKeys.rsa.derRepresentation))", "dsaPrivateKey": "\#(Base64.encode(gatewayKeys.dsa.derRepresentation))"}"#)
             \(extraFixtures)}
            """
        try Data(fixtures.utf8).write(to: URL(fileURLWithPath: directory + "/fixtures.json"))
        var configuration = GatewayConfiguration()
        switch store {
        case .sqlite:
            configuration.inMemory = !onDisk
            configuration.dataDirectory = directory + "/data"
        case .postgres: configuration.databaseURL = try await WorldStore.freshPostgresDatabase()
        }
        configuration.clockMode = .manual
        configuration.passwordChecksWaiting = passwordChecksWaiting
        // The console (and its operator's password hash) only where a test asks for it.
        configuration.consoleEnabled = operatorPassword != nil || adminToken != nil
        configuration.operatorPassword = operatorPassword
        configuration.adminToken = adminToken
        configuration.bank = bank
        configuration.fixturesPath = directory + "/fixtures.json"
        return TestWorld(gateway: try await Gateway.open(configuration), directory: directory)
    }

    var today: String { gateway.configuration.calendar.day(gateway.clock.now) }

    /// A valid batch_trans_notify parameter set (unsigned) paying `records`.
    func batchParameters(batchNo: String = "20080107001", records: [(String, String, String)] = [("testture0002@126.com", "常炜买家二", "20.00")],
                         notifyURL: String? = "http://127.0.0.1:1/notify") -> Parameters {
        let detail = records.enumerated().map { "\(String(format: "%07d", $0.offset + 1))^\($0.element.0)^\($0.element.1)^\($0.element.2)^hello" }
        let fee = Amount.sum(records.map { Amount($0.2)! })!
        var params = Parameters([("account_name", "毛毛"), ("detail_data", detail.joined(separator: "|")), ("batch_no", batchNo),
                                 ("batch_num", String(records.count)), ("batch_fee", fee.description), ("pay_date", today),
                                 ("email", "biz_932@alitest.com"), ("buyer_account_name", Self.payerLogon), ("extend_param", "agent^123456")])
        if let notifyURL { params["notify_url"] = notifyURL }
        return params
    }

    func client(_ signType: SignType = .md5, charset: Charset = .utf8) -> MAPIClient {
        let signer: any Signer = switch signType {
        case .md5: MD5Signer(key: Self.md5Key)
        case .rsa, .rsa2: try! RSASigner(key: Self.rsaKey, signType: signType)
        case .dsa: try! DSASigner(key: Self.dsaKey)
        }
        return MAPIClient(gatewayURL: "/gateway.do", partner: Self.partner, signer: signer, charset: charset)
    }

    func app() -> some ApplicationProtocol { buildApplication(gateway: gateway) }
}

extension TestClientProtocol {
    /// GET /gateway.do?query, returning status and body text.
    func get(_ uri: String) async throws -> (HTTPResponse.Status, String) {
        try await execute(uri: uri, method: .get) { ($0.status, try bodyText($0)) }
    }

    /// POST a form body, returning status and body text.
    func post(_ uri: String, form: String) async throws -> (HTTPResponse.Status, String) {
        try await execute(uri: uri, method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                          body: ByteBuffer(string: form)) { ($0.status, try bodyText($0)) }
    }
}

/// The body decoded in the charset its Content-Type names (MAPI answers GBK requests in GBK).
func bodyText(_ response: TestResponse) throws -> String {
    let type = response.headers[.contentType] ?? ""
    let name = type.range(of: "charset=").map { String(type[$0.upperBound...]) } ?? "utf-8"
    let charset = try #require(Charset(name: name), "unknown charset in \(type)")
    return try #require(charset.decode(Array(response.body.readableBytesView)), "the body is not valid \(name)")
}

/// Reads an element's text from a page by id (`<p id="error-code">X</p>` → X).
func element(_ id: String, in html: String) -> String? {
    guard let start = html.range(of: "id=\"\(id)\"") else { return nil }
    guard let open = html[start.upperBound...].firstIndex(of: ">") else { return nil }
    let rest = html[html.index(after: open)...]
    guard let close = rest.firstIndex(of: "<") else { return nil }
    return String(rest[..<close])
}

/// The value of a hidden input (`name="token" value="…"`).
func inputValue(_ name: String, in html: String) -> String? {
    guard let start = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
    let rest = html[start.upperBound...]
    return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
}

func formEncode(_ pairs: [(String, String)]) -> String {
    FormCoding.encode(Parameters(pairs), charset: .utf8)!
}
