"""Interop: the official OpenAPI Python SDK (PyPI alipay-sdk-python) against a running Zhifu.

Runs alipay.trade.create, pay, precreate, query, refund, fastpay.refund.query, close and cancel
through DefaultAlipayClient, which signs requests with RSA2 and verifies every response signature
with the gateway's public key (it raises when a signature does not verify); builds an app.pay order
string with sdk_execute; and receives the trade_status_sync notification on a local notify_url,
verified with the SDK's own verify_with_rsa. The buyer's payment code is read off the buyer page.
Environment: GATEWAY (base URL), APP_PRIVATE_KEY and GATEWAY_PUBLIC_KEY (PEM file paths).
Run by scripts/test.
"""
import http.server
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import urllib.error
import urllib.request

try:
    import http.client as httplib
except ImportError:  # pragma: no cover
    import httplib

from alipay.aop.api.AlipayClientConfig import AlipayClientConfig
from alipay.aop.api.DefaultAlipayClient import DefaultAlipayClient
from alipay.aop.api.request.AlipayFundAuthOperationDetailQueryRequest import AlipayFundAuthOperationDetailQueryRequest
from alipay.aop.api.request.AlipayFundAuthOrderFreezeRequest import AlipayFundAuthOrderFreezeRequest
from alipay.aop.api.request.AlipayFundAuthOrderUnfreezeRequest import AlipayFundAuthOrderUnfreezeRequest
from alipay.aop.api.request.AlipayPcreditHuabeiAuthSettleApplyRequest import AlipayPcreditHuabeiAuthSettleApplyRequest
from alipay.aop.api.request.AlipayTradeCancelRequest import AlipayTradeCancelRequest
from alipay.aop.api.request.AlipayTradeCloseRequest import AlipayTradeCloseRequest
from alipay.aop.api.request.AlipayTradeAppPayRequest import AlipayTradeAppPayRequest
from alipay.aop.api.request.AlipayTradeCreateRequest import AlipayTradeCreateRequest
from alipay.aop.api.request.AlipayTradeFastpayRefundQueryRequest import AlipayTradeFastpayRefundQueryRequest
from alipay.aop.api.request.AlipayTradePayRequest import AlipayTradePayRequest
from alipay.aop.api.request.AlipayTradePrecreateRequest import AlipayTradePrecreateRequest
from alipay.aop.api.request.AlipayTradeQueryRequest import AlipayTradeQueryRequest
from alipay.aop.api.request.AlipayTradeRefundApplyRequest import AlipayTradeRefundApplyRequest
from alipay.aop.api.request.AlipayTradeRefundRequest import AlipayTradeRefundRequest
from alipay.aop.api.request.KoubeiTradeItemorderBuyRequest import KoubeiTradeItemorderBuyRequest
from alipay.aop.api.request.KoubeiTradeItemorderQueryRequest import KoubeiTradeItemorderQueryRequest
from alipay.aop.api.request.KoubeiTradeTicketTicketcodeQueryRequest import KoubeiTradeTicketTicketcodeQueryRequest
from alipay.aop.api.request.MybankPaymentTradeOrderCreateRequest import MybankPaymentTradeOrderCreateRequest
from alipay.aop.api.util import WebUtils
from alipay.aop.api.util.SignatureUtils import get_sign_content, verify_with_rsa

sys.path.insert(0, os.path.dirname(__file__))
from helpers import NotifySink, bare_key, payment_code  # noqa: E402


def get_http_connection(url, query_string, timeout):
    """The SDK's own version drops the port (`url += port` on an int); this one keeps it."""
    parsed = urllib.parse.urlparse(url)
    connection = httplib.HTTPConnection(host=parsed.hostname, port=parsed.port or 80, timeout=timeout)
    return parsed.path + "?" + query_string, connection


WebUtils.get_http_connection = get_http_connection


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

    # alipay.trade.pay with the buyer's payment code, told to a local notify_url.
    sink = http.server.HTTPServer(("127.0.0.1", 0), NotifySink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    code = payment_code(os.environ["GATEWAY"], "13900000402", "111111")
    assert re.fullmatch(r"2[5-9]\d{14,22}|30\d{14,22}", code), code
    pay = AlipayTradePayRequest()
    pay.notify_url = "http://127.0.0.1:%d/notify" % sink.server_address[1]
    order = {"out_trade_no": "interop-pay", "scene": "bar_code", "auth_code": code, "subject": "条码支付", "total_amount": "30.00",
             "passback_params": "batch%3D7%26shop%3D12"}
    paid = call(pay, order)
    assert paid["code"] == "10000" and paid["msg"] == "Success" and paid["buyer_user_id"] == "2088102000000402" and paid["receipt_amount"] == "30.00", paid
    assert paid["fund_bill_list"] == [{"fund_channel": "ALIPAYACCOUNT", "amount": "30.00"}], paid
    reused = call(AlipayTradePayRequest(), dict(order, out_trade_no="interop-pay-2"))
    assert reused["sub_code"] == "ACQ.PAYMENT_AUTH_CODE_INVALID", reused
    deadline = time.time() + 15
    while not NotifySink.received and time.time() < deadline:
        time.sleep(0.1)
    assert NotifySink.received, "no trade_status_sync notification arrived"
    notice = NotifySink.received[0]
    assert notice["notify_type"] == "trade_status_sync" and notice["trade_status"] == "TRADE_SUCCESS", notice
    assert notice["out_trade_no"] == "interop-pay" and notice["sign_type"] == "RSA2", notice
    assert notice["passback_params"] == "batch%3D7%26shop%3D12", notice
    unsigned = {k: v for k, v in notice.items() if k not in ("sign", "sign_type")}
    assert verify_with_rsa(config.alipay_public_key, get_sign_content(unsigned).encode("utf-8"), notice["sign"])

    # Refunds: partial, repeated, too much; then the refund query.
    refund = {"out_trade_no": "interop-pay", "refund_amount": "10.00", "out_request_no": "rf-1", "refund_reason": "退货"}
    first = call(AlipayTradeRefundRequest(), refund)
    assert first["code"] == "10000" and first["fund_change"] == "Y" and first["refund_fee"] == "10.00", first
    assert call(AlipayTradeRefundRequest(), refund)["fund_change"] == "N", "the same out_request_no refunds once"
    too_much = call(AlipayTradeRefundRequest(), dict(refund, refund_amount="20.01", out_request_no="rf-2"))
    assert too_much["sub_code"] == "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL", too_much
    queried = call(AlipayTradeFastpayRefundQueryRequest(), {"out_trade_no": "interop-pay", "out_request_no": "rf-1"})
    assert queried["refund_amount"] == "10.00" and queried["refund_status"] == "REFUND_SUCCESS", queried
    applied = call(AlipayTradeRefundApplyRequest(), {"out_trade_no": "interop-pay", "refund_amount": "5.00", "out_request_no": "rf-apply"})
    assert applied["code"] == "10000" and applied["refund_status"] == "REFUND_SUCCESS" and applied["refund_amount"] == "5.00", applied
    queried = call(AlipayTradeFastpayRefundQueryRequest(), {"out_trade_no": "interop-pay", "out_request_no": "rf-apply"})
    assert queried["refund_status"] == "REFUND_SUCCESS", queried

    # precreate: a QR code URL served by the gateway.
    pre = call(AlipayTradePrecreateRequest(), {"out_trade_no": "interop-qr", "total_amount": "5.00", "subject": "扫码"})
    assert pre["code"] == "10000" and pre["qr_code"].startswith(os.environ["GATEWAY"] + "/qr/"), pre
    assert urllib.request.urlopen(pre["qr_code"] + "/image.svg", timeout=10).read().startswith(b"<svg")
    # As on Alipay, nobody has scanned it yet: the trade does not exist.
    unscanned = call(AlipayTradeQueryRequest(), {"out_trade_no": "interop-qr"})
    assert unscanned["msg"] == "Business Failed" and unscanned["sub_code"] == "ACQ.TRADE_NOT_EXIST", unscanned
    urllib.request.urlopen(pre["qr_code"], timeout=10).read()
    assert call(AlipayTradeQueryRequest(), {"out_trade_no": "interop-qr"})["trade_status"] == "WAIT_BUYER_PAY"

    # app.pay: the SDK builds the order string locally; the gateway accepts it and opens the cashier.
    app_pay = AlipayTradeAppPayRequest()
    app_pay.biz_content = {"out_trade_no": "interop-app", "total_amount": "1.00", "subject": "App", "product_code": "QUICK_MSECURITY_PAY"}
    order_string = client.sdk_execute(app_pay)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args):
            return None

    try:
        urllib.request.build_opener(NoRedirect).open(os.environ["GATEWAY"] + "/gateway.do?" + order_string, timeout=10)
        raise AssertionError("app.pay did not redirect to the cashier")
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302 and redirect.headers["Location"].startswith("/cashier/"), redirect
    assert call(AlipayTradeQueryRequest(), {"out_trade_no": "interop-app"})["trade_status"] == "WAIT_BUYER_PAY"
    fund_auth(call, config, sink)
    seed_004_rest(call)
    print("alipay-sdk-python: create, pay, precreate, query, refund, refund.apply, refund query, close, cancel, app.pay, "
          "fund auth freeze / pay / unfreeze / detail query and their notifications, koubei item order and ticket query, mybank order and huabei settlement verified against the gateway's signatures")


def seed_004_rest(call):
    """Koubei item order bought and paid on the cashier, mybank terminal order, huabei settlement."""
    items = [{"sku_id": "sku-1", "original_price": "12.00", "price": "10.00", "quantity": 1}]
    bought = call(KoubeiTradeItemorderBuyRequest(), {"out_order_no": "interop-kb", "subject": "套餐", "biz_product": "ONLINE_TRADE_PAY",
                                                     "biz_scene": "DINE", "shop_id": "shop-1", "buyer_id": "2088102000000402",
                                                     "total_amount": "10.00", "item_order_details": items})
    assert bought["code"] == "10000" and len(bought["order_no"]) == 32, bought
    form = urllib.parse.urlencode({"account": "13900000402", "password": "111111"}).encode()
    urllib.request.urlopen(os.environ["GATEWAY"] + "/cashier/" + bought["trade_no"], data=form, timeout=10).read()
    queried = call(KoubeiTradeItemorderQueryRequest(), {"order_no": bought["order_no"]})
    assert queried["status"] == "SUCCESS" and queried["item_order_vo"][0]["quantity"] == "1", queried
    missing = call(KoubeiTradeTicketTicketcodeQueryRequest(), {"ticket_code": "000000000000", "shop_id": "shop-1"})
    assert missing["code"] == "40004" and missing["sub_code"] == "TICKET_NOT_EXIST", missing
    mybank = call(MybankPaymentTradeOrderCreateRequest(), {"partner_id": "MB01", "out_trade_no": "interop-mb", "recon_related_no": "r-1",
                                                           "pd_code": "POS", "ev_code": "PAY", "total_amount": "1250", "currency_code": "CNY",
                                                           "goods_info": [{"goods_name": "咖啡", "goods_price": "12.50"}], "seller_id": "T-1",
                                                           "pay_type": "pay", "pay_date": "2026-11-30 10:00:00"})
    assert mybank["code"] == "10000" and mybank["msg"] == "Success", mybank
    settled = call(AlipayPcreditHuabeiAuthSettleApplyRequest(), {"out_request_no": "interopHB1", "agreement_no": "HB-INTEROP",
                                                                "pay_amount": "30.00", "alipay_user_id": "2088102000000402"})
    assert settled["code"] == "10000" and settled["out_request_no"] == "interopHB1", settled
    again = call(AlipayPcreditHuabeiAuthSettleApplyRequest(), {"out_request_no": "interopHB2", "agreement_no": "HB-INTEROP",
                                                              "pay_amount": "1.00", "alipay_user_id": "2088102000000402"})
    assert again["sub_code"] == "AGREEMENT_TERMINATED", again


def wait_for(notify_type, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = [n for n in NotifySink.received if n.get("notify_type") == notify_type]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError("no %s notification arrived" % notify_type)


def fund_auth(call, config, sink):
    """预授权: freeze by payment code, pay part from it, unfreeze the rest, query each operation."""
    notify_url = "http://127.0.0.1:%d/notify" % sink.server_address[1]
    freeze = AlipayFundAuthOrderFreezeRequest()
    freeze.notify_url = notify_url
    code = payment_code(os.environ["GATEWAY"], "13900000402", "111111")
    order = {"auth_code": code, "auth_code_type": "bar_code", "out_order_no": "interop-auth", "out_request_no": "interop-auth-1",
             "order_title": "押金", "amount": "50.00", "product_code": "PRE_AUTH"}
    frozen = call(freeze, order)
    assert frozen["code"] == "10000" and frozen["status"] == "SUCCESS" and frozen["amount"] == "50.00", frozen
    assert frozen["payer_user_id"] == "2088102000000402" and len(frozen["auth_no"]) == 28, frozen
    assert call(AlipayFundAuthOrderFreezeRequest(), order)["auth_no"] == frozen["auth_no"], "the same freeze is answered again"
    notice = wait_for("fund_auth_freeze")
    assert notice["auth_no"] == frozen["auth_no"] and notice["rest_amount"] == "50.00" and notice["operation_type"] == "FREEZE", notice
    unsigned = {k: v for k, v in notice.items() if k not in ("sign", "sign_type")}
    assert verify_with_rsa(config.alipay_public_key, get_sign_content(unsigned).encode("utf-8"), notice["sign"])

    paid = call(AlipayTradePayRequest(), {"out_trade_no": "interop-auth-pay", "product_code": "PRE_AUTH", "auth_no": frozen["auth_no"],
                                          "auth_confirm_mode": "NOT_COMPLETE", "buyer_id": "2088102000000402",
                                          "seller_id": "2088101000000401", "subject": "房费", "total_amount": "20.00"})
    assert paid["code"] == "10000" and paid["total_amount"] == "20.00", paid
    too_much = call(AlipayFundAuthOrderUnfreezeRequest(), {"auth_no": frozen["auth_no"], "out_request_no": "interop-unfreeze",
                                                           "amount": "30.01", "remark": "退押金"})
    assert too_much["sub_code"] == "REQUEST_AMOUNT_EXCEED", too_much
    released = call(AlipayFundAuthOrderUnfreezeRequest(), {"auth_no": frozen["auth_no"], "out_request_no": "interop-unfreeze",
                                                           "amount": "30.00", "remark": "退押金"})
    assert released["code"] == "10000" and released["amount"] == "30.00", released
    queried = call(AlipayFundAuthOperationDetailQueryRequest(), {"out_order_no": "interop-auth", "out_request_no": "interop-auth-pay",
                                                                 "operation_type": "PAY"})
    assert queried["order_status"] == "FINISH" and queried["total_pay_amount"] == "20.00" and queried["rest_amount"] == "0.00", queried
    assert wait_for("fund_auth_unfreeze")["total_unfreeze_amount"] == "30.00"


if __name__ == "__main__":
    sys.exit(main())
