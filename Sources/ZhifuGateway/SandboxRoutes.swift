import Foundation
import Hummingbird
import ZhifuCore

/// Sandbox time travel. Exists only with `--clock manual`; with the system clock every route is 404,
/// so a production gateway cannot be told what time it is. The time is kept in the database:
/// nodes sharing one follow each other's moves (at once here, within a second elsewhere).
struct SandboxRoutes {
    let gateway: Gateway

    /// Longest single jump: 400 days (any retry schedule or expiry fits many times over).
    static let maximumAdvanceSeconds: Int64 = 400 * 86_400

    func register(on router: Router<GatewayRequestContext>) {
        router.get("/sandbox/clock") { _, _ in
            guard let clock = gateway.manualClock else { throw HTTPError(.notFound) }
            return clockResponse(try await gateway.followSandboxClock() ?? clock.now)
        }
        router.post("/sandbox/clock/advance") { request, _ in
            guard let clock = gateway.manualClock else { throw HTTPError(.notFound) }
            guard let text = request.uri.queryParameters.get("seconds"), let seconds = Int64(text),
                  (0...Self.maximumAdvanceSeconds).contains(seconds) else {
                throw HTTPError(.badRequest, message: "seconds must be an integer from 0 to \(Self.maximumAdvanceSeconds)")
            }
            // Moved in the database, so every node of the sandbox follows.
            return clockResponse(try await gateway.advanceSandboxClock(seconds: seconds) ?? clock.now)
        }
    }

    private func clockResponse(_ now: Date) -> Response {
        .json([
            "now": gateway.configuration.calendar.timestamp(now),
            "epochMillis": String(Int64((now.timeIntervalSince1970 * 1000).rounded())),
            "timeZone": gateway.configuration.calendar.timeZone.identifier,
        ], status: .ok)
    }
}
