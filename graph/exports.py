"""Records out of the store for reference managers: `kgpub export --format bibtex|ris|csl-json`
(the whole store, or `--iri` for one record) and the server's "Cite this" downloads. Both build
a record's CSL-JSON item here (csl.py) and write it with bibformats.py."""
from __future__ import annotations

import json
from itertools import islice
from typing import Callable, Iterable, Iterator, TextIO

from pyoxigraph import NamedNode, Triple

from kgpub.graph import bibformats, csl, iris, lifecycle
from kgpub.graph.namespaces import RDFS, SKOS
from kgpub.graph.record_reader import read_record
from kgpub.graph.store import Store

FORMATS = ("bibtex", "ris", "csl-json")
CHUNK = 500  # records converted at a time: the whole store is never one string in memory
LABELS = (RDFS.label, SKOS.prefLabel)


class ExportError(Exception):
    pass


def csl_item(triples: list[Triple], labels: list[Triple], iri: str) -> dict:
    """The CSL-JSON item of a record's graph, with the labels of what it points to (type names)."""
    return csl.csl_item(read_record(triples + labels, iri))


def write_file(items: Iterable[dict], fmt: str) -> str:
    """One file of these items (the "Cite this" downloads: a single record)."""
    return {"bibtex": bibformats.to_bibtex, "ris": bibformats.to_ris, "csl-json": bibformats.to_csl_json}[fmt](items)


def export(store: Store, base: str, fmt: str, out: TextIO, iri: str | None = None,
           on_skip: Callable[[str, str], None] = lambda iri, why: None,
           on_written: Callable[[int], None] = lambda count: None) -> int:
    """Write the store's published records (or the one record `iri`) to `out`; the count.
    `on_written` hears the running count after each part (for a progress display)."""
    buried = lifecycle.tombstones(store, base)  # withdrawn and merged records: one read
    items = _items(store, [iri] if iri else None, buried, on_skip)
    if iri is not None:
        found = list(items)
        if not found:
            raise ExportError(f"there is no published record {iri} in the store")
        items = iter(found)
    count, used_keys, first = 0, set(), True
    out.write("[\n" if fmt == "csl-json" else "")
    while chunk := list(islice(items, CHUNK)):
        if fmt == "bibtex":
            out.write(bibformats.to_bibtex(chunk, used_keys))
        elif fmt == "ris":
            out.write(bibformats.to_ris(chunk))
        else:
            out.write(("" if first else ",\n") + ",\n".join(json.dumps(i, ensure_ascii=False, indent=2) for i in chunk))
        count, first = count + len(chunk), False
        on_written(count)
    out.write("\n]\n" if fmt == "csl-json" else "")
    return count


def _items(store: Store, records: list[str] | None, buried: dict, on_skip) -> Iterator[dict]:
    graphs = ((iris.graph_of_output(i), None) for i in records) if records else store.output_graphs()
    labels: dict[NamedNode, list[Triple]] = {}
    for graph, triples in graphs:
        iri = iris.output_of_graph(graph).value
        triples = triples if triples is not None else store.graph_triples(graph)
        if not triples or iri in buried:
            continue  # withdrawn and merged records are not cited
        try:
            yield csl_item(triples, _labels(store, triples, labels), iri)
        except ValueError as err:
            on_skip(iri, str(err))


def _labels(store: Store, triples: list[Triple], cache: dict) -> list[Triple]:
    found = []
    for target in {t.object for t in triples if isinstance(t.object, NamedNode)} - {t.subject for t in triples}:
        if target not in cache:
            if len(cache) > 10_000:  # people and journals are many; vocabulary terms few
                cache.clear()
            cache[target] = [t for t in store.triples(target) if t.predicate in LABELS]
        found += cache[target]
    return found
