"""The journal queries of the SPARQL mix (bench/sparql.py) with the path `frbr:partOf+` (the
baseline) and with the direct link `dcterms:isPartOf` (docs/modelling.md), on the engine alone:
the same store snapshot, the same parameters, the same answers required (issue 16, part 3).

    .venv/bin/python bench/partof.py --records 20000     # the store of bench/serve.py
"""
import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench import sparql as b  # noqa: E402
from bench.serve import build_store  # noqa: E402
from kgpub.graph.store import open_query_reader  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--records", type=int, default=20_000)
args = parser.parse_args()
store, _, _ = build_store(args.records)
db = open_query_reader(store).current()
def q(text): return list(db.query(text, use_default_graph_as_union=True))
P = b.PREFIXES
journals = [r["j"].value for r in q(P + "SELECT DISTINCT ?j WHERE { ?j a fabio:Journal }")]
records = [r["o"].value for r in q(P + "SELECT ?o WHERE { ?o dcterms:isPartOf ?j } LIMIT 5000")]
people = [r["p"].value for r in q(P + "SELECT DISTINCT ?p WHERE { ?r pro:isHeldBy ?p } LIMIT 5000")]
random.seed(7)
OLD = {"journal-latest": "SELECT ?output ?title ?date WHERE {{ ?output frbr:partOf+ <{iri}> ; prism:publicationDate ?date ; dcterms:title ?title . }} ORDER BY DESC(?date) LIMIT 20",
       "author-journals": "SELECT DISTINCT ?journal ?title WHERE {{ ?role pro:isHeldBy <{iri}> . ?output pro:isDocumentContextFor ?role ; frbr:partOf+ ?journal . ?journal a fabio:Journal ; dcterms:title ?title . }}",
       "join": "SELECT DISTINCT ?other ?subject WHERE {{ <{iri}> dcterms:subject ?subject ; frbr:partOf+ ?journal . ?journal a fabio:Journal . ?other dcterms:subject ?subject ; frbr:partOf+ ?journal . FILTER(?other != <{iri}>) }}"}
NEW = {name: t for name, _, t in b.KINDS if name in OLD}
params = {"journal-latest": random.sample(journals, min(50, len(journals))), "author-journals": random.sample(people, 50), "join": random.sample(records, 30)}
print(f"{'kind':<16} {'partOf+ p50':>12} {'isPartOf p50':>13} {'speed-up':>9}  same answers")
for kind in OLD:
    times = {}
    same = True
    for label, template in (("old", OLD[kind]), ("new", NEW[kind])):
        ts = []
        for iri in params[kind]:
            t = time.perf_counter(); rows = q(P + template.format(iri=iri)); ts.append(time.perf_counter() - t)
        times[label] = statistics.median(ts)
    for iri in params[kind]:
        # all answers compared, without the LIMIT: the latest 20 of tied dates may be any 20
        a = sorted(tuple(str(v) for v in r) for r in q(P + OLD[kind].replace(" LIMIT 20", "").format(iri=iri)))
        c = sorted(tuple(str(v) for v in r) for r in q(P + NEW[kind].replace(" LIMIT 20", "").format(iri=iri)))
        same &= a == c
    if not same:
        sys.exit(f"{kind}: the two queries answered differently")
    print(f"{kind:<16} {times['old']*1000:>10.2f}ms {times['new']*1000:>11.2f}ms {times['old']/times['new']:>8.1f}x  {same}")
