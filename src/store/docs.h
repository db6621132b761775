/* docs: reading the card and client documents of the API from PostgreSQL. */
#ifndef LOYALTY_DOCS_H
#define LOYALTY_DOCS_H

#include <stddef.h>
#include <stdint.h>

#include "api/messages.h"
#include "store/db.h"

/* *out is NULL when the card is unknown; *source receives the owner's source API client. */
enum db_status docs_card_load(struct db *db, struct arena *a, const char *number,
                              struct msg_card **out, int64_t *source);
/* The documents of many cards in one statement: out[i] and sources[i] for numbers[i], out[i]
 * NULL when that card is unknown. */
enum db_status docs_card_load_many(struct db *db, struct arena *a, const char *const *numbers,
                                   size_t n, struct msg_card **out, int64_t *sources);
/* A keyset page of every card number in order: at most limit numbers after `after` ("" =
 * from the first). */
enum db_status docs_card_numbers_after(struct db *db, struct arena *a, const char *after,
                                       size_t limit, const char ***numbers, size_t *n);
/* *out is NULL when the client is unknown. */
enum db_status docs_client_load(struct db *db, struct arena *a, int64_t id,
                                struct msg_client **out, int64_t *source);
/* JSON object text of a string map ("{}" for NULL). */
char *docs_kv_to_json(struct arena *a, const struct msg_kv *kv);
/* Parse a JSON object of scalars into a string map. */
struct msg_kv *docs_kv_from_json(struct arena *a, const char *json);
/* The numbers of a client's cards (for cache invalidation). */
enum db_status docs_client_card_numbers(struct db *db, struct arena *a, int64_t id,
                                        const char ***numbers, size_t *n);

#endif
