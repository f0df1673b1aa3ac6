"""Which representation a client gets: one table of formats, chosen by suffix, ?format= or Accept.

Accept headers are parsed by werkzeug (q-values, wildcards, specificity). Media type parameters
are matched apart from the type, because a client that asks for
`application/ld+json;profile="…#expanded"` still wants JSON-LD (werkzeug alone would not match it).
"""
from __future__ import annotations

from flask import request

from dataclasses import dataclass

from pyoxigraph import RdfFormat
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_options_header

JSONLD_EXPANDED = "http://www.w3.org/ns/json-ld#expanded"


@dataclass(frozen=True)
class Format:
    name: str  # the ?format= value
    suffix: str
    media_type: str
    label: str
    rdf_format: RdfFormat | None  # None: HTML
    aliases: tuple[str, ...] = ()  # other media types clients send for it


# Server preference among equally acceptable types: HTML first (browsers send */*), then what
# Linked Data clients rank highest (Comunica puts N-Quads and TriG above Turtle).
FORMATS = (
    Format("html", ".html", "text/html", "HTML", None, ("application/xhtml+xml",)),
    Format("turtle", ".ttl", "text/turtle", "Turtle", RdfFormat.TURTLE, ("application/x-turtle",)),
    Format("jsonld", ".jsonld", "application/ld+json", "JSON-LD", RdfFormat.JSON_LD, ("application/json",)),
    Format("nquads", ".nq", "application/n-quads", "N-Quads", RdfFormat.N_QUADS),
    Format("trig", ".trig", "application/trig", "TriG", RdfFormat.TRIG),
    Format("ntriples", ".nt", "application/n-triples", "N-Triples", RdfFormat.N_TRIPLES),
    Format("rdfxml", ".rdf", "application/rdf+xml", "RDF/XML", RdfFormat.RDF_XML, ("application/xml", "text/xml")),
)
BY_NAME = {f.name: f for f in FORMATS}
BY_SUFFIX = {f.suffix: f for f in FORMATS}
BY_MEDIA_TYPE = {t: f for f in FORMATS for t in (f.media_type, *f.aliases)}


class NegotiationError(ValueError):
    """The request names no representation we have, or says it in a way we cannot read."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Choice:
    format: Format
    profile: str | None = None  # a JSON-LD profile the client asked for


def split_suffix(path: str) -> tuple[str, Format | None]:
    """'output/K.ttl' -> ('output/K', Turtle); paths without a known suffix come back whole."""
    for suffix, fmt in BY_SUFFIX.items():
        if path.endswith(suffix):
            return path[: -len(suffix)], fmt
    return path, None


def choose(accept_header: str | None, format_param: str | None, suffix_format: Format | None,
           offered: tuple[Format, ...] = FORMATS) -> Choice:
    """The representation to send; NegotiationError (400 or 406) when there is none."""
    if format_param is not None:
        fmt = BY_NAME.get(format_param) or BY_SUFFIX.get(f".{format_param}") or BY_MEDIA_TYPE.get(format_param)
        if fmt is None or fmt not in offered:
            raise NegotiationError(406, f"unknown format {format_param!r}; use one of {_names(offered)}")
        return Choice(fmt, _profile(accept_header, fmt))
    if suffix_format is not None:
        return Choice(suffix_format, _profile(accept_header, suffix_format))
    if not accept_header or not accept_header.strip():
        return Choice(offered[0])
    accepted = parse_accept(accept_header)
    # Aliases after every main type: `application/*` means JSON-LD, not XHTML.
    best = accepted.best_match([f.media_type for f in offered] + [a for f in offered for a in f.aliases])
    if best is None:
        raise NegotiationError(406, f"none of the media types in Accept: {accept_header[:200]!r} is available")
    fmt = BY_MEDIA_TYPE[best]
    return Choice(fmt, _profile(accept_header, fmt))


def parse_accept(header: str) -> MIMEAccept:
    """The header's media types without their parameters, with their q-values."""
    if len(header) > 4096:
        raise NegotiationError(400, "the Accept header is longer than 4096 characters")
    entries = parse_accept_header(header, MIMEAccept)
    types = []
    for value, quality in entries:
        media_type = parse_options_header(value)[0].lower()
        if media_type.count("/") == 1 and all(media_type.split("/")):
            types.append((media_type, quality))
    if not types:
        raise NegotiationError(400, f"the Accept header {header[:200]!r} is not a list of media types "
                                    "like 'text/turtle, application/ld+json;q=0.9'")
    return MIMEAccept(types)


def _profile(accept_header: str | None, fmt: Format) -> str | None:
    """The JSON-LD profile asked for with the chosen type, if any (first one wins)."""
    if fmt.name != "jsonld" or not accept_header:
        return None
    for value, _quality in parse_accept_header(accept_header, MIMEAccept):
        media_type, params = parse_options_header(value)
        if media_type.lower() in (fmt.media_type, *fmt.aliases) and "profile" in params:
            return params["profile"].split()[0]
    return None


def _names(offered: tuple[Format, ...]) -> str:
    return ", ".join(f.name for f in offered)


def variants_message(path: str, offered: tuple[Format, ...] = FORMATS) -> str:
    """The body of a 406: every representation there is, by suffix and media type."""
    lines = [f"{path}{f.suffix}  ({f.media_type})" for f in offered]
    return "Available representations:\n" + "\n".join(lines)


def wants_json() -> bool:
    """Whether the client of an HTML-or-JSON resource (search, the VoID page) asks for JSON: by
    `?format=json`, or by ranking JSON above HTML in Accept."""
    if request.args.get("format") == "json":
        return True
    accept = request.accept_mimetypes
    return bool(accept) and accept.best_match(["text/html", "application/json"]) == "application/json"
