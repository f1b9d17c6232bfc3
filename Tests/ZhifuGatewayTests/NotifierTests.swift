import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuSDK

/// A merchant's `notify_url`: records every POST and answers from a script (then `success`).
final class NotifySink: Sendable {
    let received = Mutex<[(body: String, contentType: String)]>([])
    let script: Mutex<[(HTTPResponse.Status, String)]>

    init(script: [(HTTPResponse.Status, String)]) { self.script = Mutex(script) }

    func app() -> some ApplicationProtocol {
        let router = Router()
        router.post("/notify") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            self.received.withLock { $0.append((String(buffer: body), request.headers[.contentType] ?? "")) }
            let (status, text) = self.script.withLock { $0.isEmpty ? (.ok, "success") : $0.removeFirst() }
            return Response(status: status, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.post("/redirect") { _, _ in Response(status: .found, headers: [.location: "/notify"]) }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    var count: Int { received.withLock { $0.count } }
}

/// One client for the tests' deliveries; it never follows redirects, like the notifier's own.
let testHTTPClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

@Suite struct NotifierTests {
    func payBatch(_ world: TestWorld, notifyURL: String, signType: SignType = .md5, charset: Charset = .utf8, batchNo: String = "20080107001") async throws {
        try await world.app().test(.router) { client in
            let page = try await client.get(try world.client(signType, charset: charset).requestURL(
                service: "batch_trans_notify",
                world.batchParameters(batchNo: batchNo, records: [("testture0002@126.com", "常炜买家二", "20.00"), ("nobody@zhifu.test", "无名", "1.00")],
                                      notifyURL: notifyURL))).1
            let form = formEncode([("batch_id", inputValue("batch_id", in: page)!), ("token", inputValue("token", in: page)!),
                                   ("account", TestWorld.payerLogon), ("password", TestWorld.payerPassword)])
            _ = try await client.post("/pages/batch_trans/confirm", form: form)
        }
    }

    func notifyVerify(_ world: TestWorld, _ notifyId: String, partner: String = TestWorld.partner) async throws -> String {
        try await world.app().test(.router) { client in
            try await client.get("/gateway.do?service=notify_verify&partner=\(partner)&notify_id=\(notifyId)").1
        }
    }

    @Test func notificationIsRetriedOnTheDocumentedScheduleUntilSuccess() async throws {
        let world = try await TestWorld.make()
        let clock = try #require(world.gateway.manualClock)
        // Seven failures of every kind, then `success`: the eighth try (the last scheduled) acknowledges.
        let sink = NotifySink(script: [(.ok, "fail"), (.internalServerError, "success"), (.ok, "<html>success</html>"), (.notFound, ""),
                                       (.ok, "success\nmore"), (.ok, "SUCCESS"), (.ok, "")])
        try await sink.app().test(.live) { sinkClient in
            let port = try #require(sinkClient.port)
            try await payBatch(world, notifyURL: "http://127.0.0.1:\(port)/notify")
            let notifier = Notifier(gateway: world.gateway)
            let http = testHTTPClient

            #expect(try await notifier.deliverDue(http) == 1, "the first try is at once")
            let batch = try #require(try await world.gateway.store.batch(partner: UserId(TestWorld.partner)!, batchNo: "20080107001"))
            let body = try #require(sink.received.withLock { $0.first })
            let (params, _) = try FormCoding.decode(query: [], body: Array(body.body.utf8))
            let notifyId = try #require(params["notify_id"])
            #expect(body.contentType == "application/x-www-form-urlencoded; charset=utf-8")
            #expect(params["notify_type"] == "batch_trans_notify")
            #expect(params["batch_no"] == "20080107001")
            #expect(params["pay_user_id"] == TestWorld.partner && params["pay_user_name"] == "毛毛")
            #expect(params["pay_account_no"] == TestWorld.partner + "0156")
            let success = try TransResultDetail.parse(params["success_details"]!)
            #expect(success.count == 1 && success[0].payeeName == "常炜买家二" && success[0].innerNo == batch.details[0].innerNo)
            #expect(params["success_details"]!.hasSuffix("|"))
            let failure = try TransResultDetail.parse(params["fail_details"]!)
            #expect(failure.count == 1 && failure[0].reason == "RECEIVE_USER_NOT_EXIST")
            #expect(MAPIClient.isValidNotification(params, verifier: MD5Signer(key: TestWorld.md5Key)))
            #expect(try await notifyVerify(world, notifyId) == "true")

            // 2m, 10m, 10m, 1h, 2h, 6h, 15h: nothing a second early, the next try exactly on time.
            for delay: Int64 in [120, 600, 600, 3_600, 7_200, 21_600, 54_000] {
                let before = sink.count
                clock.advance(seconds: delay - 1)
                #expect(try await notifier.deliverDue(http) == 0, "not due \(delay - 1)s after the last try")
                clock.advance(seconds: 1)
                #expect(try await notifier.deliverDue(http) == 1, "due \(delay)s after the last try")
                #expect(sink.count == before + 1)
            }
            let all = sink.received.withLock { $0 }.map { try! FormCoding.decode(query: [], body: Array($0.body.utf8)).0 }
            #expect(Set(all.map { $0["notify_id"] }).count == 1, "notify_id is the same on every try")
            #expect(Set(all.map { $0["notify_time"] }).count == 8, "notify_time is fresh on every try")
            #expect(all.allSatisfy { MAPIClient.isValidNotification($0, verifier: MD5Signer(key: TestWorld.md5Key)) })

            let attempts = try await world.gateway.store.notificationAttempts(notifyId: notifyId)
            #expect(attempts.count == 8)
            #expect(attempts.map(\.acknowledged) == [false, false, false, false, false, false, false, true])
            #expect(attempts.map(\.httpStatus) == [200, 500, 200, 404, 200, 200, 200, 200])
            #expect(try await world.gateway.store.notification(notifyId: notifyId)?.status == .acknowledged)
            #expect(try await notifyVerify(world, notifyId) == "false")
            clock.advance(seconds: 86_400)
            #expect(try await notifier.deliverDue(http) == 0, "nothing more after success")
        }
    }

    @Test func eightFailuresExhaustTheSchedule() async throws {
        let world = try await TestWorld.make()
        let clock = try #require(world.gateway.manualClock)
        let sink = NotifySink(script: Array(repeating: (.ok, "fail"), count: 20))
        try await sink.app().test(.live) { sinkClient in
            try await payBatch(world, notifyURL: "http://127.0.0.1:\(sinkClient.port!)/notify", signType: .rsa, charset: .gbk)
            let notifier = Notifier(gateway: world.gateway)
            let http = testHTTPClient
            for _ in 0..<10 {
                _ = try await notifier.deliverDue(http)
                clock.advance(seconds: 54_000)
            }
            #expect(sink.count == 8)
            let body = sink.received.withLock { $0[0] }
            #expect(body.contentType.hasSuffix("charset=gbk"))
            let (params, _) = try FormCoding.decode(query: [], body: Array(body.body.utf8), defaultCharset: .gbk)
            #expect(params["pay_user_name"] == "毛毛")
            #expect(params["sign_type"] == "RSA")
            let verifier = try RSAVerifier(key: world.gateway.privateKey.publicKey, signType: .rsa)
            #expect(MAPIClient.isValidNotification(params, verifier: verifier, charset: .gbk), "RSA notifications are signed with the gateway key")
            let notification = try #require(try await world.gateway.store.notification(notifyId: params["notify_id"]!))
            #expect(notification.status == .exhausted && notification.attempts == 8)
        }
    }

    @Test func redirectsAndRefusedConnectionsAreFailures() async throws {
        let world = try await TestWorld.make()
        let sink = NotifySink(script: [])
        try await sink.app().test(.live) { sinkClient in
            try await payBatch(world, notifyURL: "http://127.0.0.1:\(sinkClient.port!)/redirect")
            _ = try await Notifier(gateway: world.gateway).deliverDue(testHTTPClient)
            #expect(sink.count == 0, "the redirect is not followed")
        }
        let refused = try await TestWorld.make()
        try await payBatch(refused, notifyURL: "http://127.0.0.1:9/notify")
        _ = try await Notifier(gateway: refused.gateway).deliverDue(testHTTPClient)
        for world in [world, refused] {
            let id = try #require(try await world.gateway.store.claimDueNotifications(now: world.gateway.clock.now.addingTimeInterval(3_600), limit: 1, leaseSeconds: 1).first?.notifyId)
            let attempts = try await world.gateway.store.notificationAttempts(notifyId: id)
            #expect(attempts.count == 1 && !attempts[0].acknowledged)
            #expect(try await world.gateway.store.notification(notifyId: id)?.attempts == 1)
        }
        let redirected = try await world.gateway.store.notificationAttempts(notifyId: try #require(
            try await world.gateway.store.claimDueNotifications(now: world.gateway.clock.now.addingTimeInterval(7_200), limit: 1, leaseSeconds: 1).first?.notifyId))
        #expect(redirected[0].httpStatus == 302)
    }

    @Test func notifyVerifyAnswersInvalidForMalformedParametersAndFalseForOthersIds() async throws {
        let world = try await TestWorld.make()
        try await payBatch(world, notifyURL: "http://127.0.0.1:9/notify")
        let due = try await world.gateway.store.claimDueNotifications(now: world.gateway.clock.now, limit: 10, leaseSeconds: 1)
        let notifyId = try #require(due.first?.notifyId)
        #expect(try await notifyVerify(world, notifyId) == "true")
        #expect(try await notifyVerify(world, notifyId, partner: "2088102000000001") == "false")
        #expect(try await notifyVerify(world, "unknown") == "false")
        #expect(try await notifyVerify(world, notifyId, partner: "x") == "invalid")
        #expect(try await notifyVerify(world, "") == "invalid")
    }

    /// A partner's MD5 key that cannot be read (here its column is gone) is no fault of the
    /// merchant's endpoint: nothing is sent and no try is counted; once the key reads again and the
    /// claim's lease has ended, the notification is delivered, signed with the key. The partner's
    /// RSA notifications, which need no MD5 key, go out meanwhile.
    @Test(arguments: WorldStore.available)
    func anUnreadableMD5KeyCountsNoTry(store: WorldStore) async throws {
        let world = try await TestWorld.make(store: store, onDisk: true)
        let clock = try #require(world.gateway.manualClock)
        let sink = NotifySink(script: [])
        try await sink.app().test(.live) { sinkClient in
            func notification(_ signType: SignType, batchNo: String) -> OutboxNotification {
                OutboxNotification(notifyId: Hex.lowercase(SecureRandom.bytes(16)), partner: UserId(TestWorld.partner)!,
                                   notifyURL: "http://127.0.0.1:\(sinkClient.port!)/notify", notifyType: "batch_trans_notify", protocol: .mapi,
                                   signType: signType, charset: .utf8, parameters: Parameters([("batch_no", batchNo)]),
                                   nextAttemptAt: clock.now, createdAt: clock.now)
            }
            let md5 = notification(.md5, batchNo: "20080107009"), rsa = notification(.rsa, batchNo: "20080107010")
            try await world.gateway.store.insertNotifications([md5, rsa])
            try await world.tamper("ALTER TABLE merchants RENAME COLUMN md5_key TO md5_key_away")
            let notifier = Notifier(gateway: world.gateway)
            #expect(try await notifier.deliverDue(testHTTPClient) == 1, "the RSA notification only")
            #expect(sink.count == 1)
            #expect(try await world.gateway.store.notification(notifyId: rsa.notifyId)?.status == .acknowledged)
            #expect(try await world.gateway.store.notificationAttempts(notifyId: md5.notifyId).isEmpty, "no try is recorded")
            #expect(try await world.gateway.store.notification(notifyId: md5.notifyId)?.attempts == 0)

            try await world.tamper("ALTER TABLE merchants RENAME COLUMN md5_key_away TO md5_key")
            #expect(try await notifier.deliverDue(testHTTPClient) == 0, "the claim's lease still holds")
            clock.advance(seconds: Notifier.Configuration().leaseSeconds + 1)
            #expect(try await notifier.deliverDue(testHTTPClient) == 1)
            let body = try #require(sink.received.withLock { $0.last?.body })
            let (params, _) = try FormCoding.decode(query: [], body: Array(body.utf8))
            #expect(params["notify_id"] == md5.notifyId)
            #expect(MAPIClient.isValidNotification(params, verifier: MD5Signer(key: TestWorld.md5Key)))
            #expect(try await world.gateway.store.notification(notifyId: md5.notifyId)?.status == .acknowledged)
        }
    }

    /// The service keeps claiming while a try hangs: a notification that falls due later reaches its
    /// endpoint and is acknowledged before the hanging one returns (rounds waited for their slowest).
    @Test func aHangingEndpointHoldsOnlyItsOwnSlot() async throws {
        let world = try await TestWorld.make()
        let gate = AsyncStream<Void>.makeStream()
        let slowArrived = Mutex(false)
        let router = Router()
        router.post("/slow") { _, _ in
            slowArrived.withLock { $0 = true }
            for await _ in gate.stream { break }
            return "success"
        }
        router.post("/notify") { _, _ in "success" }
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { sink in
            func notification(_ path: String) -> OutboxNotification {
                OutboxNotification(notifyId: Hex.lowercase(SecureRandom.bytes(16)), partner: UserId(TestWorld.partner)!,
                                   notifyURL: "http://127.0.0.1:\(sink.port!)\(path)", notifyType: "batch_trans_notify", protocol: .mapi,
                                   signType: .rsa, charset: .utf8, parameters: Parameters([("batch_no", path)]),
                                   nextAttemptAt: world.gateway.clock.now, createdAt: world.gateway.clock.now)
            }
            let slow = notification("/slow"), fast = notification("/notify")
            try await world.gateway.store.insertNotifications([slow])
            let service = Task { await Notifier(gateway: world.gateway).deliverContinuously(testHTTPClient) }
            func waitFor(_ condition: () async throws -> Bool) async throws -> Bool {
                for _ in 0..<200 {
                    if try await condition() { return true }
                    try await Task.sleep(for: .milliseconds(50))
                }
                return false
            }
            #expect(try await waitFor { slowArrived.withLock { $0 } })
            try await world.gateway.store.insertNotifications([fast])
            #expect(try await waitFor { try await world.gateway.store.notification(notifyId: fast.notifyId)?.status == .acknowledged },
                    "the later notification is delivered while the first still hangs")
            gate.continuation.finish()
            #expect(try await waitFor { try await world.gateway.store.notification(notifyId: slow.notifyId)?.status == .acknowledged })
            service.cancel()
            _ = await service.value
        }
    }
}
