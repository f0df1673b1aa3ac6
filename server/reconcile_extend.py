"""Data extension for the reconciliation service: the values of our properties
(server/reconcile_schema.py) for entities a client has reconciled, and the properties proposed for
a type. The preview shows the same values, so a preview and an extension never disagree.

Values that are entities (a journal, an author, a subject, a Pure type) come as id and name in our
identifier space, so a client can extend them in turn; the rest as strings and numbers.
"""
from __future__ import annotations

from typing import Callable

from kgpub.server import reconcile_entities as entities
from kgpub.server.reconcile_requests import ExtensionQuery, RequestError
from kgpub.server.reconcile_schema import KINDS, Property, find_type, properties_of

Values = list[dict]


def proposed_properties(type_id: str, limit: int | None) -> dict:
    entity_type = find_type(type_id)
    if entity_type is None:
        raise RequestError(f"there is no type {type_id[:100]!r} here; the types are " + ", ".join(KINDS)
                           + " and the output types type/… (suggest/type lists them)")
    found = [p.as_json() for p in properties_of(entity_type.kind)][:limit]
    return {"type": type_id, "properties": found, **({"limit": limit} if limit else {})}


def extension(query: ExtensionQuery) -> dict:
    meta = [column_meta(prop) for prop, _ in query.properties]
    rows = {}
    for entity in query.ids:
        values = entity_values(entity)
        rows[entity] = {prop.id: values(prop)[:limit or None] for prop, limit in query.properties}
    return {"meta": meta, "rows": rows}


def column_meta(prop: Property) -> dict:
    found = {"id": prop.id, "name": prop.name}
    if prop.entity_kind:
        found["type"] = KINDS[prop.entity_kind].reference()
    return found


def entity_values(entity: str) -> Callable[[Property], Values]:
    """The reader of one entity's property values: read once, asked once per property."""
    iri, kind = entities.entity_iri(entity), entities.kind_of(entity)
    if iri is None:
        return lambda prop: []
    if kind == "output":
        record = entities.read_output(iri.value)
        return (lambda prop: output_values(record, prop.id)) if record else (lambda prop: [])
    if kind in ("person", "journal"):
        thing = entities.read_thing(iri.value)
        return (lambda prop: thing_values(thing, prop.id)) if thing else (lambda prop: [])
    if kind == "asjc" and (subject := entities.subject(entity.removeprefix("asjc/"))):
        return lambda prop: [{"str": subject.area}] if prop.id == "area" else []
    return lambda prop: []


def entity_name(entity: str) -> tuple[str, str] | None:
    """(name, kind name) of an entity that exists here; None for any other id."""
    iri, kind = entities.entity_iri(entity), entities.kind_of(entity)
    if iri is None:
        return None
    if kind == "output":
        record = entities.read_output(iri.value)
        return (record.full_title or entity, KINDS["output"].name) if record else None
    if kind in ("person", "journal"):
        thing = entities.read_thing(iri.value)
        return (thing.name or entity, KINDS[kind].name) if thing else None
    if kind == "asjc" and (subject := entities.subject(entity.removeprefix("asjc/"))):
        return subject.label, KINDS["asjc"].name
    if kind == "type" and (entity_type := find_type(entity)):
        return entity_type.name, "Research output type"
    return None


def output_values(record, property_id: str) -> Values:
    journal = record.journal
    if property_id == "doi":
        return [{"str": record.doi}] if record.doi else []
    if property_id == "year":
        year = (record.publication_date or "")[:4]
        return [{"int": int(year)}] if year.isdigit() else []
    if property_id == "journal":
        return [reference(journal.iri, journal.title)] if journal else []
    if property_id == "issn":
        return [{"str": value} for value in journal.values("issn", "eissn")] if journal else []
    if property_id == "author":
        return [reference(a.iri, a.name) for a in record.authors]
    if property_id == "orcid":
        return [{"str": a.orcid} for a in record.authors if a.orcid]
    if property_id == "subject":  # a record graph holds no vocabulary labels: the ASJC's own
        return [{"id": f"asjc/{s.code}", "name": subject.label if (subject := entities.subject(s.code)) else s.code}
                for s in record.subjects]
    if property_id == "type":
        stem = entities.entity_id(record.type.iri) if record.type else None
        entity_type = find_type(stem) if stem else None
        return [{"id": stem, "name": entity_type.name}] if entity_type else []
    if property_id == "citations":
        return [{"int": max(c.count for c in record.citations)}] if record.citations else []
    return []


def thing_values(thing: entities.Thing, property_id: str) -> Values:
    if property_id == "orcid":
        return [{"str": value} for value in thing.values("orcid")]
    if property_id == "issn":
        return [{"str": value} for value in thing.values("issn", "eissn")]
    return []


def reference(iri: str, name: str | None) -> dict:
    """An entity value: our id for the IRI (the IRI itself if it is not one of our things)."""
    entity = entities.entity_id(iri) or iri
    return {"id": entity, "name": name or entity}
