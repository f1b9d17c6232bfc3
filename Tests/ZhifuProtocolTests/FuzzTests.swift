import Foundation
import PropertyBased
import Testing
import ZhifuProtocol

/// Property-based fuzzing of every decoder a request's bytes reach before the domain sees them:
/// the form decoder, the charsets, amounts, the detail_data grammars, biz_content and sign strings.
/// Each property says what must hold for any input (no crash, and a round trip or a refusal);
/// `ZHIFU_FUZZ_CASES` sets the cases per property (CI runs the default, `scripts/reliability` more).
@Suite struct FuzzTests {
    static let cases = ProcessInfo.processInfo.environment["ZHIFU_FUZZ_CASES"].flatMap(Int.init) ?? 2_000

    /// Bytes biased towards what the decoders treat specially, and some that no charset decodes.
    static let formBytes = Gen<UInt8?>.element(of: Array("%&=+_-.09AFafz".utf8) + [0x00, 0x7F, 0x80, 0xA1, 0xC4, 0xE4, 0xFE, 0xFF])
        .map { $0 ?? 0x25 }.array(of: 0...200)

    static func report(_ name: String) {
        print("fuzz: \(name): \(cases) cases, no crash")
    }

    @Test func formDecodingRefusesOrRoundTripsAnyBytes() async {
        await propertyCheck(count: Self.cases, input: Self.formBytes, Gen<Charset>.case) { body, charset in
            guard let (parameters, used) = try? FormCoding.decode(query: [UInt8](), body: body, defaultCharset: charset) else { return }
            // What was accepted encodes again, and that encoding decodes to the same parameters.
            let encoded = try #require(FormCoding.encode(parameters, charset: used))
            let (again, _) = try FormCoding.decode(query: [UInt8](), body: Array(encoded.utf8), defaultCharset: used)
            #expect(again == parameters)
        }
        Self.report("form decoder")
    }

    @Test func charsetsDecodeOnlyWhatTheyEncodeBack() async {
        await propertyCheck(count: Self.cases, input: Gen<UInt8>.latin1Byte.array(of: 0...64), Gen<Charset>.case) { bytes, charset in
            guard let text = charset.decode(bytes) else { return }
            let encoded = try #require(charset.encode(text))
            #expect(charset.decode(encoded) == text)
        }
        Self.report("charsets")
    }

    @Test func amountsAreRefusedOrExact() async {
        let text = Gen<Character?>.element(of: Array("0123456789.-+eE ,x")).map { $0 ?? "0" }.string(of: 0...26)
        await propertyCheck(count: Self.cases, input: text) { text in
            guard let amount = Amount(text) else { return }
            #expect(amount.fen >= 0)
            #expect(Amount(amount.description) == amount, "\(text) → \(amount)")
        }
        await propertyCheck(count: Self.cases, input: Gen<Int64>.int64(in: 0...Int64.max)) { fen in
            #expect(Amount(Amount(fen: fen).description)?.fen == fen)
        }
        Self.report("amounts")
    }

    /// detail_data of batch_trans_notify: anything parses or is refused with a code; what parses formats back.
    @Test func batchTransDetailDataParsesOrRefuses() async {
        let text = Gen<Character?>.element(of: Array("^|^|0123.a中 ")).map { $0 ?? "^" }.string(of: 0...120)
        await propertyCheck(count: Self.cases, input: text) { text in
            guard let details = try? BatchTransDetail.parse(text) else { return }
            let again = try? BatchTransDetail.parse(BatchTransDetail.format(details))
            #expect(again == details)
        }
        Self.report("batch_trans_notify detail_data")
    }

    @Test func refundDetailDataParsesOrRefuses() async {
        let text = Gen<Character?>.element(of: Array("^|$#^0123.a中 2088")).map { $0 ?? "^" }.string(of: 0...120)
        await propertyCheck(count: Self.cases, input: text, Gen<Charset>.case) { text, charset in
            _ = try? RefundDetail.parse(text, charset: charset)
            _ = try? RefundResultDetail.parse(text)
            _ = try? TransResultDetail.parse(text)
            _ = try? ExtendParam.parse(text)
        }
        Self.report("refund and result detail grammars")
    }

    /// biz_content: any text is an object whose members read as text, or refused; never a crash.
    @Test func bizContentParsesOrRefuses() async {
        let text = Gen<Character?>.element(of: Array(#"{}[]"::,,0123456789eE.-+ truefalsn\u"#)).map { $0 ?? "{" }.string(of: 0...60)
        await propertyCheck(count: Self.cases, input: text) { text in
            guard (try? BizContent.parse(text)) != nil else { return }
            // Accepted only when it is a JSON object.
            #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8))) is [String: Any])
        }
        // Any string value comes back exactly as sent, escapes and all.
        let value = Gen<Character?>.element(of: Array(#"a"\/中😀 \#n\#t0.e"#)).map { $0 ?? "a" }.string(of: 0...20)
        await propertyCheck(count: Self.cases, input: value) { value in
            let json = String(decoding: try JSONSerialization.data(withJSONObject: ["subject": value]), as: UTF8.self)
            let fields = try? BizContent.parse(json)
            #expect(fields?["subject"] == value)
        }
        Self.report("biz_content")
    }

    /// A signature over any parameters verifies, and fails once any value changes.
    @Test func signStringsCoverEveryParameter() async {
        let name = Gen.lowercaseLetter.string(of: 1...6)
        let value = Gen<Character?>.element(of: Array("a1中&=^| ")).map { $0 ?? "a" }.string(of: 1...8)
        let signer = MD5Signer(key: "fuzz0key0fuzz0key0fuzz0key012345")
        await propertyCheck(count: Self.cases, input: zip(name, value).array(of: 1...8), Gen<Int>.int(in: 0...7)) { pairs, pick in
            var unique: [String: String] = [:]
            for (name, value) in pairs where name != "sign" && name != "sign_type" { unique[name] = value }
            guard !unique.isEmpty else { return }
            let parameters = Parameters(unique.map { ($0.key, $0.value) })
            let signature = signer.sign(try #require(Charset.utf8.encode(SignContent.mapi(parameters))))
            #expect(SignContent.isValid(signature, for: parameters, charset: .utf8, verifier: signer, content: SignContent.mapi))
            var changed = parameters
            let target = parameters.names[pick % parameters.count]
            changed[target] = (parameters[target] ?? "") + "x"
            #expect(!SignContent.isValid(signature, for: changed, charset: .utf8, verifier: signer, content: SignContent.mapi))
        }
        Self.report("sign strings")
    }
}

extension Gen<UInt8> {
    /// Any byte.
    static let latin1Byte = Gen<UInt8>.value(in: 0...255)
}
