import Testing
import Foundation
@testable import ZhifuProtocol

@Suite struct CharsetTests {
    @Test func seed001GBKDetailDataDecodes() throws {
        let bytes = try FormCoding.percentDecode(Array("%D0%AD%C9%CC%CD%CB%BF%EE".utf8))
        #expect(Charset.gbk.decode(bytes) == "协商退款")
        #expect(Charset.gb2312.decode(bytes) == "协商退款")
        #expect(Charset.gb18030.decode(bytes) == "协商退款")
    }

    @Test func gbkEncodingRoundTrips() {
        let text = "毛毛^常炜买家^20.00^hello"
        let bytes = Charset.gbk.encode(text)
        #expect(bytes != nil)
        #expect(bytes != Array(text.utf8))
        #expect(Charset.gbk.decode(bytes!) == text)
    }

    @Test func invalidBytesAreRefused() {
        #expect(Charset.utf8.decode([0xC3]) == nil)
        #expect(Charset.utf8.decode([0xFF, 0x41]) == nil)
        #expect(Charset.gbk.decode([0xD0]) == nil, "a truncated double-byte character")
        #expect(Charset.gbk.decode([0x81, 0x20]) == nil, "an invalid trail byte")
    }

    @Test func charactersOutsideGBKCannotBeEncoded() {
        #expect(Charset.gbk.encode("pay 😀") == nil)
        #expect(Charset.gb18030.encode("pay 😀") != nil)
    }

    @Test(arguments: [("utf-8", Charset.utf8), ("UTF-8", .utf8), ("utf8", .utf8), ("GBK", .gbk), ("gb2312", .gb2312), ("GB18030", .gb18030)])
    func charsetNamesAreCaseInsensitive(name: String, charset: Charset) {
        #expect(Charset(name: name) == charset)
    }

    @Test func unknownCharsetNamesAreRefused() {
        #expect(Charset(name: "latin1") == nil)
        #expect(Charset(name: "") == nil)
    }
}

@Suite struct FormCodingTests {
    func decode(_ query: String, _ body: String = "") throws(FormCoding.DecodingError) -> (Parameters, Charset) {
        try FormCoding.decode(query: Array(query.utf8), body: Array(body.utf8))
    }

    @Test func plusIsASpaceAndEscapesAreBytes() throws {
        let (params, charset) = try decode("refund_date=2011-01-12+11%3A21%3A00&email=biz_932%40alitest.com")
        #expect(charset == .utf8)
        #expect(params["refund_date"] == "2011-01-12 11:21:00")
        #expect(params["email"] == "biz_932@alitest.com")
    }

    @Test func charsetIsTakenFromTheBodyForQueryValuesToo() throws {
        let (params, charset) = try decode("detail_data=2011011201037066%5E5.00%5E%D0%AD%C9%CC%CD%CB%BF%EE", "_input_charset=gbk")
        #expect(charset == .gbk)
        #expect(params["detail_data"] == "2011011201037066^5.00^协商退款")
    }

    @Test func inputCharsetWithoutUnderscoreIsAccepted() throws {
        let (params, charset) = try decode("input_charset=GBK&account_name=%C3%AB%C3%AB")
        #expect(charset == .gbk)
        #expect(params["account_name"] == Charset.gbk.decode([0xC3, 0xAB, 0xC3, 0xAB]))
        #expect(params["account_name"] != nil)
    }

    @Test func seed000SampleAccountNameIsUTF8Mojibake() throws {
        // The seed's sample sends account_name=%C3%AB%C3%AB with input_charset=utf-8: "ëë".
        let (params, _) = try decode("input_charset=utf-8&account_name=%C3%AB%C3%AB")
        #expect(params["account_name"] == "ëë")
    }

    @Test(arguments: ["a=%4", "a=%", "a=%zz", "a=%4g&b=1", "a=b%"])
    func truncatedOrInvalidPercentEscapesAreRefused(query: String) {
        #expect(throws: FormCoding.DecodingError.malformedPercentEscape) { try decode(query) }
    }

    @Test func repeatedNameWithDifferentValuesIsRefused() {
        #expect(throws: FormCoding.DecodingError.duplicateParameter("batch_no")) { try decode("batch_no=1&batch_no=2") }
        #expect(throws: FormCoding.DecodingError.duplicateParameter("batch_no")) { try decode("batch_no=1", "batch_no=2") }
    }

    @Test func repeatedNameWithTheSameValueIsAccepted() throws {
        let (params, _) = try decode("service=x&partner=1", "service=x")
        #expect(params["service"] == "x")
        #expect(params.count == 2)
    }

    @Test func invalidBytesInTheNamedCharsetAreRefused() {
        #expect(throws: FormCoding.DecodingError.invalidBytes(parameter: "name", charset: .utf8)) { try decode("name=%C3") }
        #expect(throws: FormCoding.DecodingError.invalidBytes(parameter: "name", charset: .gbk)) { try decode("_input_charset=gbk&name=%D0") }
    }

    @Test func unknownCharsetIsRefused() {
        #expect(throws: FormCoding.DecodingError.unsupportedCharset("big5")) { try decode("_input_charset=big5&a=1") }
    }

    @Test func nonASCIIOrEmptyNamesAreRefused() {
        #expect(throws: FormCoding.DecodingError.malformedName) { try decode("%E4%B8%AD=1") }
        #expect(throws: FormCoding.DecodingError.malformedName) { try decode("=1") }
    }

    @Test func tooManyParametersAreRefused() {
        let query = (0...FormCoding.maximumParameterCount).map { "p\($0)=1" }.joined(separator: "&")
        #expect(throws: FormCoding.DecodingError.tooLarge) { try decode(query) }
    }

    @Test func encodingThenDecodingGivesTheSameParametersInGBK() throws {
        let params = Parameters([("detail_data", "2011011201037066^5.00^协商退款"), ("email", "a+b@c.com"), ("note", "a&b=c d")])
        let encoded = try #require(FormCoding.encode(params, charset: .gbk))
        #expect(encoded.contains("%D0%AD%C9%CC%CD%CB%BF%EE"))
        let (decoded, _) = try FormCoding.decode(query: Array(encoded.utf8), body: [], defaultCharset: .gbk)
        #expect(decoded == params)
    }
}

@Suite struct Base64Tests {
    @Test func roundTripsEveryLength() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(($0 * 37 + 11) & 0xFF) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
    }

    @Test func knownValues() {
        #expect(Base64.encode(Array("any carnal pleas".utf8)) == "YW55IGNhcm5hbCBwbGVhcw==")
        #expect(Base64.decode("YW55IGNhcm5hbCBwbGVhcw==") == Array("any carnal pleas".utf8))
        #expect(Base64.decode("YW55\nIGNh") == Array("any ca".utf8))
    }

    @Test func decodesAsFoundationDoesWrappedOrNot() {
        for length in 0..<70 {
            let bytes = (0..<length).map { UInt8(($0 * 91 + 7) & 0xFF) }
            let text = Data(bytes).base64EncodedString()
            #expect(Base64.decode(text) == Array(Data(base64Encoded: text)!))
            let wrapped = Data(bytes).base64EncodedString(options: [.lineLength64Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            #expect(Base64.decode(wrapped) == bytes)
            #expect(Base64.decode(String(text.filter { $0 != "=" })) == bytes)
        }
    }

    @Test func malformedInputIsRefused() {
        #expect(Base64.decode("YW5*") == nil)
        #expect(Base64.decode("Y") == nil)
        #expect(Base64.decode("YW==YW") == nil)
        #expect(Base64.decode("YW===") == nil)
    }

    @Test func markupInGBKWritesCharactersGBKLacksAsReferences() {
        #expect(Charset.gbk.decode(Charset.gbk.encodeMarkup("毛毛 😀 <p>")) == "毛毛 &#x1F600; <p>")
        #expect(Charset.utf8.encodeMarkup("😀") == Array("😀".utf8))
    }

    @Test func anEmptyCharsetIsRefusedWhenAskedAndSkippedOtherwise() throws {
        #expect(throws: FormCoding.DecodingError.unsupportedCharset("")) {
            try FormCoding.decode(query: Array("_input_charset=&a=b".utf8), body: [], refusingEmptyCharset: true)
        }
        #expect(try FormCoding.decode(query: Array("_input_charset=&a=%C3%AB".utf8), body: [], defaultCharset: .gbk).1 == .gbk)
    }
}
