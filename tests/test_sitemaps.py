"""Sitemaps and robots.txt: every research output's page, with when it last changed."""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from conftest import BASE, App, doc_path

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def listed(reply) -> dict[str, str]:
    root = ET.fromstring(reply.content)
    return {u.findtext("s:loc", namespaces=NS): u.findtext("s:lastmod", namespaces=NS) for u in root.findall("s:url", NS)}


def test_the_sitemap_lists_every_record_page_with_its_lastmod(web):
    reply = web.get("/sitemap.xml")
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("application/xml")
    pages = listed(reply)
    assert set(pages) == {BASE + doc_path(iri).lstrip("/") for iri in web.iris.values()}
    for page, when in pages.items():
        stamp = dt.datetime.strptime(when, "%Y-%m-%dT%H:%M:%SZ")
        assert abs((dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - stamp).days) < 2, page
        modified = web.get(page[len(BASE) - 1:], headers={"Accept": "text/turtle"}).headers["Last-Modified"]
        assert dt.datetime.strptime(modified, "%a, %d %b %Y %H:%M:%S GMT") == stamp, page


def test_robots_txt_names_the_sitemap(web):
    reply = web.get("/robots.txt")
    assert reply.status_code == 200 and f"Sitemap: {BASE}sitemap.xml" in reply.text.splitlines()


def test_past_the_limit_the_sitemap_is_an_index_of_sitemaps(site_store, monkeypatch):
    from kgpub.server import sitemaps

    monkeypatch.setattr(sitemaps, "PER_SITEMAP", 3)
    web = App(site_store)
    index = ET.fromstring(web.get("/sitemap.xml").content)
    parts = [s.findtext("s:loc", namespaces=NS) for s in index.findall("s:sitemap", NS)]
    total = len(site_store.iris)
    assert len(parts) == -(-total // 3) and all(p.startswith(BASE + "sitemap-") for p in parts)
    seen = {}
    for part in parts:
        pages = listed(web.get(part[len(BASE) - 1:]))
        assert 1 <= len(pages) <= 3
        seen.update(pages)
    assert len(seen) == total
    assert web.get(f"/sitemap-{len(parts) + 1}.xml").status_code == 404
    assert web.get("/sitemap-0.xml").status_code == 404
