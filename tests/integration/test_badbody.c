/* test_badbody.c: hostile and broken request bodies → a 4xx with the right code, never a
 * 5xx, nothing written (row counts through libpq before and after), no file contents leaked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it.h"

/* One bad request on POST /clients (or another path). */
struct bb_case {
    const char *group;        /* which test it belongs to */
    const char *what;         /* description */
    const char *path;         /* NULL: /api/v1/clients */
    const char *ctype;        /* Content-Type */
    char *body;               /* body (malloc) */
    size_t len;               /* its length */
    long status;              /* expected status */
    const char *code;         /* expected code */
    const char *field;        /* expected field; NULL: not checked */
};

static char *bb_dup(const char *s)
{
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    memcpy(d, s, n + 1);
    return d;
}

/* "{" "\"a\":{" * depth ... */
static char *bb_deep_json(int depth, size_t *len)
{
    const char *head = "{\"phone\":\"+79990000000\",\"attributes\":";
    size_t n = strlen(head) + (size_t)depth * 6 + 16;
    char *d = malloc(n), *p = d;
    p += sprintf(p, "%s", head);
    for (int i = 0; i < depth; i++)
        p += sprintf(p, "{\"a\":");
    p += sprintf(p, "1");
    for (int i = 0; i <= depth; i++)
        *p++ = '}';
    *p = '\0';
    *len = (size_t)(p - d);
    return d;
}

static char *bb_deep_array(int depth, size_t *len)
{
    size_t n = (size_t)depth * 2 + 64;
    char *d = malloc(n), *p = d;
    p += sprintf(p, "{\"phone\":\"+79990000000\",\"x\":");
    for (int i = 0; i < depth; i++)
        *p++ = '[';
    for (int i = 0; i < depth; i++)
        *p++ = ']';
    *p++ = '}';
    *p = '\0';
    *len = (size_t)(p - d);
    return d;
}

static char *bb_deep_xml(int depth, size_t *len)
{
    size_t n = (size_t)depth * 8 + 128;
    char *d = malloc(n), *p = d;
    p += sprintf(p, "<client><phone>+79990000000</phone>");
    for (int i = 0; i < depth; i++)
        p += sprintf(p, "<x>");
    for (int i = 0; i < depth; i++)
        p += sprintf(p, "</x>");
    p += sprintf(p, "</client>");
    *len = (size_t)(p - d);
    return d;
}

static char *bb_big(size_t n, const char *prefix, const char *suffix)
{
    char *d = malloc(n + 1);
    size_t pl = strlen(prefix), sl = strlen(suffix);
    memcpy(d, prefix, pl);
    memset(d + pl, 'a', n - pl - sl);
    memcpy(d + n - sl, suffix, sl);
    d[n] = '\0';
    return d;
}

static const char bb_xxe[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE client [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
    "<client><phone>%s</phone><first_name>&x;</first_name></client>";
static const char bb_xxe_param[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE client [<!ENTITY %% p SYSTEM \"file:///etc/passwd\"> %%p;]>\n"
    "<client><phone>%s</phone></client>";
static const char bb_xxe_external_dtd[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE client SYSTEM \"file:///etc/passwd\">\n"
    "<client><phone>%s</phone></client>";
static const char bb_xinclude[] =
    "<client xmlns:xi=\"http://www.w3.org/2001/XInclude\"><phone>%s</phone>"
    "<first_name><xi:include href=\"file:///etc/passwd\" parse=\"text\"/></first_name></client>";
static const char bb_laughs[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE lolz [\n"
    " <!ENTITY lol \"lol\">\n"
    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
    "]>\n"
    "<client><phone>+79990000000</phone><first_name>&lol9;</first_name></client>";

static size_t bb_cases(struct bb_case *c, const char *phone)
{
    size_t n = 0;
#define ADD(what_, path_, ct_, body_, len_, st_, code_, field_)                              \
    do {                                                                                   \
        c[n] = (struct bb_case){grp, (what_), (path_), (ct_), (body_), (len_), (st_),       \
                                (code_), (field_)};                                        \
        if (!c[n].len)                                                                     \
            c[n].len = strlen(c[n].body);                                                  \
        n++;                                                                               \
    } while (0)
    char tmp[512];
    size_t len;
    const char *grp = "";
    grp = "JSON syntax";
    snprintf(tmp, sizeof(tmp), "{\"phone\":\"%s\" \"first_name\":\"x\"}", phone);
    ADD("malformed JSON (missing comma)", NULL, JSON_T, bb_dup(tmp), 0, 400, "malformed_body", NULL);
    snprintf(tmp, sizeof(tmp), "{\"phone\":\"%s\",\"first_na", phone);
    ADD("truncated JSON", NULL, JSON_T, bb_dup(tmp), 0, 400, "malformed_body", NULL);
    snprintf(tmp, sizeof(tmp), "{\"phone\":\"%s\"", phone);
    ADD("JSON without its closing brace", NULL, JSON_T, bb_dup(tmp), 0, 400, "malformed_body", NULL);
    snprintf(tmp, sizeof(tmp), "{\"phone\":\"%s\"} trailing", phone);
    ADD("JSON with trailing data", NULL, JSON_T, bb_dup(tmp), 0, 400, "malformed_body", NULL);
    snprintf(tmp, sizeof(tmp), "{'phone':'%s'}", phone);
    ADD("JSON with single quotes", NULL, JSON_T, bb_dup(tmp), 0, 400, "malformed_body", NULL);
    snprintf(tmp, sizeof(tmp), "[{\"phone\":\"%s\"}]", phone);
    ADD("JSON array at the top", NULL, JSON_T, bb_dup(tmp), 0, 400, "malformed_body", NULL);
    ADD("JSON string at the top", NULL, JSON_T, bb_dup("\"+79990000000\""), 0, 400, "malformed_body", NULL);
    ADD("JSON NaN", NULL, JSON_T, bb_dup("{\"phone\":NaN}"), 0, 400, "malformed_body", NULL);
    snprintf(tmp, sizeof(tmp), "{\"phone\":\"%s\",\"score\":NaN,\"x\":-Infinity}", phone);
    ADD("NaN/-Infinity in unknown members", NULL, JSON_T, bb_dup(tmp), 0, 400, "malformed_body", NULL);
    {
        /* a NUL byte inside the body */
        char *d = malloc(256);
        int k = snprintf(d, 200, "{\"phone\":\"%s\",\"first_name\":\"a", phone);
        d[k++] = '\0';
        memcpy(d + k, "b\"}", 4);
        ADD("NUL byte in JSON", NULL, JSON_T, d, (size_t)k + 3, 400, "malformed_body", NULL);
    }
    grp = "invalid encodings";
    snprintf(tmp, sizeof(tmp), "{\"phone\":\"%s\",\"first_name\":\"\xff\xfe bad\"}", phone);
    ADD("invalid UTF-8 in a JSON string", NULL, JSON_T, bb_dup(tmp), 0, 400, "malformed_body", NULL);
    snprintf(tmp, sizeof(tmp), "{\"phone\":\"%s\",\"first_name\":\"\xc0\xaf overlong\"}", phone);
    ADD("overlong UTF-8 in a JSON string", NULL, JSON_T, bb_dup(tmp), 0, 400, "malformed_body", NULL);
    snprintf(tmp, sizeof(tmp), "{\"phone\":\"%s\",\"first_name\":\"\xed\xa0\x80 surrogate\"}", phone);
    ADD("UTF-8 encoded surrogate in JSON", NULL, JSON_T, bb_dup(tmp), 0, 400, "malformed_body", NULL);
    ADD("overlong UTF-8 in an adjustment reason", "/api/v1/points/adjustments", JSON_T,
        bb_dup("{\"client_id\":1,\"amount\":1,\"reason\":\"\xc0\xaf\",\"idempotency_key\":\"it-ovl\"}"),
        0, 400, "malformed_body", NULL);
    snprintf(tmp, sizeof(tmp), "{\"phone\":\"%s\",\"first_name\":\"a\\u0000b\"}", phone);
    ADD("\\u0000 escape in a JSON string", NULL, JSON_T, bb_dup(tmp), 0, 400, NULL, NULL);
    snprintf(tmp, sizeof(tmp), "<client><phone>%s</phone><first_name>\xc0\xaf overlong</first_name></client>",
             phone);
    ADD("overlong UTF-8 in an XML string", NULL, XML_T, bb_dup(tmp), 0, 400, "malformed_body", NULL);
    snprintf(tmp, sizeof(tmp), "<client><phone>%s</phone><first_name>\xed\xa0\x80 surrogate</first_name></client>",
             phone);
    ADD("UTF-8 encoded surrogate in XML", NULL, XML_T, bb_dup(tmp), 0, 400, "malformed_body", NULL);
    snprintf(tmp, sizeof(tmp), "<client><phone>%s</phone><first_name>a&#0;b</first_name></client>", phone);
    ADD("&#0; in XML", NULL, XML_T, bb_dup(tmp), 0, 400, "malformed_body", NULL);
    grp = "broken XML";
    snprintf(tmp, sizeof(tmp), "<client><phone>%s</phone><first_name>Iv", phone);
    ADD("truncated XML", NULL, XML_T, bb_dup(tmp), 0, 400, "malformed_body", NULL);
    snprintf(tmp, sizeof(tmp), "<client><phone>%s</client>", phone);
    ADD("XML with mismatched tags", NULL, XML_T, bb_dup(tmp), 0, 400, "malformed_body", NULL);
    ADD("XML: text only", NULL, XML_T, bb_dup("just text"), 0, 400, "malformed_body", NULL);
    snprintf(tmp, sizeof(tmp), "<client><phone>%s</phone><first_name>\xff\xfe bad</first_name></client>",
             phone);
    ADD("invalid UTF-8 in an XML string", NULL, XML_T, bb_dup(tmp), 0, 400, "malformed_body", NULL);
    grp = "XXE, DTDs, entities";
    snprintf(tmp, sizeof(tmp), bb_xxe, phone);
    ADD("XXE (external entity)", NULL, XML_T, bb_dup(tmp), 0, 400, "malformed_body", NULL);
    snprintf(tmp, sizeof(tmp), bb_xxe, phone);
    ADD("XXE as text/xml", NULL, "text/xml", bb_dup(tmp), 0, 400, "malformed_body", NULL);
    snprintf(tmp, sizeof(tmp), bb_xxe_param, phone);
    ADD("XXE (parameter entity)", NULL, XML_T, bb_dup(tmp), 0, 400, "malformed_body", NULL);
    snprintf(tmp, sizeof(tmp), bb_xxe_external_dtd, phone);
    ADD("external DTD", NULL, XML_T, bb_dup(tmp), 0, 400, "malformed_body", NULL);
    snprintf(tmp, sizeof(tmp), bb_xinclude, phone);
    ADD("XInclude of /etc/passwd", NULL, XML_T, bb_dup(tmp), 0, 400, "invalid_field", "first_name");
    ADD("billion laughs", NULL, XML_T, bb_dup(bb_laughs), 0, 400, "malformed_body", NULL);
    grp = "deep nesting";
    char *deep = bb_deep_json(20000, &len);
    ADD("20,000-deep JSON objects", NULL, JSON_T, deep, len, 400, "malformed_body", NULL);
    deep = bb_deep_array(20000, &len);
    ADD("20,000-deep JSON arrays", NULL, JSON_T, deep, len, 400, "malformed_body", NULL);
    deep = bb_deep_xml(20000, &len);
    ADD("20,000-deep XML", NULL, XML_T, deep, len, 400, "malformed_body", NULL);
    grp = "oversized bodies";
    ADD("2 MiB JSON body", NULL, JSON_T, bb_big(2u << 20, "{\"phone\":\"+79990000000\",\"first_name\":\"", "\"}"),
        2u << 20, 413, "payload_too_large", NULL);
    ADD("2 MiB XML body", NULL, XML_T,
        bb_big(2u << 20, "<client><phone>+79990000000</phone><first_name>", "</first_name></client>"),
        2u << 20, 413, "payload_too_large", NULL);
    grp = "wrong types and ranges";
    snprintf(tmp, sizeof(tmp), "{\"phone\":%s}", phone + 1);
    ADD("phone as a number", NULL, JSON_T, bb_dup(tmp), 0, 400, "invalid_field", "phone");
    snprintf(tmp, sizeof(tmp), "{\"phone\":\"%s\",\"birth_date\":\"2023-02-30\"}", phone);
    ADD("birth_date 2023-02-30", NULL, JSON_T, bb_dup(tmp), 0, 400, "invalid_field", "birth_date");
    snprintf(tmp, sizeof(tmp), "{\"phone\":\"%s\",\"birth_date\":19900517}", phone);
    ADD("birth_date as a number", NULL, JSON_T, bb_dup(tmp), 0, 400, "invalid_field", "birth_date");
    snprintf(tmp, sizeof(tmp), "{\"phone\":\"%s\",\"gender\":\"x\"}", phone);
    ADD("gender x", NULL, JSON_T, bb_dup(tmp), 0, 400, "invalid_field", "gender");
    snprintf(tmp, sizeof(tmp), "{\"phone\":\"%s\",\"consents\":\"all\"}", phone);
    ADD("consents as a string", NULL, JSON_T, bb_dup(tmp), 0, 400, "invalid_field", "consents");
    snprintf(tmp, sizeof(tmp), "{\"phone\":\"%s\",\"consents\":{\"sms\":true,\"push\":\"no\"}}", phone);
    ADD("consents.push as a string", NULL, JSON_T, bb_dup(tmp), 0, 400, "invalid_field", "consents.push");
    snprintf(tmp, sizeof(tmp), "{\"phone\":\"%s\",\"first_name\":\"%s\"}", phone,
             "x\\u0001y");
    ADD("control character in a name", NULL, JSON_T, bb_dup(tmp), 0, 400, "invalid_field", "first_name");
    snprintf(tmp, sizeof(tmp), "{\"phone\":\"%s\",\"first_name\":\"%0150d\"}", phone, 7);
    ADD("first_name longer than 100", NULL, JSON_T, bb_dup(tmp), 0, 400, "invalid_field", "first_name");
    grp = "media types";
    snprintf(tmp, sizeof(tmp), "phone=%s&first_name=x", phone);
    ADD("form-urlencoded body", NULL, "application/x-www-form-urlencoded", bb_dup(tmp), 0, 415,
        "unsupported_media_type", NULL);
    snprintf(tmp, sizeof(tmp), "{\"phone\":\"%s\"}", phone);
    ADD("text/plain body", NULL, "text/plain", bb_dup(tmp), 0, 415, "unsupported_media_type", NULL);
    ADD("application/jsonx body", NULL, "application/jsonx", bb_dup(tmp), 0, 415,
        "unsupported_media_type", NULL);
    ADD("no Content-Type", NULL, NULL, bb_dup(tmp), 0, 415, "unsupported_media_type", NULL);
    snprintf(tmp, sizeof(tmp), "<client><phone>%s</phone></client>", phone);
    ADD("XML sent as JSON", NULL, JSON_T, bb_dup(tmp), 0, 400, "malformed_body", NULL);
    snprintf(tmp, sizeof(tmp), "{\"phone\":\"%s\"}", phone);
    ADD("JSON sent as XML", NULL, XML_T, bb_dup(tmp), 0, 400, "malformed_body", NULL);
    /* numbers: NaN, huge, negative, too precise (points adjustments, ERP) */
    grp = "numbers";
    ADD("amount \"NaN\"", "/api/v1/points/adjustments", JSON_T,
        bb_dup("{\"client_id\":1,\"amount\":\"NaN\",\"reason\":\"x\",\"idempotency_key\":\"it-nan\"}"),
        0, 400, "invalid_field", "amount");
    ADD("amount 1e999", "/api/v1/points/adjustments", JSON_T,
        bb_dup("{\"client_id\":1,\"amount\":1e999,\"reason\":\"x\",\"idempotency_key\":\"it-huge\"}"),
        0, 400, "invalid_field", "amount");
    ADD("amount 10^23", "/api/v1/points/adjustments", JSON_T,
        bb_dup("{\"client_id\":1,\"amount\":100000000000000000000000,\"reason\":\"x\","
               "\"idempotency_key\":\"it-huge2\"}"),
        0, 400, "invalid_field", "amount");
    ADD("amount with 3 decimals", "/api/v1/points/adjustments", JSON_T,
        bb_dup("{\"client_id\":1,\"amount\":1.005,\"reason\":\"x\",\"idempotency_key\":\"it-prec\"}"),
        0, 400, "invalid_field", "amount");
    ADD("client_id negative", "/api/v1/points/adjustments", JSON_T,
        bb_dup("{\"client_id\":-1,\"amount\":1,\"reason\":\"x\",\"idempotency_key\":\"it-neg\"}"),
        0, 400, "invalid_field", "client_id");
    ADD("client_id as a string", "/api/v1/points/adjustments", JSON_T,
        bb_dup("{\"client_id\":\"1; DROP TABLE clients\",\"amount\":1,\"reason\":\"x\","
               "\"idempotency_key\":\"it-str\"}"),
        0, 400, "invalid_field", "client_id");
#undef ADD
    (void)len;
    if (n > 96)
        abort();
    return n;
}

static void bb_free(struct bb_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(c[i].body);
}

/* Every case of one group, answered in JSON and in XML. */
static void bb_run_group(const char *group)
{
    static struct bb_case cases[96];
    int ran = 0;
    char nat[32], phone[20];
    uniq_phone(nat, phone);
    size_t n = bb_cases(cases, phone);
    bb_free(cases, n);
    const char *accepts[] = {JSON_T, XML_T};
    for (size_t i = 0; i < n; i++) {
        for (int a = 0; a < 2; a++) {
            if (strcmp(cases[i].group, group) != 0)
                break;
            /* a fresh phone for every request: one case that is wrongly accepted does not
             * turn the next ones into phone_taken */
            uniq_phone(nat, phone);
            bb_cases(cases, phone);
            struct bb_case *bc = &cases[i];
            struct it_counts before, after;
            long long adj_before = it_db_scalar("SELECT count(*) FROM adjustments", NULL);
            counts_take(&before);
            struct http_call c = {.method = "POST",
                                  .url = bc->path ? bc->path : "/api/v1/clients",
                                  .auth = bc->path ? AUTH_ERP : AUTH_POS,
                                  .accept = accepts[a],
                                  .content_type = bc->ctype,
                                  .body = bc->body,
                                  .body_len = bc->len};
            struct http_resp r;
            http_exec(&c, &r);
            bool checked = it_check_error(&r, bc->status, bc->code, bc->field, __FILE__, __LINE__);
            if (!checked)
                it_note("  case: %s (Accept %s)", bc->what, accepts[a]);
            CU_ASSERT(checked);
            CU_ASSERT(r.status < 500);
            CU_ASSERT(a ? r.is_xml : r.is_json);
            if (r.body && (strstr(r.body, "root:") || strstr(r.body, "/bin/")))
                it_note("%s: the answer shows file contents: %.200s", bc->what, r.body);
            CU_ASSERT(!r.body || !strstr(r.body, "root:"));
            counts_take(&after);
            char what[160];
            snprintf(what, sizeof(what), "%s (Accept %s)", bc->what, accepts[a]);
            CU_ASSERT(counts_same(&before, &after, what));
            CU_ASSERT_EQUAL(it_db_scalar("SELECT count(*) FROM adjustments", NULL), adj_before);
            CU_ASSERT_EQUAL(it_db_scalar("SELECT count(*) FROM client_phones WHERE phone = $1", phone), 0);
            http_resp_free(&r);
            bb_free(cases, n);
            ran++;
        }
    }
    CU_ASSERT(ran > 0);
    /* the server is still fine */
    struct http_resp r;
    http_get(&r, "/api/v1/health", NULL, NULL);
    EXPECT_STATUS(r, 200);
    http_resp_free(&r);
}

/* The positive side of the same rules. */
static void test_good_bodies(void)
{
    char nat[32], phone[20], body[512];
    struct http_resp r;
    /* unknown members are ignored in both formats (§3) */
    uniq_phone(nat, phone);
    snprintf(body, sizeof(body),
             "{\"phone\":\"%s\",\"unknown\":{\"deep\":[1,2,{\"x\":null}]},\"first_name\":\"Known\"}",
             phone);
    struct http_call c = {.method = "POST", .url = "/api/v1/clients", .auth = AUTH_POS,
                          .accept = JSON_T, .content_type = "application/json; charset=utf-8",
                          .body = body};
    http_exec(&c, &r);
    EXPECT_STATUS(r, 201);
    EXPECT_STREQ(jstr(r.json, "first_name"), "Known");
    http_resp_free(&r);
    uniq_phone(nat, phone);
    snprintf(body, sizeof(body),
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?><client><unknown><a>1</a></unknown>"
             "<phone>%s</phone><first_name>Known</first_name></client>",
             phone);
    http_send(&r, "POST", "/api/v1/clients", AUTH_POS, JSON_T, "text/xml; charset=utf-8", body);
    EXPECT_STATUS(r, 201);
    EXPECT_STREQ(jstr(r.json, "phone"), phone);
    http_resp_free(&r);
    /* a body just under the limit is read (and refused for its content, not its size) */
    char *big = bb_big((1u << 20) - 1024, "{\"phone\":\"+79990000000\",\"first_name\":\"", "\"}");
    http_send(&r, "POST", "/api/v1/clients", AUTH_POS, JSON_T, JSON_T, big);
    EXPECT_ERROR(r, 400, "invalid_field", "first_name");
    http_resp_free(&r);
    free(big);
}

static void test_bb_json(void) { bb_run_group("JSON syntax"); }
static void test_bb_encoding(void) { bb_run_group("invalid encodings"); }
static void test_bb_xml(void) { bb_run_group("broken XML"); }
static void test_bb_entities(void) { bb_run_group("XXE, DTDs, entities"); }
static void test_bb_depth(void) { bb_run_group("deep nesting"); }
static void test_bb_size(void) { bb_run_group("oversized bodies"); }
static void test_bb_types(void) { bb_run_group("wrong types and ranges"); }
static void test_bb_media(void) { bb_run_group("media types"); }
static void test_bb_numbers(void) { bb_run_group("numbers"); }

/* A body refused before it is read (401 before authentication lets it in, 404 for no such
 * route): the worker reads the rest of a small body before it closes the connection, and
 * leaves a large one (over 64 KiB) to libfcgi's close after the answer. Either way the answer
 * arrives whole, every time, and the server goes on answering. */
static void test_bb_unread(void)
{
    static const size_t sizes[] = {40 * 1024, 2 * 1024 * 1024};
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        char *body = malloc(sizes[k] + 1);
        CU_ASSERT_FATAL(body != NULL);
        memset(body, ' ', sizes[k]);
        body[0] = '{';
        body[sizes[k] - 1] = '}';
        body[sizes[k]] = '\0';
        for (int i = 0; i < 10; i++) {
            struct http_resp r;
            /* 40 KB goes to a route with the API's 1 MiB limit, 2 MiB to the bulk one */
            struct http_call c = {
                .method = "POST",
                .url = k == 0 ? "/api/v1/purchases" : "/api/v1/imports/no-such-import",
                .auth = k == 0 ? "Bearer nope.nope" : AUTH_ADMIN,
                .accept = JSON_T,
                .content_type = JSON_T,
                .body = body,
                .body_len = sizes[k]};
            http_exec(&c, &r);
            if (k == 0) {
                EXPECT_ERROR(r, 401, "unauthorized", NULL);
            } else {
                EXPECT_ERROR(r, 404, "not_found", NULL);
            }
            http_resp_free(&r);
        }
        free(body);
    }
    struct http_resp h;
    http_get(&h, "/api/v1/health", NULL, JSON_T);
    EXPECT_STATUS(h, 200);
    http_resp_free(&h);
}

void badbody_add_tests(CU_pSuite s)
{
    CU_add_test(s, "malformed/truncated JSON, NaN, NUL -> 400 malformed_body", test_bb_json);
    CU_add_test(s, "invalid UTF-8 (bad, overlong, surrogates, NUL) -> 400", test_bb_encoding);
    CU_add_test(s, "truncated/broken XML -> 400 malformed_body", test_bb_xml);
    CU_add_test(s, "XXE, external DTD, XInclude, billion laughs -> 400", test_bb_entities);
    CU_add_test(s, "20,000-deep JSON and XML -> 400 malformed_body", test_bb_depth);
    CU_add_test(s, "2 MiB body -> 413 payload_too_large (API body)", test_bb_size);
    CU_add_test(s, "wrong types and ranges -> 400 invalid_field with path", test_bb_types);
    CU_add_test(s, "form-urlencoded, text/plain, no type -> 415", test_bb_media);
    CU_add_test(s, "NaN, huge, negative, too precise numbers -> 400", test_bb_numbers);
    CU_add_test(s, "unknown members ignored; charset parameters accepted", test_good_bodies);
    CU_add_test(s, "a body refused unread (401, 404; 40 KB and 2 MiB): the answer arrives whole",
                test_bb_unread);
}
