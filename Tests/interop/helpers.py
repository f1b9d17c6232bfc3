"""Helpers the interop and browser tests share; the standard library only (each SDK has its own venv)."""
import http.cookiejar
import http.server
import re
import urllib.parse
import urllib.request


def bare_key(path):
    return "".join(line.strip() for line in open(path) if not line.startswith("-----"))


def payment_code(gateway, account, password):
    """What a buyer shows the cashier: log in on the buyer page and read the current code."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    form = urllib.parse.urlencode({"account": account, "password": password}).encode()
    page = opener.open(gateway + "/buyer", data=form, timeout=10).read().decode("utf-8")
    match = re.search(r'id="payment-code"[^>]*>(\d+)<', page)
    assert match, page
    return match.group(1)


class NotifySink(http.server.BaseHTTPRequestHandler):
    """A merchant's notify_url: keeps every form it receives and answers `success`."""
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8")
        NotifySink.received.append(dict(urllib.parse.parse_qsl(body, keep_blank_values=True)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"success")

    def log_message(self, *args):
        pass
