"""Interop: the official OpenAPI Python SDK (PyPI alipay-sdk-python) against a running Zhifu.

Runs alipay.trade.create, query, close and cancel through DefaultAlipayClient, which signs requests
with RSA2 and verifies every response signature with the gateway's public key (it raises when a
signature does not verify). Environment: GATEWAY (base URL), APP_PRIVATE_KEY and
GATEWAY_PUBLIC_KEY (PEM file paths). Run by scripts/test.
"""
import json
import os
import sys
import urllib.parse

try:
    import http.client as httplib
except ImportError:  # pragma: no cover
    import httplib

from alipay.aop.api.AlipayClientConfig import AlipayClientConfig
from alipay.aop.api.DefaultAlipayClient import DefaultAlipayClient
from alipay.aop.api.request.AlipayTradeCancelRequest import AlipayTradeCancelRequest
from alipay.aop.api.request.AlipayTradeCloseRequest import AlipayTradeCloseRequest
from alipay.aop.api.request.AlipayTradeCreateRequest import AlipayTradeCreateRequest
from alipay.aop.api.request.AlipayTradeQueryRequest import AlipayTradeQueryRequest
from alipay.aop.api.util import WebUtils


def get_http_connection(url, query_string, timeout):
    """The SDK's own version drops the port (`url += port` on an int); this one keeps it."""
    parsed = urllib.parse.urlparse(url)
    connection = httplib.HTTPConnection(host=parsed.hostname, port=parsed.port or 80, timeout=timeout)
    return parsed.path + "?" + query_string, connection


WebUtils.get_http_connection = get_http_connection


def bare_key(path):
    return "".join(line.strip() for line in open(path) if not line.startswith("-----"))


def main():
    config = AlipayClientConfig()
    config.server_url = os.environ["GATEWAY"] + "/gateway.do"
    config.app_id = "2021000000000301"
    config.app_private_key = bare_key(os.environ["APP_PRIVATE_KEY"])
    config.alipay_public_key = bare_key(os.environ["GATEWAY_PUBLIC_KEY"])
    client = DefaultAlipayClient(alipay_client_config=config)

    def call(request, biz):
        request.biz_content = biz
        return json.loads(client.execute(request))  # raises if the response signature is invalid

    order = {"out_trade_no": "interop-create", "total_amount": "66.60", "subject": "互通测试 {1}/2"}
    created = call(AlipayTradeCreateRequest(), order)
    assert created["code"] == "10000" and len(created["trade_no"]) == 28, created
    assert call(AlipayTradeCreateRequest(), order)["trade_no"] == created["trade_no"], "create is idempotent"
    changed = call(AlipayTradeCreateRequest(), dict(order, total_amount="66.61"))
    assert changed["sub_code"] == "ACQ.CONTEXT_INCONSISTENT", changed
    assert call(AlipayTradeQueryRequest(), {"trade_no": created["trade_no"]})["trade_status"] == "WAIT_BUYER_PAY"

    paid = call(AlipayTradeQueryRequest(), {"out_trade_no": "interop-paid"})
    assert paid["code"] == "10000" and paid["trade_status"] == "TRADE_SUCCESS" and paid["total_amount"] == "20.00", paid
    waiting = call(AlipayTradeQueryRequest(), {"trade_no": "2026112222001400000301"})
    assert waiting["trade_status"] == "WAIT_BUYER_PAY", waiting
    missing = call(AlipayTradeQueryRequest(), {"out_trade_no": "no-such-order"})
    assert missing["code"] == "40004" and missing["sub_code"] == "ACQ.TRADE_NOT_EXIST", missing
    closed = call(AlipayTradeCloseRequest(), {"out_trade_no": "interop-wait"})
    assert closed["code"] == "10000" and closed["trade_no"] == "2026112222001400000301", closed
    again = call(AlipayTradeCloseRequest(), {"out_trade_no": "interop-wait"})
    assert again["sub_code"] == "ACQ.TRADE_STATUS_ERROR", again
    after = call(AlipayTradeQueryRequest(), {"out_trade_no": "interop-wait"})
    assert after["trade_status"] == "TRADE_CLOSED", after
    cancelled = call(AlipayTradeCancelRequest(), {"out_trade_no": "interop-paid"})
    assert cancelled["code"] == "10000" and cancelled["action"] == "refund", cancelled
    assert call(AlipayTradeQueryRequest(), {"out_trade_no": "interop-paid"})["trade_status"] == "TRADE_CLOSED"
    print("alipay-sdk-python: create, query, close, cancel and their errors verified against the gateway's signatures")


if __name__ == "__main__":
    sys.exit(main())
