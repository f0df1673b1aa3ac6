"""Sitemaps (sitemaps.org 0.9) and robots.txt, for search engines and Google Scholar.

`/sitemap.xml` lists every research output's landing page with `lastmod` (when its record was
last written, Store.record_stamps); past PER_SITEMAP pages it is a sitemap index of
`/sitemap-{n}.xml`, each at most PER_SITEMAP pages (the protocol's limit is 50,000 URLs and 50 MB).
The list is read once per version of the store (record_list.py). `/robots.txt` allows
everything and names the sitemap.
"""
from __future__ import annotations

from xml.sax.saxutils import escape

from flask import Blueprint, Response, current_app

from kgpub.graph import iris
from kgpub.server import record_list
from kgpub.server.errors import error_response

bp = Blueprint("sitemaps", __name__)

PER_SITEMAP = 50_000
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


def pages() -> list[tuple[str, str]]:
    """(landing page URL, lastmod) of every published research output (record_list.py)."""
    base = current_app.config["BASE"]
    return [(iris.document(base, f"output/{item.key}").value, item.changed)
            for item in record_list.listed() if not item.deleted]


@bp.get("/sitemap.xml")
def sitemap():
    listed = pages()
    if len(listed) <= PER_SITEMAP:
        return xml_response(_urlset(listed))
    base = current_app.config["BASE"]
    count = -(-len(listed) // PER_SITEMAP)
    entries = "".join(f"<sitemap><loc>{escape(base)}sitemap-{n}.xml</loc></sitemap>\n" for n in range(1, count + 1))
    return xml_response(f'<sitemapindex xmlns="{NAMESPACE}">\n{entries}</sitemapindex>\n')


@bp.get("/sitemap-<int:number>.xml")
def sitemap_part(number: int):
    listed = pages()
    part = listed[(number - 1) * PER_SITEMAP:number * PER_SITEMAP] if number >= 1 else []
    if len(listed) <= PER_SITEMAP or not part:
        return error_response(404, "Not Found", f"there is no sitemap {number}; start at /sitemap.xml")
    return xml_response(_urlset(part))


@bp.get("/robots.txt")
def robots():
    body = f"User-agent: *\nAllow: /\nSitemap: {current_app.config['BASE']}sitemap.xml\n"
    response = Response(body, mimetype="text/plain")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _urlset(listed: list[tuple[str, str]]) -> str:
    urls = "".join(f"<url><loc>{escape(page)}</loc><lastmod>{when}</lastmod></url>\n" for page, when in listed)
    return f'<urlset xmlns="{NAMESPACE}">\n{urls}</urlset>\n'


def xml_response(body: str) -> Response:
    response = Response('<?xml version="1.0" encoding="UTF-8"?>\n' + body, mimetype="application/xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
