/* it: what the integration test areas share: the environment of the stack under test,
 * unique test data, database row counts, and checks that explain what they saw. */
#ifndef IT_IT_H
#define IT_IT_H

#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "http.h"

/* One API key of the dev stack (one scope each). */
struct it_key {
    unsigned scope;        /* the scope bit (src/http/scope.h) */
    const char *name;      /* "pos" */
    const char *key;       /* "<key_id>.<secret>" */
    char bearer[320];      /* "Bearer <key>" */
};

#define IT_NKEYS 6

/* The stack under test, read from the environment by main. */
struct it_env {
    const char *http_url;           /* LOYALTY_URL */
    const char *https_url;          /* LOYALTY_HTTPS_URL */
    const char *origin;             /* the origin the current suite talks to */
    const char *origin_name;        /* "http" / "https" */
    struct it_key keys[IT_NKEYS];   /* admin, pos, shop, partner, analytics, erp */
    const char *erp_key_id;         /* LOYALTY_ERP_KEY_ID */
    const char *erp_secret;         /* LOYALTY_ERP_SECRET */
    char erp_basic[520];            /* "Basic base64(id:secret)" */
    const char *pg;                 /* LOYALTY_PG conninfo */
    const char *redis;              /* LOYALTY_REDIS "host:port" or "unix:PATH", NULL when unset */
    const char *var;                /* LOYALTY_VAR */
    const char *dev;                /* LOYALTY_DEV (the ./dev script), NULL when unset */
    int workers;                    /* configured FastCGI worker processes */
};

extern struct it_env E;

/* Keys by scope. */
const char *it_auth(const char *scope_name);
#define AUTH_ADMIN it_auth("admin")
#define AUTH_POS it_auth("pos")
#define AUTH_SHOP it_auth("shop")
#define AUTH_PARTNER it_auth("partner")
#define AUTH_ANALYTICS it_auth("analytics")
#define AUTH_ERP it_auth("erp")

/* Demo data made by `loyaltyctl demo-data`. */
#define DEMO_CARD "2000000000015"
#define DEMO_CARD2 "2000000000022"
#define DEMO_CARD3 "2000000000039"

#define JSON_T "application/json"
#define XML_T "application/xml"

const char *it_origin(void);
/* CUnit suite initialisers that choose the origin. */
int it_suite_http(void);
int it_suite_https(void);

/* Unique values for this run (time, pid and a counter): reruns on the same database pass. */
void uniq_phone(char national[32], char e164[20]);   /* "8 (9xx) xxx-xx-xx", "+79xxxxxxxxx" */
void uniq_email(char out[96]);
void uniq_card(char out[33]);                         /* manual card number */
void uniq_str(const char *prefix, char *out, size_t n);
/* Percent-encode a query value (everything but [A-Za-z0-9._~-]). */
void it_urlencode(const char *in, char *out, size_t n);
/* "Basic base64(user:pass)" (user NULL: pass is sent as is, without a colon). */
void it_basic(const char *user, const char *pass, char *out, size_t n);
/* Is s a valid EAN-13 number? */
bool it_ean13_valid(const char *s);

/* Row counts of the tables a client write touches. */
#define IT_NCOUNTS 10
struct it_counts {
    long long n[IT_NCOUNTS];
};
bool counts_take(struct it_counts *c);
/* true when equal; prints the tables that changed. */
bool counts_same(const struct it_counts *a, const struct it_counts *b, const char *what);
/* One number from SQL; -1 on error. */
long long it_db_scalar(const char *sql, const char *param);
void it_db_close(void);

/* Create a client with a JSON body (POST /clients, Accept JSON); returns its id or -1. */
long long it_create_client(const char *auth, const char *json_body, struct http_resp *out);
/* Create a client with a unique phone and a fresh manual card; returns the id, fills the card. */
long long it_new_client_with_card(const char *auth, char card[33]);

/* Run the ./dev script with "svc ACTION SERVICE"; true on exit status 0. */
bool it_dev_svc(const char *action, const char *service);
/* The FastCGI master's pid (0 when unknown) and its live (non-zombie) children. */
pid_t it_fcgi_master(void);
int it_live_children(pid_t parent, pid_t *out, int max);

/* Checks that print what they saw (request, expected, got) when they fail. */
bool it_check_status(const struct http_resp *r, long status, const char *file, int line);
bool it_check_error(const struct http_resp *r, long status, const char *code, const char *field,
                    const char *file, int line);
bool it_check_xml_valid(const struct http_resp *r, const char *file, int line);
void it_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define EXPECT_STATUS(r, st) CU_ASSERT(it_check_status(&(r), (st), __FILE__, __LINE__))
/* code: NULL = any code; field: NULL = not checked, "" = must be absent */
#define EXPECT_ERROR(r, st, code, field) \
    CU_ASSERT(it_check_error(&(r), (st), (code), (field), __FILE__, __LINE__))
#define EXPECT_XML_VALID(r) CU_ASSERT(it_check_xml_valid(&(r), __FILE__, __LINE__))
#define EXPECT_STREQ(a, b)                                                                  \
    do {                                                                                    \
        const char *a_ = (a), *b_ = (b);                                                    \
        bool eq_ = a_ && b_ && strcmp(a_, b_) == 0;                                         \
        if (!eq_)                                                                           \
            it_note("%s:%d: %s: got \"%s\", expected \"%s\"", __FILE__, __LINE__, #a,      \
                    a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                \
        CU_ASSERT(eq_);                                                                     \
    } while (0)

/* The areas: each adds its tests to a suite. */
void auth_add_tests(CU_pSuite s);
void formats_add_tests(CU_pSuite s);
void clients_add_tests(CU_pSuite s);
void badbody_add_tests(CU_pSuite s);
void cache_add_tests(CU_pSuite s);
void cachewarm_add_tests(CU_pSuite s);
void calccache_add_tests(CU_pSuite s);
int calccache_suite_cleanup(void);
void faults_add_tests(CU_pSuite s);
int faults_suite_cleanup(void);
void purchases_add_tests(CU_pSuite s);
void purchases_session_add_tests(CU_pSuite s);
int purchases_suite_cleanup(void);
void races_add_tests(CU_pSuite s);
void platform_add_tests(CU_pSuite s);
int races_suite_cleanup(void);

/* Points and purchases helpers (test_purchases.c, shared with test_races.c). Amounts are
 * minor units (1/100); LLONG_MIN stands for "absent" / "failed". */
long long pur_minor(const char *text);                     /* "1427.00" → 142700 */
const char *pur_fmt(long long minor, char *buf, size_t n); /* 142700 → "1427.00" */
/* SQL with text parameters on the suite's own connection: the first value, or for a
 * command the rows it touched. */
long long pur_sql(const char *sql, int n, const char *const *params);
long long pur_sql1(const char *sql, long long a);
const char *pur_sql_text(const char *sql, int n, const char *const *params, char *out,
                         size_t size);
void pur_db_close(void);
bool pur_verify_clean(const char *file, int line);          /* ./dev ctl verify exits 0 */
/* ./dev svc ACTION SERVICE (posix_spawn: safe while other threads run) */
bool pur_svc(const char *action, const char *service);
bool pur_points_settings(const char *json_body);            /* PUT /settings/points → 200 */
long long pur_new_funded_client(const char *amount, char card[33]);
long long pur_account(long long client_id, const char *column);
long long pur_card_available(const char *card, const char *member);
/* POST /levels: a level named prefix + a unique suffix (into name) above every other (a
 * threshold out of reach) with the percents given ("\"accrual_percent\":5,…"); its id, -1
 * on failure; out (may be NULL) receives the answer. */
long long pur_new_level(const char *prefix, const char *percents, char name[96],
                        struct http_resp *out);
/* RFC 3339 (UTC) of now + seconds. */
const char *pur_time(long seconds, char *out, size_t n);
/* POST /points/adjustments (ERP key, a unique idempotency key): the adjustment's id, -1 on
 * failure; out (may be NULL) receives the answer. */
long long pur_adjust(long long client_id, const char *amount, const char *expires_at,
                     const char *active_from, struct http_resp *out);
/* An amount of an answer (JSON or XML) at a dotted path, in minor units. */
long long pur_amt(const struct http_resp *r, const char *path);
bool pur_check_amt(const struct http_resp *r, const char *path, long long want, const char *file,
                   int line);
/* A client's rows (entries, lots, draws, purchases, the receipt, the account with its
 * version) as one line: equal before and after means nothing was written. */
const char *pur_snapshot(long long client_id, const char *receipt, char *out, size_t n);

/* One receipt line of a request. */
struct pur_line {
    int no;             /* line_no */
    const char *sku;    /* SKU */
    const char *name;   /* name, NULL: none */
    const char *qty;    /* quantity as text */
    const char *price;  /* price as text */
};

/* A calculate / confirm request. */
struct pur_req {
    const char *receipt;           /* receipt_id, NULL: none */
    const char *card;              /* card number */
    const struct pur_line *lines;  /* lines */
    size_t nlines;                 /* how many */
    const char *points;            /* points_to_spend, NULL: none */
    bool strict;                   /* "strict": true */
    bool hold;                     /* "hold": true */
};

/* The body of a calculate / confirm in JSON or XML. */
void pur_body(const struct pur_req *q, bool xml, char *out, size_t n);
/* POST a body (JSON, or XML when xml_body) asking for `accept`. */
void pur_post(struct http_resp *r, const char *path, const char *auth, bool xml_body,
              const char *accept, const char *body);

#define EXPECT_AMT(r, path, want) CU_ASSERT(pur_check_amt(&(r), (path), (want), __FILE__, __LINE__))
#define EXPECT_EQ_LL(a, b)                                                                 \
    do {                                                                                   \
        long long a_ = (a), b_ = (b);                                                      \
        if (a_ != b_)                                                                      \
            it_note("%s:%d: %s = %lld, expected %lld", __FILE__, __LINE__, #a, a_, b_);    \
        CU_ASSERT(a_ == b_);                                                               \
    } while (0)

/* The stack's Redis (test_cachewarm.c): a connection, NULL (noted) when there is none; one
 * command with at most one argument, its integer reply (-1 on an error); `./dev ctl cache
 * warm` with an environment prefix, its exit status and output. */
struct redisContext;
struct redisContext *warm_redis(void);
long long warm_redis_int(struct redisContext *ctx, const char *fmt, const char *arg);
int warm_run(const char *env, char *out, size_t n);

#endif
