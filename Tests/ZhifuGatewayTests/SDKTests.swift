import Testing
import ZhifuProtocol
import ZhifuSDK

@Suite struct MAPIClientTests {
    @Test func signedRequestsDecodeAndVerifyLikeTheGatewayReadsThem() throws {
        let key = try PrivateKey.generate(.rsa)
        let client = MAPIClient(gatewayURL: "http://127.0.0.1:8080/gateway.do", partner: "2088101000000001",
                                signer: try RSASigner(key: key, signType: .rsa), charset: .gbk)
        let url = try client.requestURL(service: "batch_trans_notify", Parameters([("account_name", "毛毛"), ("batch_no", "20080107001")]))
        let query = Array(url.split(separator: "?", maxSplits: 1)[1].utf8)
        let (params, charset) = try FormCoding.decode(query: query, body: [])
        #expect(charset == .gbk)
        #expect(params["account_name"] == "毛毛")
        #expect(params["sign_type"] == "RSA")
        let verifier = try RSAVerifier(key: key.publicKey, signType: .rsa)
        #expect(verifier.isValidSignature(params["sign"]!, for: Charset.gbk.encode(SignContent.mapi(params))!))
        #expect(MAPIClient.isValidNotification(params, verifier: verifier, charset: .gbk))
        var tampered = params
        tampered["batch_no"] = "20080107002"
        #expect(!MAPIClient.isValidNotification(tampered, verifier: verifier, charset: .gbk))
    }

    @Test func unencodableValuesAreRefused() {
        let client = MAPIClient(gatewayURL: "x", partner: "2088101000000001", signer: MD5Signer(key: "k"), charset: .gbk)
        #expect(throws: MAPIClient.RequestError.unencodable) { try client.formBody(service: "s", Parameters([("a", "😀")])) }
    }
}
