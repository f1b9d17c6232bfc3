import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import NIOConcurrencyHelpers
import Prometheus
import ZhifuProtocol

/// The request context of every route: Hummingbird's, plus what the gateway decided about the
/// request (service or method, result code) for the request log and the metrics.
struct GatewayRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let outcome = RequestOutcome()

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

/// Written by the handler, read by ``RequestLogMiddleware`` once the response exists.
final class RequestOutcome: Sendable {
    private let state = NIOLockedValueBox<(name: String?, result: String?)>((nil, nil))

    /// The MAPI service or OpenAPI method the request named.
    var name: String? {
        get { state.withLockedValue { $0.name } }
        set { state.withLockedValue { $0.name = newValue } }
    }

    /// `T`, a MAPI error code, or an OpenAPI code / sub_code.
    var result: String? {
        get { state.withLockedValue { $0.result } }
        set { state.withLockedValue { $0.result = newValue } }
    }
}

/// One log line per request (request id, route, service or method, result code, status, latency,
/// as swift-log metadata) and the Prometheus metrics `GET /metrics` shows: requests by route,
/// name, result and status, and their latency.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    static let requestIdField = HTTPField.Name("Request-Id")!
    let metrics: RequestMetrics

    init(registry: PrometheusCollectorRegistry) {
        metrics = RequestMetrics(factory: PrometheusMetricsFactory(registry: registry))
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let requestId = Hex.lowercase(SecureRandom.bytes(8))
        context.logger[metadataKey: "request_id"] = .string(requestId)
        let start = ContinuousClock.now
        do {
            var response = try await next(request, context)
            record(request, context: context, status: response.status, since: start)
            response.headers[Self.requestIdField] = requestId
            return response
        } catch {
            record(request, context: context, status: (error as? any HTTPResponseError)?.status ?? .internalServerError, since: start)
            throw error
        }
    }

    private func record(_ request: Request, context: Context, status: HTTPResponse.Status, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let nanoseconds = elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
        let route = context.endpointPath ?? "unmatched"
        let name = context.outcome.name ?? "", result = context.outcome.result ?? ""
        metrics.record(route: route, name: name, result: result, status: status.code, nanoseconds: nanoseconds)
        guard context.logger.logLevel <= .info else { return }
        var logger = context.logger
        logger[metadataKey: "route"] = .string(route)
        if !name.isEmpty { logger[metadataKey: "name"] = .string(name) }
        if !result.isEmpty { logger[metadataKey: "result"] = .string(result) }
        logger[metadataKey: "status"] = .stringConvertible(status.code)
        logger[metadataKey: "latency_ms"] = .string(String(format: "%.2f", Double(nanoseconds) / 1e6))
        logger.info("\(request.method) \(request.uri.path)")
    }
}

/// The counters and timers by label set, made once each: making one asks the registry under its lock.
final class RequestMetrics: Sendable {
    private struct Labels: Hashable {
        var route, name, result: String
        var status: Int
    }

    private let factory: PrometheusMetricsFactory
    private let made = NIOLockedValueBox<[Labels: (Metrics.Counter, Metrics.Timer)]>([:])

    init(factory: PrometheusMetricsFactory) { self.factory = factory }

    func record(route: String, name: String, result: String, status: Int, nanoseconds: Int64) {
        let labels = Labels(route: route, name: name, result: result, status: status)
        let (counter, timer) = made.withLockedValue { made in
            if let pair = made[labels] { return pair }
            let pair = (Metrics.Counter(label: "zhifu_requests_total", dimensions: [("route", route), ("name", name), ("result", result), ("status", String(status))],
                                factory: factory),
                        Metrics.Timer(label: "zhifu_request_duration_seconds", dimensions: [("route", route), ("name", name)], factory: factory))
            made[labels] = pair
            return pair
        }
        counter.increment()
        timer.recordNanoseconds(nanoseconds)
    }
}
