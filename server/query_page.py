"""The page a browser gets at /sparql: a query form with example queries for this data."""
from __future__ import annotations

from flask import Response, render_template

EXAMPLES = (
    ("Latest research outputs", """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>
SELECT ?output ?title ?date WHERE {
  ?output dcterms:title ?title ; prism:publicationDate ?date .
} ORDER BY DESC(?date) LIMIT 20"""),
)


def render() -> Response:
    body = render_template("sparql.html", examples=EXAMPLES)
    response = Response(body, mimetype="text/html")
    response.headers["Vary"] = "Accept"
    return response
