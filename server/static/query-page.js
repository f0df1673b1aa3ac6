// The SPARQL query page (templates/sparql.html): YASGUI on this server's own endpoint, and the
// example queries.
(function () {
  // The template hands over what this script needs as JSON: no inline script on the page, so its
  // Content-Security-Policy can forbid them.
  var data = JSON.parse(document.getElementById("query-page-data").textContent);
  var endpoint = new URL(data.endpoint, window.location.href).href;
  var examples = data.examples;
  var prefixes = data.prefixes;

  // Nothing on this page may reach another host. YASGUI would: the "class" and "property"
  // autocompleters ask Linked Open Vocabularies (lov.linkeddata.es) as you type, and prefix
  // completion can fetch prefix.cc. Keep completion of prefixes (from the bundled list) and of
  // variables; set these on the defaults, as a config array would be merged into the default one.
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  Yasgui.Yasqe.defaults.prefixCcApi = null;

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    // the endpoint list offers DBpedia and Wikidata by default
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; }, keys: [] },
    corsProxy: undefined,  // with a proxy YASGUI probes every endpoint with an ASK
    // tabs are kept in localStorage per endpoint, so two kgpub sites on one host do not mix
    persistenceId: "kgpub-" + endpoint,
    yasqe: { value: data.newTabQuery, createShortLink: undefined },
    yasr: { prefixes: prefixes },
  });

  // What YASGUI leaves unnamed, named for screen readers, and its editor's scrolling area reachable
  // by keyboard (axe: label, select-name, scrollable-region-focusable): again whenever YASGUI
  // draws something (a tab, a results table), as it makes these elements anew.
  var names = [[".yasgui .autocomplete", "SPARQL endpoint"], [".yasqe .CodeMirror textarea", "SPARQL query"],
               [".yasr select.tableSizer", "Results per page"], [".yasr .tableFilter", "Filter the results"]];
  function nameTheControls() {
    names.forEach(function (pair) {
      document.querySelectorAll(pair[0]).forEach(function (element) {
        if (!element.hasAttribute("aria-label")) element.setAttribute("aria-label", pair[1]);
      });
    });
    // (CodeMirror gives its scroller tabindex -1: keyboard users could not scroll a long query)
    document.querySelectorAll(".yasqe .CodeMirror-scroll:not([tabindex='0'])").forEach(function (area) {
      area.setAttribute("tabindex", "0");
      area.setAttribute("aria-label", "SPARQL query");
    });
  }
  nameTheControls();
  new MutationObserver(nameTheControls).observe(document.getElementById("yasgui"), { childList: true, subtree: true });

  function showExample(index) {
    var tab = yasgui.getTab();
    tab.setEndpoint(endpoint);  // a tab kept from an earlier visit may point elsewhere
    tab.setQuery(examples[index][1]);
    tab.getYasqe().query();
  }

  document.getElementById("examples").hidden = false;
  document.querySelectorAll("[data-example]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      showExample(Number(link.dataset.example));
    });
  });
  // #example-N (as the links read) opens that example, so a link to one can be shared
  var wanted = /^#example-(\d+)$/.exec(window.location.hash);
  if (wanted && examples[wanted[1] - 1]) showExample(wanted[1] - 1);
})();
