import Foundation
import Hummingbird
import ZhifuCore

/// Sandbox time travel. Exists only with `--clock manual`; with the system clock every route is 404,
/// so a production gateway cannot be told what time it is. The time is kept in the database:
/// nodes sharing one follow each other's moves (at once here, within a second elsewhere).
struct SandboxRoutes {
    let gateway: Gateway

    /// Longest single jump: 400 days (any retry schedule or expiry fits many times over).
    static let maximumAdvanceSeconds: Int64 = 400 * 86_400

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/sandbox/clock") { _, _ in
            guard let clock = gateway.manualClock else { throw HTTPError(.notFound) }
            return clockResponse(try await gateway.followSandboxClock() ?? clock.now)
        }
        router.post("/sandbox/clock/advance") { request, _ in
            guard let clock = gateway.manualClock else { throw HTTPError(.notFound) }
            guard let text = request.uri.queryParameters.get("seconds"), let seconds = Int64(text),
                  (0...Self.maximumAdvanceSeconds).contains(seconds) else {
                throw HTTPError(.badRequest, message: "seconds must be an integer from 0 to \(Self.maximumAdvanceSeconds)")
            }
            // Moved in the database, so every node of the sandbox follows.
            return clockResponse(try await gateway.advanceSandboxClock(seconds: seconds) ?? clock.now)
        }
    }

    /// Koubei's side of a code merchant's life: the 发码通知 of an order (send_order_no and
    /// send_token to echo in ticketcode.send), and a shop redeeming a ticket.
    func registerKoubei(on router: Router<GatewayRequestContext>) {
        router.get("/sandbox/koubei/orders/:orderNo") { _, context in
            guard gateway.manualClock != nil else { throw HTTPError(.notFound) }
            let order = try await gateway.koubei.sendNotice(orderNo: context.parameters.get("orderNo") ?? "")
            return Response.json(["order_no": order.orderNo, "trade_no": order.tradeNo, "send_order_no": order.sendOrderNo,
                                  "send_token": order.sendToken], status: .ok)
        }
        router.post("/sandbox/koubei/tickets/:code/use") { request, context in
            guard gateway.manualClock != nil else { throw HTTPError(.notFound) }
            let query = request.uri.queryParameters
            guard let requestId = query.get("request_id"), !requestId.isEmpty, requestId.utf8.count <= 64,
                  let quantity = Int64(query.get("quantity") ?? "1") else { throw HTTPError(.badRequest, message: "request_id and quantity") }
            do {
                let bizCode = try await gateway.koubei.redeem(code: context.parameters.get("code") ?? "", requestId: requestId, quantity: quantity,
                                                              shopId: query.get("shop_id"))
                return Response.json(["request_id": requestId, "biz_code": bizCode ?? ""], status: .ok)
            } catch let failure as KoubeiFailure {
                return Response.json(["sub_code": failure.subCode, "sub_msg": failure.message], status: .conflict)
            }
        }
    }

    /// What a 点餐后付 code (`koubei.trade.order.precreate`'s qr_code) opens: the order at its table.
    /// Not a sandbox route: the code is what the merchant prints.
    func registerKoubeiOrderPage(on router: Router<GatewayRequestContext>) {
        router.get("/koubei/order/:orderNo") { _, context in
            guard let order = try await gateway.koubei.precreated(orderNo: context.parameters.get("orderNo") ?? "") else {
                throw HTTPError(.notFound)
            }
            return Pages.render("koubei_order", KoubeiOrderPageModel(orderNo: order.orderNo, outOrderNo: order.outOrderNo, shopId: order.shopId),
                                title: "口碑点餐后付")
        }
    }

    private func clockResponse(_ now: Date) -> Response {
        .json([
            "now": gateway.configuration.calendar.timestamp(now),
            "epochMillis": String(Int64((now.timeIntervalSince1970 * 1000).rounded())),
            "timeZone": gateway.configuration.calendar.timeZone.identifier,
        ], status: .ok)
    }
}

struct KoubeiOrderPageModel {
    var orderNo: String
    var outOrderNo: String
    var shopId: String
}
