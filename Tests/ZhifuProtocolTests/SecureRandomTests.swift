import Testing
import ZhifuProtocol

@Suite struct SecureRandomTests {
    /// 256 is not a multiple of 10: taking every byte modulo 10 gives 0–5 one chance in 256 more
    /// than 6–9. Every symbol must stand for the same number of bytes.
    @Test(arguments: [10, 36])
    func everySymbolHasTheSameNumberOfBytes(alphabetSize: Int) {
        var preimages = [Int](repeating: 0, count: alphabetSize)
        for byte in 0...255 {
            if let index = SecureRandom.symbolIndex(UInt8(byte), alphabetSize: alphabetSize) { preimages[index] += 1 }
        }
        #expect(Set(preimages).count == 1, "symbols drawn unevenly: \(preimages)")
        #expect(preimages[0] == 256 / alphabetSize)
    }

    @Test func bytesAboveTheLastFullRoundAreDrawnAgain() {
        #expect(SecureRandom.symbolIndex(249, alphabetSize: 10) == 9)
        for byte in 250...255 { #expect(SecureRandom.symbolIndex(UInt8(byte), alphabetSize: 10) == nil) }
    }

    @Test func digitsAreDigitsOfTheAskedLength() {
        let text = SecureRandom.digits(1000)
        #expect(text.utf8.count == 1000)
        #expect(text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
    }
}
