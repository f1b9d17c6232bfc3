import Foundation
import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle
import ZhifuCore
import ZhifuProtocol

/// Builds the Hummingbird application; shared by `zhifu serve` and the tests.
/// `services` run beside the server: `zhifu serve` passes the notifier and the trade clock; tests
/// that drive delivery and time themselves pass none.
/// `onServerRunning` is told the channel once the server listens (benchmarks read the port from it).
public func buildApplication(gateway: Gateway, services: [any Service] = [], logger: Logger = Logger(label: "zhifu"),
                             onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> some ApplicationProtocol {
    let router = Router(context: GatewayRequestContext.self)
    router.add(middleware: RequestLogMiddleware(registry: gateway.metrics))
    router.get("/metrics") { _, _ in
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(bytes: gateway.metrics.emitToBuffer())))
    }
    router.get("/health") { _, _ in
        try await healthResponse(gateway)
    }
    SandboxRoutes(gateway: gateway).register(on: router)
    SandboxRoutes(gateway: gateway).registerKoubei(on: router)
    SandboxRoutes(gateway: gateway).registerKoubeiOrderPage(on: router)
    StartPage(gateway: gateway).register(on: router)
    if gateway.configuration.consoleEnabled {
        ConsoleRoutes(gateway: gateway).register(on: router)
        AdminAPI(gateway: gateway).register(on: router)
    }
    let mapi = MAPIGateway(gateway: gateway)
    let openAPI = OpenAPIGateway(gateway: gateway, logger: logger)
    // One URL, two protocols: `service=` is MAPI; without it, `method=` or `app_id=` is OpenAPI.
    let gatewayHandler: @Sendable (Request, GatewayRequestContext) async throws -> Response = { request, context in
        var request = request
        let query = Array((request.uri.query ?? "").utf8)
        // bptb_pay_file_confirm's upload: the fields and the file of a multipart form.
        if let boundary = request.headers[.contentType].flatMap(MultipartForm.boundary) {
            let raw = Array(try await request.collectBody(upTo: BptbUpload.maximumBytes + 64 * 1024).readableBytesView)
            do {
                let (fields, upload) = try MultipartForm.parse(raw, boundary: boundary)
                return try await mapi.handle(query: query, body: fields, upload: upload, outcome: context.outcome)
            } catch let failure as MAPIFailure {
                return MAPIXML.failure(failure.code)
            }
        }
        let body = Array(try await request.collectBody(upTo: FormCoding.maximumBytes).readableBytesView)
        let isMAPI = FormCoding.rawField("service", in: query) != nil || FormCoding.rawField("service", in: body) != nil
        let isOpenAPI = ["method", "app_id"].contains { FormCoding.rawField($0, in: query) != nil || FormCoding.rawField($0, in: body) != nil }
        if !isMAPI, isOpenAPI {
            return try await openAPI.handle(query: query, body: body, outcome: context.outcome)
        }
        return try await mapi.handle(query: query, body: body, outcome: context.outcome)
    }
    router.get("/gateway.do", use: gatewayHandler)
    router.post("/gateway.do", use: gatewayHandler)
    Cashier(gateway: gateway).register(on: router)
    /// The confirm pages' password forms (always UTF-8: the forms say accept-charset).
    func confirmForm(_ path: RouterPath, _ confirm: @escaping @Sendable (ZhifuProtocol.Parameters, Gateway) async throws -> Response) {
        router.post(path) { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024)
            guard let (form, _) = try? FormCoding.decode(query: [], body: Array(body.readableBytesView)) else {
                return HTML.errorPage(MAPIFailure(.illegalArgument, "the form could not be read"))
            }
            return try await confirm(form, gateway)
        }
    }
    confirmForm("/pages/batch_trans/confirm", BatchTransNotify.confirm)
    confirmForm("/pages/batch_refund/confirm", RefundFastpayByPlatformPwd.confirm)
    confirmForm("/pages/bptb/confirm", BptbUserConfirm.confirm)
    BptbUserConfirm.registerPages(on: router, gateway: gateway)
    return Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: .seconds(gateway.configuration.idleTimeoutSeconds))),
        configuration: .init(address: .hostname(gateway.configuration.host, port: gateway.configuration.port), serverName: "Zhifu"),
        services: services,
        onServerRunning: onServerRunning,
        logger: logger
    )
}

/// `GET /health`: 200 with the store kind once the store answers, 503 otherwise.
private func healthResponse(_ gateway: Gateway) async throws -> Response {
    let store = gateway.store.kind   // what it is, even when it does not answer
    do {
        let status = try await StoreReadiness.withTimeout(seconds: 2) { try await gateway.storeStatus() }
        return .json(["status": "ok", "store": status], status: .ok)
    } catch {
        return .json(["status": "unavailable", "store": store, "error": "\(error)"], status: .serviceUnavailable)
    }
}

extension Response {
    /// A compact JSON response; keys sorted so output is stable.
    static func json(_ object: [String: String], status: HTTPResponse.Status) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
