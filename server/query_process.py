"""SPARQL queries run in processes of their own, so that a query past its time can be stopped.

pyoxigraph 0.5 cannot cancel a query, and a running query holds the GIL (docs/architecture.md, "Facts"): inside the
server process nothing could even notice the time was up. So each server process keeps a few
query processes (spawned, not forked: no RocksDB state is inherited). A query process opens the
store's current snapshot read-only, runs one query at a time and sends back the finished response
body. When a query is past its time or its process has grown past the memory limit, the server
kills the process (the work stops at once, the core and the memory are free), answers 503, and
starts a fresh process in its place. How many queries a server process runs and lets wait, and
for whom, is query_pool.py's.
"""
from __future__ import annotations

import ctypes
import io
import multiprocessing
import os
import resource
import signal
import threading
import time
from dataclasses import dataclass, field

import pyoxigraph
from pyoxigraph import NamedNode, QueryResultsFormat, RdfFormat

from kgpub.graph.sparql_text import has_dataset_clause
from kgpub.graph.namespaces import EXPORT_PREFIXES
from kgpub.graph.store import open_query_reader
from kgpub.server.sparql_formats import GRAPH_FORMATS

STACK_BYTES = 256 * 1024 * 1024
CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000  # <sched.h>
NICENESS = 10
WATCH_SECONDS = 0.05
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
RESULTS_MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}
RESULTS_FORMATS = {"json": QueryResultsFormat.JSON, "xml": QueryResultsFormat.XML,
                   "csv": QueryResultsFormat.CSV, "tsv": QueryResultsFormat.TSV}


@dataclass(frozen=True)
class QueryJob:
    query: str
    default_graphs: tuple[str, ...] | None  # the protocol's default-graph-uri (None: not given)
    named_graphs: tuple[str, ...] | None  # named-graph-uri
    results_format: str | None  # for SELECT/ASK: a RESULTS_MEDIA_TYPES key, None if Accept rules all out
    graph_format: str | None  # for CONSTRUCT/DESCRIBE: a sparql_formats.GRAPH_FORMATS key, or None
    max_rows: int
    base_iri: str | None = None
    services: tuple[str, ...] = ()  # the (allowed) SERVICE endpoints it calls


@dataclass
class Answer:
    status: int
    media_type: str
    body: bytes
    form: str = ""  # select | ask | graph
    headers: dict = field(default_factory=dict)
    message: str = ""  # for errors


def run(engine, job: QueryJob) -> Answer:
    """Evaluate one job and write its response body (in the query process, or in the server for
    a remote store). `engine` is what Store.query_engine gives: a pyoxigraph store of a snapshot,
    or a remote server's queries shaped like one.

    pyoxigraph writes every body (in Rust: many times faster than building rows in Python). The
    row cap is kept by first writing SELECT results as SPARQL TSV and graphs as N-Triples, where
    each row or triple is one line (newlines in values are escaped), and stopping the writer one
    line past the cap; the other formats are converted from those lines, again by pyoxigraph."""
    result = engine.query(job.query, base_iri=job.base_iri, **_dataset(job))
    if isinstance(result, pyoxigraph.QueryBoolean):
        if job.results_format is None:
            return _not_acceptable("ask")
        out = io.BytesIO()
        result.serialize(out, RESULTS_FORMATS[job.results_format])
        return Answer(200, RESULTS_MEDIA_TYPES[job.results_format], out.getvalue(), "ask")
    if isinstance(result, pyoxigraph.QuerySolutions):
        if job.results_format is None:
            return _not_acceptable("select")
        tsv, more = _first_lines(result, QueryResultsFormat.TSV, 1 + job.max_rows)  # the header, the rows
        body = tsv if job.results_format == "tsv" else _converted_results(tsv, RESULTS_FORMATS[job.results_format])
        return Answer(200, RESULTS_MEDIA_TYPES[job.results_format], body, "select", _cap_header(more, job))
    if job.graph_format is None:
        return _not_acceptable("graph")
    fmt = GRAPH_FORMATS[job.graph_format]
    ntriples, more = _first_lines(result, RdfFormat.N_TRIPLES, job.max_rows)
    body = ntriples if fmt.rdf_format == RdfFormat.N_TRIPLES else _converted_graph(ntriples, fmt)
    return Answer(200, fmt.media_type, body, "graph", _cap_header(more, job))


class _Enough(Exception):
    """Raised from inside pyoxigraph's writer to stop it: the lines wanted are written."""


class _LineSink(io.RawIOBase):
    """Takes what pyoxigraph writes (in chunks of a few KB) until it holds more than `wanted` lines."""

    def __init__(self, wanted: int):
        super().__init__()
        self.wanted, self.lines, self.chunks = wanted, 0, []

    def writable(self) -> bool:
        return True

    def write(self, chunk) -> int:
        self.chunks.append(bytes(chunk))
        self.lines += self.chunks[-1].count(b"\n")
        if self.lines > self.wanted:
            raise _Enough()
        return len(chunk)

    def first_lines(self) -> bytes:
        text = b"".join(self.chunks)
        end = -1
        for _ in range(min(self.wanted, self.lines)):
            end = text.index(b"\n", end + 1)
        return text[:end + 1]


def _first_lines(result, line_format, wanted: int) -> tuple[bytes, bool]:
    """The result's first `wanted` lines in a line-based format, and whether there were more."""
    sink = _LineSink(wanted)
    try:
        result.serialize(sink, line_format)
    except _Enough:
        return sink.first_lines(), True
    return b"".join(sink.chunks), False


def _converted_results(tsv: bytes, results_format: QueryResultsFormat) -> bytes:
    out = io.BytesIO()
    pyoxigraph.parse_query_results(tsv, QueryResultsFormat.TSV).serialize(out, results_format)
    return out.getvalue()


def _converted_graph(ntriples: bytes, fmt) -> bytes:
    out = io.BytesIO()
    prefixes = EXPORT_PREFIXES if fmt.name in ("turtle", "trig") else None
    pyoxigraph.serialize(pyoxigraph.parse(ntriples, RdfFormat.N_TRIPLES), out, fmt.rdf_format, prefixes=prefixes)
    return out.getvalue()


def _dataset(job: QueryJob) -> dict:
    """The protocol's dataset wins over the query's FROM; with neither, the default graph is the
    union of all graphs (docs/sparql.md)."""
    if job.default_graphs is not None or job.named_graphs is not None:
        return {"default_graph": [NamedNode(g) for g in job.default_graphs or ()],  # none: empty
                "named_graphs": [NamedNode(g) for g in job.named_graphs or ()]}
    if has_dataset_clause(job.query):
        return {}
    return {"use_default_graph_as_union": True}


def _cap_header(more: bool, job: QueryJob) -> dict:
    # Virtuoso's header for a result cut at its row limit; the body is a valid, shorter result.
    return {"X-SPARQL-MaxRows": str(job.max_rows)} if more else {}


def _not_acceptable(form: str) -> Answer:
    return Answer(406, "text/plain", b"", form, message=f"none of the accepted media types can carry a {form} result")


def serve_queries(conn, store_path: str, memory_limit: int, offline: bool) -> None:
    """The query process: answer jobs from the pipe until the server goes away.

    It runs at a lower CPU priority than the server, so that documents and pages are answered
    first when queries keep the cores busy, and answers in a thread with a large stack: the
    engine's parser and planner recurse once per nesting level and per element of a long UNION
    or join chain, and a 64 KB query could otherwise overflow the usual 8 MB. Its data segment is
    capped well above the memory limit that the server watches (QueryProcess.run): should a query
    outgrow the server's watch, an allocation fails and the process ends. `offline`: no SERVICE
    endpoint is allowed, so the process leaves the network first.
    """
    if offline:
        leave_the_network()  # first: a process must still have one thread to enter a user namespace
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server; it ends us
    os.nice(NICENESS)
    data_limit = STACK_BYTES + 2 * memory_limit
    resource.setrlimit(resource.RLIMIT_DATA, (data_limit, data_limit))
    threading.stack_size(STACK_BYTES)
    answering = threading.Thread(target=_answer_jobs, args=(conn, store_path), name="kgpub-query")
    answering.start()
    answering.join()


def leave_the_network() -> bool:
    """Move this process into a network namespace of its own, which has no interface up: no
    request can leave it, whatever a query says. Behind the check of the query text
    (query_limits.py), a second wall against SERVICE. Tried as is (allowed to root), then within a
    user namespace of its own (allowed to anyone where the kernel lets users have them); where
    neither is allowed (some containers), the query process keeps the network."""
    libc = ctypes.CDLL(None, use_errno=True)
    return any(libc.unshare(flags) == 0 for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET))


def _answer_jobs(conn, store_path: str) -> None:
    reader = open_query_reader(store_path)
    try:
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):
                return
            conn.send(answer(reader.current(), job))
    finally:
        reader.close()


def answer(engine, job: QueryJob) -> Answer:
    """The job's answer, errors included (what a query process sends back)."""
    try:
        return run(engine, job)
    except SyntaxError as err:
        return Answer(400, "text/plain", b"", message=f"the query is not valid SPARQL: {err}")
    except MemoryError:
        return Answer(503, "text/plain", b"", message="the query needs more memory than a query may use here")
    except (RuntimeError, ValueError, TypeError, OSError) as err:
        if job.services:
            # What a SERVICE endpoint answered is never passed on (it could be any server's secret).
            return Answer(502, "text/plain", b"", message="the query failed; it calls SERVICE " + " ".join(
                f"<{iri}>" for iri in job.services) + ", whose answers and errors are not passed on")
        if isinstance(err, OSError):
            return Answer(500, "text/plain", b"", message=f"the store could not be read: {err}")
        return Answer(400, "text/plain", b"", message=f"the query cannot be evaluated: {err}")


class QueryStopped(Exception):
    """The query has no answer; `reason` names why (as the metrics count it)."""
    reason = "stopped"


class QueryTimeout(QueryStopped):
    """The query ran past its time limit; its process was stopped."""
    reason = "timeout"


class QueryTooExpensive(QueryStopped):
    """The query's process grew past the memory limit; it was stopped."""
    reason = "memory"


class QueryCrashed(QueryStopped):
    """The query process ended while answering (`exitcode`: negative for a signal)."""
    reason = "crashed"

    def __init__(self, exitcode: int | None):
        super().__init__(exitcode)
        self.exitcode = exitcode


class QueryProcess:
    """One query process and the server's end of its pipe."""

    context = multiprocessing.get_context("spawn")

    def __init__(self, store_path: str, memory_limit: int, offline: bool = False):
        self.store_path = store_path
        self.memory_limit = memory_limit
        self.offline = offline
        self._start()

    def _start(self) -> None:
        self.conn, child_end = self.context.Pipe()
        self.process = self.context.Process(target=serve_queries, name="kgpub-query", daemon=True,
                                            args=(child_end, self.store_path, self.memory_limit, self.offline))
        self.process.start()
        child_end.close()

    def run(self, job: QueryJob, timeout: float) -> Answer:
        """The answer; QueryTimeout, QueryTooExpensive or QueryCrashed when there is none (the
        process is then replaced by a fresh one). While waiting, the process's resident memory is
        looked at every WATCH_SECONDS: a query is stopped as soon as it outgrows the limit."""
        # An idle process never writes: anything to read now means it has ended (the OOM killer,
        # an operator's kill), which is_alive may not know yet.
        if not self.process.is_alive() or self.conn.poll(0):
            self.restart()
        self.conn.send(job)
        deadline, seen = time.monotonic() + timeout, 0
        while not self.conn.poll(min(WATCH_SECONDS, max(0.0, deadline - time.monotonic()))):
            seen = resident_bytes(self.process.pid)
            if seen > self.memory_limit:
                self.restart()
                raise QueryTooExpensive()
            if time.monotonic() >= deadline:
                self.restart()
                raise QueryTimeout()
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            self.process.join(1)
            exitcode = self.process.exitcode
            self.restart()
            if self._ran_out_of_memory(exitcode, seen):
                raise QueryTooExpensive() from None
            raise QueryCrashed(exitcode) from None

    def _ran_out_of_memory(self, exitcode: int | None, last_seen: int) -> bool:
        """An allocation past the data limit aborts the process (SIGABRT); the kernel's OOM killer
        sends SIGKILL to a big one."""
        return exitcode == -signal.SIGABRT or (exitcode == -signal.SIGKILL and last_seen > self.memory_limit // 2)

    def restart(self) -> None:
        self.stop()
        self._start()

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


def resident_bytes(pid: int) -> int:
    """A process's resident memory (Linux /proc; 0 where there is none: then only the address
    space limit of the query process holds)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE_BYTES
    except (OSError, IndexError, ValueError):
        return 0
