// jsonld.js as a Linked Data client: `node expand.js URL`.
// Dereferences URL with jsonld's own node document loader (it follows the 303 and resolves the
// remote @context over HTTP), expands the document and prints, as JSON on stdout:
// {"documentUrl": where the document came from, "loaded": every URL the loader fetched,
//  "nquads": the expanded graph as N-Quads}.
const jsonld = require('jsonld');

async function main(url) {
  const nodeLoader = jsonld.documentLoaders.node();
  const loaded = [];
  const documentLoader = async (target) => {
    const remote = await nodeLoader(target);
    loaded.push(remote.documentUrl);
    return remote;
  };
  const remote = await documentLoader(url);
  const expanded = await jsonld.expand(remote.document, {base: remote.documentUrl, documentLoader});
  const nquads = await jsonld.toRDF(expanded, {format: 'application/n-quads'});
  process.stdout.write(JSON.stringify({documentUrl: remote.documentUrl, loaded, nquads}));
}

main(process.argv[2]).catch((error) => {
  console.error(error.stack || error);
  if (error.details) console.error(JSON.stringify(error.details, null, 1));
  process.exit(1);
});
