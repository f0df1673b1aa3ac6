"""`kgpub journals` and `kgpub persons`: what ingest did not merge because it was not sure, listed
for a librarian to decide (graph/journal_report.py, graph/person_report.py)."""
from __future__ import annotations

import json

import click

from kgpub.graph import journal_report, person_report
from kgpub.store_options import opened_store, store_option

SHOWN = 50  # groups printed on the terminal; --json has them all
PERSONS_SHOWN = 5  # of one proposal


@click.command()
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print every finding as JSON instead of the first ones as text.")
def journals(store_dir, as_json):
    """List journals that may be one journal stored twice, and journals whose records disagree on the title."""
    with opened_store(store_dir) as store:
        stored = journal_report.stored_journals(store)
    duplicates = journal_report.suspected_duplicates(stored)
    mixed = journal_report.mixed_titles(stored)
    if as_json:
        click.echo(json.dumps({"journals": len(stored),
                               "suspected_duplicates": [[j.as_dict() for j in group] for group in duplicates],
                               "mixed_titles": [j.as_dict() for j in mixed]}, ensure_ascii=False, indent=1))
        return
    click.echo(f"{len(stored):,} journals; {len(duplicates):,} groups of suspected duplicates; "
               f"{len(mixed):,} with titles of different journals.")
    if duplicates:
        click.echo("\nSuspected duplicates: journals sharing a title or its ISO 4 abbreviation, kept apart because "
                   "their ISSNs differ or the title named them about equally. Merge them at the source (one ISSN "
                   "and title) and ingest again; or leave them, if they are different journals.")
    for n, group in enumerate(duplicates[:SHOWN], start=1):
        click.echo(f"\n{n}. {group[0].title!r}: {len(group)} journals")
        for journal in group:
            click.echo(f"   {describe(journal)}")
    if mixed:
        click.echo("\nMixed titles: a journal whose records give titles of different journals (usually one ISSN "
                   "copied into another journal's records in a source).")
    for journal in mixed[:SHOWN]:
        click.echo(f"   {describe(journal)}")
    if len(duplicates) > SHOWN or len(mixed) > SHOWN:
        click.echo(f"\n(the first {SHOWN} of each; --json lists them all)")


@click.command()
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print every proposal as JSON instead of the first ones as text.")
def persons(store_dir, as_json):
    """Propose persons (without ORCID or Pure UUID) who may be one person: same name, and a co-author or journal in common."""
    with opened_store(store_dir) as store:
        proposals = person_report.proposed_matches(store)
    if as_json:
        click.echo(json.dumps([p.as_dict() for p in proposals], ensure_ascii=False, indent=1))
        return
    click.echo(f"{len(proposals):,} proposed matches: persons with the same name who share a co-author or a journal. "
               "kgpub never merges them by itself: give them an ORCID iD in the sources, and ingest again.")
    for n, proposal in enumerate(proposals[:SHOWN], start=1):
        click.echo(f"\n{n}. {proposal.name}: {len(proposal.persons)} persons; {proposal.evidence}")
        for person in proposal.persons[:PERSONS_SHOWN]:
            click.echo(f"   {person.iri}  ({person.output_title})")
        if len(proposal.persons) > PERSONS_SHOWN:
            click.echo(f"   … and {len(proposal.persons) - PERSONS_SHOWN} more")
    if len(proposals) > SHOWN:
        click.echo(f"\n(the first {SHOWN}; --json lists them all)")


def describe(journal: journal_report.StoredJournal) -> str:
    issns = f"ISSN {', '.join(sorted(journal.issns))}" if journal.issns else "no ISSN"
    titles = "; ".join(f"{title!r} ×{count:,}" for title, count in journal.titles.most_common(4))
    more = f"; {len(journal.titles) - 4} more titles" if len(journal.titles) > 4 else ""
    return f"{journal.iri}  {journal.records:,} records, {issns}: {titles}{more}"
