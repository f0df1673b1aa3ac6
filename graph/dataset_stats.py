"""Dataset statistics for the VoID description, counted while a dump streams the store.

SPARQL aggregates over a whole store of 100k records (about 9M triples) take seconds, too slow
for a request; the dump reads every quad anyway, so it counts them on the way (graph/dumps.py)
and saves the figures beside the dumps, where the server reads them.

The dataset's figures are about the union of its graphs, where each triple counts once, as the
SPARQL endpoint's default graph and the Turtle dump hold it: a journal's title written into
fifty record graphs is one triple of the dataset. The figures per named graph count that graph's
own triples. Distinct terms and triples are remembered by their 64-bit hash, not as terms: a
tenth of the memory, at a risk of a collision that miscounts by one of about 2^-64 per pair.
"""
from __future__ import annotations

import collections
from typing import Iterable, Iterator

from pyoxigraph import NamedNode, Quad

from kgpub.graph.namespaces import OWL, RDF
from kgpub.graph import iris

DOI_RESOLVER = "https://doi.org/"
# The Service Description names every vocabulary graph but at most this many record graphs: a
# list of 100k graphs would make a description of megabytes that no client reads to the end.
LISTED_RECORD_GRAPHS = 1000


class DatasetStatistics:
    """Feed it every quad once (`counting`), then read `as_dict()`."""

    def __init__(self):
        self.quads = 0
        self._triples: set[int] = set()
        self._subjects: set[int] = set()
        self._objects: set[int] = set()
        self.properties: collections.Counter[str] = collections.Counter()
        self._class_members: dict[str, set[int]] = collections.defaultdict(set)
        self.doi_links = 0
        self.graphs: collections.Counter[str] = collections.Counter()

    def counting(self, quads: Iterable[Quad]) -> Iterator[Quad]:
        """The same quads, counted as they pass (so one stream both writes a dump and counts)."""
        for quad in quads:
            self.add(quad)
            yield quad

    def add(self, quad: Quad) -> None:
        self.quads += 1
        self.graphs[_graph_name(quad.graph_name)] += 1
        triple = quad.triple
        triple_hash = hash(triple)
        if triple_hash in self._triples:
            return  # the same triple in another graph: the union has it once
        self._triples.add(triple_hash)
        subject, predicate, obj = quad.subject, quad.predicate, quad.object
        self._subjects.add(hash(subject))
        self._objects.add(hash(obj))
        self.properties[predicate.value] += 1
        if predicate == RDF.type and isinstance(obj, NamedNode):
            self._class_members[obj.value].add(hash(subject))
        elif predicate == OWL.sameAs and isinstance(obj, NamedNode) and obj.value.startswith(DOI_RESOLVER):
            self.doi_links += 1

    def as_dict(self) -> dict:
        record_graphs = sorted(g for g in self.graphs if iris.is_record_graph(g))
        listed = set(record_graphs[:LISTED_RECORD_GRAPHS])
        return {
            "triples": len(self._triples),
            "quads": self.quads,
            "distinct_subjects": len(self._subjects),
            "distinct_objects": len(self._objects),
            "classes": {c: len(members) for c, members in sorted(self._class_members.items())},
            "properties": dict(sorted(self.properties.items())),
            "doi_links": self.doi_links,
            "named_graphs": sum(1 for g in self.graphs if g),
            "record_graphs": len(record_graphs),
            "graphs": {g: n for g, n in sorted(self.graphs.items())
                       if g and (not iris.is_record_graph(g) or g in listed)},
            "default_graph_triples": self.graphs.get("", 0),
        }


def _graph_name(graph) -> str:
    """The graph's IRI; '' for the default graph (the store writes none, but a dump takes all)."""
    return graph.value if isinstance(graph, NamedNode) else ""
