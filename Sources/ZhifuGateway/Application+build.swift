import Foundation
import Hummingbird
import Logging
import ZhifuCore

/// Builds the Hummingbird application; shared by `zhifu serve` and the tests.
public func buildApplication(gateway: Gateway, logger: Logger = Logger(label: "zhifu")) -> some ApplicationProtocol {
    let router = Router()
    router.get("/health") { _, _ in
        try await healthResponse(gateway)
    }
    SandboxRoutes(gateway: gateway).register(on: router)
    return Application(
        router: router,
        configuration: .init(address: .hostname(gateway.configuration.host, port: gateway.configuration.port), serverName: "Zhifu"),
        logger: logger
    )
}

/// `GET /health`: 200 with the store kind once the store answers, 503 otherwise.
private func healthResponse(_ gateway: Gateway) async throws -> Response {
    let store = gateway.configuration.databaseURL == nil ? "sqlite" : "postgres"
    do {
        _ = try await gateway.store.setting(GatewaySettings.demoDataCreated)
        return .json(["status": "ok", "store": store], status: .ok)
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
