import ZhifuProtocol

/// Payment passwords (支付密码) under PBKDF2-HMAC-SHA256 with a per-account random salt.
///
/// Stored as `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>` so the work factor can rise later
/// without invalidating existing hashes.
public enum PaymentPassword {
    public static let defaultIterations = 100_000
    /// Consecutive wrong passwords that block the account (USER_BLOCK_STATUS).
    public static let attemptsBeforeBlock = 5

    public static func hash(_ password: String, iterations: Int = defaultIterations) -> String {
        let salt = SecureRandom.bytes(16)
        let derived = PBKDF2.sha256(password: Array(password.utf8), salt: salt, iterations: iterations)
        return "pbkdf2-sha256$\(iterations)$\(Hex.lowercase(salt))$\(Hex.lowercase(derived))"
    }

    /// Recomputes and compares in constant time. A malformed stored hash never matches.
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$")
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let iterations = Int(parts[1]), (1...10_000_000).contains(iterations),
              let salt = fromHex(parts[2]), let expected = fromHex(parts[3]), password.utf8.count <= 256
        else { return false }
        let derived = PBKDF2.sha256(password: Array(password.utf8), salt: salt, iterations: iterations, length: expected.count)
        return ConstantTime.equals(derived, expected)
    }

    private static func fromHex(_ text: Substring) -> [UInt8]? {
        let bytes = Array(text.utf8)
        guard bytes.count % 2 == 0, !bytes.isEmpty else { return nil }
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let byte = UInt8(String(decoding: bytes[index...index + 1], as: UTF8.self), radix: 16) else { return nil }
            output.append(byte)
            index += 2
        }
        return output
    }
}
