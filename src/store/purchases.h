/* purchases: calculate, confirm (or hold → commit), read, cancel and refund purchases, and
 * manual adjustments; each write is one transaction on one client's account. */
#ifndef LOYALTY_STORE_PURCHASES_H
#define LOYALTY_STORE_PURCHASES_H

#include "api/messages.h"
#include "store/clients.h"

/* A decoded purchase request with what the API layer prepared. */
struct purchase_request {
    const struct msg_purchase_in *in; /* the body */
    const char *phone;                /* normalised buyer phone, or NULL */
    const char *request_hash;         /* hex SHA-256 of the canonical body */
};

#define PURCHASE_CONTEXT_COLS 18 /* columns of STMT_PURCHASE_CONTEXT */

/* A buyer's calculation context as read from the database (NULL = SQL NULL): what a cache
 * keeps so that a calculation by card needs no database round trip. */
struct purchase_context_row {
    const char *col[PURCHASE_CONTEXT_COLS]; /* the statement's columns, as text */
};

/* The row of a STMT_PURCHASE_CONTEXT answer, copied into the arena; false when there is none. */
bool store_purchase_context_of(struct arena *a, PGresult *r, struct purchase_context_row *row);
/* The context as one string for a cache, and back (false: not a context). */
const char *store_purchase_context_text(struct arena *a, const struct purchase_context_row *row);
bool store_purchase_context_parse(struct arena *a, const char *text, size_t len,
                                  struct purchase_context_row *row);

/* The contexts of many cards as store_purchase_context_text() (texts[i] NULL: unknown card
 * or no client), in one statement. */
enum db_status store_purchase_contexts(struct db *db, struct arena *a, const char *const *numbers,
                                       size_t n, const char **texts);

/* The outcome and the document to answer with. */
struct purchase_result {
    struct store_outcome o;      /* refusal or failure (o.status / o.db) */
    struct msg_purchase *doc;    /* the purchase document on success */
    const char *json;            /* doc as JSON when the store encoded it already, else NULL */
    bool replayed;               /* an idempotent repeat: 200 instead of 201 */
};

/* A calculation; `cached` (may be NULL) is the buyer's context from a cache (by card), else
 * it is read and, when `read` is not NULL, handed back there for the cache (col[0] NULL when
 * nothing should be cached). */
struct purchase_result store_purchase_calculate(struct db *db, struct arena *a,
                                                const struct store_caller *who,
                                                const struct purchase_request *req,
                                                const struct purchase_context_row *cached,
                                                struct purchase_context_row *read);
/* A confirm (or hold); `cached` (may be NULL) is the buyer's context from a cache (by card):
 * used when the account is still at its version and the card in its status, else read. */
struct purchase_result store_purchase_confirm(struct db *db, struct arena *a,
                                              const struct store_caller *who,
                                              const struct purchase_request *req,
                                              const struct purchase_context_row *cached);
struct purchase_result store_purchase_get(struct db *db, struct arena *a,
                                          const struct store_caller *who, const char *receipt_id);
struct purchase_result store_purchase_commit(struct db *db, struct arena *a,
                                             const struct store_caller *who,
                                             const char *receipt_id);
struct purchase_result store_purchase_cancel(struct db *db, struct arena *a,
                                             const struct store_caller *who,
                                             const char *receipt_id);

/* Release a hold past its TTL (the worker's hold_release job): like a cancel, and only when
 * the purchase is still held and expired; o.status is 409 otherwise. */
struct purchase_result store_purchase_release(struct db *db, struct arena *a,
                                              const struct store_caller *who,
                                              const char *receipt_id);

/* POST /refunds */
struct refund_result {
    struct store_outcome o;   /* refusal or failure */
    struct msg_refund *doc;   /* the refund document */
    bool replayed;            /* a repeat of the same refund_id */
};
struct refund_result store_refund_create(struct db *db, struct arena *a,
                                         const struct store_caller *who,
                                         const struct msg_refund_in *in, const char *hash);

/* POST /points/adjustments */
struct adjustment_result {
    struct store_outcome o;      /* refusal or failure */
    struct msg_adjustment *doc;  /* the adjustment document */
    bool replayed;               /* a repeat of the same idempotency_key */
};
struct adjustment_result store_adjustment_create(struct db *db, struct arena *a,
                                                 const struct store_caller *who,
                                                 const struct msg_adjustment_in *in,
                                                 int64_t client_id, const char *hash);

/* Move the client to the level its purchases reach (lowering too when `lower`). */
bool store_level_reevaluate(struct db *db, struct arena *a, int64_t client_id, bool lower,
                            struct store_outcome *o);

/* The debt_settlement job: pay one client's debt from its available points. */
struct store_outcome store_debt_settle(struct db *db, struct arena *a, int64_t client_id,
                                       int64_t *paid);

/* GET /clients/{id}/operations */
enum db_status store_operations_list(struct db *db, struct arena *a, int64_t client_id,
                                     int64_t before_id, long limit, struct msg_operation **items,
                                     size_t *n);

#endif
