/* purchases.c: the POS flow on the ledger. A confirm re-runs the calculation on the
 * buyer's current account and writes purchase (its lines in the document), lots, draws,
 * entries, account and event in one statement that applies only if the account is still at
 * the version it read; otherwise — and for commit, cancel and release — it locks the account
 * row first, so concurrent changes of one client are serialised (docs/internals.md). */
#include "store/purchase_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/receipt.h"
#include "domain/template.h"
#include "store/docs.h"
#include "store/ledger.h"
#include "store/pgarray.h"
#include "store/settings.h"
#include "util/log.h"

const char *purchase_i64(struct arena *a, int64_t v)
{
    return arena_printf(a, "%lld", (long long)v);
}

int64_t purchase_col(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* Run a statement; a failure becomes the outcome. */
static bool purchase_exec(struct db *db, enum db_stmt_id id, int n, const char *const *p,
                          PGresult **res, struct store_outcome *o)
{
    enum db_status st = db_exec(db, id, n, p, res, NULL, 0);
    if (st == DB_OK)
        return true;
    *o = purchase_db(st);
    return false;
}

bool purchase_status_ok(struct store_outcome *o, enum db_status st)
{
    if (st == DB_OK)
        return true;
    *o = purchase_db(st);
    return false;
}

const char *purchase_key_text(struct arena *a, const char *kind, int64_t api_client,
                              const char *key)
{
    return arena_printf(a, "%s:%lld:%s", kind, (long long)api_client, key);
}

/* Serialise requests that share an idempotency key (receipt, refund, adjustment). */
static bool purchase_key_lock(struct db *db, struct arena *a, const char *kind, int64_t api_client,
                              const char *key, struct store_outcome *o)
{
    const char *p[1] = {purchase_key_text(a, kind, api_client, key)};
    return purchase_exec(db, STMT_ADVISORY_LOCK, 1, p, NULL, o);
}

/* The buyer's parameters of PURCHASE_WHO: card, client id, phone. */
void purchase_who_params(struct arena *a, const struct purchase_request *req,
                         const char *p[3])
{
    const struct msg_purchase_in *in = req->in;
    p[0] = in->card;
    p[1] = in->has_client_id ? purchase_i64(a, in->client_id) : NULL;
    p[2] = in->card || in->has_client_id ? NULL : req->phone;
}

bool purchase_anonymous(const struct purchase_request *req)
{
    return !req->in->card && !req->in->has_client_id && !req->phone;
}

/* The spendable lots "id:remaining:expiry,…" of the context, in draw order; lots that
 * expired since the context was read (a cached copy) are left out. */
static void purchase_lots_parse(struct arena *a, const char *text, struct purchase_ctx *ctx)
{
    size_t n = 1;
    int64_t sum = 0, now = (int64_t)time(NULL);
    for (const char *c = text; *c; c++)
        n += *c == ',';
    ctx->lots = arena_alloc(a, sizeof(*ctx->lots) * n);
    ctx->nlots = 0;
    for (const char *c = text; *c;) {
        char *end;
        struct purchase_lot l = {strtoll(c, &end, 10), 0};
        int64_t expiry = 0;
        if (*end == ':')
            l.remaining = strtoll(end + 1, &end, 10);
        if (*end == ':')
            expiry = strtoll(end + 1, &end, 10);
        if (!expiry || expiry > now) {
            ctx->lots[ctx->nlots++] = l;
            sum += l.remaining;
        }
        c = *end == ',' ? end + 1 : end;
    }
    ctx->acc.spendable = sum - ctx->acc.debt > 0 ? sum - ctx->acc.debt : 0;
}

/* A column of the context as a number (NULL = 0). */
static int64_t purchase_ctx_col(const struct purchase_context_row *row, int col)
{
    return row->col[col] ? strtoll(row->col[col], NULL, 10) : 0;
}


/* Who buys, with level, account, lots and next level, from the context row (NULL: none);
 * partners see only their own clients. */
bool purchase_identify_row(struct arena *a, const struct store_caller *who,
                           const struct purchase_request *req,
                           const struct purchase_context_row *row, struct purchase_ctx *ctx,
                           struct store_outcome *o)
{
    const struct msg_purchase_in *in = req->in;
    bool found = row && (in->card || (row->col[9] && row->col[9][0] == 't'));
    if (!found) {
        *o = in->card ? purchase_refuse(404, "card_not_found", "card", "no such card")
                      : purchase_refuse(404, "client_not_found", in->has_client_id ? "client_id" : "phone",
                                        "no such client");
        return false;
    }
    const char *status = row->col[1] ? row->col[1] : "inactive";
    ctx->card_status = status;
    bool blocked = strcmp(status, "blocked") == 0, replaced = strcmp(status, "replaced") == 0;
    ctx->client.can_spend = strcmp(status, "active") == 0;
    if (blocked || replaced) {
        *o = purchase_refuse(409, blocked ? "card_blocked" : "card_replaced", "card",
                             blocked ? "the card is blocked" : "the card was replaced");
        return false;
    }
    ctx->client_id = purchase_ctx_col(row, 0);
    if (ctx->client_id) {
        ctx->level_id = purchase_ctx_col(row, 2);
        ctx->level_name = row->col[3];
        ctx->client.level_discount.bp = purchase_ctx_col(row, 4);
        ctx->client.level_accrual.bp = purchase_ctx_col(row, 5);
        ctx->client.has_level_max_spend = row->col[6] != NULL;
        ctx->client.level_max_spend.bp = purchase_ctx_col(row, 6);
        ctx->source = purchase_ctx_col(row, 7);
        ctx->level_rank = purchase_ctx_col(row, 8);
        ctx->acc.client_id = ctx->client_id;
        ctx->acc.available = purchase_ctx_col(row, 10);
        ctx->acc.pending = purchase_ctx_col(row, 11);
        ctx->acc.debt = purchase_ctx_col(row, 12);
        ctx->acc.purchases_total = purchase_ctx_col(row, 13);
        purchase_lots_parse(a, row->col[14] ? row->col[14] : "", ctx);
        ctx->version = purchase_ctx_col(row, 17);
        if (row->col[15]) {
            ctx->next_level = row->col[15];
            ctx->to_next_level = purchase_ctx_col(row, 16);
        }
    }
    if (ctx->client_id && who->only_source && who->only_source != ctx->source) {
        *o = purchase_refuse(404, in->card ? "card_not_found" : "client_not_found", NULL,
                             "no such client");
        return false;
    }
    ctx->client.known = ctx->client_id != 0;
    ctx->client.level_name = ctx->level_name;
    return true;
}

/* Who buys (card, client id or phone): from the cached context, else in one round trip
 * (handed back through `read` when given). */
static bool purchase_identify(struct db *db, struct arena *a, const struct store_caller *who,
                              const struct purchase_request *req,
                              const struct purchase_context_row *cached,
                              struct purchase_context_row *read, struct purchase_ctx *ctx,
                              struct store_outcome *o)
{
    PGresult *r = NULL;
    const char *p[3];
    struct purchase_context_row row;
    ctx->client.can_spend = true;
    if (purchase_anonymous(req))
        return true;
    if (cached)
        return purchase_identify_row(a, who, req, cached, ctx, o);
    purchase_who_params(a, req, p);
    if (!purchase_exec(db, STMT_PURCHASE_CONTEXT, 3, p, &r, o))
        return false;
    bool have = store_purchase_context_of(a, r, &row);
    PQclear(r);
    if (!purchase_identify_row(a, who, req, have ? &row : NULL, ctx, o))
        return false;
    if (read)
        *read = row;
    return true;
}

/* Mark lines whose SKU is in an excluded product segment. */
static bool purchase_exclusions(struct db *db, struct arena *a, struct purchase_ctx *ctx,
                                struct store_outcome *o)
{
    if (!ctx->sp.nexcluded)
        return true;
    struct buf segs, skus;
    PGresult *r = NULL;
    buf_init(&segs);
    buf_init(&skus);
    pgarray_begin(&segs);
    for (size_t i = 0; i < ctx->sp.nexcluded; i++)
        pgarray_int(&segs, ctx->sp.excluded_segments[i]);
    pgarray_end(&segs);
    pgarray_begin(&skus);
    for (size_t i = 0; i < ctx->calc.nlines; i++)
        if (ctx->calc.lines[i].sku)
            pgarray_text(&skus, ctx->calc.lines[i].sku);
    pgarray_end(&skus);
    const char *p[2] = {arena_strdup(a, buf_str(&segs)), arena_strdup(a, buf_str(&skus))};
    buf_free(&segs);
    buf_free(&skus);
    if (!purchase_exec(db, STMT_EXCLUDED_SKUS, 2, p, &r, o))
        return false;
    for (int k = 0; k < PQntuples(r); k++)
        for (size_t i = 0; i < ctx->calc.nlines; i++)
            if (ctx->calc.lines[i].sku && strcmp(ctx->calc.lines[i].sku, PQgetvalue(r, k, 0)) == 0)
                ctx->calc.lines[i].spend_excluded = true;
    PQclear(r);
    return true;
}

/* Read the rules and run the calculation on an identified buyer. */
bool purchase_compute(struct db *db, struct arena *a, const struct purchase_request *req,
                      struct purchase_ctx *ctx, struct store_outcome *o)
{
    const struct msg_purchase_in *in = req->in;
    ctx->client.available.minor = ctx->acc.spendable;
    if (!purchase_status_ok(o, settings_points_load(db, a, &ctx->sp)) ||
        !purchase_status_ok(o, settings_general_load(db, &ctx->general)))
        return false;
    struct receipt_calc *c = &ctx->calc;
    c->nlines = in->nlines;
    c->lines = arena_alloc(a, sizeof(struct receipt_line) * (in->nlines ? in->nlines : 1));
    for (size_t i = 0; i < in->nlines; i++) {
        c->lines[i].line_no = in->lines[i].line_no;
        c->lines[i].sku = in->lines[i].sku;
        c->lines[i].qty = in->lines[i].qty;
        c->lines[i].price = in->lines[i].price;
        c->lines[i].amount.minor = in->lines[i].has_amount ? in->lines[i].amount.minor : -1;
    }
    if (!purchase_exclusions(db, a, ctx, o))
        return false;
    c->points_requested = in->points_to_spend;
    c->strict = in->strict;
    c->client = &ctx->client;
    c->rules = &ctx->sp.rules;
    switch (receipt_calculate(c)) {
    case RECEIPT_OK:
        return true;
    case RECEIPT_INSUFFICIENT_POINTS:
        *o = purchase_refuse(422, "insufficient_points", "points_to_spend",
                             arena_strdup(a, c->error_message));
        return false;
    default:
        *o = purchase_refuse(400, "invalid_field", arena_strdup(a, c->error_field),
                             arena_strdup(a, c->error_message));
        return false;
    }
}

static struct msg_promotion_applied *purchase_applied(struct arena *a,
                                                      const struct receipt_applied *src, size_t n)
{
    struct msg_promotion_applied *out = arena_alloc(a, sizeof(*out) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        out[i].id = src[i].promotion_id;
        out[i].has_id = src[i].promotion_id != 0;
        out[i].name = arena_strdup(a, src[i].name);
        out[i].kind = src[i].kind;
        out[i].amount = src[i].amount;
    }
    return out;
}

/* The purchase document of a calculation. */
struct msg_purchase *purchase_doc(struct arena *a, const struct purchase_request *req,
                                  const struct purchase_ctx *ctx, const char *status)
{
    const struct msg_purchase_in *in = req->in;
    const struct receipt_calc *c = &ctx->calc;
    struct msg_purchase *d = arena_alloc(a, sizeof(*d));
    d->receipt_id = in->receipt_id;
    d->status = status;
    d->client_id = ctx->client_id;
    d->has_client_id = ctx->client_id != 0;
    d->card = in->card;
    if (ctx->level_id) {
        d->level = arena_alloc(a, sizeof(*d->level));
        d->level->id = ctx->level_id;
        d->level->name = ctx->level_name;
    }
    d->total = c->total;
    d->discount = c->discount;
    d->points_spent = c->points_spent;
    d->certificates_paid = c->certificates_paid;
    d->to_pay = c->to_pay;
    d->points_accrued = c->points_accrued;
    if (ctx->client_id) {
        d->balance = arena_alloc(a, sizeof(*d->balance));
        d->balance->before.minor = ctx->client.available.minor;
        d->balance->max_spend = c->max_spend;
        d->balance->after.minor = ctx->client.available.minor - c->points_spent.minor;
        d->balance->pending_after.minor = ctx->acc.pending;
        /* a calculation shows what a confirm would leave: accrual lands in one of the two */
        if (ctx->sp.activation_delay_days > 0)
            d->balance->pending_after.minor += c->points_accrued.minor;
        else
            d->balance->after.minor += c->points_accrued.minor;
    }
    d->nlines = c->nlines;
    d->lines = arena_alloc(a, sizeof(*d->lines) * (c->nlines ? c->nlines : 1));
    for (size_t i = 0; i < c->nlines; i++) {
        const struct receipt_line *l = &c->lines[i];
        struct msg_line_out *o = &d->lines[i];
        o->line_no = l->line_no;
        o->sku = l->sku;
        o->qty = l->qty;
        o->price = l->price;
        o->amount = l->amount;
        o->discount = l->discount;
        o->points_spent = l->points_spent;
        o->to_pay = l->to_pay;
        o->points_accrued = l->points_accrued;
        o->promotions = purchase_applied(a, l->applied, l->napplied);
        o->npromotions = l->napplied;
    }
    d->promotions = purchase_applied(a, c->applied, c->napplied);
    d->npromotions = c->napplied;
    d->npromo_codes = in->npromo_codes;
    d->promo_codes = arena_alloc(a, sizeof(*d->promo_codes) * (in->npromo_codes + 1));
    for (size_t i = 0; i < in->npromo_codes; i++) {
        /* promo codes come with the promotions engine: until then none applies */
        d->promo_codes[i].code = in->promo_codes[i];
        d->promo_codes[i].status = "rejected";
        d->promo_codes[i].reason = "not_found";
    }
    d->ngift_certificates = 0;
    d->gift_certificates = NULL;
    return d;
}

/* The slip text: the default template with the purchase's figures, wrapped to the width. */
void purchase_slip(struct arena *a, const struct purchase_ctx *ctx, struct msg_purchase *d)
{
    char bal[32], pend[32], acc[32], spent[32], left[32];
    const char *next_name = NULL;
    if (ctx->next_level) {
        next_name = ctx->next_level;
        template_money(ctx->to_next_level, left, sizeof(left));
    }
    template_money(d->balance ? d->balance->after.minor : 0, bal, sizeof(bal));
    template_money(d->balance ? d->balance->pending_after.minor : 0, pend, sizeof(pend));
    template_money(d->points_accrued.minor, acc, sizeof(acc));
    template_money(d->points_spent.minor, spent, sizeof(spent));
    const char *names[] = {"client", "balance", "pending", "accrued", "spent", "level",
                           "next_level", "to_next_level"};
    const char *values[] = {ctx->client_id ? "1" : NULL, bal,
                            d->balance && d->balance->pending_after.minor ? pend : NULL,
                            d->points_accrued.minor ? acc : NULL,
                            d->points_spent.minor ? spent : NULL, ctx->level_name, next_name,
                            next_name ? left : NULL};
    struct template_vars vars = {names, values, sizeof(names) / sizeof(names[0])};
    struct buf text;
    char err[128];
    buf_init(&text);
    if (template_render(template_default("slip"), &vars, &text, err, sizeof(err)))
        d->nslip = template_wrap(buf_str(&text), ctx->general.slip_width, a, &d->slip);
    buf_free(&text);
}

/* Rebuild a stored document (JSON) into a struct to answer in either format. */
struct msg_purchase *purchase_doc_parse(struct arena *a, const char *json)
{
    struct msg_error err;
    struct msg_purchase *d = arena_alloc(a, sizeof(*d));
    if (!codec_json_decode(json, strlen(json), &msg_purchase_desc, d, a, &err))
        return NULL;
    return d;
}

const char *purchase_doc_json(struct arena *a, const struct msg_purchase *d)
{
    struct buf b;
    buf_init(&b);
    codec_encode(&b, MSG_JSON, &msg_purchase_desc, d);
    const char *s = arena_strdup(a, buf_str(&b));
    buf_free(&b);
    return s;
}

struct purchase_result store_purchase_calculate(struct db *db, struct arena *a,
                                                const struct store_caller *who,
                                                const struct purchase_request *req,
                                                const struct purchase_context_row *cached,
                                                struct purchase_context_row *read)
{
    struct purchase_result res;
    struct purchase_ctx ctx;
    memset(&res, 0, sizeof(res));
    memset(&ctx, 0, sizeof(ctx));
    if (read)
        memset(read, 0, sizeof(*read));
    if (purchase_identify(db, a, who, req, cached, read, &ctx, &res.o) &&
        purchase_compute(db, a, req, &ctx, &res.o)) {
        res.doc = purchase_doc(a, req, &ctx, "calculated");
        purchase_slip(a, &ctx, res.doc);
    }
    return res;
}

int64_t purchase_level_amount(const struct receipt_calc *c)
{
    return c->total.minor - c->discount.minor - c->certificates_paid.minor;
}

/* Points and level of a confirmed purchase: the accrual lot, purchases total, level raise. */
bool purchase_settle(struct db *db, struct arena *a, const struct store_caller *who,
                     struct purchase_ctx *ctx, int64_t purchase_id, const char *receipt_id,
                     int64_t accrued, int64_t level_amount, struct store_outcome *o)
{
    struct ledger_ref ref = {receipt_id, purchase_id, 0, 0, 0, who->api_client_id, NULL};
    if (accrued > 0) {
        int64_t lot;
        bool pending;
        if (!purchase_status_ok(o, ledger_lot(db, &ctx->acc, accrued, ctx->sp.activation_delay_days,
                                              ctx->sp.expiry_days, NULL, NULL, "purchase", &ref,
                                              &lot, &pending)))
            return false;
        ref.lot_id = lot;
        int64_t paid = 0;
        if (!pending && !purchase_status_ok(o, ledger_pay_debt(db, &ctx->acc, lot, accrued, &paid)))
            return false;
        if (!purchase_status_ok(o, ledger_entry(db, &ctx->acc, "accrual", accrued,
                                                pending ? 0 : accrued, pending ? accrued : 0,
                                                -paid, &ref, NULL)))
            return false;
    }
    ctx->acc.purchases_total += level_amount;
    return true;
}

/* Raise (or, when `lower`, also lower) the level to what the purchases reach. */
bool purchase_level(struct db *db, struct arena *a, int64_t client_id, bool lower,
                    struct store_outcome *o)
{
    PGresult *r = NULL;
    const char *p[1] = {purchase_i64(a, client_id)};
    if (!purchase_exec(db, STMT_CLIENT_LEVEL, 1, p, &r, o))
        return false;
    int64_t current_rank = PQntuples(r) ? purchase_col(r, 0, 6) : 0;
    bool has_level = PQntuples(r) && !PQgetisnull(r, 0, 0);
    PQclear(r);
    if (!purchase_exec(db, STMT_LEVEL_EVALUATE, 1, p, &r, o))
        return false;
    int64_t id = PQntuples(r) ? purchase_col(r, 0, 0) : 0, rank = PQntuples(r) ? purchase_col(r, 0, 1) : 0;
    PQclear(r);
    if (!id || (has_level && rank == current_rank) || (has_level && rank < current_rank && !lower))
        return true;
    const char *q[2] = {p[0], purchase_i64(a, id)};
    if (!purchase_exec(db, STMT_CLIENT_SET_LEVEL, 2, q, &r, o))
        return false;
    bool changed = PQntuples(r) == 1;
    const char *from = changed && !PQgetisnull(r, 0, 0) ? arena_strdup(a, PQgetvalue(r, 0, 0)) : "null";
    PQclear(r);
    if (!changed)
        return true;
    const char *e[3] = {"level.changed", p[0],
                        arena_printf(a, "{\"client_id\": %s, \"from\": %s, \"to\": %lld}", p[0],
                                     from, (long long)id)};
    return purchase_exec(db, STMT_OUTBOX_PUT, 3, e, NULL, o);
}

bool store_level_reevaluate(struct db *db, struct arena *a, int64_t client_id, bool lower,
                            struct store_outcome *o)
{
    return purchase_level(db, a, client_id, lower, o);
}

/* The payload of a purchase event. */
const char *purchase_event_payload(struct arena *a, int64_t client_id, int64_t purchase_id,
                                   const char *receipt_id)
{
    struct buf payload;
    buf_init(&payload);
    buf_printf(&payload, "{\"client_id\": %lld, \"purchase_id\": %lld, \"receipt_id\": ",
               (long long)client_id, (long long)purchase_id);
    buf_add_json_str(&payload, receipt_id ? receipt_id : "");
    buf_addc(&payload, '}');
    const char *s = arena_strdup(a, buf_str(&payload));
    buf_free(&payload);
    return s;
}

bool purchase_event_to(struct db *db, struct arena *a, const char *type, int64_t client_id,
                       int64_t purchase_id, const char *receipt_id, bool batched,
                       struct store_outcome *o)
{
    const char *p[3] = {type, purchase_i64(a, client_id > 0 ? client_id : 0),
                        purchase_event_payload(a, client_id, purchase_id, receipt_id)};
    return batched ? purchase_status_ok(o, db_batch_add(db, STMT_OUTBOX_PUT, 3, p))
                   : purchase_exec(db, STMT_OUTBOX_PUT, 3, p, NULL, o);
}

static bool purchase_event(struct db *db, struct arena *a, const char *type, int64_t client_id,
                           int64_t purchase_id, const char *receipt_id, struct store_outcome *o)
{
    return purchase_event_to(db, a, type, client_id, purchase_id, receipt_id, false, o);
}

/* A STMT_RECEIPT_LOOKUP (or STMT_CONFIRM_IDS) answer (no receipt: f->id = 0). */
void purchase_found_row(struct arena *a, PGresult *r, struct purchase_found *f)
{
    memset(f, 0, sizeof(*f));
    if (PQntuples(r) != 1 || PQgetisnull(r, 0, 1))
        return;
    f->key = purchase_col(r, 0, 0);
    f->id = purchase_col(r, 0, 1);
    f->hash = arena_strdup(a, PQgetvalue(r, 0, 2));
    f->document = arena_strdup(a, PQgetvalue(r, 0, 3));
    f->status = arena_strdup(a, PQgetvalue(r, 0, 4));
    f->hold_expired = PQgetvalue(r, 0, 5)[0] == 't';
}

static bool purchase_find(struct db *db, struct arena *a, int64_t api_client, const char *receipt_id,
                          struct purchase_found *f, struct store_outcome *o)
{
    PGresult *r = NULL;
    const char *p[2] = {purchase_i64(a, api_client), receipt_id};
    if (!purchase_exec(db, STMT_RECEIPT_LOOKUP, 2, p, &r, o))
        return false;
    purchase_found_row(a, r, f);
    PQclear(r);
    return true;
}

/* Cards of the buyer, for cache invalidation after COMMIT. */
void purchase_touch(struct db *db, struct arena *a, int64_t client_id, struct store_outcome *o)
{
    if (client_id > 0 && docs_client_card_numbers(db, a, client_id, &o->cards, &o->ncards) != DB_OK)
        o->db = DB_UNAVAILABLE;
}

static struct store_outcome purchase_commit_body(struct db *db, void *arg);
static struct store_outcome purchase_cancel_body(struct db *db, void *arg);

/* Run one purchase transaction and hand back its answer. */
struct purchase_result purchase_run(struct db *db, struct purchase_op op,
                                    store_tx_body body)
{
    struct purchase_result res;
    memset(&res, 0, sizeof(res));
    op.res = &res;
    res.o = store_tx_run(db, body, &op);
    return res;
}

struct purchase_result store_purchase_get(struct db *db, struct arena *a,
                                          const struct store_caller *who, const char *receipt_id)
{
    struct purchase_result res;
    struct purchase_found f;
    memset(&res, 0, sizeof(res));
    if (!purchase_find(db, a, who->api_client_id, receipt_id, &f, &res.o))
        return res;
    if (!f.id) {
        res.o = purchase_refuse(404, "purchase_not_found", NULL, "no such purchase");
        return res;
    }
    res.doc = purchase_doc_parse(a, f.document);
    if (!res.doc)
        res.o = purchase_db(DB_ERROR);
    else
        purchase_refund_ids(db, a, f.key, f.id, res.doc, &res.o);
    return res;
}

/* Refund ids of a purchase, for its document. */
bool purchase_refund_ids(struct db *db, struct arena *a, int64_t key, int64_t id,
                         struct msg_purchase *doc, struct store_outcome *o)
{
    PGresult *r = NULL;
    const char *p[2] = {purchase_i64(a, key), purchase_i64(a, id)};
    if (!purchase_exec(db, STMT_REFUND_IDS_OF_PURCHASE, 2, p, &r, o))
        return false;
    doc->nrefunds = (size_t)PQntuples(r);
    doc->refunds = arena_alloc(a, sizeof(char *) * (doc->nrefunds + 1));
    for (size_t i = 0; i < doc->nrefunds; i++)
        doc->refunds[i] = arena_strdup(a, PQgetvalue(r, (int)i, 0));
    PQclear(r);
    return true;
}

/* Lock a purchase row and load its ledger context. */
static bool purchase_open(struct db *db, struct arena *a, const struct store_caller *who,
                          const char *receipt_id, struct purchase_found *f,
                          struct purchase_ctx *ctx, struct msg_purchase **doc,
                          struct store_outcome *o)
{
    PGresult *r = NULL;
    memset(ctx, 0, sizeof(*ctx));
    if (!purchase_key_lock(db, a, "purchase", who->api_client_id, receipt_id, o) ||
        !purchase_find(db, a, who->api_client_id, receipt_id, f, o))
        return false;
    if (!f->id) {
        *o = purchase_refuse(404, "purchase_not_found", NULL, "no such purchase");
        return false;
    }
    const char *p[2] = {purchase_i64(a, f->key), purchase_i64(a, f->id)};
    if (!purchase_exec(db, STMT_PURCHASE_LOCK, 2, p, &r, o))
        return false;
    PQclear(r);
    *doc = purchase_doc_parse(a, f->document);
    if (!*doc) {
        *o = purchase_db(DB_ERROR);
        return false;
    }
    ctx->client_id = f->key > 0 ? f->key : 0;
    if (ctx->client_id) {
        if (!purchase_status_ok(o, ledger_lock(db, ctx->client_id, &ctx->acc)))
            return false;
        const char *q[1] = {p[0]};
        if (!purchase_exec(db, STMT_CLIENT_LEVEL, 1, q, &r, o))
            return false;
        ctx->level_rank = PQntuples(r) ? purchase_col(r, 0, 6) : 0;
        PQclear(r);
    }
    return purchase_status_ok(o, settings_points_load(db, a, &ctx->sp));
}

static bool purchase_store_doc(struct db *db, struct arena *a, const struct purchase_found *f,
                               struct msg_purchase *doc, const char *reason,
                               struct store_outcome *o)
{
    const char *p[5] = {purchase_i64(a, f->key), purchase_i64(a, f->id), doc->status,
                        purchase_doc_json(a, doc), reason};
    return purchase_exec(db, STMT_PURCHASE_UPDATE, 5, p, NULL, o);
}

static struct store_outcome purchase_commit_tx(struct db *db, struct arena *a,
                                               const struct store_caller *who,
                                               const char *receipt_id, struct purchase_result *res)
{
    struct store_outcome o = purchase_ok();
    struct purchase_found f;
    struct purchase_ctx ctx;
    struct msg_purchase *doc;
    if (!purchase_open(db, a, who, receipt_id, &f, &ctx, &doc, &o))
        return o;
    res->doc = doc;
    if (strcmp(f.status, "confirmed") == 0)
        return o; /* a repeat */
    if (strcmp(f.status, "cancelled") == 0)
        return purchase_refuse(409, "purchase_cancelled", NULL, "the purchase was cancelled");
    if (f.hold_expired)
        return purchase_refuse(409, "purchase_not_held", NULL,
                               "the hold has expired; its points were released");
    int64_t level_amount = doc->total.minor - doc->discount.minor - doc->certificates_paid.minor;
    if (ctx.client_id &&
        (!purchase_settle(db, a, who, &ctx, f.id, receipt_id, doc->points_accrued.minor,
                          level_amount, &o) ||
         !purchase_status_ok(&o, ledger_save(db, &ctx.acc))))
        return o;
    doc->status = "confirmed";
    if (doc->balance) {
        doc->balance->after.minor = ctx.acc.available;
        doc->balance->pending_after.minor = ctx.acc.pending;
    }
    /* the level counts confirmed purchases: evaluate it once this one is confirmed */
    if (!purchase_store_doc(db, a, &f, doc, NULL, &o) ||
        (ctx.client_id && !purchase_level(db, a, ctx.client_id, false, &o)) ||
        !purchase_event(db, a, "purchase.confirmed", ctx.client_id, f.id, receipt_id, &o))
        return o;
    purchase_touch(db, a, ctx.client_id, &o);
    return o;
}

struct purchase_result store_purchase_commit(struct db *db, struct arena *a,
                                             const struct store_caller *who,
                                             const char *receipt_id)
{
    struct purchase_op op = {.a = a, .who = who, .receipt_id = receipt_id};
    return purchase_run(db, op, purchase_commit_body);
}

/* Give back what a purchase still holds of spent points, take back what it still has of
 * accrued points; shared by cancel and the hold release. */
static bool purchase_reverse(struct db *db, struct arena *a, const struct store_caller *who,
                             struct purchase_ctx *ctx, const struct purchase_found *f,
                             const char *receipt_id, int64_t accrued_open, int64_t level_open,
                             struct store_outcome *o)
{
    struct ledger_ref ref = {receipt_id, f->id, 0, 0, 0, who->api_client_id, "cancel"};
    int64_t restored, lost;
    if (!ctx->client_id)
        return true;
    if (!purchase_status_ok(o, ledger_restore(db, &ctx->acc, f->id, INT64_MAX, &restored, &lost)))
        return false;
    if (restored && !purchase_status_ok(o, ledger_entry(db, &ctx->acc, "cancel", restored,
                                                        restored, 0, 0, &ref, NULL)))
        return false;
    if (accrued_open > 0) {
        int64_t from_avail, from_pending, debt;
        if (!purchase_status_ok(o, ledger_take_back(db, &ctx->acc, f->id, accrued_open,
                                                    ctx->sp.allow_negative_on_refund,
                                                    &from_avail, &from_pending, &debt)))
            return false;
        int64_t taken = from_avail + from_pending + debt;
        if (taken && !purchase_status_ok(o, ledger_entry(db, &ctx->acc, "cancel", -taken,
                                                         -from_avail - debt, -from_pending, debt,
                                                         &ref, NULL)))
            return false;
    }
    ctx->acc.purchases_total -= level_open;
    return purchase_status_ok(o, ledger_save(db, &ctx->acc)) &&
           purchase_level(db, a, ctx->client_id, true, o);
}

/* Sums a purchase's refunds took so far: accrued taken back and level amount. */
static bool purchase_refunded_sums(struct db *db, struct arena *a, int64_t key, int64_t id,
                                   int64_t *taken_back, int64_t *level, struct store_outcome *o)
{
    PGresult *r = NULL;
    const char *p[2] = {purchase_i64(a, key), purchase_i64(a, id)};
    *taken_back = 0;
    *level = 0;
    if (!purchase_exec(db, STMT_REFUND_SUMS, 2, p, &r, o))
        return false;
    if (PQntuples(r) == 1) {
        *taken_back = purchase_col(r, 0, 0);
        *level = purchase_col(r, 0, 1);
    }
    PQclear(r);
    return true;
}

static struct store_outcome purchase_cancel_tx(struct db *db, struct arena *a,
                                               const struct store_caller *who,
                                               const char *receipt_id, bool release,
                                               struct purchase_result *res)
{
    struct store_outcome o = purchase_ok();
    struct purchase_found f;
    struct purchase_ctx ctx;
    struct msg_purchase *doc;
    int64_t taken_back, level_refunded;
    if (!purchase_open(db, a, who, receipt_id, &f, &ctx, &doc, &o))
        return o;
    res->doc = doc;
    if (release && (strcmp(f.status, "held") != 0 || !f.hold_expired))
        return purchase_refuse(409, "purchase_not_held", NULL, "not an expired hold");
    if (strcmp(f.status, "cancelled") == 0)
        return o; /* a repeat */
    bool confirmed = strcmp(f.status, "confirmed") == 0;
    if (!purchase_refunded_sums(db, a, f.key, f.id, &taken_back, &level_refunded, &o))
        return o;
    int64_t level_amount = doc->total.minor - doc->discount.minor - doc->certificates_paid.minor;
    doc->status = "cancelled";
    /* the status first: the level evaluation in purchase_reverse must not count it */
    if (!purchase_refund_ids(db, a, f.key, f.id, doc, &o) ||
        !purchase_store_doc(db, a, &f, doc, release ? "hold_expired" : "request", &o) ||
        !purchase_reverse(db, a, who, &ctx, &f, receipt_id,
                          confirmed ? doc->points_accrued.minor - taken_back : 0,
                          confirmed ? level_amount - level_refunded : 0, &o) ||
        !purchase_event(db, a, "purchase.cancelled", ctx.client_id, f.id, receipt_id, &o))
        return o;
    purchase_touch(db, a, ctx.client_id, &o);
    return o;
}

struct purchase_result store_purchase_cancel(struct db *db, struct arena *a,
                                             const struct store_caller *who,
                                             const char *receipt_id)
{
    struct purchase_op op = {.a = a, .who = who, .receipt_id = receipt_id};
    return purchase_run(db, op, purchase_cancel_body);
}

struct purchase_result store_purchase_release(struct db *db, struct arena *a,
                                              const struct store_caller *who,
                                              const char *receipt_id)
{
    struct purchase_op op = {.a = a, .who = who, .receipt_id = receipt_id, .release = true};
    return purchase_run(db, op, purchase_cancel_body);
}

static struct store_outcome purchase_commit_body(struct db *db, void *arg)
{
    struct purchase_op *op = arg;
    memset(op->res, 0, sizeof(*op->res));
    return purchase_commit_tx(db, op->a, op->who, op->receipt_id, op->res);
}

static struct store_outcome purchase_cancel_body(struct db *db, void *arg)
{
    struct purchase_op *op = arg;
    memset(op->res, 0, sizeof(*op->res));
    return purchase_cancel_tx(db, op->a, op->who, op->receipt_id, op->release, op->res);
}
