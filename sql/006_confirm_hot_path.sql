-- 006_confirm_hot_path: what a confirm writes, trimmed to what is read (./dev bench,
-- docs/performance.md). A confirm inserts a purchase, its lines, one or two ledger entries,
-- a lot, draws and an event, and updates a lot and the account: every index and foreign key
-- on those rows is paid on every sale.
--
-- A receipt's lines live in its document (purchases.document->'lines', every figure of
-- every line as answered), not in a row each: ten rows and ten index entries per receipt
-- were half of what a confirm wrote. Refunds read the lines from the document.
ALTER TABLE refund_lines DROP CONSTRAINT refund_lines_client_id_purchase_id_line_no_fkey;
DROP TABLE purchase_lines;

-- A foreign key is checked by a trigger query per row: the transaction that writes a draw
-- updates its lot, nothing else writes draws, and `loyaltyctl verify` reports orphans.
ALTER TABLE spend_draws DROP CONSTRAINT spend_draws_client_id_lot_id_fkey;

-- receipt_index already makes (API client, receipt id) unique across all clients.
ALTER TABLE purchases DROP CONSTRAINT purchases_client_id_api_client_id_receipt_id_key;

-- Time-range analytics on append-only tables: BRIN (a few pages) instead of B-trees.
DROP INDEX purchases_at;
CREATE INDEX purchases_at_brin ON purchases USING brin (at);
DROP INDEX ledger_entries_at;
CREATE INDEX ledger_entries_at_brin ON ledger_entries USING brin (at);

-- Nothing looks ledger entries up by purchase, nor draws by lot. A client's purchases,
-- draws and lots of a purchase are found through the primary keys (client_id first): a
-- client's rows are few, and cancels and refunds are rare next to sales.
DROP INDEX ledger_entries_purchase;
DROP INDEX spend_draws_lot;
DROP INDEX spend_draws_purchase;
DROP INDEX points_lots_purchase;
DROP INDEX purchases_client_at;

-- The jobs use the bucket indexes of 004; these two are left from before.
DROP INDEX points_lots_expiry;
DROP INDEX points_lots_activation;

-- A spend lowers `remaining` only. With no index mentioning that column (predicates
-- included) the update is a heap-only tuple update: no index is touched. The free space
-- left in each page is where such updates go.
DROP INDEX points_lots_draw;
CREATE INDEX points_lots_draw ON points_lots (client_id, expires_at, active_from, id)
    WHERE bucket = 'available';
DROP INDEX points_lots_expiring;
CREATE INDEX points_lots_expiring ON points_lots (expires_at)
    WHERE bucket = 'available' AND expires_at IS NOT NULL;
ALTER TABLE points_lots SET (fillfactor = 85);
ALTER TABLE accounts SET (fillfactor = 85);

-- The purchase document (a few KB for a ten-line receipt) is compressed when stored:
-- lz4 compresses several times faster than the default pglz.
ALTER TABLE purchases ALTER COLUMN document SET COMPRESSION lz4;

-- The outbox is read in event order by the publisher; keyed by (event_id, client_id) its
-- inserts append to one end of one index instead of landing on a random page of a
-- client-first key and again in a second index.
ALTER TABLE outbox DROP CONSTRAINT outbox_pkey;
ALTER TABLE outbox ADD PRIMARY KEY (event_id, client_id);
DROP INDEX outbox_event_id;
