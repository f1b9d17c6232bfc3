"""Headless Chromium: the console's story of one payment, as issue 15 asks for it.

Against a `zhifu serve --clock manual` with the interop fixtures (the official SDK signs):
1. A payment by payment code tells a notify_url that fails twice, then answers success. The first
   try is at once; the operator's "jump to the next due" delivers each retry; the trade's page shows
   three tries, the last acknowledged. A refund appears on the same timeline.
2. A fault rule added on the console makes the next pay answer ACQ.SYSTEM_ERROR; switching it off
   restores service.
Screenshots go to $ARTIFACTS.
"""
import http.server
import json
import os
import sys
import threading
import time

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, os.path.dirname(__file__))
from browser import chromium  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "interop"))
import alipay_sdk_python_test  # noqa: E402,F401  (patches WebUtils for URLs with ports)
from helpers import bare_key, payment_code  # noqa: E402
from alipay.aop.api.AlipayClientConfig import AlipayClientConfig  # noqa: E402
from alipay.aop.api.DefaultAlipayClient import DefaultAlipayClient  # noqa: E402
from alipay.aop.api.request.AlipayTradePayRequest import AlipayTradePayRequest  # noqa: E402
from alipay.aop.api.request.AlipayTradeRefundRequest import AlipayTradeRefundRequest  # noqa: E402

GATEWAY = os.environ["GATEWAY"]
ARTIFACTS = os.environ.get("ARTIFACTS", "test-artifacts")
PASSWORD = os.environ["OPERATOR_PASSWORD"]


class FlakySink(http.server.BaseHTTPRequestHandler):
    """A merchant endpoint that fails twice, then answers success."""
    answers = ["fail", "fail"]
    received = []

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        FlakySink.received.append(time.time())
        answer = FlakySink.answers.pop(0) if FlakySink.answers else "success"
        self.send_response(200)
        self.end_headers()
        self.wfile.write(answer.encode())

    def log_message(self, *args):
        pass


def wait_until(condition, what, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def main():
    os.makedirs(ARTIFACTS, exist_ok=True)
    config = AlipayClientConfig()
    config.server_url = GATEWAY + "/gateway.do"
    config.app_id = "2021000000000301"
    config.app_private_key = bare_key(os.environ["APP_PRIVATE_KEY"])
    config.alipay_public_key = bare_key(os.environ["GATEWAY_PUBLIC_KEY"])
    client = DefaultAlipayClient(alipay_client_config=config)

    def call(request, biz):
        request.biz_content = biz
        return json.loads(client.execute(request))

    sink = http.server.HTTPServer(("127.0.0.1", 0), FlakySink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    pay = AlipayTradePayRequest()
    pay.notify_url = "http://127.0.0.1:%d/notify" % sink.server_address[1]
    order = {"out_trade_no": "console-story", "scene": "bar_code", "auth_code": payment_code(GATEWAY, "13900000402", "111111"),
             "subject": "控制台故事", "total_amount": "12.00"}
    paid = call(pay, order)
    assert paid["code"] == "10000", paid
    wait_until(lambda: len(FlakySink.received) == 1, "the first try")

    driver = chromium()
    try:
        driver.get(GATEWAY + "/console")
        driver.find_element(By.ID, "password").send_keys(PASSWORD)
        driver.find_element(By.ID, "login").click()
        for tries in (2, 3):
            time.sleep(1.5)  # the last try is recorded (its lease ends) before the clock jumps
            WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "next-due")))
            driver.find_element(By.ID, "next-due").click()
            wait_until(lambda: len(FlakySink.received) == tries, "try %d after jumping the clock" % tries)
        refund = call(AlipayTradeRefundRequest(), {"out_trade_no": "console-story", "refund_amount": "2.00", "out_request_no": "story-r1"})
        assert refund["code"] == "10000", refund

        def acknowledged():
            driver.get(GATEWAY + "/console/trades/" + paid["trade_no"])
            return len(driver.find_elements(By.CSS_SELECTOR, "tr.try")) >= 3 and "✔" in driver.find_element(By.ID, "notifications").text
        wait_until(acknowledged, "three tries, the last acknowledged, on the trade's page")
        timeline = driver.find_element(By.ID, "timeline").text
        assert "支付成功 12.00" in timeline and "退款 2.00 (story-r1)" in timeline, timeline
        driver.save_screenshot(os.path.join(ARTIFACTS, "console_trade_story.png"))

        driver.get(GATEWAY + "/console/faults")
        driver.find_element(By.ID, "target").send_keys("alipay.trade.pay")
        driver.find_element(By.ID, "answer").send_keys("ACQ.SYSTEM_ERROR")
        driver.find_element(By.ID, "add-fault").click()
        WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#faults tr.fault")))
        faulted = call(AlipayTradePayRequest(), dict(order, out_trade_no="console-fault", auth_code=payment_code(GATEWAY, "13900000402", "111111")))
        assert faulted["sub_code"] == "ACQ.SYSTEM_ERROR", faulted
        driver.get(GATEWAY + "/console/faults")
        assert driver.find_element(By.CSS_SELECTOR, "#faults td.fired").text == "1"
        driver.save_screenshot(os.path.join(ARTIFACTS, "console_fault_fired.png"))
        driver.find_element(By.CSS_SELECTOR, "#faults button.off").click()
        # The page reloads after the click: an element found before it may go stale meanwhile.
        WebDriverWait(driver, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: "已关闭" in d.find_element(By.ID, "faults").text)
        restored = call(AlipayTradePayRequest(), dict(order, out_trade_no="console-fault", auth_code=payment_code(GATEWAY, "13900000402", "111111")))
        assert restored["code"] == "10000", restored
    finally:
        driver.quit()
    print("console story: a notification failed twice, delivered by jumping the clock from the console; refund on the timeline; "
          "a fault rule answered ACQ.SYSTEM_ERROR until switched off")


if __name__ == "__main__":
    main()
