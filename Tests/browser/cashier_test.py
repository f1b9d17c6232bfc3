"""Headless Chromium tests of the buyer's side: the page.pay cashier and the precreate QR code.

1. A shop page made by the official SDK (page_execute's auto-submitting form) sends the browser to
   the gateway; the buyer logs in on the cashier with a wrong, then the right payment password, and
   lands on the shop's return_url, whose signature the SDK's verify_with_rsa accepts.
2. A precreate QR code is drawn by the gateway, photographed and decoded with zbarimg; the buyer
   logs in on the buyer page (whose payment code QR decodes to the digits shown), "scans" it, pays
   on the cashier, and the SDK's query says TRADE_SUCCESS.

Runs after Tests/interop/alipay_sdk_python_test.py against the same `zhifu serve`, in the same venv
(alipay-sdk-python and selenium). Screenshots go to $ARTIFACTS (not committed).
"""
import http.server
import json
import os
import subprocess
import sys
import threading
import urllib.parse

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, os.path.dirname(__file__))
from browser import chromium  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "interop"))
import alipay_sdk_python_test  # noqa: E402,F401  (patches WebUtils for URLs with ports)
from helpers import bare_key  # noqa: E402
from alipay.aop.api.AlipayClientConfig import AlipayClientConfig  # noqa: E402
from alipay.aop.api.DefaultAlipayClient import DefaultAlipayClient  # noqa: E402
from alipay.aop.api.request.AlipayTradePagePayRequest import AlipayTradePagePayRequest  # noqa: E402
from alipay.aop.api.request.AlipayTradePrecreateRequest import AlipayTradePrecreateRequest  # noqa: E402
from alipay.aop.api.request.AlipayTradeQueryRequest import AlipayTradeQueryRequest  # noqa: E402
from alipay.aop.api.util.SignatureUtils import get_sign_content, verify_with_rsa  # noqa: E402

GATEWAY = os.environ["GATEWAY"]
ARTIFACTS = os.environ.get("ARTIFACTS", "test-artifacts")
BUYER, BUYER_PASSWORD = "13900000402", "111111"


def sdk_client():
    config = AlipayClientConfig()
    config.server_url = GATEWAY + "/gateway.do"
    config.app_id = "2021000000000301"
    config.app_private_key = bare_key(os.environ["APP_PRIVATE_KEY"])
    config.alipay_public_key = bare_key(os.environ["GATEWAY_PUBLIC_KEY"])
    return config, DefaultAlipayClient(alipay_client_config=config)


class Shop(http.server.BaseHTTPRequestHandler):
    """The merchant's site: /pay serves the SDK's form, /return records what the gateway sent back."""
    form = ""
    returned = []

    def do_GET(self):
        path, _, query = self.path.partition("?")
        body = Shop.form if path == "/pay" else "<html><body><h1 id='returned'>returned</h1></body></html>"
        if path == "/return":
            Shop.returned.append(dict(urllib.parse.parse_qsl(query, keep_blank_values=True)))
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body.encode("utf-8"))

    def log_message(self, *args):
        pass


def decode_qr(driver, name):
    """Screenshots the page and reads the QR code in it with zbarimg."""
    path = os.path.join(ARTIFACTS, name)
    driver.save_screenshot(path)
    return subprocess.run(["zbarimg", "--quiet", "--raw", path], check=True, capture_output=True, text=True).stdout.strip()


def pay_on_cashier(driver, password, expect):
    driver.find_element(By.NAME, "password").clear()
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.ID, "submit").click()
    if expect:
        WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, expect)))


def main():
    os.makedirs(ARTIFACTS, exist_ok=True)
    config, client = sdk_client()
    shop = http.server.HTTPServer(("127.0.0.1", 0), Shop)
    threading.Thread(target=shop.serve_forever, daemon=True).start()
    shop_url = "http://127.0.0.1:%d" % shop.server_address[1]

    request = AlipayTradePagePayRequest()
    request.return_url = shop_url + "/return"
    request.biz_content = {"out_trade_no": "browser-page-pay", "product_code": "FAST_INSTANT_TRADE_PAY",
                           "total_amount": "30.00", "subject": "浏览器 <下单>"}
    Shop.form = "<html><head><meta charset='utf-8'></head><body>" + client.page_execute(request) + "</body></html>"

    driver = chromium()
    try:
        # 1. page.pay: shop → gateway → cashier → return_url.
        driver.get(shop_url + "/pay")
        WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "pay-form")))
        assert driver.find_element(By.ID, "subject").text == "浏览器 <下单>", driver.page_source[:500]
        assert driver.find_element(By.ID, "amount").text == "30.00"
        driver.save_screenshot(os.path.join(ARTIFACTS, "cashier.png"))
        driver.find_element(By.NAME, "account").send_keys(BUYER)
        pay_on_cashier(driver, "000000", "error")
        assert "还可以再试4次" in driver.find_element(By.ID, "error").text
        pay_on_cashier(driver, BUYER_PASSWORD, "returned")
        assert driver.current_url.startswith(shop_url + "/return?"), driver.current_url
        back = Shop.returned[-1]
        assert back["method"] == "alipay.trade.page.pay.return" and back["out_trade_no"] == "browser-page-pay", back
        assert back["total_amount"] == "30.00" and back["app_id"] == "2021000000000301", back
        unsigned = {k: v for k, v in back.items() if k not in ("sign", "sign_type")}
        assert verify_with_rsa(config.alipay_public_key, get_sign_content(unsigned).encode("utf-8"), back["sign"]), back
        status = json.loads(client.execute(_query("browser-page-pay")))
        assert status["trade_status"] == "TRADE_SUCCESS", status

        # 2. precreate: the QR image decodes to qr_code; the buyer page scans and pays it.
        precreate = AlipayTradePrecreateRequest()
        precreate.biz_content = {"out_trade_no": "browser-qr", "total_amount": "5.00", "subject": "扫码购"}
        qr_code = json.loads(client.execute(precreate))["qr_code"]
        driver.get(qr_code + "/image.svg")
        assert decode_qr(driver, "precreate_qr.png") == qr_code

        driver.get(GATEWAY + "/buyer")
        driver.find_element(By.NAME, "account").send_keys(BUYER)
        driver.find_element(By.NAME, "password").send_keys(BUYER_PASSWORD)
        driver.find_element(By.ID, "login").click()
        WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "payment-code")))
        code = driver.find_element(By.ID, "payment-code").text
        assert decode_qr(driver, "buyer_payment_code.png") == code, code
        driver.find_element(By.ID, "qr_code").send_keys(qr_code)
        driver.find_element(By.ID, "scan").click()
        WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "pay-form")))
        assert driver.find_element(By.ID, "account").get_attribute("value") == BUYER
        assert driver.find_element(By.ID, "amount").text == "5.00"
        pay_on_cashier(driver, BUYER_PASSWORD, "result")
        assert driver.find_element(By.ID, "result").text == "支付成功"
        driver.save_screenshot(os.path.join(ARTIFACTS, "qr_paid.png"))
        status = json.loads(client.execute(_query("browser-qr")))
        assert status["trade_status"] == "TRADE_SUCCESS" and status["buyer_user_id"] == "2088102000000402", status
        print("cashier: page.pay ended on the signed return_url; the precreate QR decoded, scanned on the buyer page and paid;",
              "screenshots in", ARTIFACTS)
    finally:
        driver.quit()


def _query(out_trade_no):
    request = AlipayTradeQueryRequest()
    request.biz_content = {"out_trade_no": out_trade_no}
    return request


if __name__ == "__main__":
    sys.exit(main())
