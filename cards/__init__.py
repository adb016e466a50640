"""cards: the tag side of reconciliation. `status` joins every passage to the tag
row in force when it passed (run once by the engine); the TAG rules read that
frame (`rules`: one passage at a time; `quality`: read quality of tags and lanes)
or the tag list itself (`plates`: several live tags on one plate). Imports only
from `etc`."""
