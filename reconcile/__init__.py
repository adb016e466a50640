"""reconcile: the FRAUD rules (fraud.py), the rule registry (registry.py), the
shared frames every rule reads (prepare.py), the engine that runs the rules and
writes a run (engine.py), a run's id and manifest (manifest.py) and the findings
export (export.py).

This file imports nothing: import the modules themselves (the registry imports
`reconcile.fraud`, so an import here could go round in a circle)."""
