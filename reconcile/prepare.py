"""Build the `Context` every rule reads, once per run: tag status at passage time
(cards), tariffs and the settlement matching (ledgers). The shared frames are
collected here, once, so that twenty rules reading them do not each redo the
as-of join and the ranking."""

from __future__ import annotations

from cards.status import passages_with_tags
from etc.context import Context, Inputs, Period
from etc.settings import Settings
from etc.txnkey import with_txn_keys
from ledgers.batches import batches, match_credits
from ledgers.items import rank_items
from ledgers.tariffs import price


def prepare(inputs: Inputs, period: Period, settings: Settings) -> Context:
    """The context of a run over `period`: shared frames computed and held in memory."""
    lanes, settlements = with_txn_keys(inputs.lanes, inputs.settlements)
    passages = price(passages_with_tags(lanes, inputs.tags), inputs.tariffs)
    passages_df = passages.collect()
    items_df = rank_items(settlements, passages_df.lazy()).collect()
    batches_df = batches(inputs.settlements, inputs.stations).collect()
    credits_df = match_credits(inputs.bank, batches_df.lazy(), settings.money).collect()
    return Context(
        period=period,
        inputs=inputs,
        passages=passages_df.lazy(),
        items=items_df.lazy(),
        batches=batches_df.lazy(),
        credits=credits_df.lazy(),
    )

