"""What hostile or broken clients do, against a running physio server, with
pass/fail against the targets. Driven by scripts/abuse, which starts the
server and the database and passes what this needs in the environment:

  ABUSE_URL            http://127.0.0.1:PORT of the server
  ABUSE_PID            its process id (for RSS)
  ABUSE_PHYSIO         the physio binary (token revoke)
  ABUSE_TOKENS         a JSON file: export (list), read, ingest_fresh (list of never-used tokens), stream
  ABUSE_BIG_CASE       the case id of the large case
  ABUSE_SMALL_CASE     a small case for short reads
  ABUSE_DEADLINE       the server's --request-deadline (s)
  ABUSE_CONNECTION_LIMIT  the server's --connection-limit
  ABUSE_SHORT          1 for the short form
Only the standard library: it runs before any virtual environment exists.
"""
import gzip
import json
import os
import socket
import subprocess
import sys
import threading
import time
import zlib

URL = os.environ["ABUSE_URL"]
HOST, PORT = URL.removeprefix("http://").split(":")
PORT = int(PORT)
PID = int(os.environ["ABUSE_PID"])
PHYSIO = os.environ["ABUSE_PHYSIO"]
TOKENS = json.load(open(os.environ["ABUSE_TOKENS"]))
BIG_CASE = os.environ["ABUSE_BIG_CASE"]
SMALL_CASE = os.environ["ABUSE_SMALL_CASE"]
DEADLINE = float(os.environ["ABUSE_DEADLINE"])
CONNECTION_LIMIT = int(os.environ["ABUSE_CONNECTION_LIMIT"])
SHORT = os.environ.get("ABUSE_SHORT") == "1"

results = []


def check(name, passed, measured, target):
    results.append({"check": name, "pass": bool(passed), "measured": measured, "target": target})
    print(f"abuse: {'PASS' if passed else 'FAIL'}  {name}: {measured} (target {target})", flush=True)


def log(message):
    print(f"abuse: {message}", file=sys.stderr, flush=True)


def rss_mb():
    with open(f"/proc/{PID}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def connect(timeout=10.0, receive_buffer=None):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.settimeout(timeout)
    sock.connect((HOST, PORT))
    return sock


def read_head(sock):
    """Status and headers (lowercased names) of the answer on sock, and what body came with them."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, rest


def request(method, path, headers=(), body=b"", timeout=10.0):
    """One request on a fresh connection: (status, headers, body, seconds)."""
    start = time.monotonic()
    sock = connect(timeout)
    try:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in headers]
        if body or method in ("POST", "PUT"):
            lines.append(f"Content-Length: {len(body)}")
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        status, answer_headers, rest = read_head(sock)
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        return status, answer_headers, rest, time.monotonic() - start
    except (socket.timeout, OSError):
        return 0, {}, b"", time.monotonic() - start
    finally:
        sock.close()


# --- 1. slow exports and the probes that must not notice them -----------------

class SlowExport(threading.Thread):
    """An analyst's script reading an export at a few KB/s."""

    def __init__(self, token, rate_bytes):
        super().__init__(daemon=True)
        self.token, self.rate = token, rate_bytes
        self.status, self.retry_after, self.received, self.error = None, None, 0, None
        self.stop = threading.Event()

    def run(self):
        try:
            sock = connect(timeout=120, receive_buffer=4096)
            sock.sendall((f"GET /exports/vitals?case={BIG_CASE}&format=csv HTTP/1.1\r\nHost: {HOST}\r\n"
                          f"Authorization: Bearer {self.token}\r\n\r\n").encode())
            self.status, headers, rest = read_head(sock)
            self.retry_after = headers.get("retry-after")
            self.received = len(rest)
            while self.status == 200 and not self.stop.is_set():
                chunk = sock.recv(1024)
                if not chunk:
                    break
                self.received += len(chunk)
                time.sleep(1024 / self.rate)
            sock.close()
        except OSError as error:
            self.error = str(error)


def probe_round(label, send, rounds):
    latencies, statuses = [], []
    for _ in range(rounds):
        status, _, body, seconds = send()
        latencies.append(seconds)
        statuses.append(status)
        if status != 200:
            log(f"{label}: {status} {body[:160]!r}")
        time.sleep(0.2)
    return latencies, statuses


def slow_exports():
    count = 12
    exporters = [SlowExport(TOKENS["export"][i % len(TOKENS["export"])], rate_bytes=8192) for i in range(count)]
    for exporter in exporters:
        exporter.start()
    time.sleep(2)  # the exports have started their COPY (or been queued)
    samples = json.dumps({"samples": [{"t": 1795600000 + i, "hr": 70 + i % 10} for i in range(5)]}).encode()
    fresh = iter(TOKENS["ingest_fresh"])
    read = [("Authorization", f"Bearer {TOKENS['read']}")]
    probes = {
        "/healthz": lambda: request("GET", "/healthz"),
        "ingest, never-seen token": lambda: request("POST", f"/cases/abuse-probe/vitals",
                                                    [("Authorization", f"Bearer {next(fresh)}"),
                                                     ("Content-Type", "application/json")], samples),
        "short read": lambda: request("GET", f"/cases/{SMALL_CASE}/vitals?bucket=raw", read),
    }
    rounds = 15
    measured = {name: ([], []) for name in probes}
    # Interleaved, so each kind is probed across the whole window.
    for _ in range(rounds):
        for name, send in probes.items():
            latencies, statuses = probe_round(name, send, 1)
            measured[name][0].extend(latencies)
            measured[name][1].extend(statuses)
    running = sum(1 for e in exporters if e.status == 200)
    refused = [e for e in exporters if e.status in (429, 503)]
    waiting = sum(1 for e in exporters if e.status is None)
    for exporter in exporters:
        exporter.stop.set()
    for name, (latencies, statuses) in measured.items():
        worst = max(latencies)
        ok = all(status == 200 for status in statuses)
        median = sorted(latencies)[len(latencies) // 2]
        check(f"{name} during {count} slow exports of {BIG_CASE}", ok and worst < 1.0,
              f"worst of {rounds} {worst:.3f} s, median {median:.3f} s, statuses {sorted(set(statuses))}", "200 in < 1 s")
        log(f"{name}: " + " ".join(f"{latency:.3f}" for latency in latencies))
    told = all(e.retry_after for e in refused)
    check("the slow exports themselves", running > 0 and told and all(e.error is None for e in exporters),
          f"{running} streaming, {waiting} queued, {len(refused)} refused "
          f"({', '.join(sorted(set(str(e.status) for e in refused))) or 'none'}, Retry-After on each: {told})",
          "some stream, the rest queued or 429/503 with Retry-After")
    for exporter in exporters:
        exporter.join(timeout=5)


# --- 2. slowloris -------------------------------------------------------------

def slowloris():
    count = 100 if SHORT else 300
    sockets = []
    for _ in range(count):
        sock = connect()
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Drip: ")
        sock.setblocking(False)
        sockets.append(sock)
    opened = time.monotonic()
    closed_at = [None] * count
    latencies = []
    next_probe = time.monotonic() + 0.5
    while time.monotonic() - opened < DEADLINE + 4 and None in closed_at:
        for index, sock in enumerate(sockets):
            if closed_at[index] is not None:
                continue
            try:
                sock.send(b"a")
                while True:
                    data = sock.recv(4096)
                    if not data:
                        closed_at[index] = time.monotonic() - opened
                        break
            except BlockingIOError:
                pass
            except OSError:
                closed_at[index] = time.monotonic() - opened
        if time.monotonic() >= next_probe and len(latencies) < 15:
            status, _, _, seconds = request("GET", "/healthz")
            latencies.append(seconds if status == 200 else float("inf"))
            next_probe = time.monotonic() + 0.3
        time.sleep(0.1)
    for sock in sockets:
        sock.close()
    cut = [t for t in closed_at if t is not None]
    latest = max(cut) if cut else float("inf")
    check(f"slowloris: {count} connections dripping headers cut at the {DEADLINE:g} s request deadline",
          len(cut) == count and latest < DEADLINE + 2, f"{len(cut)}/{count} cut, last after {latest:.1f} s",
          f"all, by {DEADLINE + 2:g} s")
    worst = max(latencies) if latencies else float("inf")
    check("/healthz during slowloris", worst < 1.0, f"worst of {len(latencies)} {worst:.3f} s", "200 in < 1 s")


# --- 3. a revoked token's live stream ----------------------------------------

def revoked_stream():
    sock = connect(timeout=15)
    sock.sendall((f"GET /cases/{SMALL_CASE}/stream HTTP/1.1\r\nHost: {HOST}\r\nAccept: text/event-stream\r\n"
                  f"Authorization: Bearer {TOKENS['stream']}\r\n\r\n").encode())
    status, _, data = read_head(sock)
    time.sleep(0.5)
    start = time.monotonic()
    subprocess.run([PHYSIO, "token", "revoke", "abuse-stream"], check=True, capture_output=True)
    ended = None
    sock.settimeout(0.2)
    while time.monotonic() - start < 10:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            ended = time.monotonic() - start
            break
        data += chunk
        if b"\r\n0\r\n\r\n" in data:
            ended = time.monotonic() - start
            break
    sock.close()
    check("a revoked token's live stream ends", status == 200 and ended is not None and ended < 5,
          f"{'never' if ended is None else f'{ended:.2f} s'} after `physio token revoke` (stream status {status})", "< 5 s")


# --- 4. a gzip bomb -----------------------------------------------------------

def gzip_bomb():
    size = 100 << 20
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b" " * (1 << 20)
    parts = [compressor.compress(b'{"samples":[')]
    parts += [compressor.compress(block) for _ in range(size >> 20)]
    parts.append(compressor.compress(b'{"t":1795600000,"hr":70}]}') + compressor.flush())
    bomb = b"".join(parts)
    before = rss_mb()
    peak = [before]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb())
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    status, _, body, seconds = request("POST", "/cases/abuse-bomb/vitals",
                                       [("Authorization", f"Bearer {TOKENS['ingest_fresh'][-1]}"),
                                        ("Content-Type", "application/json"), ("Content-Encoding", "gzip")], bomb, timeout=60)
    time.sleep(0.1)
    done.set()
    sampler.join()
    growth = peak[0] - before
    check(f"gzip bomb: {len(bomb) / 1e3:.0f} kB inflating to {size >> 20} MiB", status == 413 and growth < 64,
          f"{status} in {seconds:.2f} s, server RSS {before:.1f} -> peak {peak[0]:.1f} MB (+{growth:.1f} MB)", "413, < 64 MB")


# --- 5. bodies that cannot be framed -----------------------------------------

def framing():
    token = [("Authorization", f"Bearer {TOKENS['ingest_fresh'][-1]}"), ("Content-Type", "application/json")]
    cases = [
        ("two Content-Length", [("Content-Length", "10"), ("Content-Length", "12")], 400),
        ("unknown Transfer-Encoding", [("Transfer-Encoding", "gzip")], 501),
        ("Content-Encoding br", [("Content-Encoding", "br"), ("Content-Length", "10")], 415),
    ]
    for name, headers, expected in cases:
        start = time.monotonic()
        sock = connect(timeout=5)
        lines = ["POST /cases/abuse-frame/vitals HTTP/1.1", f"Host: {HOST}"] + [f"{n}: {v}" for n, v in token + headers]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + b"01234")
        try:
            status, _, _ = read_head(sock)
        except socket.timeout:
            status = 0
        seconds = time.monotonic() - start
        sock.close()
        check(f"framing: {name}", status == expected and seconds < 1, f"{status} in {seconds:.3f} s", f"{expected} in < 1 s")
    # A chunk declaring 2^64-1 bytes, then more than --max-body-bytes of it.
    start = time.monotonic()
    sock = connect(timeout=10)
    lines = ["POST /cases/abuse-frame/vitals HTTP/1.1", f"Host: {HOST}", "Transfer-Encoding: chunked"]
    sock.sendall(("\r\n".join(lines + [f"{n}: {v}" for n, v in token]) + "\r\n\r\n").encode() + b"ffffffffffffffff\r\n")
    status = 0
    try:
        filler = b"a" * 65536
        for _ in range(200):  # 12.5 MiB, over the default 8 MiB
            sock.sendall(filler)
    except OSError:
        pass
    try:
        status, _, _ = read_head(sock)
    except OSError:
        pass
    seconds = time.monotonic() - start
    sock.close()
    check("framing: chunk of 2^64-1 bytes", status == 413 and seconds < 5, f"{status} in {seconds:.2f} s", "413, closed")


# --- 6. more connections than --connection-limit ----------------------------

def connection_flood():
    def refused_total():
        _, _, body, _ = request("GET", "/metrics", [("Authorization", f"Bearer {TOKENS['read']}")])
        for line in body.decode().splitlines():
            if line.startswith("physio_http_connections_refused_total "):
                return float(line.split()[1])
        return 0.0

    before = refused_total()
    held = []
    extra = 50
    for _ in range(CONNECTION_LIMIT + extra):
        try:
            held.append(connect(timeout=5))
        except OSError:
            break
    time.sleep(0.5)
    start = time.monotonic()
    closed = 0
    for sock in held:
        sock.setblocking(False)
        try:
            if sock.recv(1) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
    for sock in held:
        sock.close()
    time.sleep(0.5)
    counted = refused_total() - before
    check(f"{CONNECTION_LIMIT + extra} connections against --connection-limit {CONNECTION_LIMIT}",
          closed >= extra - 2 and counted >= extra - 2,
          f"{closed} closed at once, {counted:.0f} counted in physio_http_connections_refused_total", f"about {extra} of each")
    status, _, _, seconds = request("GET", "/healthz")
    check("/healthz once they are gone", status == 200 and seconds < 1, f"{status} in {seconds:.3f} s", "200 in < 1 s")


phases = [("slow exports", slow_exports), ("slowloris", slowloris), ("revoked stream", revoked_stream),
          ("gzip bomb", gzip_bomb), ("framing", framing), ("connection flood", connection_flood)]
only = os.environ.get("ABUSE_ONLY")
for name, phase in phases:
    if only and name not in only.split(","):
        continue
    log(f"[{time.strftime('%H:%M:%S')}] {name}")
    phase()
    status, _, _, _ = request("GET", "/healthz")
    if status != 200:
        check(f"the server is alive after {name}", False, f"/healthz {status}", "200")
        break

if os.environ.get("ABUSE_JSON"):
    with open(os.environ["ABUSE_JSON"], "w") as out:
        json.dump(results, out, indent=1)
failed = [r for r in results if not r["pass"]]
print(f"abuse: {len(results) - len(failed)} passed, {len(failed)} failed", flush=True)
sys.exit(1 if failed else 0)
