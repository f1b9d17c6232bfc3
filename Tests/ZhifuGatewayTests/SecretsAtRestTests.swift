import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Hummingbird
import HummingbirdTesting
import ZhifuGateway
import Testing
import ZhifuCore
import ZhifuProtocol

/// The SQLite data directory holds private keys and merchants' MD5 keys: `zhifu serve` keeps it
/// to its owner, tightening what it finds looser.
@Suite struct SecretsAtRestTests {
    func mode(_ path: String) throws -> Int {
        try #require((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue)
    }

    @Test func theDataDirectoryAndEveryFileInItAreTheOwnersOnly() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        FileManager.default.createFile(atPath: directory + "/notes.txt", contents: Data("x".utf8), attributes: [.posixPermissions: 0o644])
        let fixtures = directory + ".fixtures.json"
        defer { try? FileManager.default.removeItem(atPath: fixtures) }
        try Data(#"{"accounts": [{"userId": "\#(TestWorld.partner)", "logonId": "m@zhifu.test", "name": "m"}], "merchants": [{"partner": "\#(TestWorld.partner)", "md5Key": "\#(TestWorld.md5Key)"}]}"#.utf8)
            .write(to: URL(fileURLWithPath: fixtures))
        let serve = try ServeProcess(dataDirectory: directory, fixtures: fixtures)
        defer { if serve.process.isRunning { serve.process.terminate() } }
        try await serve.waitUntilHealthy()
        #expect(try mode(directory) == 0o700)
        for file in ["zhifu.sqlite", "zhifu.sqlite-wal", "notes.txt", "keys/gateway_public.pem"] {
            #expect(try mode(directory + "/" + file) == 0o600, "\(file)")
        }
        #expect(try mode(directory + "/keys") == 0o700)
        serve.process.terminate()
        await serve.waitForExit()
    }
}

/// `--secrets-dir`: the gateway's keys and session secret in files only the service user can read,
/// never in the database (what docs/postgresql.md recommends for PostgreSQL).
@Suite struct SecretsDirectoryTests {
    @Test func keysInASecretsDirectoryStayOutOfTheDatabaseAndSurviveARestart() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var settings = configuration()
        settings.secretsDirectory = directory + "/secrets"
        let gateway = try await Gateway.open(settings)
        #expect(try SecretsAtRestTests().mode(directory + "/secrets") == 0o700)
        for file in ["gateway_rsa_private.pem", "gateway_dsa_private.pem", "session_secret"] {
            #expect(try SecretsAtRestTests().mode(directory + "/secrets/" + file) == 0o600, "\(file)")
        }
        for name in [GatewaySettings.privateKey, GatewaySettings.dsaPrivateKey, GatewaySettings.sessionSecret] {
            #expect(try await gateway.store.setting(name) == nil, "\(name) is not in the database")
        }
        let onDisk = try PrivateKey(text: String(contentsOfFile: directory + "/secrets/gateway_rsa_private.pem", encoding: .utf8))
        #expect(gateway.privateKey.publicKey.pemRepresentation == onDisk.publicKey.pemRepresentation)
        // A second node (or a restart) given the same directory signs with the same key.
        let again = try await Gateway.open(settings)
        #expect(again.privateKey.publicKey.pemRepresentation == onDisk.publicKey.pemRepresentation)
    }

    @Test func aSecretsDirectoryOthersCanReadIsRefused() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var settings = configuration()
        settings.secretsDirectory = directory
        _ = try await Gateway.open(settings)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: directory + "/gateway_rsa_private.pem")
        await #expect(throws: (any Error).self) { _ = try await Gateway.open(settings) }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: directory + "/gateway_rsa_private.pem")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory)
        await #expect(throws: (any Error).self) { _ = try await Gateway.open(settings) }
        // A session secret that is not 32 bytes of hex is refused, not padded.
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
        try Data("abc\n".utf8).write(to: URL(fileURLWithPath: directory + "/session_secret"))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: directory + "/session_secret")
        await #expect(throws: (any Error).self) { _ = try await Gateway.open(settings) }
    }
}

@Suite struct ConnectionHygieneTests {
    /// A client that opens a connection and says nothing is disconnected after the idle timeout.
    @Test func idleConnectionsAreClosed() async throws {
        var settings = configuration()
        settings.idleTimeoutSeconds = 1
        let gateway = try await Gateway.open(settings)
        try await buildApplication(gateway: gateway).test(.live) { client in
            let port = try #require(client.port)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            #expect(connected == 0)
            try await Task.sleep(for: .seconds(2.5))
            var byte: UInt8 = 0
            #expect(recv(fd, &byte, 1, Int32(MSG_DONTWAIT)) == 0, "the server closed the idle connection")
        }
    }
}
