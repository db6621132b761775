/* fixtures.c: unique data, database counts, client creation, ./dev, and explaining checks. */
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "it.h"

struct it_env E;

static unsigned long it_counter;
static pthread_mutex_t it_lock = PTHREAD_MUTEX_INITIALIZER;
static PGconn *it_pg;

const char *it_auth(const char *scope_name)
{
    for (int i = 0; i < IT_NKEYS; i++)
        if (strcmp(E.keys[i].name, scope_name) == 0)
            return E.keys[i].bearer;
    return NULL;
}

const char *it_origin(void)
{
    return E.origin ? E.origin : E.http_url;
}

int it_suite_http(void)
{
    E.origin = E.http_url;
    E.origin_name = "http";
    return 0;
}

int it_suite_https(void)
{
    E.origin = E.https_url;
    E.origin_name = "https";
    return 0;
}

void it_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("\n    NOTE ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    fflush(stdout);
    va_end(ap);
}

/* --------------------------------------------------------------- unique -- */

static unsigned long it_next(void)
{
    pthread_mutex_lock(&it_lock);
    unsigned long n = ++it_counter;
    pthread_mutex_unlock(&it_lock);
    return n;
}

void uniq_phone(char national[32], char e164[20])
{
    /* 9 digits after the leading 9: five from the clock and pid, four from the counter */
    unsigned long run = ((unsigned long)time(NULL) * 31UL + (unsigned long)getpid()) % 100000UL;
    unsigned long v = run * 10000UL + it_next() % 10000UL;
    char d[10];
    snprintf(d, sizeof(d), "%09lu", v);
    snprintf(national, 32, "8 (9%.2s) %.3s-%.2s-%.2s", d, d + 2, d + 5, d + 7);
    snprintf(e164, 20, "+79%s", d);
}

void uniq_email(char out[96])
{
    snprintf(out, 96, "it.%ld.%d.%lu@example.com", (long)time(NULL), (int)getpid(), it_next());
}

void uniq_card(char out[33])
{
    snprintf(out, 33, "IT%ld-%d-%lu", (long)time(NULL) % 100000000L, (int)getpid(), it_next());
}

void uniq_str(const char *prefix, char *out, size_t n)
{
    snprintf(out, n, "%s-%ld-%d-%lu", prefix, (long)time(NULL), (int)getpid(), it_next());
}

void it_urlencode(const char *in, char *out, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && o + 4 < n; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("._~-", *p)) {
            out[o++] = (char)*p;
        } else {
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = '\0';
}

void it_basic(const char *user, const char *pass, char *out, size_t n)
{
    char raw[600];
    unsigned char b64[820];
    int len = user ? snprintf(raw, sizeof(raw), "%s:%s", user, pass)
                   : snprintf(raw, sizeof(raw), "%s", pass);
    if (len < 0 || (size_t)len >= sizeof(raw))
        len = (int)sizeof(raw) - 1;
    EVP_EncodeBlock(b64, (const unsigned char *)raw, len);
    int room = (int)n - 7;
    snprintf(out, n, "Basic %.*s", room > 0 ? room : 0, (const char *)b64);
}

bool it_ean13_valid(const char *s)
{
    if (!s || strlen(s) != 13 || strspn(s, "0123456789") != 13)
        return false;
    int sum = 0;
    for (int i = 0; i < 12; i++)
        sum += (s[i] - '0') * (i % 2 ? 3 : 1);
    return (10 - sum % 10) % 10 == s[12] - '0';
}

/* ------------------------------------------------------------- database -- */

static PGconn *it_db(void)
{
    if (it_pg && PQstatus(it_pg) == CONNECTION_OK)
        return it_pg;
    if (it_pg)
        PQfinish(it_pg);
    it_pg = PQconnectdb(E.pg);
    if (PQstatus(it_pg) != CONNECTION_OK) {
        it_note("cannot connect to PostgreSQL (%s): %s", E.pg, PQerrorMessage(it_pg));
        return NULL;
    }
    return it_pg;
}

void it_db_close(void)
{
    if (it_pg)
        PQfinish(it_pg);
    it_pg = NULL;
}

long long it_db_scalar(const char *sql, const char *param)
{
    PGconn *c = it_db();
    if (!c)
        return -1;
    const char *p[1] = {param};
    PGresult *r = PQexecParams(c, sql, param ? 1 : 0, NULL, p, NULL, NULL, 0);
    long long v = -1;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
        v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    else if (PQresultStatus(r) != PGRES_TUPLES_OK)
        it_note("SQL failed: %s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    return v;
}

static const char *const it_count_tables[IT_NCOUNTS] = {
    "clients", "client_phones", "client_emails", "client_external_ids", "card_index",
    "cards",   "accounts",      "idempotency_keys", "referral_codes", "outbox",
};

bool counts_take(struct it_counts *c)
{
    bool ok = true;
    for (int i = 0; i < IT_NCOUNTS; i++) {
        char sql[128];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", it_count_tables[i]);
        c->n[i] = it_db_scalar(sql, NULL);
        ok = ok && c->n[i] >= 0;
    }
    return ok;
}

bool counts_same(const struct it_counts *a, const struct it_counts *b, const char *what)
{
    bool same = true;
    for (int i = 0; i < IT_NCOUNTS; i++)
        if (a->n[i] != b->n[i] || a->n[i] < 0) {
            it_note("%s wrote rows: %s %lld -> %lld", what, it_count_tables[i], a->n[i], b->n[i]);
            same = false;
        }
    return same;
}

/* -------------------------------------------------------------- clients -- */

long long it_create_client(const char *auth, const char *json_body, struct http_resp *out)
{
    struct http_resp r;
    http_send(&r, "POST", "/api/v1/clients", auth, JSON_T, JSON_T, json_body);
    long long id = -1;
    if (r.status == 201 && r.json)
        id = jint(r.json, "id");
    else
        it_note("creating a client failed: POST /api/v1/clients %s -> %ld %s", json_body,
                r.status, r.body);
    if (out)
        *out = r;
    else
        http_resp_free(&r);
    return id;
}

long long it_new_client_with_card(const char *auth, char card[33])
{
    char nat[32], e164[20], body[512];
    uniq_phone(nat, e164);
    uniq_card(card);
    snprintf(body, sizeof(body),
             "{\"phone\":\"%s\",\"first_name\":\"Ivan\",\"last_name\":\"Testov\","
             "\"card_number\":\"%s\"}",
             e164, card);
    return it_create_client(auth, body, NULL);
}

/* ------------------------------------------------------------------ dev -- */

bool it_dev_svc(const char *action, const char *service)
{
    if (!E.dev) {
        it_note("LOYALTY_DEV is not set: cannot %s %s", action, service);
        return false;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        /* quiet: the script reports on stderr/stdout, which would break CUnit's lines */
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
            _exit(127);
        execl(E.dev, E.dev, "svc", action, service, (char *)NULL);
        _exit(127);
    }
    if (pid < 0)
        return false;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
    }
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok)
        it_note("%s svc %s %s failed (status %d)", E.dev, action, service, status);
    return ok;
}

/* --------------------------------------------------------------- checks -- */

static const char *it_short(const struct http_resp *r)
{
    static __thread char buf[700];
    if (r->status == 0) {
        snprintf(buf, sizeof(buf), "(no answer: %s)", r->curl_error);
        return buf;
    }
    snprintf(buf, sizeof(buf), "%.600s%s", r->body ? r->body : "",
             r->body && r->len > 600 ? "…" : "");
    for (char *p = buf; *p; p++)
        if (*p == '\n')
            *p = ' ';
    return buf;
}

bool it_check_status(const struct http_resp *r, long status, const char *file, int line)
{
    if (r->status == status && (!r->xsd_checked || r->xsd_ok))
        return true;
    if (r->status != status)
        it_note("%s:%d: [%s] %s: expected %ld, got %ld %s", file, line, E.origin_name, r->what,
                status, r->status, it_short(r));
    else
        it_note("%s:%d: [%s] %s: XSD: %s", file, line, E.origin_name, r->what, r->xsd_error);
    return false;
}

bool it_check_xml_valid(const struct http_resp *r, const char *file, int line)
{
    if (r->xml && r->xsd_checked && r->xsd_ok)
        return true;
    if (!r->xml)
        it_note("%s:%d: [%s] %s: not an XML answer (%s): %s", file, line, E.origin_name, r->what,
                r->content_type, it_short(r));
    else
        it_note("%s:%d: [%s] %s: XSD: %s", file, line, E.origin_name, r->what, r->xsd_error);
    return false;
}

bool it_check_error(const struct http_resp *r, long status, const char *code, const char *field,
                    const char *file, int line)
{
    char got_code[128] = "", got_field[256] = "", got_msg[512] = "";
    bool has_field = false, has_msg = false, shaped = false;
    if (r->json) {
        json_object *e = jpath(r->json, "error");
        if (e && json_object_is_type(e, json_type_object)) {
            const char *c = jstr(e, "code"), *m = jstr(e, "message"), *f = jstr(e, "field");
            shaped = c != NULL;
            snprintf(got_code, sizeof(got_code), "%s", c ? c : "");
            has_msg = m && *m;
            snprintf(got_msg, sizeof(got_msg), "%s", m ? m : "");
            has_field = f != NULL;
            snprintf(got_field, sizeof(got_field), "%s", f ? f : "");
        }
    } else if (r->xml) {
        xmlNode *root = xmlDocGetRootElement(r->xml);
        if (root && strcmp((const char *)root->name, "error") == 0) {
            shaped = xtext(r->xml, "code", got_code, sizeof(got_code)) != NULL;
            has_msg = xtext(r->xml, "message", got_msg, sizeof(got_msg)) && *got_msg;
            has_field = xtext(r->xml, "field", got_field, sizeof(got_field)) != NULL;
        }
    }
    bool ok = r->status == status && shaped && has_msg && (!code || strcmp(got_code, code) == 0);
    if (ok && field)
        ok = *field ? has_field && strcmp(got_field, field) == 0 : !has_field;
    if (ok && r->xml && !r->xsd_ok)
        ok = false;
    if (!ok) {
        it_note("%s:%d: [%s] %s: expected %ld %s%s%s, got %ld %s (Content-Type %s)%s%s", file,
                line, E.origin_name, r->what, status, code ? code : "(any code)", field ? " field=" : "",
                field ? (*field ? field : "(none)") : "", r->status, it_short(r),
                r->content_type, r->xml && !r->xsd_ok ? "; XSD: " : "",
                r->xml && !r->xsd_ok ? r->xsd_error : "");
    }
    return ok;
}

/* The FastCGI master's pid (from its pidfile), 0 when unknown. */
pid_t it_fcgi_master(void)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/run/loyalty-fcgi.pid", E.var);
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (f) {
        if (fscanf(f, "%ld", &pid) != 1)
            pid = 0;
        fclose(f);
    }
    return (pid_t)pid;
}

/* Live (non-zombie) children of a process, by scanning /proc. */
int it_live_children(pid_t parent, pid_t *out, int max)
{
    DIR *d = opendir("/proc");
    int n = 0;
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < max) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0)
            continue;
        char path[64], buf[512];
        snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t got = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[got] = '\0';
        const char *rp = strrchr(buf, ')');
        char state;
        long ppid;
        if (!rp || sscanf(rp + 1, " %c %ld", &state, &ppid) != 2)
            continue;
        if (ppid == parent && state != 'Z' && state != 'X')
            out[n++] = (pid_t)pid;
    }
    closedir(d);
    return n;
}
