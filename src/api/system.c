/* system.c: health, metrics and the XSDs. */
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "api/messages.h"
#include "http/auth.h"
#include "http/dispatch.h"
#include "http/metrics.h"
#include "http/scope.h"
#include "store/cache.h"

void api_health(struct http_req *r)
{
    struct msg_health h;
    bool pg = db_ping(&r->t->db);
    bool redis = cache_ping(r->t->cache);
    h.postgres = pg ? "ok" : "down";
    h.redis = redis ? "ok" : "down";
    h.status = !pg ? "down" : redis ? "ok" : "degraded";
    h.version = PACKAGE_VERSION;
    http_reply(r, pg ? 200 : 503, &msg_health_desc, &h);
}

static bool api_is_loopback(const char *addr)
{
    return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 || *addr == '\0';
}

void api_metrics(struct http_req *r)
{
    const struct dispatch_api *api = dispatch_current;
    if (!api_is_loopback(r->remote_addr)) {
        enum auth_status as = auth_authenticate(r);
        if (as != AUTH_OK) {
            http_error(r, 401, "unauthorized", NULL, "missing or invalid credentials");
            return;
        }
        if (!(r->client.scopes & (SCOPE_ADMIN | SCOPE_ANALYTICS | SCOPE_ERP))) {
            http_error(r, 403, "forbidden", NULL, "the API client may not read metrics");
            return;
        }
    }
    const char *names[METRICS_MAX_ROUTES];
    size_t n = api && api->nroutes < METRICS_MAX_ROUTES ? api->nroutes : METRICS_MAX_ROUTES;
    for (size_t i = 0; i < n; i++)
        names[i] = api->routes[i].name;
    buf_reset(&r->t->out);
    if (api && api->metrics)
        metrics_render(api->metrics, names, n, &r->t->out);
    r->status = 200;
    r->out_type = "text/plain; version=0.0.4; charset=utf-8";
}

void api_schema(struct http_req *r)
{
    const char *file = http_param(r, 0);
    size_t len = strlen(file);
    if (len < 5 || strcmp(file + len - 4, ".xsd") != 0) {
        http_error(r, 404, "not_found", NULL, "schemas are served as {name}.xsd");
        return;
    }
    for (size_t i = 0; i < msg_nschemas; i++) {
        if (strlen(msg_schemas[i].name) != len - 4 ||
            strncmp(msg_schemas[i].name, file, len - 4) != 0)
            continue;
        buf_reset(&r->t->out);
        if (msg_schemas[i].desc)
            codec_xsd(&r->t->out, msg_schemas[i].desc);
        else
            codec_xsd_list(&r->t->out);
        r->status = 200;
        r->out_type = "application/xml; charset=utf-8";
        return;
    }
    http_error(r, 404, "not_found", NULL, "no schema named %.*s", (int)(len - 4), file);
}
