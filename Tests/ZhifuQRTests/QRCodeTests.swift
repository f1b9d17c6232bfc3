import Foundation
import Testing
import ZhifuQR

/// Matrices from an independent encoder, Project Nayuki's `qrcodegen` (PyPI), in byte mode at level
/// M with its own choice of version and mask, for 26 inputs of 1 to 450 bytes (versions 1–16, masks
/// 0–6), kept as the project's test data. They caught a mask chosen by a wrong finder-pattern penalty.
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
    @Test func theVectorsAreThere() {
        #expect(QRVector.all.count == 26)
    }

    @Test(arguments: QRVector.all)
    func encodesToTheReferenceMatrix(vector: QRVector) throws {
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

    @Test func finderPatternsSitInThreeCorners() throws {
        let code = try #require(QRCode("https://example.com/qr/1"))
        let last = code.size - 1
        for (x, y) in [(0, 0), (last - 6, 0), (0, last - 6)] {
            #expect(code.modules[y][x] && code.modules[y + 6][x + 6] && code.modules[y + 3][x + 3], "finder at \(x),\(y)")
            #expect(!code.modules[y + 1][x + 1], "the finder's white ring at \(x),\(y)")
        }
        #expect(!code.modules[last - 6][last - 6] || !code.modules[last][last] || code.size > 21, "no finder in the fourth corner")
    }

    /// Version 40 at level M holds 2331 bytes; more is refused, never truncated.
    @Test func moreThanVersion40HoldsIsRefused() {
        #expect(QRCode(String(repeating: "a", count: 2331)) != nil)
        #expect(QRCode(String(repeating: "a", count: 2332)) == nil)
    }

    @Test func theSVGDrawsEveryDarkModule() throws {
        let code = try #require(QRCode("HELLO WORLD"))
        let dark = code.modules.joined().filter { $0 }.count
        let svg = code.svg(moduleSize: 1)
        #expect(svg.hasPrefix("<svg") && svg.contains("</svg>"))
        #expect(dark > 0)
    }
}
