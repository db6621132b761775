#include "http/dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/auth.h"
#include "http/exchlog.h"
#include "http/metrics.h"
#include "http/scope.h"

#define DISPATCH_BODY_LIMIT (1L << 20)
#define DISPATCH_BULK_LIMIT (64L << 20)

const struct dispatch_api *dispatch_current;

static const char *dispatch_param(FCGX_Request *fr, const char *name)
{
    const char *v = FCGX_GetParam(name, fr->envp);
    return v ? v : "";
}

static int64_t dispatch_now_us(int clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A request id is echoed when it is sane, otherwise made anew. */
static const char *dispatch_request_id(FCGX_Request *fr, struct arena *a)
{
    const char *id = dispatch_param(fr, "REQUEST_ID");
    if (!*id)
        id = dispatch_param(fr, "HTTP_X_REQUEST_ID");
    size_t n = strlen(id);
    bool sane = n > 0 && n <= 128; /* the same rule as nginx's map in nginx.conf.in */
    for (size_t i = 0; i < n && sane; i++)
        sane = (id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'z') ||
               (id[i] >= 'A' && id[i] <= 'Z') || strchr("-_.:@", id[i]);
    if (sane)
        return id;
    char *fresh = arena_alloc(a, 33);
    if (!auth_random_hex(16, fresh))
        snprintf(fresh, 33, "%016llx", (unsigned long long)dispatch_now_us(CLOCK_REALTIME));
    return fresh;
}

/* Read the body; false (with the error answered) when it is too large or cut short. */
static bool dispatch_read_body(struct http_req *r, FCGX_Request *fr)
{
    const char *cl = dispatch_param(fr, "CONTENT_LENGTH");
    long limit = r->match.route->bulk ? DISPATCH_BULK_LIMIT : DISPATCH_BODY_LIMIT;
    char *end;
    long len = *cl ? strtol(cl, &end, 10) : 0;
    if (*cl && (*end || len < 0)) {
        http_error(r, 400, "malformed_body", NULL, "bad Content-Length");
        return false;
    }
    if (len > limit) {
        http_error(r, 413, "payload_too_large", NULL, "the body is larger than %ld bytes", limit);
        return false;
    }
    if (len == 0)
        return true;
    char *body = arena_alloc(r->arena, (size_t)len + 1);
    int got = FCGX_GetStr(body, (int)len, fr->in);
    if (got != len) {
        http_error(r, 400, "malformed_body", NULL, "the body ended early");
        return false;
    }
    r->body = body;
    r->body_len = (size_t)len;
    return true;
}

/* Route, authenticate, authorise, read, run. */
static void dispatch_run(struct http_req *r, const struct dispatch_api *api, FCGX_Request *fr)
{
    const struct route *rt;
    router_match(api->routes, api->nroutes, r->method, r->path, r->arena, &r->match);
    rt = r->match.route;
    if (!rt) {
        if (r->match.path_known)
            http_error(r, 405, "method_not_allowed", NULL, "%s is not allowed on %s", r->method,
                       r->path);
        else
            http_error(r, 404, "not_found", NULL, "no such path: %s", r->path);
        return;
    }
    if (rt->scopes) {
        enum auth_status as = auth_authenticate(r);
        if (as == AUTH_UNAVAILABLE) {
            http_db_error(r, DB_UNAVAILABLE);
            return;
        }
        if (as != AUTH_OK) {
            http_error(r, 401, "unauthorized", NULL, "missing or invalid credentials");
            return;
        }
        http_choose_format(r); /* the client's default format applies from here on */
        if (!(r->client.scopes & (rt->scopes | SCOPE_ADMIN))) {
            http_error(r, 403, "forbidden", NULL, "the API client may not call %s", rt->name);
            return;
        }
    }
    if (!dispatch_read_body(r, fr))
        return;
    rt->handler(r);
}

static void dispatch_write(struct http_req *r, FCGX_Request *fr)
{
    struct buf *out = &r->t->out;
    const char *type = r->out_type ? r->out_type : http_format_type(r->out_fmt);
    char head[1024];
    int n;
    /* formatted here: libfcgi's own printf does not know every conversion (%zu) */
    n = snprintf(head, sizeof(head), "Status: %d %s\r\nX-Request-Id: %s\r\nCache-Control: no-store\r\n",
                 r->status, http_status_text(r->status), r->request_id);
    if (r->status != 204)
        n += snprintf(head + n, sizeof(head) - (size_t)n, "Content-Type: %s\r\nContent-Length: %zu\r\n",
                      type, out->len);
    if (r->cache_state)
        n += snprintf(head + n, sizeof(head) - (size_t)n, "X-Cache: %s\r\n", r->cache_state);
    if (r->retry_after)
        n += snprintf(head + n, sizeof(head) - (size_t)n, "Retry-After: %s\r\n", r->retry_after);
    snprintf(head + n, sizeof(head) - (size_t)n, "\r\n");
    FCGX_PutS(head, fr->out);
    if (r->status != 204 && out->len)
        FCGX_PutStr(out->data, (int)out->len, fr->out);
}

void dispatch_request(struct http_thread *t, const struct dispatch_api *api, FCGX_Request *fr)
{
    int64_t t0 = dispatch_now_us(CLOCK_MONOTONIC);
    int64_t at = dispatch_now_us(CLOCK_REALTIME);
    struct http_req r;

    memset(&r, 0, sizeof(r));
    arena_reset(&t->arena);
    buf_reset(&t->out);
    r.t = t;
    r.arena = &t->arena;
    r.envp = fr->envp;
    r.method = dispatch_param(fr, "REQUEST_METHOD");
    r.path = dispatch_param(fr, "DOCUMENT_URI");
    if (!*r.path)
        r.path = dispatch_param(fr, "SCRIPT_NAME");
    r.query = dispatch_param(fr, "QUERY_STRING");
    r.content_type = dispatch_param(fr, "CONTENT_TYPE");
    r.accept = dispatch_param(fr, "HTTP_ACCEPT");
    r.authorization = dispatch_param(fr, "HTTP_AUTHORIZATION");
    r.client_cert = dispatch_param(fr, "SSL_CLIENT_CERT");
    r.remote_addr = dispatch_param(fr, "REMOTE_ADDR");
    r.request_id = dispatch_request_id(fr, r.arena);
    r.status = 500;
    http_choose_format(&r);

    dispatch_run(&r, api, fr);
    dispatch_write(&r, fr);

    int64_t micros = dispatch_now_us(CLOCK_MONOTONIC) - t0;
    int route_index = r.match.route ? (int)(r.match.route - api->routes) : -1;
    metrics_count_request(api->metrics, route_index, r.status, (uint64_t)micros);
    if (r.status == 503 && api->metrics)
        metrics_add(&api->metrics->db_unavailable, 1);

    struct exchlog_entry e;
    memset(&e, 0, sizeof(e));
    e.at_us = at;
    e.api_client_id = r.client.id;
    snprintf(e.method, sizeof(e.method), "%s", r.method);
    snprintf(e.route, sizeof(e.route), "%s", r.match.route ? r.match.route->name : "unmatched");
    snprintf(e.path, sizeof(e.path), "%s", r.path);
    e.status = r.status;
    e.duration_us = (int)micros;
    snprintf(e.request_id, sizeof(e.request_id), "%s", r.request_id);
    snprintf(e.remote_addr, sizeof(e.remote_addr), "%s", r.remote_addr);
    snprintf(e.format, sizeof(e.format), "%s", r.out_fmt == MSG_XML ? "xml" : "json");
    exchlog_push(&e);
}
