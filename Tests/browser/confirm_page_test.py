"""Headless Chromium test of the batch_trans_notify confirm page (seed 000 图2-2 / 图2-3).

A merchant's browser opens the signed gateway URL, the payer types the logon id and payment
password, submits, and lands on the success page. Screenshots go to $ARTIFACTS (not committed).
Run by scripts/test against a `zhifu serve` started with Tests/browser/fixtures.json.
"""
import datetime
import hashlib
import os
import sys
import urllib.parse

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, os.path.dirname(__file__))
from browser import chromium  # noqa: E402

GATEWAY = os.environ["GATEWAY"]
ARTIFACTS = os.environ.get("ARTIFACTS", "test-artifacts")
PARTNER = "2088101000000301"
MD5_KEY = "ddyzqyg4yy3rbvq0cqmnuwezyn2mhp5i"


def signed_url(params, charset="utf-8"):
    """MAPI signing as the seeds describe it: sorted, raw values, sign and sign_type left out."""
    content = "&".join(f"{k}={params[k]}" for k in sorted(params) if params[k] != "")
    params = dict(params, sign=hashlib.md5((content + MD5_KEY).encode(charset)).hexdigest(), sign_type="MD5")
    return GATEWAY + "/gateway.do?" + urllib.parse.urlencode(params, encoding=charset)


def confirm(driver, password, shows):
    """Types the seller's logon id and `password` on a confirm page, submits, waits for element `shows`."""
    driver.find_element(By.NAME, "account").send_keys("shop@browser.test")
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.ID, "submit").click()
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, shows)))
    return driver.find_element(By.ID, shows).text


def main():
    now = datetime.datetime.utcnow() + datetime.timedelta(hours=8)
    today = now.strftime("%Y%m%d")
    url = signed_url({
        "service": "batch_trans_notify", "partner": PARTNER, "_input_charset": "utf-8",
        "account_name": "浏览器商户", "email": "shop@browser.test", "pay_date": today,
        "batch_no": today + "0000001", "batch_num": "2", "batch_fee": "99.99",
        "detail_data": "01^anime11@alitest.com^anime1^44.44^ATS批量代发到账户1|02^anime22@alitest.com^anime2^55.55^ATS批量代发到账户2",
    })
    os.makedirs(ARTIFACTS, exist_ok=True)
    driver = chromium()
    try:
        driver.get(url)
        assert driver.find_element(By.TAG_NAME, "h1").text == "确认批量付款信息", driver.page_source[:500]
        assert driver.find_element(By.ID, "total").text == "总计: 2 笔, 付款: 99.99 元"
        rows = driver.find_elements(By.CSS_SELECTOR, "#records tbody tr")
        assert [r.find_elements(By.TAG_NAME, "td")[1].text for r in rows] == ["anime11@alitest.com", "anime22@alitest.com"]
        driver.save_screenshot(os.path.join(ARTIFACTS, "batch_trans_confirm.png"))

        assert confirm(driver, "000000", "error-code") == "USER_PASS_ERROR"
        assert confirm(driver, "246810", "result") == "复核成功"
        assert driver.find_element(By.ID, "success-count").text == "2"
        driver.save_screenshot(os.path.join(ARTIFACTS, "batch_trans_success.png"))

        # No _input_charset: Alipay reads the request as GBK and answers in GBK (issue 16).
        gbk_url = signed_url({
            "service": "batch_trans_notify", "partner": PARTNER,
            "account_name": "浏览器商户", "email": "shop@browser.test", "pay_date": today,
            "batch_no": today + "0000002", "batch_num": "1", "batch_fee": "10.00",
            "detail_data": "01^anime11@alitest.com^anime1^10.00^协商退款",
        }, charset="gbk")
        assert "%D0%AD%C9%CC%CD%CB%BF%EE" in gbk_url, "协商退款 in GBK, as in seed 001's sample"
        driver.get(gbk_url)
        assert driver.find_element(By.TAG_NAME, "h1").text == "确认批量付款信息", driver.page_source[:500]
        cells = driver.find_elements(By.CSS_SELECTOR, "#records tbody tr td")
        assert cells[4].text == "协商退款", [c.text for c in cells]
        driver.save_screenshot(os.path.join(ARTIFACTS, "batch_trans_confirm_gbk.png"))

        # refund_fastpay_by_platform_pwd (seed 001 图2-2, 图2-3): the seller confirms a refund with the password.
        refund_url = signed_url({
            "service": "refund_fastpay_by_platform_pwd", "partner": PARTNER, "_input_charset": "utf-8",
            "seller_email": "shop@browser.test", "refund_date": now.strftime("%Y-%m-%d %H:%M:%S"),
            "batch_no": today + "0003", "batch_num": "1", "detail_data": "2026112322001400000301^5.00^协商退款",
        })
        driver.get(refund_url)
        assert driver.find_element(By.TAG_NAME, "h1").text == "确认退款信息", driver.page_source[:500]
        cells = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "#records tbody tr td")]
        assert cells == ["2026112322001400000301", "buyer@browser.test", "5.00", "交易退款", "协商退款"], cells
        assert driver.find_element(By.ID, "total").text == "总计: 1 笔, 交易退款 5.00 元, 返还服务费 0.00 元"
        driver.save_screenshot(os.path.join(ARTIFACTS, "batch_refund_confirm.png"))
        assert confirm(driver, "246810", "result") == "退款申请成功"
        assert driver.find_element(By.ID, "success-count").text == "1"
        driver.save_screenshot(os.path.join(ARTIFACTS, "batch_refund_success.png"))
        print("confirm page: wrong password refused, right password paid 2 records; a GBK request without",
              "_input_charset shows its Chinese; a refund batch confirmed by the seller; screenshots in", ARTIFACTS)
    finally:
        driver.quit()


if __name__ == "__main__":
    sys.exit(main())
