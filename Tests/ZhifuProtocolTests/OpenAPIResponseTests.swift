import Testing
@testable import ZhifuProtocol

@Suite struct OpenAPIResponseTests {
    @Test func stringsEscapeSlashesQuotesAndBraces() {
        let json = OpenAPIJSON.object([("url", .string("http://a.b/c")), ("text", .string("say \"hi\" {x}\\ 中文\n")), ("list", .array([.string("1")]))])
        #expect(json.rendered == #"{"url":"http:\/\/a.b\/c","text":"say \"hi\" \u007bx\u007d\\ 中文\n","list":["1"]}"#)
    }

    @Test func controlCharactersAreEscaped() {
        #expect(OpenAPIJSON.string("\u{01}").rendered == #""\u0001""#)
    }

    @Test func signFollowsTheResponseObjectAndCoversItsExactBytes() throws {
        let key = try PrivateKey.generate(.rsa)
        let response = OpenAPIResponse.success([("trade_no", .string("2013112011001004330000121536")), ("subject", .string("{测试}/商品"))])
        let body = try OpenAPIResponse.body(method: "alipay.trade.query", response: response, signer: RSASigner(key: key, signType: .rsa2), charset: .utf8)
        let text = String(decoding: body, as: UTF8.self)
        let prefix = "{\"alipay_trade_query_response\":"
        #expect(text.hasPrefix(prefix + "{\"code\":\"10000\",\"msg\":\"Success\",\"trade_no\":"))
        let signMarker = try #require(text.range(of: ",\"sign\":\""))
        let object = String(text[text.index(text.startIndex, offsetBy: prefix.count)..<signMarker.lowerBound])
        #expect(object == response.rendered)
        #expect(!object.contains("{测试}"), "braces inside strings are escaped")
        let signature = String(text[signMarker.upperBound...].dropLast(2))
        #expect(try RSAVerifier(key: key.publicKey, signType: .rsa2).isValidSignature(signature, for: Array(object.utf8)))
        #expect(text.hasSuffix("\"}"))
    }

    @Test func errorsCarrySubCodesAndUnknownMethodsAnswerErrorResponse() throws {
        let json = OpenAPIResponse.failure(.isvInvalidSignature)
        #expect(json.rendered == #"{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature","sub_msg":"无效签名"}"#)
        #expect(OpenAPIResponse.key(method: nil) == "error_response")
        #expect(OpenAPIResponse.key(method: "alipay.trade.close") == "alipay_trade_close_response")
    }

    @Test func gbkResponsesAreSignedOverGBKBytes() throws {
        let key = try PrivateKey.generate(.rsa)
        let response = OpenAPIResponse.success([("subject", .string("协商退款"))])
        let body = try OpenAPIResponse.body(method: "alipay.trade.query", response: response, signer: RSASigner(key: key, signType: .rsa), charset: .gbk)
        #expect(Charset.gbk.decode(body)?.contains("协商退款") == true)
        let object = Charset.gbk.encode(response.rendered)!
        let text = Charset.gbk.decode(body)!
        let signature = String(text[text.range(of: ",\"sign\":\"")!.upperBound...].dropLast(2))
        #expect(try RSAVerifier(key: key.publicKey, signType: .rsa).isValidSignature(signature, for: object))
    }
}
