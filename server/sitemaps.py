"""Sitemaps (sitemaps.org 0.9) and robots.txt, for search engines and Google Scholar.

`/sitemap.xml` lists every research output's landing page with `lastmod` (when its record was
last written, Store.record_stamps); past PER_SITEMAP pages it is a sitemap index of
`/sitemap-{n}.xml`, each at most PER_SITEMAP pages (the protocol's limit is 50,000 URLs and 50 MB).
The list is made once per version of the store in each server process. `/robots.txt` allows
everything and names the sitemap.
"""
from __future__ import annotations

import datetime as dt
import os
import threading
from xml.sax.saxutils import escape

from flask import Blueprint, Response, current_app

from kgpub.graph import iris
from kgpub.server import snapshot_view
from kgpub.server.errors import error_response

bp = Blueprint("sitemaps", __name__)

PER_SITEMAP = 50_000
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
_made: dict[int, tuple[str, list[tuple[str, str]]]] = {}  # pid -> (store version, [(page, lastmod)])
_lock = threading.Lock()


def pages() -> list[tuple[str, str]]:
    """(landing page URL, lastmod) of every research output, for the store's current version."""
    view = snapshot_view.current()
    with _lock:
        made = _made.get(os.getpid())
        if made is None or made[0] != view.snapshot:
            base = current_app.config["BASE"]
            listed = [(iris.document(base, iris.stem_of(base, iris.output_of_graph(graph).value)).value, lastmod(stamp))
                      for graph, stamp in view.store.record_stamps()]
            made = _made[os.getpid()] = (view.snapshot, listed)
        return made[1]


def lastmod(stamp: str) -> str:
    """W3C Datetime in UTC, as every backend's form of an xsd:dateTime reads."""
    return dt.datetime.fromisoformat(stamp).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@bp.get("/sitemap.xml")
def sitemap():
    listed = pages()
    if len(listed) <= PER_SITEMAP:
        return _xml(_urlset(listed))
    base = current_app.config["BASE"]
    count = -(-len(listed) // PER_SITEMAP)
    entries = "".join(f"<sitemap><loc>{escape(base)}sitemap-{n}.xml</loc></sitemap>\n" for n in range(1, count + 1))
    return _xml(f'<sitemapindex xmlns="{NAMESPACE}">\n{entries}</sitemapindex>\n')


@bp.get("/sitemap-<int:number>.xml")
def sitemap_part(number: int):
    listed = pages()
    part = listed[(number - 1) * PER_SITEMAP:number * PER_SITEMAP] if number >= 1 else []
    if len(listed) <= PER_SITEMAP or not part:
        return error_response(404, "Not Found", f"there is no sitemap {number}; start at /sitemap.xml")
    return _xml(_urlset(part))


@bp.get("/robots.txt")
def robots():
    body = f"User-agent: *\nAllow: /\nSitemap: {current_app.config['BASE']}sitemap.xml\n"
    response = Response(body, mimetype="text/plain")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _urlset(listed: list[tuple[str, str]]) -> str:
    urls = "".join(f"<url><loc>{escape(page)}</loc><lastmod>{when}</lastmod></url>\n" for page, when in listed)
    return f'<urlset xmlns="{NAMESPACE}">\n{urls}</urlset>\n'


def _xml(body: str) -> Response:
    response = Response('<?xml version="1.0" encoding="UTF-8"?>\n' + body, mimetype="application/xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
