#include "store/db.h"

#include <stdio.h>
#include <string.h>

#include "store/notify.h"
#include "util/log.h"

static enum db_status db_exec_once(struct db *db, enum db_stmt_id id, int n,
                                   const char *const *vals, PGresult **res, char *constraint,
                                   size_t clen);
static enum db_status db_simple_once(struct db *db, const char *sql);

void db_init(struct db *db, const char *conninfo)
{
    memset(db, 0, sizeof(*db));
    db->conninfo = conninfo;
}

void db_close(struct db *db)
{
    if (db->conn)
        PQfinish(db->conn);
    db->conn = NULL;
    db->in_tx = false;
    db->begin_pending = false;
    db->batch_commits = false;
    db->batch = 0;
}

static bool db_prepare_all(struct db *db)
{
    for (int i = 0; i < STMT_COUNT; i++) {
        PGresult *r = PQprepare(db->conn, db_stmts[i].name, db_stmts[i].sql, 0, NULL);
        bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            log_error("prepare %s: %s", db_stmts[i].name, PQerrorMessage(db->conn));
        PQclear(r);
        if (!ok)
            return false;
    }
    return true;
}

/* Every statement is a short lookup or write by key, planned once: a custom plan per
 * execution (which PostgreSQL keeps choosing for statements with optional parameters such
 * as `$1 IS NULL OR …`) costs more than the statement itself. */
static bool db_set_session(struct db *db)
{
    PGresult *r = PQexec(db->conn, "SET plan_cache_mode = force_generic_plan");
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    return ok;
}

static bool db_set_timezone(struct db *db)
{
    const char *sql = "SELECT coalesce((SELECT body->>'timezone' FROM settings "
                      "WHERE section = 'general'), 'Europe/Moscow')";
    PGresult *r = PQexec(db->conn, sql);
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    if (ok) {
        snprintf(db->timezone, sizeof(db->timezone), "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        const char *params[1] = {db->timezone};
        r = PQexecParams(db->conn, "SELECT set_config('TimeZone', $1, false)", 1, NULL, params,
                         NULL, NULL, 0);
        ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    }
    PQclear(r);
    return ok;
}

enum db_status db_ensure(struct db *db)
{
    if (db->conn && PQstatus(db->conn) == CONNECTION_OK) {
        uint64_t gen = notify_generation();
        if (gen == db->generation || db->in_tx)
            return DB_OK;
        /* the settings changed (or we cannot tell): read the time zone again */
        if (!db_set_timezone(db)) {
            db_close(db);
            return DB_UNAVAILABLE;
        }
        db->generation = gen;
        return DB_OK;
    }
    db_close(db);
    db->conn = PQconnectdb(db->conninfo);
    if (PQstatus(db->conn) != CONNECTION_OK) {
        log_warn("PostgreSQL: %s", PQerrorMessage(db->conn));
        db_close(db);
        return DB_UNAVAILABLE;
    }
    db->generation = notify_generation();
    if (!db_set_session(db) || !db_set_timezone(db) || !db_prepare_all(db)) {
        db_close(db);
        return DB_UNAVAILABLE;
    }
    return DB_OK;
}

/* Classify a failed result. */
static enum db_status db_classify(struct db *db, PGresult *r, char *constraint, size_t clen)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (!db->conn || PQstatus(db->conn) != CONNECTION_OK || !state ||
        strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0) {
        db_close(db); /* reconnect on the next request */
        return DB_UNAVAILABLE;
    }
    if (strcmp(state, "23505") == 0) {
        const char *c = PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME);
        if (constraint)
            snprintf(constraint, clen, "%s", c ? c : "");
        return DB_UNIQUE;
    }
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
        return DB_SERIALIZATION;
    log_error("SQL error %s: %s", state, PQresultErrorMessage(r));
    return DB_ERROR;
}

enum db_status db_exec(struct db *db, enum db_stmt_id id, int n, const char *const *vals,
                       PGresult **res, char *constraint, size_t clen)
{
    /* outside a transaction a dropped connection is retried once on a new one */
    for (int attempt = 0;; attempt++) {
        enum db_status st = db_exec_once(db, id, n, vals, res, constraint, clen);
        if (st != DB_UNAVAILABLE || db->in_tx || attempt == 1)
            return st;
    }
}

static enum db_status db_exec_once(struct db *db, enum db_stmt_id id, int n,
                                   const char *const *vals, PGresult **res, char *constraint,
                                   size_t clen)
{
    enum db_status st = db_ensure(db);
    if (res)
        *res = NULL;
    if (st != DB_OK)
        return st;
    if (db->begin_pending) {
        /* the transaction's first statement takes its BEGIN along */
        PGresult *dropped = NULL;
        if ((st = db_batch_begin(db)) != DB_OK ||
            (st = db_batch_query(db, id, n, vals, res ? res : &dropped)) != DB_OK)
            return st;
        st = db_batch_run(db, constraint, clen);
        PQclear(dropped);
        return st;
    }
    PGresult *r = PQexecPrepared(db->conn, db_stmts[id].name, n, vals, NULL, NULL, 0);
    ExecStatusType es = PQresultStatus(r);
    if (es == PGRES_TUPLES_OK || es == PGRES_COMMAND_OK) {
        if (res)
            *res = r;
        else
            PQclear(r);
        return DB_OK;
    }
    st = db_classify(db, r, constraint, clen);
    PQclear(r);
    return st;
}

enum db_status db_run(struct db *db, enum db_stmt_id id, int n, const char *const *vals)
{
    return db_exec(db, id, n, vals, NULL, NULL, 0);
}

enum db_status db_simple(struct db *db, const char *sql)
{
    for (int attempt = 0;; attempt++) {
        enum db_status st = db_simple_once(db, sql);
        if (st != DB_UNAVAILABLE || db->in_tx || attempt == 1)
            return st;
    }
}

static enum db_status db_simple_once(struct db *db, const char *sql)
{
    enum db_status st = db_ensure(db);
    if (st != DB_OK)
        return st;
    if (db->begin_pending) {
        db->begin_pending = false;
        if ((st = db_simple_once(db, "BEGIN")) != DB_OK)
            return st;
    }
    PGresult *r = PQexec(db->conn, sql);
    ExecStatusType es = PQresultStatus(r);
    if (es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK) {
        PQclear(r);
        return DB_OK;
    }
    st = db_classify(db, r, NULL, 0);
    PQclear(r);
    return st;
}

enum db_status db_begin(struct db *db)
{
    enum db_status st = db_ensure(db);
    if (st != DB_OK)
        return st;
    db->in_tx = true;
    db->begin_pending = true;
    return DB_OK;
}

enum db_status db_commit(struct db *db)
{
    if (!db->in_tx)
        return DB_OK; /* committed by its last batch */
    if (db->begin_pending) {
        db->in_tx = db->begin_pending = false; /* nothing was sent */
        return DB_OK;
    }
    enum db_status st = db_simple(db, "COMMIT");
    db->in_tx = false;
    return st;
}

void db_rollback(struct db *db)
{
    if (db->conn && db->in_tx && !db->begin_pending && PQstatus(db->conn) == CONNECTION_OK) {
        PGresult *r = PQexec(db->conn, "ROLLBACK");
        PQclear(r);
    }
    db->in_tx = db->begin_pending = false;
}

/* Queue SQL without parameters (BEGIN, COMMIT) in the open batch. */
static enum db_status db_batch_plain(struct db *db, const char *sql)
{
    if (!db->conn || db->batch == DB_BATCH_MAX ||
        PQsendQueryParams(db->conn, sql, 0, NULL, NULL, NULL, NULL, 0) != 1)
        return DB_UNAVAILABLE;
    db->slots[db->batch++] = NULL;
    return DB_OK;
}

enum db_status db_batch_begin(struct db *db)
{
    enum db_status st = db_ensure(db);
    if (st != DB_OK)
        return st;
    if (PQenterPipelineMode(db->conn) != 1) {
        db_close(db);
        return DB_UNAVAILABLE;
    }
    db->batch = 0;
    db->batch_commits = false;
    if (db->begin_pending) {
        db->begin_pending = false;
        return db_batch_plain(db, "BEGIN");
    }
    return DB_OK;
}

enum db_status db_batch_query(struct db *db, enum db_stmt_id id, int n, const char *const *vals,
                              PGresult **res)
{
    if (res)
        *res = NULL;
    if (!db->conn || db->batch == DB_BATCH_MAX ||
        PQsendQueryPrepared(db->conn, db_stmts[id].name, n, vals, NULL, NULL, 0) != 1)
        return DB_UNAVAILABLE;
    db->slots[db->batch++] = res;
    return DB_OK;
}

enum db_status db_batch_add(struct db *db, enum db_stmt_id id, int n, const char *const *vals)
{
    return db_batch_query(db, id, n, vals, NULL);
}

enum db_status db_batch_commit(struct db *db)
{
    int slot = db->batch;
    enum db_status st = db_batch_plain(db, "COMMIT");
    db->batch_commits = st == DB_OK;
    db->commit_slot = slot;
    return st;
}

/* Drop the rows handed out by a batch that failed. */
static void db_batch_forget(struct db *db, int upto)
{
    for (int i = 0; i < upto; i++)
        if (db->slots[i]) {
            PQclear(*db->slots[i]);
            *db->slots[i] = NULL;
        }
}

/* The connection went away during a batch. When its COMMIT had answered (the server may
 * stop right after it), the transaction stands and the rows handed out are good; else
 * nothing of it was kept. */
static enum db_status db_batch_lost(struct db *db, int n, bool committed)
{
    db->batch = 0;
    db->batch_commits = false;
    db->in_tx = false;
    if (committed)
        return DB_OK;
    db_batch_forget(db, n);
    return DB_UNAVAILABLE;
}

enum db_status db_batch_run(struct db *db, char *constraint, size_t clen)
{
    enum db_status st = DB_OK;
    int n = db->batch;
    bool committed = false; /* the batch's COMMIT answered: the transaction is durable */
    if (!db->conn)
        return DB_UNAVAILABLE;
    if (PQpipelineSync(db->conn) != 1) {
        db_close(db);
        return DB_UNAVAILABLE;
    }
    /* each statement's results end with NULL; the sync point comes last */
    for (int i = 0; i < n; i++) {
        PGresult *r;
        while ((r = PQgetResult(db->conn)) != NULL) {
            ExecStatusType es = PQresultStatus(r);
            if (st == DB_OK && es != PGRES_COMMAND_OK && es != PGRES_TUPLES_OK)
                st = es == PGRES_PIPELINE_ABORTED ? DB_ERROR : db_classify(db, r, constraint, clen);
            if (st == DB_OK && db->batch_commits && i == db->commit_slot)
                committed = true;
            if (st == DB_OK && db->slots[i] && !*db->slots[i])
                *db->slots[i] = r;
            else
                PQclear(r);
            if (!db->conn)
                return db_batch_lost(db, n, committed);
        }
    }
    PGresult *sync = PQgetResult(db->conn);
    bool synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    PQclear(sync);
    if (!synced || PQexitPipelineMode(db->conn) != 1) {
        db_close(db);
        return db_batch_lost(db, n, committed);
    }
    db->batch = 0;
    if (st != DB_OK)
        db_batch_forget(db, n);
    else if (db->batch_commits)
        db->in_tx = false;
    db->batch_commits = false;
    return st;
}

bool db_ping(struct db *db)
{
    return db_simple(db, "SELECT 1") == DB_OK;
}
