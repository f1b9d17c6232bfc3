import Foundation
import ZhifuCore
import ZhifuProtocol

/// What the console's templates show; every value is text, escaped by the templates.
struct ConsoleLoginModel {
    var error: String?
}

struct ConsoleTradeRow {
    var tradeNo: String
    var outTradeNo: String
    var status: String
    var amount: String
    var createdAt: String
}

struct ConsoleAttemptRow {
    var attemptedAt: String
    var httpStatus: String
    var latency: String
    var answer: String
    var error: String?
    var acknowledged: Bool
}

struct ConsoleNotificationRow {
    var notifyId: String
    var notifyType: String
    var notifyURL: String
    var status: String
    var attempts: String
    var nextAttemptAt: String
    var reference: String?
    var tries: [ConsoleAttemptRow]
    var csrf: String
}

struct ConsoleEvent {
    var time: String
    var what: String
}

struct ConsoleHomeModel {
    var csrf: String
    var now: String
    var store: String
    var manualClock: Bool
    var audit: String?
    var auditBalanced: Bool
    var trades: [ConsoleTradeRow]
    var notifications: [ConsoleNotificationRow]
    var overview: ConsoleOverview
}

struct ConsoleTradeModel {
    var csrf: String
    var trade: ConsoleTradeRow
    var subject: String
    var buyer: String
    var events: [ConsoleEvent]
    var notifications: [ConsoleNotificationRow]
}

struct ConsoleNotificationsModel {
    var csrf: String
    var filter: String
    var type: String
    var url: String
    var notifications: [ConsoleNotificationRow]
}

extension ConsoleTradeRow {
    init(_ trade: Trade, calendar: BusinessCalendar) {
        self.init(tradeNo: trade.tradeNo, outTradeNo: trade.outTradeNo, status: trade.status.rawValue, amount: trade.amount.description,
                  createdAt: calendar.timestamp(trade.createdAt))
    }
}

extension ConsoleNotificationRow {
    init(_ n: OutboxNotification, tries: [NotificationAttempt], csrf: String, calendar: BusinessCalendar) {
        self.init(notifyId: n.notifyId, notifyType: n.notifyType, notifyURL: n.notifyURL, status: n.status.rawValue, attempts: String(n.attempts),
                  nextAttemptAt: n.status == .pending ? calendar.timestamp(n.nextAttemptAt) : "—",
                  // Linked to the trade's page: only trades have one (batches link from their own page).
                  reference: n.parameters["trade_no"],
                  tries: tries.map {
                      ConsoleAttemptRow(attemptedAt: calendar.timestamp($0.attemptedAt), httpStatus: $0.httpStatus.map(String.init) ?? "—",
                                        latency: "\($0.latencyMilliseconds) ms", answer: String($0.bodyPrefix.prefix(500)), error: $0.error,
                                        acknowledged: $0.acknowledged)
                  }, csrf: csrf)
    }
}
