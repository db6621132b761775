/* auth: API keys (Bearer, Basic) and client certificates → the calling API client. */
#ifndef LOYALTY_AUTH_H
#define LOYALTY_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "http/request.h"

/* Outcome of authentication. */
enum auth_status {
    AUTH_OK,           /* r->client is filled */
    AUTH_DENIED,       /* no or bad credentials: 401 */
    AUTH_UNAVAILABLE,  /* the key store could not be read: 503 */
};

enum auth_status auth_authenticate(struct http_req *r);

/* Hash a secret with its salt: SHA-256(salt || secret), 32 bytes. */
void auth_hash_secret(const unsigned char *salt, size_t saltlen, const char *secret,
                      unsigned char out[32]);
/* SHA-256 fingerprint (lowercase hex, 64 chars + NUL) of a PEM certificate. */
bool auth_cert_fingerprint(const char *pem, char out[65]);
/* Random bytes as lowercase hex (2n chars + NUL); false when the RNG fails. */
bool auth_random_hex(size_t nbytes, char *out);

#endif
