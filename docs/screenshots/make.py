"""Makes the screenshots in this folder: the bundled example records (examples/, what `make run`
serves) ingested into a new store, `kgpub serve` on it, and each page taken by headless Chromium
through the tests' DevTools driver (tests/chromium.py), 1280 pixels wide.

    .venv/bin/python docs/screenshots/make.py
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(REPO / "tests"))

from chromium import DevTools, find_chromium  # noqa: E402

WIDTH, HEIGHT = 1280, 1100  # one screenful of each page, under 300 kB as PNG


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        port = free_port()
        env = {**os.environ, "KGPUB_STORE": str(work / "store"), "KGPUB_BASE": f"http://localhost:{port}/"}
        kgpub = [sys.executable, "-m", "kgpub"]
        subprocess.run([*kgpub, "ingest", "--report", str(work / "report.json"), str(REPO / "examples")],
                       env=env, check=False, capture_output=True)
        report = {Path(row["source"].split(":")[0]).name: row["iri"] for row in json.loads((work / "report.json").read_text())}
        server = subprocess.Popen([*kgpub, "serve", "--port", str(port), "--workers", "1"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        browser = None
        try:
            wait_until_up(url)
            record = "/doc/" + report["journal-article-tabs.txt"].split("/id/", 1)[1]
            pages = {"home": "/", "record": record,
                     "journal": link(url + record, "#details", "Building and Environment"),
                     "person": link(url + record, "#authors"), "search": "/search?q=clay+plaster"}
            browser = DevTools(find_chromium(), work / "profile", WIDTH, HEIGHT)
            for name, path in pages.items():
                browser.load(url + path)
                png = browser.screenshot()
                (HERE / f"{name}.png").write_bytes(png)
                print(f"docs/screenshots/{name}.png  {path}  {len(png) // 1024} kB")
        finally:
            if browser:
                browser.close()
            server.terminate()
            server.wait(timeout=15)


def link(page_url: str, within: str, text: str | None = None) -> str:
    soup = BeautifulSoup(urlopen(page_url).read(), "html.parser")
    return next(a["href"] for a in soup.select(f"{within} a") if text is None or a.get_text() == text)


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urlopen(url + "/healthz", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"kgpub serve did not answer at {url} within {seconds} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    main()
