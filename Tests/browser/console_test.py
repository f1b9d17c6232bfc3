"""Headless Chromium test of the operator console: login (a wrong password first), the overview,
a trade's timeline, the ledger audit, the notifications list, logout. Screenshots go to
$ARTIFACTS. Run by scripts/test against the browser `zhifu serve` (--operator-password).
"""
import os
import sys

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, os.path.dirname(__file__))
from browser import chromium  # noqa: E402

GATEWAY = os.environ["GATEWAY"]
ARTIFACTS = os.environ.get("ARTIFACTS", "test-artifacts")
PASSWORD = os.environ["OPERATOR_PASSWORD"]
TRADE = "2026112322001400000301"


def gone(element):
    """A wait condition: the element's page has been replaced. Chromium may say so while the new
    page loads with "Node with given id does not belong to the document" instead of a stale
    reference (seen in CI), which means the same."""
    def check(_driver):
        try:
            element.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
    return check


def login(driver, password):
    driver.get(GATEWAY + "/console")
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "password")))
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login").click()


def follow(driver, link, shows):
    """Clicks a link and waits for the new page's element `shows`: the URL must change first, since
    some ids (the notifications table) are on both pages."""
    before = driver.current_url
    driver.find_element(By.LINK_TEXT, link).click()
    WebDriverWait(driver, 10).until(EC.url_changes(before))
    return WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, shows)))


def set_redirect(driver, url):
    """Saves a merchant's notify redirect on the merchants page and waits for the page it leads to."""
    form = driver.find_element(By.CSS_SELECTOR, "form.notify-settings")
    field = form.find_element(By.NAME, "redirect_url")
    field.clear()
    if url:
        field.send_keys(url)
    form.find_element(By.CSS_SELECTOR, "button.save-notify").click()
    # The form posts and the server redirects to a new page: wait for the old one to go, then read.
    WebDriverWait(driver, 10).until(gone(form))
    WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "form.notify-settings")))
    saved = driver.find_element(By.CSS_SELECTOR, "form.notify-settings input[name=redirect_url]").get_attribute("value")
    assert saved == url, (saved, url)


def main():
    os.makedirs(ARTIFACTS, exist_ok=True)
    driver = chromium()
    try:
        login(driver, "not-the-password")
        # The answer comes after the slow KDF: wait for it (reading at once failed once in CI).
        error = WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "error")))
        assert error.text == "密码错误", driver.page_source[:500]
        driver.save_screenshot(os.path.join(ARTIFACTS, "console_login.png"))
        login(driver, PASSWORD)
        WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "trades")))
        assert TRADE in driver.find_element(By.ID, "trades").text
        driver.save_screenshot(os.path.join(ARTIFACTS, "console_overview.png"))
        driver.find_element(By.ID, "audit").click()
        result = WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "audit-result"))).text
        assert result.endswith("balanced") and "NOT" not in result, result
        follow(driver, TRADE, "timeline")
        assert driver.find_element(By.ID, "trade-status").text == "TRADE_SUCCESS"
        assert "trade_pay 30.00" in driver.find_element(By.ID, "timeline").text, driver.find_element(By.ID, "timeline").text
        driver.save_screenshot(os.path.join(ARTIFACTS, "console_trade.png"))
        follow(driver, "异步通知", "notifications")
        driver.save_screenshot(os.path.join(ARTIFACTS, "console_notifications.png"))
        follow(driver, "故障注入", "add-fault")
        driver.find_element(By.ID, "target").send_keys("alipay.trade.pay")
        driver.find_element(By.ID, "answer").send_keys("ACQ.SYSTEM_ERROR")
        driver.find_element(By.ID, "count").send_keys("3")
        add = driver.find_element(By.ID, "add-fault")
        add.click()
        WebDriverWait(driver, 10).until(gone(add))   # the form posted; the new page is loading
        WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#faults tr.fault")))
        assert "alipay.trade.pay" in driver.find_element(By.ID, "faults").text
        driver.save_screenshot(os.path.join(ARTIFACTS, "console_faults.png"))
        off = driver.find_element(By.CSS_SELECTOR, "#faults button.off")
        off.click()
        WebDriverWait(driver, 10).until(gone(off))
        WebDriverWait(driver, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: "已关闭" in d.find_element(By.ID, "faults").text)
        follow(driver, "批次", "batches")
        assert "批量付款到支付宝账户" in driver.find_element(By.ID, "batches").text, driver.find_element(By.ID, "batches").text
        completed = [row for row in driver.find_elements(By.CSS_SELECTOR, "#batches tr.batch") if "COMPLETED" in row.text]
        assert completed, driver.find_element(By.ID, "batches").text
        completed[0].find_element(By.TAG_NAME, "a").click()
        WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "records")))
        assert driver.find_element(By.ID, "batch-status").text == "COMPLETED"
        assert driver.find_elements(By.CSS_SELECTOR, "#records tr.record"), "the batch's records are listed"
        driver.save_screenshot(os.path.join(ARTIFACTS, "console_batch.png"))
        follow(driver, "商户", "merchants")
        set_redirect(driver, "http://127.0.0.1:9/redirected")
        driver.save_screenshot(os.path.join(ARTIFACTS, "console_merchants.png"))
        set_redirect(driver, "")
        driver.find_element(By.ID, "logout").click()
        WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "password")))
        driver.get(GATEWAY + "/console")
        assert driver.find_elements(By.ID, "password"), "logged out: the console asks for the password again"
    finally:
        driver.quit()
    print("console: login, overview, trade timeline, audit, notifications, a fault rule added and switched off, batches, a merchant's notify redirect, and logout in Chromium")


if __name__ == "__main__":
    main()
