import Foundation
import NIOSSL
import PostgresNIO

/// A libpq-style connection URL, `postgres://user:password@host:port/database?sslmode=verify-full&…`,
/// with the query parameters operators expect from libpq (docs/postgresql.md lists each and its
/// libpq meaning) and Zhifu's own pool settings. An unknown parameter is refused, never ignored.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    /// libpq's `sslmode`, default `prefer`.
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public var host: String
    /// libpq's `hostaddr`: the address to connect to, while `host` names the server for verify-full.
    public var hostAddress: String?
    public var port = 5432
    public var username = "postgres"
    public var password: String?
    public var database: String?
    public var sslMode = SSLMode.prefer
    /// PEM file of the certificate authorities that sign the server's certificate.
    public var sslRootCert: String?
    /// PEM files of a client certificate and its key.
    public var sslCert: String?
    public var sslKey: String?
    public var connectTimeoutSeconds = 10
    public var applicationName = "zhifu"
    /// Zhifu's: connections this node opens at most.
    public var poolMaxConnections = 16
    /// Zhifu's (a PostgreSQL setting sent at connect): statements running longer are cancelled.
    public var statementTimeoutMilliseconds: Int?

    public static let parameters = ["sslmode", "sslrootcert", "sslcert", "sslkey", "hostaddr", "connect_timeout", "application_name",
                                    "pool_max_connections", "statement_timeout"]

    public init(_ text: String) throws(Invalid) {
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme ?? ""),
              let host = components.host, !host.isEmpty else {
            throw Invalid(description: "not a postgres:// URL: \(Self.masked(text))")
        }
        self.host = host
        port = components.port ?? 5432
        username = components.user ?? "postgres"
        password = components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? nil : path
        for item in components.queryItems ?? [] {
            guard let value = item.value, !value.isEmpty else { throw Invalid(description: "\(item.name) has no value") }
            func number(_ range: ClosedRange<Int>) throws(Invalid) -> Int {
                guard value.count <= 9, let number = Int(value), range.contains(number) else {
                    throw Invalid(description: "\(item.name) must be a number in \(range.lowerBound)…\(range.upperBound)")
                }
                return number
            }
            switch item.name {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw Invalid(description: "sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sslMode = mode
            case "sslrootcert": sslRootCert = value
            case "sslcert": sslCert = value
            case "sslkey": sslKey = value
            case "hostaddr": hostAddress = value
            case "connect_timeout": connectTimeoutSeconds = try number(1...3_600)
            case "application_name": applicationName = value
            case "pool_max_connections": poolMaxConnections = try number(1...1_000)
            case "statement_timeout": statementTimeoutMilliseconds = try number(1...86_400_000)
            default:
                throw Invalid(description: "unknown parameter \(item.name) in the database URL (known: \(Self.parameters.joined(separator: ", ")))")
            }
        }
        guard (sslCert == nil) == (sslKey == nil) else { throw Invalid(description: "sslcert and sslkey go together") }
        if sslMode == .verifyFull, Self.isIPAddress(host) {
            throw Invalid(description: "sslmode=verify-full checks the server's host name: give a name as host (and hostaddr=\(host) to connect there)")
        }
    }

    /// The URL with the password masked, for logs.
    public var description: String {
        var text = "postgres://\(username)\(password == nil ? "" : ":****")@\(host):\(port)/\(database ?? "")"
        var query = ["sslmode=\(sslMode.rawValue)"]
        if let hostAddress { query.append("hostaddr=\(hostAddress)") }
        if let sslRootCert { query.append("sslrootcert=\(sslRootCert)") }
        if let sslCert { query.append("sslcert=\(sslCert)") }
        text += "?" + query.joined(separator: "&")
        return text
    }

    /// Masks the password of a URL that did not parse, for the message that says so.
    static func masked(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "****"
        return components.string ?? "(unreadable URL)"
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    /// postgres-nio's configuration: TLS as libpq's sslmode means it, and the pool's settings.
    public func clientConfiguration() throws -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(host: hostAddress ?? host, port: port, username: username, password: password,
                                                         database: database, tls: .disable)
        if let (tls, required) = try tlsConfiguration() { configuration.tls = required ? .require(tls) : .prefer(tls) }
        configuration.options.connectTimeout = .seconds(connectTimeoutSeconds)
        configuration.options.maximumConnections = poolMaxConnections
        if hostAddress != nil, !Self.isIPAddress(host) { configuration.options.tlsServerName = host }
        configuration.options.additionalStartupParameters = [("application_name", applicationName)]
        if let statementTimeoutMilliseconds {
            configuration.options.additionalStartupParameters.append(("statement_timeout", String(statementTimeoutMilliseconds)))
        }
        return configuration
    }

    /// The same settings for one connection of its own (``PostgresDatabase/probe()``).
    public func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let client = try clientConfiguration()
        var tls = PostgresConnection.Configuration.TLS.disable
        if let (configuration, required) = try tlsConfiguration() {
            let context = try NIOSSLContext(configuration: configuration)
            tls = required ? .require(context) : .prefer(context)
        }
        var configuration = PostgresConnection.Configuration(host: hostAddress ?? host, port: port, username: username, password: password,
                                                             database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(Int64(connectTimeoutSeconds))
        configuration.options.tlsServerName = client.options.tlsServerName
        configuration.options.additionalStartupParameters = client.options.additionalStartupParameters
        return configuration
    }

    /// libpq: prefer and require encrypt without checking the server (require checks the chain
    /// when a root certificate is given), verify-ca checks the chain, verify-full also the name.
    /// `nil` for disable; `required` is false only for prefer.
    func tlsConfiguration() throws -> (configuration: TLSConfiguration, required: Bool)? {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let sslRootCert { tls.trustRoots = .file(sslRootCert) }
        if let sslCert, let sslKey {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(sslCert).map { .certificate($0) }
            tls.privateKey = .file(sslKey)
        }
        switch sslMode {
        case .disable: return nil
        case .prefer: tls.certificateVerification = .none
        case .require: tls.certificateVerification = sslRootCert == nil ? .none : .noHostnameVerification
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        case .verifyFull: tls.certificateVerification = .fullVerification
        }
        return (tls, sslMode != .prefer)
    }
}
