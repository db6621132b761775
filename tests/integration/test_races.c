/* test_races.c: points and purchases under concurrency and faults (QUALITY.md
 * "Reliability"): 50 strict spends on a balance that covers 10, one receipt sent 50 times
 * at once, Redis stopped and PostgreSQL restarted while purchases go on, a worker process
 * SIGKILLed while purchases go on. Each ends with `loyaltyctl verify` clean. Threads use
 * one libcurl handle each (http.c keeps one per thread) and start together at a barrier. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compare.h"
#include "it.h"

#define RACE_N 50             /* concurrent requests of the spend and retry races */

static double race_t0;        /* start of the current load run (monotonic), for notes */
#define RACE_MAX_REQ 4000     /* requests recorded per load thread */

static double race_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void race_sleep_until(double t)
{
    for (;;) {
        double left = t - race_now();
        if (left <= 0)
            return;
        struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
        nanosleep(&ts, NULL);
    }
}

static void race_sleep_ms(long ms)
{
    race_sleep_until(race_now() + (double)ms / 1000.0);
}

/* The error code of an error answer (JSON), "" when none. */
static void race_code(const struct http_resp *r, char *out, size_t n)
{
    const char *c = r->json ? jstr(r->json, "error.code") : NULL;
    snprintf(out, n, "%s", c ? c : "");
}

/* A PostgreSQL text[] literal of receipt ids (they hold only [A-Za-z0-9-]). */
static char *race_array(char **ids, size_t n)
{
    size_t cap = 16 + n * 90, o = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    o += (size_t)snprintf(s + o, cap - o, "{");
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(s + o, cap - o, "%s\"%s\"", i ? "," : "", ids[i]);
    snprintf(s + o, cap - o, "}");
    return s;
}

/* Receipts (of those given) that are not a whole confirmed purchase: purchase row,
 * receipt_index row, `nlines` lines. */
static long long race_not_whole(char **ids, size_t n, int nlines)
{
    if (!n)
        return 0;
    char *arr = race_array(ids, n), lines[16];
    snprintf(lines, sizeof(lines), "%d", nlines);
    const char *p[2] = {arr, lines};
    long long v = pur_sql(
        "SELECT count(*) FROM unnest($1::text[]) AS u(r) WHERE "
        "(SELECT count(*) FROM purchases p JOIN receipt_index ri ON ri.client_id = p.client_id "
        "  AND ri.purchase_id = p.id AND ri.receipt_id = p.receipt_id "
        "  WHERE p.receipt_id = u.r AND p.status = 'confirmed') <> 1 "
        "OR (SELECT coalesce(sum(jsonb_array_length(p.document->'lines')), 0) FROM purchases p "
        "  WHERE p.receipt_id = u.r) <> $2::int",
        2, p);
    free(arr);
    return v;
}

/* Receipts (of those given) of which any row exists. */
static long long race_present(char **ids, size_t n)
{
    if (!n)
        return 0;
    char *arr = race_array(ids, n);
    const char *p[1] = {arr};
    long long v = pur_sql("SELECT count(*) FROM unnest($1::text[]) AS u(r) WHERE "
                          "EXISTS (SELECT 1 FROM purchases WHERE receipt_id = u.r) OR "
                          "EXISTS (SELECT 1 FROM receipt_index WHERE receipt_id = u.r)",
                          1, p);
    free(arr);
    return v;
}

/* ------------------------------------------------- one shot at a barrier -- */

/* One of the concurrent requests. */
struct race_shot {
    pthread_barrier_t *go;    /* everybody starts together */
    const char *body;         /* the confirm body (JSON) */
    long status;              /* answer status */
    char code[64];            /* error code */
    json_object *doc;         /* the answer (JSON), owned */
    char raw[800];            /* the start of the answer, for the report */
};

static void *race_shot_run(void *arg)
{
    struct race_shot *s = arg;
    struct http_call c = {.method = "POST", .url = "/api/v1/purchases", .auth = AUTH_POS,
                          .accept = JSON_T, .content_type = JSON_T, .body = s->body,
                          .timeout_ms = 30000};
    struct http_resp r;
    pthread_barrier_wait(s->go);
    http_exec(&c, &r);
    s->status = r.status;
    race_code(&r, s->code, sizeof(s->code));
    s->doc = r.json ? json_object_get(r.json) : NULL;
    snprintf(s->raw, sizeof(s->raw), "%.500s%s", r.body ? r.body : "",
             r.status ? "" : r.curl_error);
    http_resp_free(&r);
    http_thread_done();
    return NULL;
}

/* Fire the bodies at once, one thread each. */
static void race_fire(struct race_shot *shots, char (*bodies)[512], int n)
{
    pthread_t th[RACE_N];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, (unsigned)n);
    for (int i = 0; i < n; i++) {
        memset(&shots[i], 0, sizeof(shots[i]));
        shots[i].go = &go;
        shots[i].body = bodies[i];
        pthread_create(&th[i], NULL, race_shot_run, &shots[i]);
    }
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&go);
}

static void test_double_spend(void)
{
    static struct race_shot shots[RACE_N];
    static char bodies[RACE_N][512];
    char card[33], run[64];
    /* accruals pending: they do not add to what can be spent */
    CU_ASSERT_FATAL(pur_points_settings("{\"activation_delay_days\":14}"));
    long long id = pur_new_funded_client("1000.00", card);
    CU_ASSERT_FATAL(id > 0);
    uniq_str("IT-DS", run, sizeof(run));
    for (int i = 0; i < RACE_N; i++)
        snprintf(bodies[i], sizeof(bodies[i]),
                 "{\"receipt_id\":\"%s-%02d\",\"card\":\"%s\",\"strict\":true,"
                 "\"points_to_spend\":100,\"lines\":[{\"line_no\":1,\"sku\":\"DS\",\"qty\":1,"
                 "\"price\":500.00}]}",
                 run, i, card);
    race_fire(shots, bodies, RACE_N);
    int ok = 0, refused = 0, other = 0;
    long long pending = 0;
    for (int i = 0; i < RACE_N; i++) {
        if (shots[i].status == 201) {
            ok++;
            pending += pur_minor(jtext(shots[i].doc, "points_accrued"));
        } else if (shots[i].status == 422 && strcmp(shots[i].code, "insufficient_points") == 0) {
            refused++;
        } else {
            if (other < 5)
                it_note("spend race request %d: %ld %s", i, shots[i].status, shots[i].raw);
            other++;
        }
        if (shots[i].doc)
            json_object_put(shots[i].doc);
    }
    printf("\n    50 strict spends of 100 on 1,000: %d × 201, %d × 422, %d other\n", ok, refused,
           other);
    CU_ASSERT_EQUAL(ok, 10);
    CU_ASSERT_EQUAL(refused, 40);
    CU_ASSERT_EQUAL(other, 0);
    long long avail = pur_account(id, "available");
    if (avail != 0)
        it_note("after the spend race: accounts.available = %lld, expected 0", avail);
    CU_ASSERT_EQUAL(avail, 0);
    CU_ASSERT_EQUAL(pur_account(id, "pending"), pending);
    CU_ASSERT_EQUAL(pur_card_available(card, NULL), 0);
    CU_ASSERT_EQUAL(pur_sql1("SELECT count(*) FROM purchases WHERE client_id = $1", id), ok);
    CU_ASSERT_EQUAL(pur_sql1("SELECT coalesce(sum(amount), 0) FROM spend_draws WHERE "
                             "client_id = $1 AND kind = 'spend'",
                             id),
                    (long long)ok * 10000);
    CU_ASSERT_EQUAL(pur_sql1("SELECT coalesce(sum(remaining), 0) FROM points_lots WHERE "
                             "client_id = $1 AND bucket = 'available'",
                             id),
                    0);
    CU_ASSERT(pur_points_settings("{}"));
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
}

static void test_retry_storm(void)
{
    static struct race_shot shots[RACE_N];
    static char bodies[RACE_N][512];
    char card[33], receipt[80];
    CU_ASSERT_FATAL(pur_points_settings("{}"));
    long long id = pur_new_funded_client("1000.00", card);
    CU_ASSERT_FATAL(id > 0);
    uniq_str("IT-STORM", receipt, sizeof(receipt));
    for (int i = 0; i < RACE_N; i++)
        snprintf(bodies[i], sizeof(bodies[i]),
                 "{\"receipt_id\":\"%s\",\"card\":\"%s\",\"points_to_spend\":100,"
                 "\"lines\":[{\"line_no\":1,\"sku\":\"RS\",\"qty\":2,\"price\":250.00}]}",
                 receipt, card);
    race_fire(shots, bodies, RACE_N);
    int created = 0, repeated = 0, other = 0, differ = 0, first = -1;
    for (int i = 0; i < RACE_N; i++)
        if (shots[i].status == 201 && first < 0)
            first = i;
    for (int i = 0; i < RACE_N; i++) {
        if (shots[i].status == 201)
            created++;
        else if (shots[i].status == 200)
            repeated++;
        else {
            if (other < 5)
                it_note("retry storm request %d: %ld %s", i, shots[i].status, shots[i].raw);
            other++;
        }
        char why[600];
        if (first >= 0 && (shots[i].status == 200 || shots[i].status == 201) &&
            !jx_json_equal(shots[first].doc, shots[i].doc, NULL, why, sizeof(why))) {
            if (differ < 3)
                it_note("retry storm answer %d differs from the 201 one: %s", i, why);
            differ++;
        }
    }
    printf("\n    one receipt 50 times at once: %d × 201, %d × 200, %d other, %d documents "
           "differ\n",
           created, repeated, other, differ);
    CU_ASSERT_EQUAL(created, 1);
    CU_ASSERT_EQUAL(repeated, RACE_N - 1);
    CU_ASSERT_EQUAL(other, 0);
    CU_ASSERT_EQUAL(differ, 0);
    if (first >= 0) {
        const char *st = jstr(shots[first].doc, "status");
        CU_ASSERT(st && strcmp(st, "confirmed") == 0);
    }
    const char *p[1] = {receipt};
    CU_ASSERT_EQUAL(pur_sql("SELECT count(*) FROM purchases WHERE receipt_id = $1", 1, p), 1);
    CU_ASSERT_EQUAL(pur_sql("SELECT count(*) FROM receipt_index WHERE receipt_id = $1", 1, p), 1);
    CU_ASSERT_EQUAL(pur_sql1("SELECT count(*) FROM ledger_entries WHERE client_id = $1 AND "
                             "kind = 'spend'",
                             id),
                    1);
    long long accrued = first >= 0 ? pur_minor(jtext(shots[first].doc, "points_accrued")) : 0;
    CU_ASSERT_EQUAL(pur_account(id, "available"), 100000 - 10000 + accrued);
    for (int i = 0; i < RACE_N; i++)
        if (shots[i].doc)
            json_object_put(shots[i].doc);
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
}

/* ------------------------------------------------------- load threads -- */

/* One recorded request of a load thread. */
struct race_req {
    char receipt[72];   /* its receipt id */
    long status;        /* answer status, 0 = none */
    char code[32];      /* error code */
    double t0, t1;      /* start and end (monotonic) */
};

/* A load thread: confirms (and card reads) on its own client until stop_at. */
struct race_load {
    int no;                       /* thread number */
    long long client_id;          /* its client */
    char card[33];                /* its card */
    char run[48];                 /* receipt prefix */
    volatile double stop_at;      /* when to stop (the main thread may move it) */
    bool read_after;              /* read the card after every confirm */
    long timeout_ms;              /* per request */
    long expected_failure;        /* a status the fault may cause: counted, not noted */
    long pause_ms;                /* between two confirms (leaves CPU to ./dev svc) */
    struct race_req *reqs;        /* confirms made (RACE_MAX_REQ) */
    int n;                        /* how many */
    int reads, read_5xx, stale;   /* card reads, their 5xx, reads ≠ balance.after */
    int notes;                    /* notes printed */
};

static void *race_load_run(void *arg)
{
    struct race_load *l = arg;
    char body[512], path[96];
    snprintf(path, sizeof(path), "/api/v1/cards/%s", l->card);
    while (race_now() < l->stop_at && l->n < RACE_MAX_REQ) {
        struct race_req *q = &l->reqs[l->n++];
        snprintf(q->receipt, sizeof(q->receipt), "%s-%d-%d", l->run, l->no, l->n);
        snprintf(body, sizeof(body),
                 "{\"receipt_id\":\"%s\",\"card\":\"%s\",\"points_to_spend\":1,"
                 "\"lines\":[{\"line_no\":1,\"sku\":\"LD\",\"qty\":1,\"price\":10.00}]}",
                 q->receipt, l->card);
        struct http_call c = {.method = "POST", .url = "/api/v1/purchases", .auth = AUTH_POS,
                              .accept = JSON_T, .content_type = JSON_T, .body = body,
                              .timeout_ms = l->timeout_ms};
        struct http_resp r;
        q->t0 = race_now();
        http_exec(&c, &r);
        q->t1 = race_now();
        q->status = r.status;
        race_code(&r, q->code, sizeof(q->code));
        if ((r.status >= 500 || r.status == 0) && r.status != l->expected_failure &&
            l->notes < 3) {
            l->notes++;
            it_note("load thread %d: %s -> %ld %.200s%s", l->no, r.what, r.status,
                    r.body ? r.body : "", r.status ? "" : r.curl_error);
        }
        long long after = r.status == 201 ? pur_minor(jtext(r.json, "balance.after")) : LLONG_MIN;
        char confirm_rid[128];
        snprintf(confirm_rid, sizeof(confirm_rid), "%s", r.request_id);
        http_resp_free(&r);
        if (after != LLONG_MIN && l->read_after) {
            struct http_call g = {.url = path, .auth = AUTH_POS, .accept = JSON_T,
                                  .timeout_ms = l->timeout_ms};
            http_exec(&g, &r);
            l->reads++;
            if (r.status >= 500 || r.status == 0) {
                l->read_5xx++;
                if (l->notes < 3) {
                    l->notes++;
                    it_note("load thread %d: %s -> %ld %.200s", l->no, r.what, r.status,
                            r.body ? r.body : "");
                }
            } else {
                long long shown = pur_minor(jtext(r.json, "balance.available"));
                if (shown != after) {
                    l->stale++;
                    if (l->notes < 3) {
                        l->notes++;
                        char a[32], b[32];
                        it_note("load thread %d at %+.2fs: %s (X-Request-Id %s) right after the "
                                "confirm of %s (X-Request-Id %s) returned balance.after %s shows "
                                "%s (X-Cache %s)",
                                l->no, race_now() - race_t0, r.what, r.request_id, q->receipt,
                                confirm_rid, pur_fmt(after, a, sizeof(a)),
                                pur_fmt(shown, b, sizeof(b)), r.x_cache);
                    }
                }
            }
            http_resp_free(&r);
        }
        if (q->status != 201)
            race_sleep_ms(50); /* no hot loop while something is down */
        else if (l->pause_ms)
            race_sleep_ms(l->pause_ms);
    }
    http_thread_done();
    return NULL;
}

/* Make n load threads' clients (funded) and records. */
static bool race_loads_init(struct race_load *loads, int n, const char *prefix, double stop_at,
                            bool read_after, long timeout_ms)
{
    char run[48];
    uniq_str(prefix, run, sizeof(run));
    for (int i = 0; i < n; i++) {
        memset(&loads[i], 0, sizeof(loads[i]));
        loads[i].no = i;
        snprintf(loads[i].run, sizeof(loads[i].run), "%s", run);
        loads[i].stop_at = stop_at;
        loads[i].read_after = read_after;
        loads[i].timeout_ms = timeout_ms;
        loads[i].reqs = calloc(RACE_MAX_REQ, sizeof(struct race_req));
        loads[i].client_id = pur_new_funded_client("10000.00", loads[i].card);
        if (!loads[i].reqs || loads[i].client_id <= 0)
            return false;
    }
    return true;
}

static void race_loads_free(struct race_load *loads, int n)
{
    for (int i = 0; i < n; i++) {
        free(loads[i].reqs);
        loads[i].reqs = NULL;
    }
}

/* Receipt ids of the recorded requests whose status is `status` (-1: any). */
static char **race_receipts(struct race_load *loads, int n, long status, size_t *count)
{
    size_t total = 0, k = 0;
    for (int i = 0; i < n; i++)
        total += (size_t)loads[i].n;
    char **ids = calloc(total ? total : 1, sizeof(char *));
    for (int i = 0; ids && i < n; i++)
        for (int j = 0; j < loads[i].n; j++)
            if (status < 0 || loads[i].reqs[j].status == status)
                ids[k++] = loads[i].reqs[j].receipt;
    *count = k;
    return ids;
}

static bool race_health_redis_ok(int seconds)
{
    for (int i = 0; i < seconds * 10; i++) {
        struct http_resp r;
        http_get(&r, "/api/v1/health", NULL, JSON_T);
        bool ok = r.status == 200 && jstr(r.json, "redis") && strcmp(jstr(r.json, "redis"), "ok") == 0;
        http_resp_free(&r);
        if (ok)
            return true;
        race_sleep_ms(100);
    }
    return false;
}

static bool race_health_ok(int seconds)
{
    for (int i = 0; i < seconds * 10; i++) {
        struct http_resp r;
        http_get(&r, "/api/v1/health", NULL, JSON_T);
        bool ok = r.status == 200 && jstr(r.json, "status") && strcmp(jstr(r.json, "status"), "ok") == 0;
        http_resp_free(&r);
        if (ok)
            return true;
        race_sleep_ms(100);
    }
    return false;
}

/* --------------------------------------------------------------- Redis -- */

#define REDIS_THREADS 16

static void test_redis_stopped_under_purchases(void)
{
    static struct race_load loads[REDIS_THREADS];
    pthread_t th[REDIS_THREADS];
    CU_ASSERT_FATAL(pur_points_settings("{}"));
    bool made = race_loads_init(loads, REDIS_THREADS, "IT-RD", 0, true, 10000);
    CU_ASSERT_FATAL(made);
    /* warm the cache of every card */
    for (int i = 0; i < REDIS_THREADS; i++) {
        pur_card_available(loads[i].card, NULL);
        loads[i].pause_ms = 20;
    }
    double t0 = race_now();
    race_t0 = t0;
    for (int i = 0; i < REDIS_THREADS; i++) {
        loads[i].stop_at = t0 + 600; /* set once Redis is back */
        pthread_create(&th[i], NULL, race_load_run, &loads[i]);
    }
    race_sleep_until(t0 + 1.0);
    bool stopped = pur_svc("stop", "redis");
    double t_stopped = race_now();
    race_sleep_until(t0 + 3.0 > t_stopped + 1.0 ? t0 + 3.0 : t_stopped + 1.0);
    bool started = pur_svc("start", "redis");
    double t_started = race_now();
    /* the load goes on ~2 s with Redis back (at least 5 s in all) */
    for (int i = 0; i < REDIS_THREADS; i++)
        loads[i].stop_at = t0 + 5.0 > t_started + 2.0 ? t0 + 5.0 : t_started + 2.0;
    for (int i = 0; i < REDIS_THREADS; i++)
        pthread_join(th[i], NULL);
    CU_ASSERT(stopped);
    CU_ASSERT(started);

    int confirms = 0, ok = 0, fivexx = 0, reads = 0, read5 = 0, stale = 0, during = 0, after = 0;
    for (int i = 0; i < REDIS_THREADS; i++) {
        for (int j = 0; j < loads[i].n; j++) {
            struct race_req *q = &loads[i].reqs[j];
            confirms++;
            ok += q->status == 201;
            fivexx += q->status >= 500 || q->status == 0;
            during += q->status == 201 && q->t0 > t_stopped && q->t1 < t_started;
            after += q->status == 201 && q->t0 > t_started;
        }
        reads += loads[i].reads;
        read5 += loads[i].read_5xx;
        stale += loads[i].stale;
    }
    printf("\n    Redis down %.1fs..%.1fs: %d confirms (%d × 201, %d while down, %d after), %d "
           "card reads, %d 5xx, %d reads not equal to the confirm's balance.after\n",
           t_stopped - t0, t_started - t0, confirms, ok, during, after, reads, fivexx + read5,
           stale);
    CU_ASSERT_EQUAL(fivexx, 0);
    CU_ASSERT_EQUAL(read5, 0);
    CU_ASSERT_EQUAL(stale, 0);
    CU_ASSERT(ok > REDIS_THREADS);
    if (stopped && started) {
        CU_ASSERT(during > 0); /* purchases went on while Redis was down … */
        CU_ASSERT(after > 0);  /* … and after it came back */
    }
    /* after the run: every card shows what the database holds, now and once cached again */
    int differ = 0;
    for (int pass = 0; pass < 3; pass++) {
        if (pass == 1)
            CU_ASSERT(race_health_redis_ok(10));
        for (int i = 0; i < REDIS_THREADS; i++) {
            long long db = pur_account(loads[i].client_id, "available");
            long long shown = pur_card_available(loads[i].card, NULL);
            if (db != shown) {
                if (differ < 5) {
                    char a[32], b[32];
                    it_note("after the Redis run (pass %d): card %s shows %s, accounts.available "
                            "is %s",
                            pass, loads[i].card, pur_fmt(shown, a, sizeof(a)),
                            pur_fmt(db, b, sizeof(b)));
                }
                differ++;
            }
        }
    }
    CU_ASSERT_EQUAL(differ, 0);
    race_loads_free(loads, REDIS_THREADS);
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
}

/* ----------------------------------------------------------- PostgreSQL -- */

#define PG_THREADS 8

static void test_postgres_restarted_under_purchases(void)
{
    static struct race_load loads[PG_THREADS];
    pthread_t th[PG_THREADS];
    CU_ASSERT_FATAL(pur_points_settings("{}"));
    bool made = race_loads_init(loads, PG_THREADS, "IT-PG", 0, false, 10000);
    CU_ASSERT_FATAL(made);
    for (int i = 0; i < PG_THREADS; i++)
        loads[i].expected_failure = 503;
    double t0 = race_now();
    for (int i = 0; i < PG_THREADS; i++) {
        loads[i].stop_at = t0 + 600; /* set again once PostgreSQL is back */
        pthread_create(&th[i], NULL, race_load_run, &loads[i]);
    }
    race_sleep_until(t0 + 1.0);
    pur_db_close();
    it_db_close();
    double t_stop = race_now();
    bool stopped = pur_svc("stop", "postgres");
    double t_stopped = race_now();
    race_sleep_until(t_stopped + 2.0);
    bool started = pur_svc("start", "postgres");
    double t_started = race_now();
    for (int i = 0; i < PG_THREADS; i++)
        loads[i].stop_at = t_started + 5.0;
    for (int i = 0; i < PG_THREADS; i++)
        pthread_join(th[i], NULL);
    CU_ASSERT(stopped);
    CU_ASSERT(started);

    int n = 0, created = 0, unavailable = 0, other = 0, slow = 0, last_bad = 0;
    double first_ok_after = -1, longest = 0;
    for (int i = 0; i < PG_THREADS; i++) {
        for (int j = 0; j < loads[i].n; j++) {
            struct race_req *q = &loads[i].reqs[j];
            double took = q->t1 - q->t0;
            n++;
            if (took > longest)
                longest = took;
            if (took > 10.0)
                slow++;
            if (q->status == 201) {
                created++;
                if (q->t0 >= t_started && (first_ok_after < 0 || q->t1 - t_started < first_ok_after))
                    first_ok_after = q->t1 - t_started;
            } else if (q->status == 503 && strcmp(q->code, "unavailable") == 0) {
                unavailable++;
            } else {
                if (other < 5)
                    it_note("PostgreSQL restart: %s at %+.2fs (stop at %+.2fs, back at %+.2fs): "
                            "%ld %s",
                            q->receipt, q->t0 - t0, t_stop - t0, t_started - t0, q->status,
                            q->code);
                other++;
            }
        }
        if (loads[i].n && loads[i].reqs[loads[i].n - 1].status != 201)
            last_bad++;
    }
    printf("\n    PostgreSQL stopped %.1fs..%.1fs, started %.1fs: %d confirms, %d × 201, %d × 503, "
           "%d other, longest %.2fs, first 201 %.2fs after the start\n",
           t_stop - t0, t_stopped - t0, t_started - t0, n, created, unavailable, other, longest,
           first_ok_after);
    CU_ASSERT_EQUAL(other, 0);
    CU_ASSERT_EQUAL(slow, 0);
    CU_ASSERT(unavailable > 0);          /* the outage was seen … */
    CU_ASSERT(first_ok_after >= 0 && first_ok_after < 5.0); /* … and the service resumed */
    CU_ASSERT_EQUAL(last_bad, 0);

    /* nothing half-written */
    size_t nok = 0, nfail = 0;
    char **ok_ids = race_receipts(loads, PG_THREADS, 201, &nok);
    char **fail_ids = race_receipts(loads, PG_THREADS, 503, &nfail);
    long long not_whole = race_not_whole(ok_ids, nok, 1);
    long long present = race_present(fail_ids, nfail);
    if (not_whole)
        it_note("%lld of %zu receipts answered 201 are not a whole purchase in the database",
                not_whole, nok);
    if (present)
        it_note("%lld of %zu receipts answered 503 exist in the database", present, nfail);
    CU_ASSERT_EQUAL(not_whole, 0);
    CU_ASSERT_EQUAL(present, 0);
    free(ok_ids);
    free(fail_ids);
    race_loads_free(loads, PG_THREADS);
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
}

/* ------------------------------------------------------- worker SIGKILL -- */

#define KILL_THREADS 16
#define KILL_MAX_PIDS 64

static void test_worker_killed_under_purchases(void)
{
    static struct race_load loads[KILL_THREADS];
    pthread_t th[KILL_THREADS];
    pid_t before[KILL_MAX_PIDS], after[KILL_MAX_PIDS];
    CU_ASSERT_FATAL(pur_points_settings("{}"));
    pid_t master = it_fcgi_master();
    int nbefore = master > 0 ? it_live_children(master, before, KILL_MAX_PIDS) : 0;
    if (master <= 0 || nbefore < 1) {
        it_note("no FastCGI master/workers (master pid %d, %d workers)", (int)master, nbefore);
        CU_FAIL("no worker to kill");
        return;
    }
    bool made = race_loads_init(loads, KILL_THREADS, "IT-KL", 0, false, 10000);
    CU_ASSERT_FATAL(made);
    for (int i = 0; i < KILL_THREADS; i++)
        loads[i].expected_failure = 502;
    double t0 = race_now();
    for (int i = 0; i < KILL_THREADS; i++) {
        loads[i].stop_at = t0 + 10.0;
        pthread_create(&th[i], NULL, race_load_run, &loads[i]);
    }
    race_sleep_until(t0 + 3.0);
    pid_t victim = before[0];
    int krc = kill(victim, SIGKILL);
    double t_kill = race_now();
    CU_ASSERT_EQUAL(krc, 0);
    for (int i = 0; i < KILL_THREADS; i++)
        pthread_join(th[i], NULL);

    int n = 0, created = 0, bad_gateway = 0, other = 0;
    for (int i = 0; i < KILL_THREADS; i++)
        for (int j = 0; j < loads[i].n; j++) {
            struct race_req *q = &loads[i].reqs[j];
            n++;
            if (q->status == 201)
                created++;
            else if (q->status == 502)
                bad_gateway++;
            else {
                if (other < 5)
                    it_note("worker kill: %s at %+.2fs after the kill: %ld %s", q->receipt,
                            q->t0 - t_kill, q->status, q->code);
                other++;
            }
        }
    /* every 2xx is in the database; every purchase in the database reads back */
    size_t nok = 0, nall = 0, n502 = 0;
    char **ok_ids = race_receipts(loads, KILL_THREADS, 201, &nok);
    char **all_ids = race_receipts(loads, KILL_THREADS, -1, &nall);
    char **bg_ids = race_receipts(loads, KILL_THREADS, 502, &n502);
    long long not_whole = race_not_whole(ok_ids, nok, 1);
    long long bg_present = race_present(bg_ids, n502);
    if (not_whole)
        it_note("%lld of %zu receipts answered 201 are not a whole purchase in the database",
                not_whole, nok);
    int unreadable = 0, read = 0;
    char *arr = race_array(all_ids, nall);
    const char *p[1] = {arr};
    size_t list_size = nall * 80 + 16;
    char *list = malloc(list_size);
    const char *stored = list ? pur_sql_text("SELECT string_agg(receipt_id, ' ') FROM purchases "
                                             "WHERE receipt_id = ANY($1::text[])",
                                             1, p, list, list_size)
                              : NULL;
    free(arr);
    for (char *tok = stored ? strtok(list, " ") : NULL; tok; tok = strtok(NULL, " ")) {
        char path[160];
        snprintf(path, sizeof(path), "/api/v1/purchases/%s", tok);
        struct http_resp r;
        http_get(&r, path, AUTH_POS, JSON_T);
        read++;
        if (r.status != 200 || !jstr(r.json, "receipt_id") ||
            strcmp(jstr(r.json, "receipt_id"), tok) != 0) {
            if (unreadable < 5)
                it_note("a stored purchase does not read back: %s -> %ld %.200s", r.what,
                        r.status, r.body);
            unreadable++;
        }
        http_resp_free(&r);
    }
    free(list);
    printf("\n    worker %d killed at +%.1fs: %d confirms by %d threads, %d × 201, %d × 502 (%lld "
           "of them committed), %d other; %d stored purchases read back\n",
           (int)victim, t_kill - t0, n, KILL_THREADS, created, bad_gateway, bg_present, other,
           read);
    CU_ASSERT(created > KILL_THREADS);
    CU_ASSERT_EQUAL(other, 0);
    CU_ASSERT(bad_gateway <= KILL_THREADS);
    CU_ASSERT_EQUAL(not_whole, 0);
    CU_ASSERT_EQUAL(unreadable, 0);
    CU_ASSERT(read >= created);
    free(ok_ids);
    free(all_ids);
    free(bg_ids);

    /* the master has the configured number of workers again */
    int nafter = 0;
    bool back = false;
    for (int t = 0; t < 100 && !back; t++) {
        nafter = it_live_children(master, after, KILL_MAX_PIDS);
        bool gone = true;
        for (int i = 0; i < nafter; i++)
            gone = gone && after[i] != victim;
        back = gone && nafter == E.workers;
        if (!back)
            race_sleep_ms(100);
    }
    if (!back)
        it_note("after the kill of %d: %d workers, %d configured", (int)victim, nafter, E.workers);
    CU_ASSERT(back);
    race_loads_free(loads, KILL_THREADS);
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
}

/* -------------------------------------------------------------- suite -- */

int races_suite_cleanup(void)
{
    /* whatever happened: every service runs again, the settings are the defaults */
    if (E.dev) {
        pur_svc("start", "postgres");
        pur_svc("start", "redis");
        pur_svc("start", "fcgi");
        pur_svc("start", "nginx");
        race_health_ok(20);
    }
    pur_points_settings("{}");
    pur_db_close();
    return 0;
}

void races_add_tests(CU_pSuite s)
{
    CU_add_test(s, "50 strict spends of 100 on 1,000: exactly 10 succeed, balance 0",
                test_double_spend);
    CU_add_test(s, "one receipt 50 times at once: one 201, 49 × 200, one purchase",
                test_retry_storm);
    CU_add_test(s, "Redis stopped under purchases: no 5xx, never a stale balance",
                test_redis_stopped_under_purchases);
    CU_add_test(s, "PostgreSQL restarted under purchases: 503, resumes, nothing half-written",
                test_postgres_restarted_under_purchases);
    CU_add_test(s, "worker SIGKILLed under purchases: every 2xx stored, every purchase readable",
                test_worker_killed_under_purchases);
}
