"""The ingest's CPU work on every core: reading files in one process, mapping and SHACL
validation in worker processes.

The writer (graph/pipeline.py) does everything that reads or writes the store, in input order:
identity keys, merging with other sources, journals, tombstones, digests, the write. What lies
between (Record -> triples -> findings) needs nothing but the record, its key and its journal's
key, so a batch is cut into consecutive chunks, one per worker, and the writer waits for all of
them before it judges and writes the batch. `map_and_validate` is that work, the same function
in a worker and in the writer (`--jobs 1`, and batches too small to be worth shipping), so the
verdicts cannot differ.

The files are read (parsed into Records) by one reader process that runs ahead of the writer by
at most about a batch (`FileReader`): reading is sequential, and the order of the records is the
order of the report.

What crosses between processes is chosen by cost (docs/decisions.md, "Ingest on every core"):
Records go as pickles (cheap), triples come back as N-Triples bytes, since pickling pyoxigraph
terms one by one costs more than the mapping itself.

A worker that dies (killed, out of memory) breaks the pool: the batch in flight is not written,
and the run stops with `WorkerDied`. Workers die with the writer too (a thread watches it), so
a killed ingest leaves no process behind.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from pyoxigraph import NamedNode, RdfFormat, parse, serialize

from kgpub.graph.mapping import MappedRecord, map_record
from kgpub.graph.record import Problem, Record, UnreadableRecord
from kgpub.graph.validate import Finding, Validator

# A worker costs ~0.35 s of CPU to start (a fresh interpreter importing the mapping and the
# shapes), about what mapping and validating 150 records costs: smaller batches stay in the writer.
MIN_RECORDS_PER_WORKER = 75
# Less input than this is read in the writer: parsing it takes less than starting a reader.
MIN_BYTES_FOR_READER = 1_000_000
READ_CHUNK = 100  # records per message from the reader


class WorkerDied(RuntimeError):
    """A worker process ended before it answered: the batch it held was not written."""


def map_and_validate(records: list[Record], work_keys: list[str | None], journal_keys: list[str | None],
                     base: str, validator: Validator) -> list[tuple[MappedRecord | None, list[Finding]]]:
    """Each record's triples (None when it cannot be mapped: the record says why in its problems)
    and its SHACL findings. Records are judged apart, each under a graph name of its own."""
    mapped = [map_one(r, base, key, journal) for r, key, journal in zip(records, work_keys, journal_keys)]
    graphs = {f"urn:kgpub:candidate:{n}": m.triples for n, m in enumerate(mapped) if m}
    try:
        findings = validator.validate(graphs)
    except Exception:  # a validator bug must cost the record that causes it, not the batch
        findings = {name: validate_alone(validator, name, triples, records[int(name.rsplit(":", 1)[1])])
                    for name, triples in graphs.items()}
    return [(m, findings.get(f"urn:kgpub:candidate:{n}", [])) for n, m in enumerate(mapped)]


def map_one(record: Record, base: str, key: str | None, journal_key: str | None) -> MappedRecord | None:
    try:
        return map_record(record, base, key, journal_key)
    except ValueError as err:  # a value no IRI can hold (pyoxigraph checks every IRI)
        record.add_problem("record", f"a value cannot be written as RDF: {err}")
    except Exception as err:  # a mapping bug must cost one record, not the whole run
        record.add_problem("record", f"the record could not be mapped to RDF: {err!r}")
    return None


def validate_alone(validator: Validator, name: str, triples, record: Record) -> list[Finding]:
    try:
        return validator.validate({name: triples})[name]
    except Exception as err:
        record.add_problem("record", f"the record could not be validated: {err!r}")
        return []


@dataclass
class Checked:
    """One record mapped and validated in a worker, as it travels back to the writer."""

    problems: list[Problem]  # the record's problems after mapping (the mapping may add some)
    key: str | None = None
    iri: str | None = None
    graph: str | None = None
    ntriples: bytes = b""
    findings: list[Finding] | None = None

    def mapped(self) -> MappedRecord | None:
        if self.key is None:
            return None
        triples = [t for t in parse(self.ntriples, RdfFormat.N_TRIPLES)]
        return MappedRecord(self.key, NamedNode(self.iri), NamedNode(self.graph), triples)


# --- in the worker ---------------------------------------------------------------------------------

_worker: dict = {}  # the base and validator of this worker process, set when it starts


def start_worker(base: str, validator: Validator, writer_pid: int) -> None:
    _worker.update(base=base, validator=validator)
    tie_to_writer(writer_pid)


def tie_to_writer(writer_pid: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the writer's to handle: it stops its helpers
    threading.Thread(target=die_with, args=(writer_pid,), daemon=True, name="die-with-writer").start()


def die_with(writer_pid: int) -> None:
    """Orphaned workers would hold the terminal's pipes and memory forever: end when the writer has."""
    while os.getppid() == writer_pid:
        time.sleep(0.2)
    os._exit(1)


def check_chunk(records: list[Record], work_keys: list[str | None], journal_keys: list[str | None]) -> list[Checked]:
    results = map_and_validate(records, work_keys, journal_keys, _worker["base"], _worker["validator"])
    checked = []
    for record, (mapped, findings) in zip(records, results):
        if mapped is None:
            checked.append(Checked(record.problems, findings=findings))
        else:
            text = serialize(mapped.triples, format=RdfFormat.N_TRIPLES)
            checked.append(Checked(record.problems, mapped.key, mapped.iri.value, mapped.graph.value, text, findings))
    return checked


END, FAILED = b"end", b"failed:"  # the reader's last message: all read, or why it stopped


def read_files(connection, files: list[Path], format: str | None, read: Callable, writer_pid: int) -> None:
    """The reader process: every file's items in order, in pickled chunks; a file's path before
    its items (for the progress bar)."""
    tie_to_writer(writer_pid)
    try:
        chunk: list = []
        for path in files:
            chunk.append(path)
            for item in read(path, format):  # read_file catches what an importer raises, per file
                chunk.append(item)
                if len(chunk) >= READ_CHUNK:
                    connection.send_bytes(pickle.dumps(chunk, pickle.HIGHEST_PROTOCOL))
                    chunk = []
        connection.send_bytes(pickle.dumps(chunk, pickle.HIGHEST_PROTOCOL))
        connection.send_bytes(END)
    except Exception as err:  # a record that cannot be pickled, say: the writer says why it stopped
        connection.send_bytes(FAILED + repr(err).encode("utf-8", "replace"))


# --- in the writer ---------------------------------------------------------------------------------

class FileReader:
    """The files' items as the reader process sends them. A thread here takes its messages off
    the pipe as they come (a pipe holds 64 kB: without it the reader could not run ahead) into a
    queue of at most `ahead` chunks, which is what bounds the memory of read-ahead."""

    def __init__(self, files: list[Path], format: str | None, read: Callable, ahead: int):
        spawn = multiprocessing.get_context("spawn")
        receiving, sending = spawn.Pipe(duplex=False)
        self.process = spawn.Process(target=read_files, args=(sending, files, format, read, os.getpid()),
                                     daemon=True, name="kgpub-reader")
        self.process.start()
        sending.close()  # the reader holds the only sending end: its death is the end of the pipe
        self.chunks: queue.Queue[bytes | None] = queue.Queue(maxsize=ahead)
        self.stopping = False
        self.thread = threading.Thread(target=self.receive, args=(receiving,), daemon=True, name="kgpub-reader")
        self.thread.start()

    def receive(self, connection) -> None:
        with connection:
            try:
                while not self.stopping:
                    message = connection.recv_bytes()
                    self.chunks.put(message)
                    if message == END or message.startswith(FAILED):
                        return
            except (EOFError, OSError):
                self.chunks.put(None)

    def items(self) -> Iterator[Path | Record | UnreadableRecord]:
        while True:
            message = self.chunks.get()
            if message is None:
                raise WorkerDied(f"the process reading the files died ({exit_reason(self.process)})")
            if message == END:
                return
            if message.startswith(FAILED):
                raise WorkerDied(f"reading the files failed: {message.removeprefix(FAILED).decode()}")
            yield from pickle.loads(message)

    def close(self) -> None:
        self.stopping = True
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        while self.thread.is_alive():  # it may wait for room in the queue
            try:
                self.chunks.get(timeout=0.1)
            except queue.Empty:
                pass


def exit_reason(process) -> str:
    process.join(timeout=1)
    code = process.exitcode
    if code is not None and code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit status {code}"


def read_in_process(files: Iterable[Path], format: str | None, read: Callable) -> Iterator:
    for path in files:
        yield path
        yield from read(path, format)


def reader_worth_starting(jobs: int, files: list[Path]) -> bool:
    if jobs < 2:
        return False
    size = 0
    for path in files:
        try:
            size += path.stat().st_size
        except OSError:
            pass  # read_file says so, in the report
    return size >= MIN_BYTES_FOR_READER


class Workers:
    """`jobs` worker processes, started when the first batch big enough needs them. At most one
    batch is in flight: the writer needs its verdicts before it can look up the next one."""

    def __init__(self, jobs: int, base: str, validator: Validator):
        self.jobs, self.base, self.validator = jobs, base, validator
        self.pool: ProcessPoolExecutor | None = None

    def map_and_validate(self, records: list[Record], work_keys: list[str | None],
                         journal_keys: list[str | None]) -> list[tuple[MappedRecord | None, list[Finding]]]:
        if self.jobs < 2 or len(records) < 2 * MIN_RECORDS_PER_WORKER:
            return map_and_validate(records, work_keys, journal_keys, self.base, self.validator)
        size = -(-len(records) // self.jobs)
        starts = range(0, len(records), size)
        futures = [self.started().submit(check_chunk, records[s:s + size], work_keys[s:s + size],
                                         journal_keys[s:s + size]) for s in starts]
        try:
            checked = [c for future in futures for c in future.result()]
        except BrokenProcessPool:
            self.close()
            raise WorkerDied("a worker process mapping and validating records died (killed, or out of "
                             "memory?)") from None
        results = []
        for record, answer in zip(records, checked):
            record.problems = answer.problems
            results.append((answer.mapped(), answer.findings or []))
        return results

    def started(self) -> ProcessPoolExecutor:
        if self.pool is None:
            # spawn, not fork: the writer holds the store's database and its threads, which a
            # forked child must not inherit.
            self.pool = ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("spawn"),
                                            initializer=start_worker,
                                            initargs=(self.base, self.validator, os.getpid()))
        return self.pool

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
