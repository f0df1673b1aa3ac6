"""ResourceSync: the Source Description, Capability List, Resource List and Change List, read by the
`resync` library (PyPI, the reference implementation); a baseline and then an incremental sync by its
client off the real server into a folder that ends identical to the published records."""
from __future__ import annotations

import re
import time

import pytest
import requests
from resync import CapabilityList, ChangeList, ResourceList, SourceDescription
from resync.client import Client

from conftest import BASE, REPO, SEED, App, Cli, Server, doc_path, free_port

TOKEN = "s3cret-rs-token"


def parsed(kind, web, path: str):
    reply = web.get(path)
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("application/xml")
    document = kind()
    document.parse(str_data=reply.text)
    return document


def keys(document) -> set[str]:
    return {re.search(r"/doc/output/(\w+)\.ttl$", r.uri).group(1) for r in document}


def test_the_source_description_leads_to_every_published_record(web):
    description = parsed(SourceDescription, web, "/.well-known/resourcesync")
    assert description.md["capability"] == "description"
    capabilities = parsed(CapabilityList, web, description.resources.first().uri[len(BASE) - 1:])
    assert capabilities.has_capability("resourcelist") and capabilities.has_capability("changelist")
    resources = parsed(ResourceList, web, capabilities.capability_info("resourcelist").uri[len(BASE) - 1:])
    assert keys(resources) == {iri.rsplit("/", 1)[-1] for iri in web.iris.values()}
    assert all(r.lastmod and r.mime_type == "text/turtle" for r in resources)
    one = next(iter(resources))
    assert web.get(one.uri[len(BASE) - 1:]).headers["Content-Type"].startswith("text/turtle")


def test_long_lists_become_indexes_of_parts(web, monkeypatch):
    from kgpub.server import resourcesync

    monkeypatch.setattr(resourcesync, "PER_LIST", 4)
    for name in ("resourcelist", "changelist"):
        index = web.get(f"/resourcesync/{name}.xml").text
        parts = re.findall(r"<loc>[^<]*/resourcesync/([\w-]+\.xml)</loc>", index)
        assert "<sitemapindex" in index and parts == [f"{name}-{n}.xml" for n in range(1, len(parts) + 1)]
        seen = [key for part in parts for key in re.findall(r"/doc/output/(\w+)\.ttl", web.get(f"/resourcesync/{part}").text)]
        assert len(seen) >= len(web.iris) and set(seen) == {iri.rsplit("/", 1)[-1] for iri in web.iris.values()}
        assert web.get(f"/resourcesync/{name}-{len(parts) + 1}.xml").status_code == 404
        assert web.get(f"/resourcesync/{name}-0.xml").status_code == 404


def test_the_change_list_says_created_updated_and_deleted(cli, tmp_path):
    stored = {r["source"].split("/")[-1].split(":")[0]: r["iri"] for r in cli.ingest(REPO / "examples")}
    time.sleep(1.1)  # times are seconds: the changes below come after the first writes
    changed = tmp_path / "preprint.txt"
    changed.write_text((REPO / "examples" / "preprint.txt").read_text().replace("language models", "language model"))
    cli.ingest(changed)
    cli("withdraw", stored["doctoral-thesis.txt"], "--reason", "Entered twice")
    web = App(cli, ADMIN_TOKEN=TOKEN)
    removed = stored["chapter-in-book.txt"].replace("/id/", "/graph/")
    assert web.request("DELETE", "/graph-store", params={"graph": removed},
                       headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 204

    changes = parsed(ChangeList, web, "/resourcesync/changelist.xml")
    by_key: dict[str, list[str]] = {}
    for change in changes:
        by_key.setdefault(re.search(r"/(\w+)\.ttl$", change.uri).group(1), []).append(change.change)
    key = {name: iri.rsplit("/", 1)[-1] for name, iri in stored.items()}
    assert by_key.pop(key["preprint.txt"]) == ["created", "updated"]
    assert by_key.pop(key["doctoral-thesis.txt"]) == ["deleted"]
    assert by_key.pop(key["chapter-in-book.txt"]) == ["deleted"], "a graph dropped without a tombstone is deleted too"
    assert set(map(tuple, by_key.values())) == {("created",)}
    times = [c.datetime for c in changes]
    assert times == sorted(times) and changes.md_from <= min(times) and changes.md_until >= max(times)
    oai = web.get("/oai", params={"verb": "GetRecord", "metadataPrefix": "oai_dc",
                                 "identifier": f"oai:data.example.edu:{key['chapter-in-book.txt']}"}).text
    assert 'status="deleted"' in oai


@pytest.fixture
def own_site(tmp_path):
    """A store and a real server whose base is the server's own address: the resync client fetches
    every URL the lists give."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    cli = Cli(tmp_path / "store")
    cli.env = {**cli.env, "KGPUB_BASE": base}
    stored = {r["source"].split("/")[-1].split(":")[0]: r["iri"] for r in cli.ingest(REPO / "examples")}
    server = Server(cli, env={"KGPUB_BASE": base}, port=port)
    server.base, server.stored = base, stored
    yield server
    server.stop()


def published(server) -> dict[str, bytes]:
    """Path under the base -> the Turtle document the server publishes, for every record."""
    listing = requests.get(server.base + "resourcesync/resourcelist.xml", timeout=30).text
    urls = re.findall(r"<loc>([^<]+\.ttl)</loc>", listing)
    return {url[len(server.base):]: requests.get(url, timeout=30).content for url in urls}


def on_disk(folder) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*.ttl")}


def test_resync_baseline_then_incremental_ends_identical_to_the_published_records(own_site, tmp_path, monkeypatch):
    cli, stored = own_site.cli, own_site.stored
    monkeypatch.chdir(tmp_path)  # the client keeps its state file in the working folder
    copy = tmp_path / "copy"

    def client() -> Client:
        made = Client()
        made.set_mappings([own_site.base, str(copy)])
        made.sitemap_name = own_site.base + "resourcesync/resourcelist.xml"
        return made

    client().baseline_or_audit()
    assert on_disk(copy) == published(own_site) and len(on_disk(copy)) == len(stored)

    time.sleep(1.1)
    changed = tmp_path / "preprint.txt"
    changed.write_text((REPO / "examples" / "preprint.txt").read_text().replace("language models", "language model"))
    cli.ingest(changed, SEED)
    cli("withdraw", stored["doctoral-thesis.txt"], "--reason", "Entered twice")
    client().incremental(allow_deletion=True, change_list_uri=own_site.base + "resourcesync/changelist.xml")

    now = published(own_site)
    assert on_disk(copy) == now and len(now) == len(stored), "one new, one withdrawn, one changed"
    assert doc_path(stored["doctoral-thesis.txt"]).lstrip("/") + ".ttl" not in on_disk(copy)
