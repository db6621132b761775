/* router: the table of routes and matching a method and path against it. */
#ifndef LOYALTY_ROUTER_H
#define LOYALTY_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "codec/msg.h"

struct http_req;

#define ROUTER_MAX_PARAMS 4

/* What the handler of a route does with a request. */
typedef void (*route_handler)(struct http_req *r);

/* One route. The whole API is one array of these (api/routes.c). */
struct route {
    const char *method;            /* GET, POST, PUT, PATCH, DELETE */
    const char *pattern;           /* "/api/v1/cards/{number}/block"; {x} matches one segment */
    const char *name;              /* short name for logs and metrics, "cards.block" */
    unsigned scopes;               /* scopes allowed besides admin; 0 = public (no auth) */
    route_handler handler;         /* the operation */
    const struct msg_desc *body;   /* request message, NULL when the route takes no body */
    bool bulk;                     /* 64 MiB body limit instead of 1 MiB */
};

/* Result of matching a request. */
struct route_match {
    const struct route *route;                /* the route, NULL when none */
    const char *params[ROUTER_MAX_PARAMS];    /* captured segments (decoded, in the arena) */
    size_t nparams;                           /* number of captured segments */
    bool path_known;                          /* the path exists with another method (405) */
};

/* Find the route; captured segments are percent-decoded into the arena. */
void router_match(const struct route *routes, size_t n, const char *method, const char *path,
                  struct arena *a, struct route_match *m);
/* Percent-decode one segment; false on a bad escape or a NUL. */
bool router_unescape(const char *s, size_t len, struct arena *a, const char **out);

#endif
