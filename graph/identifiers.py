"""Identifiers with check digits, checked by python-stdnum: ISSN, ISBN, ORCID iD.

The importers read an identifier's form (graph/importers/text.py, fields.py); here its check digit
is checked. A value with a wrong check digit is a typo more often than not: the record keeps it (the
source said it) and is warned, naming the value, but the value is no identity key (graph/keys.py):
two journals do not become one, nor two people one, because of a typo. ISBNs are kept as ISBN-13,
whichever form the source gave (an ISBN-10 converts exactly).
"""
from __future__ import annotations

from stdnum import isbn, issn
from stdnum.iso7064 import mod_11_2

from kgpub.graph.record import Record


def valid_issn(value: str | None) -> bool:
    return bool(value) and issn.is_valid(value)


def valid_orcid(value: str | None) -> bool:
    """An ORCID iD's last character is an ISO 7064 11-2 check digit over the other fifteen."""
    return bool(value) and mod_11_2.is_valid(value.replace("-", ""))


def isbn13(value: str) -> str:
    """'0306406152' -> '9780306406157'; an ISBN-13 stays as it is (digits only)."""
    return isbn.to_isbn13(value).replace("-", "") if isbn.is_valid(value) else value


def check_identifiers(record: Record) -> None:
    """Warn of every ISSN, ISBN and ORCID iD of the record whose check digit is wrong; ISBNs put
    in their stored form (ISBN-13 digits)."""
    for kind in ("isbn_print", "isbn_electronic"):
        for value in getattr(record, kind):
            if not isbn.is_valid(value):
                record.add_problem("ISBN", f"the ISBN {value} has a wrong check digit or length: kept as given",
                                   "warning")
        setattr(record, kind, list(dict.fromkeys(isbn13(value) for value in getattr(record, kind))))
    journal = record.journal
    for label, value in (("ISSN", journal and journal.issn), ("electronic ISSN", journal and journal.eissn)):
        if value and not valid_issn(value):
            record.add_problem("journal", f"the {label} {value} has a wrong check digit: kept as given, but not "
                                          "used to tell which journal this is", "warning")
    for n, person in enumerate(record.authors, start=1):
        if person.orcid and not valid_orcid(person.orcid):
            record.add_problem("author", f"the ORCID iD {person.orcid} of author {n} ({person.display_name}) has a "
                                         "wrong check digit: kept as given, but not used to tell who this is",
                               "warning")
