"""Batch pay to bank accounts end to end, as a merchant's own code and a payer's browser do it.

The merchant uploads a GBK CSV payout file (bptb_pay_file_confirm, a signed multipart POST),
the payer reviews it in headless Chromium (bptb_user_confirm: the failing row marked, the payment
password typed), lands on the signed return_url, and once the bank has answered the merchant
downloads the day's refund tickets (bptb_refund_file): the zip's .xls is opened with xlrd and must
hold exactly the .csv's lines. Run by scripts/test against `zhifu serve` with
Tests/browser/fixtures.json (its bank bounces two rows after 2 s).
"""
import datetime
import hashlib
import io
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import zipfile

import xlrd
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

sys.path.insert(0, os.path.dirname(__file__))
from browser import chromium  # noqa: E402
from confirm_page_test import MD5_KEY, PARTNER, signed_url  # noqa: E402

GATEWAY = os.environ["GATEWAY"]
ARTIFACTS = os.environ.get("ARTIFACTS", "test-artifacts")
HEADER = "商户流水号,收款人姓名,收款人账号,银行省份,银行城市,银行名称,银行支行,付款金额,对公对私标志,备注"
ROWS = [
    "b001,王一,6222000000000001,浙江省,杭州,中国工商银行,西湖支行,1.50,2,工资",
    "b002,王二,6222000000000002,浙江省,杭州,中国工商银行,,2.50,2,",
    "b003,李四,6222000000000003,四川省,成都,中国建设银行,高新支行,3.00,1,货款",
    "20080515001,张三,1.23457E+15,,阜阳,中国农业银行,安徽省阜阳市分行核算中心,1.00,2,",
]


def sign(params):
    content = "&".join(f"{k}={params[k]}" for k in sorted(params) if params[k] != "")
    return dict(params, sign=hashlib.md5((content + MD5_KEY).encode("utf-8")).hexdigest(), sign_type="MD5")


def upload(file_name, data):
    fields = sign({"service": "bptb_pay_file_confirm", "partner": PARTNER, "_input_charset": "utf-8",
                   "file_name": file_name, "file_digest": hashlib.md5(data).hexdigest()})
    boundary = "----zhifu-bptb-test"
    body = b""
    for name, value in fields.items():
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    body += f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
    body += data + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(GATEWAY + "/gateway.do", data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.read().decode("utf-8")


def refund_file(date):
    params = sign({"service": "bptb_refund_file", "partner": PARTNER, "_input_charset": "utf-8", "date": date, "biz_type": "d_sale"})
    with urllib.request.urlopen(GATEWAY + "/gateway.do?" + urllib.parse.urlencode(params), timeout=10) as answer:
        return answer.headers["Content-Type"], answer.read()


def main():
    now = datetime.datetime.utcnow() + datetime.timedelta(hours=8)
    today = now.strftime("%Y%m%d")
    file_name = f"BPTB_{now.strftime('%Y%m%d%H%M%S')}.csv"
    answer = upload(file_name, ("\r\n".join([HEADER] + ROWS) + "\r\n").encode("gbk"))
    assert "<success_count>3</success_count>" in answer and "<fail_count>1</fail_count>" in answer, answer

    os.makedirs(ARTIFACTS, exist_ok=True)
    driver = chromium()
    try:
        driver.get(signed_url({"service": "bptb_user_confirm", "partner": PARTNER, "_input_charset": "utf-8", "email": "shop@browser.test",
                               "file_name": file_name, "return_url": "http://merchant.test/return", "notify_url": "http://127.0.0.1:9/bptb"}))
        partial = driver.find_element(By.ID, "partial").text
        assert partial.startswith("文件明细校验部分未通过, 如果继续付款, 只能待校验通过的明细付款"), partial
        invalid = driver.find_elements(By.CSS_SELECTOR, "#rows tr.invalid")
        assert len(invalid) == 1 and "科学计数法" in invalid[0].text, [r.text for r in invalid]
        assert driver.find_element(By.ID, "valid-total").text == "7.00"
        driver.save_screenshot(os.path.join(ARTIFACTS, "bptb_review.png"))
        driver.find_element(By.NAME, "password").send_keys("246810")
        driver.find_element(By.ID, "submit").click()
        WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.ID, "result-code")))
        assert driver.find_element(By.ID, "result-code").text == "USER_CONFIRM_SUCC"
        driver.save_screenshot(os.path.join(ARTIFACTS, "bptb_confirmed.png"))
        # The success page stays a few seconds, then goes back to the merchant by itself (seed 002 §2 步骤3).
        WebDriverWait(driver, 15).until(lambda d: d.current_url.startswith("http://merchant.test/return"))
        back = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(driver.current_url).query))
        assert back["is_success"] == "T" and back["result_code"] == "USER_CONFIRM_SUCC" and back["file_name"] == file_name, back
        content = "&".join(f"{k}={back[k]}" for k in sorted(back) if k not in ("sign", "sign_type"))
        assert hashlib.md5((content + MD5_KEY).encode("utf-8")).hexdigest() == back["sign"], "the return is signed with the partner's key"
    finally:
        driver.quit()

    deadline = time.time() + 20
    while True:
        kind, body = refund_file(today)
        if kind.startswith("application/octet-stream") or time.time() > deadline:
            break
        time.sleep(0.5)
    assert kind == "application/octet-stream;charset=iso-8859-1", (kind, body.decode("gbk", "replace"))
    archive = zipfile.ZipFile(io.BytesIO(body))
    base = f"ALIPAY_{today}_R_{PARTNER}"
    assert sorted(archive.namelist()) == [base + ".csv", base + ".xls"], archive.namelist()
    csv_lines = [line.split(",") for line in archive.read(base + ".csv").decode("gbk").strip("\r\n").split("\r\n")]
    book = xlrd.open_workbook(file_contents=archive.read(base + ".xls"), ragged_rows=True)
    sheet = book.sheet_by_index(0)
    xls_lines = [[str(sheet.cell_value(r, c)) for c in range(sheet.row_len(r))] for r in range(sheet.nrows)]
    assert xls_lines == csv_lines, (xls_lines, csv_lines)
    tickets = {line[1]: line for line in csv_lines[3:]}
    assert sorted(tickets) == ["b002", "b003"], csv_lines
    assert tickets["b002"][-1] == "账号不存在" and tickets["b003"][-1] == "账户名有误"
    assert csv_lines[1][:2] == ["5.50", "2"], csv_lines[1]
    with open(os.path.join(ARTIFACTS, base + ".zip"), "wb") as out:
        out.write(body)
    office = libreoffice_lines(archive.read(base + ".xls"))
    assert office == csv_lines, (office, csv_lines)
    print(f"bptb: upload, review, return and refund file ok; xlrd and LibreOffice read {sheet.nrows} rows identical to the CSV")


def libreoffice_lines(xls):
    """The sheet as LibreOffice Calc reads it (headless, converted to UTF-8 CSV), trailing empty cells dropped."""
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "refund.xls")
        with open(path, "wb") as out:
            out.write(xls)
        subprocess.run(["soffice", f"-env:UserInstallation=file://{directory}/profile", "--headless", "--convert-to",
                        "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", os.path.join(directory, "out"), path],
                       check=True, capture_output=True, timeout=180)
        with open(os.path.join(directory, "out", "refund.csv"), encoding="utf-8") as converted:
            lines = [line.rstrip("\n").split(",") for line in converted]
    return [line[:max((i + 1 for i, cell in enumerate(line) if cell), default=0)] for line in lines]


if __name__ == "__main__":
    main()
