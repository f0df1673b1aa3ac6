"""Headless Chromium driven over the DevTools protocol on a pipe, for the tests that load pages in a
real browser (tests/test_query_page.py, tests/test_page_checks.py) and for docs/screenshots/make.py.

--remote-debugging-pipe: JSON messages ending in a NUL byte, on file descriptors 3 and 4, so nothing
beyond the browser is needed (no driver, no port). `axe_violations` runs axe-core (the npm package in
tests/clients/) in the loaded page.
"""
from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import struct
import subprocess
import time
from pathlib import Path

import pytest

CHROMIUM_SWITCHES = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                     "--hide-scrollbars", "--font-render-hinting=none"]
AXE = Path(__file__).resolve().parent / "clients" / "node_modules" / "axe-core" / "axe.min.js"
WIDTH, HEIGHT = 1280, 1600


def find_chromium() -> str | None:
    return shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


class DevTools:
    """One headless Chromium and one page in it, driven over the DevTools protocol on a pipe."""

    def __init__(self, binary: str, profile: Path, width: int = WIDTH, height: int = HEIGHT):
        self._to_chromium = tuple(map(_above_4, os.pipe()))
        self._from_chromium = tuple(map(_above_4, os.pipe()))

        def give_chromium_the_pipe():  # runs in the child: Chromium reads fd 3 and writes fd 4
            os.dup2(self._to_chromium[0], 3)
            os.dup2(self._from_chromium[1], 4)

        self.process = subprocess.Popen(
            [binary, *CHROMIUM_SWITCHES, f"--user-data-dir={profile}", "--remote-debugging-pipe",
             "about:blank"],
            close_fds=False, preexec_fn=give_chromium_the_pipe,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(self._to_chromium[0])
        os.close(self._from_chromium[1])
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []
        self.session = None
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Network"):
            self.send(f"{domain}.enable")
        self.resize(width, height)

    def resize(self, width: int, height: int) -> None:
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def send(self, method: str, timeout: float = 30, **params) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if self.session:
            message["sessionId"] = self.session
        os.write(self._to_chromium[1], json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                assert "error" not in reply, f"{method}: {reply['error']}"
                return reply["result"]
            self.events.append(reply)

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_chromium[0]], [], [], max(left, 0))
            assert ready, "Chromium did not answer in time"
            chunk = os.read(self._from_chromium[0], 1 << 16)
            assert chunk, "Chromium closed the DevTools pipe"
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def evaluate(self, expression: str, timeout: float = 30):
        result = self.send("Runtime.evaluate", timeout=timeout, expression=expression, returnByValue=True,
                           awaitPromise=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def wait_for(self, expression: str, seconds: float = 30):
        """Polls a JavaScript expression until it is truthy; returns its value."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.2)
        raise AssertionError(f"still false after {seconds} s: {expression}")

    def load(self, url: str, ready: str = "true") -> None:
        """Navigates to `url` and waits until the document has loaded and `ready` holds."""
        self.events.clear()
        self.send("Page.navigate", url=url)
        self.wait_for(f"document.readyState === 'complete' && location.href !== 'about:blank' && ({ready})")

    def screenshot(self, full_page: bool = False) -> bytes:
        """The page as a PNG: the viewport, or the whole page's height (at the viewport's width)."""
        params = {"format": "png"}
        if full_page:
            height = self.evaluate("Math.ceil(document.documentElement.scrollHeight)")
            width = self.evaluate("document.documentElement.clientWidth")
            params.update(captureBeyondViewport=True, clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})
        return base64.b64decode(self.send("Page.captureScreenshot", **params)["data"])

    def axe_violations(self) -> list[dict]:
        """axe-core's violations on the loaded page: each rule's id, impact, help and the nodes it found."""
        if not self.evaluate("typeof window.axe !== 'undefined'"):
            self.evaluate(AXE.read_text())
        return self.evaluate("axe.run(document).then(r => r.violations.map(v => ({id: v.id, impact: v.impact, "
                             "help: v.help, nodes: v.nodes.map(n => n.target.join(' '))})))", timeout=60)

    def requested_urls(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def exceptions(self) -> list[str]:
        return [e["params"]["exceptionDetails"].get("exception", {}).get("description", str(e["params"]))
                for e in self.events if e.get("method") == "Runtime.exceptionThrown"]

    def close(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)
        os.close(self._to_chromium[1])
        os.close(self._from_chromium[0])


@pytest.fixture(scope="module", name="browser")
def chromium_browser(tmp_path_factory):
    """`browser`: a headless Chromium for the test module that imports this (`from chromium import
    chromium_browser`); missing in CI is a failure (conftest.required_client)."""
    from conftest import required_client

    found = find_chromium()
    required_client("chromium", bool(found), "Debian: apt-get install -y chromium")
    devtools = DevTools(found, tmp_path_factory.mktemp("chromium-profile"))
    yield devtools
    devtools.close()


def _above_4(fd: int) -> int:
    """The descriptor moved above 4: in a process with few files open a pipe gets 3 or 4, which the
    child's dup2 onto 3 and 4 would clobber (or leave close-on-exec)."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's header."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", png[16:24])
