import Foundation
import ZhifuProtocol

/// An Alipay user id: `2088` followed by 12 digits (合作身份者ID / 支付宝唯一用户号).
public struct UserId: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 16, text.hasPrefix("2088"), bytes.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        rawValue = text
    }

    public var description: String { rawValue }
    public static func < (lhs: UserId, rhs: UserId) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = UserId(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a user id (2088 + 12 digits): \"\(text)\"")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

public enum AccountStatus: String, Sendable, Codable, CaseIterable {
    case normal
    /// Frozen by an operator or by too many wrong payment passwords (USER_BLOCK_STATUS).
    case blocked
}

public enum AccountKind: String, Sendable, Codable {
    case user
    /// The bank/clearing side of the ledger: the only accounts allowed to go negative.
    case clearing
}

/// An Alipay account: a wallet with a balance, a logon id and a payment password.
public struct Account: Sendable, Equatable {
    public var userId: UserId
    /// Email or mobile number the user logs on with.
    public var logonId: String
    /// The real name (收款账号姓名 must match it).
    public var name: String
    public var kind: AccountKind
    public var status: AccountStatus
    /// `PaymentPassword` hash string; `nil` for accounts that cannot pay (clearing).
    public var passwordHash: String?
    /// Consecutive wrong payment passwords; reset by a right one.
    public var failedPasswordAttempts: Int
    /// When a block by wrong passwords ends (Alipay: 3 hours); `nil` for an operator's block, which lasts.
    public var lockedUntil: Date?
    /// Buyer sessions carry it; logging out moves it on, ending every earlier session.
    public var sessionEpoch: Int64 = 0
    /// Current balance. Only the ledger changes it.
    public var balance: Amount
    /// The part of the balance held by pending transfers (fund authorisations): not spendable.
    public var frozen: Amount

    public init(userId: UserId, logonId: String, name: String, kind: AccountKind = .user, status: AccountStatus = .normal,
                passwordHash: String?, failedPasswordAttempts: Int = 0, lockedUntil: Date? = nil, sessionEpoch: Int64 = 0,
                balance: Amount = .zero, frozen: Amount = .zero) {
        self.userId = userId; self.logonId = logonId; self.name = name; self.kind = kind; self.status = status
        self.passwordHash = passwordHash; self.failedPasswordAttempts = failedPasswordAttempts; self.lockedUntil = lockedUntil
        self.sessionEpoch = sessionEpoch; self.balance = balance; self.frozen = frozen
    }

    /// What the account may spend: the balance less what is frozen.
    public var available: Amount { Amount(fen: balance.fen - frozen.fen) }

    /// Blocked at `now`: by an operator for good, or by wrong passwords until `lockedUntil`.
    public func isBlocked(at now: Date) -> Bool {
        status == .blocked && (lockedUntil.map { $0 > now } ?? true)
    }
}

/// A merchant: its partner id is its own account's user id; keys are what it verifies with.
public struct Merchant: Sendable, Equatable {
    public var partner: UserId
    /// 32-character MD5 key (交易安全校验码).
    public var md5Key: String?
    /// The merchant's RSA public key (PEM or base64), for sign_type RSA.
    public var rsaPublicKey: String?
    /// The merchant's DSA public key, for sign_type DSA.
    public var dsaPublicKey: String?
    /// MAPI services the merchant may call; `*` allows every one.
    public var services: [String]

    public init(partner: UserId, md5Key: String?, rsaPublicKey: String?, dsaPublicKey: String?, services: [String]) {
        self.partner = partner; self.md5Key = md5Key; self.rsaPublicKey = rsaPublicKey
        self.dsaPublicKey = dsaPublicKey; self.services = services
    }

    public func allows(service: String) -> Bool { services.contains("*") || services.contains(service) }
}

/// An OpenAPI application acting for a merchant.
public struct App: Sendable, Equatable {
    public var appId: String
    public var partner: UserId
    /// The app's public key (PEM or base64).
    public var publicKey: String
    public var signType: SignType

    public init(appId: String, partner: UserId, publicKey: String, signType: SignType) {
        self.appId = appId; self.partner = partner; self.publicKey = publicKey; self.signType = signType
    }
}

public enum TradeStatus: String, Sendable, Codable, CaseIterable {
    case waitBuyerPay = "WAIT_BUYER_PAY"
    case tradeSuccess = "TRADE_SUCCESS"
    case tradeFinished = "TRADE_FINISHED"
    case tradeClosed = "TRADE_CLOSED"

    /// States in which the buyer's money has reached the seller.
    public var isPaid: Bool { self == .tradeSuccess || self == .tradeFinished }
}

/// A trade between a buyer and a merchant.
public struct Trade: Sendable, Equatable {
    public var tradeNo: String
    public var partner: UserId
    public var buyer: UserId?
    public var outTradeNo: String
    /// total_amount, in `details.transCurrency` (CNY unless set).
    public var amount: Amount
    public var status: TradeStatus
    public var createdAt: Date
    /// 订单标题.
    public var subject: String
    /// Hash of the creating request's business content: `(app, out_trade_no)` is idempotent only
    /// for the same content (ACQ.CONTEXT_INCONSISTENT otherwise).
    public var fingerprint: String
    /// Bumped by every change: two requests changing one trade at once cannot both win.
    public var version: Int
    /// When an unpaid trade closes (timeout_express); `nil` for never.
    public var expiresAt: Date?
    /// Everything else: stored as one JSON document, read and written whole.
    public var details: TradeDetails

    public init(tradeNo: String, partner: UserId, buyer: UserId?, outTradeNo: String, amount: Amount, status: TradeStatus, createdAt: Date,
                subject: String = "", fingerprint: String = "", version: Int = 0, expiresAt: Date? = nil, details: TradeDetails = .init()) {
        self.tradeNo = tradeNo; self.partner = partner; self.buyer = buyer; self.outTradeNo = outTradeNo
        self.amount = amount; self.status = status; self.createdAt = createdAt; self.subject = subject; self.fingerprint = fingerprint
        self.version = version; self.expiresAt = expiresAt; self.details = details
    }

    /// What the buyer pays and the ledger moves, in CNY fen.
    public var payAmount: Amount { details.payFen.map(Amount.init(fen:)) ?? amount }
    public var refunded: Amount { Amount(fen: details.refundedFen) }
    public var settled: Amount { Amount(fen: details.settledFen) }
    /// What may still be refunded or settled (CNY).
    public var refundable: Amount { Amount(fen: payAmount.fen - details.refundedFen - details.settledFen) }
}

/// A trade's attributes that no query filters on.
public struct TradeDetails: Sendable, Equatable, Codable {
    /// The app that created the trade (notifications carry it as app_id).
    public var appId: String = ""
    /// The app acting for the merchant through app_auth_token, if any (auth_app_id).
    public var authAppId: String?
    /// FACE_TO_FACE_PAYMENT, FAST_INSTANT_TRADE_PAY, QUICK_WAP_WAY, QUICK_MSECURITY_PAY.
    public var productCode: String = ""
    /// The method that created the trade (`alipay.trade.page.pay`, …): names the return.
    public var method: String = ""
    public var notifyURL: String?
    public var returnURL: String?
    /// The seller's logon id (the notifications' seller_email).
    public var sellerEmail: String?
    /// wap.pay's quit_url: where the cashier's 返回商家 link goes.
    public var quitURL: String?
    /// The request's charset and the app's sign type: notifications use them too.
    public var charset: String = "utf-8"
    public var signType: SignType = .rsa2
    public var body: String?
    /// 公用回传参数: returned unchanged in every trade_status_sync notification.
    public var passbackParams: String?
    /// A precreated trade no buyer has scanned yet: Alipay has no such trade (query, close and
    /// refund answer ACQ.TRADE_NOT_EXIST; cancel closes it; nothing is notified).
    public var awaitingScan: Bool?
    public var storeId: String?
    public var operatorId: String?
    public var terminalId: String?
    public var discountableFen: Int64?
    public var undiscountableFen: Int64?
    /// trans_currency / settle_currency and the CNY amount paid at the configured rate.
    public var transCurrency: String?
    public var settleCurrency: String?
    public var transPayRate: String?
    public var payFen: Int64?
    public var paidAt: Date?
    /// The paying buyer's logon id, shown masked in every later notification.
    public var buyerLogonId: String?
    public var closedAt: Date?
    public var lastRefundAt: Date?
    public var refundedFen: Int64 = 0
    /// How many refunds the trade has had (`nil` in documents older than the count).
    public var refundCount: Int?
    /// Paid on to other accounts by alipay.trade.order.settle.
    public var settledFen: Int64 = 0

    public init() {}

    public var isAwaitingScan: Bool { awaitingScan == true }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }

    /// A stored document that does not decode is an error: read as a default, a refunded trade
    /// would look refundable again.
    public init(json: String) throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        do {
            self = try decoder.decode(TradeDetails.self, from: Data(json.utf8))
        } catch {
            throw StoreError.corrupt("trade details: \(error)")
        }
    }
}

/// One refund of a trade, unique per `(trade_no, out_request_no)`.
public struct TradeRefund: Sendable, Equatable {
    public var tradeNo: String
    /// 退款请求号: the merchant's idempotency key (out_trade_no when not sent).
    public var outRequestNo: String
    public var amount: Amount
    public var reason: String?
    public var createdAt: Date
    /// How the amount splits over a koubei order's items (item_order_no → fen), when it does.
    public var items: [String: Int64]?

    public init(tradeNo: String, outRequestNo: String, amount: Amount, reason: String?, createdAt: Date, items: [String: Int64]? = nil) {
        self.tradeNo = tradeNo; self.outRequestNo = outRequestNo; self.amount = amount; self.reason = reason; self.createdAt = createdAt
        self.items = items
    }
}

/// A buyer's payment code (付款码): digits starting 25–30, valid briefly, good for one payment.
public struct PaymentCode: Sendable, Equatable {
    public var code: String
    public var buyer: UserId
    public var expiresAt: Date
    public var usedAt: Date?

    public init(code: String, buyer: UserId, expiresAt: Date, usedAt: Date? = nil) {
        self.code = code; self.buyer = buyer; self.expiresAt = expiresAt; self.usedAt = usedAt
    }

    /// seed 004: "25~30开头的长度为16~24位的数字".
    public static func isWellFormed(_ code: String) -> Bool {
        let bytes = Array(code.utf8)
        guard (16...24).contains(bytes.count), bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        return (25...30).contains(Int(code.prefix(2))!)
    }
}

/// An app_auth_token: lets an ISV's app act for another merchant.
public struct AppAuthToken: Sendable, Equatable {
    public var token: String
    /// The ISV app allowed to use the token.
    public var appId: String
    /// The merchant it acts for.
    public var partner: UserId

    public init(token: String, appId: String, partner: UserId) {
        self.token = token; self.appId = appId; self.partner = partner
    }
}
