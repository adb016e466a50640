"""cards: placeholder package; its rules arrive with the reconcile issue."""
