import CZhifuOpenSSL

/// The `sign_type` values of the seeds (MAPI: MD5, RSA, DSA; OpenAPI: RSA2, RSA). Exact capitals.
public enum SignType: String, Sendable, CaseIterable, Codable {
    /// md5(signString + key), 32 lowercase hex digits.
    case md5 = "MD5"
    /// SHA1withRSA, PKCS#1 v1.5, base64.
    case rsa = "RSA"
    /// SHA256withRSA, PKCS#1 v1.5, base64.
    case rsa2 = "RSA2"
    /// SHA1withDSA, DER (r, s), base64.
    case dsa = "DSA"

    var digest: Int32 {
        switch self {
        case .md5: Int32(ZF_DIGEST_MD5)
        case .rsa, .dsa: Int32(ZF_DIGEST_SHA1)
        case .rsa2: Int32(ZF_DIGEST_SHA256)
        }
    }

    var keyAlgorithm: KeyAlgorithm? {
        switch self {
        case .md5: nil
        case .rsa, .rsa2: .rsa
        case .dsa: .dsa
        }
    }
}

/// Something that signs sign-string bytes (already in the request's charset).
public protocol Signer: Sendable {
    var signType: SignType { get }
    func sign(_ content: [UInt8]) throws(SigningError) -> String
}

/// Something that checks a `sign` value against sign-string bytes. Never throws: a bad signature,
/// a malformed one and one of the wrong length are all simply not valid.
public protocol Verifier: Sendable {
    var signType: SignType { get }
    func isValidSignature(_ signature: String, for content: [UInt8]) -> Bool
}

public enum SigningError: Error, Equatable, Sendable {
    case signingFailed
}

/// MD5 "signature": the merchant's 32-character key appended to the sign string, then md5.
public struct MD5Signer: Signer, Verifier {
    public let signType = SignType.md5
    private let key: [UInt8]

    public init(key: String) { self.key = Array(key.utf8) }

    public func sign(_ content: [UInt8]) -> String {
        Hex.lowercase(Digest.md5(content + key))
    }

    /// Compares case-insensitively (some clients send upper-case hex) in constant time.
    public func isValidSignature(_ signature: String, for content: [UInt8]) -> Bool {
        let expected = Array(sign(content).utf8)
        let given = Array(signature.lowercased().utf8)
        return ConstantTime.equals(expected, given)
    }
}

/// RSA (SHA1) or RSA2 (SHA256) with PKCS#1 v1.5 padding, as every Alipay SDK signs.
public struct RSASigner: Signer {
    public let signType: SignType
    private let key: PrivateKey

    public init(key: PrivateKey, signType: SignType = .rsa2) throws(KeyError) {
        guard key.algorithm == .rsa, signType == .rsa || signType == .rsa2 else { throw .wrongAlgorithm }
        self.key = key
        self.signType = signType
    }

    public func sign(_ content: [UInt8]) throws(SigningError) -> String {
        try AsymmetricSignature.sign(content, key: key, digest: signType.digest)
    }
}

public struct RSAVerifier: Verifier {
    public let signType: SignType
    private let verification: Verification

    public init(key: PublicKey, signType: SignType = .rsa2) throws(KeyError) {
        guard key.algorithm == .rsa, signType == .rsa || signType == .rsa2 else { throw .wrongAlgorithm }
        verification = try key.handle.verification(digest: signType.digest)
        self.signType = signType
    }

    public func isValidSignature(_ signature: String, for content: [UInt8]) -> Bool {
        verification.isValid(signature, for: content)
    }
}

/// SHA1withDSA, the third MAPI sign type. swift-crypto has no DSA, so this is OpenSSL's.
public struct DSASigner: Signer {
    public let signType = SignType.dsa
    private let key: PrivateKey

    public init(key: PrivateKey) throws(KeyError) {
        guard key.algorithm == .dsa else { throw .wrongAlgorithm }
        self.key = key
    }

    public func sign(_ content: [UInt8]) throws(SigningError) -> String {
        try AsymmetricSignature.sign(content, key: key, digest: signType.digest)
    }
}

public struct DSAVerifier: Verifier {
    public let signType = SignType.dsa
    private let verification: Verification

    public init(key: PublicKey) throws(KeyError) {
        guard key.algorithm == .dsa else { throw .wrongAlgorithm }
        verification = try key.handle.verification(digest: SignType.dsa.digest)
    }

    public func isValidSignature(_ signature: String, for content: [UInt8]) -> Bool {
        verification.isValid(signature, for: content)
    }
}

enum AsymmetricSignature {
    static func sign(_ content: [UInt8], key: PrivateKey, digest: Int32) throws(SigningError) -> String {
        let capacity = Int(zf_key_signature_size(key.handle.pointer))
        var signature = [UInt8](repeating: 0, count: max(capacity, 1))
        let length = content.withUnsafeBufferPointer { message in
            signature.withUnsafeMutableBufferPointer { output in
                zf_sign(key.handle.pointer, digest, message.baseAddress, message.count, output.baseAddress, output.count)
            }
        }
        guard length > 0 else { throw .signingFailed }
        return Base64.encode(signature[..<Int(length)])
    }

}

/// One key's verification with one digest, initialised once (`zf_verifier`): every check works on
/// a copy of the initialised context, so one value serves concurrent requests. The context holds
/// its own reference to the key (OpenSSL counts them).
final class Verification: @unchecked Sendable {
    private let pointer: OpaquePointer

    init(key: KeyHandle, digest: Int32) throws(KeyError) {
        guard let pointer = zf_verifier_new(key.pointer, digest) else { throw .wrongAlgorithm }
        self.pointer = pointer
    }

    deinit { zf_verifier_free(pointer) }

    func isValid(_ signature: String, for content: [UInt8]) -> Bool {
        guard signature.utf8.count <= 4096, let bytes = Base64.decode(signature), !bytes.isEmpty else { return false }
        return content.withUnsafeBufferPointer { message in
            bytes.withUnsafeBufferPointer { sig in
                zf_verifier_verify(pointer, message.baseAddress, message.count, sig.baseAddress, sig.count) == 1
            }
        }
    }
}

/// Digests through OpenSSL's EVP API.
public enum Digest {
    public static func md5(_ bytes: [UInt8]) -> [UInt8] { run(ZF_DIGEST_MD5, bytes) }
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] { run(ZF_DIGEST_SHA256, bytes) }

    private static func run(_ digest: Int, _ bytes: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 64)
        let length = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { zf_digest(Int32(digest), input.baseAddress, input.count, $0.baseAddress) }
        }
        return Array(output[..<Int(max(length, 0))])
    }
}

public enum Hex {
    public static func lowercase(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        for byte in bytes { output += [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]] }
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes of an even-length hex string (either case); `nil` for anything else.
    public static func decode(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }
}

/// Secure randomness from OpenSSL's DRBG.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        let ok = output.withUnsafeMutableBufferPointer { zf_random($0.baseAddress, $0.count) }
        precondition(ok == 1, "OpenSSL's random generator failed")
        return output
    }

    /// `count` decimal digits, e.g. for trade numbers.
    public static func digits(_ count: Int) -> String {
        characters(count, from: Array("0123456789".utf8))
    }

    /// `count` characters from [0-9a-z], e.g. for MD5 keys and tokens.
    public static func alphanumeric(_ count: Int) -> String {
        characters(count, from: Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8))
    }

    /// Uniform over `alphabet`: random bytes that would favour its first symbols are drawn again.
    static func characters(_ count: Int, from alphabet: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(count)
        while output.count < count {
            for byte in bytes(count * 2) where output.count < count {
                if let index = symbolIndex(byte, alphabetSize: alphabet.count) { output.append(alphabet[index]) }
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The symbol a random byte stands for, or `nil` for the bytes above the largest multiple of
    /// `alphabetSize` (taking them modulo the size would make the low symbols likelier).
    public static func symbolIndex(_ byte: UInt8, alphabetSize: Int) -> Int? {
        precondition((1...256).contains(alphabetSize))
        let usable = 256 - 256 % alphabetSize
        return Int(byte) < usable ? Int(byte) % alphabetSize : nil
    }
}

/// Comparison whose time depends only on the lengths, never on where the inputs differ.
public enum ConstantTime {
    public static func equals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(lhs.count == rhs.count ? 0 : 1)
        let count = min(lhs.count, rhs.count)
        for index in 0..<count { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}

/// Builds the signer or verifier for a sign type from key text; used by gateway, SDK and CLI.
public enum SigningKeys {
    /// `key` is the MD5 key for MD5, else a private key (PEM or base64).
    public static func signer(_ signType: SignType, key: String) throws(KeyError) -> any Signer {
        switch signType {
        case .md5: return MD5Signer(key: key)
        case .rsa, .rsa2: return try RSASigner(key: PrivateKey(text: key), signType: signType)
        case .dsa: return try DSASigner(key: PrivateKey(text: key))
        }
    }

    /// `key` is the MD5 key for MD5, else a public key (PEM or base64).
    public static func verifier(_ signType: SignType, key: String) throws(KeyError) -> any Verifier {
        switch signType {
        case .md5: return MD5Signer(key: key)
        case .rsa, .rsa2: return try RSAVerifier(key: PublicKey(text: key), signType: signType)
        case .dsa: return try DSAVerifier(key: PublicKey(text: key))
        }
    }
}

/// PBKDF2-HMAC-SHA256, the slow KDF behind payment passwords.
public enum PBKDF2 {
    public static func sha256(password: [UInt8], salt: [UInt8], iterations: Int, length: Int = 32) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: length)
        let ok = password.withUnsafeBufferPointer { p in
            salt.withUnsafeBufferPointer { s in
                output.withUnsafeMutableBufferPointer { o in
                    zf_pbkdf2_sha256(p.baseAddress, p.count, s.baseAddress, s.count, Int32(iterations), o.baseAddress, o.count)
                }
            }
        }
        precondition(ok == 1, "PBKDF2 failed")
        return output
    }
}
