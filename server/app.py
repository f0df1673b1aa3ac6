"""The Flask application factory: configuration, blueprints, error handling, CORS.

`create_app()` takes its settings from settings.py (the environment, with documented defaults);
tests and `kgpub serve` pass a mapping of their own over them. The store is opened per process on
first use (snapshot_view.py).
"""
from __future__ import annotations

from typing import Mapping

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from kgpub.server import (admin, cite_pages, errors, graph_store, health, html_meta, linked_data, metrics,
                          oai_pmh, reconcile, resolver, resourcesync, self_description, settings, signposting,
                          site_pages, sitemaps, sparql, static_files)

READ_METHODS = "GET, HEAD, OPTIONS"
# Pages load scripts, styles, images and data only from this server, run no inline script, and
# are framed by nobody else. YASGUI adds <style> elements of its own, which style-src
# 'unsafe-inline' allows (tests/test_query_page.py); scripts stay strict.
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
               "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
               "form-action 'self'; frame-ancestors 'self'")
EXPOSED_HEADERS = "Link, ETag, Content-Location, Location, Last-Modified, Vary"


def create_app(given: Mapping | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)  # static_files.py serves /static/ from memory
    static_files.register(app)
    app.config.from_mapping(settings.resolve(given))
    app.register_blueprint(linked_data.bp)
    app.register_blueprint(site_pages.bp)
    app.register_blueprint(cite_pages.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(graph_store.bp)
    app.register_blueprint(self_description.bp)
    app.register_blueprint(signposting.bp)
    app.register_blueprint(resolver.bp)
    app.register_blueprint(reconcile.bp)
    app.register_blueprint(sitemaps.bp)
    app.register_blueprint(resourcesync.bp)
    app.register_blueprint(oai_pmh.bp)
    app.register_blueprint(health.bp)
    metrics.init_app(app)
    errors.register(app)
    site_pages.register_template_globals(app)
    html_meta.init_app(app)
    app.after_request(allow_cross_origin_reads)
    app.after_request(protect)
    if app.config.get("PROXY_HOPS"):
        # Behind reverse proxies: the client is who the proxies say (the query budget is per client).
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    return app


def protect(response: Response) -> Response:
    """Headers that keep browsers from reading our answers as something else (nosniff), leaking
    where a reader came from, or running anything a page did not bring itself; and redirects
    that never take their host from the request (a Host header is the client's to choose)."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)  # a preview sets its own
    location = response.headers.get("Location")
    if location and location.startswith(request.host_url):
        response.headers["Location"] = "/" + location[len(request.host_url):]
    return response


def allow_cross_origin_reads(response: Response) -> Response:
    """Everything served here is public data: any web page may read it."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    response.headers.setdefault("Access-Control-Allow-Methods", READ_METHODS)
    response.headers.setdefault("Access-Control-Allow-Headers", "Accept, Accept-Language, If-None-Match, "
                                                                "If-Modified-Since, Content-Type")
    response.headers.setdefault("Access-Control-Max-Age", "86400")
    return response
