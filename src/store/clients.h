/* clients: registration, changes and cards of a client, each one transaction. */
#ifndef LOYALTY_STORE_CLIENTS_H
#define LOYALTY_STORE_CLIENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "api/messages.h"
#include "store/db.h"
#include "store/tx.h"

/* A registration, already normalised (phone E.164, e-mail lower-case). */
struct store_registration {
    const struct msg_client_input *in; /* the decoded request */
    const char *phone;                 /* normalised phone or NULL */
    const char *email;                 /* normalised e-mail or NULL */
    const char *idempotency_key;       /* Idempotency-Key header or NULL */
    const char *request_hash;          /* hex SHA-256 of the canonical request */
};

/* Register; on success *client_id is the new (or replayed) client and *replayed tells. */
struct store_outcome store_client_register(struct db *db, struct arena *a,
                                           const struct store_caller *who,
                                           const struct store_registration *reg,
                                           int64_t *client_id, bool *replayed);
/* PATCH: members present in `in` replace the stored ones. */
struct store_outcome store_client_update(struct db *db, struct arena *a,
                                         const struct store_caller *who, int64_t client_id,
                                         const struct msg_client_input *in, const char *phone,
                                         const char *email);
/* Bind a physical card or issue a virtual one; *number receives the card. */
struct store_outcome store_card_add(struct db *db, struct arena *a,
                                    const struct store_caller *who, int64_t client_id,
                                    const char *number, bool virtual_card, const char **out);
/* Card actions. */
struct store_outcome store_card_set_blocked(struct db *db, struct arena *a,
                                            const struct store_caller *who, const char *number,
                                            bool blocked, const char *reason,
                                            int64_t *client_id);
struct store_outcome store_card_replace(struct db *db, struct arena *a,
                                        const struct store_caller *who, const char *number,
                                        const char *new_number, int64_t *client_id);

#endif
