/* db: one PostgreSQL connection per thread, statements prepared once per connection,
 * reconnect on failure, errors classified for the API. */
#ifndef LOYALTY_DB_H
#define LOYALTY_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/stmts.h"

#define DB_BATCH_MAX 32 /* statements in one batch */

/* A thread's connection and what it needs to reconnect. */
struct db {
    PGconn *conn;          /* NULL until the first use or after a failure */
    const char *conninfo;  /* libpq connection string (owned by the config) */
    char timezone[64];     /* business time zone, read from settings at connect */
    bool in_tx;            /* inside BEGIN … COMMIT */
    bool begin_pending;    /* BEGIN not sent yet: it goes out with the first statement */
    bool batch_commits;    /* the open batch ends with COMMIT */
    int commit_slot;       /* … at this position */
    uint64_t generation;   /* configuration generation the time zone was read in */
    int batch;             /* statements sent in the open batch */
    PGresult **slots[DB_BATCH_MAX]; /* where each batch statement's rows go (NULL: dropped) */
};

/* How a statement ended, as the API sees it. */
enum db_status {
    DB_OK = 0,          /* done */
    DB_UNAVAILABLE,     /* no connection: answer 503, nothing was written */
    DB_UNIQUE,          /* unique violation; db_last_constraint() names it */
    DB_SERIALIZATION,   /* deadlock or serialization failure: retry the transaction */
    DB_ERROR,           /* any other error (a bug): 500 */
};

void db_init(struct db *db, const char *conninfo);
void db_close(struct db *db);
/* Connect (and prepare) when needed. */
enum db_status db_ensure(struct db *db);
/* Run a prepared statement; *res is set on DB_OK (caller PQclear()s it), NULL otherwise.
 * constraint (may be NULL) receives the violated constraint's name on DB_UNIQUE. */
enum db_status db_exec(struct db *db, enum db_stmt_id id, int n, const char *const *vals,
                       PGresult **res, char *constraint, size_t clen);
/* Run a statement, expecting it to affect or return rows; ignore the result. */
enum db_status db_run(struct db *db, enum db_stmt_id id, int n, const char *const *vals);
/* BEGIN is sent with the transaction's first statement or batch (no round trip of its own);
 * COMMIT after a batch that ended with db_batch_commit() sends nothing. */
enum db_status db_begin(struct db *db);
enum db_status db_commit(struct db *db);
void db_rollback(struct db *db);
/* Plain SQL without parameters (migrations, admin tools). */
enum db_status db_simple(struct db *db, const char *sql);
/* A batch: statements sent one after another without waiting (libpq pipeline mode) and
 * answered together in one round trip. Inside a transaction, a failing statement aborts it
 * and the statements after it are skipped (the caller rolls back). */
enum db_status db_batch_begin(struct db *db);
enum db_status db_batch_add(struct db *db, enum db_stmt_id id, int n, const char *const *vals);
/* A statement whose rows are wanted: *res is set when db_batch_run returns DB_OK (the caller
 * PQclear()s it) and NULL otherwise. */
enum db_status db_batch_query(struct db *db, enum db_stmt_id id, int n, const char *const *vals,
                              PGresult **res);
/* End the batch with COMMIT: the transaction is over when db_batch_run returns DB_OK. */
enum db_status db_batch_commit(struct db *db);
/* Send and wait; the first failure is returned (constraint names a unique violation). */
enum db_status db_batch_run(struct db *db, char *constraint, size_t clen);

/* true when the server answers */
bool db_ping(struct db *db);

#endif
