/* fixture.c: see fixture.h. */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char *const tf_colors[] = {"red", "green", "blue", NULL};

static const struct msg_field tf_inner_fields[] = {
    {.name = "city", .type = MSG_STRING, .off = offsetof(struct tf_inner, city)},
    {.name = "flag", .type = MSG_BOOL, .off = offsetof(struct tf_inner, flag)},
    {.name = "n", .type = MSG_INT, .off = offsetof(struct tf_inner, n)},
};
static const struct msg_desc tf_inner_desc = {"inner", MSG_FIELDS(tf_inner_fields),
                                              sizeof(struct tf_inner)};

static const struct msg_field tf_line_fields[] = {
    {.name = "line_no", .type = MSG_INT, .off = offsetof(struct tf_line, line_no),
     .flags = MSG_REQUIRED, .min = 1, .max = 1000},
    {.name = "sku", .type = MSG_STRING, .off = offsetof(struct tf_line, sku), .max = 64},
    {.name = "qty", .type = MSG_QTY, .off = offsetof(struct tf_line, qty), .flags = MSG_REQUIRED,
     .min = 1, .max = 1000000000LL},
    {.name = "price", .type = MSG_MONEY, .off = offsetof(struct tf_line, price),
     .flags = MSG_REQUIRED},
    {.name = "amount", .type = MSG_MONEY, .off = offsetof(struct tf_line, amount),
     .flags = MSG_OPTIONAL, .set_off = offsetof(struct tf_line, has_amount)},
};
const struct msg_desc tf_line_desc = {"line", MSG_FIELDS(tf_line_fields), sizeof(struct tf_line)};

static const struct msg_field tf_msg_fields[] = {
    {.name = "name", .type = MSG_STRING, .off = offsetof(struct tf_msg, name),
     .flags = MSG_REQUIRED, .min = 1, .max = 20},
    {.name = "count", .type = MSG_INT, .off = offsetof(struct tf_msg, count), .min = -5,
     .max = 100},
    {.name = "active", .type = MSG_BOOL, .off = offsetof(struct tf_msg, active)},
    {.name = "total", .type = MSG_MONEY, .off = offsetof(struct tf_msg, total)},
    {.name = "points", .type = MSG_POINTS, .off = offsetof(struct tf_msg, points),
     .min = INT64_MIN, .max = INT64_MAX},
    {.name = "discount", .type = MSG_PERCENT, .off = offsetof(struct tf_msg, discount), .min = 0,
     .max = 10000},
    {.name = "weight", .type = MSG_QTY, .off = offsetof(struct tf_msg, weight)},
    {.name = "day", .type = MSG_DATE, .off = offsetof(struct tf_msg, day)},
    {.name = "at", .type = MSG_DATETIME, .off = offsetof(struct tf_msg, at)},
    {.name = "color", .type = MSG_ENUM, .off = offsetof(struct tf_msg, color),
     .values = tf_colors},
    {.name = "inner", .type = MSG_OBJECT, .off = offsetof(struct tf_msg, inner),
     .sub = &tf_inner_desc},
    {.name = "lines", .type = MSG_ARRAY, .off = offsetof(struct tf_msg, lines),
     .count_off = offsetof(struct tf_msg, nlines), .sub = &tf_line_desc, .min = 1, .max = 5},
    {.name = "tags", .type = MSG_ARRAY, .off = offsetof(struct tf_msg, tags),
     .count_off = offsetof(struct tf_msg, ntags), .max = 3},
    {.name = "attrs", .type = MSG_KV, .off = offsetof(struct tf_msg, attrs)},
    {.name = "bonus", .type = MSG_MONEY, .off = offsetof(struct tf_msg, bonus),
     .flags = MSG_OPTIONAL, .set_off = offsetof(struct tf_msg, has_bonus)},
    {.name = "ids", .type = MSG_INTS, .off = offsetof(struct tf_msg, ids),
     .count_off = offsetof(struct tf_msg, nids)},
    {.name = "slip", .type = MSG_ARRAY, .off = offsetof(struct tf_msg, slip),
     .count_off = offsetof(struct tf_msg, nslip)},
};
const struct msg_desc tf_msg_desc = {"t", MSG_FIELDS(tf_msg_fields), sizeof(struct tf_msg)};

static const struct msg_field tf_small_fields[] = {
    {.name = "id", .type = MSG_INT, .off = offsetof(struct tf_small, id)},
    {.name = "name", .type = MSG_STRING, .off = offsetof(struct tf_small, name)},
    {.name = "total", .type = MSG_MONEY, .off = offsetof(struct tf_small, total)},
    {.name = "qty", .type = MSG_QTY, .off = offsetof(struct tf_small, qty)},
    {.name = "ok", .type = MSG_BOOL, .off = offsetof(struct tf_small, ok)},
    {.name = "note", .type = MSG_STRING, .off = offsetof(struct tf_small, note)},
    {.name = "opt", .type = MSG_MONEY, .off = offsetof(struct tf_small, opt),
     .flags = MSG_OPTIONAL, .set_off = offsetof(struct tf_small, has_opt)},
    {.name = "balance", .type = MSG_POINTS, .off = offsetof(struct tf_small, balance),
     .min = INT64_MIN, .max = INT64_MAX},
    {.name = "pct", .type = MSG_PERCENT, .off = offsetof(struct tf_small, pct)},
    {.name = "tags", .type = MSG_ARRAY, .off = offsetof(struct tf_small, tags),
     .count_off = offsetof(struct tf_small, ntags)},
    {.name = "lines", .type = MSG_ARRAY, .off = offsetof(struct tf_small, lines),
     .count_off = offsetof(struct tf_small, nlines), .sub = &tf_line_desc},
    {.name = "inner", .type = MSG_OBJECT, .off = offsetof(struct tf_small, inner),
     .sub = &tf_inner_desc},
};
const struct msg_desc tf_small_desc = {"small", MSG_FIELDS(tf_small_fields),
                                       sizeof(struct tf_small)};

static char **tf_strs(struct arena *a, const char *const *src, size_t n)
{
    char **v = arena_alloc(a, sizeof(char *) * n);
    for (size_t i = 0; i < n; i++)
        v[i] = arena_strdup(a, src[i]);
    return v;
}

void tf_msg_sample(struct tf_msg *m, struct arena *a)
{
    static const char *const tags[] = {"new", "sale"};
    static const char *const slip[] = {"Thank you!", "2 & <3> \"x\""};
    static const char *const keys[] = {"vip", "tier"};
    static const char *const vals[] = {"yes", "2"};

    memset(m, 0, sizeof(*m));
    m->name = arena_strdup(a, "Ann & \"Bob\" <x>");
    m->count = -5;
    m->active = true;
    m->total.minor = 12990;
    m->points.minor = -5050;
    m->discount.bp = 500;
    m->weight.milli = 1234;
    m->day = arena_strdup(a, "2024-02-29");
    m->at = arena_strdup(a, "2026-11-26T10:15:00+03:00");
    m->color = "green";
    m->inner = arena_alloc(a, sizeof(*m->inner));
    m->inner->city = arena_strdup(a, "Москва");
    m->inner->flag = true;
    m->inner->n = 7;
    m->nlines = 2;
    m->lines = arena_alloc(a, sizeof(*m->lines) * 2);
    m->lines[0] = (struct tf_line){1, arena_strdup(a, "A100"), {2000}, {8990}, {0}, false};
    m->lines[1] = (struct tf_line){2, arena_strdup(a, "T55"), {1500}, {82020}, {100000}, true};
    m->ntags = 2;
    m->tags = tf_strs(a, tags, 2);
    m->attrs = arena_alloc(a, sizeof(*m->attrs));
    m->attrs->n = 2;
    m->attrs->keys = tf_strs(a, keys, 2);
    m->attrs->vals = tf_strs(a, vals, 2);
    m->bonus.minor = 1;
    m->has_bonus = true;
    m->nids = 2;
    m->ids = arena_alloc(a, sizeof(int64_t) * 2);
    m->ids[0] = 3;
    m->ids[1] = 1000000;
    m->nslip = 2;
    m->slip = tf_strs(a, slip, 2);
}

static void tf_strs_compare(char *const *got, size_t ngot, char *const *want, size_t nwant,
                            const char *what, const char *ctx)
{
    char c[256];
    snprintf(c, sizeof(c), "%s %s", ctx, what);
    T_INT_C(c, ngot, nwant);
    for (size_t i = 0; i < ngot && i < nwant; i++)
        T_STR_C(c, got[i], want[i]);
}

void tf_msg_compare(const struct tf_msg *got, const struct tf_msg *want, const char *ctx)
{
    T_STR_C(ctx, got->name, want->name);
    T_INT_C(ctx, got->count, want->count);
    T_INT_C(ctx, got->active, want->active);
    T_INT_C(ctx, got->total.minor, want->total.minor);
    T_INT_C(ctx, got->points.minor, want->points.minor);
    T_INT_C(ctx, got->discount.bp, want->discount.bp);
    T_INT_C(ctx, got->weight.milli, want->weight.milli);
    T_STR_C(ctx, got->day, want->day);
    T_STR_C(ctx, got->at, want->at);
    T_STR_C(ctx, got->color, want->color);
    T_INT_C(ctx, got->inner != NULL, want->inner != NULL);
    if (got->inner && want->inner) {
        T_STR_C(ctx, got->inner->city, want->inner->city);
        T_INT_C(ctx, got->inner->flag, want->inner->flag);
        T_INT_C(ctx, got->inner->n, want->inner->n);
    }
    T_INT_C(ctx, got->nlines, want->nlines);
    for (size_t i = 0; i < got->nlines && i < want->nlines; i++) {
        const struct tf_line *g = &got->lines[i], *w = &want->lines[i];
        T_INT_C(ctx, g->line_no, w->line_no);
        T_STR_C(ctx, g->sku, w->sku);
        T_INT_C(ctx, g->qty.milli, w->qty.milli);
        T_INT_C(ctx, g->price.minor, w->price.minor);
        T_INT_C(ctx, g->has_amount, w->has_amount);
        if (w->has_amount)
            T_INT_C(ctx, g->amount.minor, w->amount.minor);
    }
    tf_strs_compare(got->tags, got->ntags, want->tags, want->ntags, "tags", ctx);
    T_INT_C(ctx, got->attrs != NULL, want->attrs != NULL);
    if (got->attrs && want->attrs) {
        tf_strs_compare(got->attrs->keys, got->attrs->n, want->attrs->keys, want->attrs->n,
                        "attrs keys", ctx);
        tf_strs_compare(got->attrs->vals, got->attrs->n, want->attrs->vals, want->attrs->n,
                        "attrs values", ctx);
    }
    T_INT_C(ctx, got->has_bonus, want->has_bonus);
    if (want->has_bonus)
        T_INT_C(ctx, got->bonus.minor, want->bonus.minor);
    T_INT_C(ctx, got->nids, want->nids);
    for (size_t i = 0; i < got->nids && i < want->nids; i++)
        T_INT_C(ctx, got->ids[i], want->ids[i]);
    tf_strs_compare(got->slip, got->nslip, want->slip, want->nslip, "slip", ctx);
}

bool t_decode(enum msg_format f, const char *body, size_t len, const struct msg_desc *d,
              void *out, struct arena *a, struct msg_error *err)
{
    memset(out, 0, d->size);
    memset(err, 0, sizeof(*err));
    return codec_decode(f, body, len == SIZE_MAX ? strlen(body) : len, d, out, a, err);
}

/* "[json] {"name":…" for messages, cut to a readable length */
static void t_ctx(char *out, size_t n, enum msg_format f, const char *body, size_t len,
                  const char *ctx)
{
    if (ctx) {
        snprintf(out, n, "%s", ctx);
        return;
    }
    if (len == SIZE_MAX)
        len = strlen(body);
    int show = len > 160 ? 160 : (int)len;
    snprintf(out, n, "[%s] %.*s%s", f == MSG_XML ? "xml" : "json", show, body,
             len > 160 ? "…" : "");
    for (char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = '.';
}

void t_expect_error_at(const char *file, unsigned line, enum msg_format f, const char *body,
                       size_t len, const struct msg_desc *d, const char *code, const char *field,
                       const char *ctx)
{
    struct arena a;
    struct msg_error err;
    char c[256];
    void *out = calloc(1, d->size);
    if (!out)
        abort();
    arena_init(&a, 0);
    t_ctx(c, sizeof(c), f, body, len, ctx);
    bool ok = t_decode(f, body, len, d, out, &a, &err);
    t_check_true(!ok, "refused", c, file, line);
    if (!ok) {
        t_check_str(err.code, code, "code", c, file, line);
        t_check_str(err.field, field, "field", c, file, line);
        t_check_true(err.message[0] != '\0', "a message", c, file, line);
    }
    free(out);
    arena_free(&a);
}

bool t_expect_ok_at(const char *file, unsigned line, enum msg_format f, const char *body,
                    size_t len, const struct msg_desc *d, void *out, struct arena *a,
                    const char *ctx)
{
    struct msg_error err;
    char c[256], c2[800];
    t_ctx(c, sizeof(c), f, body, len, ctx);
    bool ok = t_decode(f, body, len, d, out, a, &err);
    snprintf(c2, sizeof(c2), "%s -> %s %s: %s", c, err.code ? err.code : "", err.field,
             err.message);
    t_check_true(ok, "decoded", c2, file, line);
    return ok;
}

char *t_encode(enum msg_format f, const struct msg_desc *d, const void *obj, struct arena *a)
{
    struct buf b;
    buf_init(&b);
    codec_encode(&b, f, d, obj);
    char *s = arena_strdup(a, buf_str(&b));
    buf_free(&b);
    return s;
}

char *t_repeat(struct arena *a, const char *unit, size_t n)
{
    size_t ul = strlen(unit);
    char *s = arena_alloc(a, ul * n + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * ul, unit, ul);
    s[ul * n] = '\0';
    return s;
}

/* ---- generic sample data ---- */

static int64_t t_clamp(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static const char *t_sample_string(const struct msg_field *f, struct arena *a)
{
    static const char rich[] = "Ann & <Bob> \"é\""; /* escapes in both formats, UTF-8 */
    int64_t lo = f->min, hi = f->max ? f->max : 1000;
    int64_t len = (int64_t)strlen(rich);
    if (len >= lo && len <= hi)
        return arena_strdup(a, rich);
    return t_repeat(a, "7", (size_t)(lo > 0 ? lo : (hi < 5 ? hi : 5)));
}

static void t_fill(const struct msg_desc *d, void *obj, struct arena *a);

static void t_fill_field(const struct msg_field *f, void *obj, struct arena *a)
{
    switch (f->type) {
    case MSG_STRING:
        *MSG_AT(obj, f->off, const char *) = t_sample_string(f, a);
        break;
    case MSG_INT: {
        int64_t lo = f->min, hi = f->max;
        if (lo == 0 && hi == 0) {
            lo = 1;
            hi = INT64_MAX;
        }
        *MSG_AT(obj, f->off, int64_t) = t_clamp(lo < 0 ? -42 : 42, lo, hi);
        break;
    }
    case MSG_BOOL:
        *MSG_AT(obj, f->off, bool) = true;
        break;
    case MSG_MONEY: case MSG_POINTS: case MSG_PERCENT: case MSG_QTY: {
        int64_t lo = f->min, hi = f->max;
        if (lo == 0 && hi == 0)
            hi = INT64_MAX;
        *MSG_AT(obj, f->off, int64_t) = t_clamp(lo < 0 ? -12345 : 12345, lo, hi);
        break;
    }
    case MSG_DATE:
        *MSG_AT(obj, f->off, const char *) = "2024-02-29";
        break;
    case MSG_DATETIME:
        *MSG_AT(obj, f->off, const char *) = "2026-11-26T10:15:00+03:00";
        break;
    case MSG_ENUM: {
        const char *last = NULL;
        for (const char *const *v = f->values; v && *v; v++)
            last = *v;
        *MSG_AT(obj, f->off, const char *) = last;
        break;
    }
    case MSG_OBJECT: {
        void *sub = arena_alloc(a, f->sub->size);
        t_fill(f->sub, sub, a);
        *MSG_AT(obj, f->off, void *) = sub;
        break;
    }
    case MSG_ARRAY: {
        size_t n = (size_t)t_clamp(2, f->min, f->max ? f->max : 1000);
        if (f->sub) {
            char *elems = arena_alloc(a, f->sub->size * n);
            for (size_t i = 0; i < n; i++)
                t_fill(f->sub, elems + i * f->sub->size, a);
            *MSG_AT(obj, f->off, void *) = elems;
        } else {
            char **v = arena_alloc(a, sizeof(char *) * n);
            for (size_t i = 0; i < n; i++)
                v[i] = arena_printf(a, "%s <%zu> & \"x\"", f->name, i + 1);
            *MSG_AT(obj, f->off, char **) = v;
        }
        *MSG_AT(obj, f->count_off, size_t) = n;
        break;
    }
    case MSG_KV: {
        struct msg_kv *kv = arena_alloc(a, sizeof(*kv));
        kv->n = 2;
        kv->keys = arena_alloc(a, sizeof(char *) * 2);
        kv->vals = arena_alloc(a, sizeof(char *) * 2);
        kv->keys[0] = "vip";
        kv->vals[0] = "yes & <no>";
        kv->keys[1] = "tier_2";
        kv->vals[1] = "2";
        *MSG_AT(obj, f->off, struct msg_kv *) = kv;
        break;
    }
    case MSG_INTS: {
        int64_t *v = arena_alloc(a, sizeof(int64_t) * 2);
        v[0] = 42;
        v[1] = 7;
        *MSG_AT(obj, f->off, int64_t *) = v;
        *MSG_AT(obj, f->count_off, size_t) = 2;
        break;
    }
    default:
        CU_FAIL("t_sample: a message type the fixture does not know: extend t_fill_field");
        break;
    }
    if (f->flags & MSG_OPTIONAL)
        *MSG_AT(obj, f->set_off, bool) = true;
}

static void t_fill(const struct msg_desc *d, void *obj, struct arena *a)
{
    for (size_t i = 0; i < d->nfields; i++)
        t_fill_field(&d->fields[i], obj, a);
}

void *t_sample(const struct msg_desc *d, struct arena *a)
{
    void *obj = arena_alloc(a, d->size);
    t_fill(d, obj, a);
    return obj;
}
