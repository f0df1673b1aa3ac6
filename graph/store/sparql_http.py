"""The three standard protocols a remote store speaks: SPARQL 1.1 Query, SPARQL 1.1 Update and
the Graph Store HTTP Protocol, over one pooled HTTP session (requests).

Every call has a timeout. A request that never reached the server (connection refused) is tried
again with backoff, whatever its method; a GET, PUT or DELETE also when the connection broke or
the answer was a 5xx. A POST is not, with one exception: kgpub's own updates (they replace whole
graphs: sending one twice leaves the same state) are sent once more when the connection broke
before any answer (a server closing an idle keep-alive connection as it is reused: Virtuoso after
10 s). A query past its time on the server would run again, and a user's update need not be
idempotent. A server's Retry-After is not waited for here: the caller answers 503 itself.

Credentials come from the environment only (KGPUB_STORE_USER, KGPUB_STORE_PASSWORD); the scheme
is the one the server asks for in its 401 (Basic or Digest: Virtuoso's /sparql-auth wants Digest).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import HTTPBasicAuth, HTTPDigestAuth
from urllib3.util.retry import Retry

from kgpub.graph.store.base import StoreError

CONNECT_SECONDS = 5.0
READ_SECONDS = 120.0  # a batch of record graphs written, a dump's page read
RETRIES = Retry(total=4, connect=4, read=2, status=3, backoff_factor=0.3,
                allowed_methods=frozenset({"GET", "HEAD", "PUT", "DELETE"}), status_forcelist=(500, 502, 503, 504),
                raise_on_status=False, respect_retry_after_header=False)
POOL_SIZE = 8  # the Graph Store PUTs of one write in flight at once, and a little more


class StoreUnavailable(StoreError):
    """The remote store did not answer (down, unreachable, too slow); trying later may help.
    `detail` says what happened without the store's address (for public answers)."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.detail = detail or message


class StoreTimeout(StoreUnavailable):
    """The remote store did not answer within the time given."""


class QueryRefused(StoreError, ValueError):
    """The remote store refused a query or update as sent (4xx): the client's mistake, said in
    the server's words (`detail`, without the store's address)."""

    def __init__(self, message: str, detail: str = ""):
        super().__init__(message)
        self.detail = detail or message


class StoreRefused(StoreError):
    """The remote store refused the credentials (or wants some)."""


@dataclass(frozen=True)
class Endpoints:
    """Where a remote store answers. Only `query` is needed to read; writes need `update`.
    A query endpoint ending in /query (Oxigraph Server, Fuseki) implies …/update and …/store."""

    query: str
    update: str | None = None
    graph_store: str | None = None
    user: str | None = None
    password: str | None = None

    @classmethod
    def from_environment(cls, query: str) -> Endpoints:
        update = os.environ.get("KGPUB_UPDATE_ENDPOINT") or _sibling(query, "update")
        graph_store = os.environ.get("KGPUB_GRAPH_STORE_ENDPOINT") or _sibling(query, "store")
        return cls(query, update, graph_store, os.environ.get("KGPUB_STORE_USER") or None,
                   os.environ.get("KGPUB_STORE_PASSWORD") or None)


def is_url(location: str) -> bool:
    return str(location).startswith(("http://", "https://"))


def _sibling(query: str, name: str) -> str | None:
    parts = urlsplit(query)
    if not parts.path.endswith("/query"):
        return None
    return urlunsplit(parts._replace(path=parts.path[: -len("query")] + name, query=""))


class SparqlClient:
    def __init__(self, endpoints: Endpoints):
        self.endpoints = endpoints
        self.session = requests.Session()
        adapter = HTTPAdapter(max_retries=RETRIES, pool_connections=4, pool_maxsize=POOL_SIZE)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = "kgpub"

    def query(self, sparql: str, accept: str, timeout: float | None = None, stream: bool = False,
              params: Iterable[tuple[str, str]] = ()) -> requests.Response:
        """POST the query (form-encoded, as every SPARQL server takes it); the response, status
        checked. A 4xx other than 401/403 is the query's fault: StoreError with the server's words."""
        data = [("query", sparql), *params]
        return self._call("POST", self.endpoints.query, timeout, data=data, headers={"Accept": accept},
                          stream=stream)

    def update(self, sparql: str, timeout: float | None = None, params: Iterable[tuple[str, str]] = (),
               idempotent: bool = True) -> None:
        """An update; `idempotent` ones (kgpub's own) are sent again once if the connection broke."""
        self._call("POST", self._need("update"), timeout, resend=idempotent, data=[("update", sparql), *params])

    def put_graph(self, graph: str, ntriples: bytes, timeout: float | None = None) -> None:
        self._call("PUT", self._need("graph_store"), timeout, params={"graph": graph}, data=ntriples,
                   headers={"Content-Type": "application/n-triples"})

    def _need(self, kind: str) -> str:
        url = getattr(self.endpoints, kind)
        if not url:
            option = {"update": "--update-endpoint / KGPUB_UPDATE_ENDPOINT",
                      "graph_store": "--graph-store-endpoint / KGPUB_GRAPH_STORE_ENDPOINT"}[kind]
            raise StoreError(f"the store at {self.endpoints.query} has no {kind.replace('_', ' ')} endpoint "
                             f"configured: give {option}")
        return url

    def _call(self, method: str, url: str, timeout: float | None, resend: bool = False, **kwargs) -> requests.Response:
        timeout = (CONNECT_SECONDS, timeout or READ_SECONDS)
        try:
            try:
                response = self.session.request(method, url, timeout=timeout, **kwargs)
            except requests.ConnectionError:
                if not resend:
                    raise
                response = self.session.request(method, url, timeout=timeout, **kwargs)
            if response.status_code == 401 and self.endpoints.user:
                self.session.auth = self._auth_asked(response)
                response = self.session.request(method, url, timeout=timeout, **kwargs)
        except requests.Timeout:
            raise StoreTimeout(f"the store at {url} did not answer within {timeout[1]:g} s",
                               f"it did not answer within {timeout[1]:g} s") from None
        except requests.RequestException as err:
            raise StoreUnavailable(f"the store at {url} cannot be reached: {_reason(err)}",
                                   f"it cannot be reached: {_reason(err)}") from None
        if response.status_code in (401, 403):
            who = "no credentials were given (KGPUB_STORE_USER, KGPUB_STORE_PASSWORD)" \
                if not self.endpoints.user else f"the credentials of {self.endpoints.user!r} were refused"
            raise StoreRefused(f"the store at {url} answered {response.status_code}: {who}")
        if response.status_code >= 500:
            raise StoreUnavailable(f"the store at {url} answered {response.status_code}: {_said(response)}",
                                   f"it answered {response.status_code}: {_said(response)}")
        if response.status_code >= 400:
            raise QueryRefused(f"the store at {url} refused it ({response.status_code}): {_said(response)}",
                               f"it refused it ({response.status_code}): {_said(response)}")
        return response

    def _auth_asked(self, response: requests.Response):
        asked = response.headers.get("WWW-Authenticate", "")
        user, password = self.endpoints.user, self.endpoints.password or ""
        return HTTPDigestAuth(user, password) if asked.lower().startswith("digest") else HTTPBasicAuth(user, password)

    def close(self) -> None:
        self.session.close()


def _said(response: requests.Response) -> str:
    """The first line of what the server said about an error (servers send whole HTML pages)."""
    text = " ".join(response.text.split())
    return text[:300] or response.reason


def _reason(err: requests.RequestException) -> str:
    text = str(err)
    for known in ("Connection refused", "Name or service not known", "timed out", "Max retries exceeded"):
        if known in text:
            return known.lower()
    return text[:200]
