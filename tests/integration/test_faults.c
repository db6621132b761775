/* test_faults.c: the stack under faults (QUALITY.md "Reliability"): a worker SIGKILLed
 * under load, Redis stopped and started, PostgreSQL stopped and started, the FastCGI
 * service down behind nginx. Every service is started again whatever the outcome. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compare.h"
#include "it.h"

#define FAULT_THREADS 16
#define FAULT_SECONDS 10
#define FAULT_KILL_AFTER_MS 3000
#define FAULT_MAX_PIDS 64

static double fault_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fault_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static bool fault_health_is(const char *status, const char *redis, long http_status)
{
    struct http_resp r;
    http_get(&r, "/api/v1/health", NULL, JSON_T);
    bool ok = r.status == http_status && r.json && jstr(r.json, "status") &&
              strcmp(jstr(r.json, "status"), status) == 0 &&
              (!redis || (jstr(r.json, "redis") && strcmp(jstr(r.json, "redis"), redis) == 0));
    http_resp_free(&r);
    return ok;
}

/* Poll health until it says status (up to seconds); true when it did. */
static bool fault_wait_health(const char *status, const char *redis, long http_status,
                              int seconds)
{
    for (int i = 0; i < seconds * 10; i++) {
        if (fault_health_is(status, redis, http_status))
            return true;
        fault_sleep_ms(100);
    }
    return false;
}

int faults_suite_cleanup(void)
{
    /* whatever happened: every service runs again */
    if (E.dev) {
        it_dev_svc("start", "postgres");
        it_dev_svc("start", "redis");
        it_dev_svc("start", "fcgi");
        it_dev_svc("start", "nginx");
        fault_wait_health("ok", "ok", 200, 20);
    }
    return 0;
}

/* ------------------------------------------------------ worker SIGKILL -- */

/* One load thread's record. */
struct fault_load {
    const char *card;          /* card to read */
    long long client_id;       /* client to read */
    double stop_at;            /* monotonic end time */
    int requests;              /* made */
    int failures;              /* failed */
    double fail_started[64];   /* start times of the failures */
    char fail_what[4][600];    /* first failures, for the report */
};

static void *fault_load_run(void *arg)
{
    struct fault_load *l = arg;
    char card_path[96], client_path[64];
    snprintf(card_path, sizeof(card_path), "/api/v1/cards/%s", l->card);
    snprintf(client_path, sizeof(client_path), "/api/v1/clients/%lld", l->client_id);
    for (int i = 0; fault_now() < l->stop_at; i++) {
        bool card = i % 2 == 0;
        struct http_call c = {.url = card ? card_path : client_path, .auth = AUTH_POS,
                              .accept = JSON_T, .timeout_ms = 10000};
        struct http_resp r;
        double t0 = fault_now();
        http_exec(&c, &r);
        bool ok = r.status == 200 && r.json &&
                  (card ? jstr(r.json, "number") && strcmp(jstr(r.json, "number"), l->card) == 0
                        : jint(r.json, "id") == l->client_id);
        l->requests++;
        if (!ok) {
            if (l->failures < 64)
                l->fail_started[l->failures] = t0;
            if (l->failures < 4)
                snprintf(l->fail_what[l->failures], sizeof(l->fail_what[0]),
                         "%s -> %ld %.120s%s", r.what, r.status, r.body ? r.body : "",
                         r.status ? "" : r.curl_error);
            l->failures++;
        }
        http_resp_free(&r);
    }
    http_thread_done();
    return NULL;
}

static void test_worker_killed_under_load(void)
{
    char card[33];
    long long id = it_new_client_with_card(AUTH_POS, card);
    CU_ASSERT_FATAL(id > 0);
    pid_t master = it_fcgi_master();
    pid_t before[FAULT_MAX_PIDS], after[FAULT_MAX_PIDS];
    int nbefore = master > 0 ? it_live_children(master, before, FAULT_MAX_PIDS) : 0;
    if (master <= 0 || nbefore < 1) {
        it_note("no FastCGI master/workers found (master pid %d, %d workers)", (int)master,
                nbefore);
        CU_FAIL("no workers to kill");
        return;
    }
    if (nbefore != E.workers)
        it_note("before the kill: %d workers, %d configured", nbefore, E.workers);
    CU_ASSERT_EQUAL(nbefore, E.workers);

    static struct fault_load loads[FAULT_THREADS];
    pthread_t th[FAULT_THREADS];
    double start = fault_now();
    for (int i = 0; i < FAULT_THREADS; i++) {
        memset(&loads[i], 0, sizeof(loads[i]));
        loads[i].card = card;
        loads[i].client_id = id;
        loads[i].stop_at = start + FAULT_SECONDS;
        pthread_create(&th[i], NULL, fault_load_run, &loads[i]);
    }
    fault_sleep_ms(FAULT_KILL_AFTER_MS);
    pid_t victim = before[0];
    double killed_at = fault_now();
    int krc = kill(victim, SIGKILL);
    CU_ASSERT_EQUAL(krc, 0);
    for (int i = 0; i < FAULT_THREADS; i++)
        pthread_join(th[i], NULL);

    int total = 0, failures = 0, late = 0;
    for (int i = 0; i < FAULT_THREADS; i++) {
        total += loads[i].requests;
        failures += loads[i].failures;
        for (int k = 0; k < loads[i].failures && k < 64; k++)
            if (loads[i].fail_started[k] >= killed_at + 1.0 ||
                loads[i].fail_started[k] < killed_at - 0.5)
                late++;
        for (int k = 0; k < loads[i].failures && k < 4; k++)
            it_note("load thread %d failure %d (started %+.3fs after the kill): %s", i, k,
                    loads[i].fail_started[k] - killed_at, loads[i].fail_what[k]);
    }
    printf("\n    worker %d killed; %d requests by %d threads in %ds, %d failed, %d outside the "
           "kill window\n",
           (int)victim, total, FAULT_THREADS, FAULT_SECONDS, failures, late);
    CU_ASSERT(total > FAULT_THREADS * 10);
    CU_ASSERT(failures <= FAULT_THREADS);
    CU_ASSERT_EQUAL(late, 0);

    /* the master has replaced the worker */
    int nafter = 0;
    bool replaced = false;
    for (int t = 0; t < 100 && !replaced; t++) {
        nafter = it_live_children(master, after, FAULT_MAX_PIDS);
        bool victim_gone = true, has_new = false;
        for (int i = 0; i < nafter; i++) {
            if (after[i] == victim)
                victim_gone = false;
            bool old = false;
            for (int k = 0; k < nbefore; k++)
                old = old || after[i] == before[k];
            has_new = has_new || !old;
        }
        replaced = victim_gone && has_new && nafter == E.workers;
        if (!replaced)
            fault_sleep_ms(100);
    }
    if (!replaced)
        it_note("after the kill of %d: %d workers (configured %d)", (int)victim, nafter,
                E.workers);
    CU_ASSERT(replaced);
    CU_ASSERT_EQUAL(it_fcgi_master(), master);
    /* and the service answers */
    struct http_resp r;
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/cards/%s", card);
    for (int i = 0; i < 2 * E.workers * 2; i++) {
        http_get(&r, path, AUTH_POS, JSON_T);
        EXPECT_STATUS(r, 200);
        http_resp_free(&r);
    }
}

/* ------------------------------------------------------------- Redis -- */

static void test_redis_down(void)
{
    char card[33], path[96], buf[64];
    long long id = it_new_client_with_card(AUTH_POS, card);
    CU_ASSERT_FATAL(id > 0);
    snprintf(path, sizeof(path), "/api/v1/cards/%s", card);
    struct http_resp before, r, x;
    http_get(&before, path, AUTH_POS, JSON_T);
    EXPECT_STATUS(before, 200);
    http_get(&r, path, AUTH_POS, JSON_T); /* cached */
    http_resp_free(&r);

    bool stopped = it_dev_svc("stop", "redis");
    CU_ASSERT(stopped);
    if (!stopped)
        goto restore;
    /* reads go on from PostgreSQL, with the same content */
    for (int i = 0; i < 4; i++) {
        http_get(&r, path, AUTH_POS, JSON_T);
        EXPECT_STATUS(r, 200);
        char why[400];
        bool same = r.json && jx_json_equal(before.json, r.json, NULL, why, sizeof(why));
        if (!same)
            it_note("card read with Redis down differs: %s", r.json ? why : r.body);
        CU_ASSERT(same);
        CU_ASSERT(strcmp(r.x_cache, "hit") != 0);
        http_resp_free(&r);
    }
    http_get(&x, path, AUTH_POS, XML_T);
    EXPECT_STATUS(x, 200);
    EXPECT_XML_VALID(x);
    EXPECT_STREQ(xtext(x.xml, "number", buf, sizeof(buf)), card);
    http_resp_free(&x);
    /* the demo card too (a cached document before) */
    http_get(&r, "/api/v1/cards/" DEMO_CARD, AUTH_POS, JSON_T);
    EXPECT_STATUS(r, 200);
    EXPECT_STREQ(jstr(r.json, "client.first_name"), "Anna");
    http_resp_free(&r);
    /* health: degraded, HTTP 200 */
    http_get(&r, "/api/v1/health", NULL, JSON_T);
    EXPECT_STATUS(r, 200);
    EXPECT_STREQ(jstr(r.json, "status"), "degraded");
    EXPECT_STREQ(jstr(r.json, "redis"), "down");
    EXPECT_STREQ(jstr(r.json, "postgres"), "ok");
    http_resp_free(&r);
    /* a write works */
    char bpath[128];
    snprintf(bpath, sizeof(bpath), "/api/v1/cards/%s/block", card);
    http_send(&r, "POST", bpath, AUTH_POS, JSON_T, JSON_T, "{\"reason\":\"redis down\"}");
    EXPECT_STATUS(r, 200);
    EXPECT_STREQ(jstr(r.json, "status"), "blocked");
    http_resp_free(&r);
    http_get(&r, path, AUTH_POS, JSON_T);
    EXPECT_STREQ(jstr(r.json, "status"), "blocked");
    http_resp_free(&r);
    /* and a registration */
    char card2[33];
    CU_ASSERT(it_new_client_with_card(AUTH_POS, card2) > 0);

restore:
    CU_ASSERT(it_dev_svc("start", "redis"));
    bool back = fault_wait_health("ok", "ok", 200, 15);
    if (!back)
        it_note("health did not come back to ok within 15 s after Redis was started");
    CU_ASSERT(back);
    /* never stale: every read after the restart shows the blocked card, cached or not */
    for (int i = 0; i < 6; i++) {
        http_get(&r, path, AUTH_POS, i % 2 ? XML_T : JSON_T);
        EXPECT_STATUS(r, 200);
        const char *st = r.json ? jstr(r.json, "status") : xtext(r.xml, "status", buf, sizeof(buf));
        EXPECT_STREQ(st, "blocked");
        http_resp_free(&r);
    }
    http_get(&r, path, AUTH_POS, JSON_T);
    EXPECT_STREQ(r.x_cache, "hit"); /* the cache is used again */
    http_resp_free(&r);
    http_resp_free(&before);
}

/* ----------------------------------------------------------- PostgreSQL -- */

static void test_postgres_down(void)
{
    char card[33];
    long long id = it_new_client_with_card(AUTH_POS, card);
    CU_ASSERT_FATAL(id > 0);
    struct it_counts before, after;
    counts_take(&before);
    it_db_close();
    bool stopped = it_dev_svc("stop", "postgres");
    CU_ASSERT(stopped);
    struct http_resp r;
    if (stopped) {
        http_get(&r, "/api/v1/health", NULL, JSON_T);
        EXPECT_STATUS(r, 503);
        EXPECT_STREQ(jstr(r.json, "status"), "down");
        EXPECT_STREQ(jstr(r.json, "postgres"), "down");
        http_resp_free(&r);
        char path[64], nat[32], e164[20], body[128];
        snprintf(path, sizeof(path), "/api/v1/clients/%lld", id);
        http_get(&r, path, AUTH_POS, JSON_T);
        EXPECT_ERROR(r, 503, "unavailable", NULL);
        http_resp_free(&r);
        http_get(&r, path, AUTH_POS, XML_T);
        EXPECT_ERROR(r, 503, "unavailable", NULL);
        EXPECT_XML_VALID(r);
        http_resp_free(&r);
        uniq_phone(nat, e164);
        snprintf(body, sizeof(body), "{\"phone\":\"%s\"}", e164);
        http_send(&r, "POST", "/api/v1/clients", AUTH_POS, JSON_T, JSON_T, body);
        EXPECT_ERROR(r, 503, "unavailable", NULL);
        http_resp_free(&r);
        /* never a 5xx other than 503, and no crash, for the card path either */
        http_get(&r, "/api/v1/cards/IT-NO-SUCH-CARD-PG", AUTH_POS, JSON_T);
        CU_ASSERT(r.status == 503 || r.status == 404);
        http_resp_free(&r);
    }
    CU_ASSERT(it_dev_svc("start", "postgres"));
    /* the service resumes by itself */
    bool back = fault_wait_health("ok", NULL, 200, 20);
    if (!back)
        it_note("health did not come back within 20 s after PostgreSQL was started");
    CU_ASSERT(back);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/clients/%lld", id);
    bool served = false;
    for (int i = 0; i < 50 && !served; i++) {
        http_get(&r, path, AUTH_POS, JSON_T);
        served = r.status == 200;
        http_resp_free(&r);
        if (!served)
            fault_sleep_ms(200);
    }
    CU_ASSERT(served);
    /* every worker thread has its connection back: a burst of reads all succeed */
    int bad = 0;
    for (int i = 0; i < 4 * E.workers * 8; i++) {
        http_get(&r, path, AUTH_POS, JSON_T);
        if (r.status != 200) {
            if (bad < 3)
                it_note("after PostgreSQL came back: %s -> %ld %.200s", r.what, r.status, r.body);
            bad++;
        }
        http_resp_free(&r);
    }
    CU_ASSERT_EQUAL(bad, 0);
    counts_take(&after);
    CU_ASSERT(counts_same(&before, &after, "requests while PostgreSQL was down"));
}

/* ------------------------------------------------------ FastCGI down -- */

static void test_app_down_nginx_error_body(void)
{
    bool stopped = it_dev_svc("stop", "fcgi");
    CU_ASSERT(stopped);
    struct http_resp r;
    if (stopped) {
        http_get(&r, "/api/v1/cards/" DEMO_CARD, AUTH_POS, NULL);
        CU_ASSERT(r.status == 502 || r.status == 503);
        EXPECT_ERROR(r, r.status == 503 ? 503 : 502, "unavailable", NULL);
        CU_ASSERT(r.is_json);
        CU_ASSERT(r.request_id[0] != '\0');
        http_resp_free(&r);
        http_get(&r, "/api/v1/cards/" DEMO_CARD, AUTH_POS, XML_T);
        EXPECT_ERROR(r, r.status == 503 ? 503 : 502, "unavailable", NULL);
        EXPECT_XML_VALID(r);
        http_resp_free(&r);
    }
    CU_ASSERT(it_dev_svc("start", "fcgi"));
    CU_ASSERT(fault_wait_health("ok", NULL, 200, 15));
    http_get(&r, "/api/v1/cards/" DEMO_CARD, AUTH_POS, JSON_T);
    EXPECT_STATUS(r, 200);
    http_resp_free(&r);
}

void faults_add_tests(CU_pSuite s)
{
    if (!E.dev) {
        it_note("LOYALTY_DEV is not set: the fault tests that stop services will fail");
    }
    CU_add_test(s, "worker SIGKILLed under 16-thread load: few failures, replaced",
                test_worker_killed_under_load);
    CU_add_test(s, "Redis stopped: reads and writes go on; never stale after", test_redis_down);
    CU_add_test(s, "PostgreSQL stopped: 503 unavailable, nothing written, resumes",
                test_postgres_down);
    CU_add_test(s, "FastCGI down: nginx answers with the API error body",
                test_app_down_nginx_error_body);
}
