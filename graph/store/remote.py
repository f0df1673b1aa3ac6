"""A remote store: any SPARQL 1.1 server, over the standard protocols only (sparql_http.py).

One record = one named graph, as in the embedded store, replaced whole by one request: a Graph
Store `PUT` where the server has a Graph Store endpoint, else one Update (`DROP SILENT GRAPH <g> ;
INSERT DATA { GRAPH <g> { … } }`). A server runs one request as one transaction, so a reader sees
the old graph or the new one.

What the embedded store keeps in side files lives in the remote store too, in graphs of their
own under `urn:kgpub:`, so that every kgpub machine pointed at the same store sees the same state:
  urn:kgpub:state    the version token: a new one after every write (readers' caches follow it)
  urn:kgpub:sources  the source records each work was merged from (remote_sources.py)
  urn:kgpub:graphs   the graphs kgpub wrote, which exports and dumps hold (a server has graphs
                     of its own: Virtuoso's system graphs)
  urn:kgpub:removed  record graphs removed, with when (what a search index follows)
  urn:kgpub:copies   verbatim copies of the graphs (remote_copies.py: Virtuoso changes literals)
  urn:kgpub:default  what the embedded store keeps in its default graph (Graph Store ?default)
The search index is derived data each machine keeps for itself (remote_search.py).

The server's default graph must be the union of its named graphs, as kgpub's endpoint promises
(docs/sparql.md): Virtuoso, GraphDB and Stardog query it so; Oxigraph Server needs
`--union-default-graph`; Fuseki `tdb2:unionDefaultGraph true`.

(Over 400 lines: one class, every method of the port over HTTP. What has a job of its own is beside
it: the HTTP client, copies, search cache, source records and result parsing.)
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO, Iterable, Iterator, Mapping

import pyoxigraph
import requests
from pyoxigraph import (BlankNode, Literal, NamedNode, QueryResultsFormat, RdfFormat, Triple)

from kgpub.graph import iris
from kgpub.graph.namespaces import DATACITE, DCTERMS, KGV, LITERAL, XSD
from kgpub.graph.sparql_text import IRI_REF, blanked
from kgpub.graph.store import remote_copies
from kgpub.graph.store.base import RecordStamp, Store, StoreError, output_key
from kgpub.graph.store.formats import write_quads
from kgpub.graph.store.record_updates import settle_after_update, stamped
from kgpub.graph.store.remote_results import (MEDIA, RESULTS_ACCEPT, SELECT_JSON, TimedQueries, parsed,
                                               readable)
from kgpub.graph.store.remote_search import FollowingSearch, cache_folder, stamped_graph
from kgpub.graph.store.remote_sources import RemoteSources
from kgpub.graph.store.sparql_http import Endpoints, QueryRefused, SparqlClient, StoreUnavailable
from kgpub.graph.store.updates import UpdateError, plan_update

INTERNAL = "urn:kgpub:"
STATE = NamedNode("urn:kgpub:state")
REMOVED = NamedNode("urn:kgpub:removed")
GRAPHS = NamedNode("urn:kgpub:graphs")  # the graphs kgpub wrote: the data (other graphs are the server's own)
PUBLISHED = NamedNode("urn:kgpub:published")
TRUE = Literal("true", datatype=XSD.boolean)
PUT_THREADS = 4  # Graph Store PUTs in flight at once
DEFAULT = NamedNode("urn:kgpub:default")
# Triples per Update request: Virtuoso 7 refuses an update that compiles to more than 10,000
# lines of SQL (about 1,200 triples); a graph is never split, so a bigger one needs a server that
# takes it in one update, or a Graph Store endpoint (Virtuoso has one: configure it).
UPDATE_TRIPLES = 800
READ_CHUNK = 200  # graphs per read of their digests or copies (a row each)
TRIPLES_CHUNK = 20  # graphs per read of their triples (Virtuoso answers at most 10,000 rows by default)
PAGE_ROWS = 5000  # rows per page of a long list
VERSION_SECONDS = 1.0  # a reader asks for the version token at most this often (the freshness bound)
_VERSIONS: dict[str, tuple[float, str]] = {}  # store URL -> (when asked, version token)


class RemoteStore(Store):
    def __init__(self, endpoints: Endpoints):
        self.client = SparqlClient(endpoints)
        self.location = endpoints.query
        self.sources = RemoteSources(self)

    @functools.cached_property
    def search(self) -> FollowingSearch:
        """This machine's search index, following the store (opened when first searched)."""
        return FollowingSearch(self, cache_folder(self.location))

    # --- reading ----------------------------------------------------------------------------

    def select(self, sparql: str, timeout: float | None = None) -> list[list]:
        """The rows of a SELECT, each a list of terms (None where unbound)."""
        response = self.client.query(sparql, SELECT_JSON, timeout)
        if "X-SPARQL-MaxRows" in response.headers:  # Virtuoso cut the answer: never read a part as the whole
            raise StoreError(f"the store at {self.location} cut an answer at {response.headers['X-SPARQL-MaxRows']} "
                             "rows; raise its limit (Virtuoso: ResultSetMaxRows in [SPARQL]) to 10,000 or more")
        solutions = pyoxigraph.parse_query_results(readable(response.content), QueryResultsFormat.JSON)
        names = [v.value for v in solutions.variables]
        return [[row[name] for name in names] for row in solutions]

    def graph_list(self, pattern: str) -> list[NamedNode]:
        """Every ?g matching the pattern, read a page at a time (servers cut long answers)."""
        found, offset = [], 0
        while True:
            rows = self.select(f"SELECT DISTINCT ?g WHERE {{ {pattern} }} ORDER BY ?g LIMIT {PAGE_ROWS} OFFSET {offset}")
            found += [g for (g,) in rows if isinstance(g, NamedNode)]
            if len(rows) < PAGE_ROWS:
                return found
            offset += PAGE_ROWS

    def graph_digest(self, graph: NamedNode) -> str | None:
        rows = self.select(f"SELECT ?d WHERE {{ GRAPH {graph} {{ {graph} {KGV.contentDigest} ?d }} }}")
        return rows[0][0].value if rows else None

    def graph_digests(self, graphs: list[NamedNode]) -> dict[NamedNode, str]:
        """As Store.graph_digests; a graph without its valid copy (a write that stopped between
        the graph and its copy) reads as changed (""), so that importing it again writes it whole."""
        found = {}
        for start in range(0, len(graphs), READ_CHUNK):
            rows = self.select(remote_copies.digests_query(graphs[start:start + READ_CHUNK]))
            found.update((g, d.value if copied is not None else "") for g, d, copied in rows)
        return found

    def find_outputs(self, claims: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """As Store.find_outputs, in a few queries for a whole batch of claims."""
        claims = set(claims)
        strong = self._owners(sorted({v for s, v in claims if s != "content"}),
                              f"GRAPH ?g1 {{ ?i {LITERAL.hasLiteralValue} ?v }} GRAPH ?g2 {{ ?o {DATACITE.hasIdentifier} ?i }}")
        weak = self._owners(sorted({v for s, v in claims if s == "content"}),
                            f"GRAPH ?g {{ ?o {KGV.contentKey} ?v }} "
                            f"FILTER NOT EXISTS {{ GRAPH ?h {{ ?o {DATACITE.hasIdentifier} ?x }} }}")
        found = {}
        for scheme, value in claims:
            if key := output_key((weak if scheme == "content" else strong).get(value, ())):
                found[(scheme, value)] = key
        return found

    def _owners(self, values: list[str], pattern: str) -> dict[str, set[NamedNode]]:
        owners: dict[str, set[NamedNode]] = {}
        for start in range(0, len(values), READ_CHUNK):
            literals = " ".join(str(Literal(v)) for v in values[start:start + READ_CHUNK])
            for value, owner in self.select(f"SELECT ?v ?o WHERE {{ VALUES ?v {{ {literals} }} {pattern} }}"):
                owners.setdefault(value.value, set()).add(owner)
        return owners

    def graph_triples(self, graph: NamedNode) -> list[Triple]:
        return self.graphs_triples([graph]).get(graph, [])

    def graphs_triples(self, graphs: list[NamedNode]) -> dict[NamedNode, list[Triple]]:
        """Several graphs' triples, from their verbatim copies where they are valid (remote_copies.py),
        else as the server gives them; graphs missing from the store are left out."""
        found: dict[NamedNode, list[Triple]] = {}
        for start in range(0, len(graphs), READ_CHUNK):
            rows = self.select(remote_copies.copies_query(graphs[start:start + READ_CHUNK]))
            found.update((g, remote_copies.read_copy(text.value)) for g, text in rows)
        rest = [g for g in graphs if g not in found]
        for start in range(0, len(rest), TRIPLES_CHUNK):
            values = " ".join(str(g) for g in rest[start:start + TRIPLES_CHUNK])
            for g, s, p, o in self.select(f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"):
                found.setdefault(g, []).append(Triple(s, p, o))
        return found

    def has_graph(self, graph: NamedNode) -> bool:
        return self._ask(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}")

    def _ask(self, sparql: str) -> bool:
        response = self.client.query(sparql, SELECT_JSON)
        return bool(pyoxigraph.parse_query_results(response.content, QueryResultsFormat.JSON))

    def default_graph_triples(self) -> list[Triple]:
        return self.graph_triples(DEFAULT)

    def triples(self, subject=None, predicate=None, obj=None) -> Iterator[Triple]:
        if isinstance(subject, BlankNode) or isinstance(obj, BlankNode):
            return iter(())  # a blank node cannot be named in a query to another server
        s, p, o = (str(t) if t is not None else v for t, v in ((subject, "?s"), (predicate, "?p"), (obj, "?o")))
        return iter(self._pattern(s, p, o))

    def _pattern(self, s: str, p: str, o: str) -> list[Triple]:
        variables = [v for v in (s, p, o) if v.startswith("?")] or ["?g"]
        rows = self.select(f"SELECT DISTINCT {' '.join(variables)} WHERE {{ GRAPH ?g {{ {s} {p} {o} }} "
                           f"FILTER(!STRSTARTS(STR(?g), '{INTERNAL}')) }}")
        triples = []
        for row in rows:
            bound = dict(zip(variables, row))
            terms = [bound[t] if t.startswith("?") else _term(t) for t in (s, p, o)]
            triples.append(Triple(*terms))
        return triples

    def subjects(self, predicate: NamedNode, obj) -> set[NamedNode]:
        return {t.subject for t in self.triples(None, predicate, obj)}

    def objects(self, subject: NamedNode, predicate: NamedNode) -> set:
        return {t.object for t in self.triples(subject, predicate, None)}

    def record_graph_names(self, limit: int | None = None) -> list[NamedNode]:
        """(Each record graph holds its own digest: the graphs that do are the candidates.)"""
        names = [g for g in self.graph_list(f"GRAPH ?g {{ ?g {KGV.contentDigest} ?d }}") if iris.is_record_graph(g)]
        return names[:limit] if limit is not None else names

    def record_stamps(self) -> Iterator[RecordStamp]:
        offset = 0
        while True:  # a page at a time: servers cut long answers
            rows = self.select(f"SELECT ?g ?m ?c WHERE {{ {stamped_graph('?m')} OPTIONAL {{ GRAPH ?g {{ ?g {DCTERMS.created} ?c }} }} }} "
                               f"ORDER BY ?g LIMIT {PAGE_ROWS} OFFSET {offset}")
            yield from (RecordStamp(g, m.value, c.value if c is not None else None)
                        for g, m, c in rows if isinstance(g, NamedNode) and iris.is_record_graph(g))
            if len(rows) < PAGE_ROWS:
                return
            offset += PAGE_ROWS

    def output_graphs(self) -> Iterator[tuple[NamedNode, list[Triple]]]:
        names = self.record_graph_names()
        for start in range(0, len(names), READ_CHUNK):
            chunk = names[start:start + READ_CHUNK]
            found = self.graphs_triples(chunk)
            yield from ((g, found[g]) for g in chunk if g in found)

    def query(self, sparql: str, timeout: float | None = None, params: Iterable[tuple[str, str]] = ()):
        """pyoxigraph result objects for a query the remote server answers."""
        response = self.client.query(sparql, RESULTS_ACCEPT, timeout, params=params)
        return parsed(response.headers.get("Content-Type", ""), response.content)

    def query_engine(self, timeout: float) -> TimedQueries:
        return TimedQueries(self, timeout)

    def query_to(self, sparql: str, output: BinaryIO, format: str | None) -> None:
        accept = MEDIA.get(format) if format else RESULTS_ACCEPT
        if accept is None:
            raise StoreError(f"unknown result format {format}")
        response = self.client.query(sparql, accept, stream=True)
        try:
            for chunk in response.iter_content(64 * 1024):
                output.write(chunk)
        except requests.RequestException as err:
            raise StoreUnavailable(f"the store at {self.location} stopped answering: {err}") from None

    def data_quads(self) -> Iterator[pyoxigraph.Quad]:
        """Every record and vocabulary graph's quads, read a few hundred graphs at a time (no one
        answer holds the whole store); kgpub's own graphs (urn:kgpub:) are not data and stay out."""
        names = self.graph_list(f"GRAPH {GRAPHS} {{ ?g {PUBLISHED} ?yes }}")
        for start in range(0, len(names), READ_CHUNK):
            for graph, triples in self.graphs_triples(names[start:start + READ_CHUNK]).items():
                yield from (pyoxigraph.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
        yield from (pyoxigraph.Quad(t.subject, t.predicate, t.object, pyoxigraph.DefaultGraph())
                    for t in self.default_graph_triples())

    def export(self, output: BinaryIO, format: str) -> None:
        write_quads(self.data_quads(), output, format)

    # --- the version token --------------------------------------------------------------------

    @property
    def snapshot(self) -> str:
        """The store's version token (nanoseconds of the last write), asked again at most every
        VERSION_SECONDS: what readers' caches are keyed by. Known at once in the process that
        wrote (the token is kept per store URL, for every RemoteStore of the process)."""
        now = time.monotonic()
        known = _VERSIONS.get(self.location)
        if known is None or now - known[0] >= VERSION_SECONDS:
            rows = self.select(f"SELECT ?v WHERE {{ GRAPH {STATE} {{ {STATE} {KGV.version} ?v }} }}")
            known = _VERSIONS[self.location] = (now, max((r[0].value for r in rows), key=int, default="0"))
        return known[1]

    def refresh(self) -> None:
        """Nothing to open again: every read goes to the server (the token follows by itself)."""

    def check(self, write: bool = False) -> None:
        self._ask("ASK { ?s ?p ?o }")
        if write:  # the credentials, where a server asks for them: an update that changes nothing
            self.client.update(f"DROP SILENT GRAPH <{INTERNAL}probe>")

    def _bump_version(self) -> str:
        token = str(time.time_ns())
        self.client.update(f"DROP SILENT GRAPH {STATE} ;\n"
                           f"INSERT DATA {{ GRAPH {STATE} {{ {STATE} {KGV.version} \"{token}\" }} }}")
        _VERSIONS[self.location] = (time.monotonic(), token)
        return token

    # --- writing ----------------------------------------------------------------------------

    def write_graphs(self, graphs: Mapping[NamedNode, Iterable[Triple]], stamp: bool = True) -> None:
        """Each graph replaced whole by one request: a Graph Store PUT where there is a Graph Store
        endpoint (several at a time; Virtuoso takes them 3× faster than INSERT DATA), else updates
        of at most UPDATE_TRIPLES triples. Registered as data first (an export of a graph not yet
        written holds nothing of it), old copies dropped before and new ones written after (a crash
        in between leaves the triples to be read, never a stale copy)."""
        written = {graph: list(triples) for graph, triples in graphs.items()}
        written = stamped(written, self._created_stamps(list(written))) if stamp else written
        names = list(written)
        self.replace_nodes(GRAPHS, names, [Triple(g, PUBLISHED, TRUE) for g in names])
        self._drop_copies(names)
        try:
            if self.client.endpoints.graph_store:
                with ThreadPoolExecutor(PUT_THREADS) as pool:
                    list(pool.map(lambda item: self.client.put_graph(item[0].value, _ntriples(item[1]).encode("utf-8")),
                                  written.items()))
            else:
                self._send([_replace(g, ts) for g, ts in written.items()], [len(ts) for ts in written.values()])
            self._insert(remote_copies.GRAPH, [t for g, ts in written.items() for t in remote_copies.copy_triples(g, ts)])
        finally:  # what was written is shown, also when the rest failed
            self._bump_version()

    def _created_stamps(self, graphs: list[NamedNode]) -> dict[NamedNode, Literal]:
        """When each of these graphs that exists was first written (kept when it is replaced)."""
        found = {}
        for start in range(0, len(graphs), READ_CHUNK):
            values = " ".join(str(g) for g in graphs[start:start + READ_CHUNK])
            found.update(self.select(f"SELECT ?g ?c WHERE {{ VALUES ?g {{ {values} }} "
                                     f"GRAPH ?g {{ ?g {DCTERMS.created} ?c }} }}"))
        return found

    def _drop_copies(self, graphs: list[NamedNode]) -> None:
        for start in range(0, len(graphs), READ_CHUNK):
            self.client.update(remote_copies.dropped(graphs[start:start + READ_CHUNK]))

    def _insert(self, graph: NamedNode, triples: list[Triple]) -> None:
        for start in range(0, len(triples), UPDATE_TRIPLES):
            self.client.update(f"INSERT DATA {{ GRAPH {graph} {{ {_ntriples(triples[start:start + UPDATE_TRIPLES])} }} }}")

    def _send(self, operations: list[str], sizes: list[int]) -> None:
        """Update operations sent together, at most UPDATE_TRIPLES triples a request."""
        request, size = [], 0
        for operation, triples in zip(operations, sizes):
            if request and size + triples > UPDATE_TRIPLES:
                self.client.update(" ;\n".join(request))
                request, size = [], 0
            request.append(operation)
            size += triples
        if request:
            self.client.update(" ;\n".join(request))

    def remove_graphs(self, graphs: Iterable[NamedNode]) -> None:
        graphs = list(graphs)
        if not graphs:
            return
        try:
            for start in range(0, len(graphs), READ_CHUNK):
                self.client.update(" ;\n".join(f"DROP SILENT GRAPH {g}" for g in graphs[start:start + READ_CHUNK]))
            self._note_removed(graphs)
        finally:
            self._bump_version()

    def _note_removed(self, graphs: list[NamedNode]) -> None:
        """Removed graphs: logged with the time (for the machines' search caches), no longer data."""
        now = Literal(dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(), datatype=XSD.dateTime)
        self.replace_nodes(REMOVED, graphs, [Triple(g, DCTERMS.modified, now) for g in graphs])
        self.replace_nodes(GRAPHS, graphs, [])
        self._drop_copies(graphs)

    def removed_since(self, since: str | None) -> list[tuple[NamedNode, str]]:
        after = f'FILTER(?t >= "{since}"^^{XSD.dateTime})' if since else ""
        rows = self.select(f"SELECT ?g ?t WHERE {{ GRAPH {REMOVED} {{ ?g {DCTERMS.modified} ?t }} {after} }}")
        return [(g, t.value) for g, t in rows]

    def replace_nodes(self, graph: NamedNode, nodes: list[NamedNode], triples: list[Triple]) -> None:
        """In one of kgpub's own graphs: drop what these nodes said, add these triples (about
        them), a few hundred nodes and at most UPDATE_TRIPLES triples a request."""
        about: dict[NamedNode, list[Triple]] = {node: [] for node in nodes}
        for triple in triples:
            about[triple.subject].append(triple)
        chunk: list[NamedNode] = []
        for node in about:
            if chunk and (len(chunk) >= READ_CHUNK or
                          sum(len(about[n]) for n in chunk) + len(about[node]) > UPDATE_TRIPLES):
                self.client.update(_replace_nodes(graph, chunk, [t for n in chunk for t in about[n]]))
                chunk = []
            chunk.append(node)
        if chunk:
            self.client.update(_replace_nodes(graph, chunk, [t for n in chunk for t in about[n]]))

    def write_default_graph(self, triples: Iterable[Triple], replace: bool) -> None:
        """Replaced by one Graph Store PUT where there is the endpoint, else by one update: one
        transaction either way."""
        triples = list(triples)
        if replace and self.client.endpoints.graph_store:
            self.client.put_graph(DEFAULT.value, _ntriples(triples).encode("utf-8"))
        else:  # one request, whatever its size: blank nodes must stay in one INSERT DATA
            drop = f"DROP SILENT GRAPH {DEFAULT} ;\n" if replace else ""
            self.client.update(f"{drop}INSERT DATA {{ GRAPH {DEFAULT} {{ {_ntriples(triples)} }} }}")
        self._bump_version()

    def update(self, sparql: str, using: Iterable[str] = (), using_named: Iterable[str] = (),
               base_iri: str | None = None) -> None:
        """The update sent as it came, with the protocol's dataset as the protocol's parameters;
        then the digests of the record graphs it may have changed put right, and the graphs it
        named registered as data (an update over any graph, `GRAPH ?g`, registers nothing new)."""
        plan = plan_update(sparql, (), (), base_iri)  # refuses LOAD; names the graphs it may change
        params = [("using-graph-uri", g) for g in using] + [("using-named-graph-uri", g) for g in using_named]
        named = None if plan.graphs is None else [NamedNode(g) for g in plan.graphs if not g.startswith(INTERNAL)]
        records = None if named is None else [g for g in named if iris.is_record_graph(g)]
        # The copies of what the update may change are dropped first: a copy that still counted
        # would hide the change (remote_copies.py).
        if named is None:
            self.client.update(f"DROP SILENT GRAPH {remote_copies.GRAPH}")
        else:
            self._drop_copies(named)
        try:
            self._send_update(sparql, params)
        except QueryRefused as err:
            raise UpdateError(err.detail) from None
        finally:
            self._settle(named, records)
            self._bump_version()

    def _send_update(self, sparql: str, params: list[tuple[str, str]]) -> None:
        """Virtuoso refuses `DROP GRAPH <g>` (not SILENT) for a graph that was never CREATEd, as no
        graph written by INSERT or PUT is: then the graphs it drops are checked here, and the update
        sent again with DROP SILENT (the error SPARQL asks for, a graph that is not there, stays)."""
        try:
            self.client.update(sparql, params=params, idempotent=False)
        except (QueryRefused, StoreUnavailable) as err:
            if "has not been explicitly created" not in str(err):
                raise
            silent, dropped = with_silent_drops(sparql)
            missing = [g for g in dropped if not self.has_graph(NamedNode(g))]
            if missing:
                raise UpdateError(f"there is no graph <{missing[0]}> to DROP") from None
            self.client.update(silent, params=params, idempotent=False)

    def _settle(self, named: list[NamedNode] | None, records: list[NamedNode] | None) -> None:
        """After an update: digests put right (rewritten graphs get new copies), copies of the
        graphs left as they were written again, record graphs it deleted noted as removed, the
        graphs it named registered as data."""
        _, unchanged, gone = settle_after_update(self, records)
        others = self.graphs_triples([g for g in named or () if not iris.is_record_graph(g)])
        kept = {**unchanged, **others}
        self._insert(remote_copies.GRAPH, [t for g, ts in kept.items() for t in remote_copies.copy_triples(g, ts)])
        if gone:
            self._note_removed(gone)
        present = [g for g in named or () if g not in gone and self.has_graph(g)]
        self.replace_nodes(GRAPHS, present, [Triple(g, PUBLISHED, TRUE) for g in present])

    def close(self) -> None:
        if "search" in self.__dict__:
            self.search.close()
        self.client.close()


_DROP_GRAPH = re.compile(r"\bDROP(\s+)GRAPH\b", re.IGNORECASE)
_SPACE = re.compile(r"\s*")


def with_silent_drops(sparql: str) -> tuple[str, list[str]]:
    """The update with every `DROP GRAPH` made `DROP SILENT GRAPH`, and the IRIs it drops."""
    blank, parts, dropped, last = blanked(sparql), [], [], 0
    for found in _DROP_GRAPH.finditer(blank):
        parts += [sparql[last:found.start()], f"DROP{found.group(1)}SILENT GRAPH"]
        last = found.end()
        if iri := IRI_REF.match(sparql, _SPACE.match(sparql, last).end()):
            dropped.append(iri.group(0)[1:-1])
    return "".join(parts) + sparql[last:], dropped


def _replace(graph: NamedNode, triples: list[Triple]) -> str:
    return f"DROP SILENT GRAPH {graph} ;\nINSERT DATA {{ GRAPH {graph} {{\n{_ntriples(triples)}}} }}"


def _replace_nodes(graph: NamedNode, nodes: list[NamedNode], triples: list[Triple]) -> str:
    values = " ".join(str(n) for n in nodes)
    delete = f"DELETE {{ GRAPH {graph} {{ ?n ?p ?o }} }} WHERE {{ VALUES ?n {{ {values} }} GRAPH {graph} {{ ?n ?p ?o }} }}"
    return f"{delete} ;\nINSERT DATA {{ GRAPH {graph} {{ {_ntriples(triples)} }} }}" if triples else delete


def _ntriples(triples: list[Triple]) -> str:
    return pyoxigraph.serialize(triples, format=RdfFormat.N_TRIPLES).decode("utf-8") if triples else ""


def _term(text: str):
    """A term written as in N-Triples (how str() of a pyoxigraph term reads) back to the term."""
    return next(iter(pyoxigraph.parse(f"<urn:x> <urn:x> {text} .", RdfFormat.N_TRIPLES))).object
