/* auth.c: credentials are checked against api_clients; rows are cached in the process for
 * a few seconds so the hot path does not read them on every call. */
#include "http/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http/scope.h"
#include "store/notify.h"
#include "util/log.h"

#define AUTH_CACHE_SLOTS 64
#define AUTH_CACHE_TTL 5 /* seconds: a revoked key stops working within this time */

/* A cached api_clients row. */
struct auth_entry {
    char lookup[80];              /* key_id, or "cert:" + fingerprint */
    struct http_client client;    /* the API client */
    unsigned char salt[16];       /* secret salt */
    unsigned char hash[32];       /* SHA-256(salt || secret) */
    bool active;                  /* may call */
    time_t loaded;                /* when it was read */
    uint64_t generation;          /* configuration generation it was read in */
};

static pthread_mutex_t auth_lock = PTHREAD_MUTEX_INITIALIZER;
static struct auth_entry auth_cache[AUTH_CACHE_SLOTS];

void auth_hash_secret(const unsigned char *salt, size_t saltlen, const char *secret,
                      unsigned char out[32])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int n = 32;
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    EVP_DigestUpdate(ctx, salt, saltlen);
    EVP_DigestUpdate(ctx, secret, strlen(secret));
    EVP_DigestFinal_ex(ctx, out, &n);
    EVP_MD_CTX_free(ctx);
}

bool auth_random_hex(size_t nbytes, char *out)
{
    unsigned char raw[64];
    if (nbytes > sizeof(raw) || RAND_bytes(raw, (int)nbytes) != 1)
        return false;
    for (size_t i = 0; i < nbytes; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    return true;
}

bool auth_cert_fingerprint(const char *pem, char out[65])
{
    bool ok = false;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    BIO *bio = BIO_new_mem_buf(pem, -1);
    X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    if (!cert || X509_digest(cert, EVP_sha256(), md, &n) != 1 || n != 32)
        goto out;
    for (unsigned i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    ok = true;
out:
    X509_free(cert);
    BIO_free(bio);
    return ok;
}

/* "\x0a1b…" (bytea hex output) → bytes */
static bool auth_unhex(const char *s, unsigned char *out, size_t n)
{
    if (strncmp(s, "\\x", 2) != 0 || strlen(s + 2) != 2 * n)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(s + 2 + 2 * i, "%2x", &v) != 1)
            return false;
        out[i] = (unsigned char)v;
    }
    return true;
}

/* Read one api_clients row by key id or fingerprint into e. */
static enum auth_status auth_load(struct http_req *r, bool by_cert, const char *value,
                                  struct auth_entry *e)
{
    PGresult *res = NULL;
    const char *params[1] = {value};
    enum db_status st = db_exec(&r->t->db, by_cert ? STMT_API_CLIENT_BY_CERT : STMT_API_CLIENT_BY_KEY,
                                1, params, &res, NULL, 0);
    if (st != DB_OK)
        return AUTH_UNAVAILABLE;
    enum auth_status as = AUTH_DENIED;
    if (PQntuples(res) != 1)
        goto out;
    /* id, name, salt, hash, scopes, format, active */
    e->client.id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    snprintf(e->client.name, sizeof(e->client.name), "%s", PQgetvalue(res, 0, 1));
    if (!auth_unhex(PQgetvalue(res, 0, 2), e->salt, sizeof(e->salt)) ||
        !auth_unhex(PQgetvalue(res, 0, 3), e->hash, sizeof(e->hash)) ||
        !scope_parse(PQgetvalue(res, 0, 4), &e->client.scopes)) {
        log_error("api client %s has a malformed row", e->client.name);
        goto out;
    }
    e->client.format = strcmp(PQgetvalue(res, 0, 5), "xml") == 0 ? MSG_XML : MSG_JSON;
    e->active = PQgetvalue(res, 0, 6)[0] == 't';
    e->loaded = time(NULL);
    as = AUTH_OK;
out:
    PQclear(res);
    return as;
}

/* Find or load the row for `lookup`. */
static enum auth_status auth_find(struct http_req *r, const char *lookup, bool by_cert,
                                  const char *value, struct auth_entry *out)
{
    time_t now = time(NULL);
    unsigned slot = 0;
    for (const char *p = lookup; *p; p++)
        slot = slot * 31 + (unsigned char)*p;
    slot %= AUTH_CACHE_SLOTS;

    uint64_t gen = notify_generation();
    pthread_mutex_lock(&auth_lock);
    /* a change of any API client notifies every process; without the listener, a TTL */
    bool hit = strcmp(auth_cache[slot].lookup, lookup) == 0 &&
               (gen ? auth_cache[slot].generation == gen
                    : now - auth_cache[slot].loaded < AUTH_CACHE_TTL);
    if (hit)
        *out = auth_cache[slot];
    pthread_mutex_unlock(&auth_lock);
    if (hit)
        return AUTH_OK;

    enum auth_status st = auth_load(r, by_cert, value, out);
    if (st != AUTH_OK)
        return st;
    out->generation = gen;
    snprintf(out->lookup, sizeof(out->lookup), "%s", lookup);
    pthread_mutex_lock(&auth_lock);
    auth_cache[slot] = *out;
    pthread_mutex_unlock(&auth_lock);
    return AUTH_OK;
}

/* Split "key_id.secret" (Bearer) or "key_id:secret" (Basic) at sep. */
static enum auth_status auth_check_key(struct http_req *r, char *cred, char sep)
{
    char *s = strchr(cred, sep);
    struct auth_entry e;
    unsigned char hash[32];
    if (!s || s == cred || strlen(cred) > 200)
        return AUTH_DENIED;
    *s++ = '\0';
    if (strlen(cred) > 40 || !*s)
        return AUTH_DENIED;
    enum auth_status st = auth_find(r, cred, false, cred, &e);
    if (st != AUTH_OK)
        return st;
    auth_hash_secret(e.salt, sizeof(e.salt), s, hash);
    if (CRYPTO_memcmp(hash, e.hash, sizeof(hash)) != 0 || !e.active)
        return AUTH_DENIED;
    r->client = e.client;
    return AUTH_OK;
}

static enum auth_status auth_check_cert(struct http_req *r)
{
    char fp[65], lookup[80];
    const char *pem;
    struct auth_entry e;
    if (!router_unescape(r->client_cert, strlen(r->client_cert), r->arena, &pem) ||
        !auth_cert_fingerprint(pem, fp))
        return AUTH_DENIED;
    snprintf(lookup, sizeof(lookup), "cert:%s", fp);
    enum auth_status st = auth_find(r, lookup, true, fp, &e);
    if (st != AUTH_OK)
        return st;
    if (!e.active)
        return AUTH_DENIED;
    r->client = e.client;
    return AUTH_OK;
}

enum auth_status auth_authenticate(struct http_req *r)
{
    const char *h = r->authorization;
    if (strncasecmp(h, "Bearer ", 7) == 0) {
        char *cred = arena_strdup(r->arena, h + 7);
        return auth_check_key(r, cred, '.');
    }
    if (strncasecmp(h, "Basic ", 6) == 0) {
        const char *b64 = h + 6;
        size_t n = strlen(b64);
        if (n == 0 || n > 400 || n % 4)
            return AUTH_DENIED;
        unsigned char *raw = arena_alloc(r->arena, n);
        int len = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)n);
        if (len < 0)
            return AUTH_DENIED;
        while (len > 0 && b64[n - 1] == '=' && raw[len - 1] == '\0') { /* padding bytes */
            len--;
            n--;
        }
        char *cred = arena_strndup(r->arena, (const char *)raw, (size_t)len);
        if (strlen(cred) != (size_t)len)
            return AUTH_DENIED;
        return auth_check_key(r, cred, ':');
    }
    if (*h)
        return AUTH_DENIED;
    if (*r->client_cert)
        return auth_check_cert(r);
    return AUTH_DENIED;
}
