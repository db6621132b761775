/* master.c: opens the socket, forks the workers, replaces any that dies, reloads on
 * SIGHUP (new workers with the new settings, old ones finish their requests), and on
 * SIGTERM stops accepting and waits for the requests in flight. */
#include <errno.h>
#include <fcgiapp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http/metrics.h"
#include "server/server.h"
#include "util/log.h"

#define MASTER_MAX_WORKERS 64
#define MASTER_STOP_TIMEOUT_S 35

static volatile sig_atomic_t master_stop, master_reload, master_child;

static void master_on_signal(int sig)
{
    if (sig == SIGHUP)
        master_reload = 1;
    else if (sig == SIGCHLD)
        master_child = 1;
    else
        master_stop = 1;
}

/* The master's state. */
struct master {
    struct config cfg;                    /* current settings */
    const char *config_path;              /* file to re-read on SIGHUP */
    int listen_fd;                        /* the FastCGI socket */
    char socket_path[256];                /* unix socket path, "" for TCP */
    pid_t workers[MASTER_MAX_WORKERS];    /* live workers of the current generation */
    time_t started[MASTER_MAX_WORKERS];   /* when each was started */
    int nworkers;                         /* how many the settings ask for */
    const struct dispatch_api *api;       /* what the workers serve */
};

static int master_open_socket(struct master *m)
{
    const char *l = m->cfg.listen;
    if (strncmp(l, "unix:", 5) == 0) {
        snprintf(m->socket_path, sizeof(m->socket_path), "%s", l + 5);
        unlink(m->socket_path);
        mode_t old = umask(0);
        m->listen_fd = FCGX_OpenSocket(m->socket_path, 1024);
        umask(old);
        if (m->listen_fd >= 0)
            chmod(m->socket_path, 0666); /* nginx workers run as another user */
    } else {
        m->listen_fd = FCGX_OpenSocket(l, 1024);
    }
    if (m->listen_fd < 0) {
        log_error("cannot listen on %s: %s", l, strerror(errno));
        return -1;
    }
    return 0;
}

static pid_t master_spawn(struct master *m)
{
    pid_t pid = fork();
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGCHLD, SIG_DFL);
        _exit(server_worker_run(m->listen_fd, &m->cfg, m->api));
    }
    if (pid < 0)
        log_error("fork: %s", strerror(errno));
    else if (m->api->metrics)
        metrics_add(&m->api->metrics->workers_started, 1);
    return pid;
}

static void master_fill(struct master *m)
{
    for (int i = 0; i < m->nworkers; i++) {
        if (m->workers[i] > 0)
            continue;
        /* a worker that died within a second of its start is not restarted in a loop */
        if (m->started[i] && time(NULL) - m->started[i] < 1)
            sleep(1);
        m->workers[i] = master_spawn(m);
        m->started[i] = time(NULL);
    }
}

static void master_reap(struct master *m)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (int i = 0; i < MASTER_MAX_WORKERS; i++)
            if (m->workers[i] == pid) { /* draining workers (negated pids) are not refilled */
                m->workers[i] = 0;
                if (!master_stop)
                    log_warn("worker %d ended (%s %d); starting a new one", (int)pid,
                             WIFSIGNALED(status) ? "signal" : "status",
                             WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
            }
    }
}

static void master_reload_config(struct master *m)
{
    struct config next;
    char err[256];
    if (!config_load(&next, m->config_path, err, sizeof(err))) {
        log_error("reload refused: %s", err);
        return;
    }
    if (strcmp(next.listen, m->cfg.listen) != 0)
        log_warn("reload: a new listen address needs a restart; keeping %s", m->cfg.listen);
    snprintf(next.listen, sizeof(next.listen), "%s", m->cfg.listen);
    if (next.workers > MASTER_MAX_WORKERS)
        next.workers = MASTER_MAX_WORKERS;
    /* old workers finish their requests and exit; their slots are filled anew */
    for (int i = 0; i < MASTER_MAX_WORKERS; i++)
        if (m->workers[i] > 0) {
            kill(m->workers[i], SIGTERM);
            m->workers[i] = -m->workers[i]; /* draining: reaped but not refilled */
        }
    m->cfg = next;
    m->nworkers = next.workers;
    log_info("reloaded: %d workers × %d threads", m->cfg.workers, m->cfg.threads);
}

static void master_write_pidfile(struct master *m)
{
    if (!*m->cfg.pidfile)
        return;
    FILE *f = fopen(m->cfg.pidfile, "w");
    if (!f) {
        log_warn("cannot write %s", m->cfg.pidfile);
        return;
    }
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
}

static void master_stop_all(struct master *m)
{
    for (int i = 0; i < MASTER_MAX_WORKERS; i++)
        if (m->workers[i])
            kill(m->workers[i] > 0 ? m->workers[i] : -m->workers[i], SIGTERM);
    time_t deadline = time(NULL) + MASTER_STOP_TIMEOUT_S;
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid < 0 && errno == ECHILD)
            break;
        if (pid > 0)
            continue;
        if (time(NULL) > deadline) {
            for (int i = 0; i < MASTER_MAX_WORKERS; i++)
                if (m->workers[i])
                    kill(m->workers[i] > 0 ? m->workers[i] : -m->workers[i], SIGKILL);
            while (waitpid(-1, &status, 0) > 0)
                ;
            break;
        }
        struct timespec nap = {0, 50 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
}

int server_master_run(const char *config_path, const struct dispatch_api *api)
{
    struct master m;
    char err[256];
    struct sigaction sa;
    sigset_t block, old;

    memset(&m, 0, sizeof(m));
    m.config_path = config_path;
    m.api = api;
    if (!config_load(&m.cfg, config_path, err, sizeof(err))) {
        log_error("%s", err);
        return 2;
    }
    m.nworkers = m.cfg.workers > MASTER_MAX_WORKERS ? MASTER_MAX_WORKERS : m.cfg.workers;
    if (master_open_socket(&m) != 0)
        return 1;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = master_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGCHLD, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &old);

    master_write_pidfile(&m);
    log_info("listening on %s with %d workers × %d threads", m.cfg.listen, m.nworkers,
             m.cfg.threads);
    master_fill(&m);
    while (!master_stop) {
        sigsuspend(&old); /* signals are delivered only here: no race with the flags */
        if (master_child) {
            master_child = 0;
            master_reap(&m);
        }
        if (master_reload) {
            master_reload = 0;
            master_reload_config(&m);
        }
        if (!master_stop)
            master_fill(&m);
    }
    log_info("stopping: letting requests in flight finish");
    close(m.listen_fd);
    master_stop_all(&m);
    if (*m.socket_path)
        unlink(m.socket_path);
    if (*m.cfg.pidfile)
        unlink(m.cfg.pidfile);
    return 0;
}
