"""What arrived since a run: the loads a run did not see, and the business dates
their rows can concern — so that a nightly run knows which earlier dates to
reconcile again.

A load's rows reach a date d when
- lanes: a passage of d, or of the `lanes_reach` days before d (the look-back of
  d's rules, reconcile.scope), or the passage of an item settled on d (which
  was without one until then);
- settlements: an item of a passage of d (its passage_date), an item settled on
  d (an item without a passage, or the last item of a batch of d);
- counts: vehicles counted on d;
- bank: an entry booked within `bank_window` days of d either side (amount
  matching), or naming a batch of d in its reference or remittance text;
- tags: a row valid from d or earlier (status at every later passage and at the
  end of every later date);
- stations, tariffs, exemptions: every date (reference data).
Each test reads only the new loads' rows (by load_id, which loads write in
order) and small tables, never the history.
"""

from __future__ import annotations

from datetime import date, timedelta

from etc.localtime import start_of
from etc.store.connection import Connection

REFERENCE_KINDS = ("stations", "tariffs", "exemptions")


class Arrivals(Connection):
    """Loads since a run, and the dates they reach."""

    def loads_since(self, seen: set[int]) -> list[tuple[int, str]]:
        """(load_id, kind) of every load not in `seen`, in load order."""
        rows = self.con.execute("SELECT load_id, kind FROM loads ORDER BY load_id").fetchall()
        return [(int(i), str(k)) for i, k in rows if int(i) not in seen]

    def reaches(self, loads: list[tuple[int, str]], day: date, *, lanes_reach: int,
                bank_window: int) -> list[str]:
        """The kinds among `loads` whose rows can concern business date `day` (see
        the module), in the order of REFERENCE_KINDS, then lanes, settlements,
        counts, bank, tags."""
        by_kind: dict[str, list[int]] = {}
        for load_id, kind in loads:
            by_kind.setdefault(kind, []).append(load_id)
        hit = [k for k in REFERENCE_KINDS if k in by_kind]
        start, end = start_of(day), start_of(day, 1)
        checks: dict[str, tuple[str, list[object]]] = {
            "lanes": ("SELECT 1 FROM lanes WHERE load_id IN (SELECT unnest($1::BIGINT[])) "
                      "AND business_date BETWEEN $2 AND $3 UNION ALL SELECT 1 FROM "
                      "settlements s WHERE s.settled_at >= $4 AND s.settled_at < $5 AND "
                      "s.txn_id IN (SELECT txn_id FROM lanes WHERE load_id IN "
                      "(SELECT unnest($1::BIGINT[]))) LIMIT 1",
                      [day - timedelta(days=lanes_reach), day, start, end]),
            "settlements": (
                "SELECT 1 FROM settlements s WHERE s.load_id IN (SELECT unnest($1::BIGINT[])) "
                "AND ((s.settled_at >= $2 AND s.settled_at < $3) OR s.passage_date = $4) "
                "LIMIT 1", [start, end, day]),
            "counts": ("SELECT 1 FROM counts WHERE load_id IN (SELECT unnest($1::BIGINT[])) "
                       "AND business_date = $2 LIMIT 1", [day]),
            "bank": (
                "SELECT 1 FROM bank_entries e WHERE e.load_id IN (SELECT unnest($1::BIGINT[])) "
                "AND (e.booking_date BETWEEN $2 AND $3 OR EXISTS (SELECT 1 FROM batch_parts b "
                "WHERE b.last_settled_at >= $4 AND b.last_settled_at < $5 AND "
                "(trim(e.reference) = b.batch_id OR strpos(replace(coalesce(e.remittance, ''), "
                "' ', ''), b.batch_id) > 0))) LIMIT 1",
                [day - timedelta(days=bank_window), day + timedelta(days=bank_window),
                 start, end]),
            "tags": ("SELECT 1 FROM tags WHERE load_id IN (SELECT unnest($1::BIGINT[])) "
                     "AND valid_from < $2 LIMIT 1", [end]),
        }
        for kind, (sql, params) in checks.items():
            if kind in by_kind and self._one(sql, [by_kind[kind], *params]) is not None:
                hit.append(kind)
        return hit
