"""Build the `Context` every rule reads, once per run: tag status at passage time
(cards), tariffs and the settlement matching (ledgers). The shared frames are
collected here, once, so that twenty rules reading them do not each redo the
as-of join and the ranking."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from cards.status import passages_with_tags
from etc.context import Context, Inputs, Period
from etc.settings import Settings
from etc.txnkey import with_txn_keys
from ledgers.batches import batches, match_credits, parts_of
from ledgers.items import rank_items
from ledgers.tariffs import price
from ledgers.tieout import spread_batches

BatchItems = Callable[[list[str]], pl.DataFrame]
"""Every item of the given batches (etc.store's `batch_items`)."""


def prepare(inputs: Inputs, period: Period, settings: Settings,
            batch_items: BatchItems | None = None) -> Context:
    """The context of a run over `period`: shared frames computed and held in memory.
    Items are matched against every passage read; the passages before the period go
    to `earlier`, which only the rules that look back read.

    Inputs read whole hold every item of every batch. Scoped inputs (etc.context.Scope)
    hold the period's items and the batches' sums (`batch_parts`); then `batch_items`
    fetches the items of the few batches paid another sum than their net, over all
    of whose items their credits are spread."""
    lanes, settlements = with_txn_keys(inputs.lanes, inputs.settlements)
    passages = price(passages_with_tags(lanes, inputs.tags), inputs.tariffs)
    passages_df = passages.collect()
    items_df = rank_items(settlements, passages_df.lazy()).collect()
    parts = parts_of(inputs.settlements) if inputs.batch_parts is None else inputs.batch_parts
    batches_df = batches(parts, inputs.stations).collect()
    credits_df = match_credits(inputs.bank, batches_df.lazy(), settings.money).collect()
    whole: pl.LazyFrame | None = None
    if inputs.batch_parts is not None:
        if batch_items is None:
            raise ValueError("scoped inputs need batch_items to spread partial credits")
        spread = (spread_batches(credits_df.lazy(), batches_df.lazy())
                  .join(items_df.lazy().select("batch_id").unique(), on="batch_id", how="semi")
                  .collect())
        whole = batch_items(sorted(spread["batch_id"].to_list())).lazy()
    before = pl.col("business_date") < period.first
    return Context(
        period=period,
        inputs=inputs,
        passages=passages_df.filter(~before).lazy(),
        earlier=passages_df.filter(before).lazy(),
        items=items_df.lazy(),
        batches=batches_df.lazy(),
        credits=credits_df.lazy(),
        batch_items=whole,
    )
