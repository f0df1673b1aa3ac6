"""How the service describes itself: the SPARQL 1.1 Service Description of /sparql, VoID, the DCAT
catalogue, the SHACL shapes, and the dumps (docs/sparql.md, "Self-description and dumps").

Everything here is cheap per request: the figures were counted by the last `kgpub dump`
(graph/dumps.py) and are read from its statistics file once per set of dumps.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json

import pyoxigraph
from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, send_file
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from kgpub import shapes as shapes_package
from kgpub.graph import dumps, iris
from kgpub.graph.namespaces import RDF, RDFS, XSD, Namespace
from kgpub.graph.namespaces import EXPORT_PREFIXES
from kgpub.server import linked_data, snapshot_view
from kgpub.server.dataset_description import (DCAT, NO_FIGURES_YET, SERVICES, SPDX, VOID, dataset_iri, dcat_triples,
                                              void_triples)
from kgpub.server.errors import error_response
from kgpub.server.negotiation import (BY_SUFFIX, FORMATS, Format, NegotiationError, choose, variants_message,
                                      wants_json)
from kgpub.server.representations import rdf_bytes

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "N-Quads", "TriG", "JSON-LD", "RDF_XML")
RDF_ONLY = tuple(f for f in FORMATS if f.rdf_format is not None)  # Turtle first: the default
CACHE_CONTROL = "public, max-age=300"
DESCRIPTION_PREFIXES = {**EXPORT_PREFIXES, "void": VOID.iri, "dcat": DCAT.iri, "spdx": SPDX.iri, "sd": SD.iri,
                        "rdfs": RDFS.iri}

bp = Blueprint("self_description", __name__)


# --- the SPARQL Service Description ---------------------------------------------------------------

def service_description(endpoint_url: str) -> list[Triple]:
    service = NamedNode(endpoint_url)
    triples = [Triple(service, RDF.type, SD.Service), Triple(service, SD.endpoint, service),
               Triple(service, SD.supportedLanguage, SD.SPARQL11Query),
               Triple(service, SD.feature, SD.UnionDefaultGraph)]
    if current_app.config.get("ADMIN_TOKEN"):
        triples.append(Triple(service, SD.supportedLanguage, SD.SPARQL11Update))
    base = current_app.config["BASE"]  # the dataset and the other ways to it (dataset_description.py)
    triples += [Triple(service, RDFS.seeAlso, NamedNode(iri)) for iri in
                (dataset_iri(base).value, f"{base}catalog", *(base + other.path for other in SERVICES))]
    triples += [Triple(service, SD.resultFormat, FORMATS_NS[name]) for name in RESULT_FORMATS]
    dataset, default_graph = BlankNode("dataset"), BlankNode("defaultGraph")
    triples += [Triple(service, SD.defaultDataset, dataset), Triple(dataset, RDF.type, SD.Dataset),
                Triple(dataset, SD.defaultGraph, default_graph), Triple(default_graph, RDF.type, SD.Graph)]
    return triples + _dataset_figures(dataset, default_graph, published())


def _dataset_figures(dataset: BlankNode, default_graph: BlankNode, published_dumps) -> list[Triple]:
    """The named graphs and their sizes, as the last dump counted them. The default graph is the
    union of the graphs, each triple once. Of 100k record graphs only the first 1000 are named
    (dataset_stats.LISTED_RECORD_GRAPHS), with a note saying so."""
    if published_dumps is None:
        return [Triple(dataset, RDFS.comment, Literal(NO_FIGURES_YET, language="en"))]
    figures = published_dumps.statistics
    triples = [Triple(default_graph, VOID.triples, _integer(figures["triples"])),
               Triple(dataset, RDFS.comment, Literal(_listing_note(figures), language="en"))]
    for n, (name, count) in enumerate(figures["graphs"].items(), start=1):
        named, graph = BlankNode(f"namedGraph{n}"), BlankNode(f"graph{n}")  # stable: the same ETag
        triples += [Triple(dataset, SD.namedGraph, named), Triple(named, RDF.type, SD.NamedGraph),
                    Triple(named, SD.name, NamedNode(name)), Triple(named, SD.graph, graph),
                    Triple(graph, RDF.type, SD.Graph), Triple(graph, VOID.triples, _integer(count))]
    return triples


def _listing_note(figures: dict) -> str:
    listed = len(figures["graphs"])
    note = f"Figures of snapshot {figures['snapshot']} ({figures['made']}): {figures['named_graphs']} named graphs"
    if listed < figures["named_graphs"]:
        note += f", of which {listed} are listed here; SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{}} }} gives them all"
    return note + "."


def _integer(number: int) -> Literal:
    return Literal(str(number), datatype=XSD.integer)


# --- VoID, DCAT, shapes ------------------------------------------------------------------------------

def published() -> dumps.PublishedDumps | None:
    return dumps.published(current_app.config["STORE"])


def shape_names() -> list[str]:
    return [path.stem for path in shapes_package.shapes_paths()]


@bp.get("/.well-known/void")
@bp.get("/.well-known/void<suffix>")
def void(suffix: str = ""):
    base = current_app.config["BASE"]
    choice = _negotiate("/.well-known/void", suffix)
    triples = void_triples(base, published(), example_resources(), shape_names())
    return _rdf_response(triples, choice, "/.well-known/void")


@bp.get("/dataset")
def dataset():
    """The dataset's IRI is on the base too: it answers 303 to its VoID description."""
    response = redirect(f"{request.script_root}/.well-known/void", 303)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


@bp.get("/catalog")
@bp.get("/catalog<suffix>")
def catalog(suffix: str = ""):
    choice = _negotiate("/catalog", suffix)
    return _rdf_response(dcat_triples(current_app.config["BASE"], published(), shape_names()), choice, "/catalog")


@bp.get("/shapes/<name>")
def shapes(name: str):
    stem, suffix = (name.split(".", 1) + [""])[:2]
    if stem not in shape_names():
        return error_response(404, "Not Found", f"there are no shapes called {stem!r}; try "
                              + ", ".join(f"/shapes/{n}" for n in shape_names()))
    choice = _negotiate(f"/shapes/{stem}", f".{suffix}" if suffix else "")
    path = shapes_package.HERE / f"{stem}.ttl"
    if choice.name == "turtle":  # the file itself, comments and all
        body = path.read_bytes()
        return _finish(Response(body, mimetype="text/turtle"), body, choice, f"/shapes/{stem}")
    triples = [q.triple for q in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)]
    return _rdf_response(triples, choice, f"/shapes/{stem}")


def example_resources() -> list[NamedNode]:
    """A few record IRIs: the first record graphs of the snapshot, named as their records."""
    return [iris.output_of_graph(g) for g in snapshot_view.current().store.record_graph_names(limit=3)]


def _negotiate(path: str, suffix: str) -> Format:
    suffix_format = None
    if suffix:
        suffix_format = BY_SUFFIX.get(suffix)
        if suffix_format not in RDF_ONLY:
            abort(404, f"there is no {suffix} variant; try {variants_message(request.script_root + path, RDF_ONLY)}")
    try:
        return choose(request.headers.get("Accept"), request.args.get("format"), suffix_format, RDF_ONLY).format
    except NegotiationError as err:
        if err.status != 406:
            raise
        raise NegotiationError(406, f"{err}\n{variants_message(request.script_root + path, RDF_ONLY)}") from None


def _rdf_response(triples: list[Triple], fmt: Format, path: str) -> Response:
    if fmt.name in ("turtle", "trig"):  # with the prefixes of the vocabularies that describe datasets
        body = pyoxigraph.serialize(triples, format=fmt.rdf_format, prefixes=DESCRIPTION_PREFIXES)
    else:
        body = rdf_bytes(triples, fmt, linked_data.context_url())
    return _finish(Response(body, mimetype=fmt.media_type), body, fmt, path)


def _finish(response: Response, body: bytes, fmt: Format, path: str) -> Response:
    if fmt.media_type.startswith("text/"):
        response.mimetype_params["charset"] = "utf-8"
    response.headers["Vary"] = "Accept"
    response.headers["Content-Location"] = f"{request.script_root}{path}{fmt.suffix}"
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.set_etag(hashlib.sha256(body).hexdigest()[:32] + fmt.name)
    return response.make_conditional(request)


# --- dumps ---------------------------------------------------------------------------------------------

@bp.get("/dumps/")
def dump_list():
    current = published()
    files = [] if current is None else [
        {**entry, "url": f"{request.script_root}/dumps/{entry['file']}", "label": dumps.BY_FILE[entry["file"]].label}
        for entry in current.manifest["files"]]
    if wants_json():
        body = {"snapshot": current.manifest["snapshot"] if current else None,
                "made": current.manifest["made"] if current else None, "files": files,
                "void": f"{request.script_root}/.well-known/void", "catalog": f"{request.script_root}/catalog"}
        response = Response(json.dumps(body, ensure_ascii=False, indent=1), mimetype="application/json")
    else:
        response = Response(render_template("dumps.html", files=files, made=current.manifest["made"] if current else None,
                                            alternates=[{"label": "JSON", "media_type": "application/json",
                                                         "href": f"{request.script_root}/dumps/?format=json"}]),
                            mimetype="text/html")
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/dumps/<file>")
def dump_file(file: str):
    current = published()
    entry = current.file(file) if current else None  # only names in the manifest: no paths at all
    if entry is None:
        return error_response(404, "Not Found", f"there is no dump called {file!r}; the list is at /dumps/")
    path = current.folder / entry["file"]
    modified = dt.datetime.fromisoformat(current.manifest["made"])
    try:
        response = send_file(path, mimetype="application/gzip", as_attachment=True, download_name=entry["file"],
                             conditional=True, etag=entry["sha256"], last_modified=modified, max_age=300)
    except FileNotFoundError:  # replaced by two newer sets between reading the manifest and opening
        return error_response(503, "Service Unavailable", "the dumps are being replaced; try again",
                              headers={"Retry-After": "5"})
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
