import Foundation
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol

/// What a completed batch_trans_notify batch leaves in the store is what the confirmation
/// returned and notified: each record's status, reason, 支付宝内部流水号 and time, paid and failed
/// records mixed (the paid ones are written by one statement).
@Suite struct BatchRecordsStoredTests {
    @Test(arguments: WorldStore.available)
    func storedRecordsAreTheConfirmedOutcomes(store: WorldStore) async throws {
        let world = try await TestWorld.make(store: store)
        let records = (0..<12).map { index -> (String, String, String) in
            switch index % 4 {
            case 1: ("nobody@zhifu.test", "无名", "1.00")          // RECEIVE_USER_NOT_EXIST
            case 2: ("payee2@zhifu.test", "错名", "1.00")          // ACCOUNT_NAME_NOT_MATCH
            default: ("testture0002@126.com", "常炜买家二", "0.\(10 + index)")
            }
        }
        let params = world.batchParameters(records: records)
        let command = try BatchTransNotify.command(params)
        let service = world.gateway.batchTrans
        let batch = try await service.submit(command, partner: UserId(TestWorld.partner)!, signType: .md5, charset: .utf8)
        guard case .paid(let paid) = try await service.confirm(token: batch.token, logonId: TestWorld.payerLogon, password: TestWorld.payerPassword,
                                                               batchId: batch.id) else {
            Issue.record("not paid")
            return
        }
        let stored = try #require(try await world.gateway.store.batch(id: batch.id))
        #expect(stored.details == paid.details)
        #expect(stored.details.filter { $0.status == .success }.count == 6 && stored.details.filter { $0.status == .failure }.count == 6)
        #expect(stored.details.enumerated().allSatisfy { $1.innerNo == Batch.innerNo(batchId: batch.id, seq: $0) })
        #expect(stored.details[1].reason == "RECEIVE_USER_NOT_EXIST" && stored.details[2].reason == "ACCOUNT_NAME_NOT_MATCH" && stored.details[0].reason == nil)
        #expect(Batch.innerNo(batchId: "B", seq: 7) == "B0007" && Batch.innerNo(batchId: "B", seq: 999) == "B0999")
    }
}
