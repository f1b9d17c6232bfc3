/// A QR Code (ISO/IEC 18004) in byte mode at error-correction level M, versions 1–40: what the
/// precreate `qr_code` URL and the buyer's payment code are drawn as. Follows the structure of
/// Project Nayuki's reference encoder: function patterns, codewords with Reed–Solomon blocks
/// interleaved, then the mask with the lowest penalty.
public struct QRCode: Sendable {
    public let size: Int
    /// `modules[y][x]`: true is dark.
    public private(set) var modules: [[Bool]]
    private var isFunction: [[Bool]]

    /// Error-correction codewords per block and number of blocks at level M, by version.
    private static let eccPerBlock = [-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28,
                                      28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28]
    private static let blockCount = [-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29,
                                     31, 33, 35, 37, 38, 40, 43, 45, 47, 49]
    /// Level M's two format bits.
    private static let levelMBits = 0

    /// Encodes `text`'s UTF-8 bytes in the smallest version that holds them; `nil` above version 40.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        var chosen: Int?
        for version in 1...40 {
            let countBits = version <= 9 ? 8 : 16
            if 4 + countBits + bytes.count * 8 <= Self.dataCodewords(version) * 8 { chosen = version; break }
        }
        guard let version = chosen else { return nil }
        size = version * 4 + 17
        modules = Array(repeating: Array(repeating: false, count: size), count: size)
        isFunction = modules

        // Data bits: mode 0100, count, bytes, terminator, padding to the capacity.
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) { for i in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) } }
        append(0b0100, 4)
        append(bytes.count, version <= 9 ? 8 : 16)
        for byte in bytes { append(Int(byte), 8) }
        let capacity = Self.dataCodewords(version) * 8
        append(0, min(4, capacity - bits.count))
        append(0, (8 - bits.count % 8) % 8)
        var pad = 0xEC
        while bits.count < capacity { append(pad, 8); pad ^= 0xEC ^ 0x11 }
        var data: [UInt8] = []
        for start in stride(from: 0, to: bits.count, by: 8) {
            data.append(bits[start..<start + 8].reduce(0) { $0 << 1 | ($1 ? 1 : 0) })
        }

        drawFunctionPatterns(version)
        drawCodewords(Self.withErrorCorrection(data, version: version))
        var best = 0, bestPenalty = Int.max
        for mask in 0..<8 {
            applyMask(mask)
            drawFormatBits(mask)
            let score = penalty()
            if score < bestPenalty { best = mask; bestPenalty = score }
            applyMask(mask)
        }
        applyMask(best)
        drawFormatBits(best)
    }

    /// An SVG drawing with a 4-module quiet zone, `pixels` wide and high when given (scaled).
    public func svg(moduleSize: Int = 6, pixels: Int? = nil) -> String {
        let total = (size + 8) * moduleSize
        let shown = pixels ?? total
        var path = ""
        for y in 0..<size {
            for x in 0..<size where modules[y][x] {
                path += "M\((x + 4) * moduleSize),\((y + 4) * moduleSize)h\(moduleSize)v\(moduleSize)h-\(moduleSize)z"
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(shown)" height="\(shown)" viewBox="0 0 \(total) \(total)" shape-rendering="crispEdges">\
            <rect width="100%" height="100%" fill="#fff"/><path d="\(path)" fill="#000"/></svg>
            """
    }

    // MARK: Capacity and error correction

    private static func rawDataModules(_ version: Int) -> Int {
        var result = (16 * version + 128) * version + 64
        if version >= 2 {
            let alignments = version / 7 + 2
            result -= (25 * alignments - 10) * alignments - 55
            if version >= 7 { result -= 36 }
        }
        return result
    }

    private static func dataCodewords(_ version: Int) -> Int {
        rawDataModules(version) / 8 - eccPerBlock[version] * blockCount[version]
    }

    /// Splits the data into blocks, appends each block's Reed–Solomon codewords, interleaves.
    private static func withErrorCorrection(_ data: [UInt8], version: Int) -> [UInt8] {
        let blocks = blockCount[version], eccLength = eccPerBlock[version]
        let raw = rawDataModules(version) / 8
        let shortBlocks = blocks - raw % blocks, shortLength = raw / blocks
        let divisor = reedSolomonDivisor(eccLength)
        var split: [[UInt8]] = []
        var offset = 0
        for i in 0..<blocks {
            let length = shortLength - eccLength + (i < shortBlocks ? 0 : 1)
            var block = Array(data[offset..<offset + length])
            offset += length
            let ecc = reedSolomonRemainder(block, divisor)
            if i < shortBlocks { block.append(0) }
            split.append(block + ecc)
        }
        var result: [UInt8] = []
        for i in 0..<split[0].count {
            for (j, block) in split.enumerated() where i != shortLength - eccLength || j >= shortBlocks {
                result.append(block[i])
            }
        }
        return result
    }

    private static func reedSolomonDivisor(_ degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree)
        result[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<degree {
                result[j] = multiply(result[j], root)
                if j + 1 < degree { result[j] ^= result[j + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    private static func reedSolomonRemainder(_ data: [UInt8], _ divisor: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: divisor.count)
        for byte in data {
            let factor = byte ^ result.removeFirst()
            result.append(0)
            for i in result.indices { result[i] ^= multiply(divisor[i], factor) }
        }
        return result
    }

    /// Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1.
    private static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        var z = 0
        for i in stride(from: 7, through: 0, by: -1) {
            z = (z << 1) ^ ((z >> 7) * 0x11D)
            z ^= Int((y >> UInt8(i)) & 1) * Int(x)
        }
        return UInt8(z & 0xFF)
    }

    // MARK: Drawing

    private mutating func set(_ x: Int, _ y: Int, _ dark: Bool, function: Bool = true) {
        modules[y][x] = dark
        if function { isFunction[y][x] = true }
    }

    private mutating func drawFunctionPatterns(_ version: Int) {
        for i in 0..<size {
            set(6, i, i % 2 == 0)
            set(i, 6, i % 2 == 0)
        }
        for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            for dy in -4...4 {
                for dx in -4...4 {
                    let x = cx + dx, y = cy + dy
                    guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                    let distance = max(abs(dx), abs(dy))
                    set(x, y, distance != 2 && distance != 4)
                }
            }
        }
        let positions = Self.alignmentPositions(version, size: size)
        for (i, cx) in positions.enumerated() {
            for (j, cy) in positions.enumerated() {
                let last = positions.count - 1
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                for dy in -2...2 {
                    for dx in -2...2 { set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1) }
                }
            }
        }
        drawFormatBits(0)  // reserves the format areas; redrawn with the chosen mask
        if version >= 7 {
            var remainder = version
            for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
            let bits = version << 12 | remainder
            for i in 0..<18 {
                let dark = (bits >> i) & 1 == 1
                let a = size - 11 + i % 3, b = i / 3
                set(a, b, dark)
                set(b, a, dark)
            }
        }
    }

    private static func alignmentPositions(_ version: Int, size: Int) -> [Int] {
        guard version > 1 else { return [] }
        let count = version / 7 + 2
        let step = (version * 8 + count * 3 + 5) / (count * 4 - 4) * 2
        var result = [6]
        var position = size - 7
        for _ in 0..<(count - 1) {
            result.insert(position, at: 1)
            position -= step
        }
        return result
    }

    private mutating func drawFormatBits(_ mask: Int) {
        let data = Self.levelMBits << 3 | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        let bits = (data << 10 | remainder) ^ 0x5412
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        for i in 0...5 { set(8, i, bit(i)) }
        set(8, 7, bit(6))
        set(8, 8, bit(7))
        set(7, 8, bit(8))
        for i in 9..<15 { set(14 - i, 8, bit(i)) }
        for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
        for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
        set(8, size - 8, true)
    }

    /// Places the codewords in the zig-zag column pairs, right to left, skipping the timing column.
    private mutating func drawCodewords(_ data: [UInt8]) {
        var i = 0
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            for vertical in 0..<size {
                for j in 0..<2 {
                    let x = right - j
                    let upward = (right + 1) & 2 == 0
                    let y = upward ? size - 1 - vertical : vertical
                    if !isFunction[y][x] && i < data.count * 8 {
                        modules[y][x] = (data[i >> 3] >> UInt8(7 - (i & 7))) & 1 == 1
                        i += 1
                    }
                }
            }
            right -= 2
        }
    }

    private mutating func applyMask(_ mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y][x] {
                let invert = switch mask {
                case 0: (x + y) % 2 == 0
                case 1: y % 2 == 0
                case 2: x % 3 == 0
                case 3: (x + y) % 3 == 0
                case 4: (x / 3 + y / 2) % 2 == 0
                case 5: x * y % 2 + x * y % 3 == 0
                case 6: (x * y % 2 + x * y % 3) % 2 == 0
                default: ((x + y) % 2 + x * y % 3) % 2 == 0
                }
                if invert { modules[y][x].toggle() }
            }
        }
    }

    /// The standard's four penalty rules: runs of five or more, 2×2 blocks, finder-like
    /// patterns, and imbalance of dark and light.
    private func penalty() -> Int {
        var result = 0
        for line in 0..<2 {
            for a in 0..<size {
                let cells = (0..<size).map { line == 0 ? modules[a][$0] : modules[$0][a] }
                var run = 1
                for b in 1..<size {
                    if cells[b] == cells[b - 1] {
                        run += 1
                        if run == 5 { result += 3 } else if run > 5 { result += 1 }
                    } else { run = 1 }
                }
                // Finder-like runs n:n:3n:n:n at any scale n, each side scored once: 4n light modules
                // before and at least n after, or the reverse. The quiet zone outside is one long
                // light run. As in Nayuki's current encoder; counting only n = 1 chose other masks.
                var runs: [(dark: Bool, length: Int)] = [(false, size)]
                for cell in cells {
                    if runs[runs.count - 1].dark == cell { runs[runs.count - 1].length += 1 } else { runs.append((cell, 1)) }
                }
                if runs[runs.count - 1].dark { runs.append((false, size)) } else { runs[runs.count - 1].length += size }
                for i in stride(from: 1, to: runs.count - 5, by: 2) {
                    let n = runs[i].length
                    guard runs[i + 1].length == n, runs[i + 2].length == 3 * n, runs[i + 3].length == n,
                          runs[i + 4].length == n else { continue }
                    let before = runs[i - 1].length, after = runs[i + 5].length
                    if before >= 4 * n && after >= n { result += 40 }
                    if after >= 4 * n && before >= n { result += 40 }
                }
            }
        }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let color = modules[y][x]
                if color == modules[y][x + 1] && color == modules[y + 1][x] && color == modules[y + 1][x + 1] { result += 3 }
            }
        }
        let dark = modules.reduce(0) { $0 + $1.filter { $0 }.count }
        let total = size * size
        // Ten points for every full 5 % the dark share strays from half (Nayuki's formula, which
        // gives -10 at exactly half: the same for every mask, so it changes no choice).
        result += ((abs(dark * 20 - total * 10) + total - 1) / total - 1) * 10
        return result
    }
}
