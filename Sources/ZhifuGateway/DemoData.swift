import Foundation
import ZhifuCore
import ZhifuProtocol

/// The demo world a first `zhifu serve` creates: a merchant with MD5, RSA and DSA keys, an OpenAPI
/// app, and funded buyer and payee accounts, so a merchant's SDK has something to talk to at once.
public struct DemoData: Sendable {
    public struct Person: Sendable {
        public var userId: UserId
        public var logonId: String
        public var name: String
        public var password: String
        public var balance: Amount
    }

    public var merchant: Person
    public var md5Key: String
    public var appId: String
    public var people: [Person]
    /// Paths of the private key files written for the merchant and the app.
    public var keyFiles: [String: String]

    public static let merchantPerson = Person(userId: UserId("2088101000000001")!, logonId: "merchant@zhifu.test", name: "演示商户",
                                       password: "111111", balance: Amount(fen: 10_000_000))
    public static let demoPeople = [
        Person(userId: UserId("2088102000000001")!, logonId: "buyer@zhifu.test", name: "张三", password: "111111", balance: Amount(fen: 1_000_000)),
        Person(userId: UserId("2088102000000002")!, logonId: "13800000002", name: "李四", password: "111111", balance: Amount(fen: 500_000)),
        Person(userId: UserId("2088102000000003")!, logonId: "payee@zhifu.test", name: "王五", password: "111111", balance: .zero),
    ]
    public static let demoAppId = "2021000000000001"
    public static var merchantPartner: UserId { merchantPerson.userId }
    /// The demo buyers with money to pay with.
    public static var fundedBuyers: [UserId] { demoPeople.filter { $0.balance.fen > 0 }.map(\.userId) }
    /// Opening balances are transfers from clearing: one per funded demo account.
    public static var expectedFundingTransfers: Int { ([merchantPerson] + demoPeople).filter { $0.balance.fen > 0 }.count }

    static func create(in store: any Store, clock: any Clock, configuration: GatewayConfiguration) async throws -> DemoData {
        let (rsa, dsa, appKey) = try await offCooperativeThreads { (try PrivateKey.generate(.rsa), try PrivateKey.generate(.dsa), try PrivateKey.generate(.rsa)) }
        let md5Key = SecureRandom.alphanumeric(32)

        var fixtures = Fixtures()
        for person in [merchantPerson] + demoPeople {
            fixtures.accounts.append(.init(userId: person.userId, logonId: person.logonId, name: person.name, password: person.password,
                                           balance: person.balance, status: .normal))
        }
        fixtures.merchants = [Merchant(partner: merchantPerson.userId, md5Key: md5Key, rsaPublicKey: rsa.publicKey.pemRepresentation,
                                       dsaPublicKey: dsa.publicKey.pemRepresentation, services: ["*"])]
        fixtures.apps = [App(appId: demoAppId, partner: merchantPerson.userId, publicKey: appKey.publicKey.pemRepresentation, signType: .rsa2)]
        try await fixtures.apply(to: store, clock: clock)

        var keyFiles: [String: String] = [:]
        if !configuration.inMemory {
            let directory = configuration.dataDirectory + "/keys"
            for (name, key) in [("merchant_rsa_private.pem", rsa), ("merchant_dsa_private.pem", dsa), ("app_private.pem", appKey)] {
                try writeFile(key.pemRepresentation, to: "\(directory)/\(name)", privateFile: true)
                keyFiles[name] = "\(directory)/\(name)"
            }
        }
        let demo = DemoData(merchant: merchantPerson, md5Key: md5Key, appId: demoAppId, people: demoPeople, keyFiles: keyFiles)
        if !configuration.inMemory {
            try writeFile(demo.summary(configuration: configuration), to: configuration.dataDirectory + "/demo.txt", privateFile: true)
        }
        _ = try await store.setSettingIfAbsent(GatewaySettings.demoDataCreated, value: "1")
        return demo
    }

    public static func writeFile(_ text: String, to path: String, privateFile: Bool = false) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url, options: .atomic)
        if privateFile { try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path) }
    }

    /// What a developer needs to point an SDK at the demo world.
    public func summary(configuration: GatewayConfiguration) -> String {
        var lines = [
            "Zhifu demo data",
            "  gateway         \(configuration.baseURL)/gateway.do",
            "  merchant        partner \(merchant.userId)  \(merchant.logonId)  \(merchant.name)  password \(merchant.password)",
            "  MD5 key         \(md5Key)",
            "  OpenAPI app_id  \(appId) (RSA2)",
        ]
        for (name, path) in keyFiles.sorted(by: { $0.key < $1.key }) { lines.append("  key file        \(name): \(path)") }
        lines.append("  gateway public key (verify responses and notifications): \(configuration.dataDirectory)/keys/gateway_public.pem")
        for person in people {
            lines.append("  account         \(person.userId)  \(person.logonId)  \(person.name)  password \(person.password)  balance \(person.balance)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
