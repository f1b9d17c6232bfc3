"""Interop: PyPI `python-alipay-sdk` (module `alipay`, class AliPay) against a running Zhifu.

This SDK sends every parameter in the query string and finds the signed response object by counting
braces without regard to strings, so a refund reason with `{`, `}` and `/`, returned by the refund
query, checks that the gateway writes them as `\\u007b`, `\\u007d` and `\\/`. Every call verifies
the response signature (the SDK raises AliPayValidationError otherwise); its `verify` checks a
trade_status_sync notification.
Environment as for alipay_sdk_python_test.py. Run by scripts/test in a venv of its own: both SDKs
install a module named `alipay`.
"""
import http.server
import os
import re
import sys
import threading
import time
import urllib.parse

from alipay import AliPay

sys.path.insert(0, os.path.dirname(__file__))
from helpers import NotifySink, payment_code  # noqa: E402

GATEWAY = os.environ["GATEWAY"]


def main():
    sink = http.server.HTTPServer(("127.0.0.1", 0), NotifySink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    client = AliPay(appid="2021000000000301", app_notify_url="http://127.0.0.1:%d/notify" % sink.server_address[1],
                    app_private_key_string=open(os.environ["APP_PRIVATE_KEY"]).read(),
                    alipay_public_key_string=open(os.environ["GATEWAY_PUBLIC_KEY"]).read(), sign_type="RSA2")
    client._gateway = GATEWAY + "/gateway.do"

    subject = "括号 {a}/{b} } {"
    created = client.api_alipay_trade_create(subject=subject, out_trade_no="pas-create", total_amount="3.00")
    assert created["code"] == "10000", created
    queried = client.api_alipay_trade_query(out_trade_no="pas-create")
    assert queried["trade_status"] == "WAIT_BUYER_PAY" and queried["total_amount"] == "3.00", queried
    closed = client.api_alipay_trade_close(out_trade_no="pas-create")
    assert closed["code"] == "10000", closed

    code = payment_code(GATEWAY, "13900000402", "111111")
    paid = client.api_alipay_trade_pay(out_trade_no="pas-pay", scene="bar_code", auth_code=code, subject=subject, total_amount="4.00")
    assert paid["code"] == "10000" and paid["buyer_user_id"] == "2088102000000402", paid
    again = client.api_alipay_trade_pay(out_trade_no="pas-pay-2", scene="bar_code", auth_code=code, subject=subject, total_amount="4.00")
    assert again["sub_code"] == "ACQ.PAYMENT_AUTH_CODE_INVALID", again

    refunded = client.api_alipay_trade_refund(refund_amount="1.50", out_trade_no="pas-pay", out_request_no="pas-r1", refund_reason=subject)
    assert refunded["code"] == "10000" and refunded["refund_fee"] == "1.50", refunded
    query = client.api_alipay_trade_fastpay_refund_query(out_request_no="pas-r1", out_trade_no="pas-pay")
    assert query["refund_amount"] == "1.50" and query["refund_reason"] == subject, query
    cancelled = client.api_alipay_trade_cancel(out_trade_no="pas-pay")
    assert cancelled["action"] == "refund", cancelled

    pre = client.api_alipay_trade_precreate(subject=subject, out_trade_no="pas-qr", total_amount="2.00")
    assert pre["qr_code"].startswith(GATEWAY + "/qr/") and pre["msg"] == "Success", pre
    unscanned = client.api_alipay_trade_query(out_trade_no="pas-qr")
    assert unscanned["sub_code"] == "ACQ.TRADE_NOT_EXIST", unscanned
    missing = client.api_alipay_trade_query(out_trade_no="pas-none")
    assert missing["sub_code"] == "ACQ.TRADE_NOT_EXIST", missing

    deadline = time.time() + 15
    while not any(n.get("out_trade_no") == "pas-pay" for n in NotifySink.received) and time.time() < deadline:
        time.sleep(0.1)
    notice = next(n for n in NotifySink.received if n.get("out_trade_no") == "pas-pay")
    data = dict(notice)
    signature = data.pop("sign")
    assert client.verify(data, signature), notice
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", notice["notify_time"]), notice
    print("python-alipay-sdk: create, query, close, pay, refund, refund query, cancel, precreate and the notification verified")


if __name__ == "__main__":
    sys.exit(main())
