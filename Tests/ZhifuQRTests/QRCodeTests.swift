import Foundation
import Testing
import ZhifuQR

/// Matrices from an independent encoder, Project Nayuki's `qrcodegen` (PyPI), in byte mode at level
/// M with its own choice of version and mask, for 28 inputs of 1 to 558 bytes (versions 1–18, masks
/// 0–6), kept as the project's test data. They caught masks chosen by a wrong finder-pattern penalty:
/// the last two need finder-like runs counted at every scale (2:2:6:2:2 …), not only 1:1:3:1:1.
/// (segno is not a source: it writes a 0x00 codeword before the pad codewords in byte mode.)
struct QRVector: Decodable, CustomTestStringConvertible {
    var text: String
    var version: Int
    var mask: Int
    var rows: [String]
    var testDescription: String { "\(text.prefix(24)) (version \(version))" }

    static let all: [QRVector] = {
        guard let url = Bundle.module.url(forResource: "qr_vectors", withExtension: "json", subdirectory: "Vectors"),
              let data = try? Data(contentsOf: url), let vectors = try? JSONDecoder().decode([QRVector].self, from: data) else { return [] }
        return vectors
    }()
}

@Suite struct QRCodeTests {
    @Test func allTwentyEightReferenceVectorsLoad() {
        #expect(QRVector.all.count == 28)
    }

    @Test(arguments: QRVector.all)
    func eachInputEncodesToTheReferenceMatrix(vector: QRVector) throws {
        let code = try #require(QRCode(vector.text))
        #expect(code.size == vector.version * 4 + 17, "the smallest version that holds the bytes at level M")
        let rows = code.modules.map { String($0.map { $0 ? "1" : "0" }) }
        #expect(rows == vector.rows)
    }

    /// Level M in byte mode holds 14 bytes in version 1 and 26 in version 2.
    @Test func theVersionGrowsAtLevelMsByteCapacities() throws {
        #expect(try #require(QRCode(String(repeating: "a", count: 14))).size == 21)
        #expect(try #require(QRCode(String(repeating: "a", count: 15))).size == 25)
        #expect(try #require(QRCode(String(repeating: "a", count: 26))).size == 25)
        #expect(try #require(QRCode(String(repeating: "a", count: 27))).size == 29)
    }

    /// A 7×7 finder (dark ring, light ring, 3×3 dark core) ringed by a light separator, in the
    /// top-left, top-right and bottom-left corners only.
    @Test func finderPatternsSitInThreeCornersAndNotTheFourth() throws {
        let code = try #require(QRCode("https://example.com/qr/2026112322001400000001"))
        func isFinder(_ left: Int, _ top: Int) -> Bool {
            (0..<7).allSatisfy { dy in
                (0..<7).allSatisfy { dx in
                    let ring = max(abs(dx - 3), abs(dy - 3))
                    return code.modules[top + dy][left + dx] == (ring != 2)
                }
            }
        }
        let far = code.size - 7
        #expect(isFinder(0, 0) && isFinder(far, 0) && isFinder(0, far))
        #expect(!isFinder(far, far))
        for i in 0..<8 {
            #expect(!code.modules[7][i] && !code.modules[i][7], "top-left separator")
            #expect(!code.modules[7][code.size - 1 - i] && !code.modules[i][far - 1], "top-right separator")
            #expect(!code.modules[far - 1][i] && !code.modules[code.size - 1 - i][7], "bottom-left separator")
        }
    }

    /// Version 40 at level M holds 2331 bytes; more is refused, never truncated.
    @Test func moreThanVersion40HoldsIsRefused() {
        #expect(QRCode(String(repeating: "a", count: 2331)) != nil)
        #expect(QRCode(String(repeating: "a", count: 2332)) == nil)
    }

    @Test func theSVGDrawsOneSquarePerDarkModuleInsideAQuietZone() throws {
        let code = try #require(QRCode("HELLO WORLD"))
        let dark = code.modules.joined().filter { $0 }.count
        let svg = code.svg(moduleSize: 1)
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>"))
        #expect(svg.contains("width=\"\(code.size + 8)\""), "four light modules each side")
        #expect(svg.filter { $0 == "M" }.count == dark)
        #expect(svg.contains("M4,4h1v1h-1z"), "the top-left finder's corner, after the quiet zone")
    }
}
