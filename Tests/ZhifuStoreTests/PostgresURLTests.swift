import Foundation
import Testing
import PostgresNIO
import ZhifuCore
import ZhifuStorePostgres

/// The database URL carries what libpq's does; anything else is refused at start.
@Suite struct PostgresURLTests {
    @Test func libpqParametersAreRead() throws {
        let url = try PostgresURL("postgres://zhifu:s%40cret@db.example:6432/pay?sslmode=verify-full&sslrootcert=/etc/ca.pem"
            + "&sslcert=/etc/c.pem&sslkey=/etc/k.pem&connect_timeout=3&application_name=node-1&pool_max_connections=8&statement_timeout=5000")
        #expect(url.host == "db.example" && url.port == 6432 && url.username == "zhifu" && url.password == "s@cret" && url.database == "pay")
        #expect(url.sslMode == .verifyFull && url.sslRootCert == "/etc/ca.pem" && url.sslCert == "/etc/c.pem" && url.sslKey == "/etc/k.pem")
        #expect(url.connectTimeoutSeconds == 3 && url.applicationName == "node-1" && url.poolMaxConnections == 8 && url.statementTimeoutMilliseconds == 5000)
    }

    @Test func defaultsFollowLibpq() throws {
        let url = try PostgresURL("postgresql://127.0.0.1/zhifu")
        #expect(url.sslMode == .prefer && url.port == 5432 && url.username == "postgres" && url.connectTimeoutSeconds == 10)
        #expect(url.poolMaxConnections == 16 && url.statementTimeoutMilliseconds == nil)
    }

    @Test func thePasswordNeverShows() throws {
        let url = try PostgresURL("postgres://zhifu:hunter2@db.example/pay?sslmode=require")
        #expect(!url.description.contains("hunter2") && url.description.contains("zhifu:****@db.example"))
        #expect(throws: PostgresURL.Invalid.self) { try PostgresURL("postgres://zhifu:hunter2@db.example/pay?sslmod=require") }
        do { _ = try PostgresURL("mysql://zhifu:hunter2@db.example/pay") } catch { #expect(!error.description.contains("hunter2")) }
    }

    @Test(arguments: [
        ("postgres://h/db?sslmod=require", "unknown parameter sslmod"),
        ("postgres://h/db?sslmode=allow", "sslmode must be one of"),
        ("postgres://h/db?connect_timeout=0", "connect_timeout must be a number"),
        ("postgres://h/db?pool_max_connections=x", "pool_max_connections must be a number"),
        ("postgres://h/db?sslcert=/c.pem", "sslcert and sslkey go together"),
        ("postgres://127.0.0.1/db?sslmode=verify-full", "verify-full checks the server's host name"),
        ("postgres://h/db?application_name=", "application_name has no value"),
        ("http://h/db", "not a postgres:// URL"),
    ])
    func badURLsAreRefusedWithAClearMessage(text: String, message: String) {
        #expect { try PostgresURL(text) } throws: { ($0 as? PostgresURL.Invalid)?.description.contains(message) == true }
    }

    @Test func hostaddrConnectsThereAndVerifiesTheName() throws {
        let url = try PostgresURL("postgres://db.example:5432/pay?hostaddr=127.0.0.1&sslmode=verify-full")
        let configuration = try url.clientConfiguration()
        #expect(configuration.host == "127.0.0.1" && configuration.options.tlsServerName == "db.example")
    }
}
