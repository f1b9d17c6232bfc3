import Foundation
import Testing
import ZhifuCore
import ZhifuProtocol
import ZhifuStoreSQLite

@Suite struct PaymentPasswordTests {
    @Test func rightPasswordVerifiesAndWrongDoesNot() {
        let stored = PaymentPassword.hash("135790", iterations: 2_000)
        #expect(stored.hasPrefix("pbkdf2-sha256$2000$"))
        #expect(PaymentPassword.verify("135790", against: stored))
        #expect(!PaymentPassword.verify("135791", against: stored))
        #expect(!PaymentPassword.verify("", against: stored))
    }

    @Test func eachHashHasItsOwnSalt() {
        #expect(PaymentPassword.hash("111111", iterations: 1_000) != PaymentPassword.hash("111111", iterations: 1_000))
    }

    @Test func defaultWorkFactorIsSlow() {
        #expect(PaymentPassword.defaultIterations >= 100_000)
        #expect(PaymentPassword.hash("111111").hasPrefix("pbkdf2-sha256$\(PaymentPassword.defaultIterations)$"))
    }

    @Test(arguments: ["", "plain", "pbkdf2-sha256$x$00$00", "pbkdf2-sha256$1000$zz$00", "md5$1$00$00", "pbkdf2-sha256$0$00$00"])
    func malformedStoredHashesNeverMatch(stored: String) {
        #expect(!PaymentPassword.verify("111111", against: stored))
    }
}

@Suite struct ClockTests {
    @Test func manualClockMovesOnlyForward() {
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let clock = ManualClock(start: start)
        #expect(clock.now == start)
        clock.advance(seconds: 120)
        #expect(clock.now == start.addingTimeInterval(120))
        clock.advance(seconds: -500)
        #expect(clock.now == start.addingTimeInterval(120))
    }

    @Test func businessDayIsChinaStandardTime() {
        let calendar = BusinessCalendar()
        // 2008-01-06 16:30 UTC is already 2008-01-07 00:30 in Beijing.
        let date = Date(timeIntervalSince1970: 1_199_637_000)
        #expect(calendar.day(date) == "20080107")
        #expect(calendar.timestamp(date) == "2008-01-07 00:30:00")
        #expect(calendar.compact(date) == "20080107003000")
        #expect(BusinessCalendar(timeZoneName: "UTC")!.day(date) == "20080106")
        #expect(BusinessCalendar(timeZoneName: "-05:00")!.timestamp(date) == "2008-01-06 11:30:00")
        #expect(BusinessCalendar(timeZoneName: "Mars/Olympus") == nil)
    }

    @Test func timestampsParseStrictly() {
        let calendar = BusinessCalendar()
        #expect(calendar.parseTimestamp("2008-01-07 00:30:00") == Date(timeIntervalSince1970: 1_199_637_000))
        #expect(calendar.parseTimestamp("2008-02-30 00:00:00") == nil)
        #expect(calendar.parseTimestamp("2008-1-07 00:30:00") == nil)
        #expect(calendar.parseTimestamp("2008-01-07T00:30:00") == nil)
        #expect(calendar.parseTimestamp("") == nil)
    }

    @Test func userIdsAre2088AndTwelveDigits() {
        #expect(UserId("2088002464631181") != nil)
        #expect(UserId("2089002464631181") == nil)
        #expect(UserId("208800246463118") == nil)
        #expect(UserId("20880024646311811") == nil)
        #expect(UserId("2088OO2464631181") == nil)
    }
}

@Suite struct FixturesTests {
    static let rsaPublic = try! PrivateKey.generate(.rsa).publicKey.base64Representation

    static func json(_ text: String) -> Data { Data(text.utf8) }

    static let valid = """
        {"accounts": [
           {"userId": "2088101000000101", "logonId": "shop@example.com", "name": "商户", "password": "111111", "balance": "1000.00"},
           {"userId": "2088102000000102", "logonId": "13800000000", "name": "张三", "password": "222222", "balance": "50.00", "status": "normal"}],
         "merchants": [{"partner": "2088101000000101", "md5Key": "ddyzqyg4yy3rbvq0cqmnuwezyn2mhp5i", "rsaPublicKey": "\(rsaPublic)", "services": ["*"]}],
         "apps": [{"appId": "2021000000000101", "partner": "2088101000000101", "publicKey": "\(rsaPublic)", "signType": "RSA2"}],
         "trades": [{"tradeNo": "2024010122001400000001", "partner": "2088101000000101", "buyer": "2088102000000102",
                     "outTradeNo": "o-1", "amount": "20.00", "status": "TRADE_SUCCESS"}]}
        """

    func freshStore() async throws -> SQLiteStore {
        let store = try SQLiteStore(path: nil)
        try await store.migrate()
        return store
    }

    @Test func loadingTwiceChangesNothingTheSecondTime() async throws {
        let store = try await freshStore()
        let fixtures = try Fixtures(json: Self.json(Self.valid))
        try await fixtures.apply(to: store, clock: SystemClock())
        try await fixtures.apply(to: store, clock: SystemClock())
        #expect(try await store.account(userId: UserId("2088101000000101")!)?.balance == Amount(fen: 102_000))
        #expect(try await store.account(userId: UserId("2088102000000102")!)?.balance == Amount(fen: 3_000))
        #expect(try await store.merchant(partner: UserId("2088101000000101")!)?.md5Key == "ddyzqyg4yy3rbvq0cqmnuwezyn2mhp5i")
        #expect(try await store.app(appId: "2021000000000101")?.signType == .rsa2)
        #expect(try await store.trade(tradeNo: "2024010122001400000001")?.status == .tradeSuccess)
        let audit = try await store.audit()
        #expect(audit.isBalanced && audit.transfers == 3)
        let account = try #require(try await store.account(logonId: "13800000000"))
        #expect(PaymentPassword.verify("222222", against: account.passwordHash ?? ""))
    }

    @Test(arguments: [
        (#"{"acounts": []}"#, "fixtures: unknown field \"acounts\""),
        (#"{"accounts": [{"userId": "2088101000000101", "logonId": "a", "name": "n", "balanc": "1"}]}"#, "accounts[0]: unknown field \"balanc\""),
        (#"{"accounts": [{"userId": "123", "logonId": "a", "name": "n"}]}"#, "accounts[0].userId"),
        (#"{"accounts": [{"userId": "2088101000000101", "logonId": "a", "name": "n", "balance": "1.001"}]}"#, "accounts[0].balance"),
        (#"{"accounts": [{"userId": "2088101000000101", "name": "n"}]}"#, "accounts[0].logonId: missing"),
        (#"{"accounts": [{"userId": "2088101000000101", "logonId": "a", "name": "n", "status": "frozen"}]}"#, "accounts[0].status"),
        (#"{"merchants": [{"partner": "2088101000000101", "md5Key": "short"}]}"#, "merchants[0].md5Key"),
        (#"{"merchants": [{"partner": "2088101000000101", "rsaPublicKey": "bm90IGEga2V5"}]}"#, "merchants[0].rsaPublicKey"),
        (#"{"apps": [{"appId": "1", "partner": "2088101000000101", "publicKey": "x", "signType": "MD5"}]}"#, "apps[0]"),
        (#"{"trades": [{"tradeNo": "1", "partner": "2088101000000101", "outTradeNo": "o", "amount": "0", "status": "WAIT_BUYER_PAY"}]}"#, "trades[0].amount"),
        (#"{"gateway": {"privateKey": "nope"}}"#, "gateway.privateKey"),
        (#"{"bank": {"clearingDelaySeconds": -1}}"#, "bank.clearingDelaySeconds"),
        (#"{"bank": {"rules": [{"reason": "账号不存在"}]}}"#, "bank.rules[0]: needs accountNo"),
        (#"{"bank": {"rules": [{"shareBasisPoints": 10001, "reason": "x"}]}}"#, "bank.rules[0]"),
        (#"{"bank": {"rules": [{"accountNo": "1"}]}}"#, "bank.rules[0].reason: missing"),
        (#"[1, 2]"#, "must be a JSON object"),
        (#"{"accounts": "#, "not valid JSON"),
    ])
    func malformedEntriesAreRefusedByName(text: String, expected: String) {
        do {
            _ = try Fixtures(json: Self.json(text))
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    @Test func theBankEntrySetsTheClearingDelayAndTheRefundTicketRules() throws {
        let fixtures = try Fixtures(json: Self.json(#"""
            {"bank": {"clearingDelaySeconds": 5, "rules": [{"accountNo": "6222", "reason": "账号不存在"}, {"payeeName": "李四", "reason": "账户名有误"},
                                                          {"shareBasisPoints": 10000, "seed": "s", "reason": "账户已冻结"}]}}
            """#))
        let bank = try #require(fixtures.bank)
        #expect(bank.clearingDelay == 5 && bank.rules.count == 3)
        func row(_ name: String, _ account: String) -> BptbRow {
            BptbRow(serialNo: "1", payeeName: name, accountNo: account, province: "", city: "", bankName: "", branch: "", amountText: "1.00", flag: "2", memo: "")
        }
        #expect(bank.bounceReason(for: row("王一", "6222"), fileId: "B1", seq: 0) == "账号不存在")
        #expect(bank.bounceReason(for: row("李四", "1"), fileId: "B1", seq: 0) == "账户名有误")
        #expect(bank.bounceReason(for: row("王一", "1"), fileId: "B1", seq: 0) == "账户已冻结", "a share of 10000 basis points is every row")
        let half = BankSimulator(rules: [.init(.share(basisPoints: 5_000, seed: "s"), reason: "x")])
        let bounced = (0..<1_000).filter { half.bounceReason(for: row("王一", "1"), fileId: "B1", seq: $0) != nil }.count
        #expect((400...600).contains(bounced), "about half of 1000 rows: \(bounced)")
        #expect(bounced == (0..<1_000).filter { half.bounceReason(for: row("王一", "1"), fileId: "B1", seq: $0) != nil }.count, "the same rows every time")
    }

    @Test func referencesToMissingAccountsAreRefusedAtApply() async throws {
        let store = try await freshStore()
        let fixtures = try Fixtures(json: Self.json(#"{"merchants": [{"partner": "2088101000000999"}]}"#))
        await #expect(throws: Fixtures.Invalid("merchants[0] 2088101000000999: partner must be an account's userId")) {
            try await fixtures.apply(to: store, clock: SystemClock())
        }
    }

    @Test func aPaidTradeTheBuyerCannotAffordIsRefused() async throws {
        let store = try await freshStore()
        let text = Self.valid.replacingOccurrences(of: "\"20.00\"", with: "\"50.01\"")
        await #expect(throws: Fixtures.Invalid.self) { try await Fixtures(json: Self.json(text)).apply(to: store, clock: SystemClock()) }
        #expect(try await store.audit().isBalanced)
        #expect(try await store.trade(tradeNo: "2024010122001400000001") == nil)
    }
}

/// The rules of pending transfers (holds), shared by both stores.
@Suite struct PendingPostingTests {
    let buyer = UserId("2088000000000011")!, merchant = UserId("2088000000000012")!, other = UserId("2088000000000013")!

    func hold(_ fen: Int64, posted: Int64 = 0, voided: Int64 = 0) -> PendingTransfer {
        PendingTransfer(id: "auth-1", debit: buyer, credit: merchant, amount: Amount(fen: fen), posted: Amount(fen: posted), voided: Amount(fen: voided),
                        code: .fundAuthFreeze, reference: "1", createdAt: Date(timeIntervalSince1970: 0))
    }

    @Test func aHoldNeedsThatMuchAvailableNotJustThatMuchBalance() {
        let user = LedgerAccountState(kind: .user, balance: Amount(fen: 1_000), frozen: Amount(fen: 600))
        let payee = LedgerAccountState(kind: .user, balance: .zero)
        #expect(PendingPosting.decideHold(hold(400), existing: nil, debit: user, credit: payee) == nil)
        #expect(PendingPosting.decideHold(hold(401), existing: nil, debit: user, credit: payee) == .exceedsBalance)
        #expect(PendingPosting.decideHold(hold(400), existing: hold(400), debit: user, credit: payee) == .exists)
        #expect(PendingPosting.decideHold(hold(400), existing: hold(300), debit: user, credit: payee) == .existsWithDifferentPayload)
        let clearing = LedgerAccountState(kind: .clearing, balance: Amount(fen: -5))
        #expect(PendingPosting.decideHold(hold(1), existing: nil, debit: clearing, credit: payee) == .debitAccountNotFound, "only users' money is held")
    }

    @Test func frozenMoneyIsNotSpentByAnOrdinaryTransfer() {
        let transfer = Transfer(id: "t", debit: buyer, credit: other, amount: Amount(fen: 401), code: .tradePay, reference: "r", createdAt: Date())
        let user = LedgerAccountState(kind: .user, balance: Amount(fen: 1_000), frozen: Amount(fen: 600))
        #expect(LedgerPosting.decide(transfer, existing: nil, debit: user, credit: LedgerAccountState(kind: .user, balance: .zero)) == .exceedsBalance)
    }

    @Test func releasesStayWithinWhatIsHeldAndPostOnlyToThePayee() {
        let pending = hold(1_000, posted: 300, voided: 200)
        #expect(pending.remaining == Amount(fen: 500))
        #expect(PendingPosting.decideRelease(Amount(fen: 500), of: pending, debit: buyer, credit: merchant) == nil)
        #expect(PendingPosting.decideRelease(Amount(fen: 501), of: pending) == .exceedsRemaining)
        #expect(PendingPosting.decideRelease(Amount(fen: 1), of: pending, debit: buyer, credit: other) == .accountsMismatch)
        #expect(PendingPosting.decideRelease(Amount(fen: 0), of: pending) == .amountMustBePositive)
        #expect(PendingPosting.decideRelease(Amount(fen: 1), of: nil) == .pendingNotFound)
    }
}
