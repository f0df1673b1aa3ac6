"""Reading what a reconciliation client sends: a query batch (`queries=`) or a data extension
query (`extend=`), as JSON, into the typed requests the matcher and the extension answer.

It refuses what the Reconciliation API 0.2 JSON Schemas refuse (a query with neither `query` nor
`properties`, a misnamed field, a value of the wrong type), and what this service cannot answer
(a type or property it does not have, a batch over its size), each with a message that names the
query and the field. The schemas themselves are test data (tests/test_reconcile.py checks that
what they call invalid is refused here); nothing reads them at run time.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

from kgpub.server.reconcile_schema import (DEFAULT_LIMIT, KINDS, MAX_BATCH, MAX_EXTEND_IDS, MAX_LIMIT,
                                           MAX_PROPERTIES, MAX_QUERY_CHARS, MAX_VALUES, PROPERTIES, EntityType,
                                           Property, find_type)

QUERY_FIELDS = ("query", "type", "limit", "properties", "type_strict")
TYPE_STRICT = ("any", "should", "all")


class RequestError(ValueError):
    """A request this service refuses; the message says what to change. `status` is 400, or 413
    for a batch larger than the manifest's batchSize."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class EntityValue:
    """A property value that is an entity the client reconciled before: its id, maybe its name."""
    id: str
    name: str | None = None


Value = str | EntityValue  # numbers and booleans are read as their JSON text: 2006 -> "2006"


@dataclass(frozen=True)
class Constraint:
    property: Property
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Query:
    key: str  # the query's name in the batch; its result goes under the same name
    text: str | None
    types: tuple[EntityType, ...]
    limit: int
    constraints: tuple[Constraint, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.kind for t in self.types))

    def values_of(self, property_id: str) -> tuple[Value, ...]:
        return tuple(v for c in self.constraints if c.property.id == property_id for v in c.values)


@dataclass(frozen=True)
class ExtensionQuery:
    ids: tuple[str, ...]
    properties: tuple[tuple[Property, int], ...]  # each with its `limit` setting (0: every value)


def parse_json(text: str, parameter: str):
    """JSON as the protocol sends it: no NaN or Infinity, text that UTF-8 can carry."""
    def refuse_constant(name: str):
        raise RequestError(f"{parameter} holds {name}, which is not JSON")
    try:
        value = json.loads(text, parse_constant=refuse_constant)
        json.dumps(value, ensure_ascii=False).encode("utf-8")  # a lone surrogate (\ud800) cannot be stored or shown
    except RequestError:
        raise
    except (ValueError, RecursionError) as err:
        reason = "it nests too deeply" if isinstance(err, RecursionError) else str(err)
        raise RequestError(f"{parameter} must be JSON: {reason}") from None
    return value


def parse_batch(text: str) -> list[Query]:
    batch = parse_json(text, "queries")
    if not isinstance(batch, dict):
        raise RequestError('queries must be a JSON object of named queries: {"q0": {"query": "…"}, …}')
    if len(batch) > MAX_BATCH:
        raise RequestError(f"the batch holds {len(batch)} queries; this service takes at most {MAX_BATCH} in one "
                           "request (its manifest's batchSize)", 413)
    return [parse_query(key, body) for key, body in batch.items()]


def parse_query(key: str, body) -> Query:
    where = f"query {key[:100]!r}"
    if not isinstance(body, dict):
        raise RequestError(f"{where} must be a JSON object, not {json_kind(body)}")
    unknown = [name for name in body if name not in QUERY_FIELDS]
    if unknown:
        raise RequestError(f"{where} has the field {unknown[0][:100]!r}; a query has only " + ", ".join(QUERY_FIELDS))
    text = body.get("query")
    if text is not None and not isinstance(text, str):
        raise RequestError(f"{where}: query must be a string, not {json_kind(text)}")
    if text is not None and len(text) > MAX_QUERY_CHARS:
        raise RequestError(f"{where}: query is {len(text)} characters long; at most {MAX_QUERY_CHARS} are allowed")
    raw_constraints = body.get("properties")
    if text is None and not raw_constraints:
        raise RequestError(f"{where} needs a query string or at least one property")
    if body.get("type_strict", "any") not in TYPE_STRICT:
        raise RequestError(f"{where}: type_strict must be one of " + ", ".join(TYPE_STRICT))
    types = parse_types(where, body.get("type"))
    constraints = parse_constraints(where, raw_constraints, types)
    text = text.strip() if text else None
    return Query(key, text or None, types, parse_limit(where, body), constraints)


def parse_types(where: str, given) -> tuple[EntityType, ...]:
    """The query's types; none given: research outputs."""
    if given is None or given == []:
        return (KINDS["output"],)
    names = [given] if isinstance(given, str) else given
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise RequestError(f"{where}: type must be a type id or a list of them")
    if len(names) > MAX_VALUES:
        raise RequestError(f"{where} names {len(names)} types; at most {MAX_VALUES} are allowed")
    found = []
    for name in names:
        entity_type = find_type(name)
        if entity_type is None:
            raise RequestError(f"{where}: there is no type {name[:100]!r} here; the types are {', '.join(KINDS)} "
                               "and the output types type/… (suggest/type lists them)")
        found.append(entity_type)
    return tuple(dict.fromkeys(found))


def parse_limit(where: str, body: dict) -> int:
    limit = body.get("limit", DEFAULT_LIMIT)
    whole = isinstance(limit, int) or (isinstance(limit, float) and limit.is_integer())
    if isinstance(limit, bool) or not whole or limit < 1:
        raise RequestError(f"{where}: limit must be a positive whole number, not {json.dumps(limit)[:40]}")
    return min(int(limit), MAX_LIMIT)


def parse_constraints(where: str, given, types: tuple[EntityType, ...]) -> tuple[Constraint, ...]:
    if given is None:
        return ()
    if not isinstance(given, list):
        raise RequestError(f"{where}: properties must be a list of {{\"pid\": …, \"v\": …}}")
    if len(given) > MAX_PROPERTIES:
        raise RequestError(f"{where} has {len(given)} properties; at most {MAX_PROPERTIES} are allowed")
    kinds = {t.kind for t in types}
    constraints = []
    for item in given:
        if not isinstance(item, dict) or not isinstance(item.get("pid"), str) or "v" not in item:
            raise RequestError(f"{where}: each property must be an object with a string pid and a value v")
        prop = PROPERTIES.get(item["pid"])
        if prop is None or not prop.in_queries or not kinds & set(prop.kinds):
            usable = sorted(p.id for p in PROPERTIES.values() if p.in_queries and kinds & set(p.kinds))
            raise RequestError(f"{where}: the property {item['pid'][:100]!r} cannot constrain a query of type "
                               f"{', '.join(t.id for t in types)}; these can: {', '.join(usable) or 'none'}")
        values = item["v"] if isinstance(item["v"], list) else [item["v"]]
        if len(values) > MAX_VALUES:
            raise RequestError(f"{where}: property {prop.id!r} has {len(values)} values; at most {MAX_VALUES}")
        constraints.append(Constraint(prop, tuple(parse_value(where, prop, v) for v in values)))
    return tuple(constraints)


def parse_value(where: str, prop: Property, value) -> Value:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, str):
        if len(value) > MAX_QUERY_CHARS:
            raise RequestError(f"{where}: a value of {prop.id!r} is longer than {MAX_QUERY_CHARS} characters")
        return value.strip()
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        name = value.get("name")
        return EntityValue(value["id"], name if isinstance(name, str) else None)
    raise RequestError(f"{where}: a value of {prop.id!r} must be a string, number, boolean or "
                       f"{{\"id\": …}}, not {json_kind(value)}")


def parse_extension(text: str) -> ExtensionQuery:
    body = parse_json(text, "extend")
    if not isinstance(body, dict) or not isinstance(body.get("ids"), list) \
            or not isinstance(body.get("properties"), list):
        raise RequestError('extend must be a JSON object {"ids": […], "properties": [{"id": …}, …]}')
    ids = body["ids"]
    if not all(isinstance(i, str) for i in ids):
        raise RequestError("extend: ids must be strings")
    if len(ids) > MAX_EXTEND_IDS:
        raise RequestError(f"extend: {len(ids)} ids; at most {MAX_EXTEND_IDS} in one request")
    if len(body["properties"]) > MAX_PROPERTIES:
        raise RequestError(f"extend: {len(body['properties'])} properties; at most {MAX_PROPERTIES}")
    return ExtensionQuery(tuple(dict.fromkeys(ids)), tuple(parse_extension_property(p) for p in body["properties"]))


def parse_extension_property(item) -> tuple[Property, int]:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        raise RequestError('extend: each property must be an object with a string id: {"id": "doi"}')
    prop = PROPERTIES.get(item["id"])
    if prop is None:
        raise RequestError(f"extend: there is no property {item['id'][:100]!r}; the properties are "
                           + ", ".join(PROPERTIES))
    settings = item.get("settings", {})
    if not isinstance(settings, dict):
        raise RequestError(f"extend: the settings of {prop.id!r} must be an object")
    return prop, value_limit(prop, settings.get("limit", 0))


def value_limit(prop: Property, given) -> int:
    """The `limit` setting: how many values per entity (0: all); OpenRefine sends it as text."""
    try:
        limit = float(given) if not isinstance(given, bool) else math.nan
    except (TypeError, ValueError, OverflowError):
        limit = math.nan
    if not limit.is_integer() or limit < 0:
        raise RequestError(f"extend: the limit setting of {prop.id!r} must be a whole number, 0 for all values")
    return int(min(limit, 10_000))


def json_kind(value) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number")
