import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol

/// alipay.pcredit.huabei.auth.settle.apply: a buyer's Huabei credit frozen by an agreement
/// (fixtures) is paid to the merchant once per out_request_no, never beyond what is frozen.
@Suite struct HuabeiTests {
    let api = OpenAPITests()
    static let seller = UserId(TestWorld.partner)!
    static let creditLine = UserId("2088109000000001")!
    static let fixtures = #","huabeiAgreements": [{"agreementNo": "HB001", "userId": "\#(TestWorld.buyer)", "creditUserId": "2088109000000001", "seller": "\#(TestWorld.partner)", "limit": "2000.00", "freezeAmount": "300.00"}, {"agreementNo": "HB002", "userId": "\#(TestWorld.buyer)", "creditUserId": "2088109000000001", "seller": "\#(TestWorld.partner)", "limit": "2000.00", "freezeAmount": "100.00"}]"#

    func settle(_ client: some TestClientProtocol, _ world: TestWorld, _ requestNo: String, agreement: String = "HB001", amount: String,
                user: String = TestWorld.buyer, extra: String = "") async throws -> [String: String] {
        try await api.call(client, try api.request(world, method: "alipay.pcredit.huabei.auth.settle.apply", biz: #"{"out_request_no":"\#(requestNo)","agreement_no":"\#(agreement)","pay_amount":"\#(amount)","alipay_user_id":"\#(user)"\#(extra)}"#)).object
    }

    func account(_ world: TestWorld, _ id: UserId) async throws -> Account { try #require(try await world.gateway.store.account(userId: id)) }

    @Test func settlementsPayTheMerchantFromTheFrozenCreditAndEndTheAgreement() async throws {
        let world = try await TestWorld.make(extraFixtures: Self.fixtures)
        let sellerBefore = try await account(world, Self.seller).balance
        #expect(try await account(world, Self.creditLine).frozen == Amount(fen: 40_000))
        try await world.app().test(.router) { client in
            let period = try await settle(client, world, "s1", amount: "50.00", extra: #","action_type":"PERIOD_SETTLE","extend_params":{"withhold_index":"1"}"#)
            #expect(period["code"] == "10000" && period["out_request_no"] == "s1" && period["fail_reason"] == nil)
            #expect(try await settle(client, world, "s1", amount: "50.00", extra: #","action_type":"PERIOD_SETTLE","extend_params":{"withhold_index":"1"}"#)["code"] == "10000")
            #expect(try await settle(client, world, "s1", amount: "51.00")["sub_code"] == "REQUEST_INFO_INCONSISTENT")
            #expect(try await settle(client, world, "s2", amount: "250.01")["sub_code"] == "PAY_AMOUNT_EXCEED")
            #expect(try await settle(client, world, "s3", amount: "1.00", user: "2088103000000000")["sub_code"] == "AGREEMENT_USER_NOT_MATCH")
            #expect(try await settle(client, world, "s4", agreement: "HB404", amount: "1.00")["sub_code"] == "AGREEMENT_NOT_EXIST")
            #expect(try await settle(client, world, "s5", amount: "1.00", extra: #","action_type":"PERIOD_SETTLE""#)["sub_code"] == "ACQ.INVALID_PARAMETER")
            #expect(try await settle(client, world, "s6", amount: "10.00", extra: #","need_terminated":"false""#)["code"] == "10000")
            #expect(try await settle(client, world, "s7", amount: "40.00")["code"] == "10000", "MERCHANT_SETTLE ends the agreement")
            #expect(try await settle(client, world, "s8", amount: "1.00")["sub_code"] == "AGREEMENT_TERMINATED")
        }
        #expect(try await account(world, Self.seller).balance == Amount(fen: sellerBefore.fen + 10_000))
        let line = try await account(world, Self.creditLine)
        #expect(line.frozen == Amount(fen: 10_000) && line.balance == Amount(fen: 190_000), "HB001's rest unfrozen; HB002 still frozen")
        #expect(try await world.gateway.store.audit().isBalanced)
    }

    @Test(arguments: WorldStore.available)
    func parallelSettlementsNeverExceedTheFrozenCredit(store: WorldStore) async throws {
        let world = try await TestWorld.make(extraFixtures: Self.fixtures, store: store)
        let answers = try await world.app().test(.router) { client in
            try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<10 {
                    group.addTask {
                        let answer = try await settle(client, world, "p\(index)", agreement: "HB002", amount: "20.00",
                                                      extra: #","action_type":"PERIOD_SETTLE","extend_params":{"withhold_index":"\#(index)"}"#)
                        return answer["sub_code"] ?? answer["code"]!
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
        }
        #expect(answers.filter { $0 == "10000" }.count == 5 && answers.filter { $0 == "PAY_AMOUNT_EXCEED" }.count == 5, "\(answers)")
        #expect(try await account(world, Self.creditLine).frozen == Amount(fen: 30_000))
        #expect(try await world.gateway.store.audit().isBalanced)
    }
}
