/* stmts.c: the SQL text. Every statement on a client's data names client_id. */
#include "store/stmts.h"

#define TS(col) "to_char(" col ", 'YYYY-MM-DD\"T\"HH24:MI:SSTZH:TZM')"

/* The buyer of a purchase: by card ($1), else client id ($2), else phone ($3). */
#define PURCHASE_WHO \
    "WITH who AS (" \
    " SELECT ci.client_id, coalesce(cd.status, 'inactive') AS card_status FROM card_index ci" \
    "   LEFT JOIN cards cd ON cd.client_id = ci.client_id AND cd.number = ci.number" \
    "  WHERE ci.number = $1::text" \
    " UNION ALL SELECT $2::bigint, 'active' WHERE $1::text IS NULL AND $2::bigint IS NOT NULL" \
    " UNION ALL SELECT p.client_id, 'active' FROM client_phones p" \
    "  WHERE $1::text IS NULL AND $2::bigint IS NULL AND p.phone = $3::text) "

/* A calculation's context of the buyers in `who` (client_id, card_status): see
 * STMT_PURCHASE_CONTEXT; `extra` adds columns after the 18. */
#define PURCHASE_CONTEXT_SELECT(extra) \
    "SELECT w.client_id, w.card_status, l.id, l.name, coalesce(l.discount_percent, 0), " \
    " coalesce(l.accrual_percent, 0), l.max_spend_percent, c.source_api_client_id, " \
    " coalesce(l.rank, 0), c.client_id IS NOT NULL, a.available, a.pending, a.debt, " \
    " a.purchases_total, " \
    " (SELECT string_agg(pl.id || ':' || pl.remaining || ':' || coalesce(extract(epoch FROM" \
    "   pl.expires_at)::bigint, 0), ',' ORDER BY pl.expires_at NULLS LAST," \
    "   pl.active_from, pl.id) FROM points_lots pl WHERE pl.client_id = w.client_id" \
    "   AND pl.bucket = 'available' AND pl.remaining > 0" \
    "   AND (pl.expires_at IS NULL OR pl.expires_at > now())), " \
    " nx.name, nx.left_to_buy, a.version" extra " " \
    "FROM who w LEFT JOIN clients c ON c.client_id = w.client_id " \
    "LEFT JOIN levels l ON l.id = c.level_id LEFT JOIN accounts a ON a.client_id = w.client_id " \
    "LEFT JOIN LATERAL (SELECT nl.name, greatest(nl.threshold - (SELECT coalesce(sum(" \
    "   p.level_amount - coalesce((SELECT sum(r.level_amount) FROM refunds r" \
    "   WHERE r.client_id = p.client_id AND r.purchase_id = p.id), 0)), 0) FROM purchases p" \
    "   WHERE p.client_id = w.client_id AND p.status = 'confirmed' AND (nl.period_days = 0" \
    "   OR p.confirmed_at > now() - make_interval(days => nl.period_days))), 0) AS left_to_buy" \
    "  FROM levels nl WHERE c.client_id IS NOT NULL" \
    "  AND nl.rank > coalesce(l.rank, -2147483648) ORDER BY nl.rank LIMIT 1) nx ON true"

/* A purchase by (API client $1, receipt id $2): client_id, purchase_id, request hash,
 * document, status, hold expired. */
#define RECEIPT_LOOKUP_SQL \
    "SELECT ri.client_id, ri.purchase_id, encode(p.request_hash, 'hex'), p.document::text, " \
    "p.status, p.hold_expires_at < now() FROM receipt_index ri JOIN purchases p " \
    "ON p.client_id = ri.client_id AND p.id = ri.purchase_id " \
    "WHERE ri.api_client_id = $1 AND ri.receipt_id = $2"

/* A purchase row: $1 client (key), $2 id, $3 API client, $4 receipt id, $5 request hash
 * (hex), $6 status, $7 store, $8 pos, $9 at, $10 card, $11 level, $12 total, $13 discount,
 * $14 points spent, $15 certificates, $16 to pay, $17 accrued, $18 level amount,
 * $19 document, $20 hold TTL seconds. */
#define PURCHASE_COLUMNS \
    "client_id, id, api_client_id, receipt_id, request_hash, status, store_id, pos_id, at, " \
    "card_number, level_id, total, discount, points_spent, certificates_paid, to_pay, " \
    "points_accrued, level_amount, document, hold_expires_at, held_at, confirmed_at"
#define PURCHASE_VALUES PURCHASE_VALUES_OF("$1", "$2", "$19::jsonb")
/* The same with the key, the id and the document given as expressions. */
#define PURCHASE_VALUES_OF(key, id, doc) \
    key ", " id ", $3, $4, decode($5, 'hex'), $6, $7, $8, coalesce($9::timestamptz, now()), " \
    "$10, $11, $12, $13, $14, $15, $16, $17, $18, " doc ", " \
    "CASE WHEN $6 = 'held' THEN now() + make_interval(secs => $20::int) END, " \
    "CASE WHEN $6 = 'held' THEN now() END, CASE WHEN $6 = 'confirmed' THEN now() END"

/* The card document (docs_card_row() reads it): number, status, kind, replaced_by,
 * client_id, first, last, phone, level id, level name, available, pending, debt, discount,
 * segments ("id\x1fname\x1e…"), source. Needs card_index ci in FROM, then CARD_DOC_JOINS. */
#define CARD_DOC_COLUMNS                                                                      \
    "SELECT ci.number, coalesce(c.status, 'inactive'), ci.kind, c.replaced_by, "              \
    "cl.client_id, cl.first_name, cl.last_name, cl.phone, l.id, l.name, "                     \
    "coalesce(a.available, 0), coalesce(a.pending, 0), coalesce(a.debt, 0), "                 \
    "l.discount_percent, "                                                                    \
    "(SELECT string_agg(s.id || E'\\x1f' || s.name, E'\\x1e' ORDER BY s.id) "                 \
    "   FROM client_segment_members m JOIN client_segments s ON s.id = m.segment_id "         \
    "  WHERE m.client_id = ci.client_id), "                                                   \
    "cl.source_api_client_id "
#define CARD_DOC_JOINS                                                                        \
    "LEFT JOIN cards c ON c.client_id = ci.client_id AND c.number = ci.number "               \
    "LEFT JOIN clients cl ON cl.client_id = ci.client_id "                                    \
    "LEFT JOIN levels l ON l.id = cl.level_id "                                               \
    "LEFT JOIN accounts a ON a.client_id = ci.client_id "

const struct db_stmt db_stmts[STMT_COUNT] = {
    [STMT_API_CLIENT_BY_KEY] = {"api_client_by_key",
        "SELECT id, name, secret_salt, secret_hash, array_to_string(scopes, ','), "
        "default_format, active FROM api_clients WHERE key_id = $1"},
    [STMT_API_CLIENT_BY_CERT] = {"api_client_by_cert",
        "SELECT id, name, secret_salt, secret_hash, array_to_string(scopes, ','), "
        "default_format, active FROM api_clients WHERE cert_fingerprint = $1"},
    [STMT_CARD_DOC] = {"card_doc",
        CARD_DOC_COLUMNS "FROM card_index ci " CARD_DOC_JOINS "WHERE ci.number = $1"},
    /* the same for many cards: $1 = text[] of numbers; rows in the order of $1, unknown
     * numbers left out */
    [STMT_CARD_DOC_MANY] = {"card_doc_many",
        CARD_DOC_COLUMNS "FROM unnest($1::text[]) WITH ORDINALITY AS q(number, pos) "
        "JOIN card_index ci ON ci.number = q.number " CARD_DOC_JOINS "ORDER BY q.pos"},
    /* keyset pages of every card number: after $1, at most $2 */
    [STMT_CARD_NUMBERS_AFTER] = {"card_numbers_after",
        "SELECT number FROM card_index WHERE number > $1 ORDER BY number LIMIT $2"},
    /* 0 id, 1 external_id, 2 phone, 3 email, 4 first, 5 last, 6 middle, 7 birth, 8 gender,
     * 9-11 consents, 12 level id, 13 level name, 14 referral code, 15-17 balance,
     * 18 attributes, 19 created_at, 20 source, 21 source_api_client_id */
    [STMT_CLIENT_DOC] = {"client_doc",
        "SELECT c.client_id, c.external_id, c.phone, c.email, c.first_name, c.last_name, "
        "c.middle_name, c.birth_date::text, c.gender, c.consent_sms, c.consent_email, "
        "c.consent_push, l.id, l.name, c.referral_code, coalesce(a.available, 0), "
        "coalesce(a.pending, 0), coalesce(a.debt, 0), c.attributes::text, " TS("c.created_at")
        ", c.source, c.source_api_client_id "
        "FROM clients c LEFT JOIN levels l ON l.id = c.level_id "
        "LEFT JOIN accounts a ON a.client_id = c.client_id WHERE c.client_id = $1"},
    [STMT_CLIENT_CARDS] = {"client_cards",
        "SELECT number, status, kind FROM cards WHERE client_id = $1 "
        "ORDER BY created_at, number"},
    [STMT_CLIENT_BY_PHONE] = {"client_by_phone",
        "SELECT client_id FROM client_phones WHERE phone = $1"},
    [STMT_CLIENT_BY_EMAIL] = {"client_by_email",
        "SELECT client_id FROM client_emails WHERE email = $1"},
    [STMT_CLIENT_BY_CARD] = {"client_by_card",
        "SELECT client_id FROM card_index WHERE number = $1 AND client_id IS NOT NULL"},
    [STMT_CLIENT_BY_EXTERNAL_ID] = {"client_by_external_id",
        "SELECT client_id FROM client_external_ids WHERE external_id = $1"},
    [STMT_CLIENT_LIST] = {"client_list",
        "SELECT client_id FROM clients WHERE client_id > $1 "
        "AND ($2::bigint IS NULL OR source_api_client_id = $2) ORDER BY client_id LIMIT $3"},
    [STMT_CLIENT_NEXT_ID] = {"client_next_id", "SELECT nextval('clients_id_seq')"},
    [STMT_CLIENT_INSERT] = {"client_insert",
        "INSERT INTO clients (client_id, external_id, phone, email, first_name, last_name, "
        "middle_name, birth_date, gender, consent_sms, consent_email, consent_push, level_id, "
        "referral_code, referred_by, attributes, source_api_client_id, source) VALUES "
        "($1, $2, $3, $4, $5, $6, $7, $8::date, $9, $10, $11, $12, $13, $14, $15, "
        "coalesce($16::jsonb, '{}'), $17, $18)"},
    [STMT_CLIENT_LOCK] = {"client_lock",
        "SELECT client_id, external_id, phone, email, first_name, last_name, middle_name, "
        "birth_date::text, gender, consent_sms, consent_email, consent_push, attributes::text, "
        "source_api_client_id FROM clients WHERE client_id = $1 FOR UPDATE"},
    [STMT_CLIENT_UPDATE] = {"client_update",
        "UPDATE clients SET external_id = $2, phone = $3, email = $4, first_name = $5, "
        "last_name = $6, middle_name = $7, birth_date = $8::date, gender = $9, "
        "consent_sms = $10, consent_email = $11, consent_push = $12, "
        "attributes = $13::jsonb, updated_at = now() WHERE client_id = $1"},
    [STMT_PHONE_INSERT] = {"phone_insert",
        "INSERT INTO client_phones (phone, client_id) VALUES ($1, $2)"},
    [STMT_PHONE_DELETE] = {"phone_delete",
        "DELETE FROM client_phones WHERE phone = $1 AND client_id = $2"},
    [STMT_EMAIL_INSERT] = {"email_insert",
        "INSERT INTO client_emails (email, client_id) VALUES ($1, $2)"},
    [STMT_EMAIL_DELETE] = {"email_delete",
        "DELETE FROM client_emails WHERE email = $1 AND client_id = $2"},
    [STMT_EXTERNAL_ID_INSERT] = {"external_id_insert",
        "INSERT INTO client_external_ids (external_id, client_id) VALUES ($1, $2)"},
    [STMT_EXTERNAL_ID_DELETE] = {"external_id_delete",
        "DELETE FROM client_external_ids WHERE external_id = $1 AND client_id = $2"},
    [STMT_REFERRAL_CODE_INSERT] = {"referral_code_insert",
        "INSERT INTO referral_codes (code, client_id) VALUES ($1, $2) "
        "ON CONFLICT (code) DO NOTHING RETURNING code"},
    [STMT_REFERRAL_CODE_LOOKUP] = {"referral_code_lookup",
        "SELECT client_id FROM referral_codes WHERE code = upper($1)"},
    [STMT_ACCOUNT_INSERT] = {"account_insert",
        "INSERT INTO accounts (client_id) VALUES ($1)"},
    [STMT_LEVEL_DEFAULT] = {"level_default",
        "SELECT id FROM levels ORDER BY threshold, rank LIMIT 1"},
    /* bind a known unbound number or create it; no row back = bound to someone else */
    [STMT_CARD_BIND] = {"card_bind",
        "INSERT INTO card_index (number, client_id, kind) VALUES ($1, $2, 'physical') "
        "ON CONFLICT (number) DO UPDATE SET client_id = EXCLUDED.client_id "
        "WHERE card_index.client_id IS NULL RETURNING kind"},
    [STMT_CARD_INSERT] = {"card_insert",
        "INSERT INTO cards (client_id, number, status, kind) VALUES ($1, $2, 'active', $3)"},
    [STMT_VIRTUAL_NEXT] = {"virtual_next",
        "SELECT nextval('virtual_card_seq'), "
        "coalesce((SELECT body->'virtual_card_range'->>'first' FROM settings "
        "WHERE section = 'general'), '2000000000015'), "
        "coalesce((SELECT body->'virtual_card_range'->>'last' FROM settings "
        "WHERE section = 'general'), '2999999999999')"},
    [STMT_VIRTUAL_INDEX_INSERT] = {"virtual_index_insert",
        "INSERT INTO card_index (number, client_id, kind) VALUES ($1, $2, 'virtual') "
        "ON CONFLICT (number) DO NOTHING RETURNING number"},
    /* client_id (NULL when unbound), status, kind, replaced_by */
    [STMT_CARD_LOCK] = {"card_lock",
        "SELECT ci.client_id, c.status, ci.kind, c.replaced_by FROM card_index ci "
        "LEFT JOIN cards c ON c.client_id = ci.client_id AND c.number = ci.number "
        "WHERE ci.number = $1 FOR UPDATE OF ci"},
    [STMT_CARD_SET_STATE] = {"card_set_state",
        "UPDATE cards SET status = $3, block_reason = $4, replaced_by = $5, updated_at = now() "
        "WHERE client_id = $1 AND number = $2"},
    [STMT_IDEMPOTENCY_GET] = {"idempotency_get",
        "SELECT encode(request_hash, 'hex'), resource_id FROM idempotency_keys "
        "WHERE api_client_id = $1 AND scope = $2 AND key = $3"},
    [STMT_IDEMPOTENCY_PUT] = {"idempotency_put",
        "INSERT INTO idempotency_keys (api_client_id, scope, key, request_hash, resource_id) "
        "VALUES ($1, $2, $3, decode($4, 'hex'), $5)"},
    [STMT_OUTBOX_PUT] = {"outbox_put",
        "INSERT INTO outbox (type, client_id, payload) VALUES ($1, $2, $3::jsonb)"},
    [STMT_ADVISORY_LOCK] = {"advisory_lock", "SELECT pg_advisory_xact_lock(hashtext($1))"},
    [STMT_SETTINGS_GET] = {"settings_get", "SELECT body::text FROM settings WHERE section = $1"},
    /* available, pending, debt, purchases_total: the row lock serialises a client's changes */
    [STMT_ACCOUNT_LOCK] = {"account_lock",
        "SELECT available, pending, debt, purchases_total FROM accounts "
        "WHERE client_id = $1 FOR UPDATE"},
    /* run after the lock: a new statement sees every change committed before it */
    [STMT_SPENDABLE] = {"spendable",
        "SELECT coalesce(sum(remaining), 0) FROM points_lots WHERE client_id = $1 "
        "AND bucket = 'available' AND remaining > 0 AND (expires_at IS NULL OR expires_at > now())"},
    [STMT_ACCOUNT_SAVE] = {"account_save",
        "UPDATE accounts SET available = $2, pending = $3, debt = $4, purchases_total = $5, "
        "version = version + 1, updated_at = now() WHERE client_id = $1"},
    [STMT_LEDGER_INSERT] = {"ledger_insert",
        "INSERT INTO ledger_entries (client_id, kind, amount, available_delta, pending_delta, "
        "debt_delta, balance_after, pending_after, receipt_id, purchase_id, refund_pk, "
        "adjustment_id, lot_id, api_client_id, comment) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
        "$9, $10, $11, $12, $13, $14, $15) RETURNING id"},
    [STMT_LOTS_FOR_SPEND] = {"lots_for_spend",
        "SELECT id, remaining FROM points_lots WHERE client_id = $1 AND bucket = 'available' "
        "AND remaining > 0 AND (expires_at IS NULL OR expires_at > now()) "
        "ORDER BY expires_at NULLS LAST, active_from, id FOR UPDATE"},
    [STMT_LOT_TAKE] = {"lot_take",
        "UPDATE points_lots SET remaining = remaining - $3 WHERE client_id = $1 AND id = $2"},
    [STMT_LOT_GIVE] = {"lot_give",
        "UPDATE points_lots SET remaining = remaining + $3 WHERE client_id = $1 AND id = $2"},
    [STMT_DRAW_INSERT] = {"draw_insert",
        "INSERT INTO spend_draws (client_id, lot_id, kind, amount, ledger_entry_id, purchase_id, "
        "adjustment_id) VALUES ($1, $2, $3, $4, $5, $6, $7)"},
    [STMT_DRAWS_OF_PURCHASE] = {"draws_of_purchase",
        "SELECT d.id, d.lot_id, d.amount - d.restored, "
        "CASE WHEN l.expires_at <= now() THEN 'expired' ELSE l.bucket END FROM spend_draws d "
        "JOIN points_lots l ON l.client_id = d.client_id AND l.id = d.lot_id "
        "WHERE d.client_id = $1 AND d.purchase_id = $2 AND d.kind = 'spend' "
        "AND d.amount > d.restored ORDER BY d.id DESC FOR UPDATE OF d"},
    [STMT_DRAW_RESTORE] = {"draw_restore",
        "UPDATE spend_draws SET restored = restored + $3 WHERE client_id = $1 AND id = $2"},
    /* client, amount, delay days, expiry days, active_from?, expires_at?, source,
     * purchase_id, adjustment_id → id, bucket */
    [STMT_LOT_INSERT] = {"lot_insert",
        "INSERT INTO points_lots (client_id, amount, remaining, active_from, expires_at, source, "
        "purchase_id, adjustment_id, bucket) "
        "SELECT $1, $2, $2, af, coalesce($6::timestamptz, CASE WHEN $4::int > 0 THEN "
        "   date_trunc('day', af + make_interval(days => $4::int)) + interval '1 day' END), "
        "   $7, $8, $9, CASE WHEN af > now() THEN 'pending' ELSE 'available' END "
        "FROM (SELECT coalesce($5::timestamptz, now() + make_interval(days => $3::int)) AS af) x "
        "RETURNING id, bucket"},
    [STMT_LOTS_OF_PURCHASE] = {"lots_of_purchase",
        "SELECT id, remaining, bucket FROM points_lots WHERE client_id = $1 AND purchase_id = $2 "
        "AND source = 'purchase' ORDER BY id FOR UPDATE"},
    /* client_id, purchase_id, request hash, document, status */
    [STMT_RECEIPT_LOOKUP] = {"receipt_lookup", RECEIPT_LOOKUP_SQL},
    [STMT_PURCHASE_INSERT] = {"purchase_insert",
        "INSERT INTO purchases (" PURCHASE_COLUMNS ") VALUES (" PURCHASE_VALUES ")"},
    [STMT_RECEIPT_INDEX_INSERT] = {"receipt_index_insert",
        "INSERT INTO receipt_index (api_client_id, receipt_id, client_id, purchase_id) "
        "VALUES ($1, $2, $3, $4)"},
    /* status, points_spent, points_accrued, level_amount, document, hold expired */
    [STMT_PURCHASE_LOCK] = {"purchase_lock",
        "SELECT status, points_spent, points_accrued, level_amount, document::text, "
        "coalesce(hold_expires_at < now(), false), receipt_id FROM purchases "
        "WHERE client_id = $1 AND id = $2 FOR UPDATE"},
    [STMT_PURCHASE_UPDATE] = {"purchase_update",
        "UPDATE purchases SET status = $3, document = $4::jsonb, updated_at = now(), "
        "confirmed_at = CASE WHEN $3 = 'confirmed' THEN coalesce(confirmed_at, now()) "
        "   ELSE confirmed_at END, "
        "cancelled_at = CASE WHEN $3 = 'cancelled' THEN now() END, "
        "cancel_reason = CASE WHEN $3 = 'cancelled' THEN $5 END, "
        "hold_expires_at = CASE WHEN $3 = 'held' THEN hold_expires_at END "
        "WHERE client_id = $1 AND id = $2"},
    /* level id, name, discount, accrual, max spend, source api client, rank */
    [STMT_CLIENT_LEVEL] = {"client_level",
        "SELECT l.id, l.name, coalesce(l.discount_percent, 0), coalesce(l.accrual_percent, 0), "
        "l.max_spend_percent, c.source_api_client_id, coalesce(l.rank, 0) FROM clients c "
        "LEFT JOIN levels l ON l.id = c.level_id WHERE c.client_id = $1"},
    [STMT_EXCLUDED_SKUS] = {"excluded_skus",
        "SELECT DISTINCT sku FROM product_segment_items WHERE segment_id = ANY($1::bigint[]) "
        "AND sku = ANY($2::text[])"},
    /* the highest level whose threshold the client's purchases in its period reach */
    [STMT_LEVEL_EVALUATE] = {"level_evaluate",
        "SELECT l.id, l.rank FROM levels l WHERE l.threshold <= ("
        " SELECT coalesce(sum(p.level_amount - coalesce((SELECT sum(r.level_amount) FROM refunds r "
        "   WHERE r.client_id = p.client_id AND r.purchase_id = p.id), 0)), 0) "
        " FROM purchases p WHERE p.client_id = $1 AND p.status = 'confirmed' "
        " AND (l.period_days = 0 OR p.confirmed_at > now() - make_interval(days => l.period_days))) "
        "ORDER BY l.rank DESC LIMIT 1"},
    /* set the level; returns the old one when it changed */
    [STMT_CLIENT_SET_LEVEL] = {"client_set_level",
        "UPDATE clients c SET level_id = $2, updated_at = now() FROM clients old "
        "WHERE c.client_id = $1 AND old.client_id = c.client_id "
        "AND c.level_id IS DISTINCT FROM $2::bigint RETURNING old.level_id"},
    [STMT_OPERATIONS_LIST] = {"operations_list",
        "SELECT id, " TS("at") ", kind, amount, balance_after, receipt_id, comment "
        "FROM ledger_entries WHERE client_id = $1 AND ($2::bigint IS NULL OR id < $2) "
        "ORDER BY id DESC LIMIT $3"},
    /* line_no, sku, qty, amount, discount, points_spent, points_accrued, to_pay */
    [STMT_LINES_OF_PURCHASE] = {"lines_of_purchase",
        "SELECT (l->>'line_no')::int, l->>'sku', ((l->>'qty')::numeric * 1000)::bigint, "
        "((l->>'amount')::numeric * 100)::bigint, ((l->>'discount')::numeric * 100)::bigint, "
        "((l->>'points_spent')::numeric * 100)::bigint, "
        "((l->>'points_accrued')::numeric * 100)::bigint, ((l->>'to_pay')::numeric * 100)::bigint "
        "FROM purchases p CROSS JOIN LATERAL jsonb_array_elements(p.document->'lines') l "
        "WHERE p.client_id = $1 AND p.id = $2 ORDER BY 1"},
    [STMT_REFUND_LOOKUP] = {"refund_lookup",
        "SELECT encode(r.request_hash, 'hex'), r.document::text FROM refund_index ri "
        "JOIN refunds r ON r.client_id = ri.client_id AND r.id = ri.refund_pk "
        "WHERE ri.api_client_id = $1 AND ri.refund_id = $2"},
    /* line_no, qty refunded so far */
    [STMT_REFUNDED_QTY] = {"refunded_qty",
        "SELECT line_no, sum(qty) FROM refund_lines WHERE client_id = $1 AND purchase_id = $2 "
        "GROUP BY line_no"},
    [STMT_REFUND_NEXT_ID] = {"refund_next_id", "SELECT nextval('refunds_id_seq')"},
    [STMT_REFUND_INSERT] = {"refund_insert",
        "INSERT INTO refunds (client_id, id, purchase_id, api_client_id, refund_id, receipt_id, "
        "request_hash, amount, level_amount, points_returned, points_taken_back, debt_created, "
        "balance_after, full_return, document) VALUES ($1, $2, $3, $4, $5, $6, decode($7, 'hex'), "
        "$8, $9, $10, $11, $12, $13, $14, $15::jsonb)"},
    [STMT_REFUND_LINE_INSERT] = {"refund_line_insert",
        "INSERT INTO refund_lines (client_id, refund_pk, line_no, purchase_id, qty, amount, "
        "discount, points_returned, points_taken_back) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"},
    [STMT_REFUND_INDEX_INSERT] = {"refund_index_insert",
        "INSERT INTO refund_index (api_client_id, refund_id, client_id, refund_pk) "
        "VALUES ($1, $2, $3, $4)"},
    [STMT_REFUND_IDS_OF_PURCHASE] = {"refund_ids_of_purchase",
        "SELECT refund_id FROM refunds WHERE client_id = $1 AND purchase_id = $2 ORDER BY id"},
    [STMT_ADJUSTMENT_LOOKUP] = {"adjustment_lookup",
        "SELECT encode(a.request_hash, 'hex'), a.document::text FROM adjustment_index ai "
        "JOIN adjustments a ON a.client_id = ai.client_id AND a.id = ai.adjustment_id "
        "WHERE ai.api_client_id = $1 AND ai.idempotency_key = $2"},
    [STMT_ADJUSTMENT_NEXT_ID] = {"adjustment_next_id", "SELECT nextval('adjustments_id_seq')"},
    [STMT_ADJUSTMENT_INSERT] = {"adjustment_insert",
        "INSERT INTO adjustments (client_id, id, api_client_id, idempotency_key, request_hash, "
        "amount, reason, active_from, expires_at, lot_id, ledger_entry_id, document) VALUES "
        "($1, $2, $3, $4, decode($5, 'hex'), $6, $7, $8::timestamptz, $9::timestamptz, $10, $11, "
        "$12::jsonb)"},
    [STMT_ADJUSTMENT_INDEX_INSERT] = {"adjustment_index_insert",
        "INSERT INTO adjustment_index (api_client_id, idempotency_key, client_id, adjustment_id) "
        "VALUES ($1, $2, $3, $4)"},
    /* accrued points taken back and level amount refunded so far */
    [STMT_REFUND_SUMS] = {"refund_sums",
        "SELECT coalesce(sum(points_taken_back), 0), coalesce(sum(level_amount), 0) FROM refunds "
        "WHERE client_id = $1 AND purchase_id = $2"},
    [STMT_LOT_TIMES] = {"lot_times",
        "SELECT " TS("active_from") ", " TS("expires_at") " FROM points_lots "
        "WHERE client_id = $1 AND id = $2"},
    /* the NOTIFY fires at COMMIT: every process drops its cached settings */
    [STMT_SETTINGS_PUT] = {"settings_put",
        "WITH up AS (INSERT INTO settings (section, body) VALUES ($1, $2::jsonb) "
        "ON CONFLICT (section) DO UPDATE SET body = EXCLUDED.body, updated_at = now() "
        "RETURNING section) SELECT pg_notify('loyalty_config', section) FROM up"},
    [STMT_TIMEZONE_CHECK] = {"timezone_check",
        "SELECT 1 FROM pg_timezone_names WHERE name = $1"},
#define LEVEL_COLS "id, name, rank, threshold, period_days, accrual_percent, discount_percent, " \
                   "max_spend_percent"
    [STMT_LEVELS_LIST] = {"levels_list", "SELECT " LEVEL_COLS " FROM levels ORDER BY rank"},
    [STMT_LEVEL_GET] = {"level_get", "SELECT " LEVEL_COLS " FROM levels WHERE id = $1"},
    [STMT_LEVEL_INSERT] = {"level_insert",
        "INSERT INTO levels (name, rank, threshold, period_days, accrual_percent, "
        "discount_percent, max_spend_percent) VALUES ($1, $2, coalesce($3::bigint, 0), "
        "coalesce($4::int, 0), coalesce($5::bigint, 0), coalesce($6::bigint, 0), "
        "CASE WHEN $8 = 't' THEN $7::bigint END) RETURNING id"},
    [STMT_LEVEL_UPDATE] = {"level_update",
        "UPDATE levels SET name = coalesce($2, name), rank = coalesce($3::int, rank), "
        "threshold = coalesce($4::bigint, threshold), period_days = coalesce($5::int, period_days), "
        "accrual_percent = coalesce($6::bigint, accrual_percent), "
        "discount_percent = coalesce($7::bigint, discount_percent), "
        "max_spend_percent = CASE WHEN $9 = 't' THEN $8::bigint ELSE max_spend_percent END, "
        "updated_at = now() WHERE id = $1 RETURNING id"},
    [STMT_LEVEL_DELETE] = {"level_delete",
        "WITH used AS (SELECT EXISTS (SELECT 1 FROM clients WHERE level_id = $1) AS u), "
        "del AS (DELETE FROM levels WHERE id = $1 AND NOT (SELECT u FROM used) RETURNING id) "
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM del) THEN 'deleted' "
        "WHEN (SELECT u FROM used) AND EXISTS (SELECT 1 FROM levels WHERE id = $1) THEN 'in_use' "
        "ELSE 'missing' END"},
    [STMT_API_CLIENT_BY_NAME] = {"api_client_by_name",
        "SELECT id FROM api_clients WHERE name = $1"},
    /* Everything a calculation needs in one round trip: the buyer by card ($1), client id
     * ($2) or phone ($3); card status; level; account; spendable lots; the next level.
     * 0 client_id, 1 card status, 2 level id, 3 name, 4 discount, 5 accrual, 6 max spend,
     * 7 source, 8 rank, 9 client exists, 10 available, 11 pending, 12 debt, 13 purchases
     * total, 14 spendable lots "id:remaining:expiry,…" in draw order (earliest expiry first;
     * expiry in Unix seconds, 0 = never: a cached copy drops lots that expired since),
     * 15 next level name, 16 left to reach it, 17 account version */
    [STMT_PURCHASE_CONTEXT] = {"purchase_context", PURCHASE_WHO PURCHASE_CONTEXT_SELECT("")},
    /* The same for many cards ($1 numbers), for `loyaltyctl cache warm`: column 18 is the
     * card's position in $1 (1-based); unknown numbers have no row. */
    [STMT_PURCHASE_CONTEXT_MANY] = {"purchase_context_many",
        "WITH who AS (SELECT ci.client_id, coalesce(cd.status, 'inactive') AS card_status, n.i "
        " FROM unnest($1::text[]) WITH ORDINALITY AS n(number, i) "
        " JOIN card_index ci ON ci.number = n.number "
        " LEFT JOIN cards cd ON cd.client_id = ci.client_id AND cd.number = ci.number) "
        PURCHASE_CONTEXT_SELECT(", w.i")},
    /* The buyer's account row locked, for a confirm under the lock. Sent in one batch with
     * STMT_PURCHASE_CONTEXT, which runs after it and so sees every change committed before
     * the lock was granted. */
    [STMT_CONFIRM_LOCK] = {"confirm_lock",
        PURCHASE_WHO
        "SELECT a.client_id FROM accounts a WHERE a.client_id = "
        " (SELECT w.client_id FROM who w LIMIT 1) FOR UPDATE"},
    /* Everything a confirm writes, in one statement, provided the buyer's account is still
     * at version $38 and the card presented in status $39 (as when the context was read; no
     * row is written otherwise, the account's neither: `ok` gates its update too). Its ids
     * come from the sequences here (`ids`), so that a confirm whose context is cached is this
     * one statement; the purchase id is $2 when the caller has taken it already.
     * $1-$20 the purchase row (PURCHASE_VALUES_OF; $1 the client, NULL when anonymous: the
     * row's key is then -id; the document $19 gets its id here);
     * account $21 known client, $22 available, $23 pending, $24 debt, $25 purchases total;
     * spend $26 (bool), $27 balance after, $28 pending after, $29 lot ids, $30 amounts drawn;
     * accrual $31 (bool), $32 delay days, $33 expiry days, $34 pending (bool), $35 balance
     * after, $36 pending after; event $37 type, $40 payload (its purchase id set here, like
     * the document's). Returns 1 when written (0: the account moved on), the buyer's card
     * numbers ("a,b") for the cache, and the purchase id. */
    [STMT_CONFIRM_WRITE] = {"confirm_write",
        "WITH ids AS (SELECT coalesce($2::bigint, nextval('purchases_id_seq')) AS pid, "
        " CASE WHEN $26::boolean THEN nextval('ledger_entries_id_seq') END AS se, "
        " CASE WHEN $31::boolean THEN nextval('points_lots_id_seq') END AS lot, "
        " CASE WHEN $31::boolean THEN nextval('ledger_entries_id_seq') END AS ae), "
        "ok AS (SELECT 1 WHERE $10::text IS NULL OR NOT $21::boolean OR EXISTS (SELECT 1 "
        " FROM cards WHERE client_id = $1 AND number = $10 AND status = $39)), "
        "acc AS (UPDATE accounts SET available = $22, pending = $23, debt = $24, "
        " purchases_total = $25, version = version + 1, updated_at = now() "
        " WHERE client_id = $1 AND $21::boolean AND version = $38 AND EXISTS (SELECT 1 FROM ok) "
        " RETURNING 1), "
        "go AS (SELECT coalesce($1::bigint, -ids.pid) AS key, ids.* FROM ids, ok "
        " WHERE NOT $21::boolean OR EXISTS (SELECT 1 FROM acc)), "
        "pur AS (INSERT INTO purchases (" PURCHASE_COLUMNS ") SELECT "
        PURCHASE_VALUES_OF("go.key", "go.pid", "jsonb_set($19::jsonb, '{id}', to_jsonb(go.pid))")
        " FROM go), "
        "rix AS (INSERT INTO receipt_index (api_client_id, receipt_id, client_id, purchase_id) "
        " SELECT $3, $4, go.key, go.pid FROM go), "
        "spe AS (INSERT INTO ledger_entries (client_id, id, kind, amount, available_delta, "
        " balance_after, pending_after, receipt_id, purchase_id, api_client_id) "
        " SELECT $1, go.se, 'spend', -$14::bigint, -$14::bigint, $27, $28, $4, go.pid, $3 "
        " FROM go WHERE go.se IS NOT NULL), "
        "tak AS (UPDATE points_lots pl SET remaining = pl.remaining - d.amount "
        " FROM unnest($29::bigint[], $30::bigint[]) AS d(id, amount), go "
        " WHERE pl.client_id = $1 AND pl.id = d.id), "
        "drw AS (INSERT INTO spend_draws (client_id, lot_id, kind, amount, ledger_entry_id, "
        " purchase_id) SELECT $1, d.id, 'spend', d.amount, go.se, go.pid "
        " FROM unnest($29::bigint[], $30::bigint[]) AS d(id, amount), go), "
        "lot AS (INSERT INTO points_lots (client_id, id, amount, remaining, active_from, "
        " expires_at, source, purchase_id, bucket) "
        " SELECT $1, go.lot, $17, $17, af, CASE WHEN $33::int > 0 THEN "
        "   date_trunc('day', af + make_interval(days => $33::int)) + interval '1 day' END, "
        "   'purchase', go.pid, CASE WHEN $34::boolean THEN 'pending' ELSE 'available' END "
        " FROM (SELECT now() + make_interval(days => $32::int) AS af) x, go "
        " WHERE go.lot IS NOT NULL), "
        "acr AS (INSERT INTO ledger_entries (client_id, id, kind, amount, available_delta, "
        " pending_delta, balance_after, pending_after, receipt_id, purchase_id, lot_id, "
        " api_client_id) SELECT $1, go.ae, 'accrual', $17, CASE WHEN $34::boolean THEN 0 "
        " ELSE $17 END, CASE WHEN $34::boolean THEN $17 ELSE 0 END, $35, $36, $4, go.pid, "
        " go.lot, $3 FROM go WHERE go.lot IS NOT NULL), "
        "evt AS (INSERT INTO outbox (type, client_id, payload) "
        " SELECT $37, greatest(go.key, 0), jsonb_set($40::jsonb, '{purchase_id}', to_jsonb(go.pid)) "
        " FROM go) "
        "SELECT (SELECT count(*) FROM go), "
        " (SELECT string_agg(number, ',') FROM cards WHERE client_id = $1), "
        " (SELECT pid FROM ids)"},
    /* The locking path's receipt lookup (columns 0-5 as STMT_RECEIPT_LOOKUP, NULL when new:
     * $1 API client, $2 receipt id) and the id of the purchase it will write (6). */
    [STMT_CONFIRM_IDS] = {"confirm_ids",
        "SELECT r.*, nextval('purchases_id_seq') "
        "FROM (SELECT 1) one LEFT JOIN LATERAL (" RECEIPT_LOOKUP_SQL ") r ON true"},

};
