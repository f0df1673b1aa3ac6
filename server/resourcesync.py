"""ResourceSync (ANSI/NISO Z39.99-2017, http://www.openarchives.org/rs/1.1/resourcesync): how an
aggregator keeps a copy of every published record and then follows the changes.

    /.well-known/resourcesync               Source Description -> the Capability List
    /resourcesync/capabilitylist.xml        -> the Resource List and the Change List
    /resourcesync/resourcelist.xml          every record's Turtle document with its lastmod
    /resourcesync/changelist.xml            created / updated / deleted, with their times

The resources are the records' Turtle documents (`/doc/output/{key}.ttl`). The lists are sitemaps;
past PER_LIST entries a list becomes a sitemap index of parts (`resourcelist-{n}.xml`). The changes
come from the store's change log (record_list.py: first and last write of each record graph, the
tombstones, the removal log; any backend), one entry per change still visible: a record's
`created` (its first write) and, when written since, its latest `updated`; a withdrawn, merged or
removed record's `deleted`. Earlier intermediate updates are not kept (the spec allows a source to
list only a resource's latest change); a destination that applies the list reaches the same state.
"""
from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape, quoteattr

from flask import Blueprint, current_app

from kgpub.graph import iris
from kgpub.server import record_list
from kgpub.server.errors import error_response
from kgpub.server.record_list import Listed
from kgpub.server.sitemaps import NAMESPACE, xml_response

bp = Blueprint("resourcesync", __name__)

RS = "http://www.openarchives.org/rs/terms/"
PER_LIST = 50_000  # the sitemap protocol's limit, which ResourceSync keeps
RESOURCE_SUFFIX, RESOURCE_TYPE = ".ttl", "text/turtle"


def url(path: str) -> str:
    return current_app.config["BASE"] + path


def resource_url(key: str) -> str:
    return iris.document(current_app.config["BASE"], f"output/{key}").value + RESOURCE_SUFFIX


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@bp.get("/.well-known/resourcesync")
def source_description():
    return _urlset("description", [_url(url("resourcesync/capabilitylist.xml"), capability="capabilitylist")], up=None)


@bp.get("/resourcesync/capabilitylist.xml")
def capability_list():
    return _urlset("capabilitylist", [_url(url("resourcesync/resourcelist.xml"), capability="resourcelist"),
                                      _url(url("resourcesync/changelist.xml"), capability="changelist")],
                   up=url(".well-known/resourcesync"))


# --- the resource list ---------------------------------------------------------------------------

def resources() -> list[str]:
    """One <url> per published record."""
    return [_url(resource_url(item.key), lastmod=item.changed, type=RESOURCE_TYPE)
            for item in record_list.listed() if not item.deleted]


@bp.get("/resourcesync/resourcelist.xml")
def resource_list():
    at = now()
    return _listing("resourcelist", resources(), {"at": at, "completed": at})


@bp.get("/resourcesync/resourcelist-<int:number>.xml")
def resource_list_part(number: int):
    at = now()
    return _part("resourcelist", resources(), number, {"at": at, "completed": at})


# --- the change list -----------------------------------------------------------------------------

def changes() -> list[tuple[str, str, str]]:
    """(when, change, key), oldest first."""
    found = []
    for item in record_list.listed():
        found += [(when, change, item.key) for when, change in _changes_of(item)]
    return sorted(found)


def _changes_of(item: Listed) -> list[tuple[str, str]]:
    if item.deleted:
        return [(item.changed, "deleted")]
    if item.created is None:  # written before the store kept first writes
        return [(item.changed, "updated")]
    if item.created < item.changed:
        return [(item.created, "created"), (item.changed, "updated")]
    return [(item.changed, "created")]


def change_urls(found: list[tuple[str, str, str]]) -> list[str]:
    return [_url(resource_url(key), lastmod=when, change=change, datetime=when,
                 type=None if change == "deleted" else RESOURCE_TYPE) for when, change, key in found]


def _period(found: list[tuple[str, str, str]], until: str) -> dict[str, str]:
    return {"from": found[0][0] if found else until, "until": until}


@bp.get("/resourcesync/changelist.xml")
def change_list():
    found, until = changes(), now()
    return _listing("changelist", change_urls(found), _period(found, until))


@bp.get("/resourcesync/changelist-<int:number>.xml")
def change_list_part(number: int):
    found, until = changes(), now()
    part = found[(number - 1) * PER_LIST:number * PER_LIST] if number >= 1 else []
    if len(found) <= PER_LIST or not part:
        return error_response(404, "Not Found", f"there is no change list part {number}; start at "
                              f"{url('resourcesync/changelist.xml')}")
    later = found[number * PER_LIST:]
    return _urlset("changelist", change_urls(part), up=url("resourcesync/capabilitylist.xml"),
                   md={"from": part[0][0], "until": later[0][0] if later else until},
                   index=url("resourcesync/changelist.xml"))


# --- sitemaps with ResourceSync's rs:md and rs:ln -------------------------------------------------

def _listing(capability: str, urls: list[str], md: dict[str, str]):
    """A whole list, or past PER_LIST entries the index of its parts."""
    if len(urls) <= PER_LIST:
        return _urlset(capability, urls, up=url("resourcesync/capabilitylist.xml"), md=md)
    count = -(-len(urls) // PER_LIST)
    parts = "".join(f"<sitemap><loc>{escape(url(f'resourcesync/{capability}-{n}.xml'))}</loc></sitemap>\n"
                    for n in range(1, count + 1))
    return xml_response(f'<sitemapindex xmlns="{NAMESPACE}" xmlns:rs="{RS}">\n'
                        f'{_ln("up", url("resourcesync/capabilitylist.xml"))}{_md(capability, md)}\n'
                        f"{parts}</sitemapindex>\n")


def _part(capability: str, urls: list[str], number: int, md: dict[str, str]):
    part = urls[(number - 1) * PER_LIST:number * PER_LIST] if number >= 1 else []
    if len(urls) <= PER_LIST or not part:
        return error_response(404, "Not Found", f"there is no {capability} part {number}; start at "
                              f"{url(f'resourcesync/{capability}.xml')}")
    return _urlset(capability, part, up=url("resourcesync/capabilitylist.xml"), md=md,
                   index=url(f"resourcesync/{capability}.xml"))


def _urlset(capability: str, urls: list[str], up: str | None, md: dict[str, str] | None = None,
            index: str | None = None):
    links = (_ln("up", up) if up else "") + (_ln("index", index) if index else "")
    return xml_response(f'<urlset xmlns="{NAMESPACE}" xmlns:rs="{RS}">\n{links}{_md(capability, md or {})}\n'
                        f'{"".join(urls)}</urlset>\n')


def _url(loc: str, lastmod: str | None = None, capability: str | None = None, **md: str | None) -> str:
    attributes = {"capability": capability, **md}
    shown = "".join(f" {name}={quoteattr(value)}" for name, value in attributes.items() if value)
    when = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    return f"<url><loc>{escape(loc)}</loc>{when}<rs:md{shown}/></url>\n"


def _md(capability: str, attributes: dict[str, str]) -> str:
    shown = "".join(f" {name}={quoteattr(value)}" for name, value in attributes.items())
    return f'<rs:md capability="{capability}"{shown}/>'


def _ln(rel: str, href: str) -> str:
    return f"<rs:ln rel={quoteattr(rel)} href={quoteattr(href)}/>"
