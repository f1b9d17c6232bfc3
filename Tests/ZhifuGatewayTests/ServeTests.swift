import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol

func temporaryDirectory() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("zhifu-gw-\(UUID().uuidString)").path
}

func configuration(dataDirectory: String? = nil, clock: GatewayConfiguration.ClockMode = .system) -> GatewayConfiguration {
    var configuration = GatewayConfiguration()
    configuration.clockMode = clock
    if let dataDirectory { configuration.dataDirectory = dataDirectory } else { configuration.inMemory = true }
    return configuration
}

@Suite struct ServeTests {
    @Test func healthAnswersOnceTheStoreDoes() async throws {
        let gateway = try await Gateway.open(configuration())
        try await buildApplication(gateway: gateway).test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"status":"ok","store":"sqlite"}"#)
            }
        }
    }

    @Test func sandboxClockIsNotFoundWithTheSystemClock() async throws {
        let gateway = try await Gateway.open(configuration())
        try await buildApplication(gateway: gateway).test(.router) { client in
            try await client.execute(uri: "/sandbox/clock", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/sandbox/clock/advance?seconds=60", method: .post) { #expect($0.status == .notFound) }
        }
    }

    @Test func manualClockAdvancesOnRequest() async throws {
        let gateway = try await Gateway.open(configuration(clock: .manual))
        let start = try #require(gateway.manualClock).now
        try await buildApplication(gateway: gateway).test(.router) { client in
            try await client.execute(uri: "/sandbox/clock/advance?seconds=7200", method: .post) { response in
                #expect(response.status == .ok)
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: String]
                #expect(body?["now"] == gateway.configuration.calendar.timestamp(start.addingTimeInterval(7200)))
            }
            try await client.execute(uri: "/sandbox/clock", method: .get) { #expect($0.status == .ok) }
            for bad in ["-1", "abc", "", "99999999999"] {
                try await client.execute(uri: "/sandbox/clock/advance?seconds=\(bad)", method: .post) { #expect($0.status == .badRequest) }
            }
        }
        #expect(gateway.clock.now == start.addingTimeInterval(7200))
    }

    @Test func firstStartCreatesDemoDataAndKeysThatWork() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let gateway = try await Gateway.open(configuration(dataDirectory: directory))
        let demo = try #require(gateway.demo)
        let merchant = try #require(try await gateway.store.merchant(partner: demo.merchant.userId))
        #expect(merchant.md5Key == demo.md5Key)
        // The merchant's private key file signs what the stored public key verifies.
        let privatePEM = try String(contentsOfFile: directory + "/keys/merchant_rsa_private.pem", encoding: .utf8)
        let signature = try RSASigner(key: PrivateKey(text: privatePEM), signType: .rsa).sign([1, 2, 3])
        #expect(try RSAVerifier(key: PublicKey(text: merchant.rsaPublicKey!), signType: .rsa).isValidSignature(signature, for: [1, 2, 3]))
        let dsaPEM = try String(contentsOfFile: directory + "/keys/merchant_dsa_private.pem", encoding: .utf8)
        #expect(try DSAVerifier(key: PublicKey(text: merchant.dsaPublicKey!)).isValidSignature(DSASigner(key: PrivateKey(text: dsaPEM)).sign([9]), for: [9]))
        let gatewayPublic = try String(contentsOfFile: directory + "/keys/gateway_public.pem", encoding: .utf8)
        #expect(try PublicKey(text: gatewayPublic).derRepresentation == gateway.privateKey.publicKey.derRepresentation)
        for person in demo.people {
            let account = try #require(try await gateway.store.account(logonId: person.logonId))
            #expect(account.balance == person.balance)
            #expect(PaymentPassword.verify(person.password, against: account.passwordHash!))
        }
        #expect(try await gateway.store.app(appId: demo.appId)?.partner == demo.merchant.userId)
        #expect(try await gateway.store.audit().isBalanced)
        #expect(demo.summary(configuration: gateway.configuration).contains(demo.md5Key))
        try await gateway.store.close()
    }

    @Test func restartKeepsDataAndTheGatewayKeyAndCreatesNoSecondDemo() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await Gateway.open(configuration(dataDirectory: directory))
        let key = first.privateKey.derRepresentation
        try await first.store.close()
        let second = try await Gateway.open(configuration(dataDirectory: directory))
        #expect(second.demo == nil)
        #expect(second.privateKey.derRepresentation == key)
        #expect(try await second.store.audit().transfers == DemoData.expectedFundingTransfers)
        try await second.store.close()
    }

    @Test func fixturesFileIsLoadedAndAMalformedOneRefusesToStart() async throws {
        let directory = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = try PrivateKey.generate(.rsa)
        let fixtures = """
            {"gateway": {"privateKey": "\(Base64.encode(key.derRepresentation))"},
             "accounts": [{"userId": "2088101000000201", "logonId": "m@example.com", "name": "商户", "balance": "10.00"}],
             "merchants": [{"partner": "2088101000000201", "md5Key": "ddyzqyg4yy3rbvq0cqmnuwezyn2mhp5i"}]}
            """
        try Data(fixtures.utf8).write(to: URL(fileURLWithPath: directory + "/fixtures.json"))
        var config = configuration()
        config.fixturesPath = directory + "/fixtures.json"
        let gateway = try await Gateway.open(config)
        #expect(gateway.demo == nil)
        #expect(gateway.privateKey.derRepresentation == key.derRepresentation)
        #expect(try await gateway.store.account(logonId: "m@example.com")?.balance == Amount(fen: 1_000))
        #expect(try await gateway.store.account(logonId: "buyer@zhifu.test") == nil, "no demo data when fixtures are given")

        try Data(#"{"accounts": [{"userId": "2088101000000201", "logonId": "m@example.com", "nmae": "x"}]}"#.utf8)
            .write(to: URL(fileURLWithPath: directory + "/bad.json"))
        config.fixturesPath = directory + "/bad.json"
        await #expect(throws: Fixtures.Invalid.self) { try await Gateway.open(config) }
        config.fixturesPath = directory + "/missing.json"
        await #expect(throws: Fixtures.Invalid.self) { try await Gateway.open(config) }
    }
}
