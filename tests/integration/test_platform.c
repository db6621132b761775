/* test_platform.c: TLS client certificates as credentials (partners), and the master's
 * SIGHUP reload (new workers, no refused request). */
#include <CUnit/CUnit.h>
#include <curl/curl.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "it.h"

/* Run a shell command; true on exit status 0. */
static bool plat_sh(const char *cmd)
{
    int rc = system(cmd);
    return rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 0;
}

/* First line of a command's output. */
static bool plat_sh_line(const char *cmd, char *out, size_t n)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return false;
    bool ok = fgets(out, (int)n, p) != NULL;
    int rc = pclose(p);
    out[strcspn(out, "\r\n")] = '\0';
    return ok && rc == 0;
}

static size_t plat_sink(char *p, size_t s, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return s * n;
}

/* GET a path over HTTPS presenting cert/key (NULL = none); returns the status. */
static long plat_get_with_cert(const char *path, const char *cert, const char *key)
{
    char url[512];
    long status = 0;
    CURL *c = curl_easy_init();
    if (!c)
        return 0;
    snprintf(url, sizeof(url), "%s%s", E.https_url, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, plat_sink);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    if (cert) {
        curl_easy_setopt(c, CURLOPT_SSLCERT, cert);
        curl_easy_setopt(c, CURLOPT_SSLKEY, key);
    }
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    return status;
}

/* A partner presenting a registered certificate is that API client; an unknown
 * certificate or none is 401; the certificate's scope still applies (403). */
static void test_client_certificate(void)
{
    char dir[] = "/tmp/it-cert-XXXXXX", cmd[2048], fp[128], name[64], path[128];
    if (!mkdtemp(dir)) {
        CU_FAIL("mkdtemp");
        return;
    }
    for (int i = 0; i < 2; i++) {
        snprintf(cmd, sizeof(cmd),
                 "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=partner%d "
                 "-keyout %s/k%d.pem -out %s/c%d.pem >/dev/null 2>&1",
                 i, dir, i, dir, i);
        CU_ASSERT_FATAL(plat_sh(cmd));
    }
    snprintf(cmd, sizeof(cmd), "openssl x509 -in %s/c0.pem -outform der | sha256sum | cut -c1-64",
             dir);
    CU_ASSERT_FATAL(plat_sh_line(cmd, fp, sizeof(fp)) && strlen(fp) == 64);
    uniq_str("it-cert", name, sizeof(name));
    snprintf(cmd, sizeof(cmd),
             "%s ctl api-client create --name %s --scopes pos --fingerprint %s >/dev/null",
             E.dev, name, fp);
    CU_ASSERT_FATAL(E.dev && plat_sh(cmd));

    char c0[128], k0[128], c1[128], k1[128];
    snprintf(c0, sizeof(c0), "%s/c0.pem", dir);
    snprintf(k0, sizeof(k0), "%s/k0.pem", dir);
    snprintf(c1, sizeof(c1), "%s/c1.pem", dir);
    snprintf(k1, sizeof(k1), "%s/k1.pem", dir);
    snprintf(path, sizeof(path), "/api/v1/cards/%s", DEMO_CARD);
    CU_ASSERT_EQUAL(plat_get_with_cert(path, c0, k0), 200);      /* registered: pos may read */
    CU_ASSERT_EQUAL(plat_get_with_cert(path, c1, k1), 401);      /* unknown certificate */
    CU_ASSERT_EQUAL(plat_get_with_cert(path, NULL, NULL), 401);  /* nothing presented */
    CU_ASSERT_EQUAL(plat_get_with_cert("/api/v1/levels", c0, k0), 403); /* pos: no config */

    /* revoked: the next request is refused (the change is notified to every worker) */
    snprintf(cmd, sizeof(cmd), "%s ctl api-client revoke --name %s >/dev/null", E.dev, name);
    CU_ASSERT(plat_sh(cmd));
    long after = 0;
    for (int i = 0; i < 20 && (after = plat_get_with_cert(path, c0, k0)) != 401; i++)
        usleep(100 * 1000);
    CU_ASSERT_EQUAL(after, 401);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    plat_sh(cmd);
}

/* Worker pids (children of the master), sorted, as text for comparison. */
static int plat_workers(char *out, size_t n)
{
    pid_t pids[64];
    int k = it_live_children(it_fcgi_master(), pids, 64);
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++)
            if (pids[j] < pids[i]) {
                pid_t t = pids[i];
                pids[i] = pids[j];
                pids[j] = t;
            }
    for (int i = 0; i < k && len < n; i++)
        len += (size_t)snprintf(out + len, n - len, "%d ", (int)pids[i]);
    return k;
}

/* SIGHUP: the master starts new workers and the old ones finish; requests keep working. */
static void test_reload(void)
{
    char before[256] = "", after[256] = "", cmd[512], path[128];
    snprintf(path, sizeof(path), "/api/v1/cards/%s", DEMO_CARD);
    CU_ASSERT_FATAL(plat_workers(before, sizeof(before)) > 0);
    snprintf(cmd, sizeof(cmd), "kill -HUP $(cat %s/run/loyalty-fcgi.pid)", E.var);
    CU_ASSERT_FATAL(plat_sh(cmd));
    int failures = 0;
    for (int i = 0; i < 40; i++) {
        struct http_call c = {.method = "GET", .url = path, .auth = AUTH_POS};
        struct http_resp r;
        http_exec(&c, &r);
        failures += r.status != 200;
        http_resp_free(&r);
        usleep(50 * 1000);
    }
    CU_ASSERT_EQUAL(failures, 0);
    for (int i = 0; i < 50; i++) {
        plat_workers(after, sizeof(after));
        if (*after && strcmp(after, before) != 0)
            break;
        usleep(100 * 1000);
    }
    if (strcmp(after, before) == 0)
        it_note("workers before and after SIGHUP: %s / %s", before, after);
    CU_ASSERT_STRING_NOT_EQUAL(after, before);
}

/* `loyaltyctl verify` finds a lot changed behind the ledger's back, and is clean again once
 * the row is put back. */
static void test_verify_detects_corruption(void)
{
    char card[33], cmd[512], id[32];
    long long client = pur_new_funded_client("100.00", card);
    CU_ASSERT_FATAL(client > 0);
    CU_ASSERT_FATAL(pur_verify_clean(__FILE__, __LINE__));
    snprintf(id, sizeof(id), "%lld", client);
    const char *p[1] = {id};
    CU_ASSERT_EQUAL_FATAL(pur_sql("UPDATE points_lots SET remaining = remaining - 1 "
                                  "WHERE client_id = $1::bigint AND remaining > 0",
                                  1, p), 1);
    snprintf(cmd, sizeof(cmd), "%s ctl verify >/dev/null 2>&1", E.dev);
    int rc = system(cmd);
    CU_ASSERT(rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) == 1);
    CU_ASSERT_EQUAL(pur_sql("UPDATE points_lots SET remaining = remaining + 1 "
                            "WHERE client_id = $1::bigint", 1, p), 1);
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
}

/* A confirm that pins what the caller saw ("expect") is refused with 409 price_changed when
 * the result under the lock differs, and goes through when it matches. */
static void test_expect_price_changed(void)
{
    char card[33], body[1024], rid[64];
    struct http_resp r;
    long long client = pur_new_funded_client("100.00", card);
    CU_ASSERT_FATAL(client > 0);
    uniq_str("it-expect", rid, sizeof(rid));
    /* 2 × 50.00 = 100.00, 30 points spent: 70.00 to pay */
    snprintf(body, sizeof(body),
             "{\"receipt_id\":\"%s\",\"card\":\"%s\",\"points_to_spend\":30,"
             "\"lines\":[{\"line_no\":1,\"qty\":2,\"price\":50}],"
             "\"expect\":{\"to_pay\":\"69.99\",\"points_spent\":30}}",
             rid, card);
    http_send(&r, "POST", "/api/v1/purchases", AUTH_POS, JSON_T, JSON_T, body);
    CU_ASSERT(it_check_error(&r, 409, "price_changed", "expect", __FILE__, __LINE__));
    http_resp_free(&r);
    CU_ASSERT_EQUAL(pur_card_available(card, "available"), 10000); /* nothing was spent */
    snprintf(body, sizeof(body),
             "{\"receipt_id\":\"%s\",\"card\":\"%s\",\"points_to_spend\":30,"
             "\"lines\":[{\"line_no\":1,\"qty\":2,\"price\":50}],"
             "\"expect\":{\"to_pay\":70,\"points_spent\":\"30.00\"}}",
             rid, card);
    http_send(&r, "POST", "/api/v1/purchases", AUTH_POS, JSON_T, JSON_T, body);
    CU_ASSERT(it_check_status(&r, 201, __FILE__, __LINE__));
    http_resp_free(&r);
}

/* POST a JSON body; the status, and a minor-unit member of the answer through *member. */
static long plat_post(const char *path, const char *auth, const char *body, const char *member,
                      long long *value)
{
    struct http_resp r;
    http_send(&r, "POST", path, auth, JSON_T, JSON_T, body);
    long status = r.status;
    json_object *v = NULL;
    if (value) {
        *value = LLONG_MIN;
        if (r.json && json_object_object_get_ex(r.json, member, &v))
            *value = pur_minor(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
    }
    if (status >= 300)
        it_note("POST %s -> %ld %.300s", path, status, r.body ? r.body : "");
    http_resp_free(&r);
    return status;
}

static long plat_adjust(long long client, const char *amount, const char *active_from)
{
    char body[512], key[64];
    uniq_str("it-adj", key, sizeof(key));
    snprintf(body, sizeof(body),
             "{\"client_id\":%lld,\"amount\":\"%s\",\"reason\":\"test\","
             "\"idempotency_key\":\"%s\"%s%s%s}",
             client, amount, key, active_from ? ",\"active_from\":\"" : "",
             active_from ? active_from : "", active_from ? "\"" : "");
    return plat_post("/api/v1/points/adjustments", AUTH_ERP, body, NULL, NULL);
}

static long plat_confirm(const char *card, const char *rid, long long *accrued)
{
    char body[512];
    snprintf(body, sizeof(body),
             "{\"receipt_id\":\"%s\",\"card\":\"%s\","
             "\"lines\":[{\"line_no\":1,\"qty\":1,\"price\":1000}]}",
             rid, card);
    return plat_post("/api/v1/purchases", AUTH_POS, body, "points_accrued", accrued);
}

static long plat_refund_all(const char *rid, long long *debt)
{
    char body[512], id[64];
    uniq_str("it-rf", id, sizeof(id));
    snprintf(body, sizeof(body),
             "{\"refund_id\":\"%s\",\"receipt_id\":\"%s\","
             "\"lines\":[{\"line_no\":1,\"qty\":1}]}",
             id, rid);
    return plat_post("/api/v1/refunds", AUTH_POS, body, "debt_created", debt);
}

static char *plat_amount(long long minor, char *buf, size_t n)
{
    pur_fmt(minor, buf, n);
    return buf;
}

/* A refund of spent accruals leaves a debt; points activated later pay it first. */
static void test_debt_paid_by_activation(void)
{
    char card[33], rid[64], amt[32], cmd[512];
    long long accrued, debt;
    long long client = pur_new_funded_client(NULL, card);
    CU_ASSERT_FATAL(client > 0);
    uniq_str("it-debt", rid, sizeof(rid));
    CU_ASSERT_FATAL(plat_confirm(card, rid, &accrued) == 201 && accrued > 0);
    snprintf(amt, sizeof(amt), "-");
    pur_fmt(accrued, amt + 1, sizeof(amt) - 1);
    CU_ASSERT_FATAL(plat_adjust(client, amt, NULL) == 201); /* the accrual is spent */
    CU_ASSERT_FATAL(plat_refund_all(rid, &debt) == 201);
    CU_ASSERT_EQUAL(debt, accrued);
    CU_ASSERT_EQUAL(pur_account(client, "debt"), accrued);
    CU_ASSERT_FATAL(plat_adjust(client, "50.00", "2099-01-01T00:00:00Z") == 201); /* pending */
    CU_ASSERT_EQUAL(pur_sql1("UPDATE points_lots SET active_from = now() - interval '1 minute' "
                             "WHERE client_id = $1::bigint AND bucket = 'pending'", client), 1);
    snprintf(cmd, sizeof(cmd), "%s ctl jobs run activation >/dev/null", E.dev);
    CU_ASSERT(plat_sh(cmd));
    long long paid = accrued < 5000 ? accrued : 5000;
    CU_ASSERT_EQUAL(pur_account(client, "debt"), accrued - paid);
    CU_ASSERT_EQUAL(pur_account(client, "available"), 5000 - accrued);
    CU_ASSERT_EQUAL(pur_card_available(card, "debt"), accrued - paid);
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
}

/* Without debts (allow_negative_balance_on_refund false) the spent part of a taken-back
 * accrual comes from the client's other points as far as they go. */
static void test_take_back_limited_to_balance(void)
{
    char card[33], rid[64], amt[48];
    long long accrued, debt;
    CU_ASSERT_FATAL(pur_points_settings("{\"allow_negative_balance_on_refund\": false}"));
    long long client = pur_new_funded_client("100.00", card);
    CU_ASSERT_FATAL(client > 0);
    uniq_str("it-nodebt", rid, sizeof(rid));
    CU_ASSERT_FATAL(plat_confirm(card, rid, &accrued) == 201 && accrued > 1);
    /* spend the older lot and half of the purchase's lot, then credit 20.00 */
    long long half = accrued / 2;
    amt[0] = '-';
    plat_amount(10000 + half, amt + 1, sizeof(amt) - 1);
    CU_ASSERT_FATAL(plat_adjust(client, amt, NULL) == 201);
    CU_ASSERT_FATAL(plat_adjust(client, "20.00", NULL) == 201);
    CU_ASSERT_FATAL(plat_refund_all(rid, &debt) == 201);
    CU_ASSERT_EQUAL(debt, 0);
    long long from_other = half < 2000 ? half : 2000;
    CU_ASSERT_EQUAL(pur_account(client, "debt"), 0);
    CU_ASSERT_EQUAL(pur_account(client, "available"), 2000 - from_other);
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
    CU_ASSERT(pur_points_settings("{}"));
}

/* Does GET /clients/{id} show created_at with this UTC offset? */
static bool plat_created_offset(long long client, const char *offset)
{
    char path[64];
    struct http_resp r;
    snprintf(path, sizeof(path), "/api/v1/clients/%lld", client);
    http_get(&r, path, AUTH_POS, JSON_T);
    const char *at = r.json ? jstr(r.json, "created_at") : NULL;
    bool ok = at && strlen(at) > 6 && strcmp(at + strlen(at) - 6, offset) == 0;
    http_resp_free(&r);
    return ok;
}

/* A settings change reaches every worker at once (NOTIFY): times come out in the new
 * business time zone on every following request, whichever worker answers it. */
static void test_timezone_change_reaches_every_worker(void)
{
    char card[33];
    long long client = pur_new_funded_client(NULL, card);
    struct http_resp r;
    CU_ASSERT_FATAL(client > 0);
    CU_ASSERT(plat_created_offset(client, "+03:00"));
    http_send(&r, "PUT", "/api/v1/settings", AUTH_ADMIN, JSON_T, JSON_T,
              "{\"timezone\": \"UTC\"}");
    CU_ASSERT(it_check_status(&r, 200, __FILE__, __LINE__));
    http_resp_free(&r);
    usleep(100 * 1000); /* the notification travels asynchronously: allow it milliseconds */
    int utc = 0;
    for (int i = 0; i < 20; i++) /* 20 requests spread over the workers */
        utc += plat_created_offset(client, "+00:00");
    CU_ASSERT_EQUAL(utc, 20);
    http_send(&r, "PUT", "/api/v1/settings", AUTH_ADMIN, JSON_T, JSON_T, "{}");
    CU_ASSERT(it_check_status(&r, 200, __FILE__, __LINE__));
    http_resp_free(&r);
    usleep(100 * 1000);
    int moscow = 0;
    for (int i = 0; i < 20; i++)
        moscow += plat_created_offset(client, "+03:00");
    CU_ASSERT_EQUAL(moscow, 20);
}

void platform_add_tests(CU_pSuite s)
{
    CU_add_test(s, "a time zone change reaches every worker at once",
                test_timezone_change_reaches_every_worker);
    CU_add_test(s, "a debt is paid by points activated later", test_debt_paid_by_activation);
    CU_add_test(s, "without debts a take-back is limited to the balance",
                test_take_back_limited_to_balance);
    CU_add_test(s, "confirm with expect: 409 price_changed, or 201 when it holds",
                test_expect_price_changed);
    CU_add_test(s, "loyaltyctl verify detects a corrupted lot", test_verify_detects_corruption);
    CU_add_test(s, "TLS client certificate as credentials", test_client_certificate);
    CU_add_test(s, "SIGHUP reload replaces the workers, no request refused", test_reload);
}
