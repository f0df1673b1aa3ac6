"""`kgpub dump` and /dumps/, through the real command and the real server (`kgpub serve`)."""
from __future__ import annotations

import gzip
import hashlib
import io
import os

import pyoxigraph
import pytest

from conftest import PURE_API, REPO, SEED, Cli, Server

FILES = {"kgpub.nq.gz": pyoxigraph.RdfFormat.N_QUADS, "kgpub.ttl.gz": pyoxigraph.RdfFormat.TURTLE,
         "kgpub.jsonld.gz": pyoxigraph.RdfFormat.JSON_LD}


@pytest.fixture(scope="module")
def dumped(tmp_path_factory):
    """A server started before any dump; `before` holds what it said then. The dump is made
    while it runs."""
    cli = Cli(tmp_path_factory.mktemp("dumps") / "store")
    cli.ingest(SEED, PURE_API, REPO / "examples")
    server = Server(cli, workers=1)
    server.before = server.get("/dumps/?format=json").json()
    cli("dump")
    yield server
    server.stop()


def store_quads(cli: Cli) -> set:
    export = cli("export", "--format", "nquads").stdout.encode("utf-8")
    return set(pyoxigraph.parse(export, format=pyoxigraph.RdfFormat.N_QUADS))


def download(server, name: str) -> bytes:
    response = server.get(f"/dumps/{name}")
    assert response.status_code == 200, response.text
    return response.content


def test_a_dump_made_while_the_server_runs_appears_without_restart(dumped):
    assert dumped.before["files"] == []
    listed = dumped.get("/dumps/", headers={"Accept": "application/json"}).json()
    assert {f["file"] for f in listed["files"]} == set(FILES)


def test_nquads_and_jsonld_dumps_hold_exactly_the_stores_quads(dumped):
    expected = store_quads(dumped.cli)
    assert len(expected) > 3000
    for name in ("kgpub.nq.gz", "kgpub.jsonld.gz"):
        quads = set(pyoxigraph.parse(gzip.decompress(download(dumped, name)), format=FILES[name]))
        assert quads == expected, name


def test_turtle_dump_holds_the_union_of_the_graphs(dumped):
    expected = {q.triple for q in store_quads(dumped.cli)}
    parsed = pyoxigraph.parse(gzip.decompress(download(dumped, "kgpub.ttl.gz")), format=FILES["kgpub.ttl.gz"])
    triples = {q.triple for q in parsed}
    assert triples == expected


def test_listed_sizes_and_checksums_are_the_files(dumped):
    for entry in dumped.get("/dumps/?format=json").json()["files"]:
        body = download(dumped, entry["file"])
        assert entry["bytes"] == len(body)
        assert entry["sha256"] == hashlib.sha256(body).hexdigest()


def test_downloads_have_strong_etag_length_and_answer_304(dumped):
    body = download(dumped, "kgpub.nq.gz")
    response = dumped.get("/dumps/kgpub.nq.gz")
    assert response.headers["ETag"] == f'"{hashlib.sha256(body).hexdigest()}"'
    assert int(response.headers["Content-Length"]) == len(body)
    assert response.headers["Content-Type"] == "application/gzip"
    assert "Last-Modified" in response.headers
    again = dumped.get("/dumps/kgpub.nq.gz", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_downloads_answer_ranges(dumped):
    body = download(dumped, "kgpub.ttl.gz")
    response = dumped.get("/dumps/kgpub.ttl.gz", headers={"Range": "bytes=10-19"})
    assert response.status_code == 206
    assert response.content == body[10:20]


@pytest.mark.parametrize("path", ["/dumps/nothing.nq.gz", "/dumps/..%2FCURRENT", "/dumps/..%2F..%2Fsearch.sqlite",
                                  "/dumps/manifest.json", "/dumps/%2Fetc%2Fpasswd", "/dumps/.lock"])
def test_unknown_dumps_and_paths_outside_are_404(dumped, path):
    response = dumped.get(path)
    assert response.status_code == 404
    assert "Traceback" not in response.text


def test_dump_page_for_people_links_every_file(dumped):
    from bs4 import BeautifulSoup

    response = dumped.get("/dumps/", headers={"Accept": "text/html"})
    assert response.headers["Content-Type"].startswith("text/html")
    page = BeautifulSoup(response.text, "html.parser")
    for name in FILES:
        assert page.find("a", href=f"/dumps/{name}") is not None


def test_dump_of_a_store_that_is_not_there_is_a_usage_error(tmp_path):
    result = Cli(tmp_path / "missing")("dump", check_exit=2)
    assert "no store" in result.stderr


def test_background_refresh_makes_fresh_dumps_after_a_write(tmp_path):
    """refresh_in_background starts a dumper in a new process; a second call while it runs does
    not start another, and the write it asks for is still dumped."""
    import time

    from kgpub.graph import dumps

    cli = Cli(tmp_path / "store")
    cli.ingest(SEED)
    dumps.refresh_in_background(cli.store)
    cli.ingest(PURE_API)
    dumps.refresh_in_background(cli.store)
    latest = (cli.store / "kgpub" / "snapshots" / "CURRENT").read_text()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        current = dumps.published(cli.store)
        if current and current.manifest["snapshot"] == latest and not (cli.store / "kgpub/dumps/.requested").exists():
            break
        time.sleep(0.2)
    else:
        pytest.fail("the background dumper did not dump the latest snapshot")
    quads = set(pyoxigraph.parse(gzip.open(io.BytesIO((current.folder / "kgpub.nq.gz").read_bytes())).read(),
                                 format=pyoxigraph.RdfFormat.N_QUADS))
    assert quads == store_quads(cli)


def test_published_dumps_follow_current_by_name_not_by_its_stat(tmp_path):
    """CURRENT may come back with the same inode and mtime (inode reuse, 1 s timestamps): the set it
    names is what counts (the same bug as test_snapshots' reader)."""
    from kgpub.graph import dumps

    root = dumps.dumps_root(tmp_path)
    for name in ("1", "2"):
        (root / name).mkdir(parents=True)
        for file in (dumps.MANIFEST, dumps.STATISTICS):
            (root / name / file).write_text(f'{{"set": "{name}"}}')
    pointer = root / dumps.CURRENT
    pointer.write_text("1")
    assert dumps.published(tmp_path).manifest == {"set": "1"}
    seen = pointer.stat()
    pointer.write_text("2")  # the same inode
    os.utime(pointer, ns=(seen.st_atime_ns, seen.st_mtime_ns))
    assert dumps.published(tmp_path).manifest == {"set": "2"}
