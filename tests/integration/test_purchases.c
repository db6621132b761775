/* test_purchases.c: points and purchases through nginx (API.md §5–7, RULES.md "Points",
 * "Calculating a receipt", hold mode): a whole POS session in JSON and in XML giving the
 * same documents, the §6 example numbers, spends that draw the earliest-expiring lot and
 * cancels that restore exactly those lots, and the set-based jobs (activation, expiry,
 * hold release) run twice. Also the helpers that test_races.c shares (SQL with parameters,
 * ./dev ctl, settings, funded clients, amounts in minor units). */
#include <errno.h>
#include <json-c/json.h>
#include <libpq-fe.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "compare.h"
#include "it.h"

extern char **environ;

/* ================================================================ helpers == */

static PGconn *pur_pg;

static PGconn *pur_db(void)
{
    if (pur_pg && PQstatus(pur_pg) == CONNECTION_OK)
        return pur_pg;
    if (pur_pg)
        PQfinish(pur_pg);
    pur_pg = PQconnectdb(E.pg);
    if (PQstatus(pur_pg) != CONNECTION_OK) {
        it_note("cannot connect to PostgreSQL (%s): %s", E.pg, PQerrorMessage(pur_pg));
        PQfinish(pur_pg);
        pur_pg = NULL;
    }
    return pur_pg;
}

void pur_db_close(void)
{
    if (pur_pg)
        PQfinish(pur_pg);
    pur_pg = NULL;
}

static PGresult *pur_query(const char *sql, int n, const char *const *p)
{
    PGconn *c = pur_db();
    if (!c)
        return NULL;
    PGresult *r = PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
        it_note("SQL failed: %s: %s", sql, PQresultErrorMessage(r));
        PQclear(r);
        /* a broken connection is opened again next time */
        if (PQstatus(c) != CONNECTION_OK)
            pur_db_close();
        return NULL;
    }
    return r;
}

long long pur_sql(const char *sql, int n, const char *const *p)
{
    PGresult *r = pur_query(sql, n, p);
    long long v = LLONG_MIN;
    if (!r)
        return v;
    if (PQresultStatus(r) == PGRES_COMMAND_OK)
        v = strtoll(PQcmdTuples(r), NULL, 10);
    else if (PQntuples(r) >= 1 && PQnfields(r) >= 1 && !PQgetisnull(r, 0, 0))
        v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return v;
}

const char *pur_sql_text(const char *sql, int n, const char *const *p, char *out, size_t size)
{
    PGresult *r = pur_query(sql, n, p);
    if (!r)
        return NULL;
    const char *v = NULL;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) >= 1 && !PQgetisnull(r, 0, 0)) {
        snprintf(out, size, "%s", PQgetvalue(r, 0, 0));
        v = out;
    }
    PQclear(r);
    return v;
}

long long pur_sql1(const char *sql, long long a)
{
    char s[32];
    snprintf(s, sizeof(s), "%lld", a);
    const char *p[1] = {s};
    return pur_sql(sql, 1, p);
}

static long long pur_sql2(const char *sql, long long a, long long b)
{
    char s[2][32];
    snprintf(s[0], sizeof(s[0]), "%lld", a);
    snprintf(s[1], sizeof(s[1]), "%lld", b);
    const char *p[2] = {s[0], s[1]};
    return pur_sql(sql, 2, p);
}

long long pur_minor(const char *text)
{
    if (!text || !*text)
        return LLONG_MIN;
    const char *s = text;
    bool neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    if (*s < '0' || *s > '9')
        return LLONG_MIN;
    long long whole = 0, frac = 0;
    while (*s >= '0' && *s <= '9')
        whole = whole * 10 + (*s++ - '0');
    if (*s == '.') {
        s++;
        int digits = 0;
        while (*s >= '0' && *s <= '9') {
            if (digits >= 2)
                return LLONG_MIN; /* more than two fraction digits is not an amount */
            frac = frac * 10 + (*s++ - '0');
            digits++;
        }
        if (digits == 1)
            frac *= 10;
    }
    if (*s)
        return LLONG_MIN;
    long long v = whole * 100 + frac;
    return neg ? -v : v;
}

const char *pur_fmt(long long minor, char *buf, size_t n)
{
    if (minor == LLONG_MIN) {
        snprintf(buf, n, "(none)");
        return buf;
    }
    unsigned long long a = minor < 0 ? (unsigned long long)(-minor) : (unsigned long long)minor;
    snprintf(buf, n, "%s%llu.%02llu", minor < 0 ? "-" : "", a / 100, a % 100);
    return buf;
}

/* value × part / whole, half up (value ≥ 0): the quantity share of API.md §6 refunds */
static long long pur_share(long long value, long long part, long long whole)
{
    return whole ? (value * part * 2 + whole) / (2 * whole) : 0;
}

static const char *pur_at(const struct http_resp *r, const char *path, char *buf, size_t n)
{
    if (r->json) {
        const char *t = jtext(r->json, path);
        if (!t)
            return NULL;
        snprintf(buf, n, "%s", t);
        return buf;
    }
    xmlNode *x = r->xml ? xmlDocGetRootElement(r->xml) : NULL;
    const char *p = path;
    while (x && *p) {
        size_t len = strcspn(p, ".");
        char seg[96];
        snprintf(seg, sizeof(seg), "%.*s", (int)len, p);
        char *end;
        long idx = strtol(seg, &end, 10);
        bool numeric = *seg && !*end;
        xmlNode *found = NULL;
        long k = 0;
        for (xmlNode *c = x->children; c && !found; c = c->next) {
            if (c->type != XML_ELEMENT_NODE)
                continue;
            if (numeric ? k++ == idx : strcmp((const char *)c->name, seg) == 0)
                found = c;
        }
        x = found;
        p += len;
        if (*p == '.')
            p++;
    }
    if (!x)
        return NULL;
    xmlChar *t = xmlNodeGetContent(x);
    snprintf(buf, n, "%s", t ? (const char *)t : "");
    xmlFree(t);
    return buf;
}

long long pur_amt(const struct http_resp *r, const char *path)
{
    char buf[64];
    return pur_minor(pur_at(r, path, buf, sizeof(buf)));
}

bool pur_check_amt(const struct http_resp *r, const char *path, long long want, const char *file,
                   int line)
{
    char buf[64], w[32];
    const char *got = pur_at(r, path, buf, sizeof(buf));
    if (pur_minor(got) == want)
        return true;
    it_note("%s:%d: [%s] %s: %s = %s, expected %s", file, line, E.origin_name, r->what, path,
            got ? got : "(absent)", pur_fmt(want, w, sizeof(w)));
    return false;
}

static bool pur_check_text(const struct http_resp *r, const char *path, const char *want,
                    const char *file, int line)
{
    char buf[256];
    const char *got = pur_at(r, path, buf, sizeof(buf));
    if (got && want && strcmp(got, want) == 0)
        return true;
    if (!got && !want)
        return true;
    it_note("%s:%d: [%s] %s: %s = %s, expected %s", file, line, E.origin_name, r->what, path,
            got ? got : "(absent)", want ? want : "(absent)");
    return false;
}

/* A JSON document against an answer in either format. */
static bool pur_match(json_object *want, const struct http_resp *got, const char *root, const char *what,
               const char *file, int line)
{
    char why[600];
    bool ok;
    if (got->json)
        ok = jx_json_equal(want, got->json, NULL, why, sizeof(why));
    else if (got->xml)
        ok = jx_equal_doc(want, got->xml, root, why, sizeof(why));
    else {
        ok = false;
        snprintf(why, sizeof(why), "the answer is neither JSON nor XML (%ld %s)", got->status,
                 got->content_type);
    }
    if (!ok)
        it_note("%s:%d: [%s] %s: %s differs from the expected document: %s\n      expected: "
                "%.700s\n      got:      %.700s",
                file, line, E.origin_name, what, got->what, why,
                want ? json_object_to_json_string_ext(want, JSON_C_TO_STRING_PLAIN) : "(none)",
                got->body ? got->body : "");
    return ok;
}

/* Two answers carry the same document (either format each). */
static bool pur_same(const struct http_resp *a, const struct http_resp *b, const char *root,
              const char *what, const char *file, int line)
{
    if (a->json)
        return pur_match(a->json, b, root, what, file, line);
    if (b->json)
        return pur_match(b->json, a, root, what, file, line);
    if (a->body && b->body && a->len == b->len && memcmp(a->body, b->body, a->len) == 0)
        return true;
    /* both XML: show where they part */
    size_t at = 0;
    while (a->body && b->body && at < a->len && at < b->len && a->body[at] == b->body[at])
        at++;
    size_t from = at > 200 ? at - 200 : 0;
    it_note("%s:%d: [%s] %s: %s and %s differ from byte %zu:\n      …%.400s\n      …%.400s",
            file, line, E.origin_name, what, a->what, b->what, at,
            a->body && from < a->len ? a->body + from : "",
            b->body && from < b->len ? b->body + from : "");
    return false;
}

#define EXPECT_TEXT(r, path, want) \
    CU_ASSERT(pur_check_text(&(r), (path), (want), __FILE__, __LINE__))
#define EXPECT_SAME(a, b, root, what) \
    CU_ASSERT(pur_same(&(a), &(b), (root), (what), __FILE__, __LINE__))
#define EXPECT_MATCH(want, got, root, what) \
    CU_ASSERT(pur_match((want), &(got), (root), (what), __FILE__, __LINE__))

/* Run $LOYALTY_DEV with args (NULL-terminated); its output (stdout and stderr) into out.
 * Returns the exit status, -1 when it could not run. Uses posix_spawn, so it is safe to
 * call while other threads run. */
static int pur_run(const char *const *args, char *out, size_t n)
{
    if (out && n)
        out[0] = '\0';
    if (!E.dev) {
        it_note("LOYALTY_DEV is not set: cannot run ./dev %s", args[0]);
        return -1;
    }
    int pfd[2];
    if (pipe(pfd) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
    posix_spawn_file_actions_addclose(&fa, pfd[0]);
    posix_spawn_file_actions_addclose(&fa, pfd[1]);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", 0, 0);
    char *argv[16];
    int k = 0;
    argv[k++] = (char *)E.dev;
    for (int i = 0; args[i] && k < 15; i++)
        argv[k++] = (char *)args[i];
    argv[k] = NULL;
    fflush(stdout);
    pid_t pid;
    int rc = posix_spawn(&pid, E.dev, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(pfd[1]);
    if (rc != 0) {
        close(pfd[0]);
        it_note("cannot run %s: %s", E.dev, strerror(rc));
        return -1;
    }
    size_t used = 0;
    char tmp[4096];
    ssize_t got;
    while ((got = read(pfd[0], tmp, sizeof(tmp))) != 0) {
        if (got < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (out && used + 1 < n) {
            size_t take = (size_t)got < n - used - 1 ? (size_t)got : n - used - 1;
            memcpy(out + used, tmp, take);
            used += take;
            out[used] = '\0';
        }
    }
    close(pfd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int pur_job(const char *job, char *out, size_t n)
{
    const char *args[] = {"ctl", "jobs", "run", job, NULL};
    int rc = pur_run(args, out, n);
    if (rc != 0)
        it_note("./dev ctl jobs run %s exited %d: %s", job, rc, out ? out : "");
    return rc;
}

bool pur_verify_clean(const char *file, int line)
{
    char out[4096];
    const char *args[] = {"ctl", "verify", NULL};
    int rc = pur_run(args, out, sizeof(out));
    if (rc == 0)
        return true;
    it_note("%s:%d: loyaltyctl verify exited %d:\n%s", file, line, rc, out);
    return false;
}

bool pur_svc(const char *action, const char *service)
{
    char out[2048];
    const char *args[] = {"svc", action, service, NULL};
    int rc = pur_run(args, out, sizeof(out));
    if (rc != 0)
        it_note("./dev svc %s %s exited %d: %s", action, service, rc, out);
    return rc == 0;
}

bool pur_points_settings(const char *json_body)
{
    struct http_resp r;
    http_send(&r, "PUT", "/api/v1/settings/points", AUTH_ADMIN, JSON_T, JSON_T, json_body);
    bool ok = r.status == 200;
    if (!ok)
        it_note("PUT /api/v1/settings/points %s -> %ld %.300s", json_body, r.status, r.body);
    http_resp_free(&r);
    return ok;
}

/* RFC 3339 (UTC) of now + seconds. */
const char *pur_time(long seconds, char *out, size_t n)
{
    time_t t = time(NULL) + seconds;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return out;
}

long long pur_adjust(long long client_id, const char *amount, const char *expires_at,
                     const char *active_from, struct http_resp *out)
{
    char key[80], body[600], exp[96] = "", act[96] = "";
    uniq_str("it-adj", key, sizeof(key));
    if (expires_at)
        snprintf(exp, sizeof(exp), ",\"expires_at\":\"%s\"", expires_at);
    if (active_from)
        snprintf(act, sizeof(act), ",\"active_from\":\"%s\"", active_from);
    snprintf(body, sizeof(body),
             "{\"client_id\":%lld,\"amount\":%s,\"reason\":\"integration test\"%s%s,"
             "\"idempotency_key\":\"%s\"}",
             client_id, amount, exp, act, key);
    struct http_resp r;
    http_send(&r, "POST", "/api/v1/points/adjustments", AUTH_ERP, JSON_T, JSON_T, body);
    long long id = r.status == 201 && r.json ? jint(r.json, "id") : -1;
    if (id <= 0)
        it_note("adjustment failed: POST /api/v1/points/adjustments %s -> %ld %.300s", body,
                r.status, r.body);
    if (out)
        *out = r;
    else
        http_resp_free(&r);
    return id;
}

long long pur_new_funded_client(const char *amount, char card[33])
{
    long long id = it_new_client_with_card(AUTH_POS, card);
    if (id > 0 && amount && pur_adjust(id, amount, NULL, NULL, NULL) <= 0)
        return -1;
    return id;
}

long long pur_new_level(const char *prefix, const char *percents, char name[96],
                        struct http_resp *out)
{
    char body[512];
    struct http_resp r;
    long long rank = pur_sql("SELECT coalesce(max(rank), 0) + 1 FROM levels", 0, NULL);
    uniq_str(prefix, name, 96);
    snprintf(body, sizeof(body),
             "{\"name\":\"%s\",\"rank\":%lld,\"threshold\":1000000000,\"period_days\":0,%s}",
             name, rank, percents);
    http_send(&r, "POST", "/api/v1/levels", AUTH_ADMIN, JSON_T, JSON_T, body);
    EXPECT_STATUS(r, 201);
    long long level = r.status == 201 ? jint(r.json, "id") : -1;
    if (out)
        *out = r;
    else
        http_resp_free(&r);
    return level;
}

/* accounts.available / pending / debt of a client, in minor units */
long long pur_account(long long client_id, const char *column)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT %s FROM accounts WHERE client_id = $1", column);
    return pur_sql1(sql, client_id);
}

/* GET /cards/{n} balance.available (JSON), LLONG_MIN on failure */
long long pur_card_available(const char *card, const char *member)
{
    char path[96], m[64];
    snprintf(path, sizeof(path), "/api/v1/cards/%s", card);
    snprintf(m, sizeof(m), "balance.%s", member ? member : "available");
    struct http_resp r;
    http_get(&r, path, AUTH_POS, JSON_T);
    long long v = r.status == 200 ? pur_amt(&r, m) : LLONG_MIN;
    if (r.status != 200)
        it_note("GET %s -> %ld %.200s", path, r.status, r.body);
    http_resp_free(&r);
    return v;
}

/* ------------------------------------------------------- request bodies -- */

/* API.md §6: 2 × 89.90 and 1 × 820.20 */
static const struct pur_line pur_example_lines[] = {
    {1, "A100", "Milk 1L", "2", "89.90"},
    {2, "T55", NULL, "1", "820.20"},
};

void pur_body(const struct pur_req *q, bool xml, char *out, size_t n)
{
    size_t o = 0;
#define ADD(...) (o += (size_t)snprintf(out + o, o < n ? n - o : 0, __VA_ARGS__))
    if (!xml) {
        ADD("{");
        if (q->receipt)
            ADD("\"receipt_id\":\"%s\",", q->receipt);
        ADD("\"store_id\":\"IT-STORE\",\"pos_id\":\"7\",\"card\":\"%s\",\"lines\":[", q->card);
        for (size_t i = 0; i < q->nlines; i++) {
            const struct pur_line *l = &q->lines[i];
            ADD("%s{\"line_no\":%d,\"sku\":\"%s\"", i ? "," : "", l->no, l->sku);
            if (l->name)
                ADD(",\"name\":\"%s\"", l->name);
            ADD(",\"qty\":%s,\"price\":%s}", l->qty, l->price);
        }
        ADD("]");
        if (q->points)
            ADD(",\"points_to_spend\":%s", q->points);
        if (q->strict)
            ADD(",\"strict\":true");
        if (q->hold)
            ADD(",\"hold\":true");
        ADD("}");
    } else {
        ADD("<?xml version=\"1.0\" encoding=\"UTF-8\"?><purchase>");
        if (q->receipt)
            ADD("<receipt_id>%s</receipt_id>", q->receipt);
        ADD("<store_id>IT-STORE</store_id><pos_id>7</pos_id><card>%s</card><lines>", q->card);
        for (size_t i = 0; i < q->nlines; i++) {
            const struct pur_line *l = &q->lines[i];
            ADD("<line><line_no>%d</line_no><sku>%s</sku>", l->no, l->sku);
            if (l->name)
                ADD("<name>%s</name>", l->name);
            ADD("<qty>%s</qty><price>%s</price></line>", l->qty, l->price);
        }
        ADD("</lines>");
        if (q->points)
            ADD("<points_to_spend>%s</points_to_spend>", q->points);
        if (q->strict)
            ADD("<strict>true</strict>");
        if (q->hold)
            ADD("<hold>true</hold>");
        ADD("</purchase>");
    }
#undef ADD
}

void pur_post(struct http_resp *r, const char *path, const char *auth, bool xml_body,
              const char *accept, const char *body)
{
    http_send(r, "POST", path, auth, accept, xml_body ? XML_T : JSON_T, body);
}

static void pur_refund_body(bool xml, const char *refund_id, const char *receipt, int line_no,
                            const char *qty, char *out, size_t n)
{
    if (xml)
        snprintf(out, n,
                 "<refund><refund_id>%s</refund_id><receipt_id>%s</receipt_id><lines><line>"
                 "<line_no>%d</line_no><qty>%s</qty></line></lines></refund>",
                 refund_id, receipt, line_no, qty);
    else
        snprintf(out, n,
                 "{\"refund_id\":\"%s\",\"receipt_id\":\"%s\",\"lines\":[{\"line_no\":%d,"
                 "\"qty\":%s}]}",
                 refund_id, receipt, line_no, qty);
}

/* What a client's rows look like: used to show that something wrote nothing. */
const char *pur_snapshot(long long client_id, const char *receipt, char *out, size_t n)
{
    char id[32];
    snprintf(id, sizeof(id), "%lld", client_id);
    const char *p[2] = {id, receipt ? receipt : ""};
    const char *v = pur_sql_text(
        "SELECT 'entries=' || (SELECT count(*) FROM ledger_entries WHERE client_id = $1) "
        "|| ' lots=' || coalesce((SELECT string_agg(id || ':' || remaining || ':' || bucket, ',' "
        "   ORDER BY id) FROM points_lots WHERE client_id = $1), '-') "
        "|| ' draws=' || (SELECT count(*) FROM spend_draws WHERE client_id = $1) "
        "|| ' purchases=' || (SELECT count(*) FROM purchases WHERE client_id = $1) "
        "|| ' receipt=' || (SELECT count(*) FROM receipt_index WHERE receipt_id = $2) "
        "|| ' account=' || coalesce((SELECT available || '/' || pending || '/' || debt || '/v' "
        "   || version FROM accounts WHERE client_id = $1), '-')",
        2, p, out, n);
    return v ? v : "(no snapshot)";
}

/* =========================================================== 1. session == */

/* What one session produced, for the JSON ↔ XML comparison. */
struct pur_session {
    bool ran;                 /* the session got to its end */
    bool xml;                 /* its format */
    long long client_id;      /* its client */
    char card[40];            /* its virtual card */
    char receipt[80];         /* its receipt id */
    char refund_id[80];       /* its refund id */
    struct http_resp adj;     /* the adjustment (201) */
    struct http_resp calc;    /* the calculation */
    struct http_resp confirm; /* the confirm (201) */
    struct http_resp refund;  /* the refund (201) */
    struct http_resp get;     /* GET after the refund */
    struct http_resp cancel;  /* the cancel (200) */
};

static struct pur_session pur_sess_json, pur_sess_xml;

static void pur_session_free(struct pur_session *s)
{
    http_resp_free(&s->adj);
    http_resp_free(&s->calc);
    http_resp_free(&s->confirm);
    http_resp_free(&s->refund);
    http_resp_free(&s->get);
    http_resp_free(&s->cancel);
    memset(s, 0, sizeof(*s));
}

/* Register a client with a virtual card in the session's format. */
static long long pur_session_client(bool xml, char card[40])
{
    char nat[32], e164[20], body[400], buf[64];
    uniq_phone(nat, e164);
    if (xml)
        snprintf(body, sizeof(body),
                 "<client><phone>%s</phone><first_name>Olga</first_name>"
                 "<last_name>Sessionova</last_name><issue_virtual_card>true</issue_virtual_card>"
                 "</client>",
                 e164);
    else
        snprintf(body, sizeof(body),
                 "{\"phone\":\"%s\",\"first_name\":\"Olga\",\"last_name\":\"Sessionova\","
                 "\"issue_virtual_card\":true}",
                 e164);
    struct http_resp r;
    pur_post(&r, "/api/v1/clients", AUTH_POS, xml, xml ? XML_T : JSON_T, body);
    EXPECT_STATUS(r, 201);
    long long id = -1;
    card[0] = '\0';
    if (r.status == 201) {
        id = pur_minor(pur_at(&r, "id", buf, sizeof(buf)));
        id = id == LLONG_MIN ? -1 : id / 100;
        const char *num = pur_at(&r, "cards.0.number", buf, sizeof(buf));
        snprintf(card, 40, "%s", num ? num : "");
        EXPECT_TEXT(r, "cards.0.kind", "virtual");
        CU_ASSERT(it_ean13_valid(card));
        EXPECT_AMT(r, "balance.available", 0);
    }
    http_resp_free(&r);
    return id;
}

/* A whole POS session in one format; the other format is used for the repeats. */
static void pur_session_run(struct pur_session *s, bool xml)
{
    const char *fmt = xml ? XML_T : JSON_T, *other = xml ? JSON_T : XML_T;
    const char *adj_auth = xml ? AUTH_ADMIN : AUTH_ERP;
    char body[2048], body2[2048], key[80], snap0[1024], snap1[1024], buf[128], path[160];
    struct http_resp r, r2;

    pur_session_free(s);
    s->xml = xml;
    CU_ASSERT_FATAL(pur_points_settings("{}"));
    s->client_id = pur_session_client(xml, s->card);
    CU_ASSERT_FATAL(s->client_id > 0 && s->card[0]);
    uniq_str(xml ? "IT-SX" : "IT-SJ", s->receipt, sizeof(s->receipt));
    uniq_str(xml ? "IT-FX" : "IT-FJ", s->refund_id, sizeof(s->refund_id));

    /* --- credit 1,500 points: POST /points/adjustments, idempotent on its key --- */
    uniq_str("it-sess-adj", key, sizeof(key));
    if (xml)
        snprintf(body, sizeof(body),
                 "<adjustment><client_id>%lld</client_id><amount>1500.00</amount>"
                 "<reason>session credit</reason><idempotency_key>%s</idempotency_key>"
                 "</adjustment>",
                 s->client_id, key);
    else
        snprintf(body, sizeof(body),
                 "{\"client_id\":%lld,\"amount\":1500,\"reason\":\"session credit\","
                 "\"idempotency_key\":\"%s\"}",
                 s->client_id, key);
    pur_post(&s->adj, "/api/v1/points/adjustments", adj_auth, xml, fmt, body);
    EXPECT_STATUS(s->adj, 201);
    EXPECT_AMT(s->adj, "amount", 150000);
    EXPECT_AMT(s->adj, "balance_after", 150000);
    EXPECT_AMT(s->adj, "client_id", s->client_id * 100);
    EXPECT_TEXT(s->adj, "idempotency_key", key);
    EXPECT_TEXT(s->adj, "reason", "session credit");
    CU_ASSERT(pur_at(&s->adj, "active_from", buf, sizeof(buf)) != NULL);
    EXPECT_TEXT(s->adj, "expires_at", NULL); /* expiry_days 0: never */
    /* the same content in the other format: the same adjustment, 200 */
    if (xml)
        snprintf(body2, sizeof(body2),
                 "{\"client_id\":%lld,\"amount\":\"1500.00\",\"reason\":\"session credit\","
                 "\"idempotency_key\":\"%s\"}",
                 s->client_id, key);
    else
        snprintf(body2, sizeof(body2),
                 "<adjustment><client_id>%lld</client_id><amount>1500</amount>"
                 "<reason>session credit</reason><idempotency_key>%s</idempotency_key>"
                 "</adjustment>",
                 s->client_id, key);
    pur_post(&r, "/api/v1/points/adjustments", adj_auth, !xml, other, body2);
    EXPECT_STATUS(r, 200);
    EXPECT_SAME(s->adj, r, "adjustment", "adjustment repeated in the other format");
    http_resp_free(&r);
    pur_post(&r, "/api/v1/points/adjustments", adj_auth, xml, fmt, body);
    EXPECT_STATUS(r, 200);
    EXPECT_SAME(s->adj, r, "adjustment", "adjustment repeated");
    http_resp_free(&r);
    /* other content, same key */
    snprintf(body2, sizeof(body2),
             "{\"client_id\":%lld,\"amount\":1400,\"reason\":\"session credit\","
             "\"idempotency_key\":\"%s\"}",
             s->client_id, key);
    pur_post(&r, "/api/v1/points/adjustments", adj_auth, false, fmt, body2);
    EXPECT_ERROR(r, 409, "idempotency_mismatch", NULL);
    http_resp_free(&r);
    EXPECT_EQ_LL(pur_sql1("SELECT count(*) FROM adjustments WHERE client_id = $1", s->client_id),
                 1);
    EXPECT_EQ_LL(pur_account(s->client_id, "available"), 150000);
    EXPECT_EQ_LL(pur_card_available(s->card, NULL), 150000);

    /* --- calculate: writes nothing --- */
    struct pur_req q = {s->receipt, s->card, pur_example_lines, 2, "100.00", false, false};
    pur_snapshot(s->client_id, s->receipt, snap0, sizeof(snap0));
    pur_body(&q, xml, body, sizeof(body));
    pur_post(&s->calc, "/api/v1/purchases/calculate", AUTH_POS, xml, fmt, body);
    EXPECT_STATUS(s->calc, 200);
    EXPECT_TEXT(s->calc, "status", "calculated");
    EXPECT_TEXT(s->calc, "id", NULL);
    EXPECT_TEXT(s->calc, "receipt_id", s->receipt);
    EXPECT_TEXT(s->calc, "card", s->card);
    EXPECT_AMT(s->calc, "client_id", s->client_id * 100);
    EXPECT_AMT(s->calc, "total", 100000);
    EXPECT_AMT(s->calc, "points_spent", 10000);
    EXPECT_AMT(s->calc, "balance.before", 150000);
    EXPECT_AMT(s->calc, "lines.0.amount", 17980);
    EXPECT_AMT(s->calc, "lines.1.amount", 82020);
    long long accrued = pur_amt(&s->calc, "points_accrued");
    long long to_pay = pur_amt(&s->calc, "to_pay");
    long long discount = pur_amt(&s->calc, "discount");
    CU_ASSERT(accrued >= 0 && accrued != LLONG_MIN);
    EXPECT_EQ_LL(to_pay, 100000 - discount - 10000);
    EXPECT_EQ_LL(pur_amt(&s->calc, "lines.0.points_spent") + pur_amt(&s->calc, "lines.1.points_spent"),
                 10000);
    EXPECT_EQ_LL(pur_amt(&s->calc, "lines.0.points_accrued") +
                     pur_amt(&s->calc, "lines.1.points_accrued"),
                 accrued);
    /* activation delay 0: the accrual is available at once */
    EXPECT_AMT(s->calc, "balance.after", 150000 - 10000 + accrued);
    pur_snapshot(s->client_id, s->receipt, snap1, sizeof(snap1));
    if (strcmp(snap0, snap1) != 0)
        it_note("calculate wrote: before %s\n      after  %s", snap0, snap1);
    CU_ASSERT_STRING_EQUAL(snap0, snap1);
    /* the same calculation in the other format says the same */
    pur_body(&q, !xml, body2, sizeof(body2));
    pur_post(&r, "/api/v1/purchases/calculate", AUTH_POS, !xml, other, body2);
    EXPECT_STATUS(r, 200);
    EXPECT_SAME(s->calc, r, "purchase", "calculate in the other format");
    json_object *calc_json = json_object_get(s->calc.json ? s->calc.json : r.json);
    http_resp_free(&r);

    /* --- confirm: 201, confirmed, with an id; the figures of the calculation --- */
    pur_post(&s->confirm, "/api/v1/purchases", AUTH_POS, xml, fmt, body);
    EXPECT_STATUS(s->confirm, 201);
    EXPECT_TEXT(s->confirm, "status", "confirmed");
    long long pid = pur_amt(&s->confirm, "id");
    CU_ASSERT(pid > 0 && pid != LLONG_MIN);
    pid = pid > 0 ? pid / 100 : -1;
    if (calc_json) {
        json_object *want = NULL;
        json_object_deep_copy(calc_json, &want, NULL);
        json_object_object_add(want, "id", json_object_new_int64(pid));
        json_object_object_add(want, "status", json_object_new_string("confirmed"));
        EXPECT_MATCH(want, s->confirm, "purchase", "confirm = calculate + id + status");
        json_object_put(want);
    }
    json_object_put(calc_json);
    EXPECT_EQ_LL(pur_account(s->client_id, "available"), 150000 - 10000 + accrued);
    EXPECT_EQ_LL(pur_account(s->client_id, "pending"), 0);
    EXPECT_EQ_LL(pur_sql2("SELECT count(*) FROM purchases p JOIN receipt_index ri ON "
                          "ri.purchase_id = p.id AND ri.client_id = p.client_id "
                          "WHERE p.client_id = $1 AND p.id = $2 AND p.status = 'confirmed'",
                          s->client_id, pid),
                 1);
    EXPECT_EQ_LL(pur_sql2("SELECT jsonb_array_length(document->'lines') FROM purchases "
                          "WHERE client_id = $1 AND id = $2",
                          s->client_id, pid),
                 2);
    EXPECT_EQ_LL(pur_sql2("SELECT coalesce(sum(amount), 0) FROM spend_draws WHERE client_id = $1 "
                          "AND purchase_id = $2 AND kind = 'spend'",
                          s->client_id, pid),
                 10000);
    EXPECT_EQ_LL(pur_card_available(s->card, NULL), 150000 - 10000 + accrued);

    /* --- the same receipt in the other format: 200, the same document --- */
    pur_body(&q, !xml, body2, sizeof(body2));
    pur_post(&r, "/api/v1/purchases", AUTH_POS, !xml, other, body2);
    EXPECT_STATUS(r, 200);
    EXPECT_SAME(s->confirm, r, "purchase", "confirm repeated in the other format");
    http_resp_free(&r);
    /* other content, same receipt: 409 */
    struct pur_req q2 = q;
    q2.points = "50.00";
    pur_body(&q2, xml, body2, sizeof(body2));
    pur_post(&r, "/api/v1/purchases", AUTH_POS, xml, fmt, body2);
    EXPECT_ERROR(r, 409, "idempotency_mismatch", NULL);
    http_resp_free(&r);
    EXPECT_EQ_LL(pur_sql1("SELECT count(*) FROM purchases WHERE client_id = $1", s->client_id), 1);
    EXPECT_EQ_LL(pur_account(s->client_id, "available"), 150000 - 10000 + accrued);

    /* --- GET /purchases/{receipt_id}: the stored document --- */
    snprintf(path, sizeof(path), "/api/v1/purchases/%s", s->receipt);
    http_get(&r, path, AUTH_POS, fmt);
    EXPECT_STATUS(r, 200);
    EXPECT_SAME(s->confirm, r, "purchase", "GET after confirm");
    http_resp_free(&r);
    http_get(&r, path, AUTH_POS, other);
    EXPECT_STATUS(r, 200);
    EXPECT_SAME(s->confirm, r, "purchase", "GET after confirm, other format");
    http_resp_free(&r);

    /* --- partial refund: line 1, one of two --- */
    long long l_spent = pur_amt(&s->confirm, "lines.0.points_spent");
    long long l_acc = pur_amt(&s->confirm, "lines.0.points_accrued");
    long long l_pay = pur_amt(&s->confirm, "lines.0.to_pay");
    long long l_qty = 2000, r_qty = 1000; /* thousandths */
    long long want_ret = pur_share(l_spent, r_qty, l_qty), want_back = pur_share(l_acc, r_qty, l_qty);
    long long avail_before_refund = pur_account(s->client_id, "available");
    pur_refund_body(xml, s->refund_id, s->receipt, 1, "1", body, sizeof(body));
    pur_post(&s->refund, "/api/v1/refunds", AUTH_POS, xml, fmt, body);
    EXPECT_STATUS(s->refund, 201);
    EXPECT_TEXT(s->refund, "refund_id", s->refund_id);
    EXPECT_TEXT(s->refund, "receipt_id", s->receipt);
    EXPECT_AMT(s->refund, "lines.0.line_no", 100);
    EXPECT_AMT(s->refund, "lines.0.qty", 100);
    EXPECT_AMT(s->refund, "lines.0.amount", pur_share(l_pay, r_qty, l_qty));
    EXPECT_AMT(s->refund, "lines.0.points_returned", want_ret);
    EXPECT_AMT(s->refund, "lines.0.points_taken_back", want_back);
    EXPECT_AMT(s->refund, "amount", pur_share(l_pay, r_qty, l_qty));
    EXPECT_AMT(s->refund, "points_returned", want_ret);
    EXPECT_AMT(s->refund, "points_taken_back", want_back);
    EXPECT_AMT(s->refund, "certificates_returned", 0);
    EXPECT_AMT(s->refund, "debt_created", 0);
    EXPECT_AMT(s->refund, "balance_after", avail_before_refund + want_ret - want_back);
    EXPECT_EQ_LL(pur_account(s->client_id, "available"), avail_before_refund + want_ret - want_back);
    EXPECT_EQ_LL(pur_card_available(s->card, NULL), avail_before_refund + want_ret - want_back);
    /* more than bought (1 left of line 1, 2 asked) */
    char refund2[80];
    uniq_str("IT-F2", refund2, sizeof(refund2));
    pur_refund_body(xml, refund2, s->receipt, 1, "2", body2, sizeof(body2));
    pur_post(&r, "/api/v1/refunds", AUTH_POS, xml, fmt, body2);
    EXPECT_ERROR(r, 409, "refund_exceeds_purchase", NULL);
    http_resp_free(&r);
    EXPECT_EQ_LL(pur_sql2("SELECT count(*) FROM refunds WHERE client_id = $1 AND purchase_id = $2",
                          s->client_id, pid),
                 1);
    /* the same refund_id again (other format): 200, the same refund */
    pur_refund_body(!xml, s->refund_id, s->receipt, 1, "1.000", body2, sizeof(body2));
    pur_post(&r, "/api/v1/refunds", AUTH_POS, !xml, other, body2);
    EXPECT_STATUS(r, 200);
    EXPECT_SAME(s->refund, r, "refund", "refund repeated");
    http_resp_free(&r);
    /* the same refund_id with other content: 409 */
    pur_refund_body(xml, s->refund_id, s->receipt, 2, "1", body2, sizeof(body2));
    pur_post(&r, "/api/v1/refunds", AUTH_POS, xml, fmt, body2);
    EXPECT_ERROR(r, 409, "idempotency_mismatch", NULL);
    http_resp_free(&r);
    EXPECT_EQ_LL(pur_account(s->client_id, "available"), avail_before_refund + want_ret - want_back);

    /* the purchase lists its refund; its amounts did not change */
    http_get(&s->get, path, AUTH_POS, fmt);
    EXPECT_STATUS(s->get, 200);
    EXPECT_TEXT(s->get, "refunds.0", s->refund_id);
    EXPECT_TEXT(s->get, "status", "confirmed");
    http_get(&r2, path, AUTH_POS, JSON_T); /* the JSON form, for the comparisons below */
    EXPECT_STATUS(r2, 200);
    if (r2.json && s->confirm.status == 201) {
        json_object *want = NULL;
        json_object_deep_copy(r2.json, &want, NULL);
        json_object_object_add(want, "refunds", json_object_new_array());
        EXPECT_MATCH(want, s->confirm, "purchase", "the purchase after a refund (amounts)");
        json_object_put(want);
    }
    /* a repeat of the confirm answers the stored document, as GET does */
    pur_body(&q, xml, body, sizeof(body));
    pur_post(&r, "/api/v1/purchases", AUTH_POS, xml, fmt, body);
    EXPECT_STATUS(r, 200);
    EXPECT_SAME(s->get, r, "purchase", "confirm repeated after a refund = GET");
    http_resp_free(&r);

    /* --- cancel: every point back as before the purchase --- */
    snprintf(path, sizeof(path), "/api/v1/purchases/%s/cancel", s->receipt);
    pur_post(&s->cancel, path, AUTH_POS, xml, fmt, NULL);
    EXPECT_STATUS(s->cancel, 200);
    EXPECT_TEXT(s->cancel, "status", "cancelled");
    if (r2.json) {
        json_object *want = NULL;
        json_object_deep_copy(r2.json, &want, NULL);
        json_object_object_add(want, "status", json_object_new_string("cancelled"));
        EXPECT_MATCH(want, s->cancel, "purchase", "cancel = the purchase with status cancelled");
        json_object_put(want);
    }
    http_resp_free(&r2);
    EXPECT_EQ_LL(pur_account(s->client_id, "available"), 150000);
    EXPECT_EQ_LL(pur_account(s->client_id, "pending"), 0);
    EXPECT_EQ_LL(pur_account(s->client_id, "debt"), 0);
    /* the lots: the credit whole again, the purchase's accrual empty */
    EXPECT_EQ_LL(pur_sql1("SELECT coalesce(sum(remaining), 0) FROM points_lots WHERE client_id = $1 "
                          "AND source = 'adjustment' AND bucket = 'available'",
                          s->client_id),
                 150000);
    EXPECT_EQ_LL(pur_sql1("SELECT coalesce(sum(remaining), 0) FROM points_lots WHERE client_id = $1 "
                          "AND source = 'purchase'",
                          s->client_id),
                 0);
    EXPECT_EQ_LL(pur_sql2("SELECT count(*) FROM spend_draws WHERE client_id = $1 AND "
                          "purchase_id = $2 AND restored <> amount",
                          s->client_id, pid),
                 0);
    EXPECT_EQ_LL(pur_card_available(s->card, NULL), 150000);
    EXPECT_EQ_LL(pur_card_available(s->card, "pending"), 0);
    /* again: 200, the same document, nothing moves */
    pur_post(&r, path, AUTH_POS, xml, fmt, NULL);
    EXPECT_STATUS(r, 200);
    EXPECT_SAME(s->cancel, r, "purchase", "cancel repeated");
    http_resp_free(&r);
    pur_post(&r, path, AUTH_POS, !xml, other, NULL);
    EXPECT_STATUS(r, 200);
    EXPECT_SAME(s->cancel, r, "purchase", "cancel repeated in the other format");
    http_resp_free(&r);
    EXPECT_EQ_LL(pur_account(s->client_id, "available"), 150000);
    /* a refund of a cancelled purchase */
    uniq_str("IT-F3", refund2, sizeof(refund2));
    pur_refund_body(xml, refund2, s->receipt, 2, "1", body2, sizeof(body2));
    pur_post(&r, "/api/v1/refunds", AUTH_POS, xml, fmt, body2);
    EXPECT_ERROR(r, 409, "purchase_cancelled", NULL);
    http_resp_free(&r);
    /* the history: adjustment, spend, accrual, refund ×2, cancel ×2 */
    snprintf(path, sizeof(path), "/api/v1/clients/%lld/operations", s->client_id);
    http_get(&r, path, AUTH_POS, fmt);
    EXPECT_STATUS(r, 200);
    EXPECT_TEXT(r, "items.0.kind", "cancel");
    EXPECT_AMT(r, "items.0.balance_after", 150000);
    char last[32];
    int n_items = 0;
    while (pur_at(&r, (snprintf(last, sizeof(last), "items.%d.kind", n_items), last), buf,
                  sizeof(buf)))
        n_items++;
    EXPECT_EQ_LL(n_items, 7);
    snprintf(last, sizeof(last), "items.%d.kind", n_items - 1);
    EXPECT_TEXT(r, last, "adjustment");
    http_resp_free(&r);
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
    s->ran = true;
}

static void test_session_json(void)
{
    pur_session_run(&pur_sess_json, false);
}

/* Put into a copy of session A's JSON document the values that differ by nature (ids,
 * receipt ids, card, times) from session B's XML document. */
static void pur_adopt(json_object *j, xmlDoc *x, const char *const *keys)
{
    char buf[256];
    for (size_t i = 0; keys[i]; i++) {
        json_object *v = NULL;
        if (!json_object_object_get_ex(j, keys[i], &v) || !v)
            continue;
        xmlNode *root = x ? xmlDocGetRootElement(x) : NULL, *el = NULL;
        for (xmlNode *c = root ? root->children : NULL; c && !el; c = c->next)
            if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, keys[i]) == 0)
                el = c;
        if (!el)
            continue; /* the comparison will say it */
        if (json_object_is_type(v, json_type_array)) {
            json_object *a = json_object_new_array();
            for (xmlNode *c = el->children; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE) {
                    xmlChar *t = xmlNodeGetContent(c);
                    json_object_array_add(a, json_object_new_string(t ? (const char *)t : ""));
                    xmlFree(t);
                }
            json_object_object_add(j, keys[i], a);
            continue;
        }
        xmlChar *t = xmlNodeGetContent(el);
        snprintf(buf, sizeof(buf), "%s", t ? (const char *)t : "");
        xmlFree(t);
        if (json_object_is_type(v, json_type_int))
            json_object_object_add(j, keys[i], json_object_new_int64(strtoll(buf, NULL, 10)));
        else
            json_object_object_add(j, keys[i], json_object_new_string(buf));
    }
}

static void pur_cross(const struct http_resp *a, const struct http_resp *b, const char *root,
                      const char *const *keys, const char *what)
{
    if (!a->json || !b->xml) {
        it_note("%s: no JSON (%ld) or no XML (%ld) document to compare", what, a->status,
                b->status);
        CU_FAIL("missing document");
        return;
    }
    json_object *want = NULL;
    json_object_deep_copy(a->json, &want, NULL);
    pur_adopt(want, b->xml, keys);
    EXPECT_MATCH(want, *b, root, what);
    json_object_put(want);
}

static void test_session_xml(void)
{
    static const char *const adj_keys[] = {"id", "client_id", "active_from", "idempotency_key",
                                           NULL};
    static const char *const pur_keys[] = {"id", "receipt_id", "client_id", "card", "refunds",
                                           NULL};
    static const char *const ref_keys[] = {"refund_id", "receipt_id", NULL};
    if (!pur_sess_json.ran)
        pur_session_run(&pur_sess_json, false);
    pur_session_run(&pur_sess_xml, true);
    if (!pur_sess_json.ran || !pur_sess_xml.ran) {
        CU_FAIL("a session did not run to its end: nothing to compare");
        return;
    }
    struct pur_session *a = &pur_sess_json, *b = &pur_sess_xml;
    EXPECT_XML_VALID(b->adj);
    EXPECT_XML_VALID(b->calc);
    EXPECT_XML_VALID(b->confirm);
    EXPECT_XML_VALID(b->refund);
    EXPECT_XML_VALID(b->get);
    EXPECT_XML_VALID(b->cancel);
    pur_cross(&a->adj, &b->adj, "adjustment", adj_keys, "adjustment JSON vs XML session");
    pur_cross(&a->calc, &b->calc, "purchase", pur_keys, "calculate JSON vs XML session");
    pur_cross(&a->confirm, &b->confirm, "purchase", pur_keys, "confirm JSON vs XML session");
    pur_cross(&a->refund, &b->refund, "refund", ref_keys, "refund JSON vs XML session");
    pur_cross(&a->get, &b->get, "purchase", pur_keys, "GET after refund JSON vs XML session");
    pur_cross(&a->cancel, &b->cancel, "purchase", pur_keys, "cancel JSON vs XML session");
}

/* ======================================================= 2. §6 numbers == */

static void test_api_example_numbers(void)
{
    char card[33], name[96], body[1024], path[160], buf[160];
    struct http_resp r, x, c;
    CU_ASSERT_FATAL(pur_points_settings("{\"activation_delay_days\":14}"));
    long long level = pur_new_level(
        "IT Gold", "\"accrual_percent\":5,\"discount_percent\":5,\"max_spend_percent\":50", name,
        &r);
    EXPECT_AMT(r, "discount_percent", 500);
    EXPECT_AMT(r, "accrual_percent", 500);
    EXPECT_AMT(r, "max_spend_percent", 5000);
    http_resp_free(&r);
    long long id = pur_new_funded_client("1500.00", card);
    CU_ASSERT(id > 0 && level > 0);
    long long old_level = id > 0 ? pur_sql1("SELECT level_id FROM clients WHERE client_id = $1", id)
                                 : LLONG_MIN;
    if (id > 0 && level > 0) {
        /* the client's level comes from purchases: put it on the new level directly */
        EXPECT_EQ_LL(pur_sql2("UPDATE clients SET level_id = $2 WHERE client_id = $1", id, level),
                     1);
        char receipt[80];
        uniq_str("IT-EX", receipt, sizeof(receipt));
        struct pur_req q = {receipt, card, pur_example_lines, 2, "100.00", false, false};
        pur_body(&q, false, body, sizeof(body));
        pur_post(&r, "/api/v1/purchases/calculate", AUTH_POS, false, JSON_T, body);
        pur_body(&q, true, body, sizeof(body));
        pur_post(&x, "/api/v1/purchases/calculate", AUTH_POS, true, XML_T, body);
        struct http_resp *docs[2] = {&r, &x};
        for (int i = 0; i < 2; i++) {
            struct http_resp *d = docs[i];
            EXPECT_STATUS(*d, 200);
            EXPECT_TEXT(*d, "status", "calculated");
            EXPECT_TEXT(*d, "level.name", name);
            EXPECT_AMT(*d, "total", 100000);
            EXPECT_AMT(*d, "discount", 5000);
            EXPECT_AMT(*d, "points_spent", 10000);
            EXPECT_AMT(*d, "certificates_paid", 0);
            EXPECT_AMT(*d, "to_pay", 85000);
            EXPECT_AMT(*d, "points_accrued", 4250);
            EXPECT_AMT(*d, "balance.before", 150000);
            EXPECT_AMT(*d, "balance.max_spend", 47500);
            EXPECT_AMT(*d, "balance.after", 140000);
            EXPECT_AMT(*d, "balance.pending_after", 4250);
            EXPECT_AMT(*d, "lines.0.amount", 17980);
            EXPECT_AMT(*d, "lines.0.discount", 899);
            EXPECT_AMT(*d, "lines.0.points_spent", 1798);
            EXPECT_AMT(*d, "lines.0.to_pay", 15283);
            EXPECT_AMT(*d, "lines.0.points_accrued", 764);
            EXPECT_AMT(*d, "lines.1.amount", 82020);
            EXPECT_AMT(*d, "lines.1.discount", 4101);
            EXPECT_AMT(*d, "lines.1.points_spent", 8202);
            EXPECT_AMT(*d, "lines.1.to_pay", 69717);
            EXPECT_AMT(*d, "lines.1.points_accrued", 3486);
            EXPECT_TEXT(*d, "promotions.0.kind", "level");
            EXPECT_AMT(*d, "promotions.0.amount", 5000);
            const char *pn = pur_at(d, "promotions.0.name", buf, sizeof(buf));
            if (!pn || !strstr(pn, name))
                it_note("%s: promotions.0.name = %s, expected the level's name in it", d->what,
                        pn ? pn : "(absent)");
            CU_ASSERT(pn && strstr(pn, name));
        }
        EXPECT_SAME(r, x, "purchase", "§6 calculate, JSON vs XML");
        /* a points request above max_spend is capped to it (475.00) */
        struct pur_req q3 = q;
        q3.points = "600";
        pur_body(&q3, false, body, sizeof(body));
        pur_post(&c, "/api/v1/purchases/calculate", AUTH_POS, false, JSON_T, body);
        EXPECT_STATUS(c, 200);
        EXPECT_AMT(c, "points_spent", 47500);
        EXPECT_AMT(c, "balance.max_spend", 47500);
        http_resp_free(&c);
        /* … and is 422 with strict */
        q3.strict = true;
        pur_body(&q3, false, body, sizeof(body));
        pur_post(&c, "/api/v1/purchases", AUTH_POS, false, JSON_T, body);
        EXPECT_ERROR(c, 422, "insufficient_points", "points_to_spend");
        http_resp_free(&c);
        /* confirm gives the same figures; the accrual is pending (14 days) */
        pur_body(&q, false, body, sizeof(body));
        pur_post(&c, "/api/v1/purchases", AUTH_POS, false, JSON_T, body);
        EXPECT_STATUS(c, 201);
        if (r.json && c.json) {
            json_object *want = NULL;
            json_object_deep_copy(r.json, &want, NULL);
            json_object_object_add(want, "id", json_object_new_int64(jint(c.json, "id")));
            json_object_object_add(want, "status", json_object_new_string("confirmed"));
            EXPECT_MATCH(want, c, "purchase", "§6 confirm = calculate");
            json_object_put(want);
        }
        http_resp_free(&c);
        EXPECT_EQ_LL(pur_account(id, "available"), 140000);
        EXPECT_EQ_LL(pur_account(id, "pending"), 4250);
        EXPECT_EQ_LL(pur_sql1("SELECT count(*) FROM points_lots WHERE client_id = $1 AND "
                              "source = 'purchase' AND bucket = 'pending' AND remaining = 4250 "
                              "AND active_from > now() + interval '13 days'",
                              id),
                     1);
        EXPECT_EQ_LL(pur_card_available(card, NULL), 140000);
        EXPECT_EQ_LL(pur_card_available(card, "pending"), 4250);
        http_resp_free(&r);
        http_resp_free(&x);
        /* cancel: back to 1,500.00, nothing pending */
        snprintf(path, sizeof(path), "/api/v1/purchases/%s/cancel", receipt);
        pur_post(&c, path, AUTH_POS, false, JSON_T, NULL);
        EXPECT_STATUS(c, 200);
        http_resp_free(&c);
        EXPECT_EQ_LL(pur_account(id, "available"), 150000);
        EXPECT_EQ_LL(pur_account(id, "pending"), 0);
    }
    /* clean up: the client back on its level, the level removed, the settings default */
    if (id > 0 && old_level != LLONG_MIN)
        pur_sql2("UPDATE clients SET level_id = $2 WHERE client_id = $1", id, old_level);
    if (level > 0) {
        snprintf(path, sizeof(path), "/api/v1/levels/%lld", level);
        http_send(&r, "DELETE", path, AUTH_ADMIN, JSON_T, NULL, NULL);
        EXPECT_STATUS(r, 204);
        http_resp_free(&r);
    }
    CU_ASSERT(pur_points_settings("{}"));
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
}

/* ============================================ 3. lots: spend and restore == */

static const char *pur_lots(long long client_id, char *out, size_t n)
{
    char id[32];
    snprintf(id, sizeof(id), "%lld", client_id);
    const char *p[1] = {id};
    const char *v = pur_sql_text("SELECT string_agg(id || ':' || remaining || ':' || bucket, ',' "
                                 "ORDER BY id) FROM points_lots WHERE client_id = $1 AND "
                                 "source = 'adjustment'",
                                 1, p, out, n);
    return v ? v : "(none)";
}

static long long pur_adj_lot(long long adjustment_id)
{
    return pur_sql1("SELECT lot_id FROM adjustments WHERE id = $1", adjustment_id);
}

static void test_refund_and_cancel_restore_lots(void)
{
    char card[33], exp10[40], exp100[40], receipt[80], refund[80], body[1024], path[160];
    char lots0[512], lots1[512], draws[256], want[256];
    struct http_resp r;
    CU_ASSERT_FATAL(pur_points_settings("{}"));
    long long id = it_new_client_with_card(AUTH_POS, card);
    CU_ASSERT_FATAL(id > 0);
    /* three lots: expiring in 100 days (created first), in 10 days, never */
    long long a_adj = pur_adjust(id, "300.00", pur_time(100 * 86400L, exp100, sizeof(exp100)),
                                 NULL, &r);
    CU_ASSERT(jstr(r.json, "expires_at") != NULL);
    http_resp_free(&r);
    long long b_adj = pur_adjust(id, "200.00", pur_time(10 * 86400L, exp10, sizeof(exp10)), NULL,
                                 &r);
    CU_ASSERT(jstr(r.json, "expires_at") != NULL);
    http_resp_free(&r);
    long long c_adj = pur_adjust(id, "500.00", NULL, NULL, &r);
    CU_ASSERT(jpath(r.json, "expires_at") == NULL);
    EXPECT_AMT(r, "balance_after", 100000);
    http_resp_free(&r);
    CU_ASSERT_FATAL(a_adj > 0 && b_adj > 0 && c_adj > 0);
    long long lot_a = pur_adj_lot(a_adj), lot_b = pur_adj_lot(b_adj), lot_c = pur_adj_lot(c_adj);
    pur_lots(id, lots0, sizeof(lots0));

    /* spend 250 on 4 × 100.00: 200 from the 10-day lot, then 50 from the 100-day lot */
    static const struct pur_line lines[] = {{1, "SKU-4", "Four units", "4", "100.00"}};
    uniq_str("IT-LOT", receipt, sizeof(receipt));
    struct pur_req q = {receipt, card, lines, 1, "250.00", true, false};
    pur_body(&q, false, body, sizeof(body));
    pur_post(&r, "/api/v1/purchases", AUTH_POS, false, JSON_T, body);
    EXPECT_STATUS(r, 201);
    EXPECT_AMT(r, "points_spent", 25000);
    long long pid = r.json ? jint(r.json, "id") : -1;
    long long spent = pur_amt(&r, "lines.0.points_spent");
    long long accrued = pur_amt(&r, "lines.0.points_accrued");
    http_resp_free(&r);
    CU_ASSERT_FATAL(pid > 0);
    char ids[64];
    snprintf(ids, sizeof(ids), "%lld", id);
    char pids[32];
    snprintf(pids, sizeof(pids), "%lld", pid);
    const char *pp[2] = {ids, pids};
    const char *d = pur_sql_text("SELECT string_agg(lot_id || ':' || amount, ',' ORDER BY id) "
                                 "FROM spend_draws WHERE client_id = $1 AND purchase_id = $2",
                                 2, pp, draws, sizeof(draws));
    snprintf(want, sizeof(want), "%lld:20000,%lld:5000", lot_b, lot_a);
    if (!d || strcmp(d, want) != 0)
        it_note("spend draws (lot:amount) = %s, expected %s (earliest expiry first: the 10-day "
                "lot %lld, then the 100-day lot %lld; never the lot without expiry %lld)",
                d ? d : "(none)", want, lot_b, lot_a, lot_c);
    CU_ASSERT(d && strcmp(d, want) == 0);
    EXPECT_EQ_LL(pur_sql2("SELECT remaining FROM points_lots WHERE client_id = $1 AND id = $2", id,
                          lot_a),
                 25000);
    EXPECT_EQ_LL(pur_sql2("SELECT remaining FROM points_lots WHERE client_id = $1 AND id = $2", id,
                          lot_b),
                 0);
    EXPECT_EQ_LL(pur_sql2("SELECT remaining FROM points_lots WHERE client_id = $1 AND id = $2", id,
                          lot_c),
                 50000);

    /* refund one of four: a quarter of the spend goes back to the lots it came from */
    uniq_str("IT-LOTF", refund, sizeof(refund));
    pur_refund_body(false, refund, receipt, 1, "1", body, sizeof(body));
    pur_post(&r, "/api/v1/refunds", AUTH_POS, false, JSON_T, body);
    EXPECT_STATUS(r, 201);
    long long ret = pur_share(spent, 1000, 4000), back = pur_share(accrued, 1000, 4000);
    EXPECT_AMT(r, "points_returned", ret);
    EXPECT_AMT(r, "points_taken_back", back);
    http_resp_free(&r);
    EXPECT_EQ_LL(pur_sql2("SELECT sum(restored) FROM spend_draws WHERE client_id = $1 AND "
                          "purchase_id = $2",
                          id, pid),
                 ret);
    /* every drawn lot holds exactly its amount minus what its draws still keep */
    EXPECT_EQ_LL(pur_sql1("SELECT count(*) FROM points_lots l WHERE client_id = $1 AND "
                          "source = 'adjustment' AND remaining <> amount - coalesce((SELECT "
                          "sum(d.amount - d.restored) FROM spend_draws d WHERE d.client_id = "
                          "l.client_id AND d.lot_id = l.id), 0)",
                          id),
                 0);
    EXPECT_EQ_LL(pur_sql2("SELECT remaining FROM points_lots WHERE client_id = $1 AND id = $2", id,
                          lot_c),
                 50000);
    EXPECT_EQ_LL(pur_account(id, "available"), 100000 - spent + accrued + ret - back);

    /* cancel: each lot exactly as before the purchase */
    snprintf(path, sizeof(path), "/api/v1/purchases/%s/cancel", receipt);
    pur_post(&r, path, AUTH_POS, false, JSON_T, NULL);
    EXPECT_STATUS(r, 200);
    EXPECT_TEXT(r, "status", "cancelled");
    http_resp_free(&r);
    pur_lots(id, lots1, sizeof(lots1));
    if (strcmp(lots0, lots1) != 0)
        it_note("lots (id:remaining:bucket) before the purchase %s, after the cancel %s", lots0,
                lots1);
    CU_ASSERT_STRING_EQUAL(lots0, lots1);
    EXPECT_EQ_LL(pur_sql1("SELECT coalesce(sum(remaining), 0) FROM points_lots WHERE "
                          "client_id = $1 AND source = 'purchase'",
                          id),
                 0);
    EXPECT_EQ_LL(pur_account(id, "available"), 100000);
    EXPECT_EQ_LL(pur_card_available(card, NULL), 100000);
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
}

/* RULES.md: "a restored lot that has expired meanwhile stays expired". */
static void test_cancel_after_lot_expired(void)
{
    char card[33], exp10[40], receipt[80], body[1024], path[160], out[512];
    struct http_resp r;
    CU_ASSERT_FATAL(pur_points_settings("{}"));
    long long id = it_new_client_with_card(AUTH_POS, card);
    CU_ASSERT_FATAL(id > 0);
    long long b_adj = pur_adjust(id, "200.00", pur_time(10 * 86400L, exp10, sizeof(exp10)), NULL,
                                 NULL);
    long long c_adj = pur_adjust(id, "500.00", NULL, NULL, NULL);
    CU_ASSERT_FATAL(b_adj > 0 && c_adj > 0);
    long long lot_b = pur_adj_lot(b_adj);
    /* spend 200: all of the expiring lot */
    static const struct pur_line lines[] = {{1, "SKU-X", NULL, "1", "400.00"}};
    uniq_str("IT-EXP", receipt, sizeof(receipt));
    struct pur_req q = {receipt, card, lines, 1, "200.00", true, false};
    pur_body(&q, false, body, sizeof(body));
    pur_post(&r, "/api/v1/purchases", AUTH_POS, false, JSON_T, body);
    EXPECT_STATUS(r, 201);
    http_resp_free(&r);
    EXPECT_EQ_LL(pur_sql2("SELECT remaining FROM points_lots WHERE client_id = $1 AND id = $2", id,
                          lot_b),
                 0);
    /* the lot expires meanwhile (time travel) and the expiry job runs */
    EXPECT_EQ_LL(pur_sql2("UPDATE points_lots SET active_from = now() - interval '20 days', "
                          "expires_at = now() - interval '1 day' WHERE client_id = $1 AND id = $2",
                          id, lot_b),
                 1);
    CU_ASSERT(pur_job("expiry", out, sizeof(out)) == 0);
    long long avail = pur_account(id, "available");
    /* cancel: the points drawn from the expired lot do not come back */
    snprintf(path, sizeof(path), "/api/v1/purchases/%s/cancel", receipt);
    pur_post(&r, path, AUTH_POS, false, JSON_T, NULL);
    EXPECT_STATUS(r, 200);
    http_resp_free(&r);
    long long spendable = pur_sql1("SELECT coalesce(sum(remaining), 0) FROM points_lots WHERE "
                                   "client_id = $1 AND bucket = 'available' AND (expires_at IS "
                                   "NULL OR expires_at > now())",
                                   id);
    EXPECT_EQ_LL(spendable, 50000);
    long long shown = pur_card_available(card, NULL);
    if (shown != 50000)
        it_note("after the cancel the card shows available %lld (account %lld, before the cancel "
                "%lld); only the 500.00 of the lot without expiry can be spent: the 200.00 "
                "restored to the expired lot %lld are counted as available",
                shown, pur_account(id, "available"), avail, lot_b);
    EXPECT_EQ_LL(shown, 50000);
    EXPECT_EQ_LL(pur_account(id, "available"), 50000);
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
}

/* ================================================================ 4. jobs == */

static long long pur_entries(long long client_id, const char *kind)
{
    char id[32];
    snprintf(id, sizeof(id), "%lld", client_id);
    const char *p[2] = {id, kind};
    return pur_sql("SELECT count(*) FROM ledger_entries WHERE client_id = $1 AND kind = $2", 2, p);
}

static void test_job_activation(void)
{
    char card[33], receipt[80], body[1024], future[40], out[512], snap[1024], snap2[1024];
    struct http_resp r;
    CU_ASSERT_FATAL(pur_points_settings("{\"activation_delay_days\":14}"));
    long long id = pur_new_funded_client("1000.00", card);
    CU_ASSERT_FATAL(id > 0);
    /* a purchase whose accrual waits 14 days … */
    static const struct pur_line lines[] = {{1, "SKU-A", NULL, "1", "1000.00"}};
    uniq_str("IT-ACT", receipt, sizeof(receipt));
    struct pur_req q = {receipt, card, lines, 1, NULL, false, false};
    pur_body(&q, false, body, sizeof(body));
    pur_post(&r, "/api/v1/purchases", AUTH_POS, false, JSON_T, body);
    EXPECT_STATUS(r, 201);
    long long accrued = pur_amt(&r, "points_accrued");
    CU_ASSERT(accrued > 0 && accrued != LLONG_MIN);
    EXPECT_AMT(r, "balance.after", 100000);
    EXPECT_AMT(r, "balance.pending_after", accrued);
    http_resp_free(&r);
    /* … and an adjustment active in 5 days */
    long long adj = pur_adjust(id, "20.00", NULL, pur_time(5 * 86400L, future, sizeof(future)), &r);
    CU_ASSERT(adj > 0);
    EXPECT_AMT(r, "balance_after", 100000);
    http_resp_free(&r);
    long long pending = accrued + 2000;
    EXPECT_EQ_LL(pur_account(id, "available"), 100000);
    EXPECT_EQ_LL(pur_account(id, "pending"), pending);
    EXPECT_EQ_LL(pur_card_available(card, "pending"), pending);
    EXPECT_EQ_LL(pur_sql1("SELECT count(*) FROM points_lots WHERE client_id = $1 AND "
                          "bucket = 'pending'",
                          id),
                 2);
    /* run before its time: nothing moves */
    CU_ASSERT(pur_job("activation", out, sizeof(out)) == 0);
    EXPECT_EQ_LL(pur_entries(id, "activation"), 0);
    EXPECT_EQ_LL(pur_account(id, "pending"), pending);
    /* time travel: both lots' time has come */
    EXPECT_EQ_LL(pur_sql1("UPDATE points_lots SET active_from = now() - interval '1 minute' "
                          "WHERE client_id = $1 AND bucket = 'pending'",
                          id),
                 2);
    CU_ASSERT(pur_job("activation", out, sizeof(out)) == 0);
    EXPECT_EQ_LL(pur_entries(id, "activation"), 1);
    EXPECT_EQ_LL(pur_sql1("SELECT amount FROM ledger_entries WHERE client_id = $1 AND "
                          "kind = 'activation'",
                          id),
                 pending);
    EXPECT_EQ_LL(pur_account(id, "available"), 100000 + pending);
    EXPECT_EQ_LL(pur_account(id, "pending"), 0);
    EXPECT_EQ_LL(pur_sql1("SELECT count(*) FROM points_lots WHERE client_id = $1 AND "
                          "bucket = 'pending'",
                          id),
                 0);
    /* the cached card is not stale */
    EXPECT_EQ_LL(pur_card_available(card, NULL), 100000 + pending);
    EXPECT_EQ_LL(pur_card_available(card, "pending"), 0);
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
    /* the second run changes nothing */
    pur_snapshot(id, receipt, snap, sizeof(snap));
    CU_ASSERT(pur_job("activation", out, sizeof(out)) == 0);
    pur_snapshot(id, receipt, snap2, sizeof(snap2));
    if (strcmp(snap, snap2) != 0)
        it_note("the second activation run changed: %s -> %s", snap, snap2);
    CU_ASSERT_STRING_EQUAL(snap, snap2);
    EXPECT_EQ_LL(pur_entries(id, "activation"), 1);
    /* the activated points can be spent: more than the 1,000.00 there was before */
    static const struct pur_line big[] = {{1, "SKU-A2", NULL, "1", "2000.00"}};
    char receipt2[80], pts[32];
    uniq_str("IT-ACT2", receipt2, sizeof(receipt2));
    struct pur_req q2 = {receipt2, card, big, 1, NULL, true, false};
    q2.points = pur_fmt(100000 + pending, pts, sizeof(pts));
    pur_body(&q2, false, body, sizeof(body));
    pur_post(&r, "/api/v1/purchases", AUTH_POS, false, JSON_T, body);
    EXPECT_STATUS(r, 201);
    http_resp_free(&r);
    CU_ASSERT(pur_points_settings("{}"));
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
}

static void test_job_expiry(void)
{
    char card[33], receipt[80], body[1024], exp[40], out[512], snap[1024], snap2[1024];
    struct http_resp r;
    CU_ASSERT_FATAL(pur_points_settings("{}"));
    long long id = it_new_client_with_card(AUTH_POS, card);
    CU_ASSERT_FATAL(id > 0);
    long long e_adj = pur_adjust(id, "100.00", pur_time(10 * 86400L, exp, sizeof(exp)), NULL, NULL);
    long long k_adj = pur_adjust(id, "50.00", NULL, NULL, NULL);
    CU_ASSERT_FATAL(e_adj > 0 && k_adj > 0);
    long long lot = pur_adj_lot(e_adj);
    /* spend 30: from the expiring lot (70 left in it) */
    static const struct pur_line lines[] = {{1, "SKU-E", NULL, "1", "100.00"}};
    uniq_str("IT-EXPJ", receipt, sizeof(receipt));
    struct pur_req q = {receipt, card, lines, 1, "30", true, false};
    pur_body(&q, false, body, sizeof(body));
    pur_post(&r, "/api/v1/purchases", AUTH_POS, false, JSON_T, body);
    EXPECT_STATUS(r, 201);
    long long accrued = pur_amt(&r, "points_accrued");
    http_resp_free(&r);
    EXPECT_EQ_LL(pur_sql2("SELECT remaining FROM points_lots WHERE client_id = $1 AND id = $2", id,
                          lot),
                 7000);
    long long before = pur_account(id, "available");
    EXPECT_EQ_LL(before, 15000 - 3000 + accrued);
    /* run before its time: nothing expires */
    CU_ASSERT(pur_job("expiry", out, sizeof(out)) == 0);
    EXPECT_EQ_LL(pur_entries(id, "expiry"), 0);
    /* time travel: the lot's end is yesterday */
    EXPECT_EQ_LL(pur_sql2("UPDATE points_lots SET active_from = now() - interval '20 days', "
                          "expires_at = now() - interval '1 day' WHERE client_id = $1 AND id = $2",
                          id, lot),
                 1);
    CU_ASSERT(pur_job("expiry", out, sizeof(out)) == 0);
    EXPECT_EQ_LL(pur_entries(id, "expiry"), 1);
    EXPECT_EQ_LL(pur_sql1("SELECT amount FROM ledger_entries WHERE client_id = $1 AND "
                          "kind = 'expiry'",
                          id),
                 -7000);
    EXPECT_EQ_LL(pur_sql2("SELECT remaining FROM points_lots WHERE client_id = $1 AND id = $2 AND "
                          "bucket = 'expired'",
                          id, lot),
                 0);
    EXPECT_EQ_LL(pur_account(id, "available"), before - 7000);
    EXPECT_EQ_LL(pur_card_available(card, NULL), before - 7000);
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
    pur_snapshot(id, receipt, snap, sizeof(snap));
    CU_ASSERT(pur_job("expiry", out, sizeof(out)) == 0);
    pur_snapshot(id, receipt, snap2, sizeof(snap2));
    if (strcmp(snap, snap2) != 0)
        it_note("the second expiry run changed: %s -> %s", snap, snap2);
    CU_ASSERT_STRING_EQUAL(snap, snap2);
    EXPECT_EQ_LL(pur_entries(id, "expiry"), 1);
    /* the history shows the expiry */
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/clients/%lld/operations?limit=1", id);
    http_get(&r, path, AUTH_POS, JSON_T);
    EXPECT_STATUS(r, 200);
    EXPECT_TEXT(r, "items.0.kind", "expiry");
    EXPECT_AMT(r, "items.0.amount", -7000);
    EXPECT_AMT(r, "items.0.balance_after", before - 7000);
    http_resp_free(&r);
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
}

static void test_hold_commit_release(void)
{
    char card[33], r1[80], r2[80], body[1024], path[160], out[512];
    struct http_resp r;
    CU_ASSERT_FATAL(pur_points_settings("{}"));
    long long id = pur_new_funded_client("500.00", card);
    CU_ASSERT_FATAL(id > 0);
    static const struct pur_line lines[] = {{1, "SKU-H", NULL, "1", "300.00"}};

    /* hold: the points are taken, nothing accrues yet */
    uniq_str("IT-HOLD", r1, sizeof(r1));
    struct pur_req q = {r1, card, lines, 1, "100", true, true};
    pur_body(&q, false, body, sizeof(body));
    pur_post(&r, "/api/v1/purchases", AUTH_POS, false, JSON_T, body);
    EXPECT_STATUS(r, 201);
    EXPECT_TEXT(r, "status", "held");
    EXPECT_AMT(r, "points_spent", 10000);
    long long accrued = pur_amt(&r, "points_accrued");
    long long pid = r.json ? jint(r.json, "id") : -1;
    http_resp_free(&r);
    CU_ASSERT(accrued > 0 && accrued != LLONG_MIN);
    EXPECT_EQ_LL(pur_account(id, "available"), 40000);
    EXPECT_EQ_LL(pur_card_available(card, NULL), 40000);
    EXPECT_EQ_LL(pur_sql2("SELECT count(*) FROM points_lots WHERE client_id = $1 AND "
                          "purchase_id = $2",
                          id, pid),
                 0);
    snprintf(path, sizeof(path), "/api/v1/purchases/%s", r1);
    http_get(&r, path, AUTH_POS, XML_T);
    EXPECT_STATUS(r, 200);
    EXPECT_TEXT(r, "status", "held");
    http_resp_free(&r);
    /* commit: confirmed, and the accrual appears (once, however often committed) */
    snprintf(path, sizeof(path), "/api/v1/purchases/%s/commit", r1);
    pur_post(&r, path, AUTH_POS, false, JSON_T, NULL);
    EXPECT_STATUS(r, 200);
    EXPECT_TEXT(r, "status", "confirmed");
    EXPECT_AMT(r, "balance.after", 40000 + accrued);
    http_resp_free(&r);
    pur_post(&r, path, AUTH_POS, false, XML_T, NULL);
    EXPECT_STATUS(r, 200);
    EXPECT_TEXT(r, "status", "confirmed");
    http_resp_free(&r);
    EXPECT_EQ_LL(pur_sql2("SELECT coalesce(sum(remaining), 0) FROM points_lots WHERE "
                          "client_id = $1 AND purchase_id = $2",
                          id, pid),
                 accrued);
    EXPECT_EQ_LL(pur_account(id, "available"), 40000 + accrued);
    EXPECT_EQ_LL(pur_card_available(card, NULL), 40000 + accrued);
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));

    /* another hold, past its TTL (time travel) */
    long long avail = 40000 + accrued;
    uniq_str("IT-HOLD2", r2, sizeof(r2));
    struct pur_req q2 = {r2, card, lines, 1, "50", true, true};
    pur_body(&q2, false, body, sizeof(body));
    pur_post(&r, "/api/v1/purchases", AUTH_POS, false, JSON_T, body);
    EXPECT_STATUS(r, 201);
    EXPECT_TEXT(r, "status", "held");
    long long pid2 = r.json ? jint(r.json, "id") : -1;
    http_resp_free(&r);
    EXPECT_EQ_LL(pur_account(id, "available"), avail - 5000);
    EXPECT_EQ_LL(pur_sql2("UPDATE purchases SET hold_expires_at = now() - interval '1 second' "
                          "WHERE client_id = $1 AND id = $2 AND status = 'held'",
                          id, pid2),
                 1);
    snprintf(path, sizeof(path), "/api/v1/purchases/%s/commit", r2);
    pur_post(&r, path, AUTH_POS, false, JSON_T, NULL);
    EXPECT_ERROR(r, 409, "purchase_not_held", NULL);
    http_resp_free(&r);
    EXPECT_EQ_LL(pur_account(id, "available"), avail - 5000);
    CU_ASSERT(pur_job("hold_release", out, sizeof(out)) == 0);
    snprintf(path, sizeof(path), "/api/v1/purchases/%s", r2);
    http_get(&r, path, AUTH_POS, JSON_T);
    EXPECT_STATUS(r, 200);
    EXPECT_TEXT(r, "status", "cancelled");
    http_resp_free(&r);
    EXPECT_EQ_LL(pur_sql2("SELECT count(*) FROM purchases WHERE client_id = $1 AND id = $2 AND "
                          "status = 'cancelled' AND cancel_reason = 'hold_expired'",
                          id, pid2),
                 1);
    EXPECT_EQ_LL(pur_account(id, "available"), avail);
    EXPECT_EQ_LL(pur_card_available(card, NULL), avail);
    /* the committed purchase was not touched by the release */
    EXPECT_EQ_LL(pur_sql2("SELECT count(*) FROM purchases WHERE client_id = $1 AND id = $2 AND "
                          "status = 'confirmed'",
                          id, pid),
                 1);
    /* a second run releases nothing more */
    CU_ASSERT(pur_job("hold_release", out, sizeof(out)) == 0);
    EXPECT_EQ_LL(pur_account(id, "available"), avail);
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
}

/* ============================================================== suites == */

int purchases_suite_cleanup(void)
{
    pur_points_settings("{}");
    pur_session_free(&pur_sess_json);
    pur_session_free(&pur_sess_xml);
    pur_db_close();
    return 0;
}

/* A confirm takes its ids in its one write statement (when the buyer's context is cached, the
 * only statement): the answer, the stored document, the receipt index, the ledger rows, the
 * lots and the event name the same purchase, for a known buyer and an anonymous one; and a
 * repeat of that receipt is answered with it (200), not refused or written twice. */
static void test_confirm_ids_agree(void)
{
    char card[33], rc[80], ra[80], body[1024], path[160];
    struct http_resp r;
    CU_ASSERT_FATAL(pur_points_settings("{}"));
    long long client = pur_new_funded_client("500.00", card);
    CU_ASSERT_FATAL(client > 0);
    static const struct pur_line lines[] = {{1, "SKU-ID", NULL, "2", "150.00"}};
    uniq_str("IT-IDS", rc, sizeof(rc));
    struct pur_req q = {rc, card, lines, 1, "100", false, false};
    pur_body(&q, false, body, sizeof(body));
    /* a calculate by card caches the context: the confirm then reads nothing first */
    pur_post(&r, "/api/v1/purchases/calculate", AUTH_POS, false, JSON_T, body);
    EXPECT_STATUS(r, 200);
    http_resp_free(&r);
    pur_post(&r, "/api/v1/purchases", AUTH_POS, false, JSON_T, body);
    EXPECT_STATUS(r, 201);
    EXPECT_STREQ(r.x_cache, "hit");
    long long pid = r.json ? jint(r.json, "id") : -1;
    long long accrued = pur_amt(&r, "points_accrued");
    http_resp_free(&r);
    CU_ASSERT_FATAL(pid > 0);
    CU_ASSERT(accrued > 0);
    EXPECT_EQ_LL(pur_sql2("SELECT count(*) FROM purchases WHERE client_id = $1 AND id = $2 "
                          "AND (document->>'id')::bigint = id",
                          client, pid),
                 1);
    EXPECT_EQ_LL(pur_sql2("SELECT count(*) FROM receipt_index WHERE client_id = $1 AND "
                          "purchase_id = $2",
                          client, pid),
                 1);
    /* one spend and one accrual entry, the spend first; the draw names the spend entry */
    EXPECT_EQ_LL(pur_sql2("SELECT count(*) FROM ledger_entries s JOIN ledger_entries c ON "
                          "c.client_id = s.client_id AND c.purchase_id = s.purchase_id "
                          "WHERE s.client_id = $1 AND s.purchase_id = $2 AND s.kind = 'spend' "
                          "AND c.kind = 'accrual' AND s.id < c.id",
                          client, pid),
                 1);
    EXPECT_EQ_LL(pur_sql2("SELECT count(*) FROM spend_draws d JOIN ledger_entries s ON "
                          "s.client_id = d.client_id AND s.id = d.ledger_entry_id WHERE "
                          "d.client_id = $1 AND d.purchase_id = $2 AND s.kind = 'spend'",
                          client, pid),
                 1);
    EXPECT_EQ_LL(pur_sql2("SELECT coalesce(sum(l.amount), 0) FROM points_lots l JOIN "
                          "ledger_entries c ON c.client_id = l.client_id AND c.lot_id = l.id "
                          "WHERE l.client_id = $1 AND l.purchase_id = $2 AND c.kind = 'accrual'",
                          client, pid),
                 accrued);
    EXPECT_EQ_LL(pur_sql2("SELECT count(*) FROM outbox WHERE client_id = $1 AND type = "
                          "'purchase.confirmed' AND (payload->>'purchase_id')::bigint = $2 AND "
                          "(payload->>'client_id')::bigint = $1",
                          client, pid),
                 1);
    /* the same receipt again with the context cached again (the confirm dropped it): the
     * write meets the receipt's unique key, and the answer is the first purchase */
    pur_post(&r, "/api/v1/purchases/calculate", AUTH_POS, false, JSON_T, body);
    EXPECT_STATUS(r, 200);
    http_resp_free(&r);
    pur_post(&r, "/api/v1/purchases", AUTH_POS, false, JSON_T, body);
    EXPECT_STATUS(r, 200);
    EXPECT_STREQ(r.x_cache, "hit");
    EXPECT_EQ_LL(r.json ? jint(r.json, "id") : -1, pid);
    http_resp_free(&r);
    EXPECT_EQ_LL(pur_sql2("SELECT count(*) FROM purchases WHERE client_id = $1 AND id <> $2",
                          client, pid),
                 0);

    /* anonymous: the row's key is minus its id, the event's client 0 */
    uniq_str("IT-IDSA", ra, sizeof(ra));
    snprintf(body, sizeof(body),
             "{\"receipt_id\":\"%s\",\"store_id\":\"IT-STORE\",\"pos_id\":\"7\","
             "\"lines\":[{\"line_no\":1,\"sku\":\"SKU-ID\",\"qty\":1,\"price\":10.00}]}",
             ra);
    pur_post(&r, "/api/v1/purchases", AUTH_POS, false, JSON_T, body);
    EXPECT_STATUS(r, 201);
    long long aid = r.json ? jint(r.json, "id") : -1;
    http_resp_free(&r);
    CU_ASSERT_FATAL(aid > 0);
    EXPECT_EQ_LL(pur_sql2("SELECT count(*) FROM purchases WHERE client_id = $1 AND id = $2 "
                          "AND (document->>'id')::bigint = id",
                          -aid, aid),
                 1);
    EXPECT_EQ_LL(pur_sql2("SELECT count(*) FROM outbox WHERE client_id = 0 AND type = "
                          "'purchase.confirmed' AND (payload->>'purchase_id')::bigint = $1 "
                          "AND (payload->>'client_id')::bigint = $2",
                          aid, 0),
                 1);
    snprintf(path, sizeof(path), "/api/v1/purchases/%s", ra);
    http_get(&r, path, AUTH_POS, JSON_T);
    EXPECT_STATUS(r, 200);
    EXPECT_EQ_LL(r.json ? jint(r.json, "id") : -1, aid);
    http_resp_free(&r);
    /* an anonymous repeat (no read at all before its write) is answered, not written again */
    pur_post(&r, "/api/v1/purchases", AUTH_POS, false, JSON_T, body);
    EXPECT_STATUS(r, 200);
    EXPECT_EQ_LL(r.json ? jint(r.json, "id") : -1, aid);
    http_resp_free(&r);
    EXPECT_EQ_LL(pur_sql2("SELECT count(*) FROM receipt_index WHERE purchase_id = $1 AND "
                          "client_id = $2",
                          aid, -aid),
                 1);
    CU_ASSERT(pur_verify_clean(__FILE__, __LINE__));
}

void purchases_session_add_tests(CU_pSuite s)
{
    CU_add_test(s, "POS session in JSON: credit, calculate, confirm, repeat, refund, cancel",
                test_session_json);
    CU_add_test(s, "the same POS session in XML gives the same documents", test_session_xml);
}

void purchases_add_tests(CU_pSuite s)
{
    purchases_session_add_tests(s);
    CU_add_test(s, "API.md §6 numbers: level 5 % / 5 % / 50 %, 100 points",
                test_api_example_numbers);
    CU_add_test(s, "spend draws the earliest-expiring lot; refund and cancel restore exact lots",
                test_refund_and_cancel_restore_lots);
    CU_add_test(s, "cancel after the drawn lot expired: those points stay expired",
                test_cancel_after_lot_expired);
    CU_add_test(s, "activation job: pending lots become available once", test_job_activation);
    CU_add_test(s, "expiry job: an expired lot loses its rest once", test_job_expiry);
    CU_add_test(s, "hold: commit accrues; an expired hold is refused and released",
                test_hold_commit_release);
    CU_add_test(s, "a confirm's ids agree in answer, document, ledger, lots and event; replay",
                test_confirm_ids_agree);
}
