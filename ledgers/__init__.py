"""ledgers: the money side of reconciliation. Passages are priced (`tariffs`),
settlement items matched to their passages and ranked (`items`), items grouped
into batches and bank credits matched to them (`batches`); the MONEY rules
(`settlement_rules`, `bank_rules`) and the per-run tables (`dispositions`,
`tieout`) read those frames. Imports only from `etc`."""
