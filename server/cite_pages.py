"""Cite this, at its own URLs: `/cite/output/{key}/{style}` formats a record in a citation style
(HTML, or `?format=text`) or sends it as a BibTeX, RIS or CSL-JSON download."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, request

from kgpub.graph import cite, csl, exports, iris
from kgpub.graph.record_reader import read_record
from kgpub.server import page_cache, snapshot_view
from kgpub.server.errors import error_response
from kgpub.server.record_page import DOWNLOADS

bp = Blueprint("cite_pages", __name__)


@bp.get("/cite/output/<key>/<style>")
def citation(key: str, style: str):
    view = snapshot_view.current()
    base = current_app.config["BASE"]
    try:
        stone = view.documents.tombstone(iris.output(base, key))
        triples = view.store.graph_triples(iris.record_graph(base, key))
    except ValueError:  # characters no IRI can hold: no record has such a key
        stone, triples = None, []
    if stone is not None and stone.replaced_by:
        survivor = stone.replaced_by.rsplit("/", 1)[-1]
        return redirect(f"{request.script_root}/cite/output/{survivor}/{style}", 301)
    if stone is not None:
        return error_response(410, "Gone", f"The record {stone.iri} was withdrawn from publication "
                                           f"on {stone.invalidated:%d %B %Y}; there is nothing to cite.")
    if not triples:
        abort(404, f"There is no published record with the key {key[:100]!r}.")
    triples = triples + view.documents.labels_for(triples)

    def item() -> dict:  # read only when a citation is made
        return csl.csl_item(read_record(triples, iris.output(base, key).value))

    for name, label, media_type, suffix in DOWNLOADS:
        if style == name:
            body = exports.write_file([item()], name)
            response = Response(body, mimetype=media_type)
            response.headers["Content-Disposition"] = f'attachment; filename="{key[:80]}{suffix}"'
            return response
    if style not in cite.STYLES:
        abort(404, f"There is no citation style {style[:40]!r}; use one of "
                   + ", ".join([*cite.STYLES, *(d[0] for d in DOWNLOADS)]) + ".")
    html = request.args.get("format") != "text"
    # Formatting takes milliseconds per style: kept with the record pages, for what it is made from.
    text, _ = page_cache.kept(triples, f"cite/output/{key}/{style}/{'html' if html else 'text'}",
                              lambda: (cite.format_citation(item(), style, html=html), ""))
    return Response(text, mimetype="text/html" if html else "text/plain")
