"""Serving benchmark: record documents from `kgpub serve` against a naive rdflib server, in one run.

    .venv/bin/python bench/serve.py                      # 100,000 records, 10 s per workload
    .venv/bin/python bench/serve.py --records 2000 --duration 5

Builds (or reuses, under bench/out/) a store of N synthetic records with `kgpub ingest`, makes
its record pages with `kgpub warm` (unless --cold), then measures with wrk (2 threads, 8
connections, after a warm-up) these workloads:
  turtle-one   one record document, Accept: text/turtle
  html-one     the same document as HTML
  turtle-rand  a random record document of the whole store per request, as Turtle
  html-rand    the same as HTML (a miss in the workers' response cache; the page is found made)
  static       kgpub's stylesheet (/static/kgpub.css): what every request pays, and a file
against
  floor  - a bare Flask app answering every path with a constant 10 kB body, under the same
           gunicorn settings as `kgpub serve` (its worker class, 2 workers, 16 threads): what a
           request costs before it does anything (issue 16's targets are shares of it);
  kgpub  - `kgpub serve --workers 2 --threads 16` over the store;
  naive  - a minimal Flask app under the same gunicorn settings that holds every triple (from
           `kgpub export --format ntriples`) in one rdflib Graph, loaded once in the master and
           shared copy-on-write by the workers (--preload; a copy per worker would not fit), and
           answers with a SPARQL DESCRIBE of the record and its #parts (authors), as Turtle or as
           a plain HTML table.
Any response other than 200 fails the run. Prints req/s, p50/p99 latency, the ratio, the
issue's targets (PASS/MISS), load times and memory; writes bench/out/serve-N.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent
BASE = "https://data.example.edu/"
WORKERS = 2
THREADS = 16  # `kgpub serve`'s default, given to the floor app too
TARGET_RPS = 2000
TARGET_RATIO = 5.0
WORKLOADS = (  # name, Accept, which paths (a key of the paths files)
    ("turtle-one", "text/turtle", "one"),
    ("html-one", "text/html", "one"),
    ("turtle-rand", "text/turtle", "all"),
    ("html-rand", "text/html", "all"),
)
STATIC = ("static", "text/css", "static")  # kgpub's own stylesheet: what every request pays, and a file
FLOOR = ("floor", "text/turtle", "floor")  # the bare app: a constant 10 kB body for any path
# Issue 16's targets, against the floor measured in the same run: (workload, req/s, share of the floor).
FLOOR_TARGETS = (("html-rand", 1000, 0.20), ("turtle-rand", 0, 0.50), ("static", 0, 0.80))  # 0: no req/s target here

# One script for every workload: a random path from a file (a file of one path for the fixed
# workloads), and a count of the response statuses, so that a 3xx fails the run as well as a 4xx/5xx.
# With a file of ETags (bench/sparql.py), every 200 must also carry one of them: the bodies checked
# in a sequential pass are then the only ones served. An empty file checks nothing.
WRK_LUA = """
local paths, etags, check_etags = {}, {}, false
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
for line in io.lines("%(etags)s") do etags[line] = true; check_etags = true end
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  statuses, unexpected = {}, 0
  math.randomseed(os.time() * 100 + id)  -- each thread its own sequence
end
-- Each request from a client address of its own (10.x.y.z), for a server behind --proxy-hops 1
-- (bench/sparql.py): one wrk is many readers, not one client holding every query process.
-- (wrk.format's headers replace wrk.headers, the -H ones: they are copied in.)
function request()
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["X-Forwarded-For"] = string.format("10.%%d.%%d.%%d", id, math.random(0, 255), math.random(1, 254))
  return wrk.format("GET", paths[math.random(#paths)], headers)
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if check_etags and status == 200 and not etags[headers["ETag"] or headers["etag"] or ""] then
    unexpected = unexpected + 1
  end
end
function done(summary, latency, requests)
  local counts, wrong = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do counts[tostring(status)] = (counts[tostring(status)] or 0) + n end
    wrong = wrong + thread:get("unexpected")
  end
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %%d, "duration_us": %%d, "bytes": %%d, "p50_us": %%d, ' ..
    '"p99_us": %%d, "errors": %%d, "unexpected_bodies": %%d, "statuses": {', summary.requests, summary.duration,
    summary.bytes, latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.timeout, wrong))
  local sep = ""
  for status, n in pairs(counts) do io.write(string.format('%%s"%%s": %%d', sep, status, n)); sep = ", " end
  io.write("}}\\n")
end
"""


# --- the store, cached by record count ---------------------------------------------------------

def build_store(count: int) -> tuple[Path, list[str], dict]:
    """The store of `count` synthetic records and its record document paths, built once."""
    from bench import synthetic

    folder = OUT / f"store-{count}"
    paths_file, meta_file = OUT / f"paths-{count}.txt", OUT / f"store-{count}.json"
    if meta_file.exists() and paths_file.exists() and folder.is_dir():
        return folder, paths_file.read_text().split(), json.loads(meta_file.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    OUT.mkdir(parents=True, exist_ok=True)
    corpus, report = OUT / f"records-{count}.jsonl", OUT / f"ingest-{count}.json"
    synthetic.write_jsonl(corpus, count)
    started = time.perf_counter()
    run([BIN / "kgpub", "ingest", "--store", folder, "--base", BASE, "--report", report, corpus])
    ingest_s = time.perf_counter() - started
    paths = [row["iri"].replace(BASE + "id/", "/doc/") for row in json.loads(report.read_text())
             if row["status"] in ("stored", "updated", "unchanged")]
    if len(paths) != count:
        sys.exit(f"only {len(paths)} of {count} records were stored; see {report}")
    paths_file.write_text("\n".join(paths) + "\n")
    meta = {"records": count, "ingest_s": round(ingest_s, 1)}
    meta_file.write_text(json.dumps(meta))
    return folder, paths, meta


def ntriples_of(store: Path, count: int) -> Path:
    """Everything in the store as N-Triples, for the naive server (before kgpub serves it)."""
    path = OUT / f"store-{count}.nt"
    if not path.exists():
        run([BIN / "kgpub", "export", "--store", store, "--format", "ntriples", "-o", f"{path}.part"])
        os.replace(f"{path}.part", path)
    return path


def run(command: list) -> None:
    result = subprocess.run([str(part) for part in command], stdout=subprocess.DEVNULL)
    if result.returncode != 0:
        sys.exit(f"{Path(str(command[0])).name} {command[1]} failed with exit status {result.returncode}")


# --- the servers ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(command: list, port: int, probe: str, log: Path) -> tuple[subprocess.Popen, float]:
    """Start a server in its own process group; the seconds until it first answers `probe` with 200."""
    started = time.perf_counter()
    process = subprocess.Popen([str(part) for part in command], stdout=log.open("wb"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}{probe}"
    while True:
        if process.poll() is not None:
            sys.exit(f"the server exited with status {process.returncode}; see {log}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return process, time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_for_workers(master: int, seconds: float = 20) -> None:
    """The first answer can come before the last worker is forked: memory is read once all are up."""
    deadline = time.monotonic() + seconds
    while len(children(master)) < WORKERS and time.monotonic() < deadline:
        time.sleep(0.2)


def memory_mb(master: int) -> dict:
    """RSS of the gunicorn master and each worker, and their total PSS (shared pages counted once)."""
    pids = [master] + children(master)
    rss = {str(pid): round(status_kb(pid, "VmRSS") / 1024) for pid in pids}
    pss = sum(rollup_kb(pid, "Pss") for pid in pids) / 1024
    return {"rss_mb": rss, "total_pss_mb": round(pss)}


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def rollup_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


# --- measuring ---------------------------------------------------------------------------------

def wrk(port: int, accept: str, paths_file: Path, seconds: int, connections: int,
        etags_file: Path | None = None) -> dict:
    """wrk with WRK_LUA over the paths in paths_file; its RESULT line, parsed."""
    if etags_file is None:
        etags_file = paths_file.with_suffix(".no-etags")
        etags_file.write_text("")
    script = paths_file.with_suffix(".lua")
    script.write_text(WRK_LUA % {"paths": paths_file, "etags": etags_file})
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "60s",
               "-H", f"Accept: {accept}", "-s", str(script), f"http://127.0.0.1:{port}/"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next((ln for ln in output.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        sys.exit(f"wrk printed no result:\n{output}")
    return json.loads(line[len("RESULT "):])


def measure(port: int, paths: dict, args, workloads=WORKLOADS) -> dict:
    results = {}
    for name, accept, which in workloads:
        paths_file = paths[which]
        wrk(port, accept, paths_file, args.warmup, args.connections)
        load_before = float(Path("/proc/loadavg").read_text().split()[0])  # others using the cores show here
        result = wrk(port, accept, paths_file, args.duration, args.connections)
        wrong = {status: n for status, n in result["statuses"].items() if status != "200"}
        if wrong or result["errors"]:
            sys.exit(f"{name} on port {port}: responses other than 200 {wrong}, socket errors {result['errors']}")
        seconds = result["duration_us"] / 1e6
        results[name] = {"rps": round(result["requests"] / seconds, 1), "p50_ms": result["p50_us"] / 1000,
                         "p99_ms": result["p99_us"] / 1000, "requests": result["requests"],
                         "bytes_per_response": round(result["bytes"] / max(result["requests"], 1)),
                         "loadavg_before": load_before}
        print(f"  {name}: {results[name]['rps']:,.0f} req/s (load average before: {load_before})", file=sys.stderr)
    return results


def bench_server(label: str, command: list, port: int, paths: dict, probe: str, args, workloads=WORKLOADS) -> dict:
    print(f"{label}: starting", file=sys.stderr)
    process, load_s = start(command, port, probe, OUT / f"{label}-{args.records}.log")
    try:
        print(f"{label}: answering after {load_s:.1f} s", file=sys.stderr)
        wait_for_workers(process.pid)
        memory_loaded = memory_mb(process.pid)
        results = measure(port, paths, args, workloads)
        return {"load_s": round(load_s, 1), "memory_loaded": memory_loaded, "memory_after": memory_mb(process.pid),
                "workloads": results}
    finally:
        stop(process)


# --- the naive server (this script, run by itself under gunicorn) --------------------------------

def naive_app(ntriples: str, base: str):
    """Every triple in one rdflib Graph; a record document is a DESCRIBE of the record and its parts."""
    import gc
    from html import escape

    import rdflib
    from flask import Flask, Response, abort, request

    graph = rdflib.Graph()
    graph.parse(ntriples, format="nt")
    gc.freeze()  # the graph is shared with the forked workers: keep the collector off its pages
    app = Flask("naive")

    @app.get("/doc/output/<key>")
    def document(key: str):
        stem, _, suffix = key.partition(".")
        iri = f"{base}id/output/{stem}"
        result = graph.query(f'DESCRIBE <{iri}> ?part WHERE {{ <{iri}> ?p ?part '
                             f'FILTER(STRSTARTS(STR(?part), "{iri}#")) }}')
        if not len(result.graph):
            abort(404)
        if suffix == "html" or (not suffix and "text/html" in request.headers.get("Accept", "")):
            rows = "".join(f"<tr><td>{escape(s)}</td><td>{escape(p)}</td><td>{escape(o)}</td></tr>"
                           for s, p, o in sorted(result.graph))
            return Response(f"<!doctype html><title>{escape(iri)}</title><table>{rows}</table>",
                            mimetype="text/html")
        return Response(result.serialize(format="turtle"), mimetype="text/turtle")

    return app


def serve_naive(ntriples: str, port: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Naive(BaseApplication):
        def load_config(self):
            # The same settings as `kgpub serve` (server/wsgi.py), plus preload for the shared graph.
            for name, value in {"bind": f"127.0.0.1:{port}", "workers": WORKERS, "worker_class": "gthread",
                                "threads": 1, "keepalive": 5, "timeout": 120, "preload_app": True,
                                "proc_name": "naive"}.items():
                self.cfg.set(name, value)

        def load(self):
            return naive_app(ntriples, BASE)

    Naive().run()


# --- the floor: what gunicorn and Flask cost before any work (issue 16) ------------------------------

def floor_app():
    from flask import Flask, Response

    app, body = Flask("floor"), b"x" * 10240

    @app.route("/", defaults={"path": ""})
    @app.route("/<path:path>")
    def any_path(path: str):
        return Response(body, mimetype="text/turtle")

    return app


def serve_floor(port: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Floor(BaseApplication):
        def load_config(self):
            # `kgpub serve`'s settings (server/wsgi.py): its worker class, workers and threads.
            for name, value in {"bind": f"127.0.0.1:{port}", "workers": WORKERS, "threads": THREADS,
                                "worker_class": "kgpub.server.http_worker.BufferingWorker", "keepalive": 5,
                                "timeout": 60, "proc_name": "floor"}.items():
                self.cfg.set(name, value)

        def load(self):
            return floor_app()

    Floor().run()


def warm_pages(store: Path) -> dict:
    """`kgpub warm`: every record page made before the run (what `html-rand` then measures is a
    response-cache miss that finds its page made); its time, as the cost of making them."""
    started = time.perf_counter()
    run([BIN / "kgpub", "warm", "--store", store, "--base", BASE])
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 1)}


def code_fingerprint() -> dict:
    """Which server code was measured: the commit, and a digest of the working tree's Python
    (others may be changing it between runs)."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted([*(ROOT / "server").rglob("*.py"), *(ROOT / "graph").rglob("*.py")]):
        digest.update(path.read_bytes())
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return {"commit": head.stdout.strip(), "python_sha256": digest.hexdigest()[:16]}


# --- the report ----------------------------------------------------------------------------------

def print_table(report: dict) -> None:
    kgpub, naive = report["kgpub"]["workloads"], report["naive"]["workloads"]
    floor = report["floor"]["workloads"]["floor"]["rps"]
    print(f"\n{report['records']:,} records, {args_line(report)}")
    print(f"{'workload':<12} {'kgpub req/s':>11} {'p50':>8} {'p99':>8} {'of floor':>9} {'naive req/s':>11} "
          f"{'p50':>8} {'p99':>8} {'ratio':>7} {'bytes k/n':>13}")
    for name, *_ in (*WORKLOADS, STATIC):
        k, n = kgpub[name], naive.get(name)
        against = (f"{n['rps']:>11,.0f} {n['p50_ms']:>6.1f}ms {n['p99_ms']:>6.1f}ms {k['rps'] / n['rps']:>6.1f}x "
                   f"{k['bytes_per_response']:>6}/{n['bytes_per_response']:<6}" if n else f"{'-':>11}")
        print(f"{name:<12} {k['rps']:>11,.0f} {k['p50_ms']:>6.1f}ms {k['p99_ms']:>6.1f}ms {k['rps'] / floor:>8.0%} "
              f"{against}")
    print(f"{'floor':<12} {floor:>11,.0f}   (a bare Flask app, a constant 10 kB body, the same gunicorn settings)")
    print("\ntargets (wrk shares the 2 cores with the servers):")
    for name, lines in report["targets"].items():
        for line in lines:
            print(f"  {name}: {line}")
    for label in ("kgpub", "naive"):
        server = report[label]
        print(f"{label}: answering after {server['load_s']} s; RSS MB (master, workers) loaded "
              f"{server['memory_loaded']['rss_mb']}, after {server['memory_after']['rss_mb']}; total PSS "
              f"{server['memory_after']['total_pss_mb']} MB")
    print(f"ingest of the store: {report['store']['ingest_s']} s (cached runs reuse it); "
          f"kgpub warm: {report['warm']}")


def args_line(report: dict) -> str:
    return (f"{report['workers']} workers, wrk -t2 -c{report['connections']} -d{report['duration_s']}s "
            f"after {report['warmup_s']} s warm-up")


def targets(kgpub: dict, naive: dict, floor: float) -> dict:
    verdicts = {}
    for name in ("turtle-one", "turtle-rand"):
        rps, ratio = kgpub[name]["rps"], kgpub[name]["rps"] / naive[name]["rps"]
        verdicts[name] = [f"{rps:,.0f} req/s >= {TARGET_RPS:,}: {'PASS' if rps >= TARGET_RPS else 'MISS'}",
                          f"{ratio:.1f}x naive >= {TARGET_RATIO:.0f}x: {'PASS' if ratio >= TARGET_RATIO else 'MISS'}"]
    for name, rps_target, share_target in FLOOR_TARGETS:
        rps, share = kgpub[name]["rps"], kgpub[name]["rps"] / floor
        lines = verdicts.setdefault(name, [])
        if rps_target:
            lines.append(f"{rps:,.0f} req/s >= {rps_target:,}: {'PASS' if rps >= rps_target else 'MISS'}")
        lines.append(f"{share:.0%} of the floor >= {share_target:.0%}: {'PASS' if share >= share_target else 'MISS'}")
    return verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per workload")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up before each workload")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--cold", action="store_true", help="do not make the record pages first (kgpub warm)")
    parser.add_argument("--naive-server", nargs=2, metavar=("NTRIPLES", "PORT"), help=argparse.SUPPRESS)
    parser.add_argument("--floor-server", metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.naive_server:
        serve_naive(args.naive_server[0], int(args.naive_server[1]))
        return
    if args.floor_server:
        serve_floor(int(args.floor_server))
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed")
    store, all_paths, meta = build_store(args.records)
    ntriples = ntriples_of(store, args.records)
    one = all_paths[len(all_paths) // 2]
    paths = {"all": OUT / f"paths-{args.records}.txt", "one": OUT / f"one-{args.records}.txt",
             "static": OUT / "static.txt", "floor": OUT / "floor.txt"}
    paths["one"].write_text(one + "\n")
    paths["static"].write_text("/static/kgpub.css\n")
    paths["floor"].write_text("/doc/output/x\n")
    code = code_fingerprint()
    warm = {"skipped": True} if args.cold else warm_pages(store)
    port = free_port()
    floor = bench_server("floor", [sys.executable, __file__, "--floor-server", port], port, paths, "/", args, (FLOOR,))
    port = free_port()
    kgpub = bench_server("kgpub", [BIN / "kgpub", "serve", "--store", store, "--base", BASE, "--port", port,
                                   "--workers", WORKERS, "--threads", THREADS], port, paths, one, args,
                         (*WORKLOADS, STATIC))
    port = free_port()
    naive = bench_server("naive", [sys.executable, __file__, "--naive-server", ntriples, port], port, paths, one, args)
    report = {"records": args.records, "workers": WORKERS, "connections": args.connections,
              "duration_s": args.duration, "warmup_s": args.warmup, "cores": os.cpu_count(),
              "store": meta, "code": code, "warm": warm, "floor": floor,
              "kgpub": kgpub, "naive": naive,
              "targets": targets(kgpub["workloads"], naive["workloads"], floor["workloads"]["floor"]["rps"])}
    (OUT / f"serve-{args.records}.json").write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)


if __name__ == "__main__":
    main()
