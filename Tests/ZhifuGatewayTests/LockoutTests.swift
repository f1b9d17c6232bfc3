import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol

/// Wrong payment passwords sent in parallel must add up: counted one by one, the fifth blocks,
/// and a right password racing them never unblocks the account.
@Suite struct LockoutTests {
    static let waitingTrade = "2026112222001400000001"

    @Test(arguments: WorldStore.available)
    func fiftyParallelWrongPasswordsOnTheCashierBlockTheBuyer(store: WorldStore) async throws {
        let world = try await TestWorld.make(store: store)
        let balance = try await world.gateway.store.account(userId: UserId(TestWorld.buyer)!)?.balance
        try await world.app().test(.router) { client in
            let wrong = formEncode([("account", "15900005620"), ("password", "000000")])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 1...50 { group.addTask { _ = try await client.post("/cashier/\(Self.waitingTrade)", form: wrong) } }
                try await group.waitForAll()
            }
            let right = try await client.post("/cashier/\(Self.waitingTrade)", form: formEncode([("account", "15900005620"), ("password", "111111")]))
            #expect(element("error", in: right.1) == "账户已被锁定")
        }
        let buyer = try #require(try await world.gateway.store.account(userId: UserId(TestWorld.buyer)!))
        #expect(buyer.status == .blocked && buyer.failedPasswordAttempts == 50, "\(buyer.failedPasswordAttempts)")
        #expect(buyer.balance == balance, "nothing was paid")
        #expect(try await world.gateway.store.trade(tradeNo: Self.waitingTrade)?.status == .waitBuyerPay)
    }

    @Test(arguments: WorldStore.available)
    func fiftyParallelWrongPasswordsOnTheBatchConfirmPageBlockThePayer(store: WorldStore) async throws {
        let world = try await TestWorld.make(store: store)
        try await world.app().test(.router) { client in
            let page = try await client.get(try world.client().requestURL(service: "batch_trans_notify", world.batchParameters())).1
            func confirm(_ password: String) async throws -> String {
                let form = formEncode([("batch_id", inputValue("batch_id", in: page) ?? ""), ("token", inputValue("token", in: page) ?? ""),
                                       ("account", TestWorld.payerLogon), ("password", password)])
                return try await client.post("/pages/batch_trans/confirm", form: form).1
            }
            let codes = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 1...50 { group.addTask { element("error-code", in: try await confirm("000000")) } }
                return try await group.reduce(into: [String?]()) { $0.append($1) }
            }
            #expect(codes.filter { $0 == "USER_PASS_ERROR" }.count <= 4)
            #expect(codes.allSatisfy { $0 == "USER_PASS_ERROR" || $0 == "USER_BLOCK_STATUS" }, "\(codes)")
            #expect(element("error-code", in: try await confirm(TestWorld.payerPassword)) == "USER_BLOCK_STATUS")
        }
        let payer = try #require(try await world.gateway.store.account(logonId: TestWorld.payerLogon))
        #expect(payer.status == .blocked && payer.failedPasswordAttempts == 50, "\(payer.failedPasswordAttempts)")
        #expect(try await world.gateway.store.account(logonId: "testture0002@126.com")?.balance == .zero, "nothing was paid")
    }

    /// With the KDF's queue full a check is refused at once: "系统繁忙" on the cashier, SYSTEM_ERROR
    /// on the batch page, and nothing is counted against the account or paid.
    @Test func aFullPasswordQueueRefusesWithoutCounting() async throws {
        let world = try await TestWorld.make(passwordChecksWaiting: 0)
        try await world.app().test(.router) { client in
            let cashier = try await client.post("/cashier/\(Self.waitingTrade)", form: formEncode([("account", "15900005620"), ("password", "111111")]))
            #expect(element("error", in: cashier.1) == "系统繁忙，请稍后再试")
            let page = try await client.get(try world.client().requestURL(service: "batch_trans_notify", world.batchParameters())).1
            let form = formEncode([("batch_id", inputValue("batch_id", in: page) ?? ""), ("token", inputValue("token", in: page) ?? ""),
                                   ("account", TestWorld.payerLogon), ("password", "000000")])
            #expect(element("error-code", in: try await client.post("/pages/batch_trans/confirm", form: form).1) == "SYSTEM_ERROR")
        }
        for logonId in ["15900005620", TestWorld.payerLogon] {
            let account = try #require(try await world.gateway.store.account(logonId: logonId))
            #expect(account.status == .normal && account.failedPasswordAttempts == 0, "\(logonId) was not counted")
        }
        #expect(try await world.gateway.store.trade(tradeNo: Self.waitingTrade)?.status == .waitBuyerPay)
    }

    /// Five wrong passwords lock for 3 hours on the gateway clock (Alipay's rule), not for good.
    @Test func aPasswordLockEndsAfterThreeHours() async throws {
        let world = try await TestWorld.make()
        let clock = try #require(world.gateway.manualClock)
        try await world.app().test(.router) { client in
            for _ in 1...5 { _ = try await client.post("/cashier/\(Self.waitingTrade)", form: formEncode([("account", "15900005620"), ("password", "000000")])) }
            let right = formEncode([("account", "15900005620"), ("password", "111111")])
            #expect(element("error", in: try await client.post("/cashier/\(Self.waitingTrade)", form: right).1) == "账户已被锁定")
            clock.advance(seconds: 3 * 3_600 - 1)
            #expect(element("error", in: try await client.post("/cashier/\(Self.waitingTrade)", form: right).1) == "账户已被锁定")
            clock.advance(seconds: 1)
            #expect(element("result", in: try await client.post("/cashier/\(Self.waitingTrade)", form: right).1) == "支付成功")
        }
        let buyer = try #require(try await world.gateway.store.account(userId: UserId(TestWorld.buyer)!))
        #expect(buyer.status == .normal && buyer.failedPasswordAttempts == 0 && buyer.lockedUntil == nil)
    }

    /// Once a trade is paid its cashier shows that to everyone, before any password is checked:
    /// nobody else sees 支付成功, and nobody's password is tried or counted.
    @Test func aPaidTradeShowsOnlyItsStateToOthers() async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.router) { client in
            let paid = try await client.post("/cashier/\(Self.waitingTrade)", form: formEncode([("account", "15900005620"), ("password", "111111")]))
            #expect(element("result", in: paid.1) == "支付成功")
            let other = try await client.post("/cashier/\(Self.waitingTrade)", form: formEncode([("account", "testture0002@126.com"), ("password", "000000")]))
            #expect(element("result", in: other.1) == "交易已被支付" && element("error", in: other.1) == nil)
            #expect(element("result", in: try await client.get("/cashier/\(Self.waitingTrade)").1) == "交易已被支付")
            let headers = try await client.execute(uri: "/cashier/\(Self.waitingTrade)", method: .get) { $0.headers }
            #expect(headers[HTTPField.Name("X-Frame-Options")!] == "DENY" && headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            #expect(headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
        }
        #expect(try await world.gateway.store.account(logonId: "testture0002@126.com")?.failedPasswordAttempts == 0)
    }

    /// The operator ends a lock before its three hours: `zhifu accounts unlock LOGON_ID`.
    @Test func theOperatorUnlocksAnAccountFromTheCommandLine() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var settings = configuration(dataDirectory: directory)
        settings.passwordLockSeconds = 10_800
        let gateway = try await Gateway.open(settings)
        let buyer = try #require(gateway.demo?.people.first)
        let check = PaymentPasswordCheck(store: gateway.store, kdf: PasswordKDF(), clock: gateway.clock)
        for _ in 0..<5 { _ = try await check.confirm(logonId: buyer.logonId, of: buyer.userId, password: "000000") }
        #expect(try await gateway.store.account(logonId: buyer.logonId)?.status == .blocked)

        let unlock = Process()
        unlock.executableURL = ServeProcess.binary
        unlock.arguments = ["accounts", "unlock", buyer.logonId, "--data-dir", directory]
        let output = Pipe()
        unlock.standardOutput = output
        try unlock.run()
        unlock.waitUntilExit()
        #expect(unlock.terminationStatus == 0)
        #expect(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("unlocked: was blocked after 5 wrong password(s)"))
        let account = try #require(try await gateway.store.account(logonId: buyer.logonId))
        #expect(account.status == .normal && account.failedPasswordAttempts == 0 && account.lockedUntil == nil)
        #expect(try await check.confirm(logonId: buyer.logonId, of: buyer.userId, password: buyer.password) == .accepted)
    }
}
