"""Remote store benchmark: the same records and queries on the embedded store, Oxigraph Server and
Virtuoso, on this machine, in one run.

    .venv/bin/python bench/remote.py                         # 20,000 records
    .venv/bin/python bench/remote.py --records 2000 --per-kind 5

For each backend: a fresh store (a folder; `oxigraph serve`; `virtuoso-t`, both started as the
tests start them, tests/sparql_servers.py), then
  ingest   `kgpub ingest` of N synthetic Pure API records (bench/synthetic.py): records/s
  queries  bench/sparql.py's six kinds with the same parameters (drawn from the embedded store),
           through the store port as `/sparql` runs them (Store.query_engine): p50 per kind, and
           every answer must have the embedded store's count
The ratios are to the embedded store measured in the same run. Prints the table and the
issue's targets; writes bench/out/remote-N.json.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from bench import synthetic  # noqa: E402
from bench.sparql import KIND_NAMES, PREFIXES, percentile, query_text  # noqa: E402

OUT = ROOT / "bench" / "out"
BASE = "https://data.example.edu/"
TARGET_INGEST = 0.5  # remote records/s at least half the embedded store's
TARGET_KINDS = {"join": 3.0, "journal-latest": 3.0}  # on the faster remote engine, times the embedded speed
SEED = 7


def ingest(location: str, env: dict, records: Path) -> float:
    """records/s of `kgpub ingest` into the store at location."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "kgpub", "ingest", "--store", location, str(records)],
                            env={**os.environ, **env, "KGPUB_BASE": BASE}, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode not in (0, 1):
        sys.exit(f"ingest into {location} failed:\n{result.stderr[-2000:]}")
    print(f"  ingest: {result.stderr.strip().splitlines()[-1]}", file=sys.stderr)
    return seconds


def count(result) -> int:
    import pyoxigraph

    if isinstance(result, pyoxigraph.QuerySolutions):
        return sum(1 for _ in result)
    return len({(t.subject, t.predicate, t.object) for t in result})


def draw(store, args) -> dict[str, list[tuple[str, int]]]:
    """Per kind, parameters with a non-empty answer on the embedded store, and that answer's size."""
    rng = random.Random(SEED)

    def column(query: str) -> list[str]:
        return sorted(row[0].value for row in store.query(PREFIXES + query))

    records = column("SELECT ?o WHERE { ?o a ?type FILTER(STRSTARTS(STR(?o), '" + BASE + "id/output/')) }")
    pools = {"lookup": records, "construct": records, "join": records,
             "asjc-count": column("SELECT DISTINCT ?a WHERE { ?s skos:broader ?a . ?o dcterms:subject ?s }"),
             "journal-latest": column("SELECT ?j WHERE { ?j a fabio:Journal }"),
             "author-journals": column("SELECT DISTINCT ?p WHERE { ?r pro:isHeldBy ?p }")}
    drawn = {}
    for kind in KIND_NAMES:
        chosen = []
        for iri in rng.sample(pools[kind], min(len(pools[kind]), args.per_kind * 20)):
            expected = count(store.query(query_text(kind, iri)))
            if expected:
                chosen.append((iri, expected))
            if len(chosen) == args.per_kind:
                break
        drawn[kind] = chosen
    return drawn


def run_queries(store, drawn: dict) -> dict:
    """p50 ms per kind through the store's query engine; the answers' counts checked."""
    engine = store.query_engine(600.0)
    report = {}
    for kind, params in drawn.items():
        times, wrong = [], 0
        for iri, expected in params:
            started = time.perf_counter()
            got = count(engine.query(query_text(kind, iri), use_default_graph_as_union=True))
            times.append(time.perf_counter() - started)
            wrong += got != expected
        report[kind] = {"p50_ms": round(percentile(times, 50) * 1000, 2), "n": len(times), "wrong": wrong}
        print(f"  {kind}: p50 {report[kind]['p50_ms']} ms{'  WRONG ANSWERS: %d' % wrong if wrong else ''}",
              file=sys.stderr)
    return report


def bench_backend(name: str, folder: Path, records: Path, drawn_from: dict | None, args):
    """(report, parameters drawn); the embedded store draws them, the others reuse them."""
    from sparql_servers import OxigraphServer, VirtuosoServer

    from kgpub.graph.store import open_reader, open_store

    print(f"{name}:", file=sys.stderr)
    server = None
    if name == "embedded":
        location, env = str(folder / "store"), {}
    else:
        server = (OxigraphServer if name == "oxigraph-server" else VirtuosoServer)(folder)
        location, env = server.query_url, {**server.env, "KGPUB_CACHE": str(folder / "cache")}
    try:
        seconds = ingest(location, env, records)
        os.environ.update(env)
        if name == "embedded":
            writer = open_store(location)
            writer.close()
        store = open_reader(location)
        try:
            drawn = drawn_from or draw(store, args)
            queries = run_queries(store, drawn)
        finally:
            store.close()
        return {"records_per_s": round(args.records / seconds, 1), "ingest_s": round(seconds, 1),
                "queries": queries}, drawn
    finally:
        if server:
            server.stop()


def print_table(report: dict) -> None:
    names = list(report["backends"])
    base = report["backends"]["embedded"]
    print(f"\n{report['records']} records; ratio = embedded time / this backend's time (higher is faster)\n")
    print(f"| | {' | '.join(names)} |")
    print(f"|---|{'---|' * len(names)}")
    print("| ingest, records/s | " + " | ".join(
        f"{b['records_per_s']} ({b['records_per_s'] / base['records_per_s']:.2f}×)" for b in report["backends"].values())
          + " |")
    for kind in KIND_NAMES:
        cells = []
        for b in report["backends"].values():
            q = b["queries"][kind]
            ratio = base["queries"][kind]["p50_ms"] / q["p50_ms"] if q["p50_ms"] else float("inf")
            cells.append(f"{q['p50_ms']} ms ({ratio:.2f}×){' WRONG' if q['wrong'] else ''}")
        print(f"| {kind}, p50 | " + " | ".join(cells) + " |")
    print()
    for name, verdict in report["targets"].items():
        print(f"{'PASS' if verdict['pass'] else 'MISS'}  {name}: {verdict['value']}")


def targets(report: dict) -> dict:
    backends = report["backends"]
    base = backends["embedded"]
    remote = {n: b for n, b in backends.items() if n != "embedded"}
    found = {}
    for name, b in remote.items():
        ratio = b["records_per_s"] / base["records_per_s"]
        found[f"{name} ingest >= {TARGET_INGEST:.0%} of embedded"] = {"pass": ratio >= TARGET_INGEST,
                                                                      "value": f"{ratio:.2f}×"}
    for kind, wanted in TARGET_KINDS.items():
        best = max(remote, key=lambda n: base["queries"][kind]["p50_ms"] / max(remote[n]["queries"][kind]["p50_ms"], 1e-6))
        ratio = base["queries"][kind]["p50_ms"] / max(remote[best]["queries"][kind]["p50_ms"], 1e-6)
        found[f"{kind} on the faster remote engine >= {wanted}× embedded"] = {"pass": ratio >= wanted,
                                                                             "value": f"{ratio:.2f}× ({best})"}
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--per-kind", type=int, default=10, help="parameters per query kind")
    parser.add_argument("--backends", default="embedded,oxigraph-server,virtuoso")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kgpub-remote-bench-") as tmp:
        records = synthetic.write_jsonl(Path(tmp) / "records.jsonl", args.records)
        report = {"records": args.records, "backends": {}}
        drawn = None
        for name in args.backends.split(","):
            folder = Path(tmp) / name
            folder.mkdir()
            report["backends"][name], drawn = bench_backend(name, folder, records, drawn, args)
    report["targets"] = targets(report)
    (OUT / f"remote-{args.records}.json").write_text(json.dumps(report, indent=1))
    print_table(report)


if __name__ == "__main__":
    main()
