/* config.c: configuration resources: /settings, /settings/points and /levels. A settings
 * document is replaced whole by PUT: a member left out takes its documented default. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "codec/cardno.h"
#include "codec/phone.h"
#include "store/cache.h"
#include "store/settings.h"
#include "util/log.h"

/* Fill every member left out with its default. */
static void config_points_defaults(struct msg_settings_points *s)
{
    if (!s->has_rate)
        s->rate.minor = 100;
    if (!s->has_max_spend_percent)
        s->max_spend_percent.bp = 10000;
    if (!s->rounding)
        s->rounding = "down";
    if (!s->has_allow_negative_balance_on_refund)
        s->allow_negative_balance_on_refund = true;
    s->has_rate = s->has_max_spend_percent = s->has_min_receipt_total = true;
    s->has_activation_delay_days = s->has_expiry_days = true;
    s->has_allow_negative_balance_on_refund = true;
}

static void config_general_defaults(struct http_req *r, struct msg_settings_general *s)
{
    if (!s->timezone)
        s->timezone = "Europe/Moscow";
    if (!s->default_country)
        s->default_country = "RU";
    if (!s->has_slip_width)
        s->slip_width = 40;
    if (!s->has_hold_ttl_seconds)
        s->hold_ttl_seconds = 900;
    if (!s->virtual_card_range) {
        s->virtual_card_range = arena_alloc(r->arena, sizeof(*s->virtual_card_range));
        s->virtual_card_range->first = "2000000000015";
        s->virtual_card_range->last = "2999999999999";
    }
    s->has_slip_width = s->has_hold_ttl_seconds = true;
}

/* Read a section's stored document into the message (defaults for what is missing). */
static bool config_read(struct http_req *r, const char *section, const struct msg_desc *d,
                        void *out)
{
    PGresult *res = NULL;
    struct msg_error err;
    const char *p[1] = {section};
    enum db_status st = db_exec(&r->t->db, STMT_SETTINGS_GET, 1, p, &res, NULL, 0);
    memset(out, 0, d->size);
    if (st != DB_OK) {
        http_db_error(r, st);
        return false;
    }
    bool ok = true;
    if (PQntuples(res) == 1) {
        const char *json = PQgetvalue(res, 0, 0);
        ok = codec_json_decode(json, strlen(json), d, out, r->arena, &err);
    }
    PQclear(res);
    if (!ok)
        http_error(r, 500, "internal", err.field, "stored %s settings are unreadable: %s", section,
                   err.message);
    return ok;
}

static bool config_write(struct http_req *r, const char *section, const struct msg_desc *d,
                         const void *doc)
{
    struct buf json;
    buf_init(&json);
    codec_encode(&json, MSG_JSON, d, doc);
    const char *p[2] = {section, arena_strdup(r->arena, buf_str(&json))};
    buf_free(&json);
    enum db_status st = db_run(&r->t->db, STMT_SETTINGS_PUT, 2, p);
    if (st != DB_OK)
        http_db_error(r, st);
    return st == DB_OK;
}

void api_settings_points_get(struct http_req *r)
{
    struct msg_settings_points s;
    if (!config_read(r, "points", &msg_settings_points_desc, &s))
        return;
    config_points_defaults(&s);
    http_reply(r, 200, &msg_settings_points_desc, &s);
}

void api_settings_points_put(struct http_req *r)
{
    struct msg_settings_points s;
    if (!http_decode(r, &msg_settings_points_desc, &s))
        return;
    config_points_defaults(&s);
    if (config_write(r, "points", &msg_settings_points_desc, &s))
        http_reply(r, 200, &msg_settings_points_desc, &s);
}

void api_settings_get(struct http_req *r)
{
    struct msg_settings_general s;
    if (!config_read(r, "general", &msg_settings_general_desc, &s))
        return;
    config_general_defaults(r, &s);
    http_reply(r, 200, &msg_settings_general_desc, &s);
}

void api_settings_put(struct http_req *r)
{
    struct msg_settings_general s;
    PGresult *res = NULL;
    if (!http_decode(r, &msg_settings_general_desc, &s))
        return;
    config_general_defaults(r, &s);
    if (!phone_country_known(s.default_country)) {
        http_error(r, 400, "invalid_field", "default_country", "unknown country for phone numbers");
        return;
    }
    const struct msg_card_range *v = s.virtual_card_range;
    bool last_digits = strspn(v->last, "0123456789") == 13;
    if (!cardno_ean13_valid(v->first) || !last_digits || strcmp(v->first, v->last) > 0) {
        http_error(r, 400, "invalid_field", "virtual_card_range",
                   "first must be an EAN-13 number and last 13 digits, first ≤ last");
        return;
    }
    const char *p[1] = {s.timezone};
    enum db_status st = db_exec(&r->t->db, STMT_TIMEZONE_CHECK, 1, p, &res, NULL, 0);
    if (st != DB_OK) {
        http_db_error(r, st);
        return;
    }
    bool known = PQntuples(res) == 1;
    PQclear(res);
    if (!known) {
        http_error(r, 400, "invalid_field", "timezone", "unknown time zone");
        return;
    }
    if (config_write(r, "general", &msg_settings_general_desc, &s))
        http_reply(r, 200, &msg_settings_general_desc, &s);
}

/* A level row (id, name, rank, threshold, period, accrual, discount, max spend) → message. */
static void config_level_row(PGresult *res, int i, struct http_req *r, struct msg_level *l)
{
    memset(l, 0, sizeof(*l));
    l->id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
    l->name = arena_strdup(r->arena, PQgetvalue(res, i, 1));
    l->rank = strtoll(PQgetvalue(res, i, 2), NULL, 10);
    l->threshold.minor = strtoll(PQgetvalue(res, i, 3), NULL, 10);
    l->period_days = strtoll(PQgetvalue(res, i, 4), NULL, 10);
    l->accrual_percent.bp = strtoll(PQgetvalue(res, i, 5), NULL, 10);
    l->discount_percent.bp = strtoll(PQgetvalue(res, i, 6), NULL, 10);
    l->has_max_spend_percent = !PQgetisnull(res, i, 7);
    l->max_spend_percent.bp = strtoll(PQgetvalue(res, i, 7), NULL, 10);
    l->has_id = l->has_rank = l->has_threshold = l->has_period_days = true;
    l->has_accrual_percent = l->has_discount_percent = true;
}

void api_levels_list(struct http_req *r)
{
    PGresult *res = NULL;
    enum db_status st = db_exec(&r->t->db, STMT_LEVELS_LIST, 0, NULL, &res, NULL, 0);
    if (st != DB_OK) {
        http_db_error(r, st);
        return;
    }
    size_t n = (size_t)PQntuples(res);
    struct msg_level *items = arena_alloc(r->arena, sizeof(*items) * (n ? n : 1));
    for (size_t i = 0; i < n; i++)
        config_level_row(res, (int)i, r, &items[i]);
    PQclear(res);
    http_reply_list(r, &msg_level_desc, items, n, NULL);
}

/* Answer with one level (or 404). */
static void config_level_reply(struct http_req *r, int status, int64_t id)
{
    PGresult *res = NULL;
    struct msg_level l;
    const char *p[1] = {arena_printf(r->arena, "%lld", (long long)id)};
    enum db_status st = db_exec(&r->t->db, STMT_LEVEL_GET, 1, p, &res, NULL, 0);
    if (st != DB_OK) {
        http_db_error(r, st);
        return;
    }
    if (PQntuples(res) != 1) {
        PQclear(res);
        http_error(r, 404, "not_found", NULL, "no such level");
        return;
    }
    config_level_row(res, 0, r, &l);
    PQclear(res);
    http_reply(r, status, &msg_level_desc, &l);
}

void api_level_get(struct http_req *r)
{
    int64_t id;
    if (api_path_id(r, 0, "not_found", &id))
        config_level_reply(r, 200, id);
}

/* Cached card documents show a level's name and discount, cached calculation contexts its
 * percents and the next level: any change of the levels drops them all. */
static void config_level_flush(struct http_req *r)
{
    if (!cache_card_flush_all(r->t->cache))
        log_warn("levels: cached card documents could not be dropped");
}

/* Write a level: insert when id is 0, else update the members given. */
static void config_level_write(struct http_req *r, int64_t id)
{
    struct msg_level l;
    PGresult *res = NULL;
    char constraint[128] = "";
    if (!http_decode(r, &msg_level_desc, &l))
        return;
    if (!id && (!l.name || !l.has_rank)) {
        const char *f = !l.name ? "name" : "rank";
        http_error(r, 400, "missing_field", f, "%s is required", f);
        return;
    }
#define LVL(has, v) ((has) ? arena_printf(r->arena, "%lld", (long long)(v)) : NULL)
    const char *p[9] = {id ? arena_printf(r->arena, "%lld", (long long)id) : NULL, l.name,
                        LVL(l.has_rank, l.rank), LVL(l.has_threshold, l.threshold.minor),
                        LVL(l.has_period_days, l.period_days),
                        LVL(l.has_accrual_percent, l.accrual_percent.bp),
                        LVL(l.has_discount_percent, l.discount_percent.bp),
                        LVL(l.has_max_spend_percent, l.max_spend_percent.bp),
                        l.has_max_spend_percent ? "t" : "f"};
#undef LVL
    enum db_status st = db_exec(&r->t->db, id ? STMT_LEVEL_UPDATE : STMT_LEVEL_INSERT,
                                id ? 9 : 8, id ? p : p + 1, &res, constraint, sizeof(constraint));
    if (st == DB_UNIQUE) {
        bool name = strstr(constraint, "name") != NULL;
        http_error(r, 409, name ? "level_name_taken" : "level_rank_taken", name ? "name" : "rank",
                   "another level has this %s", name ? "name" : "rank");
        return;
    }
    if (st != DB_OK) {
        http_db_error(r, st);
        return;
    }
    bool found = PQntuples(res) == 1;
    int64_t new_id = found ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    if (!found) {
        http_error(r, 404, "not_found", NULL, "no such level");
        return;
    }
    config_level_flush(r);
    config_level_reply(r, id ? 200 : 201, new_id);
}

void api_level_create(struct http_req *r)
{
    config_level_write(r, 0);
}

void api_level_update(struct http_req *r)
{
    int64_t id;
    if (api_path_id(r, 0, "not_found", &id))
        config_level_write(r, id);
}

void api_level_delete(struct http_req *r)
{
    int64_t id;
    PGresult *res = NULL;
    if (!api_path_id(r, 0, "not_found", &id))
        return;
    const char *p[1] = {arena_printf(r->arena, "%lld", (long long)id)};
    enum db_status st = db_exec(&r->t->db, STMT_LEVEL_DELETE, 1, p, &res, NULL, 0);
    if (st != DB_OK) {
        http_db_error(r, st);
        return;
    }
    /* deleted, in use, or unknown */
    const char *outcome = PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "missing";
    bool deleted = strcmp(outcome, "deleted") == 0, in_use = strcmp(outcome, "in_use") == 0;
    PQclear(res);
    if (deleted) {
        config_level_flush(r);
        http_reply_raw(r, 204, NULL, "", 0);
    } else if (in_use)
        http_error(r, 409, "level_in_use", NULL, "clients hold this level; move them first");
    else
        http_error(r, 404, "not_found", NULL, "no such level");
}
