import Foundation
import Testing
import ZhifuCore
import ZhifuStore
import ZhifuStorePostgres

/// Against the TLS-only server `scripts/test` starts (`scripts/postgres start-tls`): verify-full
/// connects encrypted; a wrong CA, a wrong host name and an unencrypted connection are refused,
/// each with the reason. Skipped where no such server is configured.
@Suite struct PostgresTLSTests {
    static var url: String? {
        ProcessInfo.processInfo.environment["ZHIFU_TEST_DATABASE_URL"].flatMap { $0.contains("sslmode=verify-full") ? $0 : nil }
    }
    static var otherCA: String? { ProcessInfo.processInfo.environment["ZHIFU_TEST_TLS_OTHER_CA"] }
    static var enabled: Bool { url != nil && otherCA != nil }

    /// The rows of `sql` on a fresh pool for `text`, or the error: a failing connection is
    /// reported by ``PostgresDatabase/probe()`` (the pool would only keep retrying).
    func query(_ text: String, _ sql: SQL = "SELECT 1 AS one") async -> Result<[SQLRow], any Error> {
        do {
            let database = try PostgresDatabase(url: text)
            try await database.probe()
            let pool = Task { try await database.run() }
            defer { pool.cancel() }
            return .success(try await database.read { try await $0.fetchAll(sql) })
        } catch {
            return .failure(error)
        }
    }

    func replacing(_ old: String, with new: String) throws -> String {
        try #require(Self.url).replacingOccurrences(of: old, with: new)
    }

    @Test(.enabled(if: enabled)) func verifyFullConnectsEncrypted() async throws {
        let rows = try await query(try #require(Self.url), "SELECT ssl::text AS ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").get()
        #expect(rows.first?[column: "ssl"] == .text("true"))
    }

    @Test(.enabled(if: enabled)) func aServerSignedByAnotherCAIsRefused() async throws {
        let ca = try #require(Self.url?.firstMatch(of: /sslrootcert=([^&]+)/)?.1)
        let result = await query(try replacing(String(ca), with: try #require(Self.otherCA)))
        #expect(throws: (any Error).self) { try result.get() }
        if case .failure(let error) = result { #expect("\(error)".localizedCaseInsensitiveContains("certificate"), "\(error)") }
    }

    @Test(.enabled(if: enabled)) func aServerWhoseNameIsNotTheHostIsRefused() async throws {
        let result = await query(try replacing("@localhost:", with: "@db.wrong.test:").replacingOccurrences(of: "?", with: "?hostaddr=127.0.0.1&"))
        #expect(throws: (any Error).self) { try result.get() }
        if case .failure(let error) = result { #expect("\(error)".localizedCaseInsensitiveContains("certificate") || "\(error)".contains("hostname"), "\(error)") }
    }

    @Test(.enabled(if: enabled)) func anUnencryptedConnectionIsRefusedByTheServer() async throws {
        let result = await query(try replacing("sslmode=verify-full", with: "sslmode=disable"))
        #expect(throws: (any Error).self) { try result.get() }
        if case .failure(let error) = result { #expect("\(error)".contains("no encryption"), "\(error)") }
    }
}
