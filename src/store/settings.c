#include "store/settings.h"

#include "store/notify.h"

#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A decimal member (number or string) in minor units; def when absent or bad. */
static int64_t settings_dec(json_object *o, const char *key, int scale, int64_t def)
{
    json_object *v;
    int64_t out;
    if (!json_object_object_get_ex(o, key, &v) || !v)
        return def;
    const char *text = json_object_is_type(v, json_type_string)
                           ? json_object_get_string(v)
                           : json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
    return dec_parse(text, scale, &out) == DEC_OK ? out : def;
}

static int settings_int(json_object *o, const char *key, int def)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
        return def;
    return json_object_get_int(v);
}

static bool settings_bool(json_object *o, const char *key, bool def)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_boolean))
        return def;
    return json_object_get_boolean(v);
}

static const char *settings_str(json_object *o, const char *key, const char *def)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return def;
    return json_object_get_string(v);
}

/* The documents read in the current configuration generation (see store/notify.h). */
#define SETTINGS_SECTIONS 2
static struct {
    pthread_mutex_t lock;                      /* guards the slots */
    struct {
        const char *section;                   /* settings.section */
        uint64_t generation;                   /* when it was read, 0 = empty */
        char text[8192];                       /* the JSON body ("" = no row) */
    } slot[SETTINGS_SECTIONS];
} settings_cache = {PTHREAD_MUTEX_INITIALIZER, {{"points", 0, ""}, {"general", 0, ""}}};

/* The body of a section as parsed JSON (caller puts it), NULL on a missing row. */
static enum db_status settings_fetch(struct db *db, const char *section, json_object **out)
{
    PGresult *r = NULL;
    const char *p[1] = {section};
    uint64_t gen = notify_generation();
    int k = -1;
    *out = NULL;
    for (int i = 0; i < SETTINGS_SECTIONS; i++)
        if (strcmp(settings_cache.slot[i].section, section) == 0)
            k = i;
    if (k >= 0 && gen) {
        bool hit = false;
        pthread_mutex_lock(&settings_cache.lock);
        if (settings_cache.slot[k].generation == gen) {
            hit = true;
            if (settings_cache.slot[k].text[0])
                *out = json_tokener_parse(settings_cache.slot[k].text);
        }
        pthread_mutex_unlock(&settings_cache.lock);
        if (hit)
            return DB_OK;
    }
    enum db_status st = db_exec(db, STMT_SETTINGS_GET, 1, p, &r, NULL, 0);
    if (st != DB_OK)
        return st;
    const char *text = PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "";
    if (*text)
        *out = json_tokener_parse(text);
    if (k >= 0 && gen && strlen(text) < sizeof(settings_cache.slot[k].text)) {
        pthread_mutex_lock(&settings_cache.lock);
        snprintf(settings_cache.slot[k].text, sizeof(settings_cache.slot[k].text), "%s", text);
        settings_cache.slot[k].generation = gen; /* read after gen was taken: never older */
        pthread_mutex_unlock(&settings_cache.lock);
    }
    PQclear(r);
    return DB_OK;
}

enum db_status settings_points_load(struct db *db, struct arena *a, struct settings_points *out)
{
    json_object *o;
    enum db_status st = settings_fetch(db, "points", &o);
    memset(out, 0, sizeof(*out));
    if (st != DB_OK)
        return st;
    json_object *empty = o ? NULL : json_object_new_object();
    json_object *b = o ? o : empty;
    out->rules.rate.minor = settings_dec(b, "rate", 2, 100);
    if (out->rules.rate.minor <= 0)
        out->rules.rate.minor = 100;
    out->rules.max_spend_percent.bp = settings_dec(b, "max_spend_percent", 2, 10000);
    out->rules.min_receipt_total.minor = settings_dec(b, "min_receipt_total", 2, 0);
    out->rules.round_half_up = strcmp(settings_str(b, "rounding", "down"), "half_up") == 0;
    out->activation_delay_days = settings_int(b, "activation_delay_days", 0);
    out->expiry_days = settings_int(b, "expiry_days", 0);
    out->allow_negative_on_refund = settings_bool(b, "allow_negative_balance_on_refund", true);
    json_object *ex;
    if (json_object_object_get_ex(b, "excluded_product_segments", &ex) &&
        json_object_is_type(ex, json_type_array)) {
        size_t n = json_object_array_length(ex);
        out->excluded_segments = arena_alloc(a, sizeof(int64_t) * (n ? n : 1));
        for (size_t i = 0; i < n; i++) {
            json_object *e = json_object_array_get_idx(ex, i);
            if (json_object_is_type(e, json_type_int))
                out->excluded_segments[out->nexcluded++] = json_object_get_int64(e);
        }
    }
    json_object_put(b);
    return DB_OK;
}

enum db_status settings_general_load(struct db *db, struct settings_general *out)
{
    json_object *o;
    enum db_status st = settings_fetch(db, "general", &o);
    memset(out, 0, sizeof(*out));
    if (st != DB_OK)
        return st;
    json_object *b = o ? o : json_object_new_object();
    snprintf(out->timezone, sizeof(out->timezone), "%s", settings_str(b, "timezone", "Europe/Moscow"));
    snprintf(out->default_country, sizeof(out->default_country), "%s",
             settings_str(b, "default_country", "RU"));
    out->slip_width = settings_int(b, "slip_width", 40);
    if (out->slip_width < 32 || out->slip_width > 48)
        out->slip_width = 40;
    out->hold_ttl_seconds = settings_int(b, "hold_ttl_seconds", 900);
    json_object_put(b);
    return DB_OK;
}
