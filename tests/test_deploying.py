"""docs/deploying.md's nginx configuration, run as written (Debian's nginx, on free ports) in front
of the real `kgpub serve --proxy-hops 1`: documents and queries pass, a client cannot choose its
own address for the query budget, redirects stay relative, slow clients cost nothing."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time

import pytest
import requests

from conftest import PURE_API, REPO, SEED, Server, free_port, required_client

JSON = "application/sparql-results+json"


def nginx_block() -> str:
    text = (REPO / "docs" / "deploying.md").read_text(encoding="utf-8")
    return re.search(r"```nginx\n(.*?)```", text, re.DOTALL).group(1)


@pytest.fixture(scope="module")
def nginx_binary() -> str:
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    required_client("nginx", bool(binary), "Debian: apt-get install -y nginx")
    return binary


@pytest.fixture
def behind_nginx(nginx_binary, seed_copy, tmp_path):
    """kgpub (with a query budget of one second per client) behind nginx, for this test alone:
    the budget one test spends is not another's."""
    binary, cli = nginx_binary, seed_copy
    cli.ingest(PURE_API)
    kgpub = Server(cli, workers=1, args=("--proxy-hops", "1"), env={"KGPUB_QUERY_BUDGET": "1"})
    folder = tmp_path / "nginx"
    folder.mkdir()
    port = free_port()
    block = nginx_block().replace("server 127.0.0.1:8080;", f"server 127.0.0.1:{kgpub.port};")
    block = block.replace("listen 80;", f"listen 127.0.0.1:{port};")
    (folder / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "") +
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\nhttp {{\n"
        f"access_log off;\nclient_body_temp_path {folder}/body;\nproxy_temp_path {folder}/proxy;\n"
        f"fastcgi_temp_path {folder}/fastcgi;\nuwsgi_temp_path {folder}/uwsgi;\nscgi_temp_path {folder}/scgi;\n"
        f"{block}\n}}\n")
    nginx = subprocess.Popen([binary, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
                             stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(url + "/healthz", timeout=2)
            break
        except requests.ConnectionError:
            assert nginx.poll() is None, nginx.stderr.read().decode()
            time.sleep(0.1)
    yield url, kgpub, cli
    nginx.terminate()
    nginx.wait(timeout=10)
    kgpub.stop()


def test_documents_and_queries_pass_through_the_documented_configuration(behind_nginx):
    url, kgpub, cli = behind_nginx
    iri = cli.ingest(SEED)[0]["iri"]
    path = "/" + iri.split("/", 3)[3].replace("id/", "doc/", 1)
    through = requests.get(url + path, headers={"Accept": "text/turtle"}, timeout=30)
    assert through.status_code == 200 and through.content == kgpub.get(path, headers={"Accept": "text/turtle"}).content
    answer = requests.get(url + "/sparql", params={"query": f"ASK {{ <{iri}> ?p ?o }}"}, headers={"Accept": JSON},
                          timeout=30)
    assert answer.json()["boolean"] is True
    redirect = requests.get(url + "/dumps", headers={"Host": "evil.example.com"}, allow_redirects=False, timeout=30)
    assert redirect.headers["Location"] == "/dumps/"


def test_a_client_cannot_choose_its_own_address_for_the_query_budget(behind_nginx):
    url, _, _ = behind_nginx
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
    statuses = []
    for n in range(1, 6):  # a different forged address every time: nginx replaces it with the real one
        statuses.append(requests.get(url + "/sparql", params={"query": heavy}, timeout=60,
                                     headers={"Accept": JSON, "X-Forwarded-For": f"198.51.100.{n}"}).status_code)
        if statuses[-1] == 429:
            break
    assert statuses[-1] == 429, statuses


def test_slow_clients_through_nginx_cost_nothing(behind_nginx):
    url, _, _ = behind_nginx
    host, port = url.rsplit("//", 1)[1].split(":")
    slow = [socket.create_connection((host, int(port))) for _ in range(200)]
    for sock in slow:
        sock.sendall(b"GET / HTTP/1.1\r\n")
    times = []
    for _ in range(5):
        for sock in slow:
            sock.send(b"X")
        began = time.monotonic()
        assert requests.get(url + "/", timeout=10).status_code == 200
        times.append(time.monotonic() - began)
        time.sleep(0.2)
    assert max(times) < 1.0, times
    for sock in slow:
        sock.close()


def test_serve_on_a_busy_port_fails_at_once_in_one_line(seed_store):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        result = seed_store("serve", "--port", str(port), check_exit=2)
    assert time.monotonic() - started < 10  # gunicorn alone retries for seconds
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"cannot listen on 127.0.0.1:{port}" in lines[0] and "--port" in lines[0], lines


def test_the_start_banner_is_one_line_however_narrow_the_terminal(seed_store):
    server = Server(seed_store, env={"COLUMNS": "40"})
    try:
        banner = [line for line in server.output().splitlines() if line.startswith("kgpub: serving")]
        assert len(banner) == 1 and banner[0].endswith("workers"), server.output()
    finally:
        server.stop()


def test_serve_without_a_store_fails_in_one_line(tmp_path):
    from conftest import Cli

    result = Cli(tmp_path / "nothing")("serve", check_exit=2)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "there is no store at" in lines[0], lines
