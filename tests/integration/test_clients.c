/* test_clients.c: registration, search, changes, conflicts, cards, partners and
 * idempotent creation (API.md §5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "it.h"

/* A client with every lookup value set. */
struct cl_client {
    long long id;        /* its id */
    char national[32];   /* phone as sent */
    char phone[20];      /* phone as stored */
    char email[96];      /* e-mail */
    char card[33];       /* manual card */
    char ext[64];        /* external id */
};

static bool cl_make(const char *auth, struct cl_client *c)
{
    char body[1024];
    memset(c, 0, sizeof(*c));
    uniq_phone(c->national, c->phone);
    uniq_email(c->email);
    uniq_card(c->card);
    uniq_str("ext", c->ext, sizeof(c->ext));
    snprintf(body, sizeof(body),
             "{\"phone\":\"%s\",\"email\":\"%s\",\"first_name\":\"Petr\",\"last_name\":\"Sidorov\","
             "\"card_number\":\"%s\",\"external_id\":\"%s\"}",
             c->national, c->email, c->card, c->ext);
    c->id = it_create_client(auth, body, NULL);
    return c->id > 0;
}

static long long cl_search_one(const char *auth, const char *key, const char *value,
                               size_t *count)
{
    char enc[256], path[400];
    it_urlencode(value, enc, sizeof(enc));
    snprintf(path, sizeof(path), "/api/v1/clients?%s=%s", key, enc);
    struct http_resp r;
    http_get(&r, path, auth, JSON_T);
    EXPECT_STATUS(r, 200);
    json_object *items = jpath(r.json, "items");
    *count = items && json_object_is_type(items, json_type_array) ? json_object_array_length(items)
                                                                 : (size_t)-1;
    long long id = *count >= 1 && *count != (size_t)-1 ? jint(r.json, "items.0.id") : 0;
    http_resp_free(&r);
    return id;
}

static void test_register_manual_card(void)
{
    char nat[32], e164[20], card[33], body[512];
    uniq_phone(nat, e164);
    uniq_card(card);
    snprintf(body, sizeof(body), "{\"phone\":\"%s\",\"card_number\":\"%s\"}", e164, card);
    struct http_resp r;
    long long id = it_create_client(AUTH_POS, body, &r);
    CU_ASSERT_FATAL(id > 0);
    EXPECT_STREQ(jstr(r.json, "cards.0.number"), card);
    EXPECT_STREQ(jstr(r.json, "cards.0.kind"), "physical");
    EXPECT_STREQ(jstr(r.json, "cards.0.status"), "active");
    EXPECT_STREQ(jstr(r.json, "source"), "dev-pos");
    CU_ASSERT(jstr(r.json, "created_at") != NULL);
    CU_ASSERT(jstr(r.json, "referral_code") != NULL);
    http_resp_free(&r);

    char path[96];
    snprintf(path, sizeof(path), "/api/v1/cards/%s", card);
    http_get(&r, path, AUTH_POS, JSON_T);
    EXPECT_STATUS(r, 200);
    CU_ASSERT_EQUAL(jint(r.json, "client.id"), id);
    EXPECT_STREQ(jstr(r.json, "kind"), "physical");
    EXPECT_STREQ(jstr(r.json, "status"), "active");
    /* the phone is masked on the card */
    const char *masked = jstr(r.json, "client.phone_masked");
    CU_ASSERT(masked && strstr(masked, "***") && strncmp(masked, e164, 5) == 0 &&
              strcmp(masked + strlen(masked) - 4, e164 + strlen(e164) - 4) == 0);
    http_resp_free(&r);
}

static void test_register_virtual_card(void)
{
    char email[96], body[512];
    uniq_email(email);
    snprintf(body, sizeof(body), "{\"email\":\"%s\",\"issue_virtual_card\":true}", email);
    struct http_resp r;
    long long id = it_create_client(AUTH_SHOP, body, &r);
    CU_ASSERT_FATAL(id > 0);
    char numbuf[40] = "";
    const char *num = jstr(r.json, "cards.0.number");
    CU_ASSERT_PTR_NOT_NULL(num);
    if (num)
        snprintf(numbuf, sizeof(numbuf), "%s", num);
    num = num ? numbuf : NULL;
    if (num) {
        CU_ASSERT(strlen(num) == 13 && num[0] == '2');
        if (!it_ean13_valid(num))
            it_note("virtual card %s has no valid EAN-13 check digit", num);
        CU_ASSERT(it_ean13_valid(num));
    }
    EXPECT_STREQ(jstr(r.json, "cards.0.kind"), "virtual");
    CU_ASSERT(jpath(r.json, "phone") == NULL); /* e-mail only: phone null */
    EXPECT_STREQ(jstr(r.json, "email"), email);
    http_resp_free(&r);
    /* two virtual cards get different numbers */
    uniq_email(email);
    snprintf(body, sizeof(body), "{\"email\":\"%s\",\"issue_virtual_card\":true}", email);
    long long id2 = it_create_client(AUTH_SHOP, body, &r);
    CU_ASSERT(id2 > 0 && id2 != id);
    const char *num2 = jstr(r.json, "cards.0.number");
    CU_ASSERT(num2 && it_ean13_valid(num2) && (!num || strcmp(num, num2) != 0));
    http_resp_free(&r);
}

static void test_phone_normalisation(void)
{
    char nat[32], e164[20], body[256];
    uniq_phone(nat, e164);
    snprintf(body, sizeof(body), "{\"phone\":\"%s\"}", nat);
    struct http_resp r;
    long long id = it_create_client(AUTH_POS, body, &r);
    CU_ASSERT_FATAL(id > 0);
    EXPECT_STREQ(jstr(r.json, "phone"), e164);
    http_resp_free(&r);
    size_t n;
    CU_ASSERT_EQUAL(cl_search_one(AUTH_POS, "phone", e164, &n), id);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(cl_search_one(AUTH_POS, "phone", nat, &n), id);
    CU_ASSERT_EQUAL(n, 1);
    char spaced[40];
    snprintf(spaced, sizeof(spaced), "+7 %.3s %.3s-%.2s-%.2s", e164 + 2, e164 + 5, e164 + 8,
             e164 + 10);
    CU_ASSERT_EQUAL(cl_search_one(AUTH_POS, "phone", spaced, &n), id);
    CU_ASSERT_EQUAL(it_db_scalar("SELECT count(*) FROM client_phones WHERE phone = $1", e164), 1);
}

static void test_search(void)
{
    struct cl_client c;
    CU_ASSERT_FATAL(cl_make(AUTH_POS, &c));
    size_t n;
    CU_ASSERT_EQUAL(cl_search_one(AUTH_POS, "phone", c.phone, &n), c.id);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(cl_search_one(AUTH_POS, "email", c.email, &n), c.id);
    CU_ASSERT_EQUAL(n, 1);
    char upper[96];
    snprintf(upper, sizeof(upper), "%s", c.email);
    for (char *p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
    CU_ASSERT_EQUAL(cl_search_one(AUTH_POS, "email", upper, &n), c.id);
    CU_ASSERT_EQUAL(cl_search_one(AUTH_ANALYTICS, "card", c.card, &n), c.id);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(cl_search_one(AUTH_ERP, "external_id", c.ext, &n), c.id);
    CU_ASSERT_EQUAL(n, 1);
    /* nothing found: an empty list, not 404 */
    cl_search_one(AUTH_POS, "card", "IT-NO-SUCH-CARD", &n);
    CU_ASSERT_EQUAL(n, 0);
    cl_search_one(AUTH_POS, "external_id", "' OR '1'='1", &n);
    CU_ASSERT_EQUAL(n, 0);
    cl_search_one(AUTH_POS, "email", "nobody@example.invalid", &n);
    CU_ASSERT_EQUAL(n, 0);
    /* an unparseable phone in a search is 400 invalid_field */
    struct http_resp r;
    http_get(&r, "/api/v1/clients?phone=abc", AUTH_POS, JSON_T);
    EXPECT_ERROR(r, 400, "invalid_field", "phone");
    http_resp_free(&r);
    /* the client document */
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/clients/%lld", c.id);
    http_get(&r, path, AUTH_POS, JSON_T);
    EXPECT_STATUS(r, 200);
    EXPECT_STREQ(jstr(r.json, "phone"), c.phone);
    EXPECT_STREQ(jstr(r.json, "email"), c.email);
    EXPECT_STREQ(jstr(r.json, "external_id"), c.ext);
    EXPECT_STREQ(jstr(r.json, "cards.0.number"), c.card);
    EXPECT_STREQ(jtext(r.json, "balance.available"), "0.00");
    http_resp_free(&r);
}

static void test_patch(void)
{
    struct cl_client c, other;
    CU_ASSERT_FATAL(cl_make(AUTH_POS, &c));
    CU_ASSERT_FATAL(cl_make(AUTH_POS, &other));
    char path[64], body[512], email[96], nat[32], e164[20];
    snprintf(path, sizeof(path), "/api/v1/clients/%lld", c.id);
    uniq_email(email);
    snprintf(body, sizeof(body),
             "{\"first_name\":\"Pavel\",\"email\":\"%s\",\"birth_date\":\"1985-02-28\","
             "\"gender\":\"male\",\"consents\":{\"sms\":true,\"email\":true,\"push\":false}}",
             email);
    struct http_resp r;
    http_send(&r, "PATCH", path, AUTH_POS, JSON_T, JSON_T, body);
    EXPECT_STATUS(r, 200);
    EXPECT_STREQ(jstr(r.json, "first_name"), "Pavel");
    EXPECT_STREQ(jstr(r.json, "last_name"), "Sidorov"); /* untouched */
    EXPECT_STREQ(jstr(r.json, "email"), email);
    EXPECT_STREQ(jstr(r.json, "phone"), c.phone);
    EXPECT_STREQ(jstr(r.json, "birth_date"), "1985-02-28");
    EXPECT_STREQ(jstr(r.json, "gender"), "male");
    CU_ASSERT(json_object_get_boolean(jpath(r.json, "consents.email")));
    http_resp_free(&r);
    size_t n;
    cl_search_one(AUTH_POS, "email", c.email, &n);
    CU_ASSERT_EQUAL(n, 0); /* the old e-mail is free */
    CU_ASSERT_EQUAL(cl_search_one(AUTH_POS, "email", email, &n), c.id);

    /* a new phone in XML */
    uniq_phone(nat, e164);
    snprintf(body, sizeof(body), "<client><phone>%s</phone></client>", nat);
    http_send(&r, "PATCH", path, AUTH_POS, XML_T, XML_T, body);
    EXPECT_STATUS(r, 200);
    EXPECT_XML_VALID(r);
    char buf[64];
    EXPECT_STREQ(xtext(r.xml, "phone", buf, sizeof(buf)), e164);
    EXPECT_STREQ(xtext(r.xml, "first_name", buf, sizeof(buf)), "Pavel");
    http_resp_free(&r);
    cl_search_one(AUTH_POS, "phone", c.phone, &n);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(cl_search_one(AUTH_POS, "phone", e164, &n), c.id);

    /* conflicts and refusals write nothing */
    struct it_counts before, after;
    counts_take(&before);
    snprintf(body, sizeof(body), "{\"email\":\"%s\"}", other.email);
    http_send(&r, "PATCH", path, AUTH_POS, JSON_T, JSON_T, body);
    EXPECT_ERROR(r, 409, "email_taken", "email");
    http_resp_free(&r);
    snprintf(body, sizeof(body), "{\"phone\":\"%s\"}", other.phone);
    http_send(&r, "PATCH", path, AUTH_POS, JSON_T, JSON_T, body);
    EXPECT_ERROR(r, 409, "phone_taken", "phone");
    http_resp_free(&r);
    snprintf(body, sizeof(body), "{\"external_id\":\"%s\"}", other.ext);
    http_send(&r, "PATCH", path, AUTH_POS, JSON_T, JSON_T, body);
    EXPECT_ERROR(r, 409, "external_id_taken", "external_id");
    http_resp_free(&r);
    http_send(&r, "PATCH", path, AUTH_POS, JSON_T, JSON_T, "{\"card_number\":\"12345678\"}");
    EXPECT_ERROR(r, 400, "invalid_field", "card_number");
    http_resp_free(&r);
    http_send(&r, "PATCH", path, AUTH_POS, JSON_T, JSON_T, "{\"birth_date\":\"2023-02-30\"}");
    EXPECT_ERROR(r, 400, "invalid_field", "birth_date");
    http_resp_free(&r);
    http_send(&r, "PATCH", "/api/v1/clients/999999999", AUTH_POS, JSON_T, JSON_T,
              "{\"first_name\":\"Ghost\"}");
    EXPECT_ERROR(r, 404, "client_not_found", NULL);
    http_resp_free(&r);
    http_send(&r, "PATCH", path, AUTH_ANALYTICS, JSON_T, JSON_T, "{\"first_name\":\"No\"}");
    EXPECT_ERROR(r, 403, "forbidden", NULL);
    http_resp_free(&r);
    counts_take(&after);
    CU_ASSERT(counts_same(&before, &after, "refused PATCHes"));
    /* the refused changes left the client as it was */
    http_get(&r, path, AUTH_POS, JSON_T);
    EXPECT_STREQ(jstr(r.json, "email"), email);
    EXPECT_STREQ(jstr(r.json, "phone"), e164);
    EXPECT_STREQ(jstr(r.json, "external_id"), c.ext);
    EXPECT_STREQ(jstr(r.json, "birth_date"), "1985-02-28");
    http_resp_free(&r);
}

static void test_conflicts(void)
{
    struct cl_client a;
    CU_ASSERT_FATAL(cl_make(AUTH_POS, &a));
    char nat[32], e164[20], body[512], upper[96];
    snprintf(upper, sizeof(upper), "%s", a.email);
    for (char *p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
    struct {
        const char *fmt;    /* body with one %s */
        const char *value;  /* the taken value */
        const char *code, *field;
        bool fresh_phone;   /* add a fresh phone */
    } cases[] = {
        {"{\"phone\":\"%s\"}", a.national, "phone_taken", "phone", false},
        {"{\"phone\":\"%s\"}", a.phone, "phone_taken", "phone", false},
        {"{\"phone\":\"%%s\",\"email\":\"%s\"}", upper, "email_taken", "email", true},
        {"{\"phone\":\"%%s\",\"card_number\":\"%s\"}", a.card, "card_taken", "card_number", true},
        {"{\"phone\":\"%%s\",\"external_id\":\"%s\"}", a.ext, "external_id_taken",
         "external_id", true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct it_counts before, after;
        char fmt2[512];
        snprintf(fmt2, sizeof(fmt2), cases[i].fmt, cases[i].value);
        if (cases[i].fresh_phone) {
            uniq_phone(nat, e164);
            snprintf(body, sizeof(body), fmt2, e164);
        } else {
            snprintf(body, sizeof(body), "%s", fmt2);
        }
        counts_take(&before);
        struct http_resp r;
        http_send(&r, "POST", "/api/v1/clients", AUTH_SHOP, JSON_T, JSON_T, body);
        EXPECT_ERROR(r, 409, cases[i].code, cases[i].field);
        http_resp_free(&r);
        http_send(&r, "POST", "/api/v1/clients", AUTH_SHOP, XML_T, JSON_T, body);
        EXPECT_ERROR(r, 409, cases[i].code, cases[i].field);
        EXPECT_XML_VALID(r);
        http_resp_free(&r);
        counts_take(&after);
        CU_ASSERT(counts_same(&before, &after, cases[i].code));
        if (cases[i].fresh_phone) /* the fresh phone was not kept */
            CU_ASSERT_EQUAL(it_db_scalar("SELECT count(*) FROM client_phones WHERE phone = $1", e164),
                            0);
    }
}

static void test_missing_and_invalid(void)
{
    char nat[32], e164[20];
    uniq_phone(nat, e164);
    char b[64][300];
    int k = 0;
    struct {
        const char *ctype, *body, *code, *field;
    } cases[64];
#define CASE(ct, code_, field_, ...)                                          \
    do {                                                                      \
        snprintf(b[k], sizeof(b[k]), __VA_ARGS__);                            \
        cases[k].ctype = (ct);                                                \
        cases[k].body = b[k];                                                 \
        cases[k].code = (code_);                                              \
        cases[k].field = (field_);                                            \
        k++;                                                                  \
    } while (0)
    CASE(JSON_T, "missing_field", "phone", "{}");
    CASE(JSON_T, "missing_field", "phone", "{\"first_name\":\"Nobody\"}");
    CASE(JSON_T, "missing_field", "phone", "{\"phone\":null,\"email\":null}");
    CASE(XML_T, "missing_field", "phone", "<client><first_name>Nobody</first_name></client>");
    CASE(JSON_T, "invalid_field", "phone", "{\"phone\":\"abc\"}");
    CASE(JSON_T, "invalid_field", "phone", "{\"phone\":\"12\"}");
    CASE(JSON_T, "invalid_field", "phone", "{\"phone\":\"+7999123456789012345\"}");
    CASE(XML_T, "invalid_field", "phone", "<client><phone>phone?</phone></client>");
    CASE(JSON_T, "invalid_field", "email", "{\"phone\":\"%s\",\"email\":\"not-an-email\"}", e164);
    CASE(JSON_T, "invalid_field", "email", "{\"email\":\"a@b@c.com\"}");
    CASE(JSON_T, "invalid_field", "email", "{\"email\":\"@example.com\"}");
    CASE(JSON_T, "invalid_field", "birth_date", "{\"phone\":\"%s\",\"birth_date\":\"1990-13-01\"}", e164);
    CASE(JSON_T, "invalid_field", "birth_date", "{\"phone\":\"%s\",\"birth_date\":\"2023-02-30\"}", e164);
    CASE(JSON_T, "invalid_field", "birth_date", "{\"phone\":\"%s\",\"birth_date\":\"17.05.1990\"}", e164);
    CASE(XML_T, "invalid_field", "birth_date",
         "<client><phone>%s</phone><birth_date>2023-02-30</birth_date></client>", e164);
    CASE(JSON_T, "invalid_field", "gender", "{\"phone\":\"%s\",\"gender\":\"x\"}", e164);
    CASE(XML_T, "invalid_field", "gender", "<client><phone>%s</phone><gender>x</gender></client>", e164);
    CASE(JSON_T, "invalid_field", "first_name", "{\"phone\":\"%s\",\"first_name\":5}", e164);
    CASE(JSON_T, "invalid_field", "first_name", "{\"phone\":\"%s\",\"first_name\":[\"a\"]}", e164);
    CASE(JSON_T, "invalid_field", "phone", "{\"phone\":79991234567}");
    CASE(JSON_T, "invalid_field", "consents", "{\"phone\":\"%s\",\"consents\":\"yes\"}", e164);
    CASE(JSON_T, "invalid_field", "consents.sms", "{\"phone\":\"%s\",\"consents\":{\"sms\":\"yes\"}}", e164);
    CASE(XML_T, "invalid_field", "consents.sms",
         "<client><phone>%s</phone><consents><sms>yes</sms></consents></client>", e164);
    CASE(JSON_T, "invalid_field", "issue_virtual_card", "{\"phone\":\"%s\",\"issue_virtual_card\":\"true\"}", e164);
    CASE(JSON_T, "invalid_field", "card_number", "{\"phone\":\"%s\",\"card_number\":\"ab\"}", e164);
    CASE(JSON_T, "invalid_field", "card_number", "{\"phone\":\"%s\",\"card_number\":\"bad number!\"}", e164);
    CASE(JSON_T, "invalid_field", NULL,
         "{\"phone\":\"%s\",\"card_number\":\"IT-BOTH-1\",\"issue_virtual_card\":true}", e164);
    CASE(JSON_T, "invalid_field", "attributes", "{\"phone\":\"%s\",\"attributes\":[1]}", e164);
    CASE(JSON_T, "invalid_field", "attributes", "{\"phone\":\"%s\",\"attributes\":{\"a\":{\"b\":1}}}", e164);
    CASE(JSON_T, "invalid_field", "referral_code", "{\"phone\":\"%s\",\"referral_code\":\"NO-SUCH-CODE\"}", e164);
    CASE(JSON_T, "invalid_field", "external_id", "{\"phone\":\"%s\",\"external_id\":\"\"}", e164);
#undef CASE
    struct it_counts before, after;
    counts_take(&before);
    for (int i = 0; i < k; i++) {
        struct http_resp r;
        http_send(&r, "POST", "/api/v1/clients", AUTH_POS, JSON_T, cases[i].ctype, cases[i].body);
        bool checked = it_check_error(&r, 400, cases[i].code, cases[i].field, __FILE__, __LINE__);
        if (!checked)
            it_note("  (body %s)", cases[i].body);
        CU_ASSERT(checked);
        http_resp_free(&r);
    }
    counts_take(&after);
    CU_ASSERT(counts_same(&before, &after, "refused registrations"));
}

/* An accrual by adjustment (ERP), so that the balance can be followed across a replace. */
static bool cl_give_points(long long client_id, const char *amount)
{
    char key[64], body[256];
    uniq_str("it-adj", key, sizeof(key));
    snprintf(body, sizeof(body),
             "{\"client_id\":%lld,\"amount\":%s,\"reason\":\"integration test\","
             "\"idempotency_key\":\"%s\"}",
             client_id, amount, key);
    struct http_resp r;
    http_send(&r, "POST", "/api/v1/points/adjustments", AUTH_ERP, JSON_T, JSON_T, body);
    bool ok = r.status == 201;
    EXPECT_STATUS(r, 201);
    http_resp_free(&r);
    return ok;
}

static void cl_card_status(const char *card, const char *status, const char *replaced_by,
                           const char *available, long long client_id)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/cards/%s", card);
    struct http_resp r;
    http_get(&r, path, AUTH_POS, JSON_T);
    EXPECT_STATUS(r, 200);
    EXPECT_STREQ(jstr(r.json, "status"), status);
    if (replaced_by)
        EXPECT_STREQ(jstr(r.json, "replaced_by"), replaced_by);
    else
        CU_ASSERT(jpath(r.json, "replaced_by") == NULL);
    if (available)
        EXPECT_STREQ(jtext(r.json, "balance.available"), available);
    CU_ASSERT_EQUAL(jint(r.json, "client.id"), client_id);
    http_resp_free(&r);
}

static void test_block_unblock_replace(void)
{
    char card[33], card2[33], other_card[33], path[128], body[256];
    long long id = it_new_client_with_card(AUTH_POS, card);
    long long other = it_new_client_with_card(AUTH_POS, other_card);
    CU_ASSERT_FATAL(id > 0 && other > 0);
    CU_ASSERT(cl_give_points(id, "150.00"));
    cl_card_status(card, "active", NULL, "150.00", id);

    struct http_resp r;
    snprintf(path, sizeof(path), "/api/v1/cards/%s/block", card);
    http_send(&r, "POST", path, AUTH_POS, JSON_T, JSON_T, "{\"reason\":\"stolen\"}");
    EXPECT_STATUS(r, 200);
    EXPECT_STREQ(jstr(r.json, "status"), "blocked");
    http_resp_free(&r);
    cl_card_status(card, "blocked", NULL, "150.00", id);
    /* blocking twice is still blocked */
    http_send(&r, "POST", path, AUTH_SHOP, JSON_T, NULL, NULL);
    EXPECT_STATUS(r, 200);
    EXPECT_STREQ(jstr(r.json, "status"), "blocked");
    http_resp_free(&r);

    snprintf(path, sizeof(path), "/api/v1/cards/%s/unblock", card);
    http_send(&r, "POST", path, AUTH_POS, JSON_T, NULL, NULL);
    EXPECT_STATUS(r, 200);
    EXPECT_STREQ(jstr(r.json, "status"), "active");
    http_resp_free(&r);
    cl_card_status(card, "active", NULL, "150.00", id);

    snprintf(path, sizeof(path), "/api/v1/cards/%s/replace", card);
    struct it_counts before, after;
    counts_take(&before);
    http_send(&r, "POST", path, AUTH_POS, JSON_T, JSON_T, "{}");
    EXPECT_ERROR(r, 400, "missing_field", "new_number");
    http_resp_free(&r);
    snprintf(body, sizeof(body), "{\"new_number\":\"%s\"}", card);
    http_send(&r, "POST", path, AUTH_POS, JSON_T, JSON_T, body);
    EXPECT_ERROR(r, 400, "invalid_field", "new_number");
    http_resp_free(&r);
    snprintf(body, sizeof(body), "{\"new_number\":\"%s\"}", other_card);
    http_send(&r, "POST", path, AUTH_POS, JSON_T, JSON_T, body);
    EXPECT_ERROR(r, 409, "card_taken", "new_number");
    http_resp_free(&r);
    http_send(&r, "POST", path, AUTH_POS, JSON_T, JSON_T, "{\"new_number\":\"no spaces!\"}");
    EXPECT_ERROR(r, 400, "invalid_field", "new_number");
    http_resp_free(&r);
    counts_take(&after);
    CU_ASSERT(counts_same(&before, &after, "refused replaces"));

    uniq_card(card2);
    snprintf(body, sizeof(body), "{\"new_number\":\"%s\"}", card2);
    http_send(&r, "POST", path, AUTH_POS, JSON_T, JSON_T, body);
    EXPECT_STATUS(r, 200);
    EXPECT_STREQ(jstr(r.json, "number"), card2);
    EXPECT_STREQ(jstr(r.json, "status"), "active");
    EXPECT_STREQ(jtext(r.json, "balance.available"), "150.00");
    http_resp_free(&r);
    cl_card_status(card, "replaced", card2, NULL, id);
    cl_card_status(card2, "active", NULL, "150.00", id);

    /* the balance is the client's */
    snprintf(path, sizeof(path), "/api/v1/clients/%lld", id);
    http_get(&r, path, AUTH_POS, JSON_T);
    EXPECT_STATUS(r, 200);
    EXPECT_STREQ(jtext(r.json, "balance.available"), "150.00");
    json_object *cards = jpath(r.json, "cards");
    bool seen_old = false, seen_new = false;
    for (size_t i = 0; cards && i < json_object_array_length(cards); i++) {
        json_object *c = json_object_array_get_idx(cards, i);
        const char *num = jstr(c, "number"), *st = jstr(c, "status");
        if (num && strcmp(num, card) == 0)
            seen_old = st && strcmp(st, "replaced") == 0;
        if (num && strcmp(num, card2) == 0)
            seen_new = st && strcmp(st, "active") == 0;
    }
    CU_ASSERT(seen_old && seen_new);
    http_resp_free(&r);

    /* a replaced card cannot be blocked, unblocked or replaced again */
    snprintf(path, sizeof(path), "/api/v1/cards/%s/block", card);
    http_send(&r, "POST", path, AUTH_POS, JSON_T, NULL, NULL);
    EXPECT_ERROR(r, 409, "card_replaced", NULL);
    http_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/cards/%s/replace", card);
    uniq_card(card2);
    snprintf(body, sizeof(body), "{\"new_number\":\"%s\"}", card2);
    http_send(&r, "POST", path, AUTH_POS, JSON_T, JSON_T, body);
    EXPECT_ERROR(r, 409, "card_replaced", NULL);
    http_resp_free(&r);
    CU_ASSERT_EQUAL(it_db_scalar("SELECT count(*) FROM card_index WHERE number = $1", card2), 0);
}

static void test_not_found(void)
{
    static const struct {
        const char *method, *path, *body, *code;
    } cases[] = {
        {"GET", "/api/v1/cards/IT-NO-SUCH-CARD", NULL, "card_not_found"},
        {"GET", "/api/v1/cards/0000000000000", NULL, "card_not_found"},
        {"POST", "/api/v1/cards/IT-NO-SUCH-CARD/block", "{}", "card_not_found"},
        {"POST", "/api/v1/cards/IT-NO-SUCH-CARD/unblock", "{}", "card_not_found"},
        {"POST", "/api/v1/cards/IT-NO-SUCH-CARD/replace", "{\"new_number\":\"IT-NEVER-1\"}",
         "card_not_found"},
        {"GET", "/api/v1/clients/999999999", NULL, "client_not_found"},
        {"GET", "/api/v1/clients/abc", NULL, "client_not_found"},
        {"GET", "/api/v1/clients/0", NULL, "client_not_found"},
        {"GET", "/api/v1/clients/-1", NULL, "client_not_found"},
        {"GET", "/api/v1/clients/99999999999999999999999", NULL, "client_not_found"},
        {"PATCH", "/api/v1/clients/999999999", "{\"first_name\":\"x\"}", "client_not_found"},
        {"POST", "/api/v1/clients/999999999/cards", "{\"virtual\":true}", "client_not_found"},
        {"GET", "/api/v1/clients/999999999/operations", NULL, "client_not_found"},
    };
    struct it_counts before, after;
    counts_take(&before);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct http_resp r;
        http_send(&r, cases[i].method, cases[i].path, AUTH_POS, JSON_T,
                  cases[i].body ? JSON_T : NULL, cases[i].body);
        EXPECT_ERROR(r, 404, cases[i].code, NULL);
        http_resp_free(&r);
    }
    counts_take(&after);
    CU_ASSERT(counts_same(&before, &after, "404 requests"));
}

static void test_card_add(void)
{
    char card[33], other_card[33], path[96], body[256];
    long long id = it_new_client_with_card(AUTH_POS, card);
    long long other = it_new_client_with_card(AUTH_POS, other_card);
    CU_ASSERT_FATAL(id > 0 && other > 0);
    snprintf(path, sizeof(path), "/api/v1/clients/%lld/cards", id);
    struct it_counts before, after;
    counts_take(&before);
    struct http_resp r;
    http_send(&r, "POST", path, AUTH_POS, JSON_T, JSON_T, "{}");
    EXPECT_ERROR(r, 400, "missing_field", "number");
    http_resp_free(&r);
    http_send(&r, "POST", path, AUTH_POS, JSON_T, JSON_T,
              "{\"number\":\"IT-BOTH-2\",\"virtual\":true}");
    EXPECT_ERROR(r, 400, "invalid_field", NULL);
    http_resp_free(&r);
    snprintf(body, sizeof(body), "{\"number\":\"%s\"}", other_card);
    http_send(&r, "POST", path, AUTH_POS, JSON_T, JSON_T, body);
    EXPECT_ERROR(r, 409, "card_taken", "number");
    http_resp_free(&r);
    http_send(&r, "POST", path, AUTH_POS, JSON_T, JSON_T, "{\"number\":\"x\"}");
    EXPECT_ERROR(r, 400, "invalid_field", "number");
    http_resp_free(&r);
    counts_take(&after);
    CU_ASSERT(counts_same(&before, &after, "refused card additions"));

    http_send(&r, "POST", path, AUTH_POS, JSON_T, JSON_T, "{\"virtual\":true}");
    EXPECT_STATUS(r, 201);
    EXPECT_STREQ(jstr(r.json, "kind"), "virtual");
    CU_ASSERT(it_ean13_valid(jstr(r.json, "number")));
    CU_ASSERT_EQUAL(jint(r.json, "client.id"), id);
    http_resp_free(&r);
}

static void test_partner_isolation(void)
{
    char card[33], path[128], body[256];
    long long mine = it_new_client_with_card(AUTH_PARTNER, card);
    CU_ASSERT_FATAL(mine > 0);
    struct http_resp r;
    snprintf(path, sizeof(path), "/api/v1/clients/%lld", mine);
    http_get(&r, path, AUTH_PARTNER, JSON_T);
    EXPECT_STATUS(r, 200);
    EXPECT_STREQ(jstr(r.json, "source"), "dev-partner");
    const char *ph = jstr(r.json, "phone");
    char myphone[32];
    snprintf(myphone, sizeof(myphone), "%s", ph ? ph : "");
    http_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/cards/%s", card);
    http_get(&r, path, AUTH_PARTNER, JSON_T);
    EXPECT_STATUS(r, 200);
    http_resp_free(&r);
    http_get(&r, path, AUTH_PARTNER, JSON_T); /* and from the cache */
    EXPECT_STATUS(r, 200);
    http_resp_free(&r);
    /* the POS sees the partner's client too */
    snprintf(path, sizeof(path), "/api/v1/clients/%lld", mine);
    http_get(&r, path, AUTH_POS, JSON_T);
    EXPECT_STATUS(r, 200);
    http_resp_free(&r);

    /* another's client and card do not exist for the partner */
    struct it_counts before, after;
    counts_take(&before);
    http_get(&r, "/api/v1/clients/1", AUTH_PARTNER, JSON_T);
    EXPECT_ERROR(r, 404, "client_not_found", NULL);
    http_resp_free(&r);
    http_get(&r, "/api/v1/clients/1/operations", AUTH_PARTNER, JSON_T);
    EXPECT_ERROR(r, 404, "client_not_found", NULL);
    http_resp_free(&r);
    http_get(&r, "/api/v1/cards/" DEMO_CARD, AUTH_POS, JSON_T); /* warm the cache */
    EXPECT_STATUS(r, 200);
    http_resp_free(&r);
    for (int i = 0; i < 2; i++) {
        http_get(&r, "/api/v1/cards/" DEMO_CARD, AUTH_PARTNER, JSON_T);
        EXPECT_ERROR(r, 404, "card_not_found", NULL);
        http_resp_free(&r);
        http_get(&r, "/api/v1/cards/" DEMO_CARD, AUTH_PARTNER, XML_T);
        EXPECT_ERROR(r, 404, "card_not_found", NULL);
        EXPECT_XML_VALID(r);
        http_resp_free(&r);
    }
    http_send(&r, "POST", "/api/v1/cards/" DEMO_CARD "/block", AUTH_PARTNER, JSON_T, JSON_T,
              "{\"reason\":\"not mine\"}");
    EXPECT_ERROR(r, 404, "card_not_found", NULL);
    http_resp_free(&r);
    http_send(&r, "POST", "/api/v1/cards/" DEMO_CARD "/replace", AUTH_PARTNER, JSON_T, JSON_T,
              "{\"new_number\":\"IT-PARTNER-STEAL\"}");
    EXPECT_ERROR(r, 404, "card_not_found", NULL);
    http_resp_free(&r);
    http_send(&r, "PATCH", "/api/v1/clients/1", AUTH_PARTNER, JSON_T, JSON_T,
              "{\"first_name\":\"Hacked\"}");
    EXPECT_ERROR(r, 404, "client_not_found", NULL);
    http_resp_free(&r);
    http_send(&r, "POST", "/api/v1/clients/1/cards", AUTH_PARTNER, JSON_T, JSON_T,
              "{\"virtual\":true}");
    EXPECT_ERROR(r, 404, "client_not_found", NULL);
    http_resp_free(&r);
    counts_take(&after);
    CU_ASSERT(counts_same(&before, &after, "partner requests on another's data"));

    /* nothing changed for the owner */
    http_get(&r, "/api/v1/cards/" DEMO_CARD, AUTH_POS, JSON_T);
    EXPECT_STREQ(jstr(r.json, "status"), "active");
    EXPECT_STREQ(jstr(r.json, "client.first_name"), "Anna");
    http_resp_free(&r);

    /* searches and listings show only the partner's own clients */
    size_t n;
    http_get(&r, "/api/v1/clients/1", AUTH_POS, JSON_T);
    char anna_phone[32];
    snprintf(anna_phone, sizeof(anna_phone), "%s", jstr(r.json, "phone") ? jstr(r.json, "phone") : "");
    http_resp_free(&r);
    cl_search_one(AUTH_PARTNER, "phone", anna_phone, &n);
    CU_ASSERT_EQUAL(n, 0);
    cl_search_one(AUTH_PARTNER, "card", DEMO_CARD, &n);
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(cl_search_one(AUTH_PARTNER, "phone", myphone, &n), mine);
    CU_ASSERT_EQUAL(cl_search_one(AUTH_PARTNER, "card", card, &n), mine);
    http_get(&r, "/api/v1/clients?limit=500", AUTH_PARTNER, JSON_T);
    EXPECT_STATUS(r, 200);
    json_object *items = jpath(r.json, "items");
    bool leak = false;
    for (size_t i = 0; items && i < json_object_array_length(items); i++) {
        const char *src = jstr(json_object_array_get_idx(items, i), "source");
        if (!src || strcmp(src, "dev-partner") != 0)
            leak = true;
    }
    if (leak)
        it_note("GET /clients with the partner key lists clients of other sources");
    CU_ASSERT(!leak);
    http_resp_free(&r);

    /* the partner can act on its own client's card */
    snprintf(path, sizeof(path), "/api/v1/cards/%s/block", card);
    http_send(&r, "POST", path, AUTH_PARTNER, JSON_T, NULL, NULL);
    EXPECT_STATUS(r, 200);
    EXPECT_STREQ(jstr(r.json, "status"), "blocked");
    http_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/clients/%lld", mine);
    snprintf(body, sizeof(body), "{\"first_name\":\"Partnered\"}");
    http_send(&r, "PATCH", path, AUTH_PARTNER, JSON_T, JSON_T, body);
    EXPECT_STATUS(r, 200);
    http_resp_free(&r);
}

static void test_idempotency(void)
{
    char nat[32], e164[20], email[96], key[80], hdr[128], body[512], body_other[512],
        body_reordered[512], xml[1024];
    uniq_phone(nat, e164);
    uniq_email(email);
    uniq_str("it-idem", key, sizeof(key));
    snprintf(hdr, sizeof(hdr), "Idempotency-Key: %s", key);
    snprintf(body, sizeof(body),
             "{\"phone\":\"%s\",\"email\":\"%s\",\"first_name\":\"Olga\",\"gender\":\"female\","
             "\"consents\":{\"sms\":true,\"email\":false,\"push\":false},\"issue_virtual_card\":true}",
             e164, email);
    snprintf(body_other, sizeof(body_other),
             "{\"phone\":\"%s\",\"email\":\"%s\",\"first_name\":\"Olya\",\"gender\":\"female\","
             "\"consents\":{\"sms\":true,\"email\":false,\"push\":false},\"issue_virtual_card\":true}",
             e164, email);
    snprintf(body_reordered, sizeof(body_reordered),
             "{ \"issue_virtual_card\": true, \"consents\": {\"push\":false,\"email\":false,"
             "\"sms\":true}, \"gender\":\"female\", \"first_name\":\"Olga\", \"email\":\"%s\", "
             "\"phone\":\"%s\" }",
             email, nat);
    snprintf(xml, sizeof(xml),
             "<?xml version=\"1.0\"?><client><phone>%s</phone><email>%s</email>"
             "<first_name>Olga</first_name><gender>female</gender>"
             "<consents><sms>true</sms><email>false</email><push>false</push></consents>"
             "<issue_virtual_card>true</issue_virtual_card></client>",
             e164, email);

    struct http_call c = {.method = "POST", .url = "/api/v1/clients", .auth = AUTH_POS,
                          .accept = JSON_T, .content_type = JSON_T, .body = body,
                          .extra = {hdr}};
    struct http_resp first, r;
    http_exec(&c, &first);
    EXPECT_STATUS(first, 201);
    long long id = jint(first.json, "id");
    CU_ASSERT_FATAL(id > 0);

    struct it_counts before, after;
    counts_take(&before);
    /* the same request again: 200 and the same document */
    http_exec(&c, &r);
    EXPECT_STATUS(r, 200);
    CU_ASSERT_EQUAL(jint(r.json, "id"), id);
    char why[600];
    bool same = jx_json_equal(first.json, r.json, NULL, why, sizeof(why));
    if (!same)
        it_note("the replayed client differs: %s", why);
    CU_ASSERT(same);
    http_resp_free(&r);
    /* the same content spelled otherwise (member order, national phone) */
    c.body = body_reordered;
    http_exec(&c, &r);
    EXPECT_STATUS(r, 200);
    CU_ASSERT_EQUAL(jint(r.json, "id"), id);
    http_resp_free(&r);
    /* the same key with another body */
    c.body = body_other;
    http_exec(&c, &r);
    EXPECT_ERROR(r, 409, "idempotency_mismatch", NULL);
    http_resp_free(&r);
    /* the same request in XML, answered in XML: the stored client */
    c.body = xml;
    c.content_type = XML_T;
    c.accept = XML_T;
    http_exec(&c, &r);
    EXPECT_STATUS(r, 200);
    EXPECT_XML_VALID(r);
    if (r.xml) {
        same = jx_equal_doc(first.json, r.xml, "client", why, sizeof(why));
        if (!same)
            it_note("the XML replay differs from the JSON creation: %s\n      JSON: %s\n      "
                    "XML: %s",
                    why, first.body, r.body);
        CU_ASSERT(same);
    }
    http_resp_free(&r);
    counts_take(&after);
    CU_ASSERT(counts_same(&before, &after, "idempotent repeats"));

    /* another key with the same body is a new registration: the phone is taken */
    char hdr2[128];
    snprintf(hdr2, sizeof(hdr2), "Idempotency-Key: %s-other", key);
    struct http_call c2 = {.method = "POST", .url = "/api/v1/clients", .auth = AUTH_POS,
                           .accept = JSON_T, .content_type = JSON_T, .body = body,
                           .extra = {hdr2}};
    http_exec(&c2, &r);
    EXPECT_ERROR(r, 409, "phone_taken", "phone");
    http_resp_free(&r);
    /* keys belong to one API client: the shop's same key is not the POS's */
    c2.auth = AUTH_SHOP;
    c2.extra[0] = hdr;
    http_exec(&c2, &r);
    EXPECT_ERROR(r, 409, "phone_taken", "phone");
    http_resp_free(&r);
    http_resp_free(&first);
}

static void test_sql_metacharacters(void)
{
    static const char *const evil[] = {
        "'; DROP TABLE clients; --",
        "Robert'); DROP TABLE students;--",
        "\\\\'\\\"%_$1 OR 1=1 /* */",
    };
    for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
        char nat[32], e164[20], ext[128], body[1024];
        uniq_phone(nat, e164);
        char u[64];
        uniq_str("", u, sizeof(u));
        snprintf(ext, sizeof(ext), "x' OR '1'='1 --%s", u);
        snprintf(body, sizeof(body),
                 "{\"phone\":\"%s\",\"first_name\":\"%s\",\"last_name\":\"%s\","
                 "\"external_id\":\"%s\",\"attributes\":{\"note\":\"%s\"}}",
                 e164, evil[i], evil[i], ext, evil[i]);
        struct http_resp r;
        long long id = it_create_client(AUTH_POS, body, &r);
        CU_ASSERT(id > 0);
        if (id <= 0) {
            http_resp_free(&r);
            continue;
        }
        /* stored verbatim: compare against what json-c makes of the sent string */
        json_object *sent = json_tokener_parse(body);
        const char *want = jstr(sent, "first_name");
        EXPECT_STREQ(jstr(r.json, "first_name"), want);
        http_resp_free(&r);
        char path[64];
        snprintf(path, sizeof(path), "/api/v1/clients/%lld", id);
        http_get(&r, path, AUTH_POS, JSON_T);
        EXPECT_STATUS(r, 200);
        EXPECT_STREQ(jstr(r.json, "last_name"), want);
        EXPECT_STREQ(jstr(r.json, "attributes.note"), want);
        EXPECT_STREQ(jstr(r.json, "external_id"), ext);
        http_resp_free(&r);
        size_t n;
        CU_ASSERT_EQUAL(cl_search_one(AUTH_POS, "external_id", ext, &n), id);
        CU_ASSERT_EQUAL(n, 1);
        json_object_put(sent);
    }
    CU_ASSERT(it_db_scalar("SELECT count(*) FROM clients", NULL) > 0); /* still there */
}

void clients_add_tests(CU_pSuite s)
{
    CU_add_test(s, "register with a manual card (new number -> physical)",
                test_register_manual_card);
    CU_add_test(s, "register with issue_virtual_card (EAN-13 from 2...)",
                test_register_virtual_card);
    CU_add_test(s, "phone normalisation", test_phone_normalisation);
    CU_add_test(s, "search by phone/email/card/external_id", test_search);
    CU_add_test(s, "PATCH; refused changes write nothing", test_patch);
    CU_add_test(s, "409 phone/email/card/external_id taken, nothing written", test_conflicts);
    CU_add_test(s, "400 missing_field / invalid_field with the field", test_missing_and_invalid);
    CU_add_test(s, "block, unblock, replace; the balance stays", test_block_unblock_replace);
    CU_add_test(s, "POST /clients/{id}/cards", test_card_add);
    CU_add_test(s, "404 card_not_found / client_not_found", test_not_found);
    CU_add_test(s, "partner sees only its own clients", test_partner_isolation);
    CU_add_test(s, "Idempotency-Key on POST /clients", test_idempotency);
    CU_add_test(s, "SQL metacharacters stored verbatim", test_sql_metacharacters);
}
