"""Screenshot of a web page in headless Chromium through the DevTools protocol.

Chromium's own --screenshot resizes the window between layout and capture,
so a page that fits its charts to the window is captured stretched; here the
viewport is fixed first and the page is captured as laid out, once it says
it is ready. Standard library only (a minimal WebSocket client).

usage: PAGE_URL=URL page_screenshot.py CHROMIUM OUT.png WIDTH HEIGHT READY_JS [EXTRA_CHROMIUM_FLAGS...]
(the address comes from the environment: it may hold a token, and command
lines are visible to every user of the machine)
"""
import base64
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request

READY_TIMEOUT = 30   # seconds for the page to report ready
SETTLE = 2.0         # seconds more, for live data and pending redraws


class DevTools:
    """One WebSocket connection to a DevTools target; `call` sends a command and waits for its answer."""

    def __init__(self, ws_url):
        host_port, path = ws_url[len("ws://"):].split("/", 1)
        host, port = host_port.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("DevTools closed the connection during the handshake")
            head += chunk
        head, self.buffer = head.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"DevTools refused the WebSocket: {head[:200]!r}")
        self.last_id = 0

    def call(self, method, **params):
        self.last_id += 1
        self._send(json.dumps({"id": self.last_id, "method": method, "params": params}).encode())
        while True:
            message = json.loads(self._receive())
            if message.get("id") == self.last_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def _send(self, payload):
        mask = os.urandom(4)
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x81, 0x80 | length)
        elif length < 65536:
            header = struct.pack("!BBH", 0x81, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x81, 0x80 | 127, length)
        masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _read(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise RuntimeError("DevTools closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def _receive(self):
        """One whole text message (fragments joined); control frames are skipped."""
        message = b""
        while True:
            first, second = self._read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._read(8))[0]
            payload = self._read(length)
            opcode = first & 0x0F
            if opcode in (0x1, 0x0):
                message += payload
                if first & 0x80:
                    return message.decode()


def devtools_port(process, log_path):
    """Chromium writes `DevTools listening on ws://127.0.0.1:PORT/…` to its standard error (a file here, so it never blocks)."""
    deadline = time.time() + 30
    while time.time() < deadline:
        with open(log_path, errors="replace") as log:
            for line in log:
                if "DevTools listening on ws://" in line:
                    return int(line.split("ws://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
        if process.poll() is not None:
            break
        time.sleep(0.1)
    raise RuntimeError("Chromium did not start its DevTools endpoint")


class Browser:
    """Headless Chromium on a fixed viewport, its first page driven through
    DevTools (`tools`); a context manager that ends it and removes its profile."""

    def __init__(self, browser, width, height, flags=()):
        self.profile = tempfile.mkdtemp(prefix="physio-chromium-")
        self.process = None
        try:
            log_path = os.path.join(self.profile, "chromium.log")
            if os.getuid() == 0 and "--no-sandbox" not in flags:
                flags = [*flags, "--no-sandbox"]  # Chromium's sandbox refuses to run as root
            with open(log_path, "wb") as log:
                # Its own process group: Chromium's helpers are ended with it.
                self.process = subprocess.Popen(
                    [browser, "--headless", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--remote-debugging-port=0",
                     "--disable-breakpad", "--disable-crash-reporter", f"--user-data-dir={self.profile}", *flags, "about:blank"],
                    stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
            port = devtools_port(self.process, log_path)
            targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
            page = next(target for target in targets if target["type"] == "page")
            self.tools = DevTools(page["webSocketDebuggerUrl"])
            self.tools.call("Emulation.setDeviceMetricsOverride", width=int(width), height=int(height), deviceScaleFactor=1, mobile=False)
        except BaseException:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.process is not None:
            stop(self.process)
            self.process = None
        remove(self.profile)

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page."""
        return self.tools.call("Runtime.evaluate", expression=expression, returnByValue=True).get("result", {}).get("value")

    def wait_for(self, expression, what, timeout=READY_TIMEOUT):
        deadline = time.time() + timeout
        while self.evaluate(f"!!({expression})") is not True:
            if time.time() > deadline:
                raise RuntimeError(f"{what}: not true within {timeout} s ({expression})")
            time.sleep(0.1)

    def screenshot(self, out):
        shot = self.tools.call("Page.captureScreenshot", format="png")
        with open(out, "wb") as file:
            file.write(base64.b64decode(shot["data"]))


def main():
    browser, out, width, height, ready = sys.argv[1:6]
    with Browser(browser, width, height, sys.argv[6:]) as page:
        page.tools.call("Page.navigate", url=os.environ["PAGE_URL"])
        page.wait_for(ready, "the page did not become ready")
        time.sleep(SETTLE)
        page.screenshot(out)


def stop(process):
    """Ends Chromium and every helper it started (renderer, zygote, utility
    processes), which outlive its main process for a moment and keep writing
    into the profile: removing the profile under them made the first run, the
    one that creates it, fail (shutil.rmtree: directory not empty)."""
    def signal_group(number):
        try:
            os.killpg(process.pid, number)
            return True
        except ProcessLookupError:
            return False
    signal_group(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        signal_group(signal.SIGKILL)
        process.wait()
    for _ in range(2):   # helpers still alive: wait, then kill them
        deadline = time.time() + 10
        while signal_group(0) and time.time() < deadline:
            time.sleep(0.05)
        if not signal_group(signal.SIGKILL):
            return


def remove(profile):
    """The profile, removed; again if something still wrote into it meanwhile."""
    for _ in range(20):
        try:
            shutil.rmtree(profile)
            return
        except FileNotFoundError:
            if not os.path.exists(profile):
                return
        except OSError:
            pass
        time.sleep(0.1)
    shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as error:
        sys.exit(f"screenshot: {error}")
