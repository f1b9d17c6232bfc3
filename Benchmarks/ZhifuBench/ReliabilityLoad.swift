import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import ZhifuCore
import ZhifuGateway
import ZhifuProtocol
import ZhifuStoreSQLite

/// The merchant of the reliability run: signs `alipay.trade.pay` with the demo app's RSA2 key and
/// sends it to a node; the buyer's phone is played by inserting a payment code into the store.
struct PayClient: Sendable {
    enum Outcome {
        case acknowledged(milliseconds: Double)
        case refused
        case unanswered
    }

    let signer: RSASigner
    let notifyURL: String?
    let http: HTTPClient
    let runId = SecureRandom.alphanumeric(6)

    init(keyFile: String, notifyURL: String?, http: HTTPClient) throws {
        signer = try RSASigner(key: try PrivateKey(text: String(contentsOfFile: keyFile, encoding: .utf8)), signType: .rsa2)
        self.notifyURL = notifyURL
        self.http = http
    }

    /// A payment code of a funded demo buyer, valid for a day.
    func issueCode(_ store: any Store, buyer: Int) async throws -> String {
        let buyers = DemoData.fundedBuyers
        let code = PaymentCode(code: "28" + SecureRandom.digits(16), buyer: buyers[buyer % buyers.count], expiresAt: Date().addingTimeInterval(86_400))
        try await store.insertPaymentCode(code)
        return code.code
    }

    func pay(_ node: Node, outTradeNo: String, code: String) async -> Outcome {
        var parameters = Parameters([("app_id", DemoData.demoAppId), ("method", "alipay.trade.pay"), ("format", "JSON"), ("charset", "utf-8"),
                                     ("sign_type", "RSA2"), ("timestamp", BusinessCalendar().timestamp(Date())), ("version", "1.0"),
                                     ("biz_content", #"{"out_trade_no":"\#(outTradeNo)","scene":"bar_code","auth_code":"\#(code)","subject":"reliability","total_amount":"0.01"}"#)])
        if let notifyURL { parameters["notify_url"] = notifyURL }
        guard let content = Charset.utf8.encode(SignContent.openAPIRequest(parameters)), let signature = try? signer.sign(content) else { return .refused }
        parameters["sign"] = signature
        var request = HTTPClientRequest(url: node.baseURL + "/gateway.do")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded;charset=utf-8")
        request.body = .bytes(ByteBuffer(string: FormCoding.encode(parameters, charset: .utf8) ?? ""))
        let sent = ContinuousClock.now
        do {
            let response = try await http.execute(request, timeout: .seconds(30))
            let body = String(buffer: try await response.body.collect(upTo: 1 << 16))
            return body.contains(#""code":"10000""#) ? .acknowledged(milliseconds: milliseconds(ContinuousClock.now - sent)) : .refused
        } catch {
            return .unanswered
        }
    }

    /// `concurrency` merchants paying on random nodes until `seconds` have passed.
    func load(seconds: Int, concurrency: Int, nodes: [Node], store: any Store) async -> LoadFigures {
        let next = Counter()
        let deadline = ContinuousClock.now + .seconds(seconds)
        return await withTaskGroup(of: LoadFigures.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var mine = LoadFigures()
                    while ContinuousClock.now < deadline {
                        let n = next.value.add(1, ordering: .relaxed).oldValue
                        guard let code = try? await issueCode(store, buyer: n) else {
                            mine.codesNotIssued += 1
                            try? await Task.sleep(for: .milliseconds(100))
                            continue
                        }
                        let outTradeNo = "rel-\(runId)-\(n)"
                        mine.record(outTradeNo, await pay(nodes.randomElement()!, outTradeNo: outTradeNo, code: code))
                        if case .unanswered = mine.last { try? await Task.sleep(for: .milliseconds(50)) }
                    }
                    return mine
                }
            }
            return await group.reduce(into: LoadFigures()) { $0.merge($1) }
        }
    }

    func advanceClock(_ node: Node, seconds: Int) async throws {
        try await Self.advanceClock(node, seconds: seconds, http: http)
    }

    static func advanceClock(_ node: Node, seconds: Int, http: HTTPClient) async throws {
        var request = HTTPClientRequest(url: node.baseURL + "/sandbox/clock/advance?seconds=\(seconds)")
        request.method = .POST
        let response = try await http.execute(request, timeout: .seconds(10))
        guard response.status == .ok else { throw ReliabilityFailure("advancing the sandbox clock answered \(response.status)") }
    }
}

extension LoadFigures {
    mutating func record(_ outTradeNo: String, _ outcome: PayClient.Outcome) {
        switch outcome {
        case .acknowledged(let latency): acknowledged.append(outTradeNo); latencies.append(latency)
        case .refused: refused.append(outTradeNo)
        case .unanswered: unanswered.append(outTradeNo)
        }
        last = outcome
    }
}

/// An SQLite node whose file system fills up: payments are refused cleanly while it is full, the
/// node stays up, and once space is freed it pays again without a restart; nothing acknowledged is lost.
struct DiskFullPhase {
    let directory: String
    let http: HTTPClient

    func run() async throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard shell("mount -t tmpfs -o size=4m,mode=0700 tmpfs '\(directory)' 2>/dev/null") == 0 else {
            line("Disk full: skipped (could not mount a tmpfs; it needs root)")
            return []
        }
        defer { shell("umount -l '\(directory)'") }
        let node = try Node(index: 0, arguments: ["--data-dir", directory + "/data", "--clock", "manual"])
        try node.start()
        defer { node.stop() }
        try await node.waitUntilHealthy(http)
        let client = try PayClient(keyFile: directory + "/data/keys/app_private.pem", notifyURL: nil, http: http)
        let store = try SQLiteStore(path: directory + "/data/zhifu.sqlite")
        defer { Task { try? await store.close() } }

        // The buyer's app issues codes until the file system refuses the next one.
        var codes: [String] = []
        while codes.count < 1_000_000, let code = try? await client.issueCode(store, buyer: codes.count) { codes.append(code) }
        var whileFull = LoadFigures(), afterFreeing = LoadFigures()
        for n in 0..<40 where !codes.isEmpty {
            whileFull.record("full-\(client.runId)-\(n)", await client.pay(node, outTradeNo: "full-\(client.runId)-\(n)", code: codes.removeLast()))
        }
        let healthWhileFull = (try? await http.execute(HTTPClientRequest(url: node.baseURL + "/health"), timeout: .seconds(5)))?.status.code
        shell("mount -o remount,size=64m '\(directory)'")
        for n in 0..<40 where !codes.isEmpty {
            afterFreeing.record("freed-\(client.runId)-\(n)", await client.pay(node, outTradeNo: "freed-\(client.runId)-\(n)", code: codes.removeLast()))
        }
        var lost = 0
        for outTradeNo in whileFull.acknowledged + afterFreeing.acknowledged {
            if try await store.trade(partner: DemoData.merchantPartner, outTradeNo: outTradeNo)?.status != .tradeSuccess { lost += 1 }
        }
        let audit = try await store.audit()
        line("Disk full: an SQLite node on a 4 MiB tmpfs, filled with \(codes.count + 80) payment codes until the file system refused")
        line("  while full: \(whileFull.acknowledged.count) of 40 payments acknowledged, \(whileFull.refused.count) refused with an error answer, "
              + "\(whileFull.unanswered.count) unanswered; /health answered \(healthWhileFull.map(String.init) ?? "nothing")")
        line("  after growing the tmpfs to 64 MiB, no restart: \(afterFreeing.acknowledged.count) of 40 acknowledged")
        line("  lost: \(lost) acknowledged payments; node crashes \(node.crashes); audit: \(audit)")
        var failures: [String] = []
        if lost > 0 { failures.append("disk full: \(lost) acknowledged payments lost") }
        if node.crashes > 0 { failures.append("disk full: the node crashed") }
        if afterFreeing.acknowledged.isEmpty { failures.append("disk full: no payment after space was freed") }
        if !audit.isBalanced { failures.append("disk full: ledger not balanced") }
        return failures
    }
}
