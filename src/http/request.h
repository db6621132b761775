/* request: one API call on its way through a worker thread, and the ways to answer it. */
#ifndef LOYALTY_REQUEST_H
#define LOYALTY_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/msg.h"
#include "http/router.h"
#include "store/db.h"
#include "util/arena.h"
#include "util/buf.h"

struct cache;
struct config;

/* The authenticated caller. */
struct http_client {
    int64_t id;                   /* api_clients.id, 0 when unauthenticated */
    char name[128];               /* api_clients.name */
    unsigned scopes;              /* scope bits */
    enum msg_format format;       /* default response format */
};

/* Per-thread resources that requests borrow. */
struct http_thread {
    struct db db;                 /* this thread's PostgreSQL connection */
    struct cache *cache;          /* this thread's Redis connection */
    const struct config *cfg;     /* process settings */
    struct arena arena;           /* per-request memory, reset after each request */
    struct buf out;               /* response body */
};

/* One request. */
struct http_req {
    struct http_thread *t;        /* thread resources (db, cache) */
    struct arena *arena;          /* per-request memory */
    const char *method;           /* GET, POST, … */
    const char *path;             /* path without the query */
    const char *query;            /* raw query string, "" when none */
    const char *content_type;     /* request body type, "" when none */
    const char *accept;           /* Accept header, "" when none */
    const char *authorization;    /* Authorization header, "" when none */
    const char *client_cert;      /* URL-escaped PEM of a TLS client certificate, "" when none */
    const char *request_id;       /* echoed or generated request id */
    const char *remote_addr;      /* peer address as nginx saw it */
    const char *body;             /* request body (arena), NULL when none */
    size_t body_len;              /* its length */
    struct route_match match;     /* the route and captured path segments */
    struct http_client client;    /* who calls */
    enum msg_format out_fmt;      /* response format */
    bool out_fmt_fixed;           /* Accept named a format */
    int status;                   /* response status */
    const char *out_type;         /* response Content-Type override (e.g. XSD, metrics) */
    const char *cache_state;      /* "hit" / "miss" for X-Cache, NULL when not cached */
    const char *retry_after;      /* Retry-After value, NULL when none */
    char **envp;                  /* all FastCGI parameters (for other headers) */
};

/* Answer with a resource (encoded in the response format). */
void http_reply(struct http_req *r, int status, const struct msg_desc *d, const void *obj);
/* Answer with a list document. */
void http_reply_list(struct http_req *r, const struct msg_desc *d, const void *items, size_t n,
                     const char *next_cursor);
/* Answer with bytes as they are. */
void http_reply_raw(struct http_req *r, int status, const char *type, const char *body,
                    size_t len);
/* Answer with an error document. */
void http_error(struct http_req *r, int status, const char *code, const char *field,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Answer for a failed storage call: 503 unavailable, or 500 internal. */
void http_db_error(struct http_req *r, enum db_status st);
/* Decode the body into out (d->size bytes); on failure an error is answered and false
 * returned. An empty body is an empty message. */
bool http_decode(struct http_req *r, const struct msg_desc *d, void *out);
/* A decoded query parameter, or NULL. */
const char *http_query(struct http_req *r, const char *name);
/* A FastCGI parameter such as "HTTP_IDEMPOTENCY_KEY", or NULL. */
const char *http_header(struct http_req *r, const char *param);
/* Path segment i captured by the route pattern. */
const char *http_param(struct http_req *r, size_t i);
/* Choose the response format from Accept and the client's default. */
void http_choose_format(struct http_req *r);
/* The Content-Type for the response format. */
const char *http_format_type(enum msg_format f);
/* Reason phrase of a status */
const char *http_status_text(int status);

#endif
