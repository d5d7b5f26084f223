"""Concurrent clients against gunicorn: the first-view callback requests, p50 / p95 per page."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
UPDATE = "/_dash-update-component"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(url: str, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "SEGMENTS_DATABASE_URL": url, "SEGMENTS_SECRET_KEY": "bench-web-secret"}
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    cmd = [gunicorn, "-w", "2", "--threads", "4", "--bind", f"127.0.0.1:{port}", "webapp.wsgi:server"]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({proc.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError(f"gunicorn did not answer within 60 s:\n{log.read_text()}")


def _post(base: str, body: dict[str, Any]) -> tuple[float, bool]:
    data = json.dumps(body).encode()
    request = urllib.request.Request(base + UPDATE, data=data, headers={"Content-Type": "application/json"})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            ok = response.status in (200, 204)
    except (urllib.error.URLError, OSError):
        ok = False
    return (time.perf_counter() - start) * 1000, ok


def load_test(
    url: str, bodies: list[tuple[str, dict[str, Any]]], *, clients: int, requests: int, seconds: float
) -> dict[str, tuple[int, float, float, int]]:
    """page -> (requests, p50 ms, p95 ms, errors); "all" over every request; "rate": (n, s, 0, 0);
    "priming": (n, slowest ms, total ms, 0) of the untimed first round."""
    port = free_port()
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-web-gunicorn-{port}.log"
    proc = start_gunicorn(url, port, log)
    base = f"http://127.0.0.1:{port}"
    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    counter = iter(range(requests))

    def client(offset: int) -> None:
        # Each client walks the list from its own offset, so all callbacks are in flight together.
        for n in counter:
            if time.monotonic() > deadline:
                return
            page, body = bodies[(offset + n) % len(bodies)]
            elapsed, ok = _post(base, body)
            with lock:
                times[page].append(elapsed)
                errors[page] += 0 if ok else 1

    try:
        # Fresh workers pay for Dash's first-request set-up and lazy imports once: one untimed
        # request of each kind first, so the percentiles describe a running server.
        priming = [_post(base, body)[0] for _page, body in bodies]
        deadline = time.monotonic() + seconds
        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    everything = [t for page in times.values() for t in page]
    out = {page: _summary(values, errors[page]) for page, values in sorted(times.items())}
    out["all"] = _summary(everything, sum(errors.values()))
    out["rate"] = (len(everything), elapsed, 0.0, 0)
    out["priming"] = (len(priming), max(priming), sum(priming), 0)
    return out


def _summary(values: list[float], errors: int) -> tuple[int, float, float, int]:
    if not values:
        return 0, float("nan"), float("nan"), errors
    p50, p95 = np.percentile(values, [50, 95])
    return len(values), float(p50), float(p95), errors
