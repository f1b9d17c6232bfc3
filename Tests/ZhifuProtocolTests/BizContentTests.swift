import Testing
import ZhifuProtocol

@Suite struct BizContentTests {
    @Test func numbersAreTakenAsTheLiteralTheMerchantWrote() throws {
        let fields = try BizContent.parse(#"{"total_amount": 0.07, "n":-12.50,"s":"a\"b:1,","nested":{"total_amount":1e5},"list":[1,2],"flag":true}"#)
        #expect(fields["total_amount"] == "0.07" && fields["n"] == "-12.50" && fields["s"] == #"a"b:1,"#)
        #expect(fields["nested"] == #"{"total_amount":100000}"# && fields["list"] == "[1,2]" && fields["flag"] == "true")
    }

    @Test func exponentsAndNonObjectsAreRefused() {
        #expect(throws: BizContent.Failure.exponent(field: "total_amount")) { try BizContent.parse(#"{"total_amount":1E2}"#) }
        #expect(throws: BizContent.Failure.notAnObject) { try BizContent.parse("[1]") }
        #expect(throws: BizContent.Failure.notAnObject) { try BizContent.parse(#"{"a":"#) }
    }

    @Test func nullMembersAreAbsent() throws {
        #expect(try BizContent.parse(#"{"body":null,"subject":"s"}"#) == ["subject": "s"])
    }
}
