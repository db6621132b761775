/* ledger: points lots, ledger entries and the account row of one client, inside the
 * caller's transaction. The account row is locked first, so every change to one client's
 * points is serialised; the row is written back once at the end (ledger_save). */
#ifndef LOYALTY_LEDGER_H
#define LOYALTY_LEDGER_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

/* The account row of a client, as changed so far in this transaction. */
struct ledger_account {
    int64_t client_id;        /* whose */
    int64_t available;        /* points counted as available, net of debt */
    int64_t pending;          /* points waiting for activation */
    int64_t debt;             /* points owed */
    int64_t purchases_total;  /* level base: purchases after discounts minus refunds */
    int64_t spendable;        /* live: available lots not yet expired, minus debt */
};

/* What a ledger entry refers to. */
struct ledger_ref {
    const char *receipt_id;   /* shown in the history */
    int64_t purchase_id;      /* 0 = none */
    int64_t refund_pk;        /* 0 = none */
    int64_t adjustment_id;    /* 0 = none */
    int64_t lot_id;           /* 0 = none */
    int64_t api_client_id;    /* who caused it, 0 = none */
    const char *comment;      /* free text */
};

/* Lock and read the account (FOR UPDATE) and compute what can be spent now. */
enum db_status ledger_lock(struct db *db, int64_t client_id, struct ledger_account *acc);
/* Write the account row back (batched: inside db_batch_begin … db_batch_run). */
enum db_status ledger_save(struct db *db, const struct ledger_account *acc);
enum db_status ledger_save_batched(struct db *db, const struct ledger_account *acc);
/* Add an entry; deltas are applied to acc first, so balance_after is the new state. */
enum db_status ledger_entry(struct db *db, struct ledger_account *acc, const char *kind,
                            int64_t amount, int64_t d_available, int64_t d_pending,
                            int64_t d_debt, const struct ledger_ref *ref, int64_t *entry_id);
/* Spend `amount` from the lots, earliest expiry first, recording the draws
 * (kind spend|write_off) against purchase_id or adjustment_id; kind NULL records none. */
enum db_status ledger_draw(struct db *db, struct ledger_account *acc, const char *kind,
                           int64_t amount, int64_t entry_id, const struct ledger_ref *ref);
/* A new lot: pending for delay_days (available at once when 0), expiring at the end of the
 * day expiry_days after activation (never when 0), unless expires_at (RFC 3339) is given. */
enum db_status ledger_lot(struct db *db, struct ledger_account *acc, int64_t amount,
                          int delay_days, int expiry_days, const char *active_from,
                          const char *expires_at, const char *source,
                          const struct ledger_ref *ref, int64_t *lot_id, bool *pending);
/* Later accruals pay the debt first: take up to the debt from a new available lot.
 * Returns through *paid what was paid (the caller's entry carries it as debt_delta). */
enum db_status ledger_pay_debt(struct db *db, struct ledger_account *acc, int64_t lot_id,
                               int64_t lot_amount, int64_t *paid);
/* Pay the debt from the client's available lots (earliest expiry first), as far as they
 * go; one entry records it (debt_delta, the available balance unchanged). */
enum db_status ledger_settle_debt(struct db *db, struct ledger_account *acc,
                                  const struct ledger_ref *ref, int64_t *paid);
/* Give back up to `amount` points drawn for the purchase (latest draws first) to exactly
 * the lots they came from; points of lots that expired meanwhile stay expired. Returns
 * through *restored what came back to available. */
enum db_status ledger_restore(struct db *db, struct ledger_account *acc, int64_t purchase_id,
                              int64_t amount, int64_t *restored, int64_t *lost);
/* Take back up to `amount` points accrued by the purchase from its lots; what is already
 * spent becomes debt when allow_debt, else is taken from the client's other available points
 * as far as they go (the rest is forgiven). */
enum db_status ledger_take_back(struct db *db, struct ledger_account *acc, int64_t purchase_id,
                                int64_t amount, bool allow_debt,
                                int64_t *from_available, int64_t *from_pending,
                                int64_t *debt_created);

#endif
