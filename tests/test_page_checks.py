"""Every kind of page in a real browser: headless Chromium (tests/chromium.py) loads it from the
running server, takes a screenshot that must be a real picture of the page, and runs axe-core
(the npm package in tests/clients/) on it: no violation of impact "serious" or "critical".

The screenshots and axe-core's remaining minor and moderate findings are left in tests/artifacts/pages/."""
from __future__ import annotations

import json
import zlib

import pytest
import requests
from bs4 import BeautifulSoup

from chromium import AXE, HEIGHT, WIDTH, chromium_browser, png_size  # noqa: F401 (the `browser` fixture)
from conftest import REPO, doc_path, required_client

ARTIFACTS = REPO / "tests" / "artifacts" / "pages"
YASGUI_DRAWN = "document.querySelector('.yasqe .CodeMirror') !== null"


def linked(site, path: str, within: str, text: str | None = None) -> str:
    """The href of the first link in the element `within` (a CSS selector) of a page, by its text."""
    soup = BeautifulSoup(requests.get(site.url + path, headers={"Accept": "text/html"}, timeout=30).text, "html.parser")
    links = soup.select(f"{within} a")
    return next(a["href"] for a in links if text is None or a.get_text() == text)


def page_paths(site) -> dict[str, tuple[str, str]]:
    """Each kind of page: its path, and what must hold before it counts as loaded."""
    umn = doc_path(site.iris["umn-journal-article.json"])
    return {
        "home": ("/", "document.getElementById('chart-years') !== null"),
        "record": (doc_path(site.iris["seed-record.txt"]), "document.getElementById('cite') !== null"),
        "journal": (linked(site, umn, "#details", "Physical Review Letters"), "document.getElementById('outputs') !== null"),
        "person": (linked(site, umn, "#authors"), "document.getElementById('coauthors') !== null"),
        "asjc": ("/doc/asjc/3305", "document.getElementById('chart-years') !== null"),
        "search": ("/search?q=moisture", "document.getElementById('results') !== null"),
        "sparql": ("/sparql", YASGUI_DRAWN),
        "not-found": ("/doc/output/no-such-record", "document.getElementById('error') !== null"),
    }


@pytest.fixture(scope="module")
def axe_available():
    required_client("axe-core", AXE.exists(), "cd tests/clients && npm ci")


@pytest.fixture(scope="module")
def checked_pages(browser, site, axe_available) -> dict[str, dict]:
    """Every page loaded once: its screenshot and axe-core's violations."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.resize(WIDTH, HEIGHT)
    results = {}
    for kind, (path, ready) in page_paths(site).items():
        browser.load(site.url + path, ready)
        png = browser.screenshot()
        (ARTIFACTS / f"{kind}.png").write_bytes(png)
        violations = browser.axe_violations()
        results[kind] = {"path": path, "png": png, "violations": violations,
                         "exceptions": browser.exceptions(), "text": browser.evaluate("document.body.innerText")}
    findings = {kind: [(v["id"], v["impact"], v["help"], v["nodes"][:5]) for v in r["violations"]]
                for kind, r in results.items()}
    (ARTIFACTS / "axe-findings.json").write_text(json.dumps(findings, indent=2, ensure_ascii=False))
    return results


KINDS = ["home", "record", "journal", "person", "asjc", "search", "sparql", "not-found"]


@pytest.mark.parametrize("kind", KINDS)
def test_page_renders_as_a_real_screenshot(checked_pages, kind):
    shot = checked_pages[kind]
    assert png_size(shot["png"]) == (WIDTH, HEIGHT)
    assert len(shot["png"]) > 20_000, f"{kind}: only {len(shot['png'])} bytes, a blank page compresses to a few kB"
    assert distinct_rows(shot["png"]) > 100, f"{kind}: the screenshot is nearly blank"
    assert shot["exceptions"] == [], f"{kind}: scripts failed"
    assert "kgpub" in shot["text"] and "Search" in shot["text"], "the site's header is drawn"


@pytest.mark.parametrize("kind", KINDS)
def test_page_has_no_serious_accessibility_violations(checked_pages, kind):
    serious = [v for v in checked_pages[kind]["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], f"{kind} ({checked_pages[kind]['path']}): {json.dumps(serious, indent=1)}"


def test_not_found_page_names_the_address_in_the_browser(checked_pages):
    assert "nothing published at /doc/output/no-such-record" in checked_pages["not-found"]["text"]


def distinct_rows(png: bytes) -> int:
    """How many different pixel rows the PNG has (a blank page has one), read from its IDAT data:
    rows of a filtered PNG differ when their content does, near enough for this purpose."""
    position, data = 8, b""
    while position < len(png):
        length = int.from_bytes(png[position:position + 4], "big")
        kind = png[position + 4:position + 8]
        if kind == b"IDAT":
            data += png[position + 8:position + 8 + length]
        position += 12 + length
    raw = zlib.decompress(data)
    width, height = png_size(png)
    stride = len(raw) // height
    return len({raw[row * stride + 1:(row + 1) * stride] for row in range(height)})


def test_sparql_page_with_results_has_no_serious_accessibility_violations(browser, site, axe_available):
    browser.load(site.url + "/sparql", YASGUI_DRAWN)
    browser.evaluate("document.querySelector('[data-example=\"0\"]').click()")
    browser.wait_for("document.querySelectorAll('.yasr table.dataTable tbody tr').length > 0")
    serious = [v for v in browser.axe_violations() if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps(serious, indent=1)
