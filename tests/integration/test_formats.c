/* test_formats.c: one resource read as JSON and as XML carries the same content
 * (API.md §3), and every XML answer validates against the XSD the server serves. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "compare.h"
#include "it.h"

static const char *const fmt_card_money[] = {"balance.available", "balance.pending",
                                             "balance.debt", NULL};
static const char *const fmt_client_money[] = {"balance.available", "balance.pending",
                                               "balance.debt", NULL};

/* JSON and XML answers must say the same; root: the expected XML root. */
static bool fmt_same(const struct http_resp *j, const struct http_resp *x, const char *root,
                     const char *file, int line)
{
    char why[600];
    if (!j->json || !x->xml) {
        it_note("%s:%d: [%s] %s / %s: missing document (JSON %s, XML %s)", file, line,
                E.origin_name, j->what, x->what, j->json ? "ok" : "none", x->xml ? "ok" : "none");
        return false;
    }
    if (!jx_equal_doc(j->json, x->xml, root, why, sizeof(why))) {
        it_note("%s:%d: [%s] %s (JSON) vs %s (XML) differ %s\n      JSON: %.500s\n      XML:  "
                "%.500s",
                file, line, E.origin_name, j->what, x->what, why, j->body, x->body);
        return false;
    }
    return true;
}
#define EXPECT_SAME(j, x, root) CU_ASSERT(fmt_same(&(j), &(x), (root), __FILE__, __LINE__))

static bool fmt_money(const struct http_resp *r, const char *const *paths, const char *file,
                      int line)
{
    char why[300];
    if (r->json && jx_two_decimals(r->json, paths, why, sizeof(why)))
        return true;
    it_note("%s:%d: %s: money not written with two decimals: %s: %.300s", file, line, r->what,
            r->json ? why : "no JSON", r->body);
    return false;
}
#define EXPECT_MONEY(r, paths) CU_ASSERT(fmt_money(&(r), (paths), __FILE__, __LINE__))

/* GET path as JSON and as XML; both 200; equal. */
static void fmt_get_both(const char *path, const char *auth, const char *root,
                         struct http_resp *json_out)
{
    struct http_resp j, x;
    http_get(&j, path, auth, JSON_T);
    http_get(&x, path, auth, XML_T);
    EXPECT_STATUS(j, 200);
    EXPECT_STATUS(x, 200);
    CU_ASSERT(j.is_json);
    CU_ASSERT(x.is_xml);
    EXPECT_XML_VALID(x);
    EXPECT_SAME(j, x, root);
    http_resp_free(&x);
    if (json_out)
        *json_out = j;
    else
        http_resp_free(&j);
}

static void test_card_get(void)
{
    struct http_resp j;
    fmt_get_both("/api/v1/cards/" DEMO_CARD, AUTH_POS, "card", &j);
    EXPECT_STREQ(jstr(j.json, "number"), DEMO_CARD);
    EXPECT_STREQ(jstr(j.json, "level.name"), "Gold");
    EXPECT_STREQ(jstr(j.json, "segments.0.name"), "Coffee lovers");
    EXPECT_STREQ(jstr(j.json, "client.first_name"), "Anna");
    CU_ASSERT(jpath(j.json, "replaced_by") == NULL); /* null */
    EXPECT_MONEY(j, fmt_card_money);
    const char *pct[] = {"discount_percent", NULL};
    if (jpath(j.json, "discount_percent"))
        EXPECT_MONEY(j, pct);
    http_resp_free(&j);
    /* twice more: the second answer comes from the cache and must be equal too */
    fmt_get_both("/api/v1/cards/" DEMO_CARD, AUTH_ANALYTICS, "card", NULL);
    fmt_get_both("/api/v1/cards/" DEMO_CARD3, AUTH_ERP, "card", NULL);
}

static void test_client_get(void)
{
    struct http_resp j;
    fmt_get_both("/api/v1/clients/1", AUTH_SHOP, "client", &j);
    EXPECT_STREQ(jstr(j.json, "first_name"), "Anna");
    CU_ASSERT(json_object_is_type(jpath(j.json, "cards"), json_type_array));
    EXPECT_MONEY(j, fmt_client_money);
    http_resp_free(&j);
}

static void test_client_search_list(void)
{
    struct http_resp a;
    http_get(&a, "/api/v1/clients/1", AUTH_POS, JSON_T);
    EXPECT_STATUS(a, 200);
    const char *phone = jstr(a.json, "phone");
    CU_ASSERT_PTR_NOT_NULL_FATAL(phone);
    char path[256];
    snprintf(path, sizeof(path), "/api/v1/clients?phone=%%2B%s", phone + 1);
    struct http_resp j;
    fmt_get_both(path, AUTH_POS, "list", &j);
    CU_ASSERT_EQUAL(json_object_array_length(jpath(j.json, "items")), 1);
    CU_ASSERT_EQUAL(jint(j.json, "items.0.id"), 1);
    CU_ASSERT(json_object_object_get_ex(j.json, "next_cursor", NULL));
    http_resp_free(&j);
    /* an empty list */
    fmt_get_both("/api/v1/clients?email=nobody.at.all%40example.invalid", AUTH_POS, "list", &j);
    CU_ASSERT_EQUAL(json_object_array_length(jpath(j.json, "items")), 0);
    http_resp_free(&j);
    /* the full listing (with a cursor) */
    fmt_get_both("/api/v1/clients?limit=2", AUTH_ADMIN, "list", &j);
    CU_ASSERT(json_object_array_length(jpath(j.json, "items")) <= 2);
    http_resp_free(&j);
    http_resp_free(&a);
}

/* Two clients of the same shape, one created in JSON, one in XML. */
static void test_client_create_both_formats(void)
{
    char nat1[32], ph1[20], nat2[32], ph2[20], em1[96], em2[96], body[2048];
    uniq_phone(nat1, ph1);
    uniq_phone(nat2, ph2);
    uniq_email(em1);
    uniq_email(em2);

    snprintf(body, sizeof(body),
             "{\"phone\":\"%s\",\"email\":\"%s\",\"first_name\":\"Мария\","
             "\"last_name\":\"O'Connor & <Sons>\",\"middle_name\":\"Ивановна\","
             "\"birth_date\":\"1990-05-17\",\"gender\":\"female\","
             "\"consents\":{\"sms\":true,\"email\":false,\"push\":true},"
             "\"issue_virtual_card\":true,\"attributes\":{\"city\":\"Москва\",\"tier\":\"2\"}}",
             nat1, em1);
    struct http_resp a;
    http_send(&a, "POST", "/api/v1/clients", AUTH_POS, JSON_T, JSON_T, body);
    EXPECT_STATUS(a, 201);
    CU_ASSERT(a.is_json);

    snprintf(body, sizeof(body),
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<client>\n  <phone>%s</phone>\n  <email>%s</email>\n"
             "  <first_name>Мария</first_name>\n  <last_name>O'Connor &amp; &lt;Sons&gt;</last_name>\n"
             "  <middle_name>Ивановна</middle_name>\n  <birth_date>1990-05-17</birth_date>\n"
             "  <gender>female</gender>\n"
             "  <consents><sms>true</sms><email>false</email><push>true</push></consents>\n"
             "  <issue_virtual_card>true</issue_virtual_card>\n"
             "  <attributes><city>Москва</city><tier>2</tier></attributes>\n</client>\n",
             nat2, em2);
    struct http_resp b;
    http_send(&b, "POST", "/api/v1/clients", AUTH_POS, XML_T, XML_T, body);
    EXPECT_STATUS(b, 201);
    CU_ASSERT(b.is_xml);
    EXPECT_XML_VALID(b);

    char bid_s[32] = "";
    xtext(b.xml, "id", bid_s, sizeof(bid_s));
    long long aid = a.json ? jint(a.json, "id") : -1;
    long long bid = atoll(bid_s);
    CU_ASSERT(aid > 0 && bid > 0 && aid != bid);
    if (aid <= 0 || bid <= 0)
        goto out;

    char path[64];
    /* A: created in JSON, read back in XML: equal to the creation answer */
    snprintf(path, sizeof(path), "/api/v1/clients/%lld", aid);
    struct http_resp ax, aj, bx, bj;
    http_get(&ax, path, AUTH_POS, XML_T);
    EXPECT_STATUS(ax, 200);
    EXPECT_SAME(a, ax, "client");
    http_get(&aj, path, AUTH_POS, JSON_T);
    snprintf(path, sizeof(path), "/api/v1/clients/%lld", bid);
    http_get(&bj, path, AUTH_POS, JSON_T);
    EXPECT_STATUS(bj, 200);
    EXPECT_SAME(bj, b, "client");
    http_get(&bx, path, AUTH_POS, XML_T);
    EXPECT_SAME(bj, bx, "client");

    /* what was sent arrived the same through both formats */
    EXPECT_STREQ(jstr(aj.json, "phone"), ph1);
    EXPECT_STREQ(jstr(bj.json, "phone"), ph2);
    EXPECT_STREQ(jstr(bj.json, "first_name"), "Мария");
    EXPECT_STREQ(jstr(bj.json, "last_name"), "O'Connor & <Sons>");
    EXPECT_STREQ(jstr(bj.json, "attributes.city"), "Москва");
    EXPECT_STREQ(jstr(bj.json, "cards.0.kind"), "virtual");
    const char *const skip[] = {"id",     "phone",         "email",      "number",
                                "referral_code", "created_at", NULL};
    char why[600];
    bool same = jx_json_equal(aj.json, bj.json, skip, why, sizeof(why));
    if (!same)
        it_note("clients created in JSON and in XML differ %s\n      JSON-made: %s\n      "
                "XML-made:  %s",
                why, aj.body, bj.body);
    CU_ASSERT(same);
    EXPECT_MONEY(aj, fmt_client_money);
    http_resp_free(&ax);
    http_resp_free(&aj);
    http_resp_free(&bx);
    http_resp_free(&bj);
out:
    http_resp_free(&a);
    http_resp_free(&b);
}

/* The answer of a card action equals the card read afterwards in the other format. */
static void fmt_action(const char *method_path, const char *ctype, const char *body,
                       const char *accept, long status, const char *read_number,
                       const char *want_status)
{
    struct http_resp act, other;
    http_send(&act, "POST", method_path, AUTH_POS, accept, ctype, body);
    EXPECT_STATUS(act, status);
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/cards/%s", read_number);
    bool act_json = strcmp(accept, JSON_T) == 0;
    http_get(&other, path, AUTH_POS, act_json ? XML_T : JSON_T);
    EXPECT_STATUS(other, 200);
    if (act_json) {
        EXPECT_SAME(act, other, "card");
        EXPECT_STREQ(jstr(act.json, "status"), want_status);
    } else {
        EXPECT_XML_VALID(act);
        EXPECT_SAME(other, act, "card");
        EXPECT_STREQ(jstr(other.json, "status"), want_status);
    }
    http_resp_free(&act);
    http_resp_free(&other);
}

static void test_card_actions(void)
{
    char card[33], newcard[33], path[128], body[256];
    long long id = it_new_client_with_card(AUTH_POS, card);
    CU_ASSERT_FATAL(id > 0);
    uniq_card(newcard);

    snprintf(path, sizeof(path), "/api/v1/cards/%s/block", card);
    fmt_action(path, JSON_T, "{\"reason\":\"lost\"}", JSON_T, 200, card, "blocked");
    snprintf(path, sizeof(path), "/api/v1/cards/%s/unblock", card);
    fmt_action(path, XML_T, "<card><reason>found</reason></card>", XML_T, 200, card, "active");
    snprintf(path, sizeof(path), "/api/v1/cards/%s/block", card);
    fmt_action(path, XML_T, "<card/>", XML_T, 200, card, "blocked");
    snprintf(path, sizeof(path), "/api/v1/cards/%s/unblock", card);
    fmt_action(path, NULL, NULL, JSON_T, 200, card, "active");
    snprintf(path, sizeof(path), "/api/v1/cards/%s/replace", card);
    snprintf(body, sizeof(body), "<card><new_number>%s</new_number></card>", newcard);
    fmt_action(path, XML_T, body, XML_T, 200, newcard, "active");
    /* the old card, replaced, in both formats */
    snprintf(path, sizeof(path), "/api/v1/cards/%s", card);
    struct http_resp j;
    fmt_get_both(path, AUTH_POS, "card", &j);
    EXPECT_STREQ(jstr(j.json, "status"), "replaced");
    EXPECT_STREQ(jstr(j.json, "replaced_by"), newcard);
    http_resp_free(&j);

    /* POST /clients/{id}/cards: virtual in JSON answered in XML, physical in XML answered
     * in JSON */
    snprintf(path, sizeof(path), "/api/v1/clients/%lld/cards", id);
    struct http_resp v, vj;
    http_send(&v, "POST", path, AUTH_POS, XML_T, JSON_T, "{\"virtual\":true}");
    EXPECT_STATUS(v, 201);
    EXPECT_XML_VALID(v);
    char vnum[64] = "";
    xtext(v.xml, "number", vnum, sizeof(vnum));
    CU_ASSERT(strlen(vnum) == 13);
    char cpath[128];
    snprintf(cpath, sizeof(cpath), "/api/v1/cards/%s", vnum);
    http_get(&vj, cpath, AUTH_POS, JSON_T);
    EXPECT_STATUS(vj, 200);
    EXPECT_SAME(vj, v, "card");
    EXPECT_STREQ(jstr(vj.json, "kind"), "virtual");
    http_resp_free(&v);
    http_resp_free(&vj);

    char pnum[33];
    uniq_card(pnum);
    snprintf(body, sizeof(body), "<card><number>%s</number></card>", pnum);
    struct http_resp p, px;
    http_send(&p, "POST", path, AUTH_POS, JSON_T, XML_T, body);
    EXPECT_STATUS(p, 201);
    snprintf(cpath, sizeof(cpath), "/api/v1/cards/%s", pnum);
    http_get(&px, cpath, AUTH_POS, XML_T);
    EXPECT_STATUS(px, 200);
    EXPECT_SAME(p, px, "card");
    EXPECT_STREQ(jstr(p.json, "kind"), "physical");
    EXPECT_STREQ(jstr(p.json, "number"), pnum);
    http_resp_free(&p);
    http_resp_free(&px);

    /* the client document lists every card, equal in both formats */
    snprintf(path, sizeof(path), "/api/v1/clients/%lld", id);
    fmt_get_both(path, AUTH_POS, "client", &j);
    CU_ASSERT_EQUAL(json_object_array_length(jpath(j.json, "cards")), 4);
    http_resp_free(&j);
}

/* Errors: the same code, message and field in both formats. */
static void test_errors_both_formats(void)
{
    static const struct {
        const char *method, *path, *ctype, *body;
        long status;
    } cases[] = {
        {"GET", "/api/v1/cards/NO-SUCH-CARD-1", NULL, NULL, 404},
        {"GET", "/api/v1/clients/999999999", NULL, NULL, 404},
        {"POST", "/api/v1/clients", JSON_T, "{\"first_name\":\"x\"}", 400},
        {"POST", "/api/v1/clients", JSON_T, "{\"phone\":\"not a phone\"}", 400},
        {"POST", "/api/v1/clients", JSON_T, "{\"phone\":", 400},
        {"POST", "/api/v1/clients", "text/plain", "phone", 415},
        {"GET", "/api/v1/cards/bad%20number", NULL, NULL, 400},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct http_resp j, x;
        http_send(&j, cases[i].method, cases[i].path, AUTH_POS, JSON_T, cases[i].ctype,
                  cases[i].body);
        http_send(&x, cases[i].method, cases[i].path, AUTH_POS, XML_T, cases[i].ctype,
                  cases[i].body);
        EXPECT_STATUS(j, cases[i].status);
        EXPECT_STATUS(x, cases[i].status);
        EXPECT_XML_VALID(x);
        EXPECT_SAME(j, x, "error");
        http_resp_free(&j);
        http_resp_free(&x);
    }
}

/* Accept negotiation: text/xml, the first named format wins, q=0 excludes. */
static void test_accept(void)
{
    static const struct {
        const char *accept;
        bool xml;
    } cases[] = {
        {"text/xml", true},
        {"application/xml, application/json", true},
        {"application/json, application/xml", false},
        {"application/json;q=0, application/xml", true},
        {"*/*", false},
        {"text/html", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct http_resp r;
        http_get(&r, "/api/v1/cards/" DEMO_CARD2, AUTH_POS, cases[i].accept);
        EXPECT_STATUS(r, 200);
        if ((cases[i].xml ? r.is_xml : r.is_json) == false)
            it_note("Accept: %s answered %s", cases[i].accept, r.content_type);
        CU_ASSERT(cases[i].xml ? r.is_xml : r.is_json);
        http_resp_free(&r);
    }
}

/* Every schema of the table in §3 is served, parses, and is self-contained. */
static void test_schemas_served(void)
{
    static const char *const roots[] = {"card", "client", "list", "error", "purchase",
                                        "refund", "adjustment", "health"};
    for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
        char path[96];
        snprintf(path, sizeof(path), "/api/v1/schema/%s.xsd", roots[i]);
        struct http_call c = {.url = path, .auth = AUTH_POS, .no_validate = true};
        struct http_resp r;
        http_exec(&c, &r);
        EXPECT_STATUS(r, 200);
        CU_ASSERT(r.is_xml);
        CU_ASSERT(r.xml != NULL);
        CU_ASSERT(strstr(r.body, "xs:include") == NULL && strstr(r.body, "xs:import") == NULL);
        CU_ASSERT(strstr(r.body, "targetNamespace") == NULL);
        http_resp_free(&r);
    }
}

/* The tools themselves: the comparator and the validator do reject what is wrong. */
static void test_selfcheck_tools(void)
{
    static const struct {
        const char *json, *xml;
        bool same;
    } cases[] = {
        {"{\"a\":1,\"b\":\"x\"}", "<r><a>1</a><b>x</b></r>", true},
        {"{\"a\":1,\"b\":null}", "<r><a>1</a></r>", true},
        {"{\"a\":1,\"b\":null}", "<r><a>1</a><b/></r>", false},
        {"{\"a\":1,\"b\":\"x\"}", "<r><b>x</b><a>1</a></r>", false},
        {"{\"a\":0.00}", "<r><a>0.00</a></r>", true},
        {"{\"a\":0.00}", "<r><a>0</a></r>", false},
        {"{\"a\":true}", "<r><a>1</a></r>", false},
        {"{\"lines\":[{\"q\":1},{\"q\":2}]}", "<r><lines><line><q>1</q></line><line><q>2</q></line></lines></r>", true},
        {"{\"lines\":[{\"q\":1}]}", "<r><lines><item><q>1</q></item></lines></r>", false},
        {"{\"slip\":[\"a\",\"b\"]}", "<r><slip><text>a</text><text>b</text></slip></r>", true},
        {"{\"codes\":[\"a\"]}", "<r><codes><code>a</code></codes></r>", true},
        {"{\"codes\":[]}", "<r><codes/></r>", true},
        {"{\"codes\":[\"a\"]}", "<r><codes/></r>", false},
        {"{\"o\":{}}", "<r><o></o></r>", true},
        {"{\"a\":\"x\"}", "<r><a>x</a><extra/></r>", false},
        {"{\"a\":\"x\"}", "<r><a>y</a></r>", false},
    };
    char why[400];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_object *j = json_tokener_parse(cases[i].json);
        xmlDoc *x = xmlReadMemory(cases[i].xml, (int)strlen(cases[i].xml), NULL, NULL, XML_PARSE_NONET);
        bool same = jx_equal_doc(j, x, "r", why, sizeof(why));
        if (same != cases[i].same)
            it_note("comparator self-check %zu: %s vs %s gave %d (%s)", i, cases[i].json,
                    cases[i].xml, same, why);
        CU_ASSERT(same == cases[i].same);
        json_object_put(j);
        xmlFreeDoc(x);
    }
    /* the XSD validator refuses an invalid card */
    static const char bad_card[] = "<card><status>lost</status></card>";
    static const char bad_order[] = "<card><kind>virtual</kind><number>1</number></card>";
    static const char good_card[] = "<card><number>1</number><status>active</status></card>";
    xmlDoc *d = xmlReadMemory(bad_card, (int)strlen(bad_card), NULL, NULL, XML_PARSE_NONET);
    CU_ASSERT(!xsd_validate(d, why, sizeof(why)));
    xmlFreeDoc(d);
    d = xmlReadMemory(bad_order, (int)strlen(bad_order), NULL, NULL, XML_PARSE_NONET);
    CU_ASSERT(!xsd_validate(d, why, sizeof(why)));
    xmlFreeDoc(d);
    d = xmlReadMemory(good_card, (int)strlen(good_card), NULL, NULL, XML_PARSE_NONET);
    bool ok = xsd_validate(d, why, sizeof(why));
    if (!ok)
        it_note("a minimal valid card does not validate: %s", why);
    CU_ASSERT(ok);
    xmlFreeDoc(d);
}

void formats_add_tests(CU_pSuite s)
{
    CU_add_test(s, "self-check: the comparator and the XSD validator refuse differences",
                test_selfcheck_tools);
    CU_add_test(s, "XSDs served and self-contained", test_schemas_served);
    CU_add_test(s, "GET /cards/{n}: JSON == XML", test_card_get);
    CU_add_test(s, "GET /clients/{id}: JSON == XML", test_client_get);
    CU_add_test(s, "GET /clients?phone= (list): JSON == XML", test_client_search_list);
    CU_add_test(s, "POST /clients in JSON and in XML: same documents",
                test_client_create_both_formats);
    CU_add_test(s, "block/unblock/replace, POST /clients/{id}/cards: JSON == XML",
                test_card_actions);
    CU_add_test(s, "errors: JSON == XML", test_errors_both_formats);
    CU_add_test(s, "Accept negotiation", test_accept);
}
