import Foundation
import ZhifuProtocol

/// The fixtures file: a public interface (documented in README) that tests outside this repository
/// use to set up the gateway. JSON, loaded idempotently at start: what exists is left as it is.
public struct Fixtures: Sendable {
    public struct AccountEntry: Sendable {
        public var userId: UserId
        public var logonId: String
        public var name: String
        public var password: String?
        public var balance: Amount
        public var status: AccountStatus

        public init(userId: UserId, logonId: String, name: String, password: String?, balance: Amount, status: AccountStatus) {
            self.userId = userId; self.logonId = logonId; self.name = name; self.password = password
            self.balance = balance; self.status = status
        }
    }

    public struct TradeEntry: Sendable {
        public var tradeNo: String
        public var partner: UserId
        public var buyer: UserId?
        public var outTradeNo: String
        public var amount: Amount
        public var status: TradeStatus
    }

    public var gatewayPrivateKey: String?
    /// The gateway's DSA key (MAPI DSA notifications); generated on a first start when absent.
    public var gatewayDSAPrivateKey: String?
    public var accounts: [AccountEntry] = []
    public var merchants: [Merchant] = []
    public var apps: [App] = []
    public var trades: [TradeEntry] = []
    /// app_auth_tokens: an ISV app acting for another merchant.
    public var appAuthTokens: [AppAuthToken] = []
    /// Huabei pre-authorisation agreements: the buyer's credit line (`creditUserId`, funded to
    /// `limit`) with `freezeAmount` of it frozen for `seller`.
    public var huabeiAgreements: [(agreementNo: String, userId: UserId, creditUserId: UserId, seller: UserId, limit: Amount, freezeAmount: Amount)] = []
    /// The simulated bank of batch pay to bank accounts (`bank`), when the fixtures set one.
    public var bank: BankSimulator?

    public init() {}

    /// Refusal of a fixtures file, naming the entry at fault (`accounts[2] "a@b.c": …`).
    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    public static let maximumBytes = 16 << 20

    /// Parses and validates the whole file before anything is stored.
    public init(json data: Data) throws(Invalid) {
        guard data.count <= Self.maximumBytes else { throw Invalid("fixtures file is larger than 16 MiB") }
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw Invalid("fixtures file must be a JSON object")
            }
            root = object
        } catch let error as Invalid {
            throw error
        } catch {
            throw Invalid("fixtures file is not valid JSON: \(error.localizedDescription)")
        }
        var reader = Reader(path: "fixtures", object: root)
        try reader.allow(["gateway", "accounts", "merchants", "apps", "trades", "appAuthTokens", "huabeiAgreements", "bank"])
        if let gateway = root["gateway"] {
            var entry = try Reader(path: "gateway", value: gateway)
            try entry.allow(["privateKey", "dsaPrivateKey"])
            if let text = try entry.string("dsaPrivateKey") {
                guard (try? PrivateKey(text: text))?.algorithm == .dsa else { throw Invalid("gateway.dsaPrivateKey: not a readable DSA private key") }
                gatewayDSAPrivateKey = text
            }
            if let text = try entry.string("privateKey") {
                do { _ = try PrivateKey(text: text) } catch { throw Invalid("gateway.privateKey: not a readable RSA private key (\(error))") }
                guard (try? PrivateKey(text: text))?.algorithm == .rsa else { throw Invalid("gateway.privateKey: must be an RSA key") }
                gatewayPrivateKey = text
            }
        }
        for (index, item) in try reader.array("accounts").enumerated() {
            var entry = try Reader(path: "accounts[\(index)]", value: item)
            try entry.allow(["userId", "logonId", "name", "password", "balance", "status"])
            let account = AccountEntry(
                userId: try entry.userId("userId", required: true)!,
                logonId: try entry.string("logonId", required: true, maxLength: 100)!,
                name: try entry.string("name", required: true, maxLength: 128)!,
                password: try entry.string("password", maxLength: 64),
                balance: try entry.amount("balance") ?? .zero,
                status: try entry.enumeration("status", AccountStatus.self) ?? .normal)
            if accounts.contains(where: { $0.userId == account.userId || $0.logonId == account.logonId }) {
                throw Invalid("\(entry.path): userId or logonId repeats an earlier account")
            }
            accounts.append(account)
        }
        for (index, item) in try reader.array("merchants").enumerated() {
            var entry = try Reader(path: "merchants[\(index)]", value: item)
            try entry.allow(["partner", "md5Key", "rsaPublicKey", "dsaPublicKey", "services"])
            let partner = try entry.userId("partner", required: true)!
            let md5Key = try entry.string("md5Key", maxLength: 64)
            if let md5Key, md5Key.count != 32 || !md5Key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                throw Invalid("\(entry.path).md5Key: must be 32 letters and digits")
            }
            let rsa = try entry.publicKey("rsaPublicKey", algorithm: .rsa)
            let dsa = try entry.publicKey("dsaPublicKey", algorithm: .dsa)
            let services = try entry.strings("services") ?? ["*"]
            merchants.append(Merchant(partner: partner, md5Key: md5Key, rsaPublicKey: rsa, dsaPublicKey: dsa, services: services))
        }
        for (index, item) in try reader.array("apps").enumerated() {
            var entry = try Reader(path: "apps[\(index)]", value: item)
            try entry.allow(["appId", "partner", "publicKey", "signType"])
            let appId = try entry.string("appId", required: true, maxLength: 32)!
            guard appId.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw Invalid("\(entry.path).appId: letters and digits only")
            }
            let signType = try entry.enumeration("signType", SignType.self) ?? .rsa2
            guard signType == .rsa2 || signType == .rsa else { throw Invalid("\(entry.path).signType: RSA2 or RSA") }
            apps.append(App(appId: appId, partner: try entry.userId("partner", required: true)!,
                            publicKey: try entry.publicKey("publicKey", algorithm: .rsa, required: true)!, signType: signType))
        }
        for (index, item) in try reader.array("trades").enumerated() {
            var entry = try Reader(path: "trades[\(index)]", value: item)
            try entry.allow(["tradeNo", "partner", "buyer", "outTradeNo", "amount", "status"])
            let trade = TradeEntry(
                tradeNo: try entry.string("tradeNo", required: true, maxLength: 64)!,
                partner: try entry.userId("partner", required: true)!,
                buyer: try entry.userId("buyer"),
                outTradeNo: try entry.string("outTradeNo", required: true, maxLength: 64)!,
                amount: try entry.amount("amount", required: true)!,
                status: try entry.enumeration("status", TradeStatus.self) ?? .tradeSuccess)
            guard trade.amount.fen > 0 else { throw Invalid("\(entry.path).amount: must be above 0") }
            if trade.status.isPaid, trade.buyer == nil { throw Invalid("\(entry.path): a paid trade needs a buyer") }
            trades.append(trade)
        }
        for (index, item) in try reader.array("appAuthTokens").enumerated() {
            var entry = try Reader(path: "appAuthTokens[\(index)]", value: item)
            try entry.allow(["token", "appId", "partner"])
            appAuthTokens.append(AppAuthToken(token: try entry.string("token", required: true, maxLength: 40)!,
                                              appId: try entry.string("appId", required: true, maxLength: 32)!,
                                              partner: try entry.userId("partner", required: true)!))
        }
        try readHuabei(reader)
        if let value = root["bank"] { bank = try Self.readBank(value) }
    }

    /// `{"clearingDelaySeconds": 1800, "rules": [{"accountNo"|"payeeName": …, "reason": …}, {"shareBasisPoints": 500, "seed": "s", "reason": …}]}`
    private static func readBank(_ value: Any) throws(Invalid) -> BankSimulator {
        var entry = try Reader(path: "bank", value: value)
        try entry.allow(["clearingDelaySeconds", "rules"])
        var bank = BankSimulator()
        if let delay = entry.object["clearingDelaySeconds"] {
            guard let seconds = delay as? Int, (0...86_400 * 30).contains(seconds) else { throw Invalid("bank.clearingDelaySeconds: 0 to 2592000") }
            bank.clearingDelay = Int64(seconds)
        }
        for (index, item) in try entry.array("rules").enumerated() {
            var rule = try Reader(path: "bank.rules[\(index)]", value: item)
            try rule.allow(["accountNo", "payeeName", "shareBasisPoints", "seed", "reason"])
            let reason = try rule.string("reason", required: true, maxLength: 64)!
            if let account = try rule.string("accountNo", maxLength: 64) {
                bank.rules.append(.init(.accountNo(account), reason: reason))
            } else if let name = try rule.string("payeeName", maxLength: 64) {
                bank.rules.append(.init(.payeeName(name), reason: reason))
            } else if let share = rule.object["shareBasisPoints"] as? Int, (0...10_000).contains(share) {
                bank.rules.append(.init(.share(basisPoints: share, seed: try rule.string("seed", maxLength: 64) ?? ""), reason: reason))
            } else {
                throw Invalid("\(rule.path): needs accountNo, payeeName or shareBasisPoints (0 to 10000)")
            }
        }
        return bank
    }

    private mutating func readHuabei(_ reader: Reader) throws(Invalid) {
        for (index, item) in try reader.array("huabeiAgreements").enumerated() {
            var entry = try Reader(path: "huabeiAgreements[\(index)]", value: item)
            try entry.allow(["agreementNo", "userId", "creditUserId", "seller", "limit", "freezeAmount"])
            let limit = try entry.amount("limit", required: true)!, freeze = try entry.amount("freezeAmount", required: true)!
            guard freeze.fen > 0, freeze <= limit else { throw Invalid("\(entry.path): freezeAmount must be positive and within limit") }
            huabeiAgreements.append((try entry.string("agreementNo", required: true, maxLength: 64)!, try entry.userId("userId", required: true)!,
                                     try entry.userId("creditUserId", required: true)!, try entry.userId("seller", required: true)!, limit, freeze))
        }
    }

    /// Each agreement's credit line (an account funded to its limit) and the frozen part held for the seller.
    private func applyHuabei(to store: any Store, clock: any Clock) async throws {
        for (index, entry) in huabeiAgreements.enumerated() where try await store.huabeiAgreement(agreementNo: entry.agreementNo) == nil {
            guard try await store.account(userId: entry.userId) != nil, try await store.merchant(partner: entry.seller) != nil else {
                throw Invalid("huabeiAgreements[\(index)]: userId must be an account and seller a merchant")
            }
            let line = Account(userId: entry.creditUserId, logonId: "huabei-\(entry.userId.rawValue)@zhifu.local", name: "花呗额度", passwordHash: nil)
            if try await store.insertAccount(line) {
                let funding = Transfer(id: "fixture-huabei-\(entry.creditUserId)", debit: SystemAccounts.clearing, credit: entry.creditUserId,
                                       amount: entry.limit, code: .funding, reference: "fixtures", createdAt: clock.now)
                guard try await store.post([funding])[0].isPosted else { throw Invalid("huabeiAgreements[\(index)]: credit line refused") }
            }
            let hold = PendingTransfer(id: HuabeiAgreement.holdId(agreementNo: entry.agreementNo), debit: entry.creditUserId, credit: entry.seller,
                                       amount: entry.freezeAmount, code: .huabeiAuth, reference: entry.agreementNo, createdAt: clock.now)
            guard try await store.insertHuabeiAgreement(HuabeiAgreement(agreementNo: entry.agreementNo, user: entry.userId, seller: entry.seller,
                                                                        valid: true, hold: hold)) else {
                throw Invalid("huabeiAgreements[\(index)]: the credit line \(entry.creditUserId) cannot hold \(entry.freezeAmount)")
            }
        }
    }

    /// Stores what is not there yet. Accounts and trades that exist are left untouched (their
    /// balances may have moved since); merchants and apps are replaced, so keys can be rotated.
    public func apply(to store: any Store, clock: any Clock) async throws {
        _ = try await store.insertAccount(SystemAccounts.clearingAccount)
        if let gatewayPrivateKey { try await store.setSetting(GatewaySettings.privateKey, value: gatewayPrivateKey) }
        if let gatewayDSAPrivateKey { try await store.setSetting(GatewaySettings.dsaPrivateKey, value: gatewayDSAPrivateKey) }
        for (index, entry) in accounts.enumerated() {
            let account = Account(userId: entry.userId, logonId: entry.logonId, name: entry.name, status: entry.status,
                                  passwordHash: entry.password.map { PaymentPassword.hash($0) })
            let inserted: Bool
            do { inserted = try await store.insertAccount(account) } catch StoreError.duplicate {
                throw Invalid("accounts[\(index)] \"\(entry.logonId)\": logonId belongs to another account")
            }
            guard inserted, entry.balance.fen > 0 else { continue }
            let funding = Transfer(id: "fixture-funding-\(entry.userId)", debit: SystemAccounts.clearing, credit: entry.userId,
                                   amount: entry.balance, code: .funding, reference: "fixtures", createdAt: clock.now)
            let result = try await store.post([funding])[0]
            guard result.isPosted else { throw Invalid("accounts[\(index)] \"\(entry.logonId)\": opening balance refused (\(result))") }
        }
        for (index, merchant) in merchants.enumerated() {
            guard try await store.account(userId: merchant.partner) != nil else {
                throw Invalid("merchants[\(index)] \(merchant.partner): partner must be an account's userId")
            }
            try await store.upsertMerchant(merchant)
        }
        for (index, app) in apps.enumerated() {
            guard try await store.merchant(partner: app.partner) != nil else {
                throw Invalid("apps[\(index)] \(app.appId): partner \(app.partner) is not a merchant")
            }
            try await store.upsertApp(app)
        }
        for (index, entry) in trades.enumerated() {
            if try await store.trade(tradeNo: entry.tradeNo) != nil { continue }
            guard try await store.merchant(partner: entry.partner) != nil else {
                throw Invalid("trades[\(index)] \(entry.tradeNo): partner \(entry.partner) is not a merchant")
            }
            if let buyer = entry.buyer, try await store.account(userId: buyer) == nil {
                throw Invalid("trades[\(index)] \(entry.tradeNo): buyer \(buyer) is not an account")
            }
            if entry.status.isPaid, let buyer = entry.buyer {
                let payment = Transfer(id: "fixture-trade-\(entry.tradeNo)", debit: buyer, credit: entry.partner, amount: entry.amount,
                                       code: .tradePay, reference: entry.tradeNo, createdAt: clock.now)
                let result = try await store.post([payment])[0]
                guard result.isPosted else { throw Invalid("trades[\(index)] \(entry.tradeNo): payment refused (\(result))") }
            }
            var details = TradeDetails()
            if entry.status.isPaid { details.paidAt = clock.now }
            _ = try await store.insertTrade(Trade(tradeNo: entry.tradeNo, partner: entry.partner, buyer: entry.buyer,
                                                  outTradeNo: entry.outTradeNo, amount: entry.amount, status: entry.status,
                                                  createdAt: clock.now, details: details))
        }
        for (index, token) in appAuthTokens.enumerated() {
            guard try await store.app(appId: token.appId) != nil, try await store.merchant(partner: token.partner) != nil else {
                throw Invalid("appAuthTokens[\(index)]: appId \(token.appId) must be an app and partner \(token.partner) a merchant")
            }
            try await store.upsertAppAuthToken(token)
        }
        try await applyHuabei(to: store, clock: clock)
    }
}

/// Names of the settings rows the gateway uses.
public enum GatewaySettings {
    /// The gateway's RSA private key (PEM), shared by every node.
    public static let privateKey = "gateway.private_key"
    /// The gateway's DSA private key (PEM), for notifications of DSA-signed requests.
    public static let dsaPrivateKey = "gateway.dsa_private_key"
    /// 32 random bytes (hex) that key buyer session cookies: shared by every node, and unrelated
    /// to any signing key, so a leaked session key forges no signature and the reverse.
    public static let sessionSecret = "gateway.session_secret"
    /// The sandbox's manual time (epoch milliseconds), shared by every node on one database.
    public static let sandboxClock = "sandbox.clock_millis"
    /// Set once demo data has been created, so a restart does not create it again.
    public static let demoDataCreated = "demo.created"
    /// The console operator's password (a PBKDF2 hash, as payment passwords).
    public static let operatorPasswordHash = "console.operator_password_hash"
    /// Moved on by every console logout: sessions of an earlier epoch end on every node.
    public static let consoleSessionEpoch = "console.session_epoch"
    /// The admin API's bearer token, as its SHA-256 (hex).
    public static let adminTokenSHA256 = "console.admin_token_sha256"
}

/// Reads one JSON object field by field, naming the path in every refusal.
private struct Reader {
    let path: String
    let object: [String: Any]

    init(path: String, object: [String: Any]) { self.path = path; self.object = object }

    init(path: String, value: Any) throws(Fixtures.Invalid) {
        guard let object = value as? [String: Any] else { throw Fixtures.Invalid("\(path): must be a JSON object") }
        self.init(path: path, object: object)
    }

    mutating func allow(_ names: Set<String>) throws(Fixtures.Invalid) {
        if let unknown = object.keys.sorted().first(where: { !names.contains($0) }) {
            throw Fixtures.Invalid("\(path): unknown field \"\(unknown)\" (known: \(names.sorted().joined(separator: ", ")))")
        }
    }

    func array(_ name: String) throws(Fixtures.Invalid) -> [Any] {
        guard let value = object[name] else { return [] }
        guard let array = value as? [Any] else { throw Fixtures.Invalid("\(path).\(name): must be an array") }
        return array
    }

    func string(_ name: String, required: Bool = false, maxLength: Int = 8192) throws(Fixtures.Invalid) -> String? {
        guard let value = object[name], !(value is NSNull) else {
            if required { throw Fixtures.Invalid("\(path).\(name): missing") }
            return nil
        }
        guard let text = value as? String else { throw Fixtures.Invalid("\(path).\(name): must be a string") }
        guard !text.isEmpty || !required else { throw Fixtures.Invalid("\(path).\(name): must not be empty") }
        guard text.count <= maxLength else { throw Fixtures.Invalid("\(path).\(name): longer than \(maxLength)") }
        return text
    }

    func strings(_ name: String) throws(Fixtures.Invalid) -> [String]? {
        guard let value = object[name] else { return nil }
        guard let list = value as? [String], list.count <= 100 else { throw Fixtures.Invalid("\(path).\(name): must be an array of strings") }
        return list
    }

    func userId(_ name: String, required: Bool = false) throws(Fixtures.Invalid) -> UserId? {
        guard let text = try string(name, required: required) else { return nil }
        guard let id = UserId(text) else { throw Fixtures.Invalid("\(path).\(name): \"\(text)\" is not 2088 followed by 12 digits") }
        return id
    }

    func amount(_ name: String, required: Bool = false) throws(Fixtures.Invalid) -> Amount? {
        guard let text = try string(name, required: required) else { return nil }
        guard let amount = Amount(text) else { throw Fixtures.Invalid("\(path).\(name): \"\(text)\" is not an amount like \"1000.00\"") }
        return amount
    }

    func enumeration<T: RawRepresentable>(_ name: String, _ type: T.Type) throws(Fixtures.Invalid) -> T? where T.RawValue == String {
        guard let text = try string(name) else { return nil }
        guard let value = T(rawValue: text) else { throw Fixtures.Invalid("\(path).\(name): \"\(text)\" is not allowed") }
        return value
    }

    func publicKey(_ name: String, algorithm: KeyAlgorithm, required: Bool = false) throws(Fixtures.Invalid) -> String? {
        guard let text = try string(name, required: required, maxLength: 16384) else { return nil }
        let key: PublicKey
        do { key = try PublicKey(text: text) } catch { throw Fixtures.Invalid("\(path).\(name): not a readable public key (\(error))") }
        guard key.algorithm == algorithm else { throw Fixtures.Invalid("\(path).\(name): must be a \(algorithm.rawValue) key") }
        return text
    }
}
