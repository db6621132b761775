/* common: what every resource handler needs: the caller, ids from the path, answering
 * with a store outcome, reading documents back, dropping cached cards. */
#ifndef LOYALTY_API_COMMON_H
#define LOYALTY_API_COMMON_H

#include <stdbool.h>
#include <stdint.h>

#include "api/messages.h"
#include "http/request.h"
#include "store/clients.h"

/* The caller as the store sees it (partners are limited to their own clients). */
void api_caller(struct http_req *r, struct store_caller *who);
/* Parse path segment i as a positive id; answers 404 with `code` and returns false if not. */
bool api_path_id(struct http_req *r, size_t i, const char *code, int64_t *id);
/* Answer a refusal or a database failure; true when the outcome was a success. */
bool api_outcome_ok(struct http_req *r, const struct store_outcome *o);
/* Answer with the card document of `number` (read from the database). */
void api_reply_card(struct http_req *r, int status, const char *number);
/* The card document in both formats, as the card cache keeps it (appended to json and xml);
 * GET /cards/{number} and `loyaltyctl cache warm` store the same bytes. */
void api_card_encode(const struct msg_card *card, struct buf *json, struct buf *xml);
/* Answer with the client document. */
void api_reply_client(struct http_req *r, int status, int64_t client_id);
/* After COMMIT: drop the cached documents of the cards the change touched. */
void api_invalidate(struct http_req *r, const struct store_outcome *o);
/* Validate a card number from the path or a body. */
bool api_card_number_ok(struct http_req *r, const char *number, const char *field);
/* Hex SHA-256 of a decoded request re-encoded canonically (JSON by its descriptor): equal for
 * equal content in either format and any number spelling — the idempotency fingerprint. */
const char *api_request_hash(struct http_req *r, const struct msg_desc *d, const void *msg);
/* The business default country for phones. */
const char *api_default_country(struct http_req *r);

#endif
