/* hello-fcgi: the baseline of `./dev bench`: a minimal libfcgi program that answers every
 * request with the same small JSON body. It runs like loyalty-fcgi (a master that opens the
 * socket and forks LOYALTY_WORKERS processes of LOYALTY_THREADS threads, each thread in
 * FCGX_Accept_r), so that nginx + FastCGI with this program is the ceiling of the stack.
 *
 *   hello-fcgi SOCKET_PATH [PIDFILE]
 *
 * SIGTERM/SIGINT to the master stops the workers and removes the socket. */
#include <errno.h>
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server/fcgi_finish.h"

#define HELLO_MAX_WORKERS 64
#define HELLO_MAX_THREADS 256

#define HELLO_BODY "{\"status\":\"ok\",\"hello\":1}\n"

static const char hello_reply[] = "Status: 200 OK\r\n"
                                  "Content-Type: application/json\r\n"
                                  "Content-Length: 26\r\n"
                                  "\r\n" HELLO_BODY;
_Static_assert(sizeof(HELLO_BODY) - 1 == 26, "Content-Length of the hello body");

static volatile sig_atomic_t hello_stop;

static void hello_on_signal(int sig)
{
    (void)sig;
    hello_stop = 1;
}

static int hello_env_int(const char *name, int def, int max)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return def;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < 1 || n > max) {
        fprintf(stderr, "hello-fcgi: bad %s '%s' (1..%d)\n", name, v, max);
        exit(2);
    }
    return (int)n;
}

static void *hello_thread(void *arg)
{
    int fd = *(const int *)arg;
    FCGX_Request req;
    FCGX_InitRequest(&req, fd, 0);
    for (;;) {
        if (FCGX_Accept_r(&req) < 0)
            break;
        FCGX_PutStr(hello_reply, (int)sizeof(hello_reply) - 1, req.out);
        fcgi_finish(&req); /* as loyalty-fcgi ends its requests */
    }
    return NULL;
}

static int hello_worker(int fd, int nthreads)
{
    pthread_t ids[HELLO_MAX_THREADS];
    /* the worker goes when the master goes */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (FCGX_Init() != 0) {
        fprintf(stderr, "hello-fcgi: FCGX_Init failed\n");
        return 1;
    }
    /* after FCGX_Init, which installs a SIGTERM handler of its own that only notes a
     * shutdown: a worker has nothing to finish, SIGTERM ends it at once */
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    for (int i = 0; i < nthreads; i++)
        if (pthread_create(&ids[i], NULL, hello_thread, &fd) != 0) {
            fprintf(stderr, "hello-fcgi: cannot start thread %d\n", i);
            return 1;
        }
    for (int i = 0; i < nthreads; i++)
        pthread_join(ids[i], NULL);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: hello-fcgi SOCKET_PATH [PIDFILE]\n"
                        "LOYALTY_WORKERS processes x LOYALTY_THREADS threads (default 2 x 8)\n");
        return 2;
    }
    const char *path = argv[1];
    int nworkers = hello_env_int("LOYALTY_WORKERS", 2, HELLO_MAX_WORKERS);
    int nthreads = hello_env_int("LOYALTY_THREADS", 8, HELLO_MAX_THREADS);
    pid_t pids[HELLO_MAX_WORKERS];

    unlink(path);
    mode_t old = umask(0);
    int fd = FCGX_OpenSocket(path, 1024);
    umask(old);
    if (fd < 0) {
        fprintf(stderr, "hello-fcgi: cannot listen on %s: %s\n", path, strerror(errno));
        return 1;
    }
    chmod(path, 0666);

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = hello_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    for (int i = 0; i < nworkers; i++) {
        pids[i] = fork();
        if (pids[i] == 0)
            _exit(hello_worker(fd, nthreads));
        if (pids[i] < 0) {
            fprintf(stderr, "hello-fcgi: fork: %s\n", strerror(errno));
            hello_stop = 1;
            nworkers = i;
            break;
        }
    }
    if (argc == 3) {
        FILE *f = fopen(argv[2], "w");
        if (f) {
            fprintf(f, "%d\n", (int)getpid());
            fclose(f);
        }
    }
    fprintf(stderr, "hello-fcgi: listening on %s with %d workers x %d threads\n", path,
            nworkers, nthreads);

    int status;
    while (!hello_stop) {
        pid_t pid = wait(&status);
        if (pid < 0 && errno == ECHILD)
            break;
        if (pid > 0 && !hello_stop) {
            fprintf(stderr, "hello-fcgi: worker %d ended unexpectedly\n", (int)pid);
            hello_stop = 1;
        }
    }
    for (int i = 0; i < nworkers; i++)
        kill(pids[i], SIGTERM);
    while (wait(&status) > 0 || errno == EINTR)
        ;
    close(fd);
    unlink(path);
    if (argc == 3)
        unlink(argv[2]);
    return 0;
}
