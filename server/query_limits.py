"""What the public SPARQL endpoint refuses before a query runs (docs/sparql.md, "Limits").

- **SERVICE.** A federated query makes this server fetch a URL of the client's choosing and hand
  back what it got: a way into the machine's loopback and private networks (SSRF), and a way to
  make the server call itself until its workers are all waiting. So SERVICE is refused unless the
  operator allow-lists endpoints (`KGPUB_SERVICE_ALLOW`, URL prefixes), and even then an endpoint
  whose host resolves to a loopback, private, link-local or otherwise non-public address is
  refused unless `KGPUB_SERVICE_ALLOW_PRIVATE` is set. A variable as the target is always refused.
- **Nesting.** The engine's parser recurses once per bracket: thousands of nested braces would
  exhaust a query process's stack. Queries nesting deeper than `KGPUB_MAX_QUERY_DEPTH` (64) are
  refused with the reason instead.
"""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import unquote, urlsplit

from kgpub.graph import sparql_text

class QueryRefused(Exception):
    """The query is not run; the message says why and what the client can do instead."""


def check(text: str, base_iri: str, config) -> list[str]:
    """Raise QueryRefused for a query or update this endpoint will not run; else the IRIs of the
    (allowed) SERVICE endpoints it calls."""
    limit = config["MAX_QUERY_DEPTH"]
    if sum(text.count(c) for c in sparql_text.OPENING) > limit:  # else it cannot nest deeper
        depth = sparql_text.nesting_depth(text)
        if depth > limit:
            raise QueryRefused(f"the query nests braces, parentheses or brackets {depth} levels deep; this "
                               f"endpoint takes at most {limit} (write it flatter)")
    calls = sparql_text.service_calls(text, base_iri)
    for call in calls:
        _check_service(call, config)
    return [call.iri for call in calls]


def _check_service(call: sparql_text.ServiceCall, config) -> None:
    if not config["SERVICE_ALLOW"]:
        raise QueryRefused(f"the query calls SERVICE {call.written}: this endpoint does not run federated "
                           "queries (it makes no requests to other servers). Run the query at that endpoint, "
                           "or use a client that federates, such as Comunica")
    if call.iri is None and call.written.startswith(("?", "$")):
        raise QueryRefused(f"SERVICE {call.written}: the endpoint called must be an IRI written in the query, "
                           "not a variable")
    if call.iri is None:
        raise QueryRefused(f"SERVICE {call.written or '(nothing)'}: not an IRI this server can read")
    if not any(_within(call.iri, prefix) for prefix in config["SERVICE_ALLOW"]):
        raise QueryRefused(f"SERVICE <{call.iri}> is not one of the endpoints this server may call: "
                           + ", ".join(config["SERVICE_ALLOW"]))
    if not config["SERVICE_ALLOW_PRIVATE"]:
        _check_public(call.iri)


def _within(iri: str, prefix: str) -> bool:
    """Same scheme, host and port, and a path at or below the prefix's, segment by segment (a bare
    string prefix would let `http://example.org` allow `http://example.org.evil.test/`, and
    `…/sparql` allow `…/sparqlx` or `…/sparql/../admin`)."""
    target, allowed = urlsplit(iri), urlsplit(prefix)
    try:
        same_port = target.port == allowed.port
    except ValueError:
        return False
    if (target.scheme.lower(), target.hostname or "") != (allowed.scheme.lower(), allowed.hostname or "") \
            or not same_port or target.username or target.password:
        return False
    path, root = _segments(target.path), _segments(allowed.path)
    return path[:len(root)] == root


def _segments(path: str) -> list[str]:
    """The path's segments as a server reads them: percent-escapes decoded, `.` and `..` applied."""
    segments: list[str] = []
    for segment in unquote(path).split("/"):
        if segment == "..":
            segments = segments[:-1]
        elif segment not in ("", "."):
            segments.append(segment)
    return segments


def _check_public(iri: str) -> None:
    parts = urlsplit(iri)
    try:
        infos = socket.getaddrinfo(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80),
                                   proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError):
        raise QueryRefused(f"SERVICE <{iri}>: its host name cannot be resolved") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        mapped = getattr(address, "ipv4_mapped", None)
        if not (mapped or address).is_global:
            raise QueryRefused(f"SERVICE <{iri}>: its host resolves to {address}, which is not a public address "
                               "(set KGPUB_SERVICE_ALLOW_PRIVATE to allow it)")
