import Foundation
import Hummingbird
import Synchronization
import ZhifuProtocol
import ZhifuSDK

/// A small shop as a merchant writes one with ZhifuSDK: create an order, send the buyer to
/// Alipay's page.pay, and ship only once a verified notification says the order is paid. Pointed at
/// Alipay in production and at Zhifu (or ZhifuTesting's sandbox, as its tests do) in development.
public final class Shop: Sendable {
    public struct Order: Sendable, Equatable, Codable {
        public var id: String
        public var sku: String
        public var amount: Amount
        /// `WAIT_PAY`, then `PAID` once Alipay's notification verifies and matches.
        public var status: String
        public var tradeNo: String?
    }

    /// What the shop sells, at what price.
    public static let catalogue: [String: Amount] = ["tea": Amount(fen: 1_200), "coffee": Amount(fen: 2_500)]

    let alipay: AlipayClient
    let verifier: NotificationVerifier
    /// Where Alipay and buyers reach this shop (notify_url and return_url are under it).
    let publicURL: String
    let orders = Mutex<[String: Order]>([:])

    public init(alipay: AlipayClient, verifier: NotificationVerifier, publicURL: String) {
        self.alipay = alipay; self.verifier = verifier; self.publicURL = publicURL
    }

    public func order(_ id: String) -> Order? { orders.withLock { $0[id] } }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        // POST /orders?sku=tea → {"id": …, "pay_url": …}: the page the buyer's browser goes to.
        router.post("/orders") { request, _ -> Response in
            guard let sku = request.uri.queryParameters.get("sku"), let amount = Self.catalogue[sku] else {
                return Self.json(["error": "unknown sku"], status: .badRequest)
            }
            let order = Order(id: "shop-" + UUID().uuidString.prefix(12).lowercased(), sku: sku, amount: amount, status: "WAIT_PAY")
            self.orders.withLock { $0[order.id] = order }
            let payURL = try self.alipay.trade.pageURL(.init(outTradeNo: order.id, totalAmount: amount, subject: sku),
                                                  returnURL: "\(self.publicURL)/orders/\(order.id)", notifyURL: "\(self.publicURL)/alipay/notify")
            return Self.json(["id": order.id, "pay_url": payURL], status: .created)
        }
        router.get("/orders/:id") { _, context -> Response in
            guard let id = context.parameters.get("id"), let order = self.order(id) else { return Self.json(["error": "no such order"], status: .notFound) }
            return Self.json(["id": order.id, "status": order.status, "trade_no": order.tradeNo ?? ""], status: .ok)
        }
        // Alipay retries until the body is exactly `success`: say it only for what was handled.
        router.post("/alipay/notify") { request, _ -> String in
            let body = try await request.body.collect(upTo: 1 << 20)
            guard let notification = try? self.verifier.verify(body: Array(body.readableBytesView), contentType: request.headers[.contentType]),
                  case .tradeStatusSync(let trade) = notification else { return "fail" }
            return self.fulfil(trade) ? "success" : "fail"
        }
        return router
    }

    /// Marks the order paid if the notification is about it, for its amount; a repeat changes nothing.
    func fulfil(_ trade: TradeStatusSync) -> Bool {
        orders.withLock { orders in
            guard var order = orders[trade.outTradeNo], trade.totalAmount == order.amount, trade.appId == alipay.configuration.appId else { return false }
            if ["TRADE_SUCCESS", "TRADE_FINISHED"].contains(trade.tradeStatus), order.status == "WAIT_PAY" {
                order.status = "PAID"
                order.tradeNo = trade.tradeNo
                orders[order.id] = order
            }
            return true
        }
    }

    static func json(_ object: [String: String], status: HTTPResponse.Status) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
