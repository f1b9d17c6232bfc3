import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol

/// One payment code sent with three orders at once pays one of them; the others are told the code
/// is used up, never a server error. (On PostgreSQL a `FOR UPDATE` account lock used to deadlock
/// with the foreign-key check of the other orders' inserts: 20000 for the losers.)
@Suite struct PaymentCodeRaceTests {
    let api = OpenAPITests()

    @Test(arguments: WorldStore.available)
    func oneCodeRacedByThreeOrdersPaysOnceAndRefusesTheOthers(store: WorldStore) async throws {
        let world = try await TestWorld.make(store: store)
        for round in 0..<5 {
            let code = try await world.gateway.trades.issuePaymentCode(buyer: UserId(TestWorld.buyer)!)
            try await world.app().test(.router) { client in
                let results = try await withThrowingTaskGroup(of: [String: String].self) { group in
                    for i in 0..<3 {
                        group.addTask {
                            let biz = #"{"out_trade_no":"t-\#(round)-\#(i)","scene":"bar_code","auth_code":"\#(code.code)","subject":"s","total_amount":"1.00"}"#
                            return try await api.call(client, try api.request(world, method: "alipay.trade.pay", biz: biz)).object
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(results.filter { $0["code"] == "10000" }.count == 1, "\(results)")
                #expect(results.filter { $0["sub_code"] == "ACQ.PAYMENT_AUTH_CODE_INVALID" }.count == 2, "\(results)")
            }
        }
    }
}
