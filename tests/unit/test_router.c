/* test_router.c: matching a method and a path against a route table (exact paths, {param}
 * captures with percent-decoding, trailing slash, 405 detection), router_unescape, scopes. */
#include "check.h"
#include "http/router.h"
#include "http/scope.h"
#include "tests.h"

static const struct route rt_table[] = {
    {"GET", "/api/v1/health", "health", 0, NULL, NULL, false},
    {"GET", "/api/v1/cards/{number}", "cards.get", SCOPE_POS, NULL, NULL, false},
    {"POST", "/api/v1/cards/{number}/block", "cards.block", SCOPE_POS, NULL, NULL, false},
    {"GET", "/api/v1/clients", "clients.search", SCOPE_POS, NULL, NULL, false},
    {"POST", "/api/v1/clients", "clients.create", SCOPE_POS, NULL, NULL, false},
    {"GET", "/api/v1/clients/{id}", "clients.get", SCOPE_POS, NULL, NULL, false},
    {"PATCH", "/api/v1/clients/{id}", "clients.update", SCOPE_POS, NULL, NULL, false},
    {"GET", "/api/v1/clients/{id}/cards/{number}", "clients.card", SCOPE_POS, NULL, NULL, false},
    {"GET", "/api/v1/four/{a}/{b}/{c}/{d}", "four", SCOPE_ERP, NULL, NULL, false},
    {"GET", "/api/v1/five/{a}/{b}/{c}/{d}/{e}", "five", SCOPE_ERP, NULL, NULL, false},
    {"GET", "/", "root", 0, NULL, NULL, false},
};

struct rt_row {
    const char *method;   /* request method */
    const char *path;     /* request path */
    const char *name;     /* expected route name, NULL for none */
    bool path_known;      /* expected path_known */
    size_t nparams;       /* expected captures */
    const char *p[4];     /* expected captured values */
};

static const struct rt_row rt_rows[] = {
    /* exact paths */
    {"GET", "/api/v1/health", "health", true, 0, {NULL}},
    {"GET", "/api/v1/clients", "clients.search", true, 0, {NULL}},
    {"POST", "/api/v1/clients", "clients.create", true, 0, {NULL}},
    {"GET", "/", "root", true, 0, {NULL}},
    /* trailing slash is the same path */
    {"GET", "/api/v1/clients/", "clients.search", true, 0, {NULL}},
    {"GET", "/api/v1/health/", "health", true, 0, {NULL}},
    {"GET", "/api/v1/cards/2000000000015/", "cards.get", true, 1, {"2000000000015"}},
    /* captures */
    {"GET", "/api/v1/cards/2000000000015", "cards.get", true, 1, {"2000000000015"}},
    {"POST", "/api/v1/cards/ABC-1/block", "cards.block", true, 1, {"ABC-1"}},
    {"GET", "/api/v1/clients/42", "clients.get", true, 1, {"42"}},
    {"PATCH", "/api/v1/clients/42", "clients.update", true, 1, {"42"}},
    {"GET", "/api/v1/clients/7/cards/X1", "clients.card", true, 2, {"7", "X1"}},
    {"GET", "/api/v1/four/1/2/3/4", "four", true, 4, {"1", "2", "3", "4"}},
    /* percent-decoding of captures */
    {"GET", "/api/v1/cards/AB%2D12", "cards.get", true, 1, {"AB-12"}},
    {"GET", "/api/v1/cards/%41%62%63", "cards.get", true, 1, {"Abc"}},
    {"GET", "/api/v1/cards/a%20b", "cards.get", true, 1, {"a b"}},
    {"GET", "/api/v1/cards/a%2Fb", "cards.get", true, 1, {"a/b"}},
    {"GET", "/api/v1/cards/%e2%82%ac", "cards.get", true, 1, {"€"}},
    {"GET", "/api/v1/cards/100%25", "cards.get", true, 1, {"100%"}},
    {"GET", "/api/v1/cards/a+b", "cards.get", true, 1, {"a+b"}},
    /* known path, other method: 405 */
    {"DELETE", "/api/v1/clients", NULL, true, 0, {NULL}},
    {"PUT", "/api/v1/clients/42", NULL, true, 0, {NULL}},
    {"GET", "/api/v1/cards/1234/block", NULL, true, 0, {NULL}},
    {"POST", "/api/v1/health", NULL, true, 0, {NULL}},
    {"get", "/api/v1/health", NULL, true, 0, {NULL}},
    /* unknown paths: 404 */
    {"GET", "/api/v1/nothing", NULL, false, 0, {NULL}},
    {"GET", "/api/v1/client", NULL, false, 0, {NULL}},
    {"GET", "/api/v1/clientsx", NULL, false, 0, {NULL}},
    {"GET", "/api/v1/healthz", NULL, false, 0, {NULL}},
    {"GET", "/api/v1/health//", NULL, false, 0, {NULL}},
    {"GET", "/API/V1/HEALTH", NULL, false, 0, {NULL}},
    {"GET", "/api/v2/health", NULL, false, 0, {NULL}},
    {"GET", "api/v1/health", NULL, false, 0, {NULL}},
    {"GET", "", NULL, false, 0, {NULL}},
    {"GET", "/api/v1/cards/", NULL, false, 0, {NULL}},      /* empty capture */
    {"GET", "/api/v1/cards//block", NULL, false, 0, {NULL}},
    {"POST", "/api/v1/cards//block", NULL, false, 0, {NULL}},
    {"GET", "/api/v1/cards/1/2", NULL, false, 0, {NULL}},  /* too many segments */
    {"GET", "/api/v1/clients/1/cards/2/3", NULL, false, 0, {NULL}},
    {"GET", "/api/v1/four/1/2/3", NULL, false, 0, {NULL}},
    {"GET", "/api/v1/four/1/2/3/4/5", NULL, false, 0, {NULL}},
    /* bad escapes in a capture: no match */
    {"GET", "/api/v1/cards/%zz", NULL, false, 0, {NULL}},
    {"GET", "/api/v1/cards/ab%2", NULL, false, 0, {NULL}},
    {"GET", "/api/v1/cards/ab%", NULL, false, 0, {NULL}},
    {"GET", "/api/v1/cards/%00", NULL, false, 0, {NULL}},
    {"POST", "/api/v1/cards/%g1/block", NULL, false, 0, {NULL}},
    /* more captures than ROUTER_MAX_PARAMS: never matches (and never overflows params) */
    {"GET", "/api/v1/five/1/2/3/4/5", NULL, false, 0, {NULL}},
};

static void test_router_table(void)
{
    struct arena a;
    arena_init(&a, 0);
    for (size_t i = 0; i < T_NELEM(rt_rows); i++) {
        const struct rt_row *r = &rt_rows[i];
        struct route_match m;
        char ctx[160];
        snprintf(ctx, sizeof(ctx), "%s %s", r->method, r->path);
        router_match(rt_table, T_NELEM(rt_table), r->method, r->path, &a, &m);
        T_STR_C(ctx, m.route ? m.route->name : NULL, r->name);
        T_INT_C(ctx, m.path_known, r->path_known);
        if (!r->name)
            continue;
        T_INT_C(ctx, m.nparams, r->nparams);
        for (size_t k = 0; k < r->nparams && k < m.nparams; k++)
            T_STR_C(ctx, m.params[k], r->p[k]);
    }
    arena_free(&a);
}

/* The match of one request does not leak into the next one. */
static void test_router_reuse_match(void)
{
    struct arena a;
    struct route_match m;
    arena_init(&a, 0);
    router_match(rt_table, T_NELEM(rt_table), "GET", "/api/v1/four/1/2/3/4", &a, &m);
    T_INT(m.nparams, 4);
    router_match(rt_table, T_NELEM(rt_table), "GET", "/api/v1/nothing", &a, &m);
    T_TRUE(m.route == NULL);
    T_INT(m.nparams, 0);
    T_TRUE(!m.path_known);
    router_match(rt_table, T_NELEM(rt_table), "DELETE", "/api/v1/clients/5", &a, &m);
    T_TRUE(m.route == NULL);
    T_TRUE(m.path_known);
    /* the request path itself is not modified by the trailing-slash rule */
    char path[] = "/api/v1/clients/";
    router_match(rt_table, T_NELEM(rt_table), "GET", path, &a, &m);
    T_STR(path, "/api/v1/clients/");
    T_STR(m.route ? m.route->name : NULL, "clients.search");
    arena_free(&a);
}

static void test_router_unescape(void)
{
    static const struct {
        const char *in;   /* input */
        size_t len;       /* length given (SIZE_MAX = strlen) */
        const char *want; /* decoded, NULL when refused */
    } rows[] = {
        {"", SIZE_MAX, ""},
        {"abc", SIZE_MAX, "abc"},
        {"%41", SIZE_MAX, "A"},
        {"%4a%4A", SIZE_MAX, "JJ"},
        {"a%2Fb", SIZE_MAX, "a/b"},
        {"%25", SIZE_MAX, "%"},
        {"%2525", SIZE_MAX, "%25"},   /* decoded once only */
        {"+", SIZE_MAX, "+"},
        {"%e2%82%ac", SIZE_MAX, "€"},
        {"%FF", SIZE_MAX, "\xff"},
        {"abc%41", 3, "abc"},          /* only len bytes are read */
        {"%41", 2, NULL},              /* the escape is cut by len */
        {"%", SIZE_MAX, NULL},
        {"%4", SIZE_MAX, NULL},
        {"a%", SIZE_MAX, NULL},
        {"%G1", SIZE_MAX, NULL},
        {"%1G", SIZE_MAX, NULL},
        {"% 1", SIZE_MAX, NULL},
        {"%00", SIZE_MAX, NULL},       /* NUL never gets into a C string */
        {"ab%00cd", SIZE_MAX, NULL},
    };
    struct arena a;
    arena_init(&a, 0);
    for (size_t i = 0; i < T_NELEM(rows); i++) {
        const char *out = NULL;
        size_t len = rows[i].len == SIZE_MAX ? strlen(rows[i].in) : rows[i].len;
        bool ok = router_unescape(rows[i].in, len, &a, &out);
        T_INT_C(rows[i].in, ok, rows[i].want != NULL);
        if (ok && rows[i].want)
            T_STR_C(rows[i].in, out, rows[i].want);
    }
    arena_free(&a);
}

static void test_scope_parse(void)
{
    static const struct { const char *in; bool ok; unsigned want; } rows[] = {
        {"pos", true, SCOPE_POS},
        {"pos,shop", true, SCOPE_POS | SCOPE_SHOP},
        {"{pos,shop}", true, SCOPE_POS | SCOPE_SHOP},
        {"{admin}", true, SCOPE_ADMIN},
        {"pos, shop", true, SCOPE_POS | SCOPE_SHOP},
        {"pos,pos", true, SCOPE_POS},
        {SCOPE_ALL_NAMES, true,
         SCOPE_ADMIN | SCOPE_POS | SCOPE_SHOP | SCOPE_PARTNER | SCOPE_ERP | SCOPE_ANALYTICS},
        {"erp,analytics,partner", true, SCOPE_ERP | SCOPE_ANALYTICS | SCOPE_PARTNER},
        {"", false, 0},
        {"{}", false, 0},
        {",", false, 0},
        {"root", false, 0},
        {"pos,root", false, 0},
        {"POS", false, 0},
        {"po", false, 0},
        {"poss", false, 0},
        {"pos;shop", false, 0},
        {"admin_", false, 0},
    };
    for (size_t i = 0; i < T_NELEM(rows); i++) {
        unsigned bits = 0xdead;
        bool ok = scope_parse(rows[i].in, &bits);
        T_INT_C(rows[i].in, ok, rows[i].ok);
        if (ok && rows[i].ok)
            T_INT_C(rows[i].in, bits, rows[i].want);
    }
}

static void test_scope_name(void)
{
    T_STR(scope_name(SCOPE_ADMIN), "admin");
    T_STR(scope_name(SCOPE_POS), "pos");
    T_STR(scope_name(SCOPE_SHOP), "shop");
    T_STR(scope_name(SCOPE_PARTNER), "partner");
    T_STR(scope_name(SCOPE_ERP), "erp");
    T_STR(scope_name(SCOPE_ANALYTICS), "analytics");
    T_STR(scope_name(SCOPE_POS | SCOPE_SHOP), "?");
    T_STR(scope_name(0), "?");
    /* every name parses back to its bit */
    for (unsigned bit = 1; bit <= SCOPE_ANALYTICS; bit <<= 1) {
        unsigned back = 0;
        T_TRUE_C(scope_name(bit), scope_parse(scope_name(bit), &back) && back == bit);
    }
}

int test_router_register(void)
{
    static const struct t_case cases[] = {
        {"route table", test_router_table},
        {"a match does not leak into the next", test_router_reuse_match},
        {"router_unescape", test_router_unescape},
        {"scope_parse", test_scope_parse},
        {"scope_name", test_scope_name},
        {NULL, NULL},
    };
    return t_register("router", cases);
}
