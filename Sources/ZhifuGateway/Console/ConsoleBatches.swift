import Foundation
import Hummingbird
import ZhifuCore
import ZhifuProtocol

/// One batch of any kind on the console: batch pay (`batch_trans_notify`), batch refund
/// (`refund_fastpay_by_platform_pwd`) or a bank payout file (`bptb_*`).
struct ConsoleBatch: Encodable {
    struct Record: Encodable {
        var serialNo, payee, amount, status, reason: String
        var failed: Bool
    }

    var kind: String
    var kindLabel: String
    var id: String
    /// batch_no, or the uploaded file's name.
    var reference: String
    var partner: String
    var status: String
    var created: String
    var count: Int
    var succeeded: Int
    var failed: Int
    var amount: String
    var records: [Record]

    static let kinds = ["trans": "批量付款到支付宝账户", "refund": "批量退款", "bptb": "批量付款到银行账户"]

    init(_ batch: Batch, calendar: BusinessCalendar) {
        kind = "trans"; kindLabel = Self.kinds[kind]!; id = batch.id; reference = batch.batchNo; partner = batch.partner.rawValue
        status = batch.status.rawValue; created = calendar.timestamp(batch.createdAt)
        records = batch.details.map {
            Record(serialNo: $0.detail.serialNo, payee: "\($0.detail.payeeAccount) \($0.detail.payeeName)", amount: $0.detail.amount.description,
                   status: $0.status.rawValue, reason: $0.reason ?? "", failed: $0.status == .failure)
        }
        count = records.count; succeeded = batch.details.filter { $0.status == .success }.count; failed = records.filter(\.failed).count
        amount = Amount(fen: batch.details.reduce(0) { $0 + $1.detail.amount.fen }).description
    }

    init(_ batch: RefundBatch, calendar: BusinessCalendar) {
        kind = "refund"; kindLabel = Self.kinds[kind]!; id = batch.id; reference = batch.batchNo; partner = batch.partner.rawValue
        status = batch.status.rawValue; created = calendar.timestamp(batch.createdAt)
        records = batch.records.map {
            Record(serialNo: $0.tradeNo, payee: "交易退款", amount: $0.tradeNoAmount.description, status: $0.result ?? "PENDING",
                   reason: $0.reason + ($0.feeRefund.map { " · 返还服务费 \($0.amount) → \($0.account)" } ?? ""),
                   failed: $0.result.map { $0 != RefundBatchRecord.success } ?? false)
        }
        count = records.count; succeeded = batch.successCount; failed = records.filter(\.failed).count
        amount = batch.refundTotal.description
    }

    init(_ file: BptbFile, calendar: BusinessCalendar) {
        kind = "bptb"; kindLabel = Self.kinds[kind]!; id = file.id; reference = file.fileName; partner = file.partner.rawValue
        status = file.status.rawValue; created = calendar.timestamp(file.uploadedAt)
        records = file.rows.map {
            Record(serialNo: $0.serialNo, payee: "\($0.accountNo) \($0.payeeName) \($0.bankName)", amount: $0.amount?.description ?? $0.amountText,
                   status: $0.status.rawValue, reason: $0.failure ?? $0.bounceReason ?? "", failed: $0.status == .invalid || $0.status == .bounced)
        }
        count = records.count; succeeded = file.rows.filter { $0.status == .paid }.count; failed = records.filter(\.failed).count
        amount = file.validTotal.description
    }
}

struct ConsoleBatchesModel {
    var csrf: String
    var batches: [ConsoleBatch]
}

struct ConsoleBatchModel {
    var csrf: String
    var batch: ConsoleBatch
    var notifications: [ConsoleNotificationRow]
}

/// `/console/batches`: every kind of batch, newest first, with counts of records paid and failed;
/// a batch's page lists each record with its outcome and the notifications about it, and links to
/// its transfers on the ledger.
extension ConsoleRoutes {
    func registerBatches(on router: Router<GatewayRequestContext>) {
        router.get("/console/batches") { request, _ in
            try await withSession(request) { current, _ in
                Pages.render("console_batches", ConsoleBatchesModel(csrf: session.csrfToken(for: current), batches: try await actions.recentBatches(limit: 50)),
                             title: "批次")
            }
        }
        router.get("/console/batches/:kind/:id") { request, context in
            try await withSession(request) { current, _ in
                guard let batch = try await actions.batch(kind: context.parameters.get("kind") ?? "", id: context.parameters.get("id") ?? "") else {
                    throw HTTPError(.notFound)
                }
                let csrf = session.csrfToken(for: current)
                var notifications: [ConsoleNotificationRow] = []
                for n in try await gateway.store.notifications(reference: batch.reference) where n.partner.rawValue == batch.partner {
                    notifications.append(ConsoleNotificationRow(n, tries: try await gateway.store.notificationAttempts(notifyId: n.notifyId), csrf: csrf,
                                                                calendar: calendar))
                }
                return Pages.render("console_batch", ConsoleBatchModel(csrf: csrf, batch: batch, notifications: notifications),
                                    title: batch.kindLabel + " " + batch.reference)
            }
        }
    }

}

/// Shared by the console and the admin API.
extension OperatorActions {
    var calendar: BusinessCalendar { gateway.configuration.calendar }

    /// The newest `limit` of each kind, merged newest first.
    func recentBatches(limit: Int) async throws -> [ConsoleBatch] {
        var batches: [ConsoleBatch] = []
        for id in try await gateway.store.recentBatchIds(limit: limit) {
            if let batch = try await gateway.store.batch(id: id) { batches.append(ConsoleBatch(batch, calendar: calendar)) }
        }
        for id in try await gateway.store.recentRefundBatchIds(limit: limit) {
            if let batch = try await gateway.store.refundBatch(id: id) { batches.append(ConsoleBatch(batch, calendar: calendar)) }
        }
        for id in try await gateway.store.recentBptbFileIds(limit: limit) {
            if let file = try await gateway.store.bptbFile(id: id) { batches.append(ConsoleBatch(file, calendar: calendar)) }
        }
        return Array(batches.sorted { ($0.created, $0.id) > ($1.created, $1.id) }.prefix(limit))
    }

    func batch(kind: String, id: String) async throws -> ConsoleBatch? {
        guard id.utf8.count <= 64 else { return nil }
        switch kind {
        case "trans": return try await gateway.store.batch(id: id).map { ConsoleBatch($0, calendar: calendar) }
        case "refund": return try await gateway.store.refundBatch(id: id).map { ConsoleBatch($0, calendar: calendar) }
        case "bptb": return try await gateway.store.bptbFile(id: id).map { ConsoleBatch($0, calendar: calendar) }
        default: return nil
        }
    }
}
