#include "store/tx.h"

#include <string.h>

struct store_outcome store_done(void)
{
    struct store_outcome o;
    memset(&o, 0, sizeof(o));
    return o;
}

struct store_outcome store_refusal(int status, const char *code, const char *field,
                                   const char *message)
{
    struct store_outcome o = store_done();
    o.status = status;
    o.code = code;
    o.field = field;
    o.message = message;
    return o;
}

struct store_outcome store_failure(enum db_status st)
{
    struct store_outcome o = store_done();
    o.db = st == DB_UNIQUE || st == DB_OK ? DB_ERROR : st;
    return o;
}

bool store_outcome_failed(const struct store_outcome *o)
{
    return o->db != DB_OK || o->status != 0;
}

struct store_outcome store_tx_run(struct db *db, store_tx_body body, void *arg)
{
    struct store_outcome o = store_done();
    for (int attempt = 0; attempt < STORE_TX_ATTEMPTS; attempt++) {
        enum db_status st = db_begin(db);
        if (st != DB_OK)
            return store_failure(st);
        o = body(db, arg);
        if (!store_outcome_failed(&o)) {
            st = db_commit(db);
            if (st == DB_OK)
                return o;
            o = store_failure(st);
        } else {
            db_rollback(db);
        }
        if (o.db != DB_SERIALIZATION)
            return o;
    }
    return o;
}
