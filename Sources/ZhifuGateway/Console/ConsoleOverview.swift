import Foundation
import ZhifuCore
import ZhifuProtocol

struct ConsoleTotalRow {
    var status: String
    var count: String
    var amount: String
}

struct ConsoleBar {
    var x: Int
    var y: Int
    var width: Int
    var height: Int
    var label: String
}

struct ConsoleAxisLabel {
    var x: Int
    var y: Int
    var text: String
}

/// A bar chart drawn on the server as SVG (readable without scripts); every value goes through the
/// escaping template.
struct ConsoleChart {
    var id: String
    var title: String
    var width: Int
    var height: Int
    var bars: [ConsoleBar]
    var labels: [ConsoleAxisLabel]

    static let plotHeight = 120

    /// One bar per value, scaled to the largest; every `labelEvery`-th label under the axis.
    init(id: String, title: String, values: [(label: String, value: Int64, tip: String)], labelEvery: Int = 1) {
        let barWidth = 18, gap = 4
        let top = max(values.map(\.value).max() ?? 0, 1)
        self.id = id
        self.title = title
        width = max(values.count * (barWidth + gap) + gap, 60)
        height = Self.plotHeight + 30
        bars = values.enumerated().map { index, item in
            let h = Int((Double(item.value) / Double(top) * Double(Self.plotHeight)).rounded())
            return ConsoleBar(x: gap + index * (barWidth + gap), y: Self.plotHeight - h, width: barWidth, height: h, label: item.tip)
        }
        labels = values.enumerated().compactMap { index, item in
            index % labelEvery == 0 ? ConsoleAxisLabel(x: gap + index * (barWidth + gap), y: Self.plotHeight + 14, text: item.label) : nil
        }
    }
}

/// What the overview adds to the home page: totals, and the last 24 hours of gateway time.
struct ConsoleOverview {
    var trades: [ConsoleTotalRow]
    var notifications: [ConsoleTotalRow]
    var charts: [ConsoleChart]

    static let latencyBuckets: [(label: String, below: Int)] = [("<10ms", 10), ("<50ms", 50), ("<100ms", 100), ("<500ms", 500), ("<1s", 1_000),
                                                                ("<5s", 5_000), ("≥5s", .max)]

    static func load(_ gateway: Gateway) async throws -> ConsoleOverview {
        let store = gateway.store
        let trades = try await store.tradeTotals().map { ConsoleTotalRow(status: $0.status, count: String($0.count), amount: Amount(fen: $0.amountFen).description) }
        let notifications = try await store.notificationTotals().map { ConsoleTotalRow(status: $0.status, count: String($0.count), amount: "") }
        // Payments and refunds per hour of the last 24 hours, from the ledger.
        let now = gateway.clock.now
        var paid = [Int64](repeating: 0, count: 24), refunded = [Int64](repeating: 0, count: 24)
        for transfer in try await store.recentTransfers(limit: 10_000) {
            let hoursAgo = Int(now.timeIntervalSince(transfer.createdAt) / 3_600)
            guard (0..<24).contains(hoursAgo) else { continue }
            if transfer.code == .tradePay { paid[23 - hoursAgo] += transfer.amount.fen }
            if transfer.code == .tradeRefund { refunded[23 - hoursAgo] += transfer.amount.fen }
        }
        func hourly(_ fen: [Int64]) -> [(label: String, value: Int64, tip: String)] {
            fen.enumerated().map { index, value in
                let label = index == 23 ? "now" : "-\(23 - index)h"
                return (label, value, "\(label): \(Amount(fen: value))")
            }
        }
        var histogram = [Int64](repeating: 0, count: latencyBuckets.count)
        for latency in try await store.recentAttemptLatencies(limit: 5_000) {
            histogram[latencyBuckets.firstIndex { latency < $0.below } ?? latencyBuckets.count - 1] += 1
        }
        let charts = [
            ConsoleChart(id: "chart-payments", title: "付款金额 / 小时（近24小时）", values: hourly(paid), labelEvery: 6),
            ConsoleChart(id: "chart-refunds", title: "退款金额 / 小时（近24小时）", values: hourly(refunded), labelEvery: 6),
            ConsoleChart(id: "chart-latency", title: "通知耗时分布（最近5000次）",
                         values: zip(latencyBuckets, histogram).map { ($0.label, $1, "\($0.label): \($1)") }),
        ]
        return ConsoleOverview(trades: trades, notifications: notifications, charts: charts)
    }
}
