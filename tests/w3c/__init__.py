"""Helpers for running the W3C SPARQL test suites against `kgpub serve` over HTTP."""
