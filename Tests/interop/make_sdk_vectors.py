"""Request vectors from the official OpenAPI Python SDK (PyPI alipay-sdk-python), for ZhifuSDK.

For a table of requests, the SDK's own DefaultAlipayClient.sdk_execute builds the parameters it
would send (biz_content serialised by its model classes, common parameters, sign string, RSA2/RSA
signature) at a fixed timestamp; the result is Tests/ZhifuProtocolTests/Vectors/python_sdk_requests.json.
`SDKCrossCheckTests` then checks that ZhifuSDK's AlipayClient builds the same parameters byte for
byte, and that the gateway's sign strings equal the SDK's.

  python make_sdk_vectors.py OUT.json       write the vectors
  python make_sdk_vectors.py --check FILE   exit 1 unless the installed SDK makes exactly FILE
                                            (scripts/test runs this)
The key is the RSA test key of Tests/ZhifuProtocolTests/Vectors/signatures.json.
"""
import datetime
import json
import os
import sys
import urllib.parse

import alipay.aop.api.DefaultAlipayClient as client_module
from alipay.aop.api.AlipayClientConfig import AlipayClientConfig
from alipay.aop.api.DefaultAlipayClient import DefaultAlipayClient
from alipay.aop.api.domain.AlipayTradeCreateModel import AlipayTradeCreateModel
from alipay.aop.api.domain.AlipayTradeOrderSettleModel import AlipayTradeOrderSettleModel
from alipay.aop.api.domain.AlipayTradePayModel import AlipayTradePayModel
from alipay.aop.api.domain.AlipayTradePrecreateModel import AlipayTradePrecreateModel
from alipay.aop.api.domain.AlipayTradeQueryModel import AlipayTradeQueryModel
from alipay.aop.api.domain.AlipayTradeRefundModel import AlipayTradeRefundModel
from alipay.aop.api.domain.OpenApiRoyaltyDetailInfoPojo import OpenApiRoyaltyDetailInfoPojo
from alipay.aop.api.request.AlipayTradeCreateRequest import AlipayTradeCreateRequest
from alipay.aop.api.request.AlipayTradeOrderSettleRequest import AlipayTradeOrderSettleRequest
from alipay.aop.api.request.AlipayTradePayRequest import AlipayTradePayRequest
from alipay.aop.api.request.AlipayTradePrecreateRequest import AlipayTradePrecreateRequest
from alipay.aop.api.request.AlipayTradeQueryRequest import AlipayTradeQueryRequest
from alipay.aop.api.request.AlipayTradeRefundRequest import AlipayTradeRefundRequest
from alipay.aop.api.util.SignatureUtils import get_sign_content

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(HERE, "..", "ZhifuProtocolTests", "Vectors", "signatures.json")
APP_ID = "2021000000000009"
NOW = datetime.datetime(2026, 11, 24, 9, 30, 5)


class FixedClock(datetime.datetime):
    """The SDK stamps `timestamp` with datetime.now(); the vectors need one that does not move."""

    @classmethod
    def now(cls, tz=None):
        return NOW


def bare(pem):
    return "".join(line for line in pem.splitlines() if not line.startswith("-----"))


def model(cls, **fields):
    value = cls()
    for name, field in fields.items():
        setattr(value, name, field)
    return value


def cases():
    """(name, method, sign_type, charset, request, what the Swift side builds it from)."""
    pay = model(AlipayTradePayModel, out_trade_no="order-1", scene="bar_code", auth_code="28763443825664394",
                subject="咖啡 Coffee", total_amount="12.50")
    pay_request = AlipayTradePayRequest(biz_model=pay)
    pay_request.notify_url = "https://shop.example/notify?from=alipay&x=1"
    yield ("pay, RSA2, utf-8, notify_url with a query", "alipay.trade.pay", "RSA2", "utf-8", pay_request,
           {"model": "pay", "notify_url": pay_request.notify_url})

    precreate = model(AlipayTradePrecreateModel, out_trade_no="order/2", subject="门店 #1 & =", total_amount="0.01",
                      body="a/b\\c \"quoted\"", passback_params="merchant%3Dx%26y", timeout_express="90m")
    yield ("precreate, RSA2, utf-8, / & = \\ \" in values", "alipay.trade.precreate", "RSA2", "utf-8",
           AlipayTradePrecreateRequest(biz_model=precreate), {"model": "order"})

    query = model(AlipayTradeQueryModel, out_trade_no="order-1")
    yield ("query, RSA (SHA1)", "alipay.trade.query", "RSA", "utf-8", AlipayTradeQueryRequest(biz_model=query), {"model": "reference"})

    refund = model(AlipayTradeRefundModel, out_trade_no="order-1", refund_amount="2.00", out_request_no="r-1", refund_reason="协商退款")
    yield ("refund, RSA2, gbk", "alipay.trade.refund", "RSA2", "gbk", AlipayTradeRefundRequest(biz_model=refund), {"model": "refund"})

    royalty = model(OpenApiRoyaltyDetailInfoPojo, trans_in="2088101000000002", amount="1.00", desc="分账")
    settle = model(AlipayTradeOrderSettleModel, out_request_no="s-1", trade_no="2026112422001400000001", royalty_parameters=[royalty])
    yield ("order.settle, RSA2, a nested list", "alipay.trade.order.settle", "RSA2", "utf-8",
           AlipayTradeOrderSettleRequest(biz_model=settle), {"model": "settle"})

    create = model(AlipayTradeCreateModel, out_trade_no="order-3", subject="Tea", total_amount="88.88", buyer_id="2088102000000001")
    create_request = AlipayTradeCreateRequest(biz_model=create)
    create_request.add_other_text_param("app_auth_token", "201510BBaabdb44d8fd04607abf8d5931ec75D84")
    yield ("create, RSA2, app_auth_token", "alipay.trade.create", "RSA2", "utf-8", create_request,
           {"model": "order", "app_auth_token": "201510BBaabdb44d8fd04607abf8d5931ec75D84"})


def vectors():
    with open(KEYS, encoding="utf-8") as file:
        private_key = bare(json.load(file)["keys"]["rsaPrivatePKCS1"])
    client_module.datetime.datetime = FixedClock
    result = []
    for name, method, sign_type, charset, request, swift in cases():
        config = AlipayClientConfig()
        config.app_id, config.app_private_key, config.sign_type, config.charset = APP_ID, private_key, sign_type, charset
        query = DefaultAlipayClient(alipay_client_config=config).sdk_execute(request)
        parameters = dict(urllib.parse.parse_qsl(query, keep_blank_values=True, encoding=charset))
        unsigned = {key: value for key, value in parameters.items() if key != "sign"}
        result.append({"name": name, "method": method, "signType": sign_type, "charset": charset, "swift": swift,
                       "parameters": dict(sorted(parameters.items())), "signContent": get_sign_content(unsigned)})
    return {"sdk": "alipay-sdk-python", "appId": APP_ID, "timestamp": NOW.strftime("%Y-%m-%d %H:%M:%S"), "cases": result}


def main():
    text = json.dumps(vectors(), ensure_ascii=False, indent=1) + "\n"
    if sys.argv[1:2] == ["--check"]:
        with open(sys.argv[2], encoding="utf-8") as file:
            if file.read() != text:
                print("the installed alipay-sdk-python builds other requests than " + sys.argv[2], file=sys.stderr)
                sys.exit(1)
        print("alipay-sdk-python builds exactly the requests of " + sys.argv[2])
        return
    with open(sys.argv[1], "w", encoding="utf-8") as file:
        file.write(text)


if __name__ == "__main__":
    main()
