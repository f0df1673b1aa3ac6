"""FAIR Signposting (https://signposting.org/FAIR/), Level 1 and Level 2, for research outputs.

Level 1, in the `Link` header of a record's landing page and of each of its RDF documents:
  cite-as      the DOI (https://doi.org/…), else the record's IRI
  describedby  each RDF document, with its media type and `profile`: the SHACL shapes it
               conforms to (/shapes/records)
  type         the schema.org type (ScholarlyArticle, Chapter, Thesis, Book, Report) and AboutPage
  author       each author's ORCID where known, else the author's IRI here
  collection   the repository the record is published in (the site's home)
  linkset      the Level 2 linkset, in both forms of RFC 9264
`license` and `item` (full text) are not sent: no source kgpub imports gives a licence or a
full-text link, and a signpost must not guess (docs/decisions.md).

Level 2, at /linkset/output/{key}: the same links with their anchor (the landing page), as
`application/linkset` (RFC 9264 §4.1) or `application/linkset+json` (§4.2), by Accept or by the
suffix `.json`. Every URL is absolute, under the configured base.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, request

from kgpub.graph import iris
from kgpub.graph.mapping import DOI_RESOLVER
from kgpub.graph.record_reader import StoredRecord, read_record
from kgpub.server import html_meta, snapshot_view
from kgpub.server.errors import error_response
from kgpub.server.negotiation import FORMATS

bp = Blueprint("signposting", __name__)

LINKSET = "application/linkset"
LINKSET_JSON = "application/linkset+json"
SHAPES_PATH = "shapes/records"
ORCID = "https://orcid.org/"
KEY = re.compile(r"[A-Za-z0-9-]{1,200}")


@dataclass(frozen=True)
class Signpost:
    rel: str
    target: str
    type: str | None = None
    profile: str | None = None

    def header(self, anchor: str | None = None) -> str:
        """The link as RFC 8288 writes it (with its anchor, in a linkset)."""
        params = [f'rel="{self.rel}"']
        params += [f'type="{self.type}"'] if self.type else []
        params += [f'profile="{self.profile}"'] if self.profile else []
        params += [f'anchor="{anchor}"'] if anchor else []
        return f"<{self.target}>; " + "; ".join(params)

    def as_json(self) -> dict:
        return {"href": self.target, **({"type": self.type} if self.type else {}),
                **({"profile": self.profile} if self.profile else {})}


def landing_page(base: str, key: str) -> str:
    return iris.document(base, f"output/{key}").value


def signposts(record: StoredRecord, base: str, key: str) -> list[Signpost]:
    page = landing_page(base, key)
    posts = [Signpost("cite-as", DOI_RESOLVER + record.doi if record.doi else record.iri)]
    posts += [Signpost("describedby", page + fmt.suffix, fmt.media_type, base + SHAPES_PATH)
              for fmt in FORMATS if fmt.rdf_format is not None]
    posts += [Signpost("type", f"https://schema.org/{html_meta.schema_type(record)}"),
              Signpost("type", "https://schema.org/AboutPage")]
    posts += [Signpost("author", ORCID + author.orcid if author.orcid else author.iri) for author in record.authors]
    posts.append(Signpost("collection", base))
    posts += [Signpost("linkset", linkset_url(base, key), LINKSET),
              Signpost("linkset", linkset_url(base, key) + ".json", LINKSET_JSON)]
    return posts


def linkset_url(base: str, key: str) -> str:
    return f"{base}linkset/output/{key}"


def record_signposts(triples, thing_iri: str, base: str) -> list[Signpost]:
    """The signposts of a research output's document (linked_data.py)."""
    record = read_record(triples, thing_iri)
    return signposts(record, base, thing_iri.rsplit("/", 1)[-1])


@bp.get("/linkset/output/<key>")
def linkset(key: str):
    base = current_app.config["BASE"]
    as_json = key.endswith(".json")
    key = key.removesuffix(".json")
    if not KEY.fullmatch(key):  # keys are letters and digits (graph/keys.py): anything else names nothing
        return error_response(404, "Not Found", "there is no research output with that key")
    if not as_json and request.accept_mimetypes.best_match([LINKSET, LINKSET_JSON], default=LINKSET) == LINKSET_JSON:
        as_json = True
    view = snapshot_view.current()
    thing_iri = iris.output(base, key)
    if view.documents.tombstone(thing_iri) is not None:
        return error_response(410, "Gone", f"{thing_iri.value} has been withdrawn or merged; it has no linkset")
    doc = view.documents.output(key, iris.document(base, f"output/{key}"), view.snapshot_time)
    if doc is None:
        return error_response(404, "Not Found", f"there is no research output {thing_iri.value}")
    posts = record_signposts(doc.triples, thing_iri.value, base)
    anchor = landing_page(base, key)
    if as_json:
        body = json.dumps({"linkset": [linkset_entry(anchor, posts)]}, ensure_ascii=False, indent=1)
        response = Response(body, mimetype=LINKSET_JSON)
    else:
        response = Response(",\n".join(post.header(anchor) for post in posts) + "\n", mimetype=LINKSET)
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def linkset_entry(anchor: str, posts: list[Signpost]) -> dict:
    entry: dict = {"anchor": anchor}
    for post in posts:
        entry.setdefault(post.rel, []).append(post.as_json())
    return entry
