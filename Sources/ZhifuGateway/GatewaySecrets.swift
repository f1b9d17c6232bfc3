import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import ZhifuCore
import ZhifuProtocol

/// The gateway's own secrets: its RSA and DSA signing keys and the buyer-session secret (random,
/// never derived from a signing key). By default they live in the store's settings, so that every
/// node reads the same ones; with `--secrets-dir` they live in files of a directory only the service
/// user can read, and the database never holds them (docs/postgresql.md).
struct GatewaySecrets {
    var privateKey: PrivateKey
    var dsaPrivateKey: PrivateKey
    var sessionSecret: [UInt8]

    static let rsaFile = "gateway_rsa_private.pem"
    static let dsaFile = "gateway_dsa_private.pem"
    static let sessionFile = "session_secret"

    struct Refused: Error, CustomStringConvertible {
        let description: String
    }

    static func load(_ configuration: GatewayConfiguration, store: any Store, logger: Logger) async throws -> GatewaySecrets {
        if let directory = configuration.secretsDirectory {
            let secrets = try fromDirectory(directory)
            let stored = [GatewaySettings.privateKey, GatewaySettings.dsaPrivateKey, GatewaySettings.sessionSecret]
            for name in stored where try await store.setting(name) != nil {
                logger.warning("the database still holds setting \(name), unused with --secrets-dir: delete it (DELETE FROM settings WHERE name = '\(name)')")
            }
            return secrets
        }
        // Generated only on a first start (fixtures may set them), and off Swift's cooperative
        // threads: DSA parameters take a second or more, which would stall every request meanwhile.
        func stored(_ name: String, generate: @escaping @Sendable () throws -> String) async throws -> String {
            if let text = try await store.setting(name) { return text }
            return try await store.setSettingIfAbsent(name, value: try await offCooperativeThreads(generate))
        }
        let keyText = try await stored(GatewaySettings.privateKey) { try PrivateKey.generate(.rsa).pemRepresentation }
        let dsaText = try await stored(GatewaySettings.dsaPrivateKey) { try PrivateKey.generate(.dsa).pemRepresentation }
        let sessionHex = try await stored(GatewaySettings.sessionSecret) { Hex.lowercase(SecureRandom.bytes(32)) }
        guard let sessionSecret = Hex.decode(sessionHex), sessionSecret.count == 32 else {
            throw StoreError.corrupt("setting \(GatewaySettings.sessionSecret) is not 32 bytes of hex")
        }
        return GatewaySecrets(privateKey: try PrivateKey(text: keyText), dsaPrivateKey: try PrivateKey(text: dsaText), sessionSecret: sessionSecret)
    }

    /// Reads the three files, creating any that is missing (a first start); refuses a directory or
    /// file that other users could read, as ssh refuses a private key that others can read.
    static func fromDirectory(_ directory: String) throws -> GatewaySecrets {
        let files = FileManager.default
        if !files.fileExists(atPath: directory) {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        try requirePrivate(directory)
        func text(_ name: String, generate: () throws -> String) throws -> String {
            let path = directory + "/" + name
            if !files.fileExists(atPath: path) { try createPrivateFile(path, text: try generate()) }
            try requirePrivate(path)
            guard let data = files.contents(atPath: path) else { throw Refused(description: "cannot read \(path)") }
            return String(decoding: data, as: UTF8.self)
        }
        let rsa = try PrivateKey(text: try text(rsaFile) { try PrivateKey.generate(.rsa).pemRepresentation })
        let dsa = try PrivateKey(text: try text(dsaFile) { try PrivateKey.generate(.dsa).pemRepresentation })
        let sessionHex = try text(sessionFile) { Hex.lowercase(SecureRandom.bytes(32)) + "\n" }
        guard let session = Hex.decode(sessionHex.trimmingCharacters(in: .whitespacesAndNewlines)), session.count == 32 else {
            throw Refused(description: "\(directory)/\(sessionFile) must hold 32 bytes in hex (64 characters)")
        }
        return GatewaySecrets(privateKey: rsa, dsaPrivateKey: dsa, sessionSecret: session)
    }

    static func requirePrivate(_ path: String) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        guard let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue else { throw Refused(description: "cannot read the mode of \(path)") }
        guard mode & 0o077 == 0 else {
            throw Refused(description: "\(path) can be read by other users (mode \(String(mode, radix: 8))): chmod go-rwx it")
        }
    }

    /// Created with mode 0600 in one call (O_EXCL): never readable by others, not even for an instant.
    static func createPrivateFile(_ path: String, text: String) throws {
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY, 0o600)
        guard descriptor >= 0 else { throw Refused(description: "cannot create \(path): errno \(errno)") }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) == bytes.count else {
            throw Refused(description: "cannot write \(path): errno \(errno)")
        }
    }
}

/// Runs slow CPU work (key generation) on a Dispatch thread, leaving the cooperative pool to requests.
func offCooperativeThreads<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
