"""What the reconciliation service (server/reconcile.py) offers: its types, its properties and its
limits, in one place for the manifest, the suggest services, the request parser, the matcher and
data extension.

Entities are the things of our IRI scheme (graph/iris.py), named by their path below `{base}id/`:
`output/K`, `person/P`, `journal/J`, `asjc/3305`. So `identifierSpace` + id is the thing's IRI,
and a client that knows nothing of the service can still dereference what it matched.
Types are the four kinds a client can reconcile against, plus the Pure output types as narrower
types of `output` (a query of type `type/contributiontojournal/article` looks among articles only).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from kgpub import ontology

# Limits (docs/serving.md, "Reconciliation"): each bounds the time or memory of one request.
MAX_BATCH = 100  # queries in one batch; the manifest's batchSize; more is a 413, as the spec allows
DEFAULT_LIMIT = 5  # candidates per query when the query gives no limit
MAX_LIMIT = 25  # a larger limit is served as this one
MAX_QUERY_CHARS = 500  # the search index's own bound on its text
MAX_PROPERTIES = 20  # property constraints in one query, properties in one extension query
MAX_VALUES = 20  # values of one property constraint
MAX_EXTEND_IDS = 200  # entities in one extension query
MAX_SUGGEST_CURSOR = 1000
SUGGEST_PAGE = 10


@dataclass(frozen=True)
class EntityType:
    id: str
    name: str
    kind: str  # what the type's entities are: output, person, journal, asjc
    description: str = ""
    broader: tuple[str, ...] = ()
    pure_key: str | None = None  # a Pure output type: the key its concept IRI ends in

    def as_json(self) -> dict:
        found = {"id": self.id, "name": self.name}
        if self.description:
            found["description"] = self.description
        if self.broader:
            found["broader"] = [{"id": b, "name": KINDS[b].name} for b in self.broader]
        return found

    def reference(self) -> dict:
        return {"id": self.id, "name": self.name}


KINDS = {
    "output": EntityType("output", "Research output", "output", "An article, book, chapter, paper or any other "
                         "research output; reconciled by title"),
    "person": EntityType("person", "Person", "person", "An author or editor of research outputs; reconciled by name"),
    "journal": EntityType("journal", "Journal", "journal", "A journal research outputs appear in; reconciled by "
                          "title or ISSN"),
    "asjc": EntityType("asjc", "ASJC subject area", "asjc", "A subject of the All Science Journal Classification; "
                       "reconciled by label or four-digit code"),
}


@lru_cache(maxsize=1)
def output_types() -> dict[str, EntityType]:
    """The Pure output types (ontology/pure-types.tsv), narrower than `output`."""
    return {f"type/{key}": EntityType(f"type/{key}", t.portal_label, "output", f"Research outputs of the Pure type "
                                      f"{t.portal_label}", ("output",), key)
            for key, t in ontology.pure_types().items()}


def all_types() -> list[EntityType]:
    return [*KINDS.values(), *output_types().values()]


def find_type(type_id: str) -> EntityType | None:
    return KINDS.get(type_id) or output_types().get(type_id)


@dataclass(frozen=True)
class Property:
    id: str
    name: str
    description: str
    kinds: tuple[str, ...]  # the kinds of entity that have it
    entity_kind: str | None = None  # its values are entities of this kind (data extension gives id and name)
    in_queries: bool = True  # may constrain a reconciliation query (else: data extension only)

    def as_json(self) -> dict:
        return {"id": self.id, "name": self.name, "description": self.description}


PROPERTIES = {p.id: p for p in (
    Property("doi", "DOI", "The output's DOI, in any form (bare, doi:, https://doi.org/…); an exact DOI decides "
             "the match", ("output",)),
    Property("year", "Publication year", "The year the output was published", ("output",)),
    Property("journal", "Journal", "The journal's title or ISSN, or a reconciled journal", ("output",), "journal"),
    Property("issn", "ISSN", "A print or electronic ISSN of the journal", ("output", "journal")),
    Property("author", "Author", "An author's name (any order, initials allowed), or a reconciled person",
             ("output",), "person"),
    Property("orcid", "ORCID", "An ORCID iD, bare or as a URL: of one of the output's authors, or of the person",
             ("output", "person")),
    Property("subject", "ASJC subject", "An ASJC subject: its four-digit code or its label, or a reconciled "
             "subject", ("output",), "asjc"),
    Property("type", "Output type", "The Pure output type", ("output",), None, in_queries=False),
    Property("citations", "Citation count", "The highest citation count a source gives for the output",
             ("output",), in_queries=False),
    Property("area", "ASJC subject area", "The two-digit subject area the ASJC subject is part of", ("asjc",),
             in_queries=False),
)}


def properties_of(kind: str) -> list[Property]:
    return [p for p in PROPERTIES.values() if kind in p.kinds]
