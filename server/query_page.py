"""The page a browser gets at /sparql: YASGUI (vendored in static/yasgui/, see SOURCE.txt) on this
server's own endpoint, with example queries for this data, and a plain form for browsers without
JavaScript.

The examples are written against docs/modelling.md; tests/test_query_page.py runs every one of them
through /sparql over the real records, so a change in the mapping that breaks one fails a test.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Response, current_app, render_template, request

from kgpub.graph.namespaces import PREFIXES


@dataclass(frozen=True)
class Example:
    title: str
    body: str  # the query without its PREFIX lines; "{base}" stands for the configured base IRI


EXAMPLES = (
    Example("Latest research outputs", """\
SELECT ?output ?title ?date WHERE {
  ?output dcterms:type ?type ; dcterms:title ?title ; prism:publicationDate ?date .
}
# dates are xsd:gYear, xsd:gYearMonth or xsd:date: as strings they sort together
ORDER BY DESC(STR(?date)) LIMIT 20"""),
    Example("Outputs per ASJC subject area", """\
# The ASJC scheme is its own named graph: a record's 4-digit subjects, their subject area (2 digits)
SELECT ?area ?areaName (COUNT(DISTINCT ?output) AS ?outputs)
       (GROUP_CONCAT(DISTINCT ?subjectName; SEPARATOR=" · ") AS ?subjects) WHERE {
  ?output dcterms:subject ?subject .
  GRAPH <{base}graph/asjc> {
    ?subject skos:prefLabel ?subjectName ; skos:broader ?area .
    ?area skos:notation ?code ; skos:prefLabel ?areaName .
  }
}
GROUP BY ?area ?areaName ORDER BY DESC(?outputs) ?areaName"""),
    Example("Outputs in a journal, by volume and issue", """\
# An output is part of its issue, the issue of its volume (when known), the volume of its journal
# (frbr:partOf, step by step); dcterms:isPartOf names the journal itself, in one step
SELECT ?journal ?volume ?issue ?pages ?title ?output WHERE {
  ?output dcterms:title ?title ; frbr:partOf ?container ; dcterms:isPartOf ?journalIri .
  ?journalIri a fabio:Journal ; dcterms:title ?journal .
  OPTIONAL { ?container frbr:partOf* ?volumeIri .
             ?volumeIri a fabio:JournalVolume ; fabio:hasSequenceIdentifier ?volume . }
  OPTIONAL { ?container a fabio:JournalIssue ; fabio:hasSequenceIdentifier ?issue . }
  OPTIONAL { ?output prism:startingPage ?first . OPTIONAL { ?output prism:endingPage ?last . }
             BIND(IF(BOUND(?last), CONCAT(?first, "-", ?last), ?first) AS ?pages) }
}
ORDER BY ?journal ?volume ?issue ?title"""),
    Example("Authors of an output, in order", """\
# Author roles are chained with oco:hasNext: an author's position is the number of roles up to it
SELECT ?title ?position ?name ?person WHERE {
  { SELECT ?output WHERE { ?output pro:isDocumentContextFor ?someRole }
    GROUP BY ?output ORDER BY DESC(COUNT(?someRole)) LIMIT 1 }
  { SELECT ?output ?role (COUNT(?before) AS ?position) WHERE {
      ?output pro:isDocumentContextFor ?role, ?before .
      ?before oco:hasNext* ?role .
    } GROUP BY ?output ?role }
  ?output dcterms:title ?title .
  ?role pro:withRole pro:author ; pro:isHeldBy ?person .
  ?person foaf:name ?name .
}
ORDER BY ?position"""),
    Example("Outputs by Scopus citation count", """\
SELECT ?citations ?harvested ?title ?output WHERE {
  ?output dcterms:title ?title ; c4o:hasGlobalCitationFrequency ?count .
  ?count c4o:hasGlobalCountSource <https://www.scopus.com/> ;
         c4o:hasGlobalCountValue ?citations ; c4o:hasGlobalCountDate ?harvested .
}
ORDER BY DESC(?citations) ?title"""),
    Example("DOIs", """\
SELECT ?doi ?link ?title ?output WHERE {
  ?output dcterms:title ?title ; datacite:hasIdentifier ?identifier .
  ?identifier datacite:usesIdentifierScheme datacite:doi ; literal:hasLiteralValue ?doi .
  BIND(IRI(CONCAT("https://doi.org/", ?doi)) AS ?link)
}
ORDER BY ?doi"""),
    Example("One record as RDF (CONSTRUCT)", """\
# Every triple of the latest output's own named graph
CONSTRUCT { ?s ?p ?o } WHERE {
  { SELECT ?output WHERE { ?output dcterms:type ?type ; prism:publicationDate ?date . }
    ORDER BY DESC(STR(?date)) LIMIT 1 }
  GRAPH ?record { ?output dcterms:title ?title . ?s ?p ?o . }
}"""),
)

# "dcterms:" in a query, but not "https:" in an IRI nor "?x:" (no such thing, but cheap to exclude)
_PREFIX_USE = re.compile(r"(?<![\w<?$/-])([A-Za-z][\w-]*):")


def prefix_lines(prefixes) -> str:
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in prefixes)


def example_query(example: Example, base: str) -> str:
    """The example as it runs: the PREFIX lines for the prefixes it uses, then its body."""
    body = example.body.replace("{base}", base)
    used = set(_PREFIX_USE.findall(re.sub(r"<[^>\s]*>|#.*", "", body)))
    return prefix_lines(p for p in PREFIXES if p in used) + body


def examples(base: str) -> list[tuple[str, str]]:
    return [(example.title, example_query(example, base)) for example in EXAMPLES]


def render() -> Response:
    base = current_app.config["BASE"]
    body = render_template(
        "sparql.html",
        examples=examples(base),
        endpoint=request.script_root + "/sparql",
        prefixes=PREFIXES,
        # a new YASGUI tab starts with every prefix the data uses declared
        new_tab_query=prefix_lines(PREFIXES) + "\nSELECT * WHERE {\n  ?s ?p ?o\n} LIMIT 10",
    )
    response = Response(body, mimetype="text/html")
    response.headers["Vary"] = "Accept"
    return response
