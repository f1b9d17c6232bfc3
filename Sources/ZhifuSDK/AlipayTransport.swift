import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// One request to the gateway, as ZhifuSDK sends it.
public struct AlipayHTTPRequest: Sendable, Equatable {
    /// `GET` or `POST`.
    public var method: String
    public var url: String
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, url: String, headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method; self.url = url; self.headers = headers; self.body = body
    }
}

/// The gateway's answer: its status and the exact bytes of its body (signatures are checked over them).
public struct AlipayHTTPResponse: Sendable, Equatable {
    public var status: Int
    public var body: [UInt8]

    public init(status: Int, body: [UInt8]) { self.status = status; self.body = body }
}

/// How ZhifuSDK reaches the gateway. ``HTTPClientTransport`` (AsyncHTTPClient) is the default;
/// supply your own to use another HTTP stack (a Vapor `Client`, URLSession) or to record, replay
/// or fail exchanges in your tests. Signing and verification stay in the SDK either way.
public protocol AlipayTransport: Sendable {
    func send(_ request: AlipayHTTPRequest) async throws -> AlipayHTTPResponse
}

/// AsyncHTTPClient, with a deadline per request and a cap on the answer's size.
public struct HTTPClientTransport: AlipayTransport {
    public let httpClient: HTTPClient
    public var timeout: TimeAmount
    /// Larger answers are refused: Alipay's largest responses are far smaller.
    public var maximumResponseBytes: Int

    public init(httpClient: HTTPClient = .shared, timeout: TimeAmount = .seconds(30), maximumResponseBytes: Int = 8 << 20) {
        self.httpClient = httpClient; self.timeout = timeout; self.maximumResponseBytes = maximumResponseBytes
    }

    public func send(_ request: AlipayHTTPRequest) async throws -> AlipayHTTPResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) { outgoing.headers.add(name: name, value: value) }
        if !request.body.isEmpty { outgoing.body = .bytes(ByteBuffer(bytes: request.body)) }
        let response = try await httpClient.execute(outgoing, timeout: timeout)
        let body = try await response.body.collect(upTo: maximumResponseBytes)
        return AlipayHTTPResponse(status: Int(response.status.code), body: Array(body.readableBytesView))
    }
}
