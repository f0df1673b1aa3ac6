"""/graph-store: the SPARQL 1.1 Graph Store HTTP Protocol, with indirect graph identification.

`?graph=<iri>` names a graph, `?default` the store's own default graph: not the union of all
graphs that /sparql queries by default, but the graph that holds what no named graph holds
(docs/sparql.md). Reading is for anyone; PUT, POST and DELETE need the admin token (auth.py)
and go through the store's one writer (write_lock.py).

A record graph (iris.record_graph) written here gets its content digest computed again
(the old digest and modified stamp dropped first), so that its record copy stays consistent, and
a new `dcterms:modified` stamp. Any other graph holds exactly the triples sent.
"""
from __future__ import annotations

import hashlib

import pyoxigraph
from flask import Blueprint, Response, abort, request
from pyoxigraph import BlankNode, NamedNode, RdfFormat, Triple

from kgpub.graph import iris
from kgpub.graph.store.record_updates import redigested
from kgpub.server import auth, negotiation, snapshot_view, write_lock
from kgpub.server.errors import error_response
from kgpub.server.representations import CONTEXT_PATH, rdf_bytes

bp = Blueprint("graph_store", __name__)

PATH = "/graph-store"
READ_FORMATS = tuple(f for f in negotiation.FORMATS if f.rdf_format is not None)
BODY_FORMATS = {
    "text/turtle": RdfFormat.TURTLE,
    "application/x-turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/ld+json": RdfFormat.JSON_LD,
}
DATASET_FORMATS = ("application/n-quads", "application/trig")


@bp.route(PATH, methods=["GET", "PUT", "POST", "DELETE"])
def graph_store() -> Response:
    graph = target_graph()
    if request.method in ("GET", "HEAD"):  # Flask drops the body of a HEAD
        return read_graph(graph)
    auth.require_admin()
    if request.method == "DELETE":
        return delete_graph(graph)
    return write_graph(graph, read_triples(graph), replace=request.method == "PUT")


def target_graph() -> NamedNode | None:
    """The graph the request names: a NamedNode, or None for the default graph."""
    named, default = "graph" in request.args, "default" in request.args
    if named == default:
        abort(bad_request("name one graph: ?graph=<IRI> for a named graph, or ?default for the default graph"))
    if default:
        return None
    iri = request.args.get("graph", "")
    try:
        return NamedNode(iri)
    except ValueError:
        abort(bad_request(f"graph={iri[:200]!r} is not an absolute IRI"))


def read_graph(graph: NamedNode | None) -> Response:
    choice = negotiation.choose(request.headers.get("Accept"), request.args.get("format"), None, READ_FORMATS)
    store = snapshot_view.current().store
    if graph is not None and not store.has_graph(graph):
        return not_found(graph)
    triples = store.default_graph_triples() if graph is None else store.graph_triples(graph)
    body = rdf_bytes(triples, choice.format, request.host_url.rstrip("/") + CONTEXT_PATH, choice.profile)
    response = Response(body, mimetype=choice.format.media_type)
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "no-cache"  # graphs change under writes: revalidate
    response.set_etag(hashlib.sha256(body + choice.format.name.encode()).hexdigest()[:32])
    return response.make_conditional(request)


def read_triples(graph: NamedNode | None) -> list[Triple]:
    media_type = request.mimetype
    if media_type in DATASET_FORMATS:
        abort(unsupported(f"{media_type} carries a dataset; send one graph (Turtle, N-Triples, RDF/XML or JSON-LD)"))
    rdf_format = BODY_FORMATS.get(media_type)
    if rdf_format is None:
        abort(unsupported(f"{media_type or 'a body without a Content-Type'} is not an RDF graph format; "
                          f"send {', '.join(BODY_FORMATS)}"))
    base_iri = graph.value if graph is not None else None
    try:
        triples = [quad.triple for quad in pyoxigraph.parse(auth.upload_body(), format=rdf_format, base_iri=base_iri)]
    except (SyntaxError, ValueError) as err:
        abort(bad_request(f"the body is not valid {media_type}: {err}"))
    return with_fresh_blank_nodes(triples)


def with_fresh_blank_nodes(triples: list[Triple]) -> list[Triple]:
    """A body's blank-node labels are local to it: `_:x` PUT into two graphs is two nodes."""
    fresh: dict[BlankNode, BlankNode] = {}

    def renamed(term):
        if isinstance(term, BlankNode):
            return fresh.setdefault(term, BlankNode())
        return term

    return [Triple(renamed(t.subject), t.predicate, renamed(t.object)) for t in triples]


def write_graph(graph: NamedNode | None, triples: list[Triple], replace: bool) -> Response:
    """PUT replaces the graph, POST merges into it: 201 when the graph is new, else 204."""
    with write_lock.writer_store() as store:
        if graph is None:
            store.write_default_graph(triples, replace)
            return Response(status=204)
        existed = store.has_graph(graph)
        if existed and not replace:
            triples = store.graph_triples(graph) + triples
        if iris.is_record_graph(graph):
            # A record graph: digested again (its record copy stays consistent) and stamped
            # for the record page's Last-Modified.
            store.write_graphs({graph: redigested(graph, triples)})
        else:  # any other graph holds exactly the triples sent, as the protocol says
            store.write_graphs({graph: triples}, stamp=False)
    return Response(status=204 if existed else 201)


def delete_graph(graph: NamedNode | None) -> Response:
    with write_lock.writer_store() as store:
        if graph is None:  # the default graph always exists: deleting it empties it
            store.write_default_graph([], replace=True)
        elif not store.has_graph(graph):
            return not_found(graph)
        else:
            store.remove_graphs([graph])
    return Response(status=204)


def not_found(graph: NamedNode) -> Response:
    return error_response(404, "Not Found", f"there is no graph <{graph.value}> in the store")


def bad_request(message: str) -> Response:
    return error_response(400, "Bad Request", message)


def unsupported(message: str) -> Response:
    return error_response(415, "Unsupported Media Type", message)
