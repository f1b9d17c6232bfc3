/// Standard base64 (RFC 4648, with padding), no Foundation: used for signatures and keys.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 2 < input.count {
            let n = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            // Appended one by one: an array literal per group allocated (issue 17's verify profile).
            output.append(alphabet[Int(n >> 18 & 63)])
            output.append(alphabet[Int(n >> 12 & 63)])
            output.append(alphabet[Int(n >> 6 & 63)])
            output.append(alphabet[Int(n & 63)])
            index += 3
        }
        let rest = input.count - index
        if rest == 1 {
            let n = UInt32(input[index]) << 16
            output += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        } else if rest == 2 {
            let n = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            output += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], UInt8(ascii: "=")]
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes base64, ignoring whitespace (keys arrive wrapped at 64 columns). Padding is optional.
    /// `nil` for any other character or an impossible length.
    ///
    /// One pass over the UTF-8 bytes into an output of the right size: every request's signature
    /// goes through here, and two arrays and a bounds check per byte were an eighth of an RSA
    /// verification (issue 17).
    public static func decode(_ string: String) -> [UInt8]? {
        var string = string
        return string.withUTF8 { input in reverse.withUnsafeBufferPointer { decode(input, reverse: $0) } }
    }

    private static func decode(_ input: UnsafeBufferPointer<UInt8>, reverse: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var valid = true
        let output = [UInt8](unsafeUninitializedCapacity: input.count / 4 * 3 + 3) { output, written in
            var group: UInt32 = 0, inGroup = 0, padding = 0, count = 0
            for byte in input {
                let value = reverse[Int(byte)]
                if value < 64 {
                    guard padding == 0 else { valid = false; return }
                    group = group << 6 | UInt32(value)
                    inGroup += 1
                    if inGroup == 4 {
                        output[count] = UInt8(truncatingIfNeeded: group >> 16)
                        output[count + 1] = UInt8(truncatingIfNeeded: group >> 8)
                        output[count + 2] = UInt8(truncatingIfNeeded: group)
                        count += 3
                        group = 0
                        inGroup = 0
                    }
                } else if byte == UInt8(ascii: "=") {
                    padding += 1
                } else if byte != UInt8(ascii: " "), byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r"), byte != UInt8(ascii: "\t") {
                    valid = false
                    return
                }
            }
            guard padding <= 2, inGroup != 1, padding == 0 || (inGroup + padding) % 4 == 0 else { valid = false; return }
            // The last group's 2 or 3 characters carry 1 or 2 bytes.
            if inGroup == 2 {
                output[count] = UInt8(truncatingIfNeeded: group >> 4)
                count += 1
            } else if inGroup == 3 {
                output[count] = UInt8(truncatingIfNeeded: group >> 10)
                output[count + 1] = UInt8(truncatingIfNeeded: group >> 2)
                count += 2
            }
            written = count
        }
        return valid ? output : nil
    }
}
