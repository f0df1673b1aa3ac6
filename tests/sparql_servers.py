"""Real SPARQL servers for the remote store's tests, started by the tests themselves: Oxigraph
Server (the PyPI package `oxigraph`) and Virtuoso Open Source 7 (Debian `virtuoso-opensource`),
each in a temporary folder on free ports. Missing in CI is a failure (required_client)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import requests

from conftest import free_port, required_client

VIRTUOSO = "/usr/bin/virtuoso-t"
VIRTUOSO_ISQL = "/usr/bin/isql-vt"
VIRTUOSO_PASSWORD = "dba"  # a fresh database's; the server listens on loopback only, for one test run


class SparqlServer:
    name = ""
    query_url = ""
    env: dict = {}

    def wait_until_up(self, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"{self.name} exited {process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                if requests.get(self.query_url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{self.name} did not answer within {seconds} s:\n{log.read_text()[-3000:]}")

    def clear(self) -> None:
        """Drop every graph kgpub wrote (tests share one server of a kind)."""
        rows = requests.post(self.query_url, data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
                             headers={"Accept": "application/sparql-results+json"}, timeout=60).json()
        graphs = [b["g"]["value"] for b in rows["results"]["bindings"]]
        ours = [g for g in graphs if g.startswith(("urn:kgpub:", "https://data.example.edu/", "http://localhost"))]
        if ours:
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in ours))

    def update(self, sparql: str) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError


class OxigraphServer(SparqlServer):
    """`oxigraph serve`: SPARQL at /query and /update, the Graph Store at /store."""

    name = "oxigraph-server"

    def __init__(self, folder: Path):
        binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
        required_client("Oxigraph Server", binary is not None, "pip install oxigraph; the test extras have it")
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.binary = binary
        self.port = free_port()
        self.query_url = f"http://127.0.0.1:{self.port}/query"
        self.env = {}
        self.start()

    def start(self) -> None:
        log = self.folder / "oxigraph.log"
        self.process = subprocess.Popen(
            [self.binary, "serve", "--location", str(self.folder / "data"), "--bind", f"127.0.0.1:{self.port}",
             "--union-default-graph"], stdout=log.open("w"), stderr=subprocess.STDOUT)
        self.wait_until_up(self.process, log)

    def update(self, sparql: str) -> None:
        requests.post(f"http://127.0.0.1:{self.port}/update", data={"update": sparql}, timeout=60).raise_for_status()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(15)


class VirtuosoServer(SparqlServer):
    """virtuoso-t in the foreground with a generated virtuoso.ini; queries at /sparql, updates
    at /sparql-auth with digest authentication (user dba)."""

    name = "virtuoso"

    def __init__(self, folder: Path, max_rows: int = 100_000):
        required_client("Virtuoso", Path(VIRTUOSO).exists(), "apt-get install virtuoso-opensource; .ci/run does")
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.isql_port, self.port = free_port(), free_port()
        self.query_url = f"http://127.0.0.1:{self.port}/sparql"
        self.update_url = f"http://127.0.0.1:{self.port}/sparql-auth"
        self.env = {"KGPUB_UPDATE_ENDPOINT": self.update_url,
                    "KGPUB_GRAPH_STORE_ENDPOINT": f"http://127.0.0.1:{self.port}/sparql-graph-crud-auth",
                    "KGPUB_STORE_USER": "dba",
                    "KGPUB_STORE_PASSWORD": VIRTUOSO_PASSWORD}
        (folder / "virtuoso.ini").write_text(virtuoso_ini(folder, self.isql_port, self.port, max_rows))
        self.start()

    def start(self) -> None:
        log = self.folder / "virtuoso.out"
        self.process = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile", str(self.folder / "virtuoso.ini")],
                                        cwd=self.folder, stdout=log.open("w"), stderr=subprocess.STDOUT)
        self.wait_until_up(self.process, log, seconds=120)

    def update(self, sparql: str) -> None:
        response = requests.post(self.update_url, data={"update": sparql}, timeout=60,
                                 auth=requests.auth.HTTPDigestAuth("dba", VIRTUOSO_PASSWORD))
        response.raise_for_status()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def virtuoso_ini(folder: Path, isql_port: int, http_port: int, max_rows: int) -> str:
    return f"""[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = ., /usr/share/virtuoso-opensource-7/vad
VADInstallDir = /usr/share/virtuoso-opensource-7/vad/
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
MaxQueryMem = 1G
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 20
ServerThreads = 20
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 120
DeferInferenceRulesInit = 0
"""
