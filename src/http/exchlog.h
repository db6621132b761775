/* exchlog: the exchange log, one row per API call, written in batches by a thread of its
 * own so the request path never waits for it. */
#ifndef LOYALTY_EXCHLOG_H
#define LOYALTY_EXCHLOG_H

#include <stdint.h>

struct metrics;

/* One call. */
struct exchlog_entry {
    int64_t at_us;            /* start time, microseconds since the epoch */
    int64_t api_client_id;    /* caller, 0 when unauthenticated */
    char method[8];           /* HTTP method */
    char route[48];           /* route name, "unmatched" when none */
    char path[256];           /* request path (truncated) */
    int status;               /* response status */
    int duration_us;          /* time spent in the worker */
    char request_id[136];      /* X-Request-Id */
    char remote_addr[48];     /* peer */
    char format[8];           /* json | xml */
};

/* Start the writer thread of this process. */
void exchlog_start(const char *conninfo, int flush_ms, struct metrics *m);
/* Queue an entry (dropped and counted when the queue is full). */
void exchlog_push(const struct exchlog_entry *e);
/* Write what is queued and stop the thread. */
void exchlog_stop(void);

#endif
