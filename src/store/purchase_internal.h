/* purchase_internal.h: what the purchase modules share (purchases.c: context, calculation,
 * document, level, events, reads; purchase_confirm.c: confirm and hold). Not an API. */
#ifndef LOYALTY_PURCHASE_INTERNAL_H
#define LOYALTY_PURCHASE_INTERNAL_H

#include "domain/receipt.h"
#include "store/ledger.h"
#include "store/purchases.h"
#include "store/settings.h"

/* A lot points can be spent from, as the context read it. */
struct purchase_lot {
    int64_t id;         /* points_lots.id */
    int64_t remaining;  /* points left in it */
};

/* Everything a calculation needs, gathered from the database. */
struct purchase_ctx {
    int64_t client_id;                 /* buyer, 0 = anonymous */
    int64_t source;                    /* buyer's source API client */
    int64_t level_id;                  /* buyer's level, 0 = none */
    int64_t level_rank;                /* its rank */
    const char *level_name;            /* its name */
    struct receipt_client client;      /* buyer as the calculation sees it */
    struct ledger_account acc;         /* the locked account */
    struct settings_points sp;         /* write-off and accrual rules */
    struct settings_general general;   /* slip width, hold TTL */
    struct receipt_calc calc;          /* the calculation */
    const char *next_level;            /* the next level's name, NULL when none */
    int64_t to_next_level;             /* purchases still missing to reach it */
    int64_t version;                   /* the account's version the context was read at */
    const char *card_status;           /* the presented card's status then */
    struct purchase_lot *lots;         /* spendable lots in draw order */
    size_t nlots;                      /* number of them */
};

#define purchase_ok store_done
#define purchase_refuse store_refusal
#define purchase_db store_failure

/* A stored purchase found by (API client, receipt id). */
struct purchase_found {
    int64_t key;            /* purchases.client_id (negative when anonymous) */
    int64_t id;             /* purchases.id */
    const char *hash;       /* request hash, hex */
    const char *document;   /* stored document (JSON) */
    const char *status;     /* held | confirmed | cancelled */
    bool hold_expired;      /* a hold past its TTL */
};

/* Inputs and outputs of a purchase transaction, for store_tx_run. */
struct purchase_op {
    struct arena *a;                      /* request memory */
    const struct store_caller *who;       /* caller */
    const struct purchase_request *req;   /* confirm: the request */
    const char *receipt_id;               /* commit, cancel, release: the purchase */
    bool release;                         /* cancel as the hold release job */
    struct purchase_result *res;          /* the answer */
};

/* A number as a parameter text in the arena. */
const char *purchase_i64(struct arena *a, int64_t v);

/* A column as a number (NULL = 0). */
int64_t purchase_col(PGresult *r, int row, int col);

/* false (and the failure in *o) unless st is DB_OK. */
bool purchase_status_ok(struct store_outcome *o, enum db_status st);

/* The advisory lock key of an idempotency key (receipt, refund, adjustment). */
const char *purchase_key_text(struct arena *a, const char *kind, int64_t api_client,
                              const char *key);

/* The buyer's parameters of PURCHASE_WHO: card, client id, phone. */
void purchase_who_params(struct arena *a, const struct purchase_request *req,
                         const char *p[3]);

/* No card, client id or phone: an anonymous purchase. */
bool purchase_anonymous(const struct purchase_request *req);

/* Who buys, with level, account, lots and next level, from the context row (NULL: none);
 * partners see only their own clients. */
bool purchase_identify_row(struct arena *a, const struct store_caller *who,
                           const struct purchase_request *req,
                           const struct purchase_context_row *row, struct purchase_ctx *ctx,
                           struct store_outcome *o);

/* Read the rules and run the calculation on an identified buyer. */
bool purchase_compute(struct db *db, struct arena *a, const struct purchase_request *req,
                      struct purchase_ctx *ctx, struct store_outcome *o);

/* The purchase document of a calculation. */
struct msg_purchase *purchase_doc(struct arena *a, const struct purchase_request *req,
                                  const struct purchase_ctx *ctx, const char *status);

/* The slip text: the default template with the purchase's figures, wrapped to the width. */
void purchase_slip(struct arena *a, const struct purchase_ctx *ctx, struct msg_purchase *d);

/* Rebuild a stored document (JSON) into a struct to answer in either format. */
struct msg_purchase *purchase_doc_parse(struct arena *a, const char *json);

/* A document as the JSON stored with the purchase. */
const char *purchase_doc_json(struct arena *a, const struct msg_purchase *d);

/* What a purchase adds to the client's level base: total less discount and certificates. */
int64_t purchase_level_amount(const struct receipt_calc *c);

/* Points and level of a confirmed purchase: the accrual lot, purchases total, level raise. */
bool purchase_settle(struct db *db, struct arena *a, const struct store_caller *who,
                     struct purchase_ctx *ctx, int64_t purchase_id, const char *receipt_id,
                     int64_t accrued, int64_t level_amount, struct store_outcome *o);

/* Raise (or, when `lower`, also lower) the level to what the purchases reach. */
bool purchase_level(struct db *db, struct arena *a, int64_t client_id, bool lower,
                    struct store_outcome *o);

/* The payload of a purchase event. */
const char *purchase_event_payload(struct arena *a, int64_t client_id, int64_t purchase_id,
                                   const char *receipt_id);

/* Queue a purchase event in the outbox (batched: in the open batch). */
bool purchase_event_to(struct db *db, struct arena *a, const char *type, int64_t client_id,
                       int64_t purchase_id, const char *receipt_id, bool batched,
                       struct store_outcome *o);

/* A STMT_RECEIPT_LOOKUP (or STMT_CONFIRM_IDS) answer (no receipt: f->id = 0). */
void purchase_found_row(struct arena *a, PGresult *r, struct purchase_found *f);

/* Cards of the buyer, for cache invalidation after COMMIT. */
void purchase_touch(struct db *db, struct arena *a, int64_t client_id, struct store_outcome *o);

/* Refund ids of a purchase, for its document. */
bool purchase_refund_ids(struct db *db, struct arena *a, int64_t key, int64_t id,
                         struct msg_purchase *doc, struct store_outcome *o);

/* Run one purchase transaction and hand back its answer. */
struct purchase_result purchase_run(struct db *db, struct purchase_op op,
                                    store_tx_body body);

#endif
