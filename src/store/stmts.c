/* stmts.c: the SQL text. Every statement on a client's data names client_id. */
#include "store/stmts.h"

#define TS(col) "to_char(" col ", 'YYYY-MM-DD\"T\"HH24:MI:SSTZH:TZM')"

const struct db_stmt db_stmts[STMT_COUNT] = {
    [STMT_API_CLIENT_BY_KEY] = {"api_client_by_key",
        "SELECT id, name, secret_salt, secret_hash, array_to_string(scopes, ','), "
        "default_format, active FROM api_clients WHERE key_id = $1"},
    [STMT_API_CLIENT_BY_CERT] = {"api_client_by_cert",
        "SELECT id, name, secret_salt, secret_hash, array_to_string(scopes, ','), "
        "default_format, active FROM api_clients WHERE cert_fingerprint = $1"},
    /* number, status, kind, replaced_by, client_id, first, last, phone, level id, level
     * name, available, pending, debt, discount, segments ("id\x1fname\x1e…"), source */
    [STMT_CARD_DOC] = {"card_doc",
        "SELECT ci.number, coalesce(c.status, 'inactive'), ci.kind, c.replaced_by, "
        "cl.client_id, cl.first_name, cl.last_name, cl.phone, l.id, l.name, "
        "coalesce(a.available, 0), coalesce(a.pending, 0), coalesce(a.debt, 0), "
        "l.discount_percent, "
        "(SELECT string_agg(s.id || E'\\x1f' || s.name, E'\\x1e' ORDER BY s.id) "
        "   FROM client_segment_members m JOIN client_segments s ON s.id = m.segment_id "
        "  WHERE m.client_id = ci.client_id), "
        "cl.source_api_client_id "
        "FROM card_index ci "
        "LEFT JOIN cards c ON c.client_id = ci.client_id AND c.number = ci.number "
        "LEFT JOIN clients cl ON cl.client_id = ci.client_id "
        "LEFT JOIN levels l ON l.id = cl.level_id "
        "LEFT JOIN accounts a ON a.client_id = ci.client_id "
        "WHERE ci.number = $1"},
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
    [STMT_SETTINGS_GENERAL] = {"settings_general",
        "SELECT coalesce(body->>'default_country', 'RU') FROM settings WHERE section = 'general'"},
    [STMT_OUTBOX_PUT] = {"outbox_put",
        "INSERT INTO outbox (type, client_id, payload) VALUES ($1, $2, $3::jsonb)"},
    [STMT_ADVISORY_LOCK] = {"advisory_lock", "SELECT pg_advisory_xact_lock(hashtext($1))"},
};
