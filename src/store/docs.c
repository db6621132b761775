#include "store/docs.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/phone.h"
#include "store/pgarray.h"

/* A column as an arena string, NULL for SQL NULL. */
static const char *docs_col(struct arena *a, PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : arena_strdup(a, PQgetvalue(r, row, col));
}

static int64_t docs_int(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static bool docs_bool(PGresult *r, int row, int col)
{
    return !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}

static struct msg_balance *docs_balance(struct arena *a, PGresult *r, int row, int col)
{
    struct msg_balance *b = arena_alloc(a, sizeof(*b));
    b->available.minor = docs_int(r, row, col);
    b->pending.minor = docs_int(r, row, col + 1);
    b->debt.minor = docs_int(r, row, col + 2);
    return b;
}

static struct msg_ref *docs_ref(struct arena *a, PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return NULL;
    struct msg_ref *ref = arena_alloc(a, sizeof(*ref));
    ref->id = docs_int(r, row, col);
    ref->name = docs_col(a, r, row, col + 1);
    return ref;
}

/* "id\x1fname\x1e…" → segment refs */
static void docs_segments(struct arena *a, const char *s, struct msg_card *c)
{
    if (!s || !*s)
        return;
    size_t n = 1;
    for (const char *p = s; *p; p++)
        n += *p == '\x1e';
    c->segments = arena_alloc(a, sizeof(struct msg_ref) * n);
    char *copy = arena_strdup(a, s), *save = NULL;
    for (char *item = strtok_r(copy, "\x1e", &save); item; item = strtok_r(NULL, "\x1e", &save)) {
        char *sep = strchr(item, '\x1f');
        if (!sep)
            continue;
        *sep = '\0';
        c->segments[c->nsegments].id = strtoll(item, NULL, 10);
        c->segments[c->nsegments].name = sep + 1;
        c->nsegments++;
    }
}

/* One row of CARD_DOC_COLUMNS (store/stmts.c) as a card; *source gets the owner's source. */
static struct msg_card *docs_card_row(struct arena *a, PGresult *r, int row, int64_t *source)
{
    struct msg_card *c = arena_alloc(a, sizeof(*c));
    c->number = docs_col(a, r, row, 0);
    c->status = docs_col(a, r, row, 1);
    c->kind = docs_col(a, r, row, 2);
    c->replaced_by = docs_col(a, r, row, 3);
    *source = 0;
    if (PQgetisnull(r, row, 4))
        return c;
    struct msg_card_client *cl = arena_alloc(a, sizeof(*cl));
    cl->id = docs_int(r, row, 4);
    cl->first_name = docs_col(a, r, row, 5);
    cl->last_name = docs_col(a, r, row, 6);
    if (!PQgetisnull(r, row, 7)) {
        char masked[32];
        phone_mask(PQgetvalue(r, row, 7), masked, sizeof(masked));
        cl->phone_masked = arena_strdup(a, masked);
    }
    c->client = cl;
    c->level = docs_ref(a, r, row, 8);
    c->balance = docs_balance(a, r, row, 10);
    c->discount_percent.bp = docs_int(r, row, 13);
    c->has_discount_percent = true;
    docs_segments(a, docs_col(a, r, row, 14), c);
    *source = docs_int(r, row, 15);
    return c;
}

enum db_status docs_card_load(struct db *db, struct arena *a, const char *number,
                              struct msg_card **out, int64_t *source)
{
    PGresult *r = NULL;
    const char *p[1] = {number};
    enum db_status st = db_exec(db, STMT_CARD_DOC, 1, p, &r, NULL, 0);
    *out = NULL;
    *source = 0;
    if (st == DB_OK && PQntuples(r) == 1)
        *out = docs_card_row(a, r, 0, source);
    PQclear(r);
    return st;
}

/* Rows of CARD_DOC_COLUMNS in the order of numbers, unknown numbers left out: each to its
 * slot of out and sources. */
static void docs_card_rows(struct arena *a, PGresult *r, const char *const *numbers, size_t n,
                           struct msg_card **out, int64_t *sources)
{
    size_t i = 0;
    for (int row = 0; row < PQntuples(r); row++) {
        while (i < n && strcmp(numbers[i], PQgetvalue(r, row, 0)) != 0)
            i++;
        if (i == n)
            return;
        out[i] = docs_card_row(a, r, row, &sources[i]);
        i++;
    }
}

enum db_status docs_card_load_many(struct db *db, struct arena *a, const char *const *numbers,
                                   size_t n, struct msg_card **out, int64_t *sources)
{
    PGresult *r = NULL;
    struct buf arr;
    buf_init(&arr);
    pgarray_begin(&arr);
    for (size_t i = 0; i < n; i++) {
        pgarray_text(&arr, numbers[i]);
        out[i] = NULL;
        sources[i] = 0;
    }
    pgarray_end(&arr);
    const char *p[1] = {buf_str(&arr)};
    enum db_status st = db_exec(db, STMT_CARD_DOC_MANY, 1, p, &r, NULL, 0);
    if (st == DB_OK)
        docs_card_rows(a, r, numbers, n, out, sources);
    PQclear(r);
    buf_free(&arr);
    return st;
}

enum db_status docs_client_load(struct db *db, struct arena *a, int64_t id,
                                struct msg_client **out, int64_t *source)
{
    PGresult *r = NULL, *cards = NULL;
    char ids[32];
    snprintf(ids, sizeof(ids), "%lld", (long long)id);
    const char *p[1] = {ids};
    enum db_status st = db_exec(db, STMT_CLIENT_DOC, 1, p, &r, NULL, 0);
    *out = NULL;
    *source = 0;
    if (st != DB_OK || PQntuples(r) != 1)
        goto out;
    st = db_exec(db, STMT_CLIENT_CARDS, 1, p, &cards, NULL, 0);
    if (st != DB_OK)
        goto out;
    struct msg_client *c = arena_alloc(a, sizeof(*c));
    c->id = docs_int(r, 0, 0);
    c->external_id = docs_col(a, r, 0, 1);
    c->phone = docs_col(a, r, 0, 2);
    c->email = docs_col(a, r, 0, 3);
    c->first_name = docs_col(a, r, 0, 4);
    c->last_name = docs_col(a, r, 0, 5);
    c->middle_name = docs_col(a, r, 0, 6);
    c->birth_date = docs_col(a, r, 0, 7);
    c->gender = docs_col(a, r, 0, 8);
    c->consents = arena_alloc(a, sizeof(*c->consents));
    c->consents->sms = docs_bool(r, 0, 9);
    c->consents->email = docs_bool(r, 0, 10);
    c->consents->push = docs_bool(r, 0, 11);
    c->level = docs_ref(a, r, 0, 12);
    c->referral_code = docs_col(a, r, 0, 14);
    c->balance = docs_balance(a, r, 0, 15);
    c->attributes = docs_kv_from_json(a, PQgetvalue(r, 0, 18));
    c->created_at = docs_col(a, r, 0, 19);
    c->source = docs_col(a, r, 0, 20);
    *source = docs_int(r, 0, 21);
    c->ncards = (size_t)PQntuples(cards);
    c->cards = arena_alloc(a, sizeof(struct msg_card_summary) * (c->ncards ? c->ncards : 1));
    for (size_t i = 0; i < c->ncards; i++) {
        c->cards[i].number = docs_col(a, cards, (int)i, 0);
        c->cards[i].status = docs_col(a, cards, (int)i, 1);
        c->cards[i].kind = docs_col(a, cards, (int)i, 2);
    }
    *out = c;
out:
    PQclear(r);
    PQclear(cards);
    return st;
}

/* Column 0 of every row, as arena strings. */
static void docs_numbers(struct arena *a, PGresult *r, const char ***numbers, size_t *n)
{
    *n = (size_t)PQntuples(r);
    *numbers = arena_alloc(a, sizeof(char *) * (*n + 1));
    for (size_t i = 0; i < *n; i++)
        (*numbers)[i] = arena_strdup(a, PQgetvalue(r, (int)i, 0));
}

enum db_status docs_client_card_numbers(struct db *db, struct arena *a, int64_t id,
                                        const char ***numbers, size_t *n)
{
    PGresult *r = NULL;
    char ids[32];
    snprintf(ids, sizeof(ids), "%lld", (long long)id);
    const char *p[1] = {ids};
    enum db_status st = db_exec(db, STMT_CLIENT_CARDS, 1, p, &r, NULL, 0);
    *n = 0;
    *numbers = NULL;
    if (st != DB_OK)
        return st;
    docs_numbers(a, r, numbers, n);
    PQclear(r);
    return DB_OK;
}

enum db_status docs_card_numbers_after(struct db *db, struct arena *a, const char *after,
                                       size_t limit, const char ***numbers, size_t *n)
{
    PGresult *r = NULL;
    char lim[32];
    snprintf(lim, sizeof(lim), "%zu", limit);
    const char *p[2] = {after, lim};
    enum db_status st = db_exec(db, STMT_CARD_NUMBERS_AFTER, 2, p, &r, NULL, 0);
    *n = 0;
    *numbers = NULL;
    if (st != DB_OK)
        return st;
    docs_numbers(a, r, numbers, n);
    PQclear(r);
    return DB_OK;
}

char *docs_kv_to_json(struct arena *a, const struct msg_kv *kv)
{
    struct buf b;
    buf_init(&b);
    buf_addc(&b, '{');
    for (size_t i = 0; kv && i < kv->n; i++) {
        if (i)
            buf_addc(&b, ',');
        buf_add_json_str(&b, kv->keys[i]);
        buf_addc(&b, ':');
        buf_add_json_str(&b, kv->vals[i]);
    }
    buf_addc(&b, '}');
    char *s = arena_strdup(a, b.data);
    buf_free(&b);
    return s;
}

struct msg_kv *docs_kv_from_json(struct arena *a, const char *json)
{
    struct msg_kv *kv = arena_alloc(a, sizeof(*kv));
    json_object *o = json_tokener_parse(json);
    if (!o || !json_object_is_type(o, json_type_object)) {
        if (o)
            json_object_put(o);
        return kv;
    }
    size_t n = (size_t)json_object_object_length(o);
    kv->keys = arena_alloc(a, sizeof(char *) * (n + 1));
    kv->vals = arena_alloc(a, sizeof(char *) * (n + 1));
    json_object_object_foreach(o, key, val)
    {
        kv->keys[kv->n] = arena_strdup(a, key);
        kv->vals[kv->n] = arena_strdup(a, json_object_is_type(val, json_type_string)
                                              ? json_object_get_string(val)
                                              : json_object_to_json_string(val));
        kv->n++;
    }
    json_object_put(o);
    return kv;
}
