#include "http/exchlog.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/metrics.h"
#include "util/buf.h"
#include "util/log.h"

#define EXCHLOG_QUEUE 8192

/* The queue between request threads and the writer. */
static struct {
    pthread_mutex_t lock;            /* guards everything below */
    pthread_cond_t wake;             /* signalled on stop and when half full */
    struct exchlog_entry *ring;      /* EXCHLOG_QUEUE entries */
    size_t head, count;              /* oldest entry and number queued */
    bool stop;                       /* stop requested */
    bool running;                    /* the thread exists */
    pthread_t thread;                /* the writer */
    char conninfo[512];              /* where to write */
    int flush_ms;                    /* batch interval */
    struct metrics *metrics;         /* dropped-row counter */
} exchlog = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

/* COPY text format: escape backslash, tab, newline, carriage return. */
static void exchlog_field(struct buf *b, const char *s, bool last)
{
    for (; *s; s++) {
        switch (*s) {
        case '\\': buf_adds(b, "\\\\"); break;
        case '\t': buf_adds(b, "\\t"); break;
        case '\n': buf_adds(b, "\\n"); break;
        case '\r': buf_adds(b, "\\r"); break;
        default: buf_addc(b, *s);
        }
    }
    buf_addc(b, last ? '\n' : '\t');
}

static bool exchlog_write(PGconn **conn, struct exchlog_entry *batch, size_t n)
{
    struct buf b;
    bool ok = false;
    PGresult *r = NULL;

    buf_init(&b);
    if (!*conn || PQstatus(*conn) != CONNECTION_OK) {
        if (*conn)
            PQfinish(*conn);
        *conn = PQconnectdb(exchlog.conninfo);
        if (PQstatus(*conn) != CONNECTION_OK)
            goto out;
        /* log rows are not money: a batch need not wait for its WAL flush (a crash of the
         * database may lose the last fraction of a second of the log, never a balance) */
        r = PQexec(*conn, "SET synchronous_commit = off");
        PQclear(r);
        r = NULL;
    }
    for (size_t i = 0; i < n; i++) {
        struct exchlog_entry *e = &batch[i];
        char at[48], num[32];
        time_t secs = (time_t)(e->at_us / 1000000);
        struct tm tm;
        gmtime_r(&secs, &tm);
        strftime(at, sizeof(at), "%Y-%m-%d %H:%M:%S", &tm);
        buf_printf(&b, "%s.%06lld+00\t", at, (long long)(e->at_us % 1000000));
        if (e->api_client_id)
            snprintf(num, sizeof(num), "%lld", (long long)e->api_client_id);
        else
            snprintf(num, sizeof(num), "\\N");
        buf_adds(&b, num);
        buf_addc(&b, '\t');
        exchlog_field(&b, e->method, false);
        exchlog_field(&b, e->route, false);
        exchlog_field(&b, e->path, false);
        buf_printf(&b, "%d\t%d\t", e->status, e->duration_us);
        exchlog_field(&b, e->request_id, false);
        exchlog_field(&b, e->remote_addr, false);
        exchlog_field(&b, e->format, true);
    }
    r = PQexec(*conn, "COPY exchange_log (at, api_client_id, method, route, path, status, "
                      "duration_us, request_id, remote_addr, format) FROM STDIN");
    if (PQresultStatus(r) != PGRES_COPY_IN)
        goto out;
    PQclear(r);
    r = NULL;
    if (PQputCopyData(*conn, b.data, (int)b.len) != 1 || PQputCopyEnd(*conn, NULL) != 1)
        goto out;
    r = PQgetResult(*conn);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        log_warn("exchange log: %s", PQresultErrorMessage(r));
    PQclear(r);
    /* drain whatever else the connection has to say */
    while ((r = PQgetResult(*conn)) != NULL)
        PQclear(r);
out:
    PQclear(r);
    buf_free(&b);
    return ok;
}

static void *exchlog_main(void *arg)
{
    (void)arg;
    PGconn *conn = NULL;
    struct exchlog_entry *batch = malloc(sizeof(*batch) * EXCHLOG_QUEUE);
    if (!batch)
        abort();
    pthread_mutex_lock(&exchlog.lock);
    for (;;) {
        /* one COPY per interval, however busy: every batch is a transaction, and many
         * small ones cost the database more than the requests they log */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += (long)exchlog.flush_ms * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        while (!exchlog.stop && exchlog.count < EXCHLOG_QUEUE / 2 &&
               pthread_cond_timedwait(&exchlog.wake, &exchlog.lock, &ts) == 0)
            ;
        size_t n = exchlog.count;
        for (size_t i = 0; i < n; i++)
            batch[i] = exchlog.ring[(exchlog.head + i) % EXCHLOG_QUEUE];
        exchlog.head = (exchlog.head + n) % EXCHLOG_QUEUE;
        exchlog.count = 0;
        bool stop = exchlog.stop;
        pthread_mutex_unlock(&exchlog.lock);
        if (n && !exchlog_write(&conn, batch, n) && exchlog.metrics)
            metrics_add(&exchlog.metrics->exchange_log_dropped, n);
        if (stop)
            break;
        pthread_mutex_lock(&exchlog.lock);
    }
    if (conn)
        PQfinish(conn);
    free(batch);
    return NULL;
}

void exchlog_start(const char *conninfo, int flush_ms, struct metrics *m)
{
    exchlog.ring = calloc(EXCHLOG_QUEUE, sizeof(struct exchlog_entry));
    if (!exchlog.ring)
        abort();
    snprintf(exchlog.conninfo, sizeof(exchlog.conninfo), "%s", conninfo);
    exchlog.flush_ms = flush_ms > 0 ? flush_ms : 200;
    exchlog.metrics = m;
    exchlog.running = pthread_create(&exchlog.thread, NULL, exchlog_main, NULL) == 0;
}

void exchlog_push(const struct exchlog_entry *e)
{
    bool dropped = false;
    pthread_mutex_lock(&exchlog.lock);
    if (!exchlog.running || exchlog.count == EXCHLOG_QUEUE)
        dropped = true;
    else
        exchlog.ring[(exchlog.head + exchlog.count++) % EXCHLOG_QUEUE] = *e;
    if (exchlog.count == EXCHLOG_QUEUE / 2)
        pthread_cond_signal(&exchlog.wake); /* half full: flush before the interval ends */
    pthread_mutex_unlock(&exchlog.lock);
    if (dropped && exchlog.metrics)
        metrics_add(&exchlog.metrics->exchange_log_dropped, 1);
}

void exchlog_stop(void)
{
    if (!exchlog.running)
        return;
    pthread_mutex_lock(&exchlog.lock);
    exchlog.stop = true;
    pthread_cond_signal(&exchlog.wake);
    pthread_mutex_unlock(&exchlog.lock);
    pthread_join(exchlog.thread, NULL);
    exchlog.running = false;
    free(exchlog.ring);
    exchlog.ring = NULL;
}
