/* worker.c: one worker process: T threads in FCGX_Accept_r; on SIGTERM idle threads are
 * woken by SIGUSR1 and every request in flight is finished before the process exits. */
#include <errno.h>
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "domain/template.h"
#include "http/exchlog.h"
#include "server/fcgi_finish.h"
#include "server/server.h"
#include "store/cache.h"
#include "store/notify.h"
#include "util/log.h"

#define WORKER_STOP_TIMEOUT_S 30

/* One serving thread. */
struct worker_thread {
    pthread_t id;                 /* the thread */
    int listen_fd;                /* shared listening socket */
    const struct config *cfg;     /* settings */
    const struct dispatch_api *api; /* routes and counters */
    volatile int in_accept;       /* waiting for a request (safe to interrupt) */
    volatile int done;            /* has left its loop */
};

static volatile sig_atomic_t worker_stop;

static void worker_on_term(int sig)
{
    (void)sig;
    worker_stop = 1;
}

static void worker_on_wake(int sig)
{
    (void)sig; /* only interrupts accept() */
}

static void *worker_thread_main(void *arg)
{
    struct worker_thread *w = arg;
    struct http_thread t;
    FCGX_Request req;
    sigset_t wake;

    sigemptyset(&wake);
    sigaddset(&wake, SIGUSR1);
    memset(&t, 0, sizeof(t));
    db_init(&t.db, w->cfg->pg);
    t.cache = cache_new(w->cfg->redis, w->cfg->cache_ttl);
    /* connect (and prepare) now rather than on the first request, so that a new worker's
     * first answers are as fast as its later ones; a failure is retried on use */
    (void)db_ensure(&t.db);
    (void)cache_ping(t.cache);
    t.cfg = w->cfg;
    arena_init(&t.arena, 65536);
    buf_init(&t.out);
    FCGX_InitRequest(&req, w->listen_fd, FCGI_FAIL_ACCEPT_ON_INTR);

    while (!worker_stop) {
        __atomic_store_n(&w->in_accept, 1, __ATOMIC_SEQ_CST);
        pthread_sigmask(SIG_UNBLOCK, &wake, NULL);
        int rc = worker_stop ? -1 : FCGX_Accept_r(&req);
        pthread_sigmask(SIG_BLOCK, &wake, NULL);
        __atomic_store_n(&w->in_accept, 0, __ATOMIC_SEQ_CST);
        if (rc < 0) {
            if (worker_stop)
                break;
            struct timespec nap = {0, 10 * 1000 * 1000};
            nanosleep(&nap, NULL);
            continue;
        }
        dispatch_request(&t, w->api, &req);
        fcgi_finish(&req); /* with SIGUSR1 blocked: the answer is never cut */
    }
    FCGX_Free(&req, 1);
    db_close(&t.db);
    cache_free(t.cache);
    arena_free(&t.arena);
    buf_free(&t.out);
    __atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

int server_worker_run(int listen_fd, const struct config *cfg, const struct dispatch_api *api)
{
    struct sigaction sa;
    sigset_t wake;
    pid_t parent = getppid();
    int n = cfg->threads, rc = 1;
    struct worker_thread *threads = calloc((size_t)n, sizeof(*threads));
    if (!threads)
        return 1;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = worker_on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = worker_on_wake; /* no SA_RESTART: accept() returns EINTR */
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    /* threads start with SIGUSR1 blocked (they unblock it only around accept) and never
     * take SIGTERM, so no signal cuts a request short; the main thread takes SIGTERM */
    sigemptyset(&wake);
    sigaddset(&wake, SIGUSR1);
    sigaddset(&wake, SIGTERM);
    sigaddset(&wake, SIGINT);
    pthread_sigmask(SIG_BLOCK, &wake, NULL);

    if (FCGX_Init() != 0) {
        log_error("FCGX_Init failed");
        goto out;
    }
    if (!template_load_defaults(cfg->templates_dir))
        log_warn("templates: some defaults are missing in %s", cfg->templates_dir);
    notify_start(cfg->pg);
    exchlog_start(cfg->pg, cfg->log_flush_ms, api->metrics);
    for (int i = 0; i < n; i++) {
        threads[i].listen_fd = listen_fd;
        threads[i].cfg = cfg;
        threads[i].api = api;
        if (pthread_create(&threads[i].id, NULL, worker_thread_main, &threads[i]) != 0) {
            log_error("cannot start thread %d", i);
            worker_stop = 1;
            n = i;
            break;
        }
    }
    sigdelset(&wake, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &wake, NULL);
    while (!worker_stop) {
        sleep(1);
        if (getppid() != parent) /* the master is gone: stop too */
            worker_stop = 1;
    }
    time_t deadline = time(NULL) + WORKER_STOP_TIMEOUT_S;
    for (;;) {
        int alive = 0;
        for (int i = 0; i < n; i++) {
            if (__atomic_load_n(&threads[i].done, __ATOMIC_SEQ_CST))
                continue;
            alive++;
            if (__atomic_load_n(&threads[i].in_accept, __ATOMIC_SEQ_CST))
                pthread_kill(threads[i].id, SIGUSR1);
        }
        if (!alive)
            break;
        if (time(NULL) > deadline) {
            log_warn("worker: %d threads still busy after %d s, exiting", alive,
                     WORKER_STOP_TIMEOUT_S);
            exchlog_stop();
            _exit(1);
        }
        struct timespec nap = {0, 50 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    for (int i = 0; i < n; i++)
        pthread_join(threads[i].id, NULL);
    exchlog_stop();
    notify_stop();
    rc = 0;
out:
    free(threads);
    return rc;
}
