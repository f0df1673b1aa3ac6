"""Persons who may be one person (`kgpub persons`): proposed to a librarian, never merged by kgpub.

A person with an ORCID iD or a Pure UUID is one IRI across records already (keys.person_key). One
without is a person of one record's author list. Two persons are proposed as one when they have the
same name (family name and first initial, normalised: "Holmgren, K." ~ "Karin Holmgren") and share
a co-author (by the same kind of name) or a journal. At least one of them has no identifier: two
ORCID iDs are two people.
"""
from __future__ import annotations

import collections
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from kgpub.graph import iris, keys
from kgpub.graph.linked_groups import linked_groups
from kgpub.graph.namespaces import DCTERMS, FABIO, FOAF
from kgpub.graph.store import Store


@dataclass
class StoredPerson:
    iri: str
    name: str
    name_key: str
    graphs: set[str] = field(default_factory=set)
    output_title: str = ""  # of one of its outputs, to tell it by

    @property
    def identified(self) -> bool:
        return keys.is_identified_person(self.iri.rsplit("/", 1)[-1])


@dataclass
class Proposal:
    name: str
    persons: list[StoredPerson]
    evidence: str  # "co-author Jonas Berg; journal Europe-Asia Studies"

    def as_dict(self) -> dict:
        return {"name": self.name, "evidence": self.evidence,
                "persons": [{"iri": p.iri, "name": p.name, "output": p.output_title} for p in self.persons]}


def name_key(family: str | None, given: str | None, whole: str) -> str:
    """"holmgren k": the family name and the first letter of the given name, normalised."""
    if not family:
        return keys.normalise(whole)
    initial = keys.normalise(given or "")[:1]
    return f"{keys.normalise(family)} {initial}".strip()


def proposed_matches(store: Store) -> list[Proposal]:
    persons, journals = stored_persons(store), journals_by_graph(store)
    people_in = collections.defaultdict(list)  # graph -> its persons
    for person in persons.values():
        for graph in person.graphs:
            people_in[graph].append(person)
    proposals = []
    by_name = collections.defaultdict(list)
    for person in persons.values():
        by_name[person.name_key].append(person)
    for namesakes in by_name.values():
        if len(namesakes) > 1 and not all(p.identified for p in namesakes):
            proposals += linked_namesakes(namesakes, people_in, journals)
    titles = output_titles(store, {g for p in proposals for person in p.persons for g in person.graphs})
    for proposal in proposals:
        for person in proposal.persons:
            person.output_title = next((titles[g] for g in sorted(person.graphs) if g in titles), "")
    return sorted(proposals, key=lambda p: (-len(p.persons), p.name))


def linked_namesakes(namesakes: list[StoredPerson], people_in: dict, journals: dict) -> list[Proposal]:
    """Namesakes joined through shared co-authors or journals; groups with someone unidentified,
    with the co-authors and journals two or more of them share as the evidence."""
    def marks(person: StoredPerson) -> dict[tuple[str, str], str]:  # what it shares by -> the evidence shown
        found = {("co-author", other.name_key): f"co-author {other.name}" for g in person.graphs
                 for other in people_in[g] if other.name_key != person.name_key}
        return found | {("journal", title): f"journal {title}" for g in person.graphs for title in journals.get(g, ())}

    by_key = {p.iri: marks(p) for p in namesakes}
    proposals = []
    for members in linked_groups(namesakes, lambda p: by_key[p.iri]):
        if all(p.identified for p in members):
            continue
        held = collections.Counter(key for p in members for key in by_key[p.iri])
        found = sorted({by_key[p.iri][key] for p in members for key in by_key[p.iri] if held[key] > 1})
        proposals.append(Proposal(members[0].name, sorted(members, key=lambda p: p.iri),
                                  "; ".join(found[:3]) + (f"; {len(found) - 3} more" if len(found) > 3 else "")))
    return proposals


def stored_persons(store: Store) -> dict[str, StoredPerson]:
    persons: dict[str, StoredPerson] = {}
    for row in store.query(f"SELECT ?g ?p ?name ?family ?given WHERE {{ GRAPH ?g {{ ?p a {FOAF.Person} ; "
                           f"{FOAF.name} ?name OPTIONAL {{ ?p {FOAF.familyName} ?family }} "
                           f"OPTIONAL {{ ?p {FOAF.givenName} ?given }} }} }}"):
        if not iris.is_record_graph(row["g"]):
            continue
        family, given = (row[v].value if row[v] is not None else None for v in ("family", "given"))
        person = persons.setdefault(row["p"].value, StoredPerson(
            row["p"].value, row["name"].value, name_key(family, given, row["name"].value)))
        person.graphs.add(row["g"].value)
    return persons


def journals_by_graph(store: Store) -> dict[str, set[str]]:
    found = collections.defaultdict(set)
    for row in store.query(f"SELECT ?g ?t WHERE {{ GRAPH ?g {{ ?j a {FABIO.Journal} ; {DCTERMS.title} ?t }} }}"):
        found[row["g"].value].add(row["t"].value)
    return found


def output_titles(store: Store, graphs: set[str]) -> dict[str, str]:
    titles, wanted = {}, sorted(graphs)
    for start in range(0, len(wanted), 200):
        pairs = " ".join(f"({g} {iris.output_of_graph(g)})" for g in map(NamedNode, wanted[start:start + 200]))
        for row in store.query(f"SELECT ?g ?t WHERE {{ VALUES (?g ?o) {{ {pairs} }} GRAPH ?g {{ ?o {DCTERMS.title} ?t }} }}"):
            titles[row["g"].value] = row["t"].value
    return titles
