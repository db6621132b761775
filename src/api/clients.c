/* clients.c: registration, reading, search and changes of clients. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "codec/phone.h"
#include "store/docs.h"

#define CLIENTS_LIMIT_DEFAULT 50
#define CLIENTS_LIMIT_MAX 500

/* Normalise phone and e-mail of a client input; answers 400 and returns false when bad. */
static bool clients_normalize(struct http_req *r, const struct msg_client_input *in,
                              const char **phone, const char **email)
{
    *phone = NULL;
    *email = NULL;
    if (in->phone) {
        char e164[20];
        if (!phone_normalize(in->phone, api_default_country(r), e164, sizeof(e164))) {
            http_error(r, 400, "invalid_field", "phone", "phone is not a phone number");
            return false;
        }
        *phone = arena_strdup(r->arena, e164);
    }
    if (in->email) {
        char *e = arena_strdup(r->arena, in->email);
        const char *at = strchr(e, '@');
        if (!at || at == e || !strchr(at, '.') || strchr(at + 1, '@') || strpbrk(e, " \t<>,;")
            || at[1] == '.' || e[strlen(e) - 1] == '.') {
            http_error(r, 400, "invalid_field", "email", "email is not an e-mail address");
            return false;
        }
        for (char *p = e; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        *email = e;
    }
    if (in->card_number && !api_card_number_ok(r, in->card_number, "card_number"))
        return false;
    return true;
}

void api_client_create(struct http_req *r)
{
    struct msg_client_input in;
    struct store_caller who;
    struct store_registration reg;
    int64_t id = 0;
    bool replayed = false;

    if (!http_decode(r, &msg_client_input_desc, &in))
        return;
    if (!in.phone && !in.email) {
        http_error(r, 400, "missing_field", "phone", "phone is required unless email is given");
        return;
    }
    if (in.card_number && in.issue_virtual_card) {
        http_error(r, 400, "invalid_field", "issue_virtual_card",
                   "give either card_number or issue_virtual_card, not both");
        return;
    }
    memset(&reg, 0, sizeof(reg));
    reg.in = &in;
    if (!clients_normalize(r, &in, &reg.phone, &reg.email))
        return;
    const char *key = http_header(r, "HTTP_IDEMPOTENCY_KEY");
    if (key && *key) {
        if (strlen(key) > 200) {
            http_error(r, 400, "invalid_field", "Idempotency-Key", "the key is too long");
            return;
        }
        /* the hash covers the normalised values: "8 916 …" and "+7916…" are one request */
        struct msg_client_input canon = in;
        canon.phone = reg.phone;
        canon.email = reg.email;
        reg.idempotency_key = key;
        reg.request_hash = api_request_hash(r, &msg_client_input_desc, &canon);
    }
    api_caller(r, &who);
    struct store_outcome o = store_client_register(&r->t->db, r->arena, &who, &reg, &id, &replayed);
    if (!api_outcome_ok(r, &o))
        return;
    api_invalidate(r, &o);
    api_reply_client(r, replayed ? 200 : 201, id);
}

/* Can the caller see this client? (partners: only their own) */
static bool clients_visible(struct http_req *r, int64_t source)
{
    struct store_caller who;
    api_caller(r, &who);
    return !who.only_source || who.only_source == source;
}

void api_client_get(struct http_req *r)
{
    int64_t id, source;
    struct msg_client *c;
    if (!api_path_id(r, 0, "client_not_found", &id))
        return;
    enum db_status st = docs_client_load(&r->t->db, r->arena, id, &c, &source);
    if (st != DB_OK)
        http_db_error(r, st);
    else if (!c || !clients_visible(r, source))
        http_error(r, 404, "client_not_found", NULL, "no such client");
    else
        http_reply(r, 200, &msg_client_desc, c);
}

/* A search key: query parameter → lookup statement. */
static const struct {
    const char *param;      /* query parameter */
    enum db_stmt_id stmt;   /* lookup by it */
} clients_keys[] = {
    {"phone", STMT_CLIENT_BY_PHONE},
    {"email", STMT_CLIENT_BY_EMAIL},
    {"card", STMT_CLIENT_BY_CARD},
    {"external_id", STMT_CLIENT_BY_EXTERNAL_ID},
};

/* Reply with the documents of the ids in res (column 0), skipping invisible ones. */
static void clients_reply_ids(struct http_req *r, PGresult *res, const char *next_cursor)
{
    size_t n = (size_t)PQntuples(res), k = 0;
    struct msg_client *items = arena_alloc(r->arena, sizeof(*items) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        struct msg_client *c;
        int64_t source;
        enum db_status st = docs_client_load(&r->t->db, r->arena,
                                             strtoll(PQgetvalue(res, (int)i, 0), NULL, 10), &c,
                                             &source);
        if (st != DB_OK) {
            http_db_error(r, st);
            return;
        }
        if (c && clients_visible(r, source))
            items[k++] = *c;
    }
    http_reply_list(r, &msg_client_desc, items, k, next_cursor);
}

static bool clients_parse_int(struct http_req *r, const char *name, long def, long min, long max,
                              long *out)
{
    const char *v = http_query(r, name);
    char *end;
    *out = def;
    if (!v)
        return true;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < min || n > max) {
        http_error(r, 400, "invalid_field", name, "%s must be an integer %ld..%ld", name, min, max);
        return false;
    }
    *out = n;
    return true;
}

void api_client_search(struct http_req *r)
{
    PGresult *res = NULL;
    enum db_status st;
    for (size_t i = 0; i < sizeof(clients_keys) / sizeof(clients_keys[0]); i++) {
        const char *v = http_query(r, clients_keys[i].param);
        if (!v)
            continue;
        char norm[20];
        if (strcmp(clients_keys[i].param, "phone") == 0) {
            if (!phone_normalize(v, api_default_country(r), norm, sizeof(norm))) {
                http_error(r, 400, "invalid_field", "phone", "phone is not a phone number");
                return;
            }
            v = norm;
        } else if (strcmp(clients_keys[i].param, "email") == 0) {
            char *e = arena_strdup(r->arena, v);
            for (char *p = e; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            v = e;
        }
        const char *p[1] = {v};
        st = db_exec(&r->t->db, clients_keys[i].stmt, 1, p, &res, NULL, 0);
        if (st != DB_OK) {
            http_db_error(r, st);
            return;
        }
        clients_reply_ids(r, res, NULL);
        PQclear(res);
        return;
    }
    /* no key: every (visible) client, by id, with a cursor */
    long limit, after;
    if (!clients_parse_int(r, "limit", CLIENTS_LIMIT_DEFAULT, 1, CLIENTS_LIMIT_MAX, &limit) ||
        !clients_parse_int(r, "cursor", 0, 0, LONG_MAX, &after))
        return;
    struct store_caller who;
    api_caller(r, &who);
    const char *p[3] = {arena_printf(r->arena, "%ld", after),
                        who.only_source ? arena_printf(r->arena, "%lld", (long long)who.only_source)
                                        : NULL,
                        arena_printf(r->arena, "%ld", limit)};
    st = db_exec(&r->t->db, STMT_CLIENT_LIST, 3, p, &res, NULL, 0);
    if (st != DB_OK) {
        http_db_error(r, st);
        return;
    }
    int n = PQntuples(res);
    const char *next = n == limit ? arena_strdup(r->arena, PQgetvalue(res, n - 1, 0)) : NULL;
    clients_reply_ids(r, res, next);
    PQclear(res);
}

void api_client_update(struct http_req *r)
{
    struct msg_client_input in;
    struct store_caller who;
    const char *phone, *email;
    int64_t id;

    if (!api_path_id(r, 0, "client_not_found", &id) || !http_decode(r, &msg_client_input_desc, &in))
        return;
    if (in.card_number || in.issue_virtual_card || in.referral_code) {
        http_error(r, 400, "invalid_field",
                   in.card_number ? "card_number" : in.issue_virtual_card ? "issue_virtual_card"
                                                                         : "referral_code",
                   "cards and referral codes are not changed by PATCH; use the card endpoints");
        return;
    }
    if (!clients_normalize(r, &in, &phone, &email))
        return;
    api_caller(r, &who);
    struct store_outcome o = store_client_update(&r->t->db, r->arena, &who, id, &in, phone, email);
    if (!api_outcome_ok(r, &o))
        return;
    api_invalidate(r, &o);
    api_reply_client(r, 200, id);
}
