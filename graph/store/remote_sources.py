"""The source records of every work (graph/sources.py), kept in the remote store itself, in the
graph urn:kgpub:sources, so that every kgpub machine writing to the store merges the same way.

One node per (work key, format) with two literals: the work key (what lookups match) and the row
as JSON (format, location, imported, digest, record), compressed (remote_copies.pack): fewer
and shorter literals make the writes faster, Virtuoso spending its time per triple and per byte. Ingest asks for the rows of a whole batch of works in a few
queries (`prefetch`) instead of two queries per record.
"""
from __future__ import annotations

import json
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, Triple

from kgpub.graph import record_json
from kgpub.graph.namespaces import KGV
from kgpub.graph.record import Derivation, Record
from kgpub.graph.sources import derivation_of, record_digest, record_text
from kgpub.graph.store.remote_copies import pack, unpack

GRAPH = NamedNode("urn:kgpub:sources")
KEY, ROW = KGV.sourceKey, KGV.sourceRow
KEYS_PER_QUERY = 200


class RemoteSources:
    def __init__(self, store):
        self.store = store
        self._rows: dict[str, dict[str, dict]] = {}  # work key -> format -> row, for prefetched keys

    def prefetch(self, keys) -> None:
        """Read the rows of these works now, in a few queries (ingest does, for each batch)."""
        self._rows = {}  # what another machine wrote since is read again; memory stays one batch's
        wanted = sorted({k for k in keys if k is not None})
        for start in range(0, len(wanted), KEYS_PER_QUERY):
            chunk = wanted[start:start + KEYS_PER_QUERY]
            for key in chunk:
                self._rows[key] = {}
            for row in self._select(chunk):
                self._rows[row["key"]][row["format"]] = row

    def _select(self, keys: list[str]) -> list[dict]:
        values = " ".join(str(Literal(k)) for k in keys)
        rows = self.store.select(f"SELECT ?key ?row WHERE {{ VALUES ?key {{ {values} }} GRAPH {GRAPH} "
                                 f"{{ ?n {KEY} ?key ; {ROW} ?row }} }}")
        return [{"key": key.value, **json.loads(unpack(row.value))} for key, row in rows]

    def _of_key(self, key: str) -> dict[str, dict]:
        if key not in self._rows:
            self.prefetch([key])
        return self._rows[key]

    def of(self, key: str) -> list[tuple[Record, Derivation]]:
        rows = sorted(self._of_key(key).values(), key=lambda r: r["format"])
        return [(record_json.loads(r["record"]), Derivation(r["format"], r["location"], r["imported"])) for r in rows]

    def derivation(self, key: str, record: Record) -> Derivation:
        row = self._of_key(key).get(record.source.format)
        unchanged = row is not None and row["digest"] == record_digest(record_text(record))
        return derivation_of(record, row["imported"] if unchanged else None)

    def keep(self, items: list[tuple[str, Record, Derivation]]) -> None:
        """Replace the rows of these (work, format) pairs, in one request."""
        nodes, triples = [], []
        for key, record, derivation in items:
            text = record_text(record)
            row = {"format": derivation.format, "location": derivation.location,
                   "imported": derivation.imported, "digest": record_digest(text), "record": text}
            node = NamedNode(f"urn:kgpub:source:{quote(key, safe='')}:{quote(derivation.format, safe='')}")
            nodes.append(node)
            triples += [Triple(node, KEY, Literal(key)), Triple(node, ROW, Literal(pack(json.dumps(row, ensure_ascii=False))))]
            self._rows.setdefault(key, {})[derivation.format] = {"key": key, **row}
        self.store.replace_nodes(GRAPH, nodes, triples)

    def close(self) -> None:
        self._rows.clear()
