import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import ZhifuCore
import ZhifuGateway
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

/// ZhifuSDK's OpenAPI client against a live Zhifu: signed requests, typed answers, signatures
/// checked over the exact bytes, business failures thrown.
@Suite struct AlipayClientTests {
    func client(_ world: TestWorld, port: Int, charset: Charset = .utf8) throws -> AlipayClient {
        AlipayClient(configuration: try .init(gatewayURL: "http://127.0.0.1:\(port)/gateway.do", appId: TestWorld.appId,
                                              appPrivateKey: TestWorld.appKey.pemRepresentation,
                                              alipayPublicKey: world.gateway.privateKey.publicKey.pemRepresentation, charset: charset))
    }

    @Test(arguments: [Charset.utf8, .gbk])
    func tradesRunEndToEndWithTypedCalls(charset: Charset) async throws {
        let world = try await TestWorld.make()
        try await world.app().test(.live) { live in
            let alipay = try client(world, port: try #require(live.port), charset: charset)
            let code = try await world.gateway.trades.issuePaymentCode(buyer: UserId(TestWorld.buyer)!)
            var order = AlipayTrade.OrderModel(outTradeNo: "sdk-1", totalAmount: Amount(fen: 1_250), subject: "咖啡 {大杯}/热")
            order.passbackParams = "a%3D1"
            let paid = try await alipay.trade.pay(.init(order: order, authCode: code.code))
            #expect(paid.outTradeNo == "sdk-1" && paid.totalAmount == Amount(fen: 1_250) && paid.buyerUserId == TestWorld.buyer)
            #expect(paid.fundBillList?.map(\.fundChannel) == ["ALIPAYACCOUNT"] && paid.fundBillList?.first?.amount == Amount(fen: 1_250))
            let query = try await alipay.trade.query(.init(outTradeNo: "sdk-1"))
            #expect(query.tradeStatus == "TRADE_SUCCESS" && query.subject == "咖啡 {大杯}/热" && query.passbackParams == "a%3D1")
            let refund = try await alipay.trade.refund(.init(outTradeNo: "sdk-1", refundAmount: Amount(fen: 250), outRequestNo: "r1"))
            #expect(refund.fundChange == "Y" && refund.refundFee == Amount(fen: 250))
            let found = try await alipay.trade.fastpayRefundQuery(.init(outTradeNo: "sdk-1", outRequestNo: "r1"))
            #expect(found.refundAmount == Amount(fen: 250))
            let pre = try await alipay.trade.precreate(.init(outTradeNo: "sdk-2", totalAmount: Amount(fen: 100), subject: "s"))
            #expect(pre.qrCode.hasSuffix("/qr/" + (pre.qrCode.split(separator: "/").last.map(String.init) ?? "")))
            let cancelled = try await alipay.trade.cancel(.init(outTradeNo: "sdk-2"))
            #expect(cancelled.action == "close")
            let settled = try await alipay.trade.orderSettle(.init(outRequestNo: "s1", tradeNo: paid.tradeNo,
                                                                   royaltyParameters: [.init(transIn: "2088103000000000", amount: Amount(fen: 100))]))
            #expect(settled.tradeNo == paid.tradeNo && settled.settleNo?.count == 28)
            #expect(try await alipay.trade.orderinfoSync(.init(tradeNo: paid.tradeNo, outRequestNo: "o1", bizType: "CREDIT_AUTH")).buyerUserId == TestWorld.buyer)
            let consult = try await alipay.trade.advanceConsult(alipayUserId: TestWorld.buyer)
            #expect(consult.referResult == false && consult.waitRepaymentAmount == .zero)
            let pageRefund = try await alipay.trade.pageRefund(.init(tradeNo: paid.tradeNo, refundAmount: Amount(fen: 50), outRequestNo: "pr1"))
            #expect(pageRefund.refundAmount == Amount(fen: 50) && pageRefund.outRequestNo == "pr1")
            // A business failure is thrown with its sub_code.
            await #expect { try await alipay.trade.query(.init(outTradeNo: "sdk-2")) } throws: {
                ($0 as? AlipayError)?.subCode == "ACQ.TRADE_NOT_EXIST" && ($0 as? AlipayError)?.msg == "Business Failed"
            }
        }
    }

    @Test func answersWhoseSignatureDoesNotHoldAreRefused() async throws {
        let world = try await TestWorld.make()
        let alipay = try client(world, port: 1)
        let object = OpenAPIResponse.success([("trade_no", .string("1")), ("out_trade_no", .string("x"))])
        let body = try OpenAPIResponse.body(method: "alipay.trade.close", response: object, signer: RSASigner(key: world.gateway.privateKey), charset: .utf8)
        #expect(try alipay.verified(body, method: "alipay.trade.close").count > 0)
        var tampered = body
        tampered[tampered.firstIndex(of: UInt8(ascii: "x"))!] = UInt8(ascii: "y")
        #expect(throws: AlipayResponseBody.Failure.invalidSignature) { try alipay.verified(tampered, method: "alipay.trade.close") }
        let unsigned = try OpenAPIResponse.body(method: "alipay.trade.close", response: object, signer: nil, charset: .utf8)
        #expect(throws: AlipayResponseBody.Failure.unsigned) { try alipay.verified(unsigned, method: "alipay.trade.close") }
        #expect(throws: AlipayResponseBody.Failure.noResponseObject) { try alipay.verified(Array("{}".utf8), method: "alipay.trade.close") }
    }

    @Test func pageURLsAndOrderStringsAreSignedForTheGateway() async throws {
        let world = try await TestWorld.make()
        let alipay = try client(world, port: 8080)
        let url = try alipay.trade.pageURL(.init(outTradeNo: "p-1", totalAmount: Amount(fen: 100), subject: "书"), returnURL: "http://shop.example/r")
        let (params, _) = try FormCoding.decode(query: Array(try #require(url.split(separator: "?", maxSplits: 1).last).utf8), body: [])
        #expect(params["method"] == "alipay.trade.page.pay" && params["return_url"] == "http://shop.example/r")
        #expect(SignContent.isValid(try #require(params["sign"]), for: params, charset: .utf8, verifier: try RSAVerifier(key: TestWorld.appKey.publicKey),
                                    content: SignContent.openAPIRequest))
        let order = try alipay.trade.appOrderString(.init(outTradeNo: "a-1", totalAmount: Amount(fen: 100), subject: "s"))
        #expect(order.contains("method=alipay.trade.app.pay") && order.contains("sign="))
    }

    /// A transport of the merchant's own carries the signed request and brings the exact bytes
    /// back; the SDK still checks them, whatever the transport did.
    @Test func aTransportOfYourOwnCarriesTheRequestAndTheSDKStillVerifies() async throws {
        actor Recorder { var requests: [AlipayHTTPRequest] = []; func add(_ r: AlipayHTTPRequest) { requests.append(r) } }
        struct Recording: AlipayTransport {
            let recorder: Recorder
            let change: @Sendable (AlipayHTTPResponse) -> AlipayHTTPResponse
            func send(_ request: AlipayHTTPRequest) async throws -> AlipayHTTPResponse {
                await recorder.add(request)
                return change(try await HTTPClientTransport().send(request))
            }
        }
        let world = try await TestWorld.make()
        try await world.app().test(.live) { live in
            let configuration = try client(world, port: try #require(live.port)).configuration
            let recorder = Recorder()
            let plain = AlipayClient(configuration: configuration, transport: Recording(recorder: recorder, change: { $0 }))
            #expect(try await plain.trade.query(.init(outTradeNo: "order-paid")).tradeStatus == "TRADE_SUCCESS")
            let sent = try #require(await recorder.requests.first)
            #expect(sent.method == "POST" && sent.url.contains("method=alipay.trade.query") && sent.url.contains("sign="))
            #expect(String(decoding: sent.body, as: UTF8.self).hasPrefix("biz_content="))

            let tampering = AlipayClient(configuration: configuration, transport: Recording(recorder: recorder) { response in
                AlipayHTTPResponse(status: response.status, body: Array(String(decoding: response.body, as: UTF8.self)
                    .replacingOccurrences(of: "TRADE_SUCCESS", with: "TRADE_CLOSED").utf8))
            })
            await #expect(throws: AlipayResponseBody.Failure.invalidSignature) { try await tampering.trade.query(.init(outTradeNo: "order-paid")) }
            let failing = AlipayClient(configuration: configuration, transport: Recording(recorder: recorder) { _ in AlipayHTTPResponse(status: 502, body: []) })
            await #expect(throws: AlipayClient.RequestError.http(status: 502)) { try await failing.trade.query(.init(outTradeNo: "order-paid")) }
        }
    }
}
