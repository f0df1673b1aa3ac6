"""The site's own pages: the home page and search (HTML and JSON), and what every template knows
(links to our documents, the services linked from every page). A record's and a thing's page are
record_page.py's and thing_page.py's; "cite this" is cite_pages.py's."""
from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, abort, current_app, render_template, request

from kgpub import ontology
from kgpub.graph import iris
from kgpub.graph.search import SearchError
from kgpub.server import charts, dataset_description, snapshot_view
from kgpub.server.errors import error_response
from kgpub.server.negotiation import wants_json

bp = Blueprint("pages", __name__)

SEARCH_PAGE_SIZE = 20
SEARCH_FILTERS = ("year", "journal", "subject", "type")
# Services linked from every page once their routes exist (the SPARQL endpoint, dumps, VoID).
SERVICES = (("SPARQL endpoint", "/sparql"), ("Data dumps", "/dumps/"), ("VoID description", "/.well-known/void"),
            ("DCAT catalogue", "/catalog"), *((s.title, "/" + s.path) for s in dataset_description.SERVICES))


@bp.get("/")
def home():
    figures = snapshot_view.current().store.search.figures()
    type_label = current_app.jinja_env.globals["type_label"]
    return render_template(
        "home.html", figures=figures,
        year_chart=charts.year_chart("chart-years", "Research outputs per year", figures.by_year, year_search_href),
        type_chart=charts.category_chart(
            "chart-types", "Research outputs per type",
            [(type_label(iri), count, search_href(type=iri)) for iri, count in figures.by_type], "Type"))


def search_href(**filters: str) -> str:
    """The search page listing the records filed under these filters (year, journal, subject, type)."""
    return f"{request.script_root}/search?{urlencode(filters)}"


def year_search_href(year: str) -> str:
    return search_href(year=year)


@bp.get("/search")
def search():
    query = request.args.get("q", "")
    filters = {name: request.args[name] for name in SEARCH_FILTERS if request.args.get(name)}
    page = page_number()
    offset = (page - 1) * SEARCH_PAGE_SIZE
    error, results = None, None
    try:
        results = snapshot_view.current().store.search.search(query, limit=SEARCH_PAGE_SIZE, offset=offset, **filters)
    except SearchError as err:
        error = str(err)
    if wants_json():
        if error:
            return error_response(400, "Bad Request", error, kind="application/json")
        return _search_json(results, page)
    more = results is not None and offset + len(results.hits) < results.total
    page_html = render_template(
        "search.html", query=query, filters=filters, results=results, error=error,
        next_href=_search_url(page + 1) if more else None,
        prev_href=_search_url(page - 1) if page > 1 else None,
        alternates=[{"label": "JSON", "media_type": "application/json", "href": _search_url(page, "json")}])
    return Response(page_html, 400 if error else 200, mimetype="text/html", headers={"Vary": "Accept"})


def register_template_globals(app: Flask) -> None:
    """Links in pages go to this server's documents, whatever base the IRIs were minted under."""
    base = app.config["BASE"]
    types = {iris.thing(base, "type", t.key).value: t.portal_label for t in ontology.pure_types().values()}
    codes = ontology.asjc_codes()

    def href(iri: str) -> str:
        stem = iris.stem_of(base, iri)
        return request.script_root + iris.document_path(stem) if stem else iri

    routes = {rule.rule for rule in app.url_map.iter_rules()}
    app.jinja_env.globals.update(
        service_links=[(label, path) for label, path in SERVICES if path in routes],
        href=href,
        site_name=app.config["SITE_NAME"],
        asjc_label=lambda code: codes[code].label if code in codes else code,
        asjc_href=lambda code: href(iris.thing(base, "asjc", code).value),
        type_label=lambda iri: types.get(iri, iri.rsplit("/", 1)[-1]),
    )


def _search_json(results, page: int) -> Response:
    hits = [{"iri": h.iri, "title": h.title, "authors": list(h.authors), "journal": h.journal_title,
             "year": h.year, "doi": h.doi, "type": h.type_iri, "snippet": h.snippet} for h in results.hits]
    more = (page - 1) * SEARCH_PAGE_SIZE + len(hits) < results.total
    body = {"query": results.query, "total": results.total, "total_is_lower_bound": results.more_than,
            "order": results.order, "page": page, "hits": hits,
            "next": _search_url(page + 1, "json") if more else None}
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
    response.headers["Vary"] = "Accept"
    return response


def _search_url(page: int, format: str | None = None) -> str:
    args = {k: v for k, v in request.args.items() if k not in ("page", "format")}
    args["page"] = str(page)
    if format:
        args["format"] = format
    return f"{request.script_root}/search?{urlencode(args)}"


def page_number(maximum: int = 10_000) -> int:
    value = request.args.get("page", "1")
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= maximum:
        abort(400, f"page must be a whole number from 1 to {maximum}, not {value[:40]!r}")
    return int(value)
