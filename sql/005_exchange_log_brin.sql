-- 005_exchange_log_brin: the exchange log takes a row per API call, so its upkeep is on
-- every request's bill. It is append-only in time order: a BRIN index on `at` finds any
-- time range for a fraction of a B-tree's cost, and the per-client B-tree and the primary
-- key index go (the console filters a time range first, then by client).
ALTER TABLE exchange_log DROP CONSTRAINT exchange_log_pkey;
DROP INDEX exchange_log_client_at;
DROP INDEX exchange_log_at;
CREATE INDEX exchange_log_at_brin ON exchange_log USING brin (at);
