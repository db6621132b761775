#include "http/metrics.h"

#include <sys/mman.h>

static const double metrics_bounds_ms[METRICS_BUCKETS] = {0.5, 1, 2, 5, 10, 25, 50, 100, 500, 2000};

struct metrics *metrics_create(void)
{
    void *p = mmap(NULL, sizeof(struct metrics), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void metrics_add(uint64_t *counter, uint64_t n)
{
    __atomic_add_fetch(counter, n, __ATOMIC_RELAXED);
}

void metrics_count_request(struct metrics *m, int route_index, int status, uint64_t micros)
{
    if (!m)
        return;
    if (route_index < 0 || route_index >= METRICS_MAX_ROUTES)
        route_index = METRICS_MAX_ROUTES;
    struct metrics_route *r = &m->routes[route_index];
    int cls = status >= 500 ? METRICS_5XX : status >= 400 ? METRICS_4XX
            : status >= 300 ? METRICS_3XX : METRICS_2XX;
    metrics_add(&r->requests[cls], 1);
    metrics_add(&r->micros_sum, micros);
    for (int i = 0; i < METRICS_BUCKETS; i++)
        if ((double)micros <= metrics_bounds_ms[i] * 1000.0) {
            metrics_add(&r->buckets[i], 1);
            break;
        }
}

static uint64_t metrics_get(const uint64_t *c)
{
    return __atomic_load_n(c, __ATOMIC_RELAXED);
}

void metrics_render(const struct metrics *m, const char *const *route_names, size_t nroutes,
                    struct buf *out)
{
    static const char *const classes[] = {"2xx", "3xx", "4xx", "5xx"};
    buf_adds(out, "# HELP loyalty_requests_total API requests by route and status class.\n"
                  "# TYPE loyalty_requests_total counter\n");
    for (size_t i = 0; i <= nroutes && i <= METRICS_MAX_ROUTES; i++) {
        const char *name = i < nroutes ? route_names[i] : "unmatched";
        size_t slot = i < nroutes ? i : METRICS_MAX_ROUTES;
        for (int c = 0; c < METRICS_NCLASSES; c++) {
            uint64_t v = metrics_get(&m->routes[slot].requests[c]);
            if (v)
                buf_printf(out, "loyalty_requests_total{route=\"%s\",status=\"%s\"} %llu\n", name,
                           classes[c], (unsigned long long)v);
        }
    }
    buf_adds(out, "# HELP loyalty_request_duration_seconds Latency by route.\n"
                  "# TYPE loyalty_request_duration_seconds histogram\n");
    for (size_t i = 0; i <= nroutes && i <= METRICS_MAX_ROUTES; i++) {
        const char *name = i < nroutes ? route_names[i] : "unmatched";
        const struct metrics_route *r = &m->routes[i < nroutes ? i : METRICS_MAX_ROUTES];
        uint64_t total = 0, cum = 0;
        for (int c = 0; c < METRICS_NCLASSES; c++)
            total += metrics_get(&r->requests[c]);
        if (!total)
            continue;
        for (int b = 0; b < METRICS_BUCKETS; b++) {
            cum += metrics_get(&r->buckets[b]);
            buf_printf(out, "loyalty_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                       name, metrics_bounds_ms[b] / 1000.0, (unsigned long long)cum);
        }
        buf_printf(out, "loyalty_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
                   name, (unsigned long long)total);
        buf_printf(out, "loyalty_request_duration_seconds_sum{route=\"%s\"} %.6f\n", name,
                   (double)metrics_get(&r->micros_sum) / 1e6);
        buf_printf(out, "loyalty_request_duration_seconds_count{route=\"%s\"} %llu\n", name,
                   (unsigned long long)total);
    }
    buf_printf(out,
               "# TYPE loyalty_cache_hits_total counter\nloyalty_cache_hits_total %llu\n"
               "# TYPE loyalty_cache_misses_total counter\nloyalty_cache_misses_total %llu\n"
               "# TYPE loyalty_cache_unavailable_total counter\nloyalty_cache_unavailable_total %llu\n"
               "# TYPE loyalty_db_unavailable_total counter\nloyalty_db_unavailable_total %llu\n"
               "# TYPE loyalty_workers_started_total counter\nloyalty_workers_started_total %llu\n"
               "# TYPE loyalty_exchange_log_dropped_total counter\n"
               "loyalty_exchange_log_dropped_total %llu\n",
               (unsigned long long)metrics_get(&m->cache_hits),
               (unsigned long long)metrics_get(&m->cache_misses),
               (unsigned long long)metrics_get(&m->cache_down),
               (unsigned long long)metrics_get(&m->db_unavailable),
               (unsigned long long)metrics_get(&m->workers_started),
               (unsigned long long)metrics_get(&m->exchange_log_dropped));
}
