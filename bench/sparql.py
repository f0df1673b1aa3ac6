"""SPARQL benchmark: a query mix through `kgpub serve`'s /sparql against rdflib in-process, in one run.

    .venv/bin/python bench/sparql.py                        # 100,000 records
    .venv/bin/python bench/sparql.py --records 2000 --duration 5

Reuses the store of bench/serve.py (bench/out/store-N, `kgpub ingest` of synthetic.py's records)
and its N-Triples export. Six kinds of query, each with parameters drawn at random from the store
(records, journals, people, ASJC subject areas), so that no cache sees the same query twice in a row:
  lookup        SELECT ?p ?o of one record IRI
  construct     CONSTRUCT of one record and its #parts (roles, statuses, identifiers, counts)
  asjc-count    outputs per ASJC subject of one subject area, with the subjects' names (GROUP BY)
  journal-latest  the latest 20 outputs of a journal (dcterms:isPartOf it, ORDER BY DESC date)
  author-journals the journals of a person's outputs (role chain, then dcterms:isPartOf)
  join          outputs sharing an ASJC subject and the journal with a given output (3-way join)
Every parameter is first run on the store's snapshot with pyoxigraph in this process: that gives
the expected result count (parameters with an empty result are skipped) and the engine's own time.
Then:
  kgpub    `kgpub serve --workers 2` (gunicorn gthread, 16 threads per worker, queries in 2 killable
           query processes): per kind, sequential latency with one client (every answer must be 200
           with the expected count), then req/s with wrk (2 threads, --connections, after a warm-up);
           in wrk every answer must be 200 and carry the ETag of one of the bodies checked before.
  no-qp    `kgpub serve --no-query-processes` (queries in the request thread, no hard time limit):
           the lookup again, for what the timeout machinery costs.
  minimal  bench/minimal_sparql.py, a bare Flask + pyoxigraph app under gunicorn with the same
           workers and threads (the issue's reference point): the lookup again; and once more under
           kgpub's worker class (http_worker.py), for what reading requests whole costs.
  rdflib   every triple of the export in one rdflib Graph (the union default graph, as our endpoint
           answers), the same queries with the same parameters; slow kinds get fewer repetitions
           (a time budget per kind), and every answer must have the expected count.
Prints the table and the issue's targets (PASS/MISS); writes bench/out/sparql-N.json.
"""
from __future__ import annotations

import argparse
import gc
import http.client
import json
import math
import os
import random
import resource
import shutil
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.serve import (BASE, BIN, OUT, WORKERS, build_store, children, code_fingerprint, free_port,  # noqa: E402
                         ntriples_of, rollup_kb, start, status_kb, stop, wait_for_workers)
from bench.serve import wrk as serve_wrk  # noqa: E402

CONCURRENT_QUERIES = 2  # kgpub serve's default --concurrent-queries
TARGET_GEOMEAN = 10.0
TARGET_LOOKUP_RPS = 2500
TARGET_MACHINERY_COST = 10.0  # per cent of the lookup rate without query processes
SEED = 4

PREFIXES = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX frbr: <http://purl.org/vocab/frbr/core#>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
PREFIX pro: <http://purl.org/spar/pro/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

SELECT_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"

# name, media type asked for, query template ({iri} is the parameter)
KINDS = (
    ("lookup", SELECT_JSON, "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"),
    ("construct", NTRIPLES, """CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ <{iri}> ?p ?o BIND(<{iri}> AS ?s) }}
  UNION
  {{ <{iri}> ?link ?s FILTER(STRSTARTS(STR(?s), "{iri}#")) ?s ?p ?o }}
}}"""),
    ("asjc-count", SELECT_JSON, """SELECT ?subject ?name (COUNT(?output) AS ?outputs) WHERE {{
  ?subject skos:broader <{iri}> ; skos:prefLabel ?name .
  ?output dcterms:subject ?subject .
}} GROUP BY ?subject ?name ORDER BY DESC(?outputs)"""),
    ("journal-latest", SELECT_JSON, """SELECT ?output ?title ?date WHERE {{
  ?output dcterms:isPartOf <{iri}> ; prism:publicationDate ?date ; dcterms:title ?title .
}} ORDER BY DESC(?date) LIMIT 20"""),
    ("author-journals", SELECT_JSON, """SELECT DISTINCT ?journal ?title WHERE {{
  ?role pro:isHeldBy <{iri}> .
  ?output pro:isDocumentContextFor ?role ; dcterms:isPartOf ?journal .
  ?journal a fabio:Journal ; dcterms:title ?title .
}}"""),
    ("join", SELECT_JSON, """SELECT DISTINCT ?other ?subject WHERE {{
  <{iri}> dcterms:subject ?subject ; dcterms:isPartOf ?journal .
  ?journal a fabio:Journal .
  ?other dcterms:subject ?subject ; dcterms:isPartOf ?journal .
  FILTER(?other != <{iri}>)
}}"""),
)
KIND_NAMES = [name for name, _, _ in KINDS]

def query_text(kind: str, iri: str) -> str:
    template = next(t for name, _, t in KINDS if name == kind)
    return PREFIXES + template.format(iri=iri)


def url_of(kind: str, iri: str) -> str:
    return "/sparql?query=" + urllib.parse.quote(query_text(kind, iri), safe="")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def summary_ms(seconds: list[float]) -> dict:
    return {"n": len(seconds), "p50_ms": round(percentile(seconds, 50) * 1000, 3),
            "p99_ms": round(percentile(seconds, 99) * 1000, 3), "mean_ms": round(statistics.mean(seconds) * 1000, 3)}


# --- parameters, expected counts and the engine's own time (pyoxigraph on the snapshot) ------------

def oxigraph_count(store, query: str) -> int:
    import pyoxigraph

    result = store.query(query, use_default_graph_as_union=True)
    if isinstance(result, pyoxigraph.QuerySolutions):
        return sum(1 for _ in result)
    return len({(t.subject, t.predicate, t.object) for t in result})


def draw_parameters(store_path: Path, record_iris: list[str], args) -> dict:
    """Per kind: a list of (parameter IRI, expected count), and pyoxigraph's time for each."""
    from kgpub.graph.store.snapshots import SnapshotReader

    rng = random.Random(SEED)
    reader = SnapshotReader(store_path)
    store = reader.current()
    try:
        def column(query: str) -> list[str]:
            return sorted(row[0].value for row in store.query(PREFIXES + query, use_default_graph_as_union=True))

        people = column("SELECT DISTINCT ?p WHERE { ?r pro:isHeldBy ?p }")
        journals = column("SELECT ?j WHERE { ?j a fabio:Journal }")
        areas = column("SELECT DISTINCT ?a WHERE { ?s skos:broader ?a . ?o dcterms:subject ?s }")
        pools = {"lookup": record_iris, "construct": record_iris, "asjc-count": areas,
                 "journal-latest": journals, "author-journals": people, "join": record_iris}
        wanted = {"lookup": args.lookups, "asjc-count": args.per_kind // 2}
        params, engine = {}, {}
        for kind in KIND_NAMES:
            pool, count = pools[kind], wanted.get(kind, args.per_kind)
            candidates = (rng.choice(pool) for _ in range(count * 50)) if len(pool) < count * 2 else \
                iter(rng.sample(pool, min(len(pool), count * 50)))
            chosen, times = [], []
            for iri in candidates:
                query = query_text(kind, iri)
                started = time.perf_counter()
                expected = oxigraph_count(store, query)
                times.append(time.perf_counter() - started)
                if expected:
                    chosen.append((iri, expected))
                if len(chosen) == count:
                    break
            if not chosen:
                sys.exit(f"{kind}: no parameter gives a non-empty result")
            params[kind], engine[kind] = chosen, summary_ms(times)
            print(f"  {kind}: {len(chosen)} parameters, pyoxigraph p50 {engine[kind]['p50_ms']} ms", file=sys.stderr)
        return {"params": params, "engine": engine,
                "pools": {kind: len(pool) for kind, pool in pools.items()}}
    finally:
        reader.close()


# --- through the endpoint ----------------------------------------------------------------------

def answer_count(media_type: str, body: bytes) -> int:
    if media_type == NTRIPLES:
        return len({line for line in body.splitlines() if line.strip()})
    return len(json.loads(body)["results"]["bindings"])


def sequential(port: int, kind: str, accept: str, params: list, budget: float) -> tuple[dict, list[str], set[str]]:
    """One client, one request at a time: latencies; every answer 200 with the expected count.
    Returns the latencies, the URLs checked and the ETags of their bodies."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    urls, etags, times = [], set(), []
    try:
        for iri, _ in params[:5]:  # warm-up: the first query per worker starts its query process
            conn.request("GET", url_of(kind, iri), headers={"Accept": accept})
            conn.getresponse().read()
        deadline = time.monotonic() + budget
        for iri, expected in params:
            url = url_of(kind, iri)
            started = time.perf_counter()
            conn.request("GET", url, headers={"Accept": accept})
            response = conn.getresponse()
            body = response.read()
            times.append(time.perf_counter() - started)
            if response.status != 200:
                sys.exit(f"{kind} {iri}: status {response.status}: {body[:300]!r}")
            got = answer_count(accept, body)
            if got != expected:
                sys.exit(f"{kind} {iri}: {got} results, expected {expected}")
            urls.append(url)
            etags.add(response.getheader("ETag"))
            if time.monotonic() > deadline and len(times) >= 20:
                break
    finally:
        conn.close()
    return summary_ms(times), urls, etags


def wrk(port: int, kind: str, accept: str, urls: list[str], etags: set[str], seconds: int, connections: int,
        label: str) -> dict:
    """bench/serve.py's wrk over these URLs; every 200 must carry one of these ETags."""
    paths_file, etags_file = OUT / f"sparql-{label}-{kind}.urls", OUT / f"sparql-{label}-{kind}.etags"
    paths_file.write_text("\n".join(urls) + "\n")
    etags_file.write_text("".join(f"{etag}\n" for etag in sorted(etags)))  # none: no check
    return serve_wrk(port, accept, paths_file, seconds, connections, etags_file)


def throughput(port: int, kind: str, accept: str, urls: list[str], etags: set[str], args, label: str,
               ready) -> dict:
    wrk(port, kind, accept, urls, etags, args.warmup, args.connections, label)
    deadline = time.monotonic() + 60
    while not ready() and time.monotonic() < deadline:  # query processes start on first use
        wrk(port, kind, accept, urls, etags, 1, args.connections, label)
    load_before = float(Path("/proc/loadavg").read_text().split()[0])
    result = wrk(port, kind, accept, urls, etags, args.duration, args.connections, label)
    # With --allow-busy, 503s (every query process busy and the queue full: the server shedding load
    # as designed, when queries cost more than the connections' rate) are counted, not fatal.
    shed = result["statuses"].get("503", 0) if args.allow_busy else 0
    wrong = {status: n for status, n in result["statuses"].items()
             if status != "200" and not (status == "503" and shed)}
    if wrong or result["errors"] or result["unexpected_bodies"]:
        sys.exit(f"{label} {kind}: responses other than 200 {wrong}, socket errors {result['errors']}, "
                 f"bodies not seen in the checked pass {result['unexpected_bodies']}")
    seconds = result["duration_us"] / 1e6
    return {"rps": round((result["requests"] - shed) / seconds, 1), "shed_503": shed, "p50_ms": result["p50_us"] / 1000,
            "p99_ms": result["p99_us"] / 1000, "requests": result["requests"],
            "bytes_per_response": round(result["bytes"] / max(result["requests"], 1)), "loadavg_before": load_before}


def descendants(pid: int) -> list[int]:
    found = []
    for child in children(pid):
        found += [child] + descendants(child)
    return found


def query_processes(master: int) -> list[int]:
    """The server's query processes (multiprocessing's spawned children, not its resource tracker)."""
    found = []
    for pid in descendants(master):
        try:
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except FileNotFoundError:
            pass
    return found


def memory_mb(master: int) -> dict:
    """RSS of each process of the server (master, workers, query processes) and their total PSS."""
    pids = [master] + descendants(master)
    rss = [round(status_kb(pid, "VmRSS") / 1024) for pid in pids]
    return {"processes": len(pids), "rss_mb": rss, "total_pss_mb": round(sum(rollup_kb(p, "Pss") for p in pids) / 1024)}


def bench_endpoint(label: str, extra: list, store: Path, drawn: dict, kinds: list[str], args) -> dict:
    port = free_port()
    # wrk's requests come from many client addresses (X-Forwarded-For, serve.WRK_LUA): one client may
    # hold only its share of the query processes (server/query_pool.py), and a bench is many readers.
    command = [BIN / "kgpub", "serve", "--store", store, "--base", BASE, "--port", port, "--workers", WORKERS,
               "--threads", args.threads, "--proxy-hops", 1, *extra]
    print(f"{label}: starting", file=sys.stderr)
    process, ready_s = start(command, port, "/healthz", OUT / f"sparql-{label}-{args.records}.log")
    try:
        wait_for_workers(process.pid)
        wanted = 0 if extra else WORKERS * CONCURRENT_QUERIES  # the query processes kgpub serve starts

        def ready() -> bool:
            return len(query_processes(process.pid)) >= wanted

        results = {}
        for kind, accept, _ in KINDS:
            if kind not in kinds:
                continue
            latency, urls, etags = sequential(port, kind, accept, drawn["params"][kind], args.latency_budget)
            rate = throughput(port, kind, accept, urls, etags, args, label, ready)
            results[kind] = {"latency": latency, "throughput": rate, "distinct_urls": len(set(urls))}
            print(f"  {kind}: p50 {latency['p50_ms']} ms over {latency['n']}, {rate['rps']:,.0f} req/s "
                  f"(load average before: {rate['loadavg_before']})", file=sys.stderr)
        return {"ready_s": round(ready_s, 1), "memory_after": memory_mb(process.pid), "kinds": results}
    finally:
        stop(process)


def bench_minimal(store: Path, drawn: dict, args, worker_class: str = "gthread") -> dict:
    """bench/minimal_sparql.py under gunicorn as `kgpub serve` runs (workers, threads): the lookup.
    With gunicorn's gthread worker (the issue's reference), or with kgpub's (http_worker.py: what
    reading each request whole before a thread takes it costs)."""
    port = free_port()
    app = f"bench.minimal_sparql:create_app({str(store)!r})"
    command = [BIN / "gunicorn", "--chdir", ROOT, "--workers", WORKERS, "--threads", args.threads,
               "--worker-class", worker_class, "--bind", f"127.0.0.1:{port}", app]
    label = f"minimal ({worker_class.rsplit('.', 1)[-1]})"
    print(f"{label}: starting", file=sys.stderr)
    process, ready_s = start(command, port, "/healthz", OUT / f"sparql-minimal-{args.records}.log")
    try:
        wait_for_workers(process.pid)
        latency, urls, _ = sequential(port, "lookup", SELECT_JSON, drawn["params"]["lookup"], args.latency_budget)
        rate = throughput(port, "lookup", SELECT_JSON, urls, set(), args, "minimal", lambda: True)
        print(f"  lookup: p50 {latency['p50_ms']} ms, {rate['rps']:,.0f} req/s", file=sys.stderr)
        return {"kinds": {"lookup": {"latency": latency, "throughput": rate}}}
    finally:
        stop(process)


# --- rdflib in-process -------------------------------------------------------------------------

def bench_rdflib(ntriples: Path, drawn: dict, args) -> dict:
    import rdflib

    print("rdflib: loading", file=sys.stderr)
    started = time.perf_counter()
    graph = rdflib.Graph()
    graph.parse(str(ntriples), format="nt")
    load_s = time.perf_counter() - started
    gc.freeze()
    print(f"rdflib: {len(graph):,} triples in {load_s:.0f} s", file=sys.stderr)
    results = {}
    for kind in KIND_NAMES:
        times, deadline = [], time.monotonic() + args.rdflib_budget
        for iri, expected in drawn["params"][kind]:
            query = query_text(kind, iri)
            begun = time.perf_counter()
            result = graph.query(query)
            got = len(result.graph) if result.type == "CONSTRUCT" else sum(1 for _ in result)
            times.append(time.perf_counter() - begun)
            if got != expected:
                sys.exit(f"rdflib {kind} {iri}: {got} results, expected {expected} (pyoxigraph)")
            if time.monotonic() > deadline and len(times) >= 3:
                break
        results[kind] = summary_ms(times)
        print(f"  {kind}: p50 {results[kind]['p50_ms']} ms over {len(times)}", file=sys.stderr)
    return {"load_s": round(load_s, 1), "triples": len(graph),
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), "kinds": results}


# --- the report ----------------------------------------------------------------------------------

def verdicts(report: dict) -> dict:
    kgpub, rdf = report["kgpub"]["kinds"], report["rdflib"]
    ratios = {kind: rdf["kinds"][kind]["p50_ms"] / kgpub[kind]["latency"]["p50_ms"]
              for kind in KIND_NAMES} if rdf else {}
    geomean = math.exp(statistics.mean(math.log(r) for r in ratios.values())) if rdf else None
    lookup = kgpub["lookup"]["throughput"]["rps"]
    bare = report["no_query_processes"]["kinds"]["lookup"]["throughput"]["rps"]
    cost = (bare - lookup) / bare * 100
    minimal = report["minimal_app"]["kinds"]["lookup"]["throughput"]["rps"]
    return {
        "ratios": {kind: round(r, 1) for kind, r in ratios.items()},
        "geomean": round(geomean, 1) if rdf else None,
        "lookup_rps": lookup, "lookup_rps_without_query_processes": bare, "machinery_cost_pct": round(cost, 1),
        "lookup_rps_minimal_app": minimal,
        "lines": [
            f"geometric-mean speed-up over rdflib {geomean:.1f}x >= {TARGET_GEOMEAN:.0f}x: "
            f"{'PASS' if geomean >= TARGET_GEOMEAN else 'MISS'}" if rdf else "rdflib not measured (--no-rdflib)",
            f"lookups {lookup:,.0f}/s with {report['connections']} connections >= {TARGET_LOOKUP_RPS:,}: "
            f"{'PASS' if lookup >= TARGET_LOOKUP_RPS else 'MISS'}",
            f"timeout machinery costs {cost:.1f} % ({lookup:,.0f} vs {bare:,.0f} lookups/s without query "
            f"processes) < {TARGET_MACHINERY_COST:.0f} %: {'PASS' if cost < TARGET_MACHINERY_COST else 'MISS'}",
            f"for reference: a minimal Flask + pyoxigraph app (bench/minimal_sparql.py) {minimal:,.0f} lookups/s; "
            f"kgpub {lookup / minimal * 100:.0f} % of it",
        ],
    }


def print_table(report: dict) -> None:
    kgpub, engine, v = report["kgpub"]["kinds"], report["engine"], report["verdicts"]
    rdf = report["rdflib"]["kinds"] if report["rdflib"] else {kind: {"p50_ms": math.nan, "n": 0} for kind in KIND_NAMES}
    triples = f"{report['rdflib']['triples']:,} triples" if report["rdflib"] else "rdflib not run"
    print(f"\n{report['records']:,} records ({triples}), {WORKERS} workers × "
          f"{report['threads']} threads, wrk -t2 -c{report['connections']} -d{report['duration_s']}s after "
          f"{report['warmup_s']} s warm-up; latency: one client, sequential")
    print(f"{'kind':<16} {'kgpub p50':>10} {'p99':>9} {'n':>5} {'req/s':>8} {'rdflib p50':>11} {'n':>4} "
          f"{'ratio':>7} {'pyoxigraph p50':>15}")
    for kind in KIND_NAMES:
        k, r = kgpub[kind], rdf[kind]
        print(f"{kind:<16} {k['latency']['p50_ms']:>8.2f}ms {k['latency']['p99_ms']:>7.2f}ms {k['latency']['n']:>5} "
              f"{k['throughput']['rps']:>8,.0f} {r['p50_ms']:>9.2f}ms {r['n']:>4} "
              f"{v['ratios'].get(kind, math.nan):>6.1f}x "
              f"{engine[kind]['p50_ms']:>13.2f}ms")
    for label, key in (("lookup, no-qp", "no_query_processes"), ("lookup, minimal", "minimal_app"),
                       ("lookup, min+kgw", "minimal_app_kgpub_worker")):
        row = report[key]["kinds"]["lookup"]
        print(f"{label:<16} {row['latency']['p50_ms']:>8.2f}ms {row['latency']['p99_ms']:>7.2f}ms "
              f"{row['latency']['n']:>5} {row['throughput']['rps']:>8,.0f}")
    shed = {kind: kgpub[kind]["throughput"].get("shed_503", 0) for kind in KIND_NAMES}
    if any(shed.values()):
        print(f"answered 503 under wrk (query processes and queue full; req/s counts the 200s): {shed}")
    print("\nratio: rdflib p50 / kgpub p50 (kgpub over HTTP, rdflib in-process); pyoxigraph p50: the engine "
          "in-process on the snapshot, for reference")
    print("targets:")
    for line in v["lines"]:
        print(f"  {line}")
    for label in ("kgpub", "no_query_processes"):
        memory = report[label]["memory_after"]
        print(f"{label}: ready after {report[label]['ready_s']} s; {memory['processes']} processes, RSS MB "
              f"{memory['rss_mb']}, total PSS {memory['total_pss_mb']} MB")
    if report["rdflib"]:
        print(f"rdflib: loaded in {report['rdflib']['load_s']} s, max RSS {report['rdflib']['max_rss_mb']:,} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per kind")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of wrk warm-up before each kind")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=16, help="request threads per worker (kgpub serve --threads)")
    parser.add_argument("--lookups", type=int, default=2000, help="random records for the lookup")
    parser.add_argument("--per-kind", type=int, default=200, help="random parameters for each other kind")
    parser.add_argument("--latency-budget", type=float, default=8, help="seconds of sequential requests per kind")
    parser.add_argument("--rdflib-budget", type=float, default=20, help="seconds of rdflib queries per kind")
    parser.add_argument("--allow-busy", action="store_true",
                        help="count 503s (query processes and queue full) under wrk, not fail (bench/scale.py)")
    parser.add_argument("--no-rdflib", action="store_true",
                        help="skip rdflib (at 1M records its graph would not fit in memory; bench/scale.py)")
    args = parser.parse_args()
    # One client (wrk on loopback) asks for everything: the per-client query budget would ration
    # it after a minute of query time; this measures throughput, so it is off.
    os.environ["KGPUB_QUERY_BUDGET"] = "0"
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    store, paths, meta = build_store(args.records)
    ntriples = None if args.no_rdflib else ntriples_of(store, args.records)
    record_iris = [BASE + "id/" + path[len("/doc/"):] for path in paths]
    code = code_fingerprint()

    # Publishes the snapshot the parameters are drawn from: start a server once before.
    print("parameters (pyoxigraph on the snapshot):", file=sys.stderr)
    port = free_port()
    process, _ = start([BIN / "kgpub", "serve", "--store", store, "--base", BASE, "--port", port, "--workers", 1],
                       port, "/healthz", OUT / f"sparql-snapshot-{args.records}.log")
    stop(process)
    drawn = draw_parameters(store, record_iris, args)
    kgpub = bench_endpoint("kgpub", [], store, drawn, KIND_NAMES, args)
    bare = bench_endpoint("no-qp", ["--no-query-processes"], store, drawn, ["lookup"], args)
    minimal = bench_minimal(store, drawn, args)
    minimal_kgpub_worker = bench_minimal(store, drawn, args, "kgpub.server.http_worker.BufferingWorker")
    rdf = None if args.no_rdflib else bench_rdflib(ntriples, drawn, args)
    report = {"records": args.records, "workers": WORKERS, "threads": args.threads, "connections": args.connections,
              "duration_s": args.duration, "warmup_s": args.warmup, "cores": os.cpu_count(),
              "loadavg_end": Path("/proc/loadavg").read_text().split()[:3], "store": meta, "code": code,
              "queries": {kind: PREFIXES + template for kind, _, template in KINDS},
              "parameters": drawn["pools"], "engine": drawn["engine"],
              "kgpub": kgpub, "no_query_processes": bare, "minimal_app": minimal,
              "minimal_app_kgpub_worker": minimal_kgpub_worker, "rdflib": rdf}
    report["verdicts"] = verdicts(report)
    (OUT / f"sparql-{args.records}.json").write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)


if __name__ == "__main__":
    main()
