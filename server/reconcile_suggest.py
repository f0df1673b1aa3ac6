"""The reconciliation service's suggest services: entities, types and properties whose names start
with what the user has typed so far (every word typed is the start of a word of the name, the last
one perhaps unfinished), for the client's auto-completion. An id of ours, or a DOI, as the prefix
suggests its entity first, as the specification expects.
"""
from __future__ import annotations

from kgpub.graph import iris
from kgpub.graph.importers.text import clean_doi
from kgpub.graph.keys import normalise
from kgpub.graph.namespaces import DATACITE
from kgpub.graph.search import MAX_LIMIT as SEARCH_MAX_LIMIT
from kgpub.server import reconcile_entities as entities
from kgpub.server.reconcile_extend import entity_name
from kgpub.server.reconcile_schema import KINDS, PROPERTIES, all_types, find_type
from kgpub.server.resolver import find as find_by_identifier


def starts_words(prefix: str, name: str | None) -> bool:
    """Each word of the prefix begins some word of the name ("wads l" for "Lars Wadsö")."""
    typed, words = normalise(prefix).split(), normalise(name or "").split()
    return bool(typed) and all(any(word.startswith(t) for word in words) for t in typed)


def suggest_entities(prefix: str, kinds: tuple[str, ...], count: int) -> list[dict]:
    """Up to `count` entities of these kinds, the one the prefix names first."""
    found = named_entities(prefix)
    for kind in kinds:
        if len(found) >= count:
            break
        found += SUGGESTERS[kind](prefix, count - len(found))
    unique: dict[str, dict] = {}
    for item in found:
        unique.setdefault(item["id"], item)
    return list(unique.values())[:count]


def named_entities(prefix: str) -> list[dict]:
    stem = entities.entity_id(prefix.strip()) or prefix.strip()
    named = [stem] if entities.entity_iri(stem) is not None else []
    if doi := clean_doi(prefix):
        named += [entities.entity_id(iri) for iri in find_by_identifier([doi], (DATACITE.doi,)) if iris.is_output(iri)]
    items = []
    for entity in named:
        if entity and (known := entity_name(entity)):
            kind = entities.kind_of(entity)
            items.append(item(entity, known[0], known[1], [KINDS[kind].reference()] if kind in KINDS else []))
    return items


def item(entity: str, name: str, description: str, notable: list[dict]) -> dict:
    found = {"id": entity, "name": name, "notable": notable}
    if description:
        found["description"] = description
    return found


def suggested_outputs(prefix: str, count: int) -> list[dict]:
    hits = entities.store().search.search(prefix, limit=min(count, SEARCH_MAX_LIMIT)).hits if prefix.strip() else ()
    items = []
    for hit in hits:
        stem = entities.entity_id(hit.type_iri) if hit.type_iri else None
        notable = [KINDS["output"].reference()] + ([t.reference()] if stem and (t := find_type(stem)) else [])
        where = ", ".join(filter(None, (hit.journal_title, hit.year)))
        items.append(item(entities.entity_id(hit.iri) or hit.iri, hit.title or hit.iri, where, notable))
    return items


def suggested_persons(prefix: str, count: int) -> list[dict]:
    """Authors whose names start so, from the outputs the search index finds for the prefix."""
    if not prefix.strip():
        return []
    people: dict[str, dict] = {}
    for hit in entities.store().search.search(prefix, limit=min(count, SEARCH_MAX_LIMIT)).hits:
        record = entities.read_output(hit.iri) if any(starts_words(prefix, n) for n in hit.authors) else None
        for author in record.authors if record else ():
            if starts_words(prefix, author.name) and author.iri not in people:
                people[author.iri] = item(entities.entity_id(author.iri) or author.iri, author.name,
                                          f"ORCID {author.orcid}" if author.orcid else "",
                                          [KINDS["person"].reference()])
        if len(people) >= count:
            break
    return list(people.values())[:count]


def suggested_journals(prefix: str, count: int) -> list[dict]:
    journals = [j for j in entities.journal_list().journals if starts_words(prefix, j.name)]
    journals.sort(key=lambda j: (not normalise(j.name or "").startswith(normalise(prefix)), normalise(j.name or "")))
    return [item(entities.entity_id(j.iri) or j.iri, j.name or j.iri, " · ".join(j.values("issn", "eissn")),
                 [KINDS["journal"].reference()]) for j in journals[:count]]


def suggested_subjects(prefix: str, count: int) -> list[dict]:
    typed = prefix.strip()
    chosen = [s for s in entities.subjects() if (typed.isdigit() and s.code.startswith(typed))
              or starts_words(prefix, s.label)]
    return [item(f"asjc/{s.code}", s.label, f"ASJC {s.code} · {s.area}", [KINDS["asjc"].reference()])
            for s in chosen[:count]]


SUGGESTERS = {"output": suggested_outputs, "person": suggested_persons, "journal": suggested_journals,
              "asjc": suggested_subjects}


def suggest_types(prefix: str) -> list[dict]:
    return [t.as_json() for t in all_types() if not prefix.strip() or starts_words(prefix, t.name)
            or t.id.startswith(prefix.strip())]


def suggest_properties(prefix: str, kind: str | None) -> list[dict]:
    return [p.as_json() for p in PROPERTIES.values() if (kind is None or kind in p.kinds)
            and (not prefix.strip() or starts_words(prefix, p.name) or p.id.startswith(prefix.strip().lower()))]
