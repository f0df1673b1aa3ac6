"""Load benchmark: `kgpub serve` under mixed load, heavy queries, slow clients and memory-hungry
queries, each against a baseline of cheap requests measured in the same run.

    .venv/bin/python bench/load.py                       # 20,000 records, 60 s of mixed load
    .venv/bin/python bench/load.py --records 2000 --duration 10

One server (`kgpub serve --workers 2 --proxy-hops 1`, defaults otherwise) over the store of
bench/serve.py (bench/out/store-N). Each request carries an X-Forwarded-For from a pool of
clients, so that the per-client query budget rations each client as it would behind a proxy.
Experiments, in order:
  baseline     cheap requests alone: random record documents as Turtle, wrk -t2 -c8
  mixed        64 connections for --duration s: documents (Turtle, HTML), the home page, search,
               SPARQL lookups and /healthz, from 64 clients; every answer must be 2xx or 3xx
  heavy        8 clients looping cartesian-product queries (each runs to the time limit) while
               the baseline's cheap requests run again: their p99 against the target
  slow         200 connections sending their headers a byte a second while the baseline runs
  memory       two concurrent cartesian products sorted at random (every row held): the peak
               memory of the server's processes in all (their PSS), query processes included
Prints a table with each experiment's req/s, p50, p99 and errors, the ratio to the baseline and
the targets (PASS/MISS); writes bench/out/load-N.json.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.serve import (BASE, BIN, OUT, build_store, code_fingerprint, free_port, rollup_kb, start,  # noqa: E402
                         stop, wait_for_workers, wrk)

TARGET_P99_MS = 200
TARGET_MEMORY_MB = 4096
CARTESIAN_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
CARTESIAN_SORT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY RAND() LIMIT 1"
LOOKUP = "SELECT ?p ?o WHERE { <%s> ?p ?o }"

# The mixed load: each request one of these kinds, by weight, from one of 64 clients.
MIXED_LUA = """
local docs, lookups, words = {}, {}, {"climate", "policy", "protein", "market", "quantum", "water"}
for line in io.lines("%(docs)s") do docs[#docs + 1] = line end
for line in io.lines("%(lookups)s") do lookups[#lookups + 1] = line end
local threads = {}
function setup(thread) table.insert(threads, thread); thread:set("id", #threads) end
function init(args) statuses = {}; math.randomseed(os.time() * 100 + id) end
function request()
  local client = "198.51.100." .. math.random(64)
  local kind = math.random(100)
  local path, accept = docs[math.random(#docs)], "text/turtle"
  if kind <= 35 then accept = "text/turtle"
  elseif kind <= 55 then accept = "text/html"
  elseif kind <= 65 then path = "/"; accept = "text/html"
  elseif kind <= 75 then path = "/search?q=" .. words[math.random(#words)]; accept = "text/html"
  elseif kind <= 95 then path = lookups[math.random(#lookups)]; accept = "application/sparql-results+json"
  else path = "/healthz"; accept = "text/plain" end
  return wrk.format("GET", path, {["Accept"] = accept, ["X-Forwarded-For"] = client})
end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do counts[tostring(status)] = (counts[tostring(status)] or 0) + n end
  end
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %%d, "duration_us": %%d, "bytes": %%d, "p50_us": %%d, ' ..
    '"p99_us": %%d, "errors": %%d, "unexpected_bodies": 0, "statuses": {', summary.requests, summary.duration,
    summary.bytes, latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.timeout))
  local sep = ""
  for status, n in pairs(counts) do io.write(string.format('%%s"%%s": %%d', sep, status, n)); sep = ", " end
  io.write("}}\\n")
end
"""


def summary(result: dict) -> dict:
    seconds = result["duration_us"] / 1e6
    bad = sum(n for status, n in result["statuses"].items() if not status.startswith(("2", "3")))
    return {"requests": result["requests"], "rps": round(result["requests"] / seconds, 1),
            "p50_ms": result["p50_us"] / 1000, "p99_ms": result["p99_us"] / 1000,
            "errors": bad + result["errors"], "statuses": result["statuses"]}


def cheap(port: int, paths_file: Path, args) -> dict:
    return summary(wrk(port, "text/turtle", paths_file, args.cheap_duration, 8))


def mixed(port: int, paths_file: Path, record_iris: list[str], args) -> dict:
    lookups = OUT / f"lookups-{args.records}.txt"
    lookups.write_text("".join("/sparql?query=" + urllib.parse.quote(LOOKUP % iri) + "\n"
                               for iri in random.Random(4).sample(record_iris, min(2000, len(record_iris)))))
    script = OUT / f"mixed-{args.records}.lua"
    script.write_text(MIXED_LUA % {"docs": paths_file, "lookups": lookups})
    command = ["wrk", "-t2", "-c64", f"-d{args.duration}s", "--latency", "--timeout", "30s", "-s", str(script),
               f"http://127.0.0.1:{port}/"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in output.splitlines() if ln.startswith("RESULT "))
    return summary(json.loads(line[len("RESULT "):]))


class Heavy:
    """Clients looping a query, each from its own address; counts the answers by status."""

    def __init__(self, port: int, query: str, clients: int):
        self.url, self.query, self.stopping = f"http://127.0.0.1:{port}/sparql", query, False
        self.statuses: dict[str, int] = {}
        self.threads = [threading.Thread(target=self._loop, args=(n,), daemon=True) for n in range(clients)]

    def _loop(self, n: int) -> None:
        session = requests.Session()
        while not self.stopping:
            try:
                answer = session.get(self.url, params={"query": self.query}, timeout=120,
                                     headers={"X-Forwarded-For": f"203.0.113.{n + 1}"}).status_code
            except requests.RequestException as err:
                answer = type(err).__name__
            self.statuses[str(answer)] = self.statuses.get(str(answer), 0) + 1

    def __enter__(self) -> Heavy:
        for thread in self.threads:
            thread.start()
        time.sleep(2)  # let them fill the query processes
        return self

    def __exit__(self, *exc) -> None:
        self.stopping = True


class SlowClients:
    """Connections that send a request head a byte a second and never finish it; one the server
    answers (408 when it is too slow, 429 past the 32 per worker) is opened again."""

    def __init__(self, port: int, count: int):
        self.port, self.count, self.stopping, self.sockets = port, count, False, []
        self.dripper = threading.Thread(target=self._drip, daemon=True)

    def _drip(self) -> None:
        while not self.stopping:
            for index, sock in enumerate(self.sockets):
                try:
                    sock.send(b"X")
                except OSError:  # answered 408 and closed: open another, as an attacker would
                    self.sockets[index] = self._open()
            time.sleep(1)

    def _open(self) -> socket.socket:
        # From another loopback address than the measured requests: a client of its own (the
        # server lets 32 requests a worker arrive slowly from one client, and refuses the rest).
        sock = socket.create_connection(("127.0.0.1", self.port), source_address=("127.0.0.2", 0))
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        return sock

    def __enter__(self) -> SlowClients:
        self.sockets = [self._open() for _ in range(self.count)]
        self.dripper.start()
        time.sleep(2)
        return self

    def __exit__(self, *exc) -> None:
        self.stopping = True
        self.dripper.join()
        for sock in self.sockets:
            sock.close()


def tree_memory_mb(master: int) -> float:
    """The memory of the server's processes in all: the sum of their PSS (proportional set size:
    a page several processes share counted once, split between them). Their RSS would count the
    pages of the store's files that both workers map once for each."""
    pids = [master]
    for pid in pids:  # grows as children are found
        try:
            for task in Path(f"/proc/{pid}/task").iterdir():
                pids += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            pass
    total = 0
    for pid in pids:
        try:
            total += rollup_kb(pid, "Pss")
        except OSError:  # ended meanwhile (a query process stopped at the limit)
            pass
    return total / 1024


def memory(port: int, master: int) -> dict:
    idle = tree_memory_mb(master)
    answers: list[int] = []
    threads = [threading.Thread(target=lambda n=n: answers.append(requests.get(
        f"http://127.0.0.1:{port}/sparql", params={"query": CARTESIAN_SORT}, timeout=120,
        headers={"X-Forwarded-For": f"192.0.2.{n + 1}"}).status_code)) for n in range(2)]
    for thread in threads:
        thread.start()
    peak = idle
    while any(thread.is_alive() for thread in threads):
        peak = max(peak, tree_memory_mb(master))
        time.sleep(0.05)
    return {"idle_mb": round(idle), "peak_mb": round(peak), "statuses": answers}


def print_table(report: dict) -> None:
    base = report["baseline"]
    print(f"\n{report['records']:,} records; kgpub serve --workers 2 (defaults); wrk -t2; "
          f"mixed load {report['duration_s']} s, the others {report['cheap_duration_s']} s")
    print(f"{'experiment':<28} {'req/s':>8} {'p50':>9} {'p99':>9} {'errors':>7} {'req/s vs base':>14} "
          f"{'p99 vs base':>12}")
    for name, label in (("baseline", "cheap alone (8 conn.)"), ("mixed", "mixed, 64 clients"),
                        ("heavy", "cheap + 8 heavy loops"), ("slow", "cheap + 200 slow clients")):
        row = report[name]
        print(f"{label:<28} {row['rps']:>8,.0f} {row['p50_ms']:>7.1f}ms {row['p99_ms']:>7.1f}ms {row['errors']:>7} "
              f"{row['rps'] / base['rps']:>13.2f}x {row['p99_ms'] / base['p99_ms']:>11.2f}x")
    mem = report["memory"]
    print(f"{'2 cartesian ORDER BY RAND()':<28} memory (PSS) {mem['idle_mb']} MB before, {mem['peak_mb']} MB peak "
          f"(answers {mem['statuses']})")
    print(f"heavy clients' answers: {report['heavy_statuses']}; mixed statuses: {report['mixed']['statuses']}")
    print("\ntargets:")
    for line in report["targets"]:
        print(f"  {line}")


def targets(report: dict) -> list[str]:
    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    errors = report["mixed"]["errors"]
    return [f"mixed load, 64 clients: {errors} errors == 0: {verdict(errors == 0)}",
            f"cheap p99 with 8 heavy loops: {report['heavy']['p99_ms']:.0f} ms < {TARGET_P99_MS} ms: "
            f"{verdict(report['heavy']['p99_ms'] < TARGET_P99_MS)}",
            f"cheap p99 with 200 slow clients: {report['slow']['p99_ms']:.0f} ms < {TARGET_P99_MS} ms: "
            f"{verdict(report['slow']['p99_ms'] < TARGET_P99_MS)}",
            f"two cartesian products: peak {report['memory']['peak_mb']} MB < {TARGET_MEMORY_MB} MB: "
            f"{verdict(report['memory']['peak_mb'] < TARGET_MEMORY_MB)}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--duration", type=int, default=60, help="seconds of mixed load")
    parser.add_argument("--cheap-duration", type=int, default=20, help="seconds of each cheap-request run")
    args = parser.parse_args()
    store, doc_paths, meta = build_store(args.records)
    paths_file = OUT / f"paths-{args.records}.txt"
    record_iris = [BASE + "id/" + path[len("/doc/"):] for path in doc_paths]
    port = free_port()
    process, _ = start([BIN / "kgpub", "serve", "--store", store, "--base", BASE, "--port", port, "--workers", 2,
                        "--proxy-hops", 1], port, "/healthz", OUT / f"load-{args.records}.log")
    try:
        wait_for_workers(process.pid)
        cheap(port, paths_file, argparse.Namespace(cheap_duration=3))  # warm-up
        report = {"records": args.records, "duration_s": args.duration, "cheap_duration_s": args.cheap_duration,
                  "cores": os.cpu_count(), "store": meta, "code": code_fingerprint()}
        print("baseline", file=sys.stderr)
        report["baseline"] = cheap(port, paths_file, args)
        print("mixed", file=sys.stderr)
        report["mixed"] = mixed(port, paths_file, record_iris, args)
        print("heavy", file=sys.stderr)
        with Heavy(port, CARTESIAN_COUNT, 8) as heavy:
            report["heavy"] = cheap(port, paths_file, args)
        report["heavy_statuses"] = heavy.statuses
        time.sleep(5)  # the heavy queries still running end at the time limit
        print("slow", file=sys.stderr)
        with SlowClients(port, 200):
            report["slow"] = cheap(port, paths_file, args)
        time.sleep(35)  # let the query budgets of the heavy clients refill
        print("memory", file=sys.stderr)
        report["memory"] = memory(port, process.pid)
    finally:
        stop(process)
    report["targets"] = targets(report)
    (OUT / f"load-{args.records}.json").write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)


if __name__ == "__main__":
    main()
