"""SPARQL SELECT results written row by row, so that the endpoint can stop at its row cap.

pyoxigraph serializes a whole result at once and cannot stop after N rows, so the query process
reads solutions itself (at most the cap, plus one to tell whether there were more) and writes
them here in the four W3C result formats: SPARQL 1.1 Query Results JSON, XML, CSV and TSV.
ASK results and graphs are serialized by pyoxigraph itself (query_process.py).
"""
from __future__ import annotations

import csv
import io
import json
from typing import Callable, Sequence
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, NamedNode, Triple

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
Row = Sequence  # one term or None per variable, in the order of the variables


def json_term(term) -> dict:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Triple):
        return {"type": "triple", "value": {"subject": json_term(term.subject),
                                            "predicate": json_term(term.predicate),
                                            "object": json_term(term.object)}}
    encoded = {"type": "literal", "value": term.value}
    if term.language:
        encoded["xml:lang"] = term.language
        if term.direction is not None:
            encoded["its:dir"] = str(term.direction)
    elif term.datatype.value != XSD_STRING:
        encoded["datatype"] = term.datatype.value
    return encoded


def write_json(variables: list[str], rows, out: io.BufferedIOBase) -> int:
    out.write(json.dumps({"head": {"vars": variables}})[:-1].encode() + b',"results":{"bindings":[')
    count = 0
    for row in rows:
        binding = {v: json_term(t) for v, t in zip(variables, row) if t is not None}
        out.write((b"," if count else b"") + json.dumps(binding, ensure_ascii=False).encode())
        count += 1
    out.write(b"]}}")
    return count


def xml_term(term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Triple):
        return (f"<triple><subject>{xml_term(term.subject)}</subject><predicate>{xml_term(term.predicate)}"
                f"</predicate><object>{xml_term(term.object)}</object></triple>")
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def write_xml(variables: list[str], rows, out: io.BufferedIOBase) -> int:
    head = "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
    out.write(('<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
               f"<head>{head}</head><results>").encode())
    count = 0
    for row in rows:
        cells = "".join(f"<binding name={quoteattr(v)}>{xml_term(t)}</binding>"
                        for v, t in zip(variables, row) if t is not None)
        out.write(f"<result>{cells}</result>".encode())
        count += 1
    out.write(b"</results></sparql>")
    return count


def csv_term(term) -> str:
    """CSV keeps values only (SPARQL 1.1 CSV): an IRI's text, a literal's lexical form."""
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, Triple):
        return str(term)
    return term.value


def write_csv(variables: list[str], rows, out: io.BufferedIOBase) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(variables)
    count = 0
    for row in rows:
        writer.writerow([csv_term(t) for t in row])
        count += 1
    text.detach()
    return count


def write_tsv(variables: list[str], rows, out: io.BufferedIOBase) -> int:
    """TSV keeps whole terms in their Turtle/N-Triples form (pyoxigraph's str of a term)."""
    out.write(("\t".join(f"?{v}" for v in variables) + "\n").encode())
    count = 0
    for row in rows:
        out.write(("\t".join("" if t is None else str(t) for t in row) + "\n").encode())
        count += 1
    return count


WRITERS: dict[str, Callable[[list[str], object, io.BufferedIOBase], int]] = {
    "json": write_json, "xml": write_xml, "csv": write_csv, "tsv": write_tsv,
}
