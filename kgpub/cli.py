"""The `kgpub` command: ingest, validate, export and query (click)."""
from __future__ import annotations

import collections
import datetime as dt
import io
import multiprocessing
import os
import shutil
import socket
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import click

from kgpub import config
from kgpub.graph import exports, importers, iris, sources
from kgpub.graph.record import PartialDate
from kgpub.graph.store import StoreError, StoreLocked, StoreUnavailable, is_remote, open_store, storage_problem, version
from kgpub.graph.store.base import EXPORT_FORMATS, RESULT_FORMATS
from kgpub.run_output import (WarningGroups, count_progress, err_console, file_progress, print_rejection,
                              print_summary, report_writer)
from kgpub.reports import journals, persons
from kgpub.warm import warm
from kgpub.store_options import StoreProblem, must_exist, opened_store, store_option
# The bulk loader leaves the database in many files; after this many records written, one
# compaction (about 20 s per 100k records) makes every later read faster.
OPTIMIZE_AFTER = 10_000


def _checked_base(ctx, param, value: str) -> str:
    try:
        return config.normalise_base(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None


base_option = click.option(
    "--base", default=config.default_base, callback=_checked_base,
    show_default="$KGPUB_BASE or http://localhost:8080/", help="Base IRI that record IRIs are minted under.")


@click.group()
@click.version_option(package_name="kgpub")
def cli():
    """Publish research outputs as Linked Data: ingest, validate, export, query, serve."""


cli.add_command(journals)
cli.add_command(persons)
cli.add_command(warm)


def main() -> None:
    """The `kgpub` command. Bad input and usage are handled where they occur; anything else is a
    bug or a broken machine, reported in one line (KGPUB_DEBUG=1 shows the traceback)."""
    try:
        cli()
    except Exception as err:
        if os.environ.get("KGPUB_DEBUG"):
            raise
        if isinstance(err, StoreError):  # a remote store refusing or gone mid-command: said, exit 2
            err_console.print(f"kgpub: {err}", highlight=False, markup=False, soft_wrap=True)
            sys.exit(2)
        if problem := storage_problem(err):  # the machine's to fix, not a bug: exit 2, one line
            where = f" ({err.filename})" if getattr(err, "filename", None) else ""
            err_console.print(f"kgpub: {problem}{where}: {err}. What was stored before is intact; fix it and run "
                              "again.", highlight=False, markup=False, soft_wrap=True)
            sys.exit(2)
        err_console.print(f"kgpub: unexpected error: {err!r}. Run again with KGPUB_DEBUG=1 to see where.",
                          highlight=False, markup=False)
        sys.exit(3)


def parse_harvest_date(ctx, param, value: str | None) -> PartialDate | None:
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-24") from None
    return PartialDate(day.year, day.month, day.day)


def _source_priority(value: str | None) -> tuple[str, ...]:
    try:
        return sources.priority(value)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--source-priority") from None


class WorkerProblem(click.ClickException):
    """A worker process of the ingest died (killed, out of memory): said in one line, exit 3."""
    exit_code = 3


def run_records(store, base, paths, format, report, harvest_date, verb,
                source_priority: tuple[str, ...] | None = None, batch_size: int | None = None,
                jobs: int = 1) -> collections.Counter:
    from kgpub.graph.ingest_workers import WorkerDied
    from kgpub.graph.pipeline import Ingest

    files = list(_source_files([Path(p) for p in paths]))
    ingest = Ingest(store, base, harvest_date=harvest_date, source_priority=source_priority, batch_size=batch_size,
                    jobs=jobs)
    counts, warned = collections.Counter(), WarningGroups()
    with file_progress(len(files), verb) as progress, report_writer(report) as write_row:
        try:
            for outcome in ingest.run(files, format=format, on_file=progress.next_file):
                progress.count_record()
                counts[outcome.status] += 1
                counts["warnings"] += bool(outcome.warnings)
                counts["merged"] += outcome.merged
                warned.add(outcome)
                write_row(outcome.as_dict())
                if outcome.status == "rejected":
                    print_rejection(outcome)
        except StoreUnavailable as err:
            print_summary(counts)
            raise StoreProblem(
                f"{err}. The records counted above are stored; the batch in flight may be in part. Run the "
                "same command again when the store is back: what is stored is found unchanged, the rest is "
                "stored, nothing twice.") from None
        except WorkerDied as err:
            print_summary(counts)
            raise WorkerProblem(
                f"{err}. The records counted above are stored, the batch in flight is not. Run the same "
                "command again: what is stored is found unchanged, the rest is stored.") from None
    warned.print()
    print_summary(counts)
    return counts


def _source_files(paths):
    from kgpub.graph.pipeline import source_files

    for path in paths:
        if not path.exists():
            raise click.BadParameter(f"{path} does not exist", param_hint="PATH")
    return source_files(paths)


format_option = click.option(
    "--format", "format", type=click.Choice([i.name for i in importers.IMPORTERS]),
    help="Source format; detected from the suffix or content when not given.")
report_option = click.option("--report", type=click.Path(dir_okay=False),
                             help="Write a JSON report with one object per record.")
priority_option = click.option(
    "--source-priority", callback=lambda ctx, param, value: _source_priority(value),
    help="Formats whose fields win when sources of one work are merged, first to last, e.g. "
         "'crossref,pure-json' (the rest keep the default order: " + ", ".join(sources.DEFAULT_PRIORITY) + ").")
harvest_option = click.option(
    "--harvest-date", callback=parse_harvest_date,
    help="Date the citation counts were harvested (default: each source file's modification date).")


@cli.command()
@store_option
@base_option
@format_option
@report_option
@harvest_option
@priority_option
@click.option("--batch-size", type=click.IntRange(1, 100_000), show_default="2000",
              help="Records validated and written together. A batch is one journaled write: a run that is "
                   "stopped loses at most the batch in flight; smaller batches use less memory, larger ones "
                   "load faster.")
@click.option("--jobs", type=click.IntRange(1, 64), default=os.cpu_count() or 1, show_default="the number of cores",
              help="Worker processes mapping and validating records (and one reading the files, for a large "
                   "input); this process alone writes the store. Same outcomes with any number.")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def ingest(store_dir, base, format, report, harvest_date, source_priority, batch_size, jobs, paths):
    """Read records from files or folders, validate them and store the valid ones; a record of a
    work already stored (same DOI, Pure UUID or content key) is merged with it (docs/sources.md)."""
    with opened_store(store_dir, create=True) as store:
        counts = run_records(store, base, paths, format, report, harvest_date, "ingesting", source_priority,
                             batch_size, jobs)
        if counts["stored"] + counts["updated"] >= OPTIMIZE_AFTER and not is_remote(store_dir):
            err_console.print("compacting the store after a large load…", highlight=False)
            started = time.monotonic()
            store.optimize()
            err_console.print(f"compacted in {time.monotonic() - started:,.0f} s", highlight=False)
    sys.exit(1 if counts["rejected"] else 0)


@cli.command()
@base_option
@format_option
@report_option
@harvest_option
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def validate(base, format, report, harvest_date, paths):
    """Check records as ingest would, storing nothing."""
    counts = run_records(None, base, paths, format, report, harvest_date, "validating")
    sys.exit(1 if counts["rejected"] else 0)


@cli.command()
@store_option
@base_option
@click.option("--format", "format", type=click.Choice(EXPORT_FORMATS + exports.FORMATS), default="nquads",
              show_default=True, help="An RDF format (everything, vocabularies included), or a reference "
                                      "manager's (the published records, as the pages' \"Cite this\" writes them).")
@click.option("--iri", help="Only this record (its IRI or its key); bibtex, ris and csl-json only.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: standard output).")
def export(store_dir, base, format, iri, output):
    """Write the store's records in an RDF format, or as BibTeX, RIS or CSL-JSON."""
    if iri and format not in exports.FORMATS:
        raise click.UsageError(f"--iri goes with --format {', '.join(exports.FORMATS)}")
    with opened_store(store_dir) as store, _binary_output(output) as stream:
        if format in EXPORT_FORMATS:
            return store.export(stream, format)
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="\n", write_through=True)
        record = iris.output(base, iris.output_key(base, iri)).value if iri else None
        try:
            with count_progress(f"writing {format}") as on_written:
                count = exports.export(store, base, format, text, record, _print_skipped, on_written)
        except exports.ExportError as err:
            raise click.UsageError(str(err)) from None
        text.flush()
        text.detach()
        err_console.print(f"{count} records written as {format}", highlight=False)


def _print_skipped(iri: str, why: str) -> None:
    err_console.print(f"skipped {iri}: {why}", highlight=False, markup=False, soft_wrap=True)


@cli.command()
@store_option
def dump(store_dir):
    """Write the dumps the server offers (N-Quads, Turtle, JSON-LD, gzipped) and the VoID figures."""
    from kgpub.graph import dumps

    must_exist(store_dir)
    try:
        folder = dumps.dump_store(store_dir)
    except dumps.DumpError as err:
        raise click.UsageError(str(err)) from None
    manifest = dumps.published(store_dir).manifest
    for entry in manifest["files"]:
        err_console.print(f"{folder / entry['file']}  {entry['bytes']} bytes  sha256 {entry['sha256']}",
                          highlight=False, markup=False, soft_wrap=True)


@cli.command()
@store_option
@click.option("--format", "format", type=click.Choice(RESULT_FORMATS),
              help="Result format (default: json for SELECT/ASK, turtle for CONSTRUCT/DESCRIBE).")
@click.argument("sparql")
def query(store_dir, format, sparql):
    """Run a SPARQL query over the union of all record graphs."""
    with opened_store(store_dir) as store, _binary_output(None) as stream:
        try:
            store.query_to(sparql, stream, format)
        except StoreUnavailable as err:
            raise StoreProblem(str(err)) from None
        except StoreError as err:  # the query's fault
            raise click.UsageError(str(err)) from None


@cli.command()
@store_option
@base_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=os.cpu_count() or 2, show_default="the number of cores",
              type=click.IntRange(1, 64), help="Worker processes.")
@click.option("--threads", default=16, show_default=True, type=click.IntRange(2, 256),
              help="Request threads per worker; SPARQL queries use at most --concurrent-queries of them "
                   "running and as many waiting, the rest serve documents and pages.")
@click.option("--concurrent-queries", type=click.IntRange(1, 64), show_default="$KGPUB_CONCURRENT_QUERIES or 2",
              help="SPARQL queries a worker runs at once, each in a query process of its own.")
@click.option("--query-timeout", type=click.FloatRange(0.1, 3600), show_default="$KGPUB_QUERY_TIMEOUT or 30",
              help="Seconds a SPARQL query may run before it is stopped (503).")
@click.option("--query-processes/--no-query-processes", default=True, hidden=True,
              help="Run SPARQL queries in killable processes (without: no time or memory limit; for benchmarks).")
@click.option("--proxy-hops", type=click.IntRange(0, 10), show_default="$KGPUB_PROXY_HOPS or 0",
              help="Reverse proxies in front of the server whose X-Forwarded-For and X-Forwarded-Proto to "
                   "believe (docs/deploying.md).")
@click.option("--access-log", is_flag=True, help="Log every request to standard error.")
def serve(store_dir, base, host, port, workers, threads, concurrent_queries, query_timeout, query_processes,
          proxy_hops, access_log):
    """Serve the store as Linked Data: documents, pages, search, SPARQL (gunicorn)."""
    import tempfile

    from kgpub.server import settings as server_settings

    location = store_dir if is_remote(store_dir) else str(Path(store_dir).resolve())
    config = server_settings.resolve({"STORE": location, "BASE": base,
                                      "QUERY_TIMEOUT": query_timeout, "CONCURRENT_QUERIES": concurrent_queries,
                                      "PROXY_HOPS": proxy_hops}, workers=workers)
    concurrent, queue = config["CONCURRENT_QUERIES"], config["QUERY_QUEUE"]
    if threads <= concurrent + queue:
        raise click.BadParameter(f"with {concurrent} concurrent queries and {queue} waiting, a worker needs more "
                                 f"than {concurrent + queue} threads, or documents could wait behind queries",
                                 param_hint="--threads")
    if not query_processes:
        config["CONCURRENT_QUERIES"] = 0
    must_be_free(host, port)
    if is_remote(store_dir):
        with opened_store(store_dir):
            pass  # reachable, credentials right: said before the server starts
    else:
        _publish_snapshot(store_dir)
    # One folder per server, shared by its workers: the metrics (set before they are defined,
    # server/metrics.py) and the clients' query time (server/query_budget.py).
    run_dir = Path(tempfile.mkdtemp(prefix="kgpub-serve-"))
    config["RUN_DIR"] = str(run_dir)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(run_dir / "metrics")
    (run_dir / "metrics").mkdir()
    from kgpub.server.wsgi import serve as run_server

    err_console.print(f"kgpub: serving {store_dir} as {base} on http://{host}:{port}/ with {workers} workers",
                      highlight=False, markup=False, soft_wrap=True)
    try:
        run_server(config, host, port, workers, threads, access_log)
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


class CannotServe(click.ClickException):
    """The server cannot start where it was asked to: said in one line, exit 2."""
    exit_code = 2


def must_be_free(host: str, port: int) -> None:
    """Fail at once when the address is taken (gunicorn would retry for seconds, logging each try)."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds: TIME_WAIT is free
            probe.bind((host, port))
    except OSError as err:
        raise CannotServe(f"cannot listen on {host}:{port}: {err.strerror or err} (another server is using it? "
                          "choose another with --port)") from None


def _publish_snapshot(store_dir: str) -> None:
    """Readers need a snapshot; opening the store for writing publishes one (and finishes any
    interrupted write). If an ingest holds the store, or the store cannot be written (a read-only
    copy), its last snapshot is the one to serve."""
    must_exist(store_dir)
    # In a process of its own: RocksDB state left in the gunicorn master would be inherited by
    # every forked worker and crash it at exit.
    spawn = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(1, mp_context=spawn) as pool:
            pool.submit(_open_and_close, store_dir).result()
    except StoreLocked:
        if version(store_dir) is None:
            raise StoreProblem(f"the store at {store_dir} is being written and has no snapshot yet; "
                               "try again when the first batch is in") from None
    except StoreError as err:
        if version(store_dir) is None:
            raise StoreProblem(f"{err}, and it has no snapshot to serve") from None


def _open_and_close(store_dir: str) -> None:
    store = open_store(store_dir)
    try:
        store.publish_snapshot()
    finally:
        store.close()


@cli.command()
@store_option
@base_option
@click.option("--reason", required=True, help="Why it is withdrawn; shown on its 410 Gone page.")
@click.argument("record")
def withdraw(store_dir, base, reason, record):
    """Take a record down: its IRI answers 410 Gone with the reason from now on."""
    from kgpub.graph import lifecycle

    with opened_store(store_dir, writes=True) as store:
        try:
            stone = lifecycle.withdraw(store, base, iris.output_key(base, record), reason)
        except lifecycle.LifecycleError as err:
            raise click.UsageError(str(err)) from None
    err_console.print(f"withdrawn: {stone.iri}", highlight=False, markup=False)


@cli.command()
@store_option
@base_option
@click.argument("duplicate")
@click.argument("survivor")
def merge(store_dir, base, duplicate, survivor):
    """Fold DUPLICATE into SURVIVOR: the duplicate's IRI answers 301 to the survivor's."""
    from kgpub.graph import lifecycle

    with opened_store(store_dir, writes=True) as store:
        try:
            stone = lifecycle.merge(store, base, iris.output_key(base, duplicate), iris.output_key(base, survivor))
        except lifecycle.LifecycleError as err:
            raise click.UsageError(str(err)) from None
    err_console.print(f"merged: {stone.iri} -> {stone.replaced_by}", highlight=False, markup=False)


@contextmanager
def _binary_output(path: str | None):
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    try:
        stream = open(path, "wb")
    except OSError as err:
        raise click.BadParameter(f"cannot write {path}: {err.strerror}", param_hint="--output") from None
    with stream:
        yield stream
