"""A `kgpub ingest` that dies mid-write, as in a power cut (SIGKILL, at each moment of writing a
batch: tests/crash_ingest.py): every record is wholly as it was or wholly new, the search index
and the record copies agree with the records, nothing stored before is touched, and running the
same ingest again finishes the job."""
from __future__ import annotations

import os
import subprocess
import sys

import pyoxigraph
import pytest
from pyoxigraph import NamedNode, RdfFormat

from bench import synthetic
from conftest import BASE, REPO, SEED, Cli
from kgpub.graph import iris, search
from kgpub.graph.search import SearchIndex

BATCH = "20"  # records per batch: the second batch is the one that dies
# The times of a run (when the store wrote a graph, first and last; when a source was imported) and the content
# digest, which covers the import time: two runs never share them.
RUN_TIMES = ("<http://purl.org/dc/terms/modified>", "<http://purl.org/dc/terms/created>", "<http://www.w3.org/ns/prov#generatedAtTime>",
             "<https://w3id.org/kgpub/ns#contentDigest>")


def graphs_of(cli: Cli) -> dict[str, set[str]]:
    """The store's N-Quads, graph IRI -> its lines, without the times of the run (RUN_TIMES)."""
    graphs: dict[str, set[str]] = {}
    for line in cli("export", "--format", "nquads").stdout.splitlines():
        if not any(predicate in line for predicate in RUN_TIMES):
            graphs.setdefault(line.rsplit(" ", 2)[-2], set()).add(line)
    return graphs


def crashed_ingest(cli: Cli, moment: str, *args: str) -> None:
    env = {**os.environ, "KGPUB_STORE": str(cli.store), "KGPUB_BASE": BASE}
    run = subprocess.run([sys.executable, str(REPO / "tests" / "crash_ingest.py"), moment, "ingest",
                          "--batch-size", BATCH, *args], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == -9, f"the ingest did not die at {moment}: exit {run.returncode}\n{run.stderr[-2000:]}"


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    return synthetic.write_jsonl(tmp_path_factory.mktemp("records") / "many.jsonl", 50)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """What a clean, uninterrupted ingest with the given arguments stores, made once per arguments."""
    made = {}

    def stored_by(*ingest_args: str) -> dict[str, set[str]]:
        if ingest_args not in made:
            clean = Cli(tmp_path_factory.mktemp("reference") / "store")
            clean("ingest", *ingest_args)
            made[ingest_args] = graphs_of(clean)
        return made[ingest_args]
    return stored_by


def searched_titles(cli: Cli) -> dict[str, str]:
    """Output IRI -> the title the search index holds for it (the store is opened first, so recovered)."""
    cli("query", "ASK {}")
    with SearchIndex(cli.store / "kgpub" / "search.sqlite") as index:
        return {hit.iri: hit.title for hit in index.search("", limit=100).hits}


def stored_titles(graphs: dict[str, set[str]]) -> dict[str, str]:
    """Output IRI -> the title its record graph gives the search index (graph/search.py, extract)."""
    found = {}
    for graph, lines in graphs.items():
        if iris.is_record_graph(graph):
            triples = [q.triple for q in pyoxigraph.parse("\n".join(lines), RdfFormat.N_QUADS)]
            record = search.extract(NamedNode(graph.strip("<>")), triples)
            found[record.iri] = record.title
    return found


MOMENTS = ["journaled", "removing", "loading", "indexing", "committing"]


@pytest.mark.parametrize("moment", MOMENTS)
def test_a_run_killed_while_replacing_records_leaves_each_wholly_old_or_wholly_new(cli, many, reference, moment):
    cli("ingest", "--harvest-date", "2026-01-01", str(many))
    old = graphs_of(cli)
    # A new harvest date changes every record, so every graph of every batch is replaced.
    crashed_ingest(cli, moment, "--harvest-date", "2026-02-02", str(many))

    after = graphs_of(cli)  # opening the store recovers
    new = reference("--harvest-date", "2026-02-02", str(many))
    assert after.keys() == old.keys()
    states = {graph: "old" if lines == old[graph] else "new" if lines == new[graph] else "mixed"
              for graph, lines in after.items() if iris.is_record_graph(graph)}
    assert sorted(states.values()) == ["new"] * 20 + ["old"] * 30, "the first batch is new, the rest old"
    assert searched_titles(cli) == stored_titles(after)
    cli("ingest", "--batch-size", BATCH, "--harvest-date", "2026-02-02", str(many))  # simply run it again
    assert graphs_of(cli) == new


@pytest.mark.parametrize("moment", ["journaled", "loading", "indexing", "committing"])
def test_a_run_killed_while_adding_records_loses_only_the_unfinished_ones(cli, many, reference, moment):
    cli.ingest(SEED)
    before = graphs_of(cli)
    crashed_ingest(cli, moment, str(many))

    after = graphs_of(cli)
    complete = reference(str(SEED), str(many))
    assert all(lines == complete[graph] for graph, lines in after.items()), "every graph left is whole"
    assert all(after[graph] == lines for graph, lines in before.items()), "what was stored before is untouched"
    assert len(after) - len(before) == 20, "the first batch is in, the second not"
    assert searched_titles(cli) == stored_titles(after)
    cli("ingest", str(many))
    assert graphs_of(cli) == complete
