#include "store/ledger.h"

#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parameter text helpers: a small ring of buffers per call site is enough here. */
struct ledger_num {
    char s[24]; /* the number as text */
};

static const char *ledger_n(struct ledger_num *b, int64_t v)
{
    snprintf(b->s, sizeof(b->s), "%lld", (long long)v);
    return b->s;
}

static const char *ledger_opt(struct ledger_num *b, int64_t v)
{
    return v ? ledger_n(b, v) : NULL;
}

static int64_t ledger_i64(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static enum db_status ledger_load(struct db *db, enum db_stmt_id stmt, int64_t client_id,
                                  struct ledger_account *acc)
{
    struct ledger_num n;
    PGresult *r = NULL;
    const char *p[1] = {ledger_n(&n, client_id)};
    enum db_status st = db_exec(db, stmt, 1, p, &r, NULL, 0);
    memset(acc, 0, sizeof(*acc));
    acc->client_id = client_id;
    if (st != DB_OK)
        return st;
    bool found = PQntuples(r) == 1;
    if (found) {
        acc->available = ledger_i64(r, 0, 0);
        acc->pending = ledger_i64(r, 0, 1);
        acc->debt = ledger_i64(r, 0, 2);
        acc->purchases_total = ledger_i64(r, 0, 3);
    }
    PQclear(r);
    if (!found)
        return DB_OK;
    st = db_exec(db, STMT_SPENDABLE, 1, p, &r, NULL, 0);
    if (st != DB_OK)
        return st;
    acc->spendable = ledger_i64(r, 0, 0) - acc->debt;
    if (acc->spendable < 0)
        acc->spendable = 0;
    PQclear(r);
    return DB_OK;
}

enum db_status ledger_lock(struct db *db, int64_t client_id, struct ledger_account *acc)
{
    return ledger_load(db, STMT_ACCOUNT_LOCK, client_id, acc);
}

static enum db_status ledger_save_to(struct db *db, const struct ledger_account *acc, bool batched)
{
    struct ledger_num n[5];
    const char *p[5] = {ledger_n(&n[0], acc->client_id), ledger_n(&n[1], acc->available),
                        ledger_n(&n[2], acc->pending), ledger_n(&n[3], acc->debt),
                        ledger_n(&n[4], acc->purchases_total)};
    return batched ? db_batch_add(db, STMT_ACCOUNT_SAVE, 5, p)
                   : db_run(db, STMT_ACCOUNT_SAVE, 5, p);
}

enum db_status ledger_save(struct db *db, const struct ledger_account *acc)
{
    return ledger_save_to(db, acc, false);
}

enum db_status ledger_save_batched(struct db *db, const struct ledger_account *acc)
{
    return ledger_save_to(db, acc, true);
}

enum db_status ledger_entry(struct db *db, struct ledger_account *acc, const char *kind,
                            int64_t amount, int64_t d_available, int64_t d_pending,
                            int64_t d_debt, const struct ledger_ref *ref, int64_t *entry_id)
{
    struct ledger_num n[13];
    PGresult *r = NULL;
    acc->available += d_available;
    acc->pending += d_pending;
    acc->debt += d_debt;
    const char *p[15] = {
        ledger_n(&n[0], acc->client_id), kind, ledger_n(&n[1], amount),
        ledger_n(&n[2], d_available), ledger_n(&n[3], d_pending), ledger_n(&n[4], d_debt),
        ledger_n(&n[5], acc->available), ledger_n(&n[6], acc->pending), ref->receipt_id,
        ledger_opt(&n[7], ref->purchase_id), ledger_opt(&n[8], ref->refund_pk),
        ledger_opt(&n[9], ref->adjustment_id), ledger_opt(&n[10], ref->lot_id),
        ledger_opt(&n[11], ref->api_client_id), ref->comment};
    enum db_status st = db_exec(db, STMT_LEDGER_INSERT, 15, p, &r, NULL, 0);
    if (st == DB_OK && entry_id)
        *entry_id = ledger_i64(r, 0, 0);
    PQclear(r);
    return st;
}

enum db_status ledger_draw(struct db *db, struct ledger_account *acc, const char *kind,
                           int64_t amount, int64_t entry_id, const struct ledger_ref *ref)
{
    /* kind NULL: take from the lots without recording draws (nothing will give them back) */
    struct ledger_num n[6];
    PGresult *r = NULL;
    const char *p[1] = {ledger_n(&n[0], acc->client_id)};
    enum db_status st = db_exec(db, STMT_LOTS_FOR_SPEND, 1, p, &r, NULL, 0);
    int64_t left = amount;
    for (int i = 0; st == DB_OK && left > 0 && i < PQntuples(r); i++) {
        int64_t lot = ledger_i64(r, i, 0), remaining = ledger_i64(r, i, 1);
        int64_t take = remaining < left ? remaining : left;
        const char *u[3] = {ledger_n(&n[0], acc->client_id), ledger_n(&n[1], lot),
                            ledger_n(&n[2], take)};
        st = db_run(db, STMT_LOT_TAKE, 3, u);
        if (st != DB_OK)
            break;
        if (kind) {
            const char *d[7] = {u[0], u[1], kind, u[2], ledger_n(&n[3], entry_id),
                                ledger_opt(&n[4], ref->purchase_id),
                                ledger_opt(&n[5], ref->adjustment_id)};
            st = db_run(db, STMT_DRAW_INSERT, 7, d);
        }
        left -= take;
    }
    PQclear(r);
    if (st == DB_OK && left > 0) {
        /* the caller checked `spendable` under the lock: this is a bug */
        log_error("ledger: client %lld: %lld points could not be drawn", (long long)acc->client_id,
                  (long long)left);
        st = DB_ERROR;
    }
    return st;
}

enum db_status ledger_lot(struct db *db, struct ledger_account *acc, int64_t amount,
                          int delay_days, int expiry_days, const char *active_from,
                          const char *expires_at, const char *source,
                          const struct ledger_ref *ref, int64_t *lot_id, bool *pending)
{
    struct ledger_num n[6];
    PGresult *r = NULL;
    const char *p[9] = {ledger_n(&n[0], acc->client_id), ledger_n(&n[1], amount),
                        ledger_n(&n[2], delay_days), ledger_n(&n[3], expiry_days),
                        active_from, expires_at, source,
                        ledger_opt(&n[4], ref->purchase_id),
                        ledger_opt(&n[5], ref->adjustment_id)};
    enum db_status st = db_exec(db, STMT_LOT_INSERT, 9, p, &r, NULL, 0);
    if (st == DB_OK) {
        *lot_id = ledger_i64(r, 0, 0);
        *pending = PQgetvalue(r, 0, 1)[0] == 'p';
    }
    PQclear(r);
    return st;
}

enum db_status ledger_pay_debt(struct db *db, struct ledger_account *acc, int64_t lot_id,
                               int64_t lot_amount, int64_t *paid)
{
    struct ledger_num n[3];
    *paid = acc->debt < lot_amount ? acc->debt : lot_amount;
    if (*paid <= 0) {
        *paid = 0;
        return DB_OK;
    }
    const char *u[3] = {ledger_n(&n[0], acc->client_id), ledger_n(&n[1], lot_id),
                        ledger_n(&n[2], *paid)};
    return db_run(db, STMT_LOT_TAKE, 3, u);
}

enum db_status ledger_restore(struct db *db, struct ledger_account *acc, int64_t purchase_id,
                              int64_t amount, int64_t *restored, int64_t *lost)
{
    struct ledger_num n[4];
    PGresult *r = NULL;
    const char *p[2] = {ledger_n(&n[0], acc->client_id), ledger_n(&n[1], purchase_id)};
    enum db_status st = db_exec(db, STMT_DRAWS_OF_PURCHASE, 2, p, &r, NULL, 0);
    int64_t left = amount;
    *restored = 0;
    *lost = 0;
    /* draw id, lot id, open (amount − restored), lot bucket */
    for (int i = 0; st == DB_OK && left > 0 && i < PQntuples(r); i++) {
        int64_t draw = ledger_i64(r, i, 0), lot = ledger_i64(r, i, 1), open = ledger_i64(r, i, 2);
        bool expired = strcmp(PQgetvalue(r, i, 3), "expired") == 0;
        int64_t give = open < left ? open : left;
        const char *u[3] = {ledger_n(&n[0], acc->client_id), ledger_n(&n[1], draw),
                            ledger_n(&n[2], give)};
        st = db_run(db, STMT_DRAW_RESTORE, 3, u);
        if (st == DB_OK && !expired) {
            const char *l[3] = {u[0], ledger_n(&n[3], lot), u[2]};
            st = db_run(db, STMT_LOT_GIVE, 3, l);
            *restored += give;
        } else {
            *lost += give;
        }
        left -= give;
    }
    PQclear(r);
    return st;
}

enum db_status ledger_take_back(struct db *db, struct ledger_account *acc, int64_t purchase_id,
                                int64_t amount, bool allow_debt,
                                int64_t *from_available, int64_t *from_pending,
                                int64_t *debt_created)
{
    struct ledger_num n[4];
    PGresult *r = NULL;
    const char *p[2] = {ledger_n(&n[0], acc->client_id), ledger_n(&n[1], purchase_id)};
    enum db_status st = db_exec(db, STMT_LOTS_OF_PURCHASE, 2, p, &r, NULL, 0);
    int64_t left = amount;
    *from_available = 0;
    *from_pending = 0;
    *debt_created = 0;
    /* lot id, remaining, bucket */
    for (int i = 0; st == DB_OK && left > 0 && i < PQntuples(r); i++) {
        int64_t lot = ledger_i64(r, i, 0), remaining = ledger_i64(r, i, 1);
        const char *bucket = PQgetvalue(r, i, 2);
        if (strcmp(bucket, "expired") == 0 || remaining == 0)
            continue;
        int64_t take = remaining < left ? remaining : left;
        const char *u[3] = {ledger_n(&n[0], acc->client_id), ledger_n(&n[1], lot),
                            ledger_n(&n[2], take)};
        st = db_run(db, STMT_LOT_TAKE, 3, u);
        if (strcmp(bucket, "pending") == 0)
            *from_pending += take;
        else
            *from_available += take;
        left -= take;
    }
    PQclear(r);
    if (st == DB_OK && left > 0 && allow_debt) {
        *debt_created = left; /* already spent: owed, paid by later accruals */
    } else if (st == DB_OK && left > 0) {
        /* no debts: what was spent is taken from the client's other points, as far as they go */
        const char *q[1] = {ledger_n(&n[0], acc->client_id)};
        st = db_exec(db, STMT_SPENDABLE, 1, q, &r, NULL, 0);
        if (st != DB_OK)
            return st;
        int64_t lots = ledger_i64(r, 0, 0) - acc->debt;
        PQclear(r);
        int64_t take = lots < left ? (lots > 0 ? lots : 0) : left;
        struct ledger_ref none = {0};
        if (take > 0 && (st = ledger_draw(db, acc, NULL, take, 0, &none)) == DB_OK)
            *from_available += take;
    }
    return st;
}

enum db_status ledger_settle_debt(struct db *db, struct ledger_account *acc,
                                  const struct ledger_ref *ref, int64_t *paid)
{
    struct ledger_num n;
    PGresult *r = NULL;
    *paid = 0;
    if (acc->debt <= 0)
        return DB_OK;
    const char *q[1] = {ledger_n(&n, acc->client_id)};
    enum db_status st = db_exec(db, STMT_SPENDABLE, 1, q, &r, NULL, 0);
    if (st != DB_OK)
        return st;
    int64_t lots = ledger_i64(r, 0, 0);
    PQclear(r);
    int64_t pay = lots < acc->debt ? lots : acc->debt;
    if (pay <= 0)
        return DB_OK;
    /* lots and debt fall together: the available balance does not move */
    if ((st = ledger_draw(db, acc, NULL, pay, 0, ref)) != DB_OK ||
        (st = ledger_entry(db, acc, "adjustment", 0, 0, 0, -pay, ref, NULL)) != DB_OK)
        return st;
    *paid = pay;
    return DB_OK;
}
