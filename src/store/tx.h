/* tx: one business operation = one transaction. The body runs between BEGIN and COMMIT;
 * a refusal or failure rolls everything back, and a deadlock or serialization failure
 * runs the body again (it must not keep state between runs). */
#ifndef LOYALTY_TX_H
#define LOYALTY_TX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

#define STORE_TX_ATTEMPTS 3

/* How an operation ended when it did not simply succeed. */
struct store_outcome {
    enum db_status db;     /* DB_OK unless the database failed */
    int status;            /* HTTP status of a refusal (404, 409, 400, 422), 0 when done */
    const char *code;      /* error code of the refusal */
    const char *field;     /* offending field, or NULL */
    const char *message;   /* human text of the refusal */
    const char **cards;    /* card numbers whose cached documents the change made stale */
    size_t ncards;         /* number of them */
};

/* Who is calling (for source, ownership and idempotency). */
struct store_caller {
    int64_t api_client_id;       /* api_clients.id */
    const char *api_client_name; /* its name, recorded as a client's source */
    int64_t only_source;         /* partner: act only on clients with this source, else 0 */
};

/* The body of a transaction; arg carries its inputs and outputs. */
typedef struct store_outcome (*store_tx_body)(struct db *db, void *arg);

struct store_outcome store_tx_run(struct db *db, store_tx_body body, void *arg);
/* Outcome constructors. */
struct store_outcome store_done(void);
struct store_outcome store_refusal(int status, const char *code, const char *field,
                                   const char *message);
struct store_outcome store_failure(enum db_status st);
bool store_outcome_failed(const struct store_outcome *o);

#endif
