"""etc core: schemas, reason codes, errors, the DuckDB store, the readers and the
sample-data generator. Nothing here imports from cards, ledgers or reconcile."""

__version__ = "0.4.0"
