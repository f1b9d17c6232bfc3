import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import ZhifuCore
import ZhifuProtocol

/// Delivers the outbox: POSTs each due notification to its `notify_url`, signed, and retries on the
/// documented schedule until the body, trimmed, is exactly `success`.
///
/// A Hummingbird/ServiceLifecycle `Service`. It keeps no state of its own: what is due is in the
/// store, so a restart (or another node) picks up where this one stopped. Claimed rows are leased
/// so that two workers never deliver the same try at once.
public struct Notifier: Service {
    public struct Configuration: Sendable {
        /// Deliveries in flight at once.
        public var concurrency = 64
        /// Per-try limit, connect and response together.
        public var timeoutSeconds: Int64 = 15
        /// How often the outbox is read when nothing is happening.
        public var pollMilliseconds: Int64 = 100
        /// How long a claim is this node's (gateway time): two tries' limits and a margin, so that a
        /// try in flight is recorded before another node may take the notification again.
        public var leaseSeconds: Int64 { timeoutSeconds * 2 + 30 }
        public init() {}
    }

    let gateway: Gateway
    let configuration: Configuration
    let logger: Logger

    public init(gateway: Gateway, configuration: Configuration = .init(), logger: Logger = Logger(label: "zhifu.notifier")) {
        self.gateway = gateway
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        var clientConfiguration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        clientConfiguration.timeout = .init(connect: .seconds(configuration.timeoutSeconds), read: .seconds(configuration.timeoutSeconds))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        do {
            try await cancelWhenGracefulShutdown { try await loop(client) }
        } catch is CancellationError {}
        try await client.shutdown()
    }

    private func loop(_ client: HTTPClient) async throws {
        _ = await deliverContinuously(client)
    }

    /// What `deliverContinuously`'s tasks answer: a try's outcome, or that the poll interval passed.
    private enum Event: Sendable {
        case tried(NotificationOutcome)
        case tick
    }

    /// Keeps up to `concurrency` tries in flight until cancelled (or, with `untilIdle`, until nothing
    /// is due or in flight); returns how many tries were made. A slow endpoint holds only its own
    /// slot: more is claimed whenever half the slots have finished, or the poll interval has passed
    /// with a slot free, and the finished tries are recorded at that moment, so the store's
    /// transactions overlap the tries still in flight instead of standing between rounds.
    @discardableResult
    public func deliverContinuously(_ client: HTTPClient, untilIdle: Bool = false) async -> Int {
        let limit = configuration.concurrency, poll = Duration.milliseconds(configuration.pollMilliseconds)
        return await withTaskGroup(of: Event.self) { group in
            var tries = 0, inFlight = 0, ticking = false
            var finished: [NotificationOutcome] = []
            var lastClaim = ContinuousClock.now - poll
            while true {
                if finished.count >= limit / 2 || inFlight == 0 || (inFlight < limit && ContinuousClock.now - lastClaim >= poll) {
                    await record(finished)
                    finished.removeAll(keepingCapacity: true)
                    let claimed = Task.isCancelled ? [] : await claim(limit: limit - inFlight)
                    lastClaim = ContinuousClock.now
                    for (notification, md5Key) in claimed {
                        group.addTask { .tried(await deliver(notification, md5Key: md5Key, client: client)) }
                    }
                    inFlight += claimed.count
                    tries += claimed.count
                    if inFlight == 0, untilIdle || Task.isCancelled {
                        group.cancelAll()
                        return tries
                    }
                }
                if !ticking, inFlight < limit, !Task.isCancelled {
                    ticking = true
                    group.addTask { try? await Task.sleep(for: poll); return .tick }
                }
                switch await group.next() {
                case .tried(let outcome)?:
                    inFlight -= 1
                    finished.append(outcome)
                case .tick?: ticking = false
                case nil: break
                }
            }
        }
    }

    /// Delivers what is due now, in one round (the tests' step by step); returns how many tries were made.
    @discardableResult
    public func deliverDue(_ client: HTTPClient) async throws -> Int {
        let claimed = await claim(limit: configuration.concurrency)
        let outcomes = await withTaskGroup(of: NotificationOutcome.self) { group in
            for (notification, md5Key) in claimed {
                group.addTask { await deliver(notification, md5Key: md5Key, client: client) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        await record(outcomes)
        return claimed.count
    }

    /// Records tries' outcomes. On failure the claims' leases expire and the tries are made again:
    /// at least once, never lost.
    private func record(_ outcomes: [NotificationOutcome]) async {
        guard !outcomes.isEmpty else { return }
        do {
            try await gateway.notifications.record(outcomes)
        } catch {
            logger.error("recording \(outcomes.count) tries failed: \(error)")
        }
    }

    /// Claims (leases) up to `limit` due notifications, each with where it goes and its MD5 key.
    private func claim(limit: Int) async -> [(OutboxNotification, md5Key: String?)] {
        let due: [OutboxNotification]
        do {
            due = try await gateway.notifications.claimDue(limit: limit, leaseSeconds: configuration.leaseSeconds)
        } catch {
            logger.error("reading the outbox failed: \(error)")
            return []
        }
        guard !due.isEmpty else { return [] }
        for _ in due { FaultInjection.reached(FaultInjection.notificationClaimed) }
        // The operator's settings: a held merchant's claims are left to expire (no try counted), a
        // redirected one's go to the redirect URL.
        let settings: [UserId: MerchantNotifySettings]
        do {
            settings = try await gateway.notifySettings.value(0) {
                Dictionary(try await gateway.store.notifySettings().map { ($0.partner, $0) }, uniquingKeysWith: { $1 })
            } ?? [:]
        } catch {
            logger.error("reading notify settings failed: \(error)")
            return []
        }
        let sendable = due.compactMap { notification -> OutboxNotification? in
            guard let setting = settings[notification.partner] else { return notification }
            guard let destination = setting.destination(of: notification) else { return nil }
            var redirected = notification
            redirected.notifyURL = destination
            return redirected
        }
        // MD5 keys are the partners' own: each partner once per round, not once per try, from the
        // node's merchants as requests are verified against them (a rotated key within a second).
        // A key that cannot be read (a store error, a corrupt row) is no fault of the merchant's
        // endpoint: the partner's MD5 claims are left to expire, counting no try, and tried again then.
        var md5Keys: [UserId: String] = [:]
        var unreadable: Set<UserId> = []
        for partner in Set(sendable.filter { $0.signType == .md5 }.map(\.partner)) {
            do {
                md5Keys[partner] = try await gateway.merchant(partner: partner)?.md5Key
            } catch {
                if !(error is CancellationError) {
                    logger.error("reading partner \(partner)'s MD5 key failed, its MD5 notifications wait for their leases to end: \(error)")
                }
                unreadable.insert(partner)
            }
        }
        return sendable.filter { !($0.signType == .md5 && unreadable.contains($0.partner)) }.map { ($0, md5Keys[$0.partner]) }
    }

    /// One try: sign with fresh `notify_time`, POST; returns the outcome and when to try next.
    func deliver(_ notification: OutboxNotification, md5Key: String?, client: HTTPClient) async -> NotificationOutcome {
        let started = ContinuousClock.now
        let attemptedAt = gateway.clock.now
        let (status, body, failure): (Int?, String, String?)
        if let rule = await notifyFaultRule(notification.notifyURL) {
            // The console's fault rule answers for the merchant's endpoint; nothing is sent.
            (status, body, failure) = rule.answer == "timeout" ? (nil, "", "timeout (fault rule \(rule.id))") : (Int(rule.answer), rule.body ?? "", nil)
        } else {
            (status, body, failure) = await post(notification, md5Key: md5Key, at: attemptedAt, client: client)
        }
        let acknowledged = status == 200 && body.trimmingCharacters(in: .whitespacesAndNewlines) == "success"
        let elapsed = ContinuousClock.now - started
        let attempt = NotificationAttempt(
            notifyId: notification.notifyId, attemptedAt: attemptedAt, httpStatus: status, bodyPrefix: String(body.prefix(256)),
            latencyMilliseconds: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000),
            error: failure.map { String($0.prefix(256)) }, acknowledged: acknowledged)
        let next = acknowledged ? nil : OutboxNotification.nextAttempt(after: notification.attempts + 1, at: attemptedAt, protocol: notification.protocol)
        return NotificationOutcome(attempt: attempt, triesBefore: notification.attempts, nextAttemptAt: next)
    }

    /// The console's fault rule that answers for `notifyURL`, if one fires. Rules are the operator's
    /// test aid: when they cannot be read, the try goes to the real endpoint and the error is logged.
    private func notifyFaultRule(_ notifyURL: String) async -> FaultRule? {
        do {
            return try await FaultRules(gateway: gateway).fire(.notify, notifyURL)
        } catch {
            if !(error is CancellationError) { logger.error("reading fault rules failed, the try goes to the endpoint: \(error)") }
            return nil
        }
    }

    /// A one-off try outside the outbox (the console's replay to another URL): what the endpoint answered.
    func replay(_ notification: OutboxNotification, md5Key: String?) async -> String {
        let (status, body, failure) = await post(notification, md5Key: md5Key, at: gateway.clock.now, client: HTTPClient.shared)
        return failure ?? "HTTP \(status ?? 0) \(body.prefix(500))"
    }

    /// The POST itself: the HTTP status and body, or why there was none.
    private func post(_ notification: OutboxNotification, md5Key: String?, at attemptedAt: Date, client: HTTPClient) async -> (Int?, String, String?) {
        do {
            let form = try signedForm(notification, md5Key: md5Key, at: attemptedAt)
            var request = HTTPClientRequest(url: notification.notifyURL)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=\(notification.charset.rawValue)")
            request.headers.add(name: "User-Agent", value: "Zhifu-Notifier")
            request.body = .bytes(ByteBuffer(string: form))
            let response = try await client.execute(request, timeout: .seconds(configuration.timeoutSeconds))
            let bytes = try await response.body.collect(upTo: 64 * 1024)
            return (Int(response.status.code), String(decoding: bytes.readableBytesView, as: UTF8.self), nil)
        } catch {
            return (nil, "", "\(error)")
        }
    }

    /// The form body: business parameters plus notify_time, notify_type, notify_id, then sign and
    /// sign_type, in the request's charset. Public so that tests can see exactly what is sent.
    public func signedForm(_ notification: OutboxNotification, md5Key: String? = nil, at time: Date? = nil) throws -> String {
        let time = time ?? gateway.clock.now
        var parameters = notification.parameters
        parameters["notify_time"] = gateway.configuration.calendar.timestamp(time)
        parameters["notify_type"] = notification.notifyType
        parameters["notify_id"] = notification.notifyId
        let signer = try gateway.notificationSigner(notification, md5Key: md5Key)
        let text = notification.protocol == .mapi ? SignContent.mapi(parameters) : SignContent.openAPINotification(parameters)
        guard let content = notification.charset.encode(text) else { throw SigningError.signingFailed }
        parameters["sign"] = try signer.sign(content)
        parameters["sign_type"] = notification.signType.rawValue
        guard let form = FormCoding.encode(parameters, charset: notification.charset) else { throw SigningError.signingFailed }
        return form
    }
}
