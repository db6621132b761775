/* clients.c: each operation is one transaction; a refusal rolls it back whole, so a
 * request that fails leaves no trace. Deadlocks are retried. */
#include "store/clients.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/cardno.h"
#include "store/docs.h"


/* Unique constraints → the API's conflict codes. */
static const struct { const char *constraint, *code, *field; } store_conflicts[] = {
    {"client_phones_pkey", "phone_taken", "phone"},
    {"client_emails_pkey", "email_taken", "email"},
    {"client_external_ids_pkey", "external_id_taken", "external_id"},
    {"card_index_pkey", "card_taken", "card_number"},
};

#define store_ok store_done
#define store_refuse store_refusal

/* Inside the transaction: remember the client's cards for invalidation after COMMIT. */
static void store_touch_client(struct db *db, struct arena *a, int64_t client_id,
                               struct store_outcome *o)
{
    enum db_status st = docs_client_card_numbers(db, a, client_id, &o->cards, &o->ncards);
    if (st != DB_OK)
        o->db = st;
}

static struct store_outcome store_db(enum db_status st, const char *constraint)
{
    if (st == DB_UNIQUE)
        for (size_t i = 0; i < sizeof(store_conflicts) / sizeof(store_conflicts[0]); i++)
            if (strcmp(store_conflicts[i].constraint, constraint) == 0)
                return store_refuse(409, store_conflicts[i].code, store_conflicts[i].field,
                                    "the value belongs to another client");
    return store_failure(st);
}

static const char *store_i64(struct arena *a, int64_t v)
{
    return arena_printf(a, "%lld", (long long)v);
}

/* Run a statement; a failure becomes the outcome. */
static bool store_exec(struct db *db, enum db_stmt_id id, int n, const char *const *p,
                       PGresult **res, struct store_outcome *o)
{
    char constraint[128] = "";
    enum db_status st = db_exec(db, id, n, p, res, constraint, sizeof(constraint));
    if (st == DB_OK)
        return true;
    *o = store_db(st, constraint);
    return false;
}

/* A short readable referral code: no 0/O, 1/I/L look-alikes. */
static void store_referral_code(char out[9])
{
    static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    unsigned char raw[8];
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        abort();
    for (int i = 0; i < 8; i++)
        out[i] = alphabet[raw[i] % (sizeof(alphabet) - 1)];
    out[8] = '\0';
}

static bool store_event(struct db *db, struct arena *a, const char *type, int64_t client_id,
                        const char *payload, struct store_outcome *o)
{
    const char *p[3] = {type, store_i64(a, client_id), payload};
    return store_exec(db, STMT_OUTBOX_PUT, 3, p, NULL, o);
}

/* Bind a physical number to the client. */
static bool store_bind_physical(struct db *db, struct arena *a, int64_t client_id,
                                const char *number, struct store_outcome *o)
{
    PGresult *r = NULL;
    const char *p[2] = {number, store_i64(a, client_id)};
    if (!store_exec(db, STMT_CARD_BIND, 2, p, &r, o))
        return false;
    bool bound = PQntuples(r) == 1;
    const char *kind = bound ? arena_strdup(a, PQgetvalue(r, 0, 0)) : NULL;
    PQclear(r);
    if (!bound) {
        *o = store_refuse(409, "card_taken", "card_number", "the card belongs to another client");
        return false;
    }
    const char *q[3] = {store_i64(a, client_id), number, kind};
    return store_exec(db, STMT_CARD_INSERT, 3, q, NULL, o);
}

/* Issue the next free number of the virtual range. */
static bool store_issue_virtual(struct db *db, struct arena *a, int64_t client_id,
                                const char **number, struct store_outcome *o)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        PGresult *r = NULL;
        char num[16];
        if (!store_exec(db, STMT_VIRTUAL_NEXT, 0, NULL, &r, o))
            return false;
        uint64_t n = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
        bool ok = cardno_ean13_nth(PQgetvalue(r, 0, 1), n, num, sizeof(num)) &&
                  strcmp(num, PQgetvalue(r, 0, 2)) <= 0;
        PQclear(r);
        if (!ok) {
            *o = store_refuse(409, "card_range_exhausted", NULL,
                              "the virtual card range is used up");
            return false;
        }
        const char *p[2] = {num, store_i64(a, client_id)};
        if (!store_exec(db, STMT_VIRTUAL_INDEX_INSERT, 2, p, &r, o))
            return false;
        bool inserted = PQntuples(r) == 1;
        PQclear(r);
        if (!inserted)
            continue; /* the number was taken by hand: try the next one */
        const char *q[3] = {store_i64(a, client_id), num, "virtual"};
        if (!store_exec(db, STMT_CARD_INSERT, 3, q, NULL, o))
            return false;
        *number = arena_strdup(a, num);
        return true;
    }
    *o = store_refuse(409, "card_range_exhausted", NULL, "no free virtual card number");
    return false;
}

/* A single-row lookup returning a bigint, or 0 when absent. */
static bool store_lookup_id(struct db *db, enum db_stmt_id id, const char *value, int64_t *out,
                            struct store_outcome *o)
{
    PGresult *r = NULL;
    const char *p[1] = {value};
    *out = 0;
    if (!store_exec(db, id, 1, p, &r, o))
        return false;
    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
        *out = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return true;
}

static const char *store_bool(bool v)
{
    return v ? "true" : "false";
}

/* The body of a registration, inside BEGIN … COMMIT. */
static struct store_outcome store_register_tx(struct db *db, struct arena *a,
                                              const struct store_caller *who,
                                              const struct store_registration *reg,
                                              int64_t *client_id, bool *replayed)
{
    struct store_outcome o = store_ok();
    const struct msg_client_input *in = reg->in;
    int64_t id = 0, level = 0, inviter = 0;
    PGresult *r = NULL;
    char refcode[9];

    if (reg->idempotency_key) {
        const char *lk = arena_printf(a, "clients.create:%lld:%s", (long long)who->api_client_id,
                                      reg->idempotency_key);
        const char *lp[1] = {lk};
        if (!store_exec(db, STMT_ADVISORY_LOCK, 1, lp, NULL, &o))
            return o;
        const char *p[3] = {store_i64(a, who->api_client_id), "clients.create",
                            reg->idempotency_key};
        if (!store_exec(db, STMT_IDEMPOTENCY_GET, 3, p, &r, &o))
            return o;
        if (PQntuples(r) == 1) {
            bool same = strcmp(PQgetvalue(r, 0, 0), reg->request_hash) == 0;
            *client_id = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
            PQclear(r);
            if (!same)
                return store_refuse(409, "idempotency_mismatch", NULL,
                                    "the Idempotency-Key was used with another request");
            *replayed = true;
            return o;
        }
        PQclear(r);
    }
    if (in->referral_code) {
        if (!store_lookup_id(db, STMT_REFERRAL_CODE_LOOKUP, in->referral_code, &inviter, &o))
            return o;
        if (!inviter)
            return store_refuse(400, "invalid_field", "referral_code", "unknown referral code");
    }
    if (!store_exec(db, STMT_CLIENT_NEXT_ID, 0, NULL, &r, &o))
        return o;
    id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    if (!store_exec(db, STMT_LEVEL_DEFAULT, 0, NULL, &r, &o))
        return o;
    level = PQntuples(r) ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    PQclear(r);

    const char *ids = store_i64(a, id);
    for (int attempt = 0;; attempt++) {
        store_referral_code(refcode);
        const char *p[2] = {refcode, ids};
        if (!store_exec(db, STMT_REFERRAL_CODE_INSERT, 2, p, &r, &o))
            return o;
        bool got = PQntuples(r) == 1;
        PQclear(r);
        if (got)
            break;
        if (attempt == 10)
            return store_db(DB_ERROR, "");
    }
    const struct msg_consents_in *c = in->consents;
    const char *p[18] = {
        ids, in->external_id, reg->phone, reg->email, in->first_name, in->last_name,
        in->middle_name, in->birth_date, in->gender, store_bool(c && c->sms),
        store_bool(c && c->email), store_bool(c && c->push), level ? store_i64(a, level) : NULL,
        refcode, inviter ? store_i64(a, inviter) : NULL,
        in->attributes ? docs_kv_to_json(a, in->attributes) : NULL,
        store_i64(a, who->api_client_id), who->api_client_name};
    if (!store_exec(db, STMT_CLIENT_INSERT, 18, p, NULL, &o))
        return o;
    const char *pp[2] = {reg->phone, ids};
    if (reg->phone && !store_exec(db, STMT_PHONE_INSERT, 2, pp, NULL, &o))
        return o;
    const char *pe[2] = {reg->email, ids};
    if (reg->email && !store_exec(db, STMT_EMAIL_INSERT, 2, pe, NULL, &o))
        return o;
    const char *px[2] = {in->external_id, ids};
    if (in->external_id && !store_exec(db, STMT_EXTERNAL_ID_INSERT, 2, px, NULL, &o))
        return o;
    if (in->card_number && !store_bind_physical(db, a, id, in->card_number, &o))
        return o;
    const char *vnum = NULL;
    if (in->issue_virtual_card && !store_issue_virtual(db, a, id, &vnum, &o))
        return o;
    const char *pa[1] = {ids};
    if (!store_exec(db, STMT_ACCOUNT_INSERT, 1, pa, NULL, &o))
        return o;
    store_touch_client(db, a, id, &o); /* numbers looked up before as unbound stock */
    if (!store_event(db, a, "client.created", id,
                     arena_printf(a, "{\"client_id\": %lld}", (long long)id), &o))
        return o;
    if (reg->idempotency_key) {
        const char *pi[5] = {store_i64(a, who->api_client_id), "clients.create",
                             reg->idempotency_key, reg->request_hash, ids};
        if (!store_exec(db, STMT_IDEMPOTENCY_PUT, 5, pi, NULL, &o))
            return o;
    }
    *client_id = id;
    return o;
}

/* Inputs and outputs of the client transactions, for store_tx_run. */
struct store_client_op {
    struct arena *a;                          /* request memory */
    const struct store_caller *who;           /* caller */
    const struct store_registration *reg;     /* register: the registration */
    const struct msg_client_input *in;        /* update: the changes */
    const char *phone, *email;                /* update: normalised values */
    const char *number, *new_number, *reason; /* card operations */
    bool flag;                                /* virtual card / blocked */
    int64_t *client_id;                       /* in or out: the client */
    bool *replayed;                           /* register: an idempotent repeat */
    const char **out;                         /* card add: the card number */
};

static struct store_outcome store_register_body(struct db *db, void *arg)
{
    struct store_client_op *op = arg;
    *op->replayed = false;
    return store_register_tx(db, op->a, op->who, op->reg, op->client_id, op->replayed);
}

struct store_outcome store_client_register(struct db *db, struct arena *a,
                                           const struct store_caller *who,
                                           const struct store_registration *reg,
                                           int64_t *client_id, bool *replayed)
{
    struct store_client_op op = {.a = a, .who = who, .reg = reg, .client_id = client_id,
                                 .replayed = replayed};
    return store_tx_run(db, store_register_body, &op);
}

/* Replace a lookup value: delete the old row, insert the new one. */
static bool store_swap_lookup(struct db *db, enum db_stmt_id del, enum db_stmt_id ins,
                              const char *old, const char *new_value, const char *ids,
                              struct store_outcome *o)
{
    if (old && new_value && strcmp(old, new_value) == 0)
        return true;
    const char *pd[2] = {old, ids};
    if (old && !store_exec(db, del, 2, pd, NULL, o))
        return false;
    const char *pi[2] = {new_value, ids};
    return !new_value || store_exec(db, ins, 2, pi, NULL, o);
}

static struct store_outcome store_update_tx(struct db *db, struct arena *a,
                                            const struct store_caller *who, int64_t client_id,
                                            const struct msg_client_input *in, const char *phone,
                                            const char *email)
{
    struct store_outcome o = store_ok();
    PGresult *r = NULL;
    const char *ids = store_i64(a, client_id);
    const char *p[1] = {ids};
    if (!store_exec(db, STMT_CLIENT_LOCK, 1, p, &r, &o))
        return o;
    if (PQntuples(r) != 1 ||
        (who->only_source && strtoll(PQgetvalue(r, 0, 13), NULL, 10) != who->only_source)) {
        PQclear(r);
        return store_refuse(404, "client_not_found", NULL, "no such client");
    }
    /* current values: 1 external_id … 12 attributes */
    const char *cur[13];
    for (int i = 1; i <= 12; i++)
        cur[i] = PQgetisnull(r, 0, i) ? NULL : arena_strdup(a, PQgetvalue(r, 0, i));
    PQclear(r);
    const char *next_ext = in->external_id ? in->external_id : cur[1];
    const char *next_phone = phone ? phone : cur[2];
    const char *next_email = email ? email : cur[3];
    if (!store_swap_lookup(db, STMT_EXTERNAL_ID_DELETE, STMT_EXTERNAL_ID_INSERT, cur[1], next_ext,
                           ids, &o) ||
        !store_swap_lookup(db, STMT_PHONE_DELETE, STMT_PHONE_INSERT, cur[2], next_phone, ids, &o) ||
        !store_swap_lookup(db, STMT_EMAIL_DELETE, STMT_EMAIL_INSERT, cur[3], next_email, ids, &o))
        return o;
    const struct msg_consents_in *c = in->consents;
    const char *u[13] = {
        ids, next_ext, next_phone, next_email,
        in->first_name ? in->first_name : cur[4],
        in->last_name ? in->last_name : cur[5],
        in->middle_name ? in->middle_name : cur[6],
        in->birth_date ? in->birth_date : cur[7],
        in->gender ? in->gender : cur[8],
        c && c->has_sms ? store_bool(c->sms) : cur[9],
        c && c->has_email ? store_bool(c->email) : cur[10],
        c && c->has_push ? store_bool(c->push) : cur[11],
        in->attributes ? docs_kv_to_json(a, in->attributes) : cur[12]};
    if (!store_exec(db, STMT_CLIENT_UPDATE, 13, u, NULL, &o))
        return o;
    store_touch_client(db, a, client_id, &o);
    store_event(db, a, "client.updated", client_id,
                arena_printf(a, "{\"client_id\": %lld}", (long long)client_id), &o);
    return o;
}

static struct store_outcome store_update_body(struct db *db, void *arg)
{
    struct store_client_op *op = arg;
    return store_update_tx(db, op->a, op->who, *op->client_id, op->in, op->phone, op->email);
}

struct store_outcome store_client_update(struct db *db, struct arena *a,
                                         const struct store_caller *who, int64_t client_id,
                                         const struct msg_client_input *in, const char *phone,
                                         const char *email)
{
    struct store_client_op op = {.a = a, .who = who, .in = in, .phone = phone, .email = email,
                                 .client_id = &client_id};
    return store_tx_run(db, store_update_body, &op);
}

/* Lock a client row and check the caller may see it. */
static bool store_lock_client(struct db *db, struct arena *a, const struct store_caller *who,
                              int64_t client_id, struct store_outcome *o)
{
    PGresult *r = NULL;
    const char *p[1] = {store_i64(a, client_id)};
    if (!store_exec(db, STMT_CLIENT_LOCK, 1, p, &r, o))
        return false;
    bool found = PQntuples(r) == 1 &&
                 (!who->only_source || strtoll(PQgetvalue(r, 0, 13), NULL, 10) == who->only_source);
    PQclear(r);
    if (!found)
        *o = store_refuse(404, "client_not_found", NULL, "no such client");
    return found;
}

static struct store_outcome store_card_add_tx(struct db *db, struct arena *a,
                                              const struct store_caller *who, int64_t client_id,
                                              const char *number, bool virtual_card,
                                              const char **out)
{
    struct store_outcome o = store_ok();
    if (!store_lock_client(db, a, who, client_id, &o))
        return o;
    if (virtual_card) {
        if (!store_issue_virtual(db, a, client_id, out, &o))
            return o;
    } else {
        if (!store_bind_physical(db, a, client_id, number, &o)) {
            if (o.field)
                o.field = "number";
            return o;
        }
        *out = number;
    }
    store_touch_client(db, a, client_id, &o);
    store_event(db, a, "card.changed", client_id,
                arena_printf(a, "{\"client_id\": %lld, \"action\": \"issued\"}", (long long)client_id),
                &o);
    return o;
}

static struct store_outcome store_card_add_body(struct db *db, void *arg)
{
    struct store_client_op *op = arg;
    return store_card_add_tx(db, op->a, op->who, *op->client_id, op->number, op->flag, op->out);
}

struct store_outcome store_card_add(struct db *db, struct arena *a,
                                    const struct store_caller *who, int64_t client_id,
                                    const char *number, bool virtual_card, const char **out)
{
    struct store_client_op op = {.a = a, .who = who, .number = number, .flag = virtual_card,
                                 .client_id = &client_id, .out = out};
    return store_tx_run(db, store_card_add_body, &op);
}

/* Lock a card; fills client id, status. Refuses unknown, unbound, foreign and replaced. */
static bool store_lock_card(struct db *db, struct arena *a, const struct store_caller *who,
                            const char *number, int64_t *client_id, const char **status,
                            struct store_outcome *o)
{
    PGresult *r = NULL;
    const char *p[1] = {number};
    if (!store_exec(db, STMT_CARD_LOCK, 1, p, &r, o))
        return false;
    if (PQntuples(r) != 1) {
        PQclear(r);
        *o = store_refuse(404, "card_not_found", NULL, "no such card");
        return false;
    }
    bool unbound = PQgetisnull(r, 0, 0);
    *client_id = unbound ? 0 : strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    *status = PQgetisnull(r, 0, 1) ? "inactive" : arena_strdup(a, PQgetvalue(r, 0, 1));
    PQclear(r);
    if (unbound) {
        *o = who->only_source ? store_refuse(404, "card_not_found", NULL, "no such card")
                              : store_refuse(409, "card_not_bound", NULL,
                                             "the card is not bound to a client");
        return false;
    }
    if (who->only_source && !store_lock_client(db, a, who, *client_id, o)) {
        *o = store_refuse(404, "card_not_found", NULL, "no such card");
        return false;
    }
    if (strcmp(*status, "replaced") == 0) {
        *o = store_refuse(409, "card_replaced", NULL, "the card was replaced by another");
        return false;
    }
    return true;
}

static struct store_outcome store_block_tx(struct db *db, struct arena *a,
                                           const struct store_caller *who, const char *number,
                                           bool blocked, const char *reason, int64_t *client_id)
{
    struct store_outcome o = store_ok();
    const char *status;
    if (!store_lock_card(db, a, who, number, client_id, &status, &o))
        return o;
    const char *next = blocked ? "blocked" : strcmp(status, "blocked") == 0 ? "active" : status;
    if (strcmp(next, status) == 0 && !blocked)
        return o; /* nothing to unblock */
    const char *p[5] = {store_i64(a, *client_id), number, next, blocked ? reason : NULL, NULL};
    if (!store_exec(db, STMT_CARD_SET_STATE, 5, p, NULL, &o))
        return o;
    store_touch_client(db, a, *client_id, &o);
    store_event(db, a, "card.changed", *client_id,
                arena_printf(a, "{\"client_id\": %lld, \"action\": \"%s\"}",
                             (long long)*client_id, blocked ? "blocked" : "unblocked"),
                &o);
    return o;
}

static struct store_outcome store_block_body(struct db *db, void *arg)
{
    struct store_client_op *op = arg;
    return store_block_tx(db, op->a, op->who, op->number, op->flag, op->reason, op->client_id);
}

struct store_outcome store_card_set_blocked(struct db *db, struct arena *a,
                                            const struct store_caller *who, const char *number,
                                            bool blocked, const char *reason,
                                            int64_t *client_id)
{
    struct store_client_op op = {.a = a, .who = who, .number = number, .flag = blocked,
                                 .reason = reason, .client_id = client_id};
    return store_tx_run(db, store_block_body, &op);
}

static struct store_outcome store_replace_tx(struct db *db, struct arena *a,
                                             const struct store_caller *who, const char *number,
                                             const char *new_number, int64_t *client_id)
{
    struct store_outcome o = store_ok();
    const char *status;
    if (!store_lock_card(db, a, who, number, client_id, &status, &o))
        return o;
    if (!store_bind_physical(db, a, *client_id, new_number, &o)) {
        if (o.field)
            o.field = "new_number";
        return o;
    }
    const char *p[5] = {store_i64(a, *client_id), number, "replaced", NULL, new_number};
    if (!store_exec(db, STMT_CARD_SET_STATE, 5, p, NULL, &o))
        return o;
    store_touch_client(db, a, *client_id, &o);
    store_event(db, a, "card.changed", *client_id,
                arena_printf(a, "{\"client_id\": %lld, \"action\": \"replaced\"}",
                             (long long)*client_id),
                &o);
    return o;
}

static struct store_outcome store_replace_body(struct db *db, void *arg)
{
    struct store_client_op *op = arg;
    return store_replace_tx(db, op->a, op->who, op->number, op->new_number, op->client_id);
}

struct store_outcome store_card_replace(struct db *db, struct arena *a,
                                        const struct store_caller *who, const char *number,
                                        const char *new_number, int64_t *client_id)
{
    struct store_client_op op = {.a = a, .who = who, .number = number, .new_number = new_number,
                                 .client_id = client_id};
    return store_tx_run(db, store_replace_body, &op);
}
