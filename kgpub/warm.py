"""`kgpub warm`: make every record page before anyone asks (server/page_cache.py).

A record page is made the first time it is asked for (~15 ms: four citation styles, the view,
the template) and kept for every later request on this machine, and so is each citation at its own
URL (/cite/output/{key}/{style}). After a large ingest, `warm` makes
them all at once, in a process per core, by asking the app itself for each page, exactly as a
browser would: the pages kept are the ones the server would make. Pages already made are found,
not made again, so warming twice costs a lookup per record.
"""
from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

import click

from kgpub import config
from kgpub.run_output import count_progress, err_console
from kgpub.store_options import must_exist, store_option

CHUNK = 200  # records per task: enough to amortise a task, few enough to keep every process busy
_client = None  # each warming process's app, made once (initializer)


def _start(settings: dict) -> None:
    global _client
    from kgpub.server.app import create_app

    _client = create_app(settings).test_client()


def _warm(keys: list[str]) -> int:
    """Asks for each record's page and its citations (the page formats them: asked right after,
    they are found in this process's memory); how many pages answered 200 (a record removed
    meanwhile does not)."""
    from kgpub.graph.cite import STYLES

    answered = 0
    for key in keys:
        if _client.get(f"/doc/output/{key}", headers={"Accept": "text/html"}).status_code == 200:
            answered += 1
            _client.get(f"/doc/output/{key}", headers={"Accept": "text/turtle"})  # its Link header, kept too
            for style in STYLES:
                _client.get(f"/cite/output/{key}/{style}")
    return answered


def record_keys(store_dir: str, base: str) -> list[str]:
    """Every record's key, from the store as the server reads it (its published snapshot)."""
    from kgpub.graph import iris
    from kgpub.graph.store import open_reader

    store = open_reader(store_dir)
    try:
        outputs = [iris.output_of_graph(graph).value for graph in store.record_graph_names()]
    finally:
        store.close()
    # Pages asked under another base would all be 404s: warming would make none and say little.
    foreign = [output for output in outputs if iris.stem_of(base, output) is None]
    if foreign:
        raise click.BadParameter(f"{len(foreign):,} of the store's {len(outputs):,} records are not under {base} "
                                 f"(one is {foreign[0]}): give the base the records were minted under, as "
                                 "`kgpub serve` is given it", param_hint="--base")
    return [iris.output_key(base, output) for output in outputs]


@click.command()
@store_option
@click.option("--base", default=config.default_base, show_default="$KGPUB_BASE or http://localhost:8080/",
              help="Base IRI the store's records were minted under (as `kgpub serve` is given it).")
@click.option("--jobs", type=click.IntRange(1, 64), default=os.cpu_count() or 1, show_default="the number of cores",
              help="Processes making pages.")
def warm(store_dir, base, jobs):
    """Make every record page now, so that none is made while a reader waits (kept on this machine)."""
    must_exist(store_dir)
    settings = {"STORE": store_dir, "BASE": config.normalise_base(base)}
    keys = record_keys(store_dir, settings["BASE"])
    chunks = [keys[start:start + CHUNK] for start in range(0, len(keys), CHUNK)]
    started, done = time.perf_counter(), 0
    spawn = multiprocessing.get_context("spawn")  # no store state inherited from this process
    with count_progress("warming pages") as progress, \
            ProcessPoolExecutor(jobs, mp_context=spawn, initializer=_start, initargs=(settings,)) as pool:
        for answered in pool.map(_warm, chunks):
            done += answered
            progress(done)
    seconds = time.perf_counter() - started
    err_console.print(f"{done:,} record pages ready in {seconds:.1f} s ({done / max(seconds, 1e-9):,.0f} pages/s, "
                      f"{jobs} processes)", highlight=False)
