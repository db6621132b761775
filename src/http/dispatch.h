/* dispatch: one FastCGI request from parameters to response: route, authenticate,
 * read the body, run the handler, write the answer, count and log it. */
#ifndef LOYALTY_DISPATCH_H
#define LOYALTY_DISPATCH_H

#include <fcgiapp.h>

#include "http/request.h"

struct metrics;

/* The API served by a process: its route table and shared counters. */
struct dispatch_api {
    const struct route *routes;  /* the route table */
    size_t nroutes;              /* its length */
    struct metrics *metrics;     /* shared counters (may be NULL) */
};

void dispatch_request(struct http_thread *t, const struct dispatch_api *api, FCGX_Request *fr);

/* The API being served (set once at process start, read by /metrics). */
extern const struct dispatch_api *dispatch_current;

#endif
