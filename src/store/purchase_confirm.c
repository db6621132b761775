/* purchase_confirm.c: the confirm (and hold) of a purchase: without a lock when the
 * buyer's account is still at the version read, else under the account's lock
 * (docs/internals.md, "The purchase paths"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pgarray.h"
#include "store/purchase_internal.h"
#include "util/log.h"

/* Positions in the purchase row's parameters (PURCHASE_VALUES: $1 is [0]). */
enum purchase_row_param {
    PR_KEY = 0,  /* $1 the client (key) */
    PR_ID = 1,   /* $2 the purchase id */
    PR_API = 2,  /* $3 the API client */
    PR_DOC = 18, /* $19 the document (JSON) */
    PR_COUNT = 20
};

/* Positions of STMT_CONFIRM_WRITE's parameters after the purchase row ($21 is [20]). */
enum confirm_write_param {
    CW_KNOWN = PR_COUNT,  /* $21 known client (bool) */
    CW_AVAILABLE,         /* $22 account: available after */
    CW_PENDING,           /* $23 account: pending after */
    CW_DEBT,              /* $24 account: debt */
    CW_PURCHASES_TOTAL,   /* $25 account: purchases total */
    CW_SPEND,             /* $26 points spent (bool) */
    CW_SPEND_BALANCE,     /* $27 spend entry: balance after */
    CW_SPEND_PENDING,     /* $28 spend entry: pending after */
    CW_LOT_IDS,           /* $29 lots drawn from (bigint[]) */
    CW_LOT_AMOUNTS,       /* $30 amounts drawn (bigint[]) */
    CW_ACCRUAL,           /* $31 points accrued (bool) */
    CW_DELAY_DAYS,        /* $32 accrual lot: activation delay, days */
    CW_EXPIRY_DAYS,       /* $33 accrual lot: lifetime, days */
    CW_ACCRUAL_PENDING,   /* $34 the accrual waits for activation (bool) */
    CW_ACCRUAL_BALANCE,   /* $35 accrual entry: balance after */
    CW_ACCRUAL_PENDING_AFTER, /* $36 accrual entry: pending after */
    CW_EVENT,             /* $37 event type */
    CW_VERSION,           /* $38 the account version read */
    CW_CARD_STATUS,       /* $39 the card status read */
    CW_PAYLOAD,           /* $40 event payload (JSON; its purchase id set by the statement) */
    CW_COUNT
};

/* A confirm's first round trip. Under the lock (inside the transaction, whose BEGIN goes
 * with it): the receipt's advisory lock, the receipt and the purchase id, the buyer's account
 * row FOR UPDATE, then the context, which so sees everything committed before the lock.
 * Without it: only the context, unless `cached` gives it or the buyer is anonymous (then
 * there is no first round trip); the receipt is not looked up: its unique key refuses a
 * second write, and the locking path answers the replay. *purchase_id: 0 when the write
 * takes it. false with *o set: a refusal (o->db DB_OK) or a failure. */
static bool purchase_confirm_begin(struct db *db, struct arena *a, const struct store_caller *who,
                                   const struct purchase_request *req, bool locked,
                                   const struct purchase_context_row *cached,
                                   struct purchase_found *f, struct purchase_ctx *ctx,
                                   int64_t *purchase_id, struct store_outcome *o)
{
    const struct msg_purchase_in *in = req->in;
    /* the receipt's lock key and lookup: the locking path's only */
    const char *k[1] = {
        locked ? purchase_key_text(a, "purchase", who->api_client_id, in->receipt_id) : NULL};
    const char *q[2] = {locked ? purchase_i64(a, who->api_client_id) : NULL, in->receipt_id};
    const char *w[3];
    PGresult *found = NULL, *context = NULL;
    bool anonymous = purchase_anonymous(req), read = !anonymous && (locked || !cached);
    purchase_who_params(a, req, w);
    memset(ctx, 0, sizeof(*ctx));
    memset(f, 0, sizeof(*f));
    ctx->client.can_spend = true;
    *purchase_id = 0;
    if (locked || read) {
        enum db_status st = db_batch_begin(db);
        if (st == DB_OK &&
            ((locked && (st = db_batch_add(db, STMT_ADVISORY_LOCK, 1, k)) != DB_OK) ||
             (locked && (st = db_batch_query(db, STMT_CONFIRM_IDS, 2, q, &found)) != DB_OK) ||
             (locked && !anonymous && (st = db_batch_add(db, STMT_CONFIRM_LOCK, 3, w)) != DB_OK) ||
             (read && (st = db_batch_query(db, STMT_PURCHASE_CONTEXT, 3, w, &context)) != DB_OK)))
            db_batch_run(db, NULL, 0);
        else if (st == DB_OK)
            st = db_batch_run(db, NULL, 0);
        if (!purchase_status_ok(o, st))
            return false;
    }
    if (found) {
        purchase_found_row(a, found, f);
        *purchase_id = purchase_col(found, 0, 6);
    }
    struct purchase_context_row row;
    bool have = context && store_purchase_context_of(a, context, &row);
    const struct purchase_context_row *use = cached ? cached : have ? &row : NULL;
    bool ok = f->id || anonymous || purchase_identify_row(a, who, req, use, ctx, o);
    PQclear(found);
    PQclear(context);
    return ok;
}

/* A confirmed purchase of a known client may raise the level only when it covers what the
 * context said was left to reach the next one (a top-level client has no next level). */
static bool purchase_may_raise(const struct purchase_request *req, const struct purchase_ctx *ctx)
{
    return ctx->client_id && !req->in->hold && ctx->next_level &&
           purchase_level_amount(&ctx->calc) >= ctx->to_next_level;
}

/* The purchase row's PR_COUNT parameters (PURCHASE_VALUES). */
static void purchase_row_params(struct arena *a, const struct store_caller *who,
                                const struct purchase_request *req, const struct purchase_ctx *ctx,
                                int64_t key, int64_t id, const char *status,
                                const struct msg_purchase *doc, const char **p)
{
    const struct msg_purchase_in *in = req->in;
    const struct receipt_calc *c = &ctx->calc;
    int64_t level_amount = purchase_level_amount(c);
    const char *row[PR_COUNT] = {
        purchase_i64(a, key), purchase_i64(a, id), purchase_i64(a, who->api_client_id),
        in->receipt_id, req->request_hash, status, in->store_id, in->pos_id, in->at, in->card,
        ctx->level_id ? purchase_i64(a, ctx->level_id) : NULL, purchase_i64(a, c->total.minor),
        purchase_i64(a, c->discount.minor), purchase_i64(a, c->points_spent.minor),
        purchase_i64(a, c->certificates_paid.minor), purchase_i64(a, c->to_pay.minor),
        purchase_i64(a, ctx->client_id ? c->points_accrued.minor : 0),
        purchase_i64(a, ctx->client_id ? level_amount : 0), purchase_doc_json(a, doc),
        purchase_i64(a, ctx->general.hold_ttl_seconds)};
    memcpy(p, row, sizeof(row));
}

/* The document of a new purchase, with the balance it leaves. */
static struct msg_purchase *purchase_new_doc(struct arena *a, const struct purchase_request *req,
                                             const struct purchase_ctx *ctx, const char *status,
                                             int64_t id)
{
    struct msg_purchase *doc = purchase_doc(a, req, ctx, status);
    doc->id = id;
    doc->has_id = true;
    if (doc->balance) {
        doc->balance->after.minor = ctx->acc.available;
        doc->balance->pending_after.minor = ctx->acc.pending;
    }
    purchase_slip(a, ctx, doc);
    return doc;
}

/* Card numbers "a,b" (STMT_CONFIRM_WRITE) into the outcome, for the cache. */
static void purchase_cards_of(struct arena *a, PGresult *r, struct store_outcome *o)
{
    if (!r || PQntuples(r) != 1 || PQgetisnull(r, 0, 1))
        return;
    char *list = arena_strdup(a, PQgetvalue(r, 0, 1));
    size_t n = 1;
    for (const char *c = list; *c; c++)
        n += *c == ',';
    o->cards = arena_alloc(a, sizeof(char *) * n);
    o->ncards = 0;
    for (char *save = NULL, *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
        o->cards[o->ncards++] = t;
}

/* The draws of a spend from the context's lots, earliest expiry first, as two arrays. */
static bool purchase_draws(struct arena *a, const struct purchase_ctx *ctx, int64_t amount,
                           const char **ids, const char **amounts)
{
    struct buf b[2];
    int64_t left = amount;
    for (int k = 0; k < 2; k++) {
        buf_init(&b[k]);
        pgarray_begin(&b[k]);
    }
    for (size_t i = 0; i < ctx->nlots && left > 0; i++) {
        int64_t take = ctx->lots[i].remaining < left ? ctx->lots[i].remaining : left;
        pgarray_int(&b[0], ctx->lots[i].id);
        pgarray_int(&b[1], take);
        left -= take;
    }
    for (int k = 0; k < 2; k++) {
        pgarray_end(&b[k]);
        *(k ? amounts : ids) = arena_strdup(a, buf_str(&b[k]));
        buf_free(&b[k]);
    }
    if (left > 0) /* the calculation capped the spend at these lots: a bug */
        log_error("confirm: client %lld: %lld points could not be drawn",
                  (long long)ctx->client_id, (long long)left);
    return left == 0;
}

/* A confirm of a client without debt (or an anonymous one) in one statement (under the lock
 * sent with its COMMIT); purchase_id 0: the statement takes the id. */
static struct store_outcome purchase_confirm_write(struct db *db, struct arena *a,
                                                   const struct store_caller *who,
                                                   const struct purchase_request *req,
                                                   struct purchase_ctx *ctx, int64_t purchase_id,
                                                   bool locked, struct purchase_result *res,
                                                   bool *fallback)
{
    struct store_outcome o = purchase_ok();
    const struct msg_purchase_in *in = req->in;
    const struct receipt_calc *c = &ctx->calc;
    const char *status = in->hold ? "held" : "confirmed";
    int64_t spent = c->points_spent.minor, accrued = 0;
    const char *p[CW_COUNT] = {NULL};
    const char *none = "{}";
    const char *lot_ids = none, *lot_amounts = none;
    bool pending = ctx->sp.activation_delay_days > 0;

    if (spent > 0 && !purchase_draws(a, ctx, spent, &lot_ids, &lot_amounts))
        return purchase_db(DB_ERROR);
    ctx->acc.available -= spent;
    int64_t spend_balance = ctx->acc.available, spend_pending = ctx->acc.pending;
    if (ctx->client_id && !in->hold) {
        accrued = c->points_accrued.minor;
        *(pending ? &ctx->acc.pending : &ctx->acc.available) += accrued;
        ctx->acc.purchases_total += purchase_level_amount(c);
    }
    /* without an id yet, the document goes without one: the statement sets it */
    struct msg_purchase *doc = purchase_new_doc(a, req, ctx, status, purchase_id);
    doc->has_id = purchase_id != 0;
    purchase_row_params(a, who, req, ctx, ctx->client_id, purchase_id, status, doc, p);
    if (!ctx->client_id)
        p[PR_KEY] = NULL; /* anonymous: the row's key is -id */
    if (!purchase_id)
        p[PR_ID] = NULL;
    p[CW_KNOWN] = ctx->client_id ? "t" : "f";
    p[CW_AVAILABLE] = purchase_i64(a, ctx->acc.available);
    p[CW_PENDING] = purchase_i64(a, ctx->acc.pending);
    p[CW_DEBT] = purchase_i64(a, ctx->acc.debt);
    p[CW_PURCHASES_TOTAL] = purchase_i64(a, ctx->acc.purchases_total);
    p[CW_SPEND] = spent > 0 ? "t" : "f";
    p[CW_SPEND_BALANCE] = purchase_i64(a, spend_balance);
    p[CW_SPEND_PENDING] = purchase_i64(a, spend_pending);
    p[CW_LOT_IDS] = lot_ids;
    p[CW_LOT_AMOUNTS] = lot_amounts;
    p[CW_ACCRUAL] = accrued > 0 ? "t" : "f";
    p[CW_DELAY_DAYS] = purchase_i64(a, ctx->sp.activation_delay_days);
    p[CW_EXPIRY_DAYS] = purchase_i64(a, ctx->sp.expiry_days);
    p[CW_ACCRUAL_PENDING] = pending ? "t" : "f";
    p[CW_ACCRUAL_BALANCE] = purchase_i64(a, ctx->acc.available);
    p[CW_ACCRUAL_PENDING_AFTER] = purchase_i64(a, ctx->acc.pending);
    p[CW_EVENT] = in->hold ? "purchase.held" : "purchase.confirmed";
    p[CW_VERSION] = purchase_i64(a, ctx->version);
    p[CW_CARD_STATUS] = ctx->card_status ? ctx->card_status : "active";
    p[CW_PAYLOAD] = purchase_event_payload(a, ctx->client_id, purchase_id, in->receipt_id);

    /* a level raise is evaluated before COMMIT, which needs the locking path */
    bool may_raise = purchase_may_raise(req, ctx);
    if (may_raise && !locked) {
        *fallback = true;
        return o;
    }
    PGresult *cards = NULL;
    char constraint[64] = "";
    enum db_status st = db_batch_begin(db);
    if (st == DB_OK && ((st = db_batch_query(db, STMT_CONFIRM_WRITE, CW_COUNT, p, &cards)) != DB_OK ||
                        (locked && !may_raise && (st = db_batch_commit(db)) != DB_OK)))
        db_batch_run(db, NULL, 0);
    else if (st == DB_OK)
        st = db_batch_run(db, constraint, sizeof(constraint));
    /* without the lock: the same receipt written meanwhile (its unique key), or the account
     * changed since the context was read; the locking path settles both */
    bool written = st == DB_OK && PQntuples(cards) == 1 && PQgetvalue(cards, 0, 0)[0] == '1';
    if (!locked && (st == DB_UNIQUE || (st == DB_OK && !written))) {
        PQclear(cards);
        *fallback = true;
        return o;
    }
    if (!purchase_status_ok(&o, st))
        return o;
    if (!written) { /* under the lock the version cannot have moved: a bug */
        PQclear(cards);
        log_error("confirm: client %lld: account version %lld changed under its lock",
                  (long long)ctx->client_id, (long long)ctx->version);
        return purchase_db(DB_ERROR);
    }
    purchase_cards_of(a, cards, &o);
    doc->id = purchase_col(cards, 0, 2);
    PQclear(cards);
    if (may_raise && !purchase_level(db, a, ctx->client_id, false, &o))
        return o;
    res->doc = doc;
    /* the document as stored when it had its id already; else encoded again with it */
    res->json = doc->has_id ? p[PR_DOC] : NULL;
    doc->has_id = true;
    return o;
}

/* A confirm of a client with a debt: the accrual pays it first, statement by statement. */
static struct store_outcome purchase_confirm_ledger(struct db *db, struct arena *a,
                                                    const struct store_caller *who,
                                                    const struct purchase_request *req,
                                                    struct purchase_ctx *ctx, int64_t id,
                                                    struct purchase_result *res)
{
    struct store_outcome o = purchase_ok();
    const struct msg_purchase_in *in = req->in;
    const char *status = in->hold ? "held" : "confirmed";
    int64_t key = ctx->client_id ? ctx->client_id : -id;
    struct ledger_ref ref = {in->receipt_id, id, 0, 0, 0, who->api_client_id, NULL};
    const struct receipt_calc *c = &ctx->calc;

    if (c->points_spent.minor > 0) {
        int64_t entry;
        if (!purchase_status_ok(&o, ledger_entry(db, &ctx->acc, "spend", -c->points_spent.minor,
                                                 -c->points_spent.minor, 0, 0, &ref, &entry)) ||
            !purchase_status_ok(&o, ledger_draw(db, &ctx->acc, "spend", c->points_spent.minor,
                                                entry, &ref)))
            return o;
    }
    if (!in->hold && ctx->client_id &&
        !purchase_settle(db, a, who, ctx, id, in->receipt_id, c->points_accrued.minor,
                         purchase_level_amount(c), &o))
        return o;
    struct msg_purchase *doc = purchase_new_doc(a, req, ctx, status, id);
    const char *p[PR_COUNT];
    purchase_row_params(a, who, req, ctx, key, id, status, doc, p);
    const char *pi[4] = {p[PR_API], in->receipt_id, p[PR_KEY], p[PR_ID]};
    /* the writes that need no answer go in one round trip */
    if (!purchase_status_ok(&o, db_batch_begin(db)) ||
        !purchase_status_ok(&o, db_batch_add(db, STMT_PURCHASE_INSERT, 20, p)) ||
        !purchase_status_ok(&o, db_batch_add(db, STMT_RECEIPT_INDEX_INSERT, 4, pi)) ||
        (ctx->client_id && !purchase_status_ok(&o, ledger_save_batched(db, &ctx->acc))) ||
        !purchase_event_to(db, a, in->hold ? "purchase.held" : "purchase.confirmed",
                           ctx->client_id, id, in->receipt_id, true, &o)) {
        db_batch_run(db, NULL, 0);
        return o;
    }
    if (!purchase_status_ok(&o, db_batch_run(db, NULL, 0)))
        return o;
    if (purchase_may_raise(req, ctx) && !purchase_level(db, a, ctx->client_id, false, &o))
        return o;
    purchase_touch(db, a, ctx->client_id, &o);
    res->doc = doc;
    res->json = p[PR_DOC]; /* the document as stored */
    return o;
}

/* A confirm once the buyer's context is known (and, under the lock, the receipt and the
 * purchase id; purchase_id 0: the write takes one): a replay, or the calculation and the
 * write. `locked`: inside a transaction holding the account lock; otherwise *fallback asks for
 * that path (debt, level raise, a concurrent change, a receipt already written). */
static struct store_outcome purchase_confirm_read(struct db *db, struct arena *a,
                                                  const struct store_caller *who,
                                                  const struct purchase_request *req,
                                                  const struct purchase_found *f,
                                                  struct purchase_ctx *ctx, int64_t purchase_id,
                                                  bool locked, struct purchase_result *res,
                                                  bool *fallback)
{
    struct store_outcome o = purchase_ok();
    const struct msg_purchase_in *in = req->in;
    if (f->id) {
        if (strcmp(f->hash, req->request_hash) != 0)
            return purchase_refuse(409, "idempotency_mismatch", "receipt_id",
                                   "this receipt_id was confirmed with other content");
        res->doc = purchase_doc_parse(a, f->document);
        res->replayed = true;
        if (!res->doc)
            return purchase_db(DB_ERROR);
        purchase_refund_ids(db, a, f->key, f->id, res->doc, &o);
        return o;
    }
    if (!purchase_compute(db, a, req, ctx, &o))
        return o;
    /* the result is re-evaluated on the current state: it stands unless the caller pinned
     * values */
    const struct msg_expect *ex = in->expect;
    const struct receipt_calc *cc = &ctx->calc;
    if (ex && ((ex->has_to_pay && ex->to_pay.minor != cc->to_pay.minor) ||
               (ex->has_points_spent && ex->points_spent.minor != cc->points_spent.minor) ||
               (ex->has_points_accrued && ex->points_accrued.minor != cc->points_accrued.minor) ||
               (ex->has_discount && ex->discount.minor != cc->discount.minor)))
        return purchase_refuse(409, "price_changed", "expect",
                               "the purchase no longer calculates to the expected values");
    if (ctx->client_id && ctx->acc.debt > 0) {
        if (!locked) {
            *fallback = true;
            return o;
        }
        return purchase_confirm_ledger(db, a, who, req, ctx, purchase_id, res);
    }
    return purchase_confirm_write(db, a, who, req, ctx, purchase_id, locked, res, fallback);
}

static struct store_outcome purchase_confirm_tx(struct db *db, struct arena *a,
                                                const struct store_caller *who,
                                                const struct purchase_request *req,
                                                struct purchase_result *res)
{
    struct store_outcome o = purchase_ok();
    struct purchase_found f;
    struct purchase_ctx ctx;
    int64_t purchase_id;
    bool fallback = false;

    if (!purchase_confirm_begin(db, a, who, req, true, NULL, &f, &ctx, &purchase_id, &o))
        return o;
    return purchase_confirm_read(db, a, who, req, &f, &ctx, purchase_id, true, res, &fallback);
}

/* A confirm without a lock: the buyer's context unless cached (no transaction), then one
 * statement that writes everything if the account is still at the version read and the
 * receipt is new. *fallback when the locking path has to run instead: it also gives every
 * refusal, since only it looks the receipt up (a replay is answered, not refused). */
static struct store_outcome purchase_confirm_fast(struct db *db, struct arena *a,
                                                  const struct store_caller *who,
                                                  const struct purchase_request *req,
                                                  const struct purchase_context_row *cached,
                                                  struct purchase_result *res, bool *fallback)
{
    struct store_outcome o = purchase_ok();
    struct purchase_found f;
    struct purchase_ctx ctx;
    int64_t purchase_id;
    if (purchase_confirm_begin(db, a, who, req, false, cached, &f, &ctx, &purchase_id, &o))
        o = purchase_confirm_read(db, a, who, req, &f, &ctx, 0, false, res, fallback);
    if (o.db == DB_OK && o.status != 0) { /* a refusal: given (or not) by the locking path */
        *fallback = true;
        return purchase_ok();
    }
    return o;
}

/* The transaction body (store_tx_run) of the locking confirm. */
static struct store_outcome purchase_confirm_body(struct db *db, void *arg);

struct purchase_result store_purchase_confirm(struct db *db, struct arena *a,
                                              const struct store_caller *who,
                                              const struct purchase_request *req,
                                              const struct purchase_context_row *cached)
{
    /* most confirms need no lock: their client's account does not change between the read
     * and the write (checked by its version in the write); the others take the lock */
    struct purchase_result res;
    bool fallback = false;
    memset(&res, 0, sizeof(res));
    res.o = purchase_confirm_fast(db, a, who, req, cached, &res, &fallback);
    if (!fallback)
        return res;
    struct purchase_op op = {.a = a, .who = who, .req = req};
    return purchase_run(db, op, purchase_confirm_body);
}

static struct store_outcome purchase_confirm_body(struct db *db, void *arg)
{
    struct purchase_op *op = arg;
    memset(op->res, 0, sizeof(*op->res));
    return purchase_confirm_tx(db, op->a, op->who, op->req, op->res);
}

