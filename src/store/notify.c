#include "store/notify.h"

#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "util/log.h"

/* The listener's state (one per process). */
static struct {
    pthread_t thread;         /* the listener */
    bool running;             /* it was started */
    volatile int stop;        /* asked to stop */
    uint64_t generation;      /* bumped on every notification; 0 while disconnected */
    uint64_t counter;         /* last generation handed out (never reused) */
    char conninfo[512];       /* where to listen */
} notify;

static void notify_bump(bool connected)
{
    uint64_t next = __atomic_add_fetch(&notify.counter, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&notify.generation, connected ? next : 0, __ATOMIC_SEQ_CST);
}

static PGconn *notify_connect(void)
{
    PGconn *c = PQconnectdb(notify.conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        PQfinish(c);
        return NULL;
    }
    PGresult *r = PQexec(c, "LISTEN " NOTIFY_CHANNEL);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
        PQfinish(c);
        return NULL;
    }
    return c;
}

static void *notify_main(void *arg)
{
    (void)arg;
    PGconn *c = NULL;
    while (!notify.stop) {
        if (!c) {
            c = notify_connect();
            if (!c) {
                struct timespec nap = {1, 0};
                nanosleep(&nap, NULL);
                continue;
            }
            notify_bump(true); /* anything may have changed while we were away */
        }
        struct pollfd p = {PQsocket(c), POLLIN, 0};
        int n = poll(&p, 1, 500);
        if (n < 0)
            continue;
        if (n > 0 && !PQconsumeInput(c)) {
            log_warn("notify: connection lost; caches bypassed until it is back");
            PQfinish(c);
            c = NULL;
            notify_bump(false);
            continue;
        }
        bool changed = false;
        PGnotify *note;
        while ((note = PQnotifies(c)) != NULL) {
            changed = true;
            PQfreemem(note);
        }
        if (changed)
            notify_bump(true);
        if (PQstatus(c) != CONNECTION_OK) {
            PQfinish(c);
            c = NULL;
            notify_bump(false);
        }
    }
    if (c)
        PQfinish(c);
    return NULL;
}

void notify_start(const char *conninfo)
{
    snprintf(notify.conninfo, sizeof(notify.conninfo), "%s", conninfo);
    notify.running = pthread_create(&notify.thread, NULL, notify_main, NULL) == 0;
}

void notify_stop(void)
{
    if (!notify.running)
        return;
    notify.stop = 1;
    pthread_join(notify.thread, NULL);
    notify.running = false;
}

uint64_t notify_generation(void)
{
    return __atomic_load_n(&notify.generation, __ATOMIC_SEQ_CST);
}
