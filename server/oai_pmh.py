"""OAI-PMH 2.0 at /oai (http://www.openarchives.org/OAI/openarchivesprotocol.html): how
aggregators (OpenAIRE, BASE, CORE) harvest a repository.

All six verbs, by GET or POST, and every error of the protocol. Identifiers are
`oai:{host}:{key}`; a record's datestamp is when its graph was last written (seconds, UTC);
withdrawn and merged records stay, as `deleted` (deletedRecord `persistent`, from the
tombstones). Read through the store port (any backend). Metadata: `oai_dc` (oai_dc.py) and
`oai_openaire` (oai_openaire.py). Sets by type, ASJC subject and year (oai_sets.py).

Lists come in pages of PAGE_SIZE, ordered by key. A resumption token carries the request (its set too), the
last key sent, the cursor and the complete size, and the harvest's `until`: the time of its first
page when the harvester gave none, so a record written during a harvest is left to the next
incremental harvest (from = this one's start) instead of being skipped or sent twice. Tokens
hold no server state: they survive restarts and any number of servers.
"""
from __future__ import annotations

import base64
import binascii
import bisect
import datetime as dt
import json
import re
from itertools import islice
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

from flask import Blueprint, Response, current_app, request

from kgpub.graph import iris, lifecycle
from kgpub.graph.namespaces import DCTERMS
from kgpub.graph.record_reader import StoredRecord, read_record
from kgpub.graph.search import facets_of
from kgpub.server import oai_dc, oai_openaire, oai_sets, record_list, snapshot_view
from kgpub.server.record_list import Listed, utc_seconds

bp = Blueprint("oai_pmh", __name__)

PAGE_SIZE = 100
OAI = "http://www.openarchives.org/OAI/2.0/"
SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
GRANULARITY = "%Y-%m-%dT%H:%M:%SZ"
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
FORMATS = {"oai_dc": oai_dc, "oai_openaire": oai_openaire}
ARGUMENTS = {  # verb -> (required, optional, exclusive)
    "Identify": ((), (), None),
    "ListMetadataFormats": ((), ("identifier",), None),
    "ListSets": ((), (), "resumptionToken"),
    "GetRecord": (("identifier", "metadataPrefix"), (), None),
    "ListIdentifiers": (("metadataPrefix",), ("from", "until", "set"), "resumptionToken"),
    "ListRecords": (("metadataPrefix",), ("from", "until", "set"), "resumptionToken"),
}


class OaiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@bp.route("/oai", methods=["GET", "POST"])
def oai():
    arguments = request.values
    verb = arguments.get("verb")
    try:
        checked = checked_arguments(arguments)
        body = HANDLERS[verb](checked)
        return respond(request_element(checked), body)
    except OaiError as err:
        # A badVerb or badArgument request is echoed without its arguments (spec §3.2).
        echoed = {} if err.code in ("badVerb", "badArgument") else arguments.to_dict()
        return respond(request_element(echoed), f'<error code="{err.code}">{escape(str(err))}</error>')


def checked_arguments(arguments) -> dict[str, str]:
    verb = arguments.get("verb")
    if verb not in ARGUMENTS or len(arguments.getlist("verb")) != 1:
        raise OaiError("badVerb", f"{verb!r} is not an OAI-PMH verb" if verb else "the verb argument is missing")
    required, optional, exclusive = ARGUMENTS[verb]
    for name in arguments:
        if len(arguments.getlist(name)) > 1:
            raise OaiError("badArgument", f"the argument {name} is repeated")
        if name != "verb" and name not in (*required, *optional, exclusive):
            raise OaiError("badArgument", f"{verb} takes no argument {name}")
    given = {name: arguments[name] for name in arguments}
    if exclusive and exclusive in given:
        if len(given) > 2:
            raise OaiError("badArgument", f"{exclusive} is an exclusive argument")
        return given
    missing = [name for name in required if not given.get(name)]
    if missing:
        raise OaiError("badArgument", f"{verb} needs {', '.join(missing)}")
    return given


def respond(request_xml: str, body: str) -> Response:
    now = dt.datetime.now(dt.timezone.utc).strftime(GRANULARITY)
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<OAI-PMH xmlns="{OAI}" '
           f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="{OAI} {SCHEMA}">\n'
           f"<responseDate>{now}</responseDate>\n{request_xml}\n{body}\n</OAI-PMH>\n")
    return Response(xml, mimetype="text/xml")


def request_element(arguments: dict) -> str:
    attributes = "".join(f" {name}={quoteattr(value)}" for name, value in arguments.items()
                         if name in ("verb", "identifier", "metadataPrefix", "from", "until", "set", "resumptionToken"))
    return f"<request{attributes}>{escape(base_url())}</request>"


def base_url() -> str:
    return current_app.config["BASE"] + "oai"


def host() -> str:
    return urlsplit(current_app.config["BASE"]).hostname


def oai_identifier(key: str) -> str:
    return f"oai:{host()}:{key}"


def key_of(identifier: str) -> str:
    prefix = f"oai:{host()}:"
    key = identifier[len(prefix):] if identifier.startswith(prefix) else ""
    if not re.fullmatch(r"[a-z0-9]{1,64}", key):
        raise OaiError("idDoesNotExist", f"{identifier} is not an identifier of this repository")
    return key


# --- the verbs ------------------------------------------------------------------------------------

def identify(arguments: dict) -> str:
    items = record_list.listed()
    earliest = min((item.changed for item in items), default="1970-01-01T00:00:00Z")
    sample = oai_identifier(items[0].key if items else "abc123")
    return (f"<Identify><repositoryName>{escape(current_app.config['SITE_NAME'])}</repositoryName>"
            f"<baseURL>{escape(base_url())}</baseURL><protocolVersion>2.0</protocolVersion>"
            f"<adminEmail>{escape(admin_email())}</adminEmail>"
            f"<earliestDatestamp>{earliest}</earliestDatestamp><deletedRecord>persistent</deletedRecord>"
            f"<granularity>YYYY-MM-DDThh:mm:ssZ</granularity><description>"
            f'<oai-identifier xmlns="http://www.openarchives.org/OAI/2.0/oai-identifier" '
            f'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai-identifier '
            f'http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"><scheme>oai</scheme>'
            f"<repositoryIdentifier>{escape(host())}</repositoryIdentifier><delimiter>:</delimiter>"
            f"<sampleIdentifier>{escape(sample)}</sampleIdentifier></oai-identifier></description></Identify>")


def admin_email() -> str:
    """KGPUB_ADMIN_EMAIL, else webmaster@ the base's host (the schema wants a dot in the domain)."""
    domain = host() if "." in host() else f"{host()}.localdomain"
    return current_app.config["ADMIN_EMAIL"] or f"webmaster@{domain}"


def list_metadata_formats(arguments: dict) -> str:
    if "identifier" in arguments:
        find_item(key_of(arguments["identifier"]))
    formats = "".join(f"<metadataFormat><metadataPrefix>{prefix}</metadataPrefix><schema>{module.SCHEMA}</schema>"
                      f"<metadataNamespace>{module.NAMESPACE}</metadataNamespace></metadataFormat>"
                      for prefix, module in FORMATS.items())
    return f"<ListMetadataFormats>{formats}</ListMetadataFormats>"


def list_sets(arguments: dict) -> str:
    if "resumptionToken" in arguments:  # the list of sets comes whole, so no token is ever ours
        raise OaiError("badResumptionToken", "ListSets hands out no resumption tokens")
    in_use = {spec for item in record_list.listed() for spec in item.sets}
    return f"<ListSets>{oai_sets.list_sets_xml(in_use)}</ListSets>"


def get_record(arguments: dict) -> str:
    module = metadata_format(arguments["metadataPrefix"])
    item, record = find_item(key_of(arguments["identifier"]))
    return f"<GetRecord>{record_xml(item, module, record)}</GetRecord>"


def list_identifiers(arguments: dict) -> str:
    return listing(arguments, "ListIdentifiers", lambda item, module: header_xml(item))


def list_records(arguments: dict) -> str:
    return listing(arguments, "ListRecords", record_xml)


HANDLERS = {"Identify": identify, "ListMetadataFormats": list_metadata_formats, "ListSets": list_sets,
            "GetRecord": get_record, "ListIdentifiers": list_identifiers, "ListRecords": list_records}


# --- lists and their pages --------------------------------------------------------------------------

def listing(arguments: dict, verb: str, show) -> str:
    state = token_state(arguments["resumptionToken"]) if "resumptionToken" in arguments else first_state(arguments)
    module = metadata_format(state["p"])
    items = record_list.listed()
    size = matching_count(items, state["f"], state["u"], state["s"])
    if not size:
        raise OaiError("noRecordsMatch", "no record matches the request")
    # The list is by key: a page starts after the token's key and takes the next matches (plus one,
    # to know whether more follow), instead of filtering the whole list again for every page.
    start = bisect.bisect_right(items, state["k"], key=lambda item: item.key)
    found = islice((item for item in islice(items, start, None) if matches(item, state["f"], state["u"], state["s"])),
                   PAGE_SIZE + 1)
    page = list(found)
    more, page = len(page) > PAGE_SIZE, page[:PAGE_SIZE]
    shown = "".join(show(item, module) for item in page)
    cursor = state["c"]
    if more:
        token = new_token({**state, "k": page[-1].key, "c": cursor + len(page)})
        shown += f'<resumptionToken completeListSize="{size}" cursor="{cursor}">{token}</resumptionToken>'
    elif "resumptionToken" in arguments:  # the last page of a list: an empty token says so
        shown += f'<resumptionToken completeListSize="{size}" cursor="{cursor}"/>'
    return f"<{verb}>{shown}</{verb}>"


def matches(item: Listed, start: str, end: str, wanted_set: str) -> bool:
    return start <= item.changed <= end and (not wanted_set or wanted_set in item.sets)


_counts: dict[tuple, int] = {}  # (store version, from, until, set) -> how many match: completeListSize


def matching_count(items: list[Listed], start: str, end: str, wanted_set: str) -> int:
    """Counted once per version of the store and request, not on each of a harvest's thousand pages."""
    which = (current_app.config["STORE"], snapshot_view.current().snapshot, start, end, wanted_set)
    if which not in _counts:
        if len(_counts) >= 256:
            _counts.clear()
        _counts[which] = sum(1 for item in items if matches(item, start, end, wanted_set))
    return _counts[which]


def first_state(arguments: dict) -> dict:
    wanted = arguments.get("set", "")
    if wanted and not oai_sets.SET_SPEC.fullmatch(wanted):
        raise OaiError("badArgument", f"{wanted!r} is not a setSpec (ask ListSets)")
    metadata_format(arguments["metadataPrefix"])
    start = "from" in arguments and bound(arguments["from"], start=True)
    end = "until" in arguments and bound(arguments["until"], start=False)
    if start and end and len(arguments["from"]) != len(arguments["until"]):
        raise OaiError("badArgument", "from and until must have the same granularity")
    now = dt.datetime.now(dt.timezone.utc).strftime(GRANULARITY)
    state = {"p": arguments["metadataPrefix"], "f": start or "0000-01-01T00:00:00Z",
             "u": min(end, now) if end else now, "k": "", "c": 0, "s": wanted}
    if state["f"] > state["u"]:
        raise OaiError("badArgument" if end else "noRecordsMatch", "from is after until")
    return state


def bound(value: str, start: bool) -> str:
    if SECOND.fullmatch(value):
        moment = value
    elif DAY.fullmatch(value):
        moment = value + ("T00:00:00Z" if start else "T23:59:59Z")
    else:
        raise OaiError("badArgument", f"{value!r} is not a date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)")
    try:
        dt.datetime.strptime(moment, GRANULARITY)
    except ValueError:
        raise OaiError("badArgument", f"{value!r} is not a date") from None
    return moment


def new_token(state: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode("utf-8")).decode("ascii")


def token_state(token: str) -> dict:
    try:
        state = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
        if set(state) != {"p", "f", "u", "k", "c", "s"} or not isinstance(state["c"], int) \
                or not all(isinstance(state[name], str) for name in "pfuks"):
            raise ValueError(token)
    except (ValueError, UnicodeError, binascii.Error):
        raise OaiError("badResumptionToken", "the resumption token is not one of ours, or was changed") from None
    return state


def metadata_format(prefix: str):
    module = FORMATS.get(prefix)
    if module is None:
        raise OaiError("cannotDisseminateFormat", f"{prefix!r} is not a metadata format here; ask ListMetadataFormats")
    return module


# --- records ----------------------------------------------------------------------------------------

def find_item(key: str) -> tuple[Listed, StoredRecord | None]:
    """One record's header facts by index lookups (GetRecord must not list the repository), and
    the record itself unless it is deleted (its sets are read from it, and GetRecord shows it)."""
    store, base = snapshot_view.current().store, current_app.config["BASE"]
    graph = iris.record_graph(base, key)
    stamp = next((t.object.value for t in store.triples(graph, DCTERMS.modified, None)), None)
    if stamp is not None:
        record = read_item(key)
        return Listed(key, utc_seconds(stamp), sets=oai_sets.set_specs(base, facets_of(record))), record
    stone = lifecycle.tombstone(store, iris.output(base, key).value)
    if stone is not None:
        return Listed(key, utc_seconds(stone.invalidated), True), None
    removed = dict(store.removed_since(None)).get(graph)
    if removed is not None:
        return Listed(key, utc_seconds(removed), True), None
    raise OaiError("idDoesNotExist", f"{oai_identifier(key)} is not an identifier of this repository")


def header_xml(item: Listed) -> str:
    status = ' status="deleted"' if item.deleted else ""
    sets = "".join(f"<setSpec>{spec}</setSpec>" for spec in item.sets)
    return (f"<header{status}><identifier>{escape(oai_identifier(item.key))}</identifier>"
            f"<datestamp>{item.changed}</datestamp>{sets}</header>")


def record_xml(item: Listed, module, record: StoredRecord | None = None) -> str:
    """A record in a list (read here), or GetRecord's (read already by find_item)."""
    if item.deleted:
        return f"<record>{header_xml(item)}</record>"
    record = record or read_item(item.key)
    return f"<record>{header_xml(item)}<metadata>{module.metadata(record)}</metadata></record>"


def read_item(key: str) -> StoredRecord:
    base = current_app.config["BASE"]
    triples = snapshot_view.current().store.graph_triples(iris.record_graph(base, key))
    return read_record(triples, iris.output(base, key).value)
