import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol

/// The console's batches: every kind in one list, a batch's records with their outcomes and the
/// notifications about it; the same as JSON from the admin API.
@Suite struct ConsoleBatchesTests {
    let console = ConsoleTests()
    static let token = "admin-token-for-batches"

    @Test func aPayoutFileShowsItsRowsBouncesAndNotificationOnTheConsoleAndTheAdminAPI() async throws {
        let world = try await TestWorld.make(operatorPassword: ConsoleTests.password, adminToken: Self.token, bank: BptbTests.bank)
        try await world.app().test(.router) { client in
            _ = try await BptbTests.upload(world, client, fileName: "<img src=x onerror=alert(1)>.csv", file: Array(BptbTests.csv.utf8))
            let page = try await client.get(try BptbTests.confirmRequest(world, fileName: "<img src=x onerror=alert(1)>.csv")).1
            _ = try await BptbTests.password(client, page: page)
            _ = try await client.get("/gateway.do?" + FormCoding.encode(try world.client().signedParameters(service: "batch_trans_notify", world.batchParameters()), charset: .utf8)!)
            _ = try await world.gateway.advanceSandboxClock(seconds: 600)
            _ = try await world.gateway.bptb.sweep()

            let (_, cookie) = try await console.login(client)
            let list = try await console.get(client, "/console/batches", cookie: cookie).1
            #expect(list.contains("批量付款到银行账户") && list.contains("批量付款到支付宝账户"))
            #expect(list.contains("&lt;img src=x onerror=alert(1)&gt;.csv") && !list.contains("<img src=x"), "file names are escaped")
            let file = try #require(try await world.gateway.bptb.file(partner: BptbTests.payer, fileName: "<img src=x onerror=alert(1)>.csv"))
            let detail = try await console.get(client, "/console/batches/bptb/\(file.id)", cookie: cookie).1
            #expect(element("batch-status", in: detail) == "COMPLETED" && element("batch-succeeded", in: detail) == "2")
            #expect(element("batch-failed", in: detail) == "3", "one invalid row and two refund tickets")
            #expect(detail.contains("账号不存在") && detail.contains("账户名有误") && detail.contains("bptb_result_notify"))
            #expect(try await console.get(client, "/console/batches/bptb/nope", cookie: cookie).0 == .notFound)
            #expect(try await console.get(client, "/console/batches/other/\(file.id)", cookie: cookie).0 == .notFound)

            let json = try await client.execute(uri: "/admin/api/batches/bptb/\(file.id)", method: .get,
                                                headers: [.authorization: "Bearer \(Self.token)"]) { try bodyText($0) }
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect(object["status"] as? String == "COMPLETED" && (object["records"] as? [Any])?.count == 5)
            let listed = try await client.execute(uri: "/admin/api/batches", method: .get, headers: [.authorization: "Bearer \(Self.token)"]) { try bodyText($0) }
            #expect(listed.contains("\"kind\":\"bptb\"") && listed.contains("\"kind\":\"trans\""))
            #expect(try await client.execute(uri: "/admin/api/batches", method: .get) { $0.status } == .unauthorized)
        }
    }
}
