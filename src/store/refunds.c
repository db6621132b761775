/* refunds.c: partial refunds by line and quantity, manual adjustments, and the operations
 * history. Shares by quantity are computed cumulatively (what all refunds of a line should
 * have moved so far, minus what earlier refunds moved), so many partial refunds add up to
 * exactly the purchase's figures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/docs.h"
#include "store/ledger.h"
#include "store/purchases.h"
#include "store/settings.h"

static const char *refund_i64(struct arena *a, int64_t v)
{
    return arena_printf(a, "%lld", (long long)v);
}

static int64_t refund_col(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

#define refund_refuse store_refusal

static bool refund_exec(struct db *db, enum db_stmt_id id, int n, const char *const *p,
                        PGresult **res, struct store_outcome *o)
{
    enum db_status st = db_exec(db, id, n, p, res, NULL, 0);
    if (st == DB_OK)
        return true;
    memset(o, 0, sizeof(*o));
    o->db = st == DB_UNIQUE ? DB_ERROR : st;
    return false;
}

static bool refund_ok(struct store_outcome *o, enum db_status st)
{
    if (st == DB_OK)
        return true;
    memset(o, 0, sizeof(*o));
    o->db = st;
    return false;
}

/* value × part / whole, half-up (value ≥ 0, 0 < part ≤ whole) */
static int64_t refund_share(int64_t value, int64_t part, int64_t whole)
{
    return (int64_t)(((__int128)value * part * 2 + whole) / (2 * (__int128)whole));
}

/* A purchase line as stored, with what earlier refunds took of it. */
struct refund_line_state {
    int64_t line_no, qty, amount, discount, points_spent, points_accrued, to_pay; /* stored */
    int64_t refunded_qty;                                  /* by earlier refunds */
};

static bool refund_doc_parse(struct arena *a, const char *json, struct msg_refund **out)
{
    struct msg_error err;
    *out = arena_alloc(a, sizeof(**out));
    return codec_json_decode(json, strlen(json), &msg_refund_desc, *out, a, &err);
}

static const char *refund_json(struct arena *a, const struct msg_desc *d, const void *doc)
{
    struct buf b;
    buf_init(&b);
    codec_encode(&b, MSG_JSON, d, doc);
    const char *s = arena_strdup(a, buf_str(&b));
    buf_free(&b);
    return s;
}

static struct store_outcome refund_tx(struct db *db, struct arena *a,
                                      const struct store_caller *who,
                                      const struct msg_refund_in *in, const char *hash,
                                      struct refund_result *res)
{
    struct store_outcome o;
    PGresult *r = NULL;
    memset(&o, 0, sizeof(o));
    const char *ac = refund_i64(a, who->api_client_id);
    const char *lk[1] = {arena_printf(a, "refund:%s:%s", ac, in->refund_id)};
    const char *pk[2] = {ac, in->refund_id};
    if (!refund_exec(db, STMT_ADVISORY_LOCK, 1, lk, NULL, &o) ||
        !refund_exec(db, STMT_REFUND_LOOKUP, 2, pk, &r, &o))
        return o;
    if (PQntuples(r) == 1) {
        bool same = strcmp(PQgetvalue(r, 0, 0), hash) == 0;
        bool parsed = same && refund_doc_parse(a, PQgetvalue(r, 0, 1), &res->doc);
        PQclear(r);
        if (!same)
            return refund_refuse(409, "idempotency_mismatch", "refund_id",
                                 "this refund_id was used with other content");
        res->replayed = true;
        if (!parsed)
            o.db = DB_ERROR;
        return o;
    }
    PQclear(r);
    /* the purchase, locked (the same advisory key as confirm, commit and cancel) */
    const char *lp[1] = {arena_printf(a, "purchase:%s:%s", ac, in->receipt_id)};
    const char *pr[2] = {ac, in->receipt_id};
    if (!refund_exec(db, STMT_ADVISORY_LOCK, 1, lp, NULL, &o) ||
        !refund_exec(db, STMT_RECEIPT_LOOKUP, 2, pr, &r, &o))
        return o;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return refund_refuse(404, "purchase_not_found", "receipt_id", "no such purchase");
    }
    int64_t key = refund_col(r, 0, 0), pid = refund_col(r, 0, 1);
    const char *status = arena_strdup(a, PQgetvalue(r, 0, 4));
    PQclear(r);
    if (strcmp(status, "cancelled") == 0)
        return refund_refuse(409, "purchase_cancelled", "receipt_id", "the purchase was cancelled");
    if (strcmp(status, "held") == 0)
        return refund_refuse(409, "purchase_not_held", "receipt_id",
                             "a held purchase is cancelled, not refunded");
    /* its lines and what was refunded of them */
    const char *pl[2] = {refund_i64(a, key), refund_i64(a, pid)};
    if (!refund_exec(db, STMT_LINES_OF_PURCHASE, 2, pl, &r, &o))
        return o;
    size_t nl = (size_t)PQntuples(r);
    struct refund_line_state *ls = arena_alloc(a, sizeof(*ls) * (nl ? nl : 1));
    for (size_t i = 0; i < nl; i++) {
        ls[i].line_no = refund_col(r, (int)i, 0);
        ls[i].qty = refund_col(r, (int)i, 2);
        ls[i].amount = refund_col(r, (int)i, 3);
        ls[i].discount = refund_col(r, (int)i, 4);
        ls[i].points_spent = refund_col(r, (int)i, 5);
        ls[i].points_accrued = refund_col(r, (int)i, 6);
        ls[i].to_pay = refund_col(r, (int)i, 7);
    }
    PQclear(r);
    if (!refund_exec(db, STMT_REFUNDED_QTY, 2, pl, &r, &o))
        return o;
    for (int k = 0; k < PQntuples(r); k++)
        for (size_t i = 0; i < nl; i++)
            if (ls[i].line_no == refund_col(r, k, 0))
                ls[i].refunded_qty = refund_col(r, k, 1);
    PQclear(r);

    struct msg_refund *doc = arena_alloc(a, sizeof(*doc));
    doc->refund_id = in->refund_id;
    doc->receipt_id = in->receipt_id;
    doc->nlines = in->nlines;
    doc->lines = arena_alloc(a, sizeof(*doc->lines) * in->nlines);
    int64_t returned = 0, taken = 0, level_amount = 0;
    for (size_t j = 0; j < in->nlines; j++) {
        struct refund_line_state *l = NULL;
        for (size_t i = 0; i < nl; i++)
            if (ls[i].line_no == in->lines[j].line_no)
                l = &ls[i];
        for (size_t k = 0; k < j; k++)
            if (in->lines[k].line_no == in->lines[j].line_no)
                return refund_refuse(400, "invalid_field", arena_printf(a, "lines.%zu.line_no", j + 1),
                                     "line_no repeats");
        if (!l)
            return refund_refuse(400, "invalid_field", arena_printf(a, "lines.%zu.line_no", j + 1),
                                 "the purchase has no such line");
        int64_t before = l->refunded_qty, after = before + in->lines[j].qty.milli;
        if (after > l->qty)
            return refund_refuse(409, "refund_exceeds_purchase",
                                 arena_printf(a, "lines.%zu.qty", j + 1),
                                 "more than was bought would be returned");
        struct msg_refund_line *out = &doc->lines[j];
        out->line_no = l->line_no;
        out->qty = in->lines[j].qty;
        out->amount.minor = refund_share(l->to_pay, after, l->qty) - refund_share(l->to_pay, before, l->qty);
        out->points_returned.minor = refund_share(l->points_spent, after, l->qty) -
                                     refund_share(l->points_spent, before, l->qty);
        out->points_taken_back.minor = refund_share(l->points_accrued, after, l->qty) -
                                       refund_share(l->points_accrued, before, l->qty);
        int64_t base = l->amount - l->discount;
        level_amount += refund_share(base, after, l->qty) - refund_share(base, before, l->qty);
        doc->amount.minor += out->amount.minor;
        returned += out->points_returned.minor;
        taken += out->points_taken_back.minor;
        l->refunded_qty = after;
    }
    bool full = true;
    for (size_t i = 0; i < nl; i++)
        full = full && ls[i].refunded_qty == ls[i].qty;

    /* the ledger */
    int64_t client_id = key > 0 ? key : 0;
    struct ledger_account acc;
    struct settings_points sp;
    if (!refund_ok(&o, settings_points_load(db, a, &sp)))
        return o;
    if (!refund_exec(db, STMT_REFUND_NEXT_ID, 0, NULL, &r, &o))
        return o;
    int64_t refund_pk = refund_col(r, 0, 0);
    PQclear(r);
    int64_t debt = 0, returned_lots = 0;
    if (client_id) {
        struct ledger_ref ref = {in->receipt_id, pid, refund_pk, 0, 0, who->api_client_id,
                                 in->refund_id};
        int64_t lost = 0, from_avail = 0, from_pending = 0;
        if (!refund_ok(&o, ledger_lock(db, client_id, &acc)) ||
            !refund_ok(&o, ledger_restore(db, &acc, pid, returned, &returned_lots, &lost)))
            return o;
        if (returned_lots && !refund_ok(&o, ledger_entry(db, &acc, "refund", returned_lots,
                                                         returned_lots, 0, 0, &ref, NULL)))
            return o;
        if (taken && !refund_ok(&o, ledger_take_back(db, &acc, pid, taken,
                                                     sp.allow_negative_on_refund, &from_avail,
                                                     &from_pending, &debt)))
            return o;
        int64_t out = from_avail + from_pending + debt;
        if (out && !refund_ok(&o, ledger_entry(db, &acc, "refund", -out, -from_avail - debt,
                                               -from_pending, debt, &ref, NULL)))
            return o;
        taken = out;
        acc.purchases_total -= level_amount;
        if (!refund_ok(&o, ledger_save(db, &acc)))
            return o;
        doc->balance_after.minor = acc.available;
        doc->has_balance_after = true;
        if (docs_client_card_numbers(db, a, client_id, &o.cards, &o.ncards) != DB_OK) {
            o.db = DB_UNAVAILABLE;
            return o;
        }
    }
    doc->points_returned.minor = returned_lots;
    doc->points_taken_back.minor = taken;
    doc->debt_created.minor = debt;
    const char *ins[15] = {
        refund_i64(a, key), refund_i64(a, refund_pk), refund_i64(a, pid), ac, in->refund_id,
        in->receipt_id, hash, refund_i64(a, doc->amount.minor), refund_i64(a, level_amount),
        refund_i64(a, returned_lots), refund_i64(a, taken), refund_i64(a, debt),
        client_id ? refund_i64(a, acc.available) : NULL, full ? "true" : "false",
        refund_json(a, &msg_refund_desc, doc)};
    const char *idx[4] = {ac, in->refund_id, refund_i64(a, key), refund_i64(a, refund_pk)};
    if (!refund_exec(db, STMT_REFUND_INSERT, 15, ins, NULL, &o) ||
        !refund_exec(db, STMT_REFUND_INDEX_INSERT, 4, idx, NULL, &o))
        return o;
    for (size_t j = 0; j < doc->nlines; j++) {
        const struct msg_refund_line *l = &doc->lines[j];
        const char *pline[9] = {refund_i64(a, key), refund_i64(a, refund_pk),
                                refund_i64(a, l->line_no), refund_i64(a, pid),
                                refund_i64(a, l->qty.milli), refund_i64(a, l->amount.minor), "0",
                                refund_i64(a, l->points_returned.minor),
                                refund_i64(a, l->points_taken_back.minor)};
        if (!refund_exec(db, STMT_REFUND_LINE_INSERT, 9, pline, NULL, &o))
            return o;
    }
    if (client_id && !store_level_reevaluate(db, a, client_id, true, &o))
        return o;
    const char *ev[3] = {"refund.created", refund_i64(a, client_id),
                         arena_printf(a, "{\"client_id\": %lld, \"refund_pk\": %lld}",
                                      (long long)client_id, (long long)refund_pk)};
    if (!refund_exec(db, STMT_OUTBOX_PUT, 3, ev, NULL, &o))
        return o;
    res->doc = doc;
    return o;
}

/* Inputs and outputs of a refund or adjustment transaction, for store_tx_run. */
struct refund_op {
    struct arena *a;                          /* request memory */
    const struct store_caller *who;           /* caller */
    const struct msg_refund_in *refund;       /* refund: the request */
    const struct msg_adjustment_in *adjust;   /* adjustment: the request */
    int64_t client_id;                        /* adjustment: the client */
    const char *hash;                         /* canonical request hash */
    struct refund_result *refund_res;         /* refund: the answer */
    struct adjustment_result *adjust_res;     /* adjustment: the answer */
};

static struct store_outcome refund_body(struct db *db, void *arg)
{
    struct refund_op *op = arg;
    memset(op->refund_res, 0, sizeof(*op->refund_res));
    return refund_tx(db, op->a, op->who, op->refund, op->hash, op->refund_res);
}

struct refund_result store_refund_create(struct db *db, struct arena *a,
                                         const struct store_caller *who,
                                         const struct msg_refund_in *in, const char *hash)
{
    struct refund_result res;
    struct refund_op op = {.a = a, .who = who, .refund = in, .hash = hash, .refund_res = &res};
    memset(&res, 0, sizeof(res));
    res.o = store_tx_run(db, refund_body, &op);
    return res;
}

static struct store_outcome adjustment_tx(struct db *db, struct arena *a,
                                          const struct store_caller *who,
                                          const struct msg_adjustment_in *in, int64_t client_id,
                                          const char *hash, struct adjustment_result *res)
{
    struct store_outcome o;
    PGresult *r = NULL;
    memset(&o, 0, sizeof(o));
    const char *ac = refund_i64(a, who->api_client_id);
    const char *lk[1] = {arena_printf(a, "adjustment:%s:%s", ac, in->idempotency_key)};
    const char *pk[2] = {ac, in->idempotency_key};
    if (!refund_exec(db, STMT_ADVISORY_LOCK, 1, lk, NULL, &o) ||
        !refund_exec(db, STMT_ADJUSTMENT_LOOKUP, 2, pk, &r, &o))
        return o;
    if (PQntuples(r) == 1) {
        struct msg_error err;
        bool same = strcmp(PQgetvalue(r, 0, 0), hash) == 0;
        const char *json = arena_strdup(a, PQgetvalue(r, 0, 1));
        PQclear(r);
        if (!same)
            return refund_refuse(409, "idempotency_mismatch", "idempotency_key",
                                 "this idempotency_key was used with other content");
        res->doc = arena_alloc(a, sizeof(*res->doc));
        res->replayed = true;
        if (!codec_json_decode(json, strlen(json), &msg_adjustment_desc, res->doc, a, &err))
            o.db = DB_ERROR;
        return o;
    }
    PQclear(r);
    struct ledger_account acc;
    struct settings_points sp;
    if (!refund_ok(&o, settings_points_load(db, a, &sp)) ||
        !refund_ok(&o, ledger_lock(db, client_id, &acc)))
        return o;
    if (!refund_exec(db, STMT_ADJUSTMENT_NEXT_ID, 0, NULL, &r, &o))
        return o;
    int64_t id = refund_col(r, 0, 0);
    PQclear(r);
    struct ledger_ref ref = {NULL, 0, 0, id, 0, who->api_client_id, in->reason};
    int64_t amount = in->amount.minor, entry = 0, lot = 0;
    struct msg_adjustment *doc = arena_alloc(a, sizeof(*doc));
    if (amount > 0) {
        bool pending;
        if (!refund_ok(&o, ledger_lot(db, &acc, amount, 0, sp.expiry_days, in->active_from,
                                      in->expires_at, "adjustment", &ref, &lot, &pending)))
            return o;
        ref.lot_id = lot;
        int64_t paid = 0;
        if (!pending && !refund_ok(&o, ledger_pay_debt(db, &acc, lot, amount, &paid)))
            return o;
        if (!refund_ok(&o, ledger_entry(db, &acc, "adjustment", amount, pending ? 0 : amount,
                                        pending ? amount : 0, -paid, &ref, &entry)))
            return o;
    } else {
        if (-amount > acc.spendable)
            return refund_refuse(422, "insufficient_points", "amount",
                                 "the write-off is larger than the available balance");
        if (!refund_ok(&o, ledger_entry(db, &acc, "adjustment", amount, amount, 0, 0, &ref,
                                        &entry)) ||
            !refund_ok(&o, ledger_draw(db, &acc, "write_off", -amount, entry, &ref)))
            return o;
    }
    if (!refund_ok(&o, ledger_save(db, &acc)))
        return o;
    if (lot) {
        const char *lp[2] = {refund_i64(a, client_id), refund_i64(a, lot)};
        if (!refund_exec(db, STMT_LOT_TIMES, 2, lp, &r, &o))
            return o;
        doc->active_from = arena_strdup(a, PQgetvalue(r, 0, 0));
        doc->expires_at = PQgetisnull(r, 0, 1) ? NULL : arena_strdup(a, PQgetvalue(r, 0, 1));
        PQclear(r);
    }
    doc->id = id;
    doc->client_id = client_id;
    doc->amount = in->amount;
    doc->reason = in->reason;
    doc->balance_after.minor = acc.available;
    doc->idempotency_key = in->idempotency_key;
    const char *ins[12] = {refund_i64(a, client_id), refund_i64(a, id), ac, in->idempotency_key,
                           hash, refund_i64(a, amount), in->reason,
                           amount > 0 ? doc->active_from : NULL,
                           amount > 0 ? doc->expires_at : NULL, lot ? refund_i64(a, lot) : NULL,
                           refund_i64(a, entry), refund_json(a, &msg_adjustment_desc, doc)};
    const char *idx[4] = {ac, in->idempotency_key, refund_i64(a, client_id), refund_i64(a, id)};
    const char *ev[3] = {"points.changed", refund_i64(a, client_id),
                         arena_printf(a, "{\"client_id\": %lld, \"adjustment_id\": %lld}",
                                      (long long)client_id, (long long)id)};
    if (!refund_exec(db, STMT_ADJUSTMENT_INSERT, 12, ins, NULL, &o) ||
        !refund_exec(db, STMT_ADJUSTMENT_INDEX_INSERT, 4, idx, NULL, &o) ||
        !refund_exec(db, STMT_OUTBOX_PUT, 3, ev, NULL, &o))
        return o;
    if (docs_client_card_numbers(db, a, client_id, &o.cards, &o.ncards) != DB_OK)
        o.db = DB_UNAVAILABLE;
    res->doc = doc;
    return o;
}

static struct store_outcome adjustment_body(struct db *db, void *arg)
{
    struct refund_op *op = arg;
    memset(op->adjust_res, 0, sizeof(*op->adjust_res));
    return adjustment_tx(db, op->a, op->who, op->adjust, op->client_id, op->hash, op->adjust_res);
}

struct adjustment_result store_adjustment_create(struct db *db, struct arena *a,
                                                 const struct store_caller *who,
                                                 const struct msg_adjustment_in *in,
                                                 int64_t client_id, const char *hash)
{
    struct adjustment_result res;
    struct refund_op op = {.a = a, .who = who, .adjust = in, .client_id = client_id, .hash = hash,
                           .adjust_res = &res};
    memset(&res, 0, sizeof(res));
    res.o = store_tx_run(db, adjustment_body, &op);
    return res;
}

enum db_status store_operations_list(struct db *db, struct arena *a, int64_t client_id,
                                     int64_t before_id, long limit, struct msg_operation **items,
                                     size_t *n)
{
    PGresult *r = NULL;
    const char *p[3] = {refund_i64(a, client_id), before_id ? refund_i64(a, before_id) : NULL,
                        arena_printf(a, "%ld", limit)};
    enum db_status st = db_exec(db, STMT_OPERATIONS_LIST, 3, p, &r, NULL, 0);
    *n = 0;
    *items = NULL;
    if (st != DB_OK)
        return st;
    *n = (size_t)PQntuples(r);
    *items = arena_alloc(a, sizeof(**items) * (*n ? *n : 1));
    for (size_t i = 0; i < *n; i++) {
        struct msg_operation *e = &(*items)[i];
        e->id = refund_col(r, (int)i, 0);
        e->at = arena_strdup(a, PQgetvalue(r, (int)i, 1));
        e->kind = arena_strdup(a, PQgetvalue(r, (int)i, 2));
        e->amount.minor = refund_col(r, (int)i, 3);
        e->balance_after.minor = refund_col(r, (int)i, 4);
        e->receipt_id = PQgetisnull(r, (int)i, 5) ? NULL : arena_strdup(a, PQgetvalue(r, (int)i, 5));
        e->comment = PQgetisnull(r, (int)i, 6) ? NULL : arena_strdup(a, PQgetvalue(r, (int)i, 6));
    }
    PQclear(r);
    return DB_OK;
}

/* Inputs and outputs of the debt settlement of one client. */
struct debt_op {
    struct arena *a;   /* memory */
    int64_t client_id; /* whose debt */
    int64_t *paid;     /* out: points paid */
};

static struct store_outcome debt_body(struct db *db, void *arg)
{
    struct debt_op *op = arg;
    struct store_outcome o;
    struct ledger_account acc;
    struct ledger_ref ref = {NULL, 0, 0, 0, 0, 0, "debt settled from available points"};
    memset(&o, 0, sizeof(o));
    *op->paid = 0;
    if (!refund_ok(&o, ledger_lock(db, op->client_id, &acc)) ||
        !refund_ok(&o, ledger_settle_debt(db, &acc, &ref, op->paid)))
        return o;
    if (*op->paid && (!refund_ok(&o, ledger_save(db, &acc)) ||
                      docs_client_card_numbers(db, op->a, op->client_id, &o.cards, &o.ncards) != DB_OK))
        o.db = o.db ? o.db : DB_UNAVAILABLE;
    return o;
}

struct store_outcome store_debt_settle(struct db *db, struct arena *a, int64_t client_id,
                                       int64_t *paid)
{
    struct debt_op op = {a, client_id, paid};
    return store_tx_run(db, debt_body, &op);
}
