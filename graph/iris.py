"""The IRI scheme, in one place (docs/modelling.md, "IRIs"): every thing of an installation is
`{base}id/{kind}/{key}`, its document `{base}doc/{kind}/{key}` (and `/doc/{kind}/{key}` on the
server), and a research output's named graph `{base}graph/output/{key}`. The vocabularies live in
graphs of their own (`{base}graph/asjc`, …), the tombstones in `{base}graph/lifecycle`.

Everything that builds such an IRI, or reads a kind and key back out of one, does it here.
"""
from __future__ import annotations

from pyoxigraph import NamedNode

KINDS = ("output", "journal", "person", "asjc", "type", "topic", "publisher")
THING, DOCUMENT, GRAPH = "id/", "doc/", "graph/"
RECORD_GRAPH_PATH = f"/{GRAPH}output/"  # how a record graph is told from the others, whatever the base
LIFECYCLE_GRAPH = f"{GRAPH}lifecycle"


def thing(base: str, kind: str, key: str) -> NamedNode:
    """`{base}id/{kind}/{key}`: a research output, journal, person, concept, type, topic, publisher."""
    return NamedNode(f"{base}{THING}{kind}/{key}")


def output(base: str, key: str) -> NamedNode:
    return thing(base, "output", key)


def record_graph(base: str, key: str) -> NamedNode:
    """The named graph that holds the research output `key`."""
    return NamedNode(f"{base}{GRAPH}output/{key}")


def graph(base: str, name: str) -> NamedNode:
    """A graph of the installation's own: `graph/asjc`, `graph/lifecycle`, …"""
    return NamedNode(f"{base}{name}")


def document(base: str, stem: str) -> NamedNode:
    """The document of the thing `{base}id/{stem}`."""
    return NamedNode(f"{base}{DOCUMENT}{stem}")


def document_path(stem: str) -> str:
    """Where the server answers for the thing `{base}id/{stem}`: `/doc/{stem}`."""
    return f"/{DOCUMENT}{stem}"


def stem_of(base: str, iri: str) -> str | None:
    """`output/K` for `{base}id/output/K` (any kind); None for an IRI that is not a thing of ours."""
    prefix = base + THING
    return iri[len(prefix):] if iri.startswith(prefix) and len(iri) > len(prefix) else None


def kind_and_key(stem: str) -> tuple[str, str] | None:
    """`output/K` -> ("output", "K"); None when the kind is not one of ours or the key is missing."""
    kind, _, key = stem.partition("/")
    return (kind, key) if kind in KINDS and key else None


def output_key(base: str, iri_or_key: str) -> str:
    """A record named by its key or its full IRI: the key."""
    prefix = f"{base}{THING}output/"
    return iri_or_key[len(prefix):] if iri_or_key.startswith(prefix) else iri_or_key


def is_output(iri: str) -> bool:
    """A research output itself (not one of its #parts)."""
    return f"/{THING}output/" in iri and "#" not in iri


def is_record_graph(graph_iri: NamedNode | str) -> bool:
    value = graph_iri.value if isinstance(graph_iri, NamedNode) else graph_iri
    return RECORD_GRAPH_PATH in value


def output_of_graph(graph_iri: NamedNode) -> NamedNode:
    """`{base}graph/output/K` -> `{base}id/output/K`."""
    return NamedNode(graph_iri.value.replace(RECORD_GRAPH_PATH, f"/{THING}output/", 1))


def graph_of_output(output_iri: NamedNode | str) -> NamedNode:
    """`{base}id/output/K` -> `{base}graph/output/K`."""
    value = output_iri.value if isinstance(output_iri, NamedNode) else output_iri
    return NamedNode(value.replace(f"/{THING}output/", RECORD_GRAPH_PATH, 1))


def asjc_code(iri: str) -> str | None:
    """`{base}id/asjc/3312` -> "3312" (a four-digit subject; None for areas, schemes and others)."""
    head, _, code = iri.rpartition("/")
    return code if head.endswith(f"/{THING}asjc") and len(code) == 4 and code.isdigit() else None


def journal_key(iri: str) -> str | None:
    """`{base}id/journal/K` -> "K" (None for a volume, an issue, or anything else)."""
    head, _, key = iri.rpartition(f"/{THING}journal/")
    return key if head and key and "/" not in key and "#" not in key else None
