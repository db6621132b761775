/* test_codec_json.c: the JSON side of the codec (API.md §2-4, docs/api.md "JSON and XML"):
 * decoding into structs, numbers as numbers or strings, error codes and dotted 1-based paths,
 * malformed bodies, and the encoder's exact output. */
#include <stdlib.h>

#include "api/messages.h"
#include "check.h"
#include "fixture.h"
#include "tests.h"

#define JSON_FULL                                                                                  \
    "{\"name\":\"Ann & \\\"Bob\\\" <x>\",\"count\":-5,\"active\":true,\"total\":129.9,"            \
    "\"points\":-50.50,\"discount\":5,\"weight\":1.234,\"day\":\"2024-02-29\","                    \
    "\"at\":\"2026-11-26T10:15:00+03:00\",\"color\":\"green\","                                    \
    "\"inner\":{\"city\":\"\\u041c\\u043e\\u0441\\u043a\\u0432\\u0430\",\"flag\":true,\"n\":7},"   \
    "\"lines\":[{\"line_no\":1,\"sku\":\"A100\",\"qty\":2,\"price\":89.9},"                        \
    "{\"line_no\":2,\"sku\":\"T55\",\"qty\":\"1.5\",\"price\":\"820.20\",\"amount\":1000}],"       \
    "\"tags\":[\"new\",\"sale\"],\"attrs\":{\"vip\":\"yes\",\"tier\":2},"                     \
    "\"bonus\":\"0.01\","                                                                        \
    "\"ids\":[3,1000000],\"slip\":[\"Thank you!\",\"2 & <3> \\\"x\\\"\"]}"

/* A document with every member decodes to the sample, whatever the number spelling. */
static void test_json_decode_full(void)
{
    struct arena a;
    struct tf_msg want, got;
    arena_init(&a, 0);
    tf_msg_sample(&want, &a);
    if (t_expect_ok(MSG_JSON, JSON_FULL, SIZE_MAX, &tf_msg_desc, &got, &a, NULL))
        tf_msg_compare(&got, &want, "json full");
    arena_free(&a);
}

/* API.md §2: 129.9 = "129.90"; quantities likewise; never through a double. */
static void test_json_number_spellings(void)
{
    static const struct { const char *total; int64_t minor; } money[] = {
        {"129.9", 12990}, {"129.90", 12990}, {"\"129.9\"", 12990}, {"\"129.90\"", 12990},
        {"129.900", 12990}, {"\"129.900\"", 12990}, {"130", 13000}, {"\"130\"", 13000},
        {"0.1", 10}, {"0.07", 7}, {"1.15", 115}, {"2.675", 0} /* 3 digits: refused */,
        {"4.35", 435}, {"0.29", 29}, {"100000000000.01", 10000000000001LL},
        {"10000000000000", 1000000000000000LL}, {"-0", 0}, {"0", 0},
    };
    static const struct { const char *w; int64_t milli; } qty[] = {
        {"1.5", 1500}, {"\"1.500\"", 1500}, {"1.50", 1500}, {"0.375", 375}, {"2", 2000},
        {"0.001", 1}, {"1.005", 1005},
    };
    struct arena a;
    arena_init(&a, 0);
    for (size_t i = 0; i < T_NELEM(money); i++) {
        char *body = arena_printf(&a, "{\"name\":\"x\",\"total\":%s}", money[i].total);
        struct tf_msg m;
        struct msg_error err;
        bool ok = t_decode(MSG_JSON, body, SIZE_MAX, &tf_msg_desc, &m, &a, &err);
        if (money[i].minor == 0 && strcmp(money[i].total, "2.675") == 0) {
            T_TRUE_C(body, !ok);
            continue;
        }
        T_TRUE_C(body, ok);
        if (ok)
            T_INT_C(body, m.total.minor, money[i].minor);
    }
    for (size_t i = 0; i < T_NELEM(qty); i++) {
        char *body = arena_printf(&a, "{\"name\":\"x\",\"weight\":%s}", qty[i].w);
        struct tf_msg m;
        if (t_expect_ok(MSG_JSON, body, SIZE_MAX, &tf_msg_desc, &m, &a, NULL))
            T_INT_C(body, m.weight.milli, qty[i].milli);
    }
    arena_free(&a);
}

/* encode → decode gives the same struct; encoding that again gives the same bytes */
static void test_json_roundtrip(void)
{
    struct arena a;
    struct tf_msg want, got;
    arena_init(&a, 0);
    tf_msg_sample(&want, &a);
    char *json = t_encode(MSG_JSON, &tf_msg_desc, &want, &a);
    if (t_expect_ok(MSG_JSON, json, SIZE_MAX, &tf_msg_desc, &got, &a, json)) {
        tf_msg_compare(&got, &want, "json roundtrip");
        T_STR(t_encode(MSG_JSON, &tf_msg_desc, &got, &a), json);
    }
    arena_free(&a);
}

/* docs/api.md: JSON writes every member in descriptor order, null for an absent one; money
 * with two digits, quantities short, strings escaped, arrays as [...] */
static void test_json_encode_exact(void)
{
    struct arena a;
    arena_init(&a, 0);
    char *tags[] = {"x", "y\"z"};
    struct tf_line lines[] = {{1, NULL, {2000}, {5}, {0}, false},
                              {2, "S-2", {375}, {123456}, {46296}, true}};
    struct tf_small s = {.id = 7, .name = "A \"q\" & <b>\n", .total = {12990}, .qty = {1500},
                         .ok = true, .balance = {-50}, .pct = {500}, .tags = tags, .ntags = 2,
                         .lines = lines, .nlines = 2};
    T_STR(t_encode(MSG_JSON, &tf_small_desc, &s, &a),
          "{\"id\":7,\"name\":\"A \\\"q\\\" & <b>\\n\",\"total\":129.90,\"qty\":1.5,\"ok\":true,"
          "\"note\":null,\"opt\":null,\"balance\":-0.50,\"pct\":5.00,\"tags\":[\"x\",\"y\\\"z\"],"
          "\"lines\":[{\"line_no\":1,\"sku\":null,\"qty\":2,\"price\":0.05,\"amount\":null},"
          "{\"line_no\":2,\"sku\":\"S-2\",\"qty\":0.375,\"price\":1234.56,\"amount\":462.96}],"
          "\"inner\":null}");

    /* present optional members and empty arrays */
    struct tf_small e = {.id = 1, .note = "", .opt = {0}, .has_opt = true, .ok = false};
    T_STR(t_encode(MSG_JSON, &tf_small_desc, &e, &a),
          "{\"id\":1,\"name\":null,\"total\":0.00,\"qty\":0,\"ok\":false,\"note\":\"\","
          "\"opt\":0.00,\"balance\":0.00,\"pct\":0.00,\"tags\":[],\"lines\":[],\"inner\":null}");

    /* a document with only the required member: everything else is null, 0 or [] */
    struct tf_msg m;
    if (t_expect_ok(MSG_JSON, "{\"name\":\"x\"}", SIZE_MAX, &tf_msg_desc, &m, &a, NULL))
        T_STR(t_encode(MSG_JSON, &tf_msg_desc, &m, &a),
              "{\"name\":\"x\",\"count\":0,\"active\":false,\"total\":0.00,\"points\":0.00,"
              "\"discount\":0.00,\"weight\":0,\"day\":null,\"at\":null,\"color\":null,"
              "\"inner\":null,\"lines\":[],\"tags\":[],\"attrs\":null,\"bonus\":null,\"ids\":[],"
              "\"slip\":[]}");
    arena_free(&a);
}

static void test_json_encode_list(void)
{
    struct arena a;
    struct buf b;
    arena_init(&a, 0);
    buf_init(&b);
    struct tf_line lines[] = {{1, "A", {1000}, {100}, {0}, false},
                              {2, NULL, {500}, {250}, {125}, true}};
    codec_encode_list(&b, MSG_JSON, &tf_line_desc, lines, 2, "c2\"x");
    T_STR(buf_str(&b),
          "{\"items\":[{\"line_no\":1,\"sku\":\"A\",\"qty\":1,\"price\":1.00,\"amount\":null},"
          "{\"line_no\":2,\"sku\":null,\"qty\":0.5,\"price\":2.50,\"amount\":1.25}],"
          "\"next_cursor\":\"c2\\\"x\"}");
    buf_reset(&b);
    codec_encode_list(&b, MSG_JSON, &tf_line_desc, NULL, 0, NULL);
    T_STR(buf_str(&b), "{\"items\":[],\"next_cursor\":null}");
    buf_free(&b);
    arena_free(&a);
}

/* null counts as absent; unknown members are ignored; the last of a repeated member wins */
static void test_json_null_unknown_duplicate(void)
{
    struct arena a;
    struct tf_msg m;
    arena_init(&a, 0);
    if (t_expect_ok(MSG_JSON,
                    "{\"name\":\"x\",\"day\":null,\"inner\":null,\"lines\":null,\"bonus\":null,"
                    "\"attrs\":null,\"tags\":null,\"ids\":null,\"count\":null}",
                    SIZE_MAX, &tf_msg_desc, &m, &a, NULL)) {
        T_TRUE(m.day == NULL && m.inner == NULL && m.lines == NULL && m.attrs == NULL);
        T_TRUE(!m.has_bonus);
        T_INT(m.nlines + m.ntags + m.nids, 0);
    }
    if (t_expect_ok(MSG_JSON,
                    "{\"zz\":{\"deep\":[1,{\"a\":null},\"s\"]},\"name\":\"x\",\"Name\":\"y\","
                    "\"inner\":{\"city\":\"c\",\"other\":[true]},\"lines\":[{\"line_no\":1,"
                    "\"qty\":1,\"price\":1,\"extra\":{}}],\"unknown_number\":1.23456789}",
                    SIZE_MAX, &tf_msg_desc, &m, &a, NULL)) {
        T_STR(m.name, "x");
        T_STR(m.inner ? m.inner->city : NULL, "c");
        T_INT(m.nlines, 1);
    }
    if (t_expect_ok(MSG_JSON, "{\"name\":\"first\",\"count\":1,\"name\":\"last\"}", SIZE_MAX,
                    &tf_msg_desc, &m, &a, NULL))
        T_STR(m.name, "last");
    /* null for a required member is a missing member */
    t_expect_error(MSG_JSON, "{\"name\":null}", SIZE_MAX, &tf_msg_desc, "missing_field", "name",
                   NULL);
    arena_free(&a);
}

/* strings: JSON escapes come out as UTF-8; tab and newline are allowed, other controls not */
static void test_json_strings(void)
{
    static const struct { const char *lit, *want; } rows[] = {
        {"\\u00e9t\\u00e9", "été"},
        {"\\ud83d\\ude00", "😀"},
        {"a\\tb\\nc", "a\tb\nc"},
        {"\\/\\\\\\\"", "/\\\""},
        {"Привет", "Привет"},
    };
    struct arena a;
    arena_init(&a, 0);
    for (size_t i = 0; i < T_NELEM(rows); i++) {
        struct tf_msg m;
        char *body = arena_printf(&a, "{\"name\":\"%s\"}", rows[i].lit);
        if (t_expect_ok(MSG_JSON, body, SIZE_MAX, &tf_msg_desc, &m, &a, NULL))
            T_STR_C(body, m.name, rows[i].want);
    }
    arena_free(&a);
}

struct json_err_row {
    const char *body;   /* request body */
    const char *code;   /* expected error code */
    const char *field;  /* expected dotted path */
};

#define LINE_OK "{\"line_no\":1,\"qty\":1,\"price\":1}"

static const struct json_err_row json_err_rows[] = {
    /* missing required members, at any depth */
    {"{}", "missing_field", "name"},
    {"{\"count\":1}", "missing_field", "name"},
    {"{\"name\":\"x\",\"lines\":[" LINE_OK ",{\"line_no\":2,\"price\":1}]}", "missing_field",
     "lines.2.qty"},
    {"{\"name\":\"x\",\"lines\":[{\"qty\":1,\"price\":1}]}", "missing_field", "lines.1.line_no"},
    {"{\"name\":\"x\",\"lines\":[" LINE_OK "," LINE_OK ",{\"line_no\":3,\"qty\":1}]}",
     "missing_field", "lines.3.price"},
    /* wrong JSON types */
    {"{\"name\":5}", "invalid_field", "name"},
    {"{\"name\":true}", "invalid_field", "name"},
    {"{\"name\":[\"x\"]}", "invalid_field", "name"},
    {"{\"name\":{\"x\":1}}", "invalid_field", "name"},
    {"{\"name\":\"x\",\"count\":\"5\"}", "invalid_field", "count"},
    {"{\"name\":\"x\",\"count\":5.0}", "invalid_field", "count"},
    {"{\"name\":\"x\",\"active\":\"true\"}", "invalid_field", "active"},
    {"{\"name\":\"x\",\"active\":1}", "invalid_field", "active"},
    {"{\"name\":\"x\",\"total\":true}", "invalid_field", "total"},
    {"{\"name\":\"x\",\"total\":[1]}", "invalid_field", "total"},
    {"{\"name\":\"x\",\"total\":{}}", "invalid_field", "total"},
    {"{\"name\":\"x\",\"day\":20240229}", "invalid_field", "day"},
    {"{\"name\":\"x\",\"color\":1}", "invalid_field", "color"},
    {"{\"name\":\"x\",\"inner\":\"x\"}", "invalid_field", "inner"},
    {"{\"name\":\"x\",\"inner\":[]}", "invalid_field", "inner"},
    {"{\"name\":\"x\",\"lines\":{}}", "invalid_field", "lines"},
    {"{\"name\":\"x\",\"lines\":[1]}", "invalid_field", "lines.1"},
    {"{\"name\":\"x\",\"lines\":[" LINE_OK ",null]}", "invalid_field", "lines.2"},
    {"{\"name\":\"x\",\"tags\":\"a\"}", "invalid_field", "tags"},
    {"{\"name\":\"x\",\"tags\":[\"a\",5]}", "invalid_field", "tags.2"},
    {"{\"name\":\"x\",\"tags\":[\"a\",null]}", "invalid_field", "tags.2"},
    {"{\"name\":\"x\",\"ids\":[1,\"2\"]}", "invalid_field", "ids.2"},
    {"{\"name\":\"x\",\"ids\":[1,2.5]}", "invalid_field", "ids.2"},
    {"{\"name\":\"x\",\"ids\":5}", "invalid_field", "ids"},
    {"{\"name\":\"x\",\"attrs\":[]}", "invalid_field", "attrs"},
    {"{\"name\":\"x\",\"attrs\":\"a=b\"}", "invalid_field", "attrs"},
    {"{\"name\":\"x\",\"inner\":{\"flag\":\"yes\"}}", "invalid_field", "inner.flag"},
    {"{\"name\":\"x\",\"inner\":{\"n\":\"1\"}}", "invalid_field", "inner.n"},
    {"{\"name\":\"x\",\"lines\":[" LINE_OK ",{\"line_no\":2,\"qty\":1,\"price\":1,\"sku\":7}]}",
     "invalid_field", "lines.2.sku"},
    /* ranges and lengths */
    {"{\"name\":\"\"}", "invalid_field", "name"},
    {"{\"name\":\"123456789012345678901\"}", "invalid_field", "name"},
    {"{\"name\":\"x\",\"count\":101}", "invalid_field", "count"},
    {"{\"name\":\"x\",\"count\":-6}", "invalid_field", "count"},
    {"{\"name\":\"x\",\"count\":9223372036854775808}", "invalid_field", "count"},
    {"{\"name\":\"x\",\"inner\":{\"n\":0}}", "invalid_field", "inner.n"},   /* ids are >= 1 */
    {"{\"name\":\"x\",\"inner\":{\"n\":-1}}", "invalid_field", "inner.n"},
    {"{\"name\":\"x\",\"ids\":[1,0]}", "invalid_field", "ids.2"},
    {"{\"name\":\"x\",\"total\":-0.01}", "invalid_field", "total"},   /* money is >= 0 */
    {"{\"name\":\"x\",\"total\":\"-1\"}", "invalid_field", "total"},
    {"{\"name\":\"x\",\"discount\":100.01}", "invalid_field", "discount"},
    {"{\"name\":\"x\",\"discount\":-1}", "invalid_field", "discount"},
    {"{\"name\":\"x\",\"total\":99999999999999999999}", "invalid_field", "total"},
    {"{\"name\":\"x\",\"total\":\"99999999999999999999.5\"}", "invalid_field", "total"},
    {"{\"name\":\"x\",\"lines\":[]}", "invalid_field", "lines"},
    {"{\"name\":\"x\",\"lines\":[" LINE_OK "," LINE_OK "," LINE_OK "," LINE_OK "," LINE_OK
     "," LINE_OK "]}",
     "invalid_field", "lines"},
    {"{\"name\":\"x\",\"tags\":[\"a\",\"b\",\"c\",\"d\"]}", "invalid_field", "tags"},
    {"{\"name\":\"x\",\"lines\":[{\"line_no\":1001,\"qty\":1,\"price\":1}]}", "invalid_field",
     "lines.1.line_no"},
    {"{\"name\":\"x\",\"lines\":[{\"line_no\":1,\"qty\":0,\"price\":1}]}", "invalid_field",
     "lines.1.qty"},
    /* too many fraction digits */
    {"{\"name\":\"x\",\"total\":1.234}", "invalid_field", "total"},
    {"{\"name\":\"x\",\"total\":\"1.234\"}", "invalid_field", "total"},
    {"{\"name\":\"x\",\"bonus\":0.001}", "invalid_field", "bonus"},
    {"{\"name\":\"x\",\"weight\":1.0005}", "invalid_field", "weight"},
    {"{\"name\":\"x\",\"lines\":[" LINE_OK ",{\"line_no\":2,\"qty\":\"0.0001\",\"price\":1}]}",
     "invalid_field", "lines.2.qty"},
    {"{\"name\":\"x\",\"lines\":[{\"line_no\":1,\"qty\":1,\"price\":1,\"amount\":0.999}]}",
     "invalid_field", "lines.1.amount"},
    /* number formats that are not plain decimals */
    {"{\"name\":\"x\",\"total\":1e2}", "invalid_field", "total"},
    {"{\"name\":\"x\",\"total\":1E-2}", "invalid_field", "total"},
    {"{\"name\":\"x\",\"total\":\"1,5\"}", "invalid_field", "total"},
    {"{\"name\":\"x\",\"total\":\" 1\"}", "invalid_field", "total"},
    {"{\"name\":\"x\",\"total\":\"\"}", "invalid_field", "total"},
    {"{\"name\":\"x\",\"total\":\"abc\"}", "invalid_field", "total"},
    /* enums, dates, date-times */
    {"{\"name\":\"x\",\"color\":\"purple\"}", "invalid_field", "color"},
    {"{\"name\":\"x\",\"color\":\"Red\"}", "invalid_field", "color"},
    {"{\"name\":\"x\",\"color\":\"\"}", "invalid_field", "color"},
    {"{\"name\":\"x\",\"day\":\"2023-02-29\"}", "invalid_field", "day"},
    {"{\"name\":\"x\",\"day\":\"2026-13-01\"}", "invalid_field", "day"},
    {"{\"name\":\"x\",\"day\":\"26.11.2026\"}", "invalid_field", "day"},
    {"{\"name\":\"x\",\"at\":\"2026-11-26T10:15:00\"}", "invalid_field", "at"},
    {"{\"name\":\"x\",\"at\":\"2026-11-26\"}", "invalid_field", "at"},
    /* control characters */
    {"{\"name\":\"a\\u0001b\"}", "invalid_field", "name"},
    {"{\"name\":\"a\\rb\"}", "invalid_field", "name"},
    {"{\"name\":\"x\",\"tags\":[\"ok\",\"a\\u001fb\"]}", "invalid_field", "tags.2"},
    /* free-form maps: keys [A-Za-z_][A-Za-z0-9_-]*, up to 64, scalar values */
    {"{\"name\":\"x\",\"attrs\":{\"1a\":\"x\"}}", "invalid_field", "attrs"},
    {"{\"name\":\"x\",\"attrs\":{\"a b\":\"x\"}}", "invalid_field", "attrs"},
    {"{\"name\":\"x\",\"attrs\":{\"a.b\":\"x\"}}", "invalid_field", "attrs"},
    {"{\"name\":\"x\",\"attrs\":{\"\":\"x\"}}", "invalid_field", "attrs"},
    {"{\"name\":\"x\",\"attrs\":{\"a\":{\"b\":1}}}", "invalid_field", "attrs"},
    {"{\"name\":\"x\",\"attrs\":{\"a\":[1]}}", "invalid_field", "attrs"},
    {"{\"name\":\"x\",\"attrs\":{\"a\":null}}", "invalid_field", "attrs"},
};

static void test_json_errors(void)
{
    for (size_t i = 0; i < T_NELEM(json_err_rows); i++)
        t_expect_error(MSG_JSON, json_err_rows[i].body, SIZE_MAX, &tf_msg_desc,
                       json_err_rows[i].code, json_err_rows[i].field, NULL);
}

/* A key must start like an XML name: [A-Za-z_], never '-' or a digit (docs/api.md). A key
 * starting with '-' would be written back as the XML element <-x>, which is not XML. */
static void test_json_kv_key_start(void)
{
    t_expect_error(MSG_JSON, "{\"name\":\"x\",\"attrs\":{\"-x\":\"1\"}}", SIZE_MAX, &tf_msg_desc,
                   "invalid_field", "attrs", NULL);
}

static void test_json_kv_values(void)
{
    struct arena a;
    struct tf_msg m;
    arena_init(&a, 0);
    /* scalars are kept as text: 5 comes back as "5" (docs/api.md) */
    if (t_expect_ok(MSG_JSON,
                    "{\"name\":\"x\",\"attrs\":{\"n\":5,\"b\":true,\"d\":1.50,\"s\":\"t\","
                    "\"_k-9\":\"\"}}",
                    SIZE_MAX, &tf_msg_desc, &m, &a, NULL) &&
        m.attrs) {
        static const char *const keys[] = {"n", "b", "d", "s", "_k-9"};
        static const char *const vals[] = {"5", "true", "1.50", "t", ""};
        T_INT(m.attrs->n, 5);
        for (size_t i = 0; i < 5 && i < m.attrs->n; i++) {
            T_STR(m.attrs->keys[i], keys[i]);
            T_STR(m.attrs->vals[i], vals[i]);
        }
    }
    if (t_expect_ok(MSG_JSON, "{\"name\":\"x\",\"attrs\":{}}", SIZE_MAX, &tf_msg_desc, &m, &a,
                    NULL))
        T_TRUE(m.attrs != NULL && m.attrs->n == 0);
    /* at most 100 members */
    struct buf b;
    buf_init(&b);
    buf_adds(&b, "{\"name\":\"x\",\"attrs\":{");
    for (int i = 0; i < 100; i++)
        buf_printf(&b, "%s\"k%d\":\"v\"", i ? "," : "", i);
    buf_adds(&b, "}}");
    if (t_expect_ok(MSG_JSON, buf_str(&b), SIZE_MAX, &tf_msg_desc, &m, &a, "100 attrs"))
        T_INT(m.attrs ? m.attrs->n : 0, 100);
    b.len -= 2;
    buf_adds(&b, ",\"k100\":\"v\"}}");
    t_expect_error(MSG_JSON, buf_str(&b), SIZE_MAX, &tf_msg_desc, "invalid_field", "attrs",
                   "101 attrs");
    buf_free(&b);
    arena_free(&a);
}

/* Keys: at most 64 characters. */
static void test_json_kv_key_length(void)
{
    struct arena a;
    struct tf_msg m;
    arena_init(&a, 0);
    char *k64 = arena_printf(&a, "{\"name\":\"x\",\"attrs\":{\"%s\":\"v\"}}",
                             t_repeat(&a, "k", 64));
    char *k65 = arena_printf(&a, "{\"name\":\"x\",\"attrs\":{\"%s\":\"v\"}}",
                             t_repeat(&a, "k", 65));
    t_expect_ok(MSG_JSON, k64, SIZE_MAX, &tf_msg_desc, &m, &a, "64-character key");
    t_expect_error(MSG_JSON, k65, SIZE_MAX, &tf_msg_desc, "invalid_field", "attrs",
                   "65-character key");
    arena_free(&a);
}

/* Map values are strings: no control characters other than tab and newline, at most 1000
 * characters ("others <= 1000", docs/api.md), like every other string of a request. */
static void test_json_kv_value_rules(void)
{
    struct arena a;
    struct tf_msg m;
    arena_init(&a, 0);
    t_expect_ok(MSG_JSON, "{\"name\":\"x\",\"attrs\":{\"k\":\"a\\tb\\nc\"}}", SIZE_MAX,
                &tf_msg_desc, &m, &a, NULL);
    t_expect_error(MSG_JSON, "{\"name\":\"x\",\"attrs\":{\"k\":\"a\\u0001b\"}}", SIZE_MAX,
                   &tf_msg_desc, "invalid_field", "attrs.k", NULL);
    t_expect_error(MSG_JSON, "{\"name\":\"x\",\"attrs\":{\"k\":\"a\\u001bb\"}}", SIZE_MAX,
                   &tf_msg_desc, "invalid_field", "attrs.k", NULL);
    char *v1000 = arena_printf(&a, "{\"name\":\"x\",\"attrs\":{\"k\":\"%s\"}}",
                               t_repeat(&a, "v", 1000));
    char *v1001 = arena_printf(&a, "{\"name\":\"x\",\"attrs\":{\"k\":\"%s\"}}",
                               t_repeat(&a, "v", 1001));
    t_expect_ok(MSG_JSON, v1000, SIZE_MAX, &tf_msg_desc, &m, &a, "1000-character value");
    t_expect_error(MSG_JSON, v1001, SIZE_MAX, &tf_msg_desc, "invalid_field", "attrs.k",
                   "1001-character value");
    arena_free(&a);
}

/* Bad UTF-8 is malformed_body (API.md §4), including the forms a lax validator lets through:
 * overlong encodings, UTF-16 surrogates written as UTF-8, code points past U+10FFFF. PostgreSQL
 * and every XML parser refuse such bytes, so they must not get past the decoder. */
static void test_json_bad_utf8_forms(void)
{
    static const struct { const char *body, *what; } rows[] = {
        {"{\"name\":\"\xc0\xaf\"}", "overlong C0 AF"},
        {"{\"name\":\"\xc1\xbf\"}", "overlong C1 BF"},
        {"{\"name\":\"\xe0\x80\xaf\"}", "overlong E0 80 AF"},
        {"{\"name\":\"\xed\xa0\x80\"}", "surrogate U+D800 as ED A0 80"},
        {"{\"name\":\"\xed\xbf\xbf\"}", "surrogate U+DFFF as ED BF BF"},
        {"{\"name\":\"\xf4\x90\x80\x80\"}", "U+110000 as F4 90 80 80"},
        {"{\"name\":\"\xf8\x88\x80\x80\x80\"}", "5-byte form F8 88 80 80 80"},
    };
    for (size_t i = 0; i < T_NELEM(rows); i++)
        t_expect_error(MSG_JSON, rows[i].body, SIZE_MAX, &tf_msg_desc, "malformed_body", "",
                       rows[i].what);
}

/* A JSON string holding U+0000 is not a C string: it must be refused, not silently cut. */
static void test_json_nul_in_string(void)
{
    t_expect_error(MSG_JSON, "{\"name\":\"ab\\u0000cd\"}", SIZE_MAX, &tf_msg_desc,
                   "invalid_field", "name", NULL);
    t_expect_error(MSG_JSON, "{\"name\":\"x\",\"attrs\":{\"k\":\"a\\u0000b\"}}", SIZE_MAX,
                   &tf_msg_desc, "invalid_field", "attrs.k", NULL);
}

static const char *const json_malformed[] = {
    " ",
    "\n\t ",
    "{",
    "}",
    "{\"name\":\"x\"",
    "{\"name\":\"x\",",
    "{\"name\":",
    "{\"name\":\"x",
    "{\"name\":\"x\",}",
    "{\"name\":\"x\" \"count\":1}",
    "{'name':'x'}",
    "{name:\"x\"}",
    "{\"name\":\"x\"} x",
    "{\"name\":\"x\"}{}",
    "{\"name\":\"x\"},",
    "{\"name\":\"x\"}]",
    "[]",
    "[{\"name\":\"x\"}]",
    "\"x\"",
    "123",
    "null",
    "true",
    "{\"name\":\"x\",\"count\":01}",
    "{\"name\":\"x\",\"count\":+1}",
    "{\"name\":\"x\",\"count\":.5}",
    "{\"name\":\"x\",\"total\":0x10}",
    "{\"name\":\"x\\q\"}",
    "{\"name\":\"x\\u12\"}",
    "{\"name\":\"x\"}\n/* comment */",
    "<t><name>x</name></t>",
    "{\"name\":\"\xff\"}",                      /* invalid UTF-8 */
    "{\"name\":\"\xc3\x28\"}",
    "{\"name\":\"\xe2\x82\"}",                  /* cut sequence */
    "{\"na\xffme\":\"x\"}",
    "\xef\xbb\xbf\xef\xbb\xbf{\"name\":\"x\"}",
};

static void test_json_malformed(void)
{
    for (size_t i = 0; i < T_NELEM(json_malformed); i++)
        t_expect_error(MSG_JSON, json_malformed[i], SIZE_MAX, &tf_msg_desc, "malformed_body", "",
                       NULL);
    /* empty body, and NUL bytes inside or after the document */
    t_expect_error(MSG_JSON, "", 0, &tf_msg_desc, "malformed_body", "", "empty body");
    static const char nul_after[] = "{\"name\":\"x\"}\0";
    t_expect_error(MSG_JSON, nul_after, sizeof(nul_after) - 1, &tf_msg_desc, "malformed_body",
                   "", "NUL after the object");
    static const char nul_inside[] = "{\"name\":\"a\0b\"}";
    t_expect_error(MSG_JSON, nul_inside, sizeof(nul_inside) - 1, &tf_msg_desc, "malformed_body",
                   "", "NUL inside a string");
    /* len is honoured: a valid document cut short is malformed */
    t_expect_error(MSG_JSON, "{\"name\":\"x\"}", 11, &tf_msg_desc, "malformed_body", "",
                   "cut by len");
}

/* NaN and infinities are not JSON numbers; whatever the tokenizer makes of them, they are
 * refused with a 400 code, never stored. */
static void test_json_nan(void)
{
    static const char *const bodies[] = {
        "{\"name\":\"x\",\"total\":NaN}", "{\"name\":\"x\",\"total\":Infinity}",
        "{\"name\":\"x\",\"total\":-Infinity}", "{\"name\":\"x\",\"count\":NaN}",
        "{\"name\":\"x\",\"total\":1e999}",
    };
    struct arena a;
    arena_init(&a, 0);
    for (size_t i = 0; i < T_NELEM(bodies); i++) {
        struct tf_msg m;
        struct msg_error err;
        bool ok = t_decode(MSG_JSON, bodies[i], SIZE_MAX, &tf_msg_desc, &m, &a, &err);
        T_TRUE_C(bodies[i], !ok);
        T_TRUE_C(bodies[i], !ok && (t_streq(err.code, "malformed_body") ||
                                    t_streq(err.code, "invalid_field")));
    }
    arena_free(&a);
}

/* docs/api.md: at most 32 levels deep; 20,000 levels are refused without a crash */
static void test_json_depth(void)
{
    struct arena a;
    arena_init(&a, 0);
    /* 32 levels: the root, "inner" … as unknown members nested 30 more */
    char *ok32 = arena_printf(&a, "{\"name\":\"x\",\"u\":%s1%s}", t_repeat(&a, "{\"a\":", 30),
                              t_repeat(&a, "}", 30));
    char *bad33 = arena_printf(&a, "{\"name\":\"x\",\"u\":%s1%s}", t_repeat(&a, "{\"a\":", 31),
                               t_repeat(&a, "}", 31));
    struct tf_msg m;
    t_expect_ok(MSG_JSON, ok32, SIZE_MAX, &tf_msg_desc, &m, &a, "32 levels");
    t_expect_error(MSG_JSON, bad33, SIZE_MAX, &tf_msg_desc, "malformed_body", "", "33 levels");

    char *arr = arena_printf(&a, "%s%s", t_repeat(&a, "[", 20000), t_repeat(&a, "]", 20000));
    t_expect_error(MSG_JSON, arr, SIZE_MAX, &tf_msg_desc, "malformed_body", "", "20000 x [");
    char *obj = arena_printf(&a, "%s1%s", t_repeat(&a, "{\"a\":", 20000),
                             t_repeat(&a, "}", 20000));
    t_expect_error(MSG_JSON, obj, SIZE_MAX, &tf_msg_desc, "malformed_body", "", "20000 x {");
    char *in = arena_printf(&a, "{\"name\":\"x\",\"inner\":%s", t_repeat(&a, "[", 20000));
    t_expect_error(MSG_JSON, in, SIZE_MAX, &tf_msg_desc, "malformed_body", "",
                   "20000 x [ unclosed");
    arena_free(&a);
}

/* Every proper prefix of a valid document is a truncated body: malformed_body. */
static void test_json_truncated(void)
{
    size_t len = strlen(JSON_FULL);
    for (size_t n = 1; n < len; n++) {
        char ctx[64];
        snprintf(ctx, sizeof(ctx), "JSON_FULL cut to %zu bytes", n);
        t_expect_error(MSG_JSON, JSON_FULL, n, &tf_msg_desc, "malformed_body", "", ctx);
    }
}

/* The real request message of POST /clients. */
static void test_json_client_input(void)
{
    struct arena a;
    struct msg_client_input in;
    arena_init(&a, 0);
    static const char body[] =
        "{\"phone\":\"8 (999) 123-45-67\",\"email\":\"Ann@Example.com\",\"first_name\":\"Анна\","
        "\"last_name\":\"Иванова\",\"middle_name\":\"Петровна\",\"birth_date\":\"1990-05-17\","
        "\"gender\":\"female\",\"consents\":{\"sms\":true,\"email\":false,\"push\":true},"
        "\"card_number\":\"2000000000015\",\"issue_virtual_card\":false,"
        "\"referral_code\":\"ABCD2345\",\"external_id\":\"ERP-1\","
        "\"attributes\":{\"vip\":\"yes\",\"visits\":12}}";
    if (t_expect_ok(MSG_JSON, body, SIZE_MAX, &msg_client_input_desc, &in, &a, NULL)) {
        T_STR(in.phone, "8 (999) 123-45-67");
        T_STR(in.email, "Ann@Example.com");
        T_STR(in.first_name, "Анна");
        T_STR(in.last_name, "Иванова");
        T_STR(in.middle_name, "Петровна");
        T_STR(in.birth_date, "1990-05-17");
        T_STR(in.gender, "female");
        T_TRUE(in.consents && in.consents->sms && !in.consents->email && in.consents->push);
        T_STR(in.card_number, "2000000000015");
        T_TRUE(!in.issue_virtual_card);
        T_STR(in.referral_code, "ABCD2345");
        T_STR(in.external_id, "ERP-1");
        T_INT(in.attributes ? in.attributes->n : 0, 2);
        if (in.attributes && in.attributes->n == 2)
            T_STR(in.attributes->vals[1], "12");
    }
    /* an empty object is a valid (empty) input */
    if (t_expect_ok(MSG_JSON, "{}", SIZE_MAX, &msg_client_input_desc, &in, &a, NULL))
        T_TRUE(in.phone == NULL && in.email == NULL && in.consents == NULL);

    static const struct json_err_row rows[] = {
        {"{\"email\":\"ab\"}", "invalid_field", "email"},
        {"{\"gender\":\"other\"}", "invalid_field", "gender"},
        {"{\"birth_date\":\"1990-02-30\"}", "invalid_field", "birth_date"},
        {"{\"consents\":{\"sms\":\"yes\"}}", "invalid_field", "consents.sms"},
        {"{\"consents\":true}", "invalid_field", "consents"},
        {"{\"external_id\":\"\"}", "invalid_field", "external_id"},
        {"{\"issue_virtual_card\":\"true\"}", "invalid_field", "issue_virtual_card"},
        {"{\"phone\":\"123456789012345678901234567890123\"}", "invalid_field", "phone"},
        {"{\"phone\":79991234567}", "invalid_field", "phone"},
    };
    for (size_t i = 0; i < T_NELEM(rows); i++)
        t_expect_error(MSG_JSON, rows[i].body, SIZE_MAX, &msg_client_input_desc, rows[i].code,
                       rows[i].field, NULL);
    /* first_name: at most 100 */
    char *n100 = arena_printf(&a, "{\"first_name\":\"%s\"}", t_repeat(&a, "a", 100));
    char *n101 = arena_printf(&a, "{\"first_name\":\"%s\"}", t_repeat(&a, "a", 101));
    t_expect_ok(MSG_JSON, n100, SIZE_MAX, &msg_client_input_desc, &in, &a, "100 x a");
    t_expect_error(MSG_JSON, n101, SIZE_MAX, &msg_client_input_desc, "invalid_field",
                   "first_name", "101 x a");
    arena_free(&a);
}

/* Length limits count characters, as the error message says ("must be 0..100 characters
 * long"), not UTF-8 bytes: a Russian name of 60 letters is 120 bytes. */
static void test_json_length_in_characters(void)
{
    struct arena a;
    struct msg_client_input in;
    arena_init(&a, 0);
    char *cyr60 = arena_printf(&a, "{\"first_name\":\"%s\"}", t_repeat(&a, "Я", 60));
    char *cyr100 = arena_printf(&a, "{\"first_name\":\"%s\"}", t_repeat(&a, "Я", 100));
    char *cyr101 = arena_printf(&a, "{\"first_name\":\"%s\"}", t_repeat(&a, "Я", 101));
    t_expect_ok(MSG_JSON, cyr60, SIZE_MAX, &msg_client_input_desc, &in, &a, "60 x Я");
    t_expect_ok(MSG_JSON, cyr100, SIZE_MAX, &msg_client_input_desc, &in, &a, "100 x Я");
    t_expect_error(MSG_JSON, cyr101, SIZE_MAX, &msg_client_input_desc, "invalid_field",
                   "first_name", "101 x Я");
    arena_free(&a);
}

/* The contract's own example of a path: lines.2.qty (API.md §4), on the real purchase input. */
static void test_json_purchase_paths(void)
{
    t_expect_error(MSG_JSON,
                   "{\"card\":\"2000000000015\",\"lines\":[{\"line_no\":1,\"qty\":1,\"price\":10},"
                   "{\"line_no\":2,\"sku\":\"B\",\"price\":5}]}",
                   SIZE_MAX, &msg_purchase_in_desc, "missing_field", "lines.2.qty", NULL);
    t_expect_error(MSG_JSON,
                   "{\"lines\":[{\"line_no\":1,\"qty\":1,\"price\":10},"
                   "{\"line_no\":2,\"qty\":0.0005,\"price\":5}]}",
                   SIZE_MAX, &msg_purchase_in_desc, "invalid_field", "lines.2.qty", NULL);
    t_expect_error(MSG_JSON, "{\"card\":\"2000000000015\"}", SIZE_MAX, &msg_purchase_in_desc,
                   "missing_field", "lines", NULL);
    t_expect_error(MSG_JSON, "{\"lines\":[]}", SIZE_MAX, &msg_purchase_in_desc, "invalid_field",
                   "lines", NULL);
    t_expect_error(MSG_JSON,
                   "{\"lines\":[{\"line_no\":1,\"qty\":1,\"price\":10}],"
                   "\"points_to_spend\":\"10.005\"}",
                   SIZE_MAX, &msg_purchase_in_desc, "invalid_field", "points_to_spend", NULL);
    struct arena a;
    struct msg_purchase_in p;
    arena_init(&a, 0);
    if (t_expect_ok(MSG_JSON,
                    "{\"lines\":[{\"line_no\":1,\"qty\":0.333,\"price\":\"10\"}],"
                    "\"promo_codes\":[\"A1\",\"B2\"],\"points_to_spend\":100}",
                    SIZE_MAX, &msg_purchase_in_desc, &p, &a, NULL)) {
        T_INT(p.nlines, 1);
        T_INT(p.lines ? p.lines[0].qty.milli : 0, 333);
        T_INT(p.lines ? p.lines[0].price.minor : 0, 1000);
        T_TRUE(p.lines && !p.lines[0].has_amount);
        T_INT(p.npromo_codes, 2);
        T_STR(p.npromo_codes == 2 ? p.promo_codes[1] : NULL, "B2");
        T_INT(p.points_to_spend.minor, 10000);
    }
    arena_free(&a);
}

int test_codec_json_register(void)
{
    static const struct t_case cases[] = {
        {"decode a full document", test_json_decode_full},
        {"numbers as numbers or strings", test_json_number_spellings},
        {"encode then decode", test_json_roundtrip},
        {"exact encoder output", test_json_encode_exact},
        {"exact list output", test_json_encode_list},
        {"null, unknown and repeated members", test_json_null_unknown_duplicate},
        {"string escapes", test_json_strings},
        {"invalid_field and missing_field with paths", test_json_errors},
        {"map keys start like XML names", test_json_kv_key_start},
        {"map values", test_json_kv_values},
        {"map keys at most 64 characters", test_json_kv_key_length},
        {"map values are checked like strings", test_json_kv_value_rules},
        {"overlong and surrogate UTF-8 are malformed", test_json_bad_utf8_forms},
        {"U+0000 in a string is refused", test_json_nul_in_string},
        {"malformed bodies", test_json_malformed},
        {"NaN and infinities", test_json_nan},
        {"nesting depth", test_json_depth},
        {"every truncation is malformed", test_json_truncated},
        {"client input (real descriptor)", test_json_client_input},
        {"length limits count characters", test_json_length_in_characters},
        {"purchase input paths (real descriptor)", test_json_purchase_paths},
        {NULL, NULL},
    };
    return t_register("codec_json", cases);
}
