import CZhifuOpenSSL
import Synchronization

/// Why a key could not be read.
public enum KeyError: Error, Equatable, Sendable {
    /// Neither PEM nor base64 DER of a supported key.
    case malformed
    /// A PEM block Zhifu does not read (an encrypted private key, a certificate, …).
    case unsupportedFormat(String)
    /// The key is fine but of the wrong algorithm for the sign type (an RSA key for DSA).
    case wrongAlgorithm
    case generationFailed
}

/// The asymmetric algorithms of the seeds.
public enum KeyAlgorithm: String, Sendable {
    case rsa = "RSA"
    case dsa = "DSA"
}

/// Owns an OpenSSL key. OpenSSL 3 keys are safe to use from many threads at once.
final class KeyHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    /// Verifications by digest, made on first use and kept with the key: a key the gateway keeps
    /// (an app's, cached) verifies every request without initialising OpenSSL's context again.
    private let verifications = Mutex<[Int32: Verification]>([:])

    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { zf_key_free(pointer) }

    func verification(digest: Int32) throws(KeyError) -> Verification {
        try verifications.withLock { cache throws(KeyError) -> Verification in
            if let made = cache[digest] { return made }
            let made = try Verification(key: self, digest: digest)
            cache[digest] = made
            return made
        }
    }

    var algorithm: KeyAlgorithm? {
        switch zf_key_type(pointer) {
        case Int32(ZF_KEY_RSA): .rsa
        case Int32(ZF_KEY_DSA): .dsa
        default: nil
        }
    }
}

/// Reads the key text merchants paste: a PEM block (PKCS#1, PKCS#8, SubjectPublicKeyInfo)
/// or the bare base64 DER without headers that Alipay's key tool hands out.
enum KeyText {
    static func der(from text: String) throws(KeyError) -> [UInt8] {
        let trimmed = text.trimmingWhitespace()
        if trimmed.hasPrefix("-----BEGIN ") {
            let lines = trimmed.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace() }
            guard let header = lines.first, let endIndex = lines.lastIndex(where: { $0.hasPrefix("-----END ") }) else {
                throw .malformed
            }
            let label = String(header.dropFirst("-----BEGIN ".count).dropLast(5))
            let supported = ["PRIVATE KEY", "RSA PRIVATE KEY", "DSA PRIVATE KEY", "PUBLIC KEY", "RSA PUBLIC KEY"]
            guard supported.contains(label) else { throw .unsupportedFormat(label) }
            let body = lines[1..<endIndex]
            if body.contains(where: { $0.contains(":") }) { throw .unsupportedFormat("encrypted \(label)") }
            guard let der = Base64.decode(body.joined()), !der.isEmpty else { throw .malformed }
            return der
        }
        guard let der = Base64.decode(trimmed), !der.isEmpty else { throw .malformed }
        return der
    }

    static func pem(label: String, der: [UInt8]) -> String {
        let base64 = Array(Base64.encode(der))
        var lines = ["-----BEGIN \(label)-----"]
        var index = 0
        while index < base64.count {
            lines.append(String(base64[index..<min(index + 64, base64.count)]))
            index += 64
        }
        lines.append("-----END \(label)-----")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A private key for RSA or DSA signing.
public struct PrivateKey: Sendable {
    let handle: KeyHandle
    public var algorithm: KeyAlgorithm { handle.algorithm! }
    public var bits: Int { Int(zf_key_bits(handle.pointer)) }

    /// Parses PEM or bare base64 DER; parsed keys are cached by their text.
    public init(text: String) throws(KeyError) {
        if let cached = KeyCache.privateKeys.withLock({ $0[text] }) { self = cached; return }
        let der = try KeyText.der(from: text)
        guard let pointer = der.withUnsafeBufferPointer({ zf_key_private_from_der($0.baseAddress, $0.count) }) else {
            throw .malformed
        }
        self.handle = KeyHandle(pointer)
        KeyCache.store(privateKey: self, for: text)
    }

    /// A fresh key: RSA 2048 as Alipay asks merchants to use, DSA 1024 as the legacy tools made.
    public static func generate(_ algorithm: KeyAlgorithm, bits: Int? = nil) throws(KeyError) -> PrivateKey {
        let type = algorithm == .rsa ? ZF_KEY_RSA : ZF_KEY_DSA
        let size = bits ?? (algorithm == .rsa ? 2048 : 1024)
        guard let pointer = zf_key_generate(Int32(type), Int32(size)) else { throw .generationFailed }
        return PrivateKey(handle: KeyHandle(pointer))
    }

    private init(handle: KeyHandle) { self.handle = handle }

    /// PKCS#8 DER.
    public var derRepresentation: [UInt8] { Self.export(handle, zf_key_private_der) }
    /// `-----BEGIN PRIVATE KEY-----` (PKCS#8).
    public var pemRepresentation: String { KeyText.pem(label: "PRIVATE KEY", der: derRepresentation) }
    public var publicKey: PublicKey {
        try! PublicKey(text: Base64.encode(Self.export(handle, zf_key_public_der)))
    }

    static func export(_ handle: KeyHandle, _ exporter: (OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32) -> [UInt8] {
        var buffer: UnsafeMutablePointer<UInt8>? = nil
        let length = exporter(handle.pointer, &buffer)
        guard length > 0, let buffer else { return [] }
        defer { zf_free(buffer) }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(length)))
    }
}

/// A public key for RSA or DSA verification.
public struct PublicKey: Sendable {
    let handle: KeyHandle
    public var algorithm: KeyAlgorithm { handle.algorithm! }
    public var bits: Int { Int(zf_key_bits(handle.pointer)) }

    /// Parses PEM or bare base64 DER (SubjectPublicKeyInfo or PKCS#1); cached by text.
    public init(text: String) throws(KeyError) {
        if let cached = KeyCache.publicKeys.withLock({ $0[text] }) { self = cached; return }
        let der = try KeyText.der(from: text)
        guard let pointer = der.withUnsafeBufferPointer({ zf_key_public_from_der($0.baseAddress, $0.count) }) else {
            throw .malformed
        }
        self.handle = KeyHandle(pointer)
        KeyCache.store(publicKey: self, for: text)
    }

    /// SubjectPublicKeyInfo DER.
    public var derRepresentation: [UInt8] { PrivateKey.export(handle, zf_key_public_der) }
    /// `-----BEGIN PUBLIC KEY-----`.
    public var pemRepresentation: String { KeyText.pem(label: "PUBLIC KEY", der: derRepresentation) }
    /// Bare base64, the form Alipay's console shows and merchants paste.
    public var base64Representation: String { Base64.encode(derRepresentation) }
}

/// Parsing a key costs far more than using it, so each distinct key text is parsed once.
/// Bounded: a flood of distinct keys empties the cache rather than growing it.
enum KeyCache {
    static let privateKeys = Mutex<[String: PrivateKey]>([:])
    static let publicKeys = Mutex<[String: PublicKey]>([:])
    static let limit = 4096

    static func store(privateKey: PrivateKey, for text: String) {
        privateKeys.withLock { cache in
            if cache.count >= limit { cache.removeAll() }
            cache[text] = privateKey
        }
    }

    static func store(publicKey: PublicKey, for text: String) {
        publicKeys.withLock { cache in
            if cache.count >= limit { cache.removeAll() }
            cache[text] = publicKey
        }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let scalars = Array(unicodeScalars)
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars[first...last])
        return String(result)
    }
}
