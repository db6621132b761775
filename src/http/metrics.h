/* metrics: counters shared by all worker processes (one anonymous shared mapping made by
 * the master before it forks), rendered in the Prometheus text format at /metrics. */
#ifndef LOYALTY_METRICS_H
#define LOYALTY_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define METRICS_MAX_ROUTES 96
#define METRICS_BUCKETS 10

/* Status classes counted per route. */
enum metrics_class { METRICS_2XX, METRICS_3XX, METRICS_4XX, METRICS_5XX, METRICS_NCLASSES };

/* Counters of one route. */
struct metrics_route {
    uint64_t requests[METRICS_NCLASSES];   /* by status class */
    uint64_t buckets[METRICS_BUCKETS];     /* latency histogram (cumulative on output) */
    uint64_t micros_sum;                   /* total latency in microseconds */
};

/* The shared block. */
struct metrics {
    struct metrics_route routes[METRICS_MAX_ROUTES + 1]; /* the last slot: unmatched paths */
    uint64_t cache_hits;          /* card documents served from Redis */
    uint64_t cache_misses;        /* card documents read from PostgreSQL */
    uint64_t cache_down;          /* lookups while Redis was unreachable */
    uint64_t db_unavailable;      /* requests answered 503 for PostgreSQL */
    uint64_t workers_started;     /* worker processes started by the master */
    uint64_t exchange_log_dropped;/* exchange log rows lost (queue full or database down) */
};

/* Map the block (master, before fork). NULL on failure. */
struct metrics *metrics_create(void);
void metrics_count_request(struct metrics *m, int route_index, int status, uint64_t micros);
void metrics_add(uint64_t *counter, uint64_t n);
/* Prometheus text; route names from the route table. */
void metrics_render(const struct metrics *m, const char *const *route_names, size_t nroutes,
                    struct buf *out);

#endif
