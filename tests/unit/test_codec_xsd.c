/* test_codec_xsd.c: the generated XSDs (API.md §3): each is well-formed, a valid XML Schema,
 * self-contained, and the XML that codec_encode writes for that message validates against it
 * (full and empty samples, the real card and client documents, the generic list). The
 * validator is shown to be live by documents it must refuse. */
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <stdarg.h>

#include "api/messages.h"
#include "check.h"
#include "fixture.h"
#include "tests.h"

/* libxml2 messages of the last operation, for failure reports (and off stderr). */
static char xsd_errors[2048];

static void xsd_on_error(void *ctx, xmlErrorPtr e)
{
    (void)ctx;
    size_t used = strlen(xsd_errors);
    if (e && e->message && used < sizeof(xsd_errors) - 1)
        snprintf(xsd_errors + used, sizeof(xsd_errors) - used, "[line %d] %s", e->line,
                 e->message);
}

/* Parse an XSD text into a schema, NULL (with xsd_errors) when it is not one. */
static xmlSchemaPtr xsd_load(const char *text)
{
    xsd_errors[0] = '\0';
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewMemParserCtxt(text, (int)strlen(text));
    if (!pc)
        return NULL;
    xmlSchemaSetParserStructuredErrors(pc, xsd_on_error, NULL);
    xmlSchemaPtr s = xmlSchemaParse(pc);
    xmlSchemaFreeParserCtxt(pc);
    return s;
}

/* Validate an XML document against a schema; false (with xsd_errors) when it does not. */
static bool xsd_valid(xmlSchemaPtr s, const char *xml)
{
    xsd_errors[0] = '\0';
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        snprintf(xsd_errors, sizeof(xsd_errors), "not well-formed");
        return false;
    }
    xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(s);
    bool ok = false;
    if (vc) {
        xmlSchemaSetValidStructuredErrors(vc, xsd_on_error, NULL);
        ok = xmlSchemaValidateDoc(vc, doc) == 0;
        xmlSchemaFreeValidCtxt(vc);
    }
    xmlFreeDoc(doc);
    return ok;
}

#define XSD_VALID(ctx, s, xml)                                                                   \
    do {                                                                                         \
        bool v_ = xsd_valid((s), (xml));                                                         \
        t_record(v_, __FILE__, __LINE__, "%s: not valid against its XSD: %s\n%s", (ctx),          \
                 xsd_errors, (xml));                                                             \
    } while (0)
#define XSD_INVALID(ctx, s, xml)                                                                 \
    t_record(!xsd_valid((s), (xml)), __FILE__, __LINE__, "%s: the XSD accepted %s", (ctx), (xml))

static char *xsd_text(const struct msg_desc *d, struct arena *a)
{
    struct buf b;
    buf_init(&b);
    if (d)
        codec_xsd(&b, d);
    else
        codec_xsd_list(&b);
    char *s = arena_strdup(a, buf_str(&b));
    buf_free(&b);
    return s;
}

/* Each served XSD is well-formed, a schema, self-contained, with the message's root. */
static void test_xsd_all_parse(void)
{
    for (size_t i = 0; i < msg_nschemas; i++) {
        const char *name = msg_schemas[i].name;
        const struct msg_desc *d = msg_schemas[i].desc;
        struct arena a;
        arena_init(&a, 0);
        char *xsd = xsd_text(d, &a);
        xmlDocPtr doc = xmlReadMemory(xsd, (int)strlen(xsd), NULL, NULL,
                                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        T_TRUE_C(name, doc != NULL);
        if (doc) {
            xmlNodePtr root = xmlDocGetRootElement(doc);
            T_STR_C(name, root ? (const char *)root->name : NULL, "schema");
            xmlFreeDoc(doc);
        }
        xmlSchemaPtr s = xsd_load(xsd);
        t_record(s != NULL, __FILE__, __LINE__, "%s: not an XML Schema: %s\n%s", name,
                 xsd_errors, xsd);
        if (s)
            xmlSchemaFree(s);
        T_HASNT_C(name, xsd, "xs:include");
        T_HASNT_C(name, xsd, "xs:import");
        T_HASNT_C(name, xsd, "targetNamespace");
        char *root = arena_printf(&a, "<xs:element name=\"%s\">", d ? d->name : "list");
        T_HAS_C(name, xsd, root);
        arena_free(&a);
    }
    /* the test descriptors too */
    const struct msg_desc *own[] = {&tf_msg_desc, &tf_small_desc, &tf_line_desc};
    for (size_t i = 0; i < T_NELEM(own); i++) {
        struct arena a;
        arena_init(&a, 0);
        char *xsd = xsd_text(own[i], &a);
        xmlSchemaPtr s = xsd_load(xsd);
        t_record(s != NULL, __FILE__, __LINE__, "%s: not an XML Schema: %s\n%s", own[i]->name,
                 xsd_errors, xsd);
        if (s)
            xmlSchemaFree(s);
        arena_free(&a);
    }
}

/* The encoder's XML validates against the XSD of its message: full and empty samples. */
static void xsd_check_samples(const struct msg_desc *d, const char *name)
{
    struct arena a;
    arena_init(&a, 0);
    xmlSchemaPtr s = xsd_load(xsd_text(d, &a));
    t_record(s != NULL, __FILE__, __LINE__, "%s: not an XML Schema: %s", name, xsd_errors);
    if (s) {
        void *full = t_sample(d, &a);
        void *empty = arena_alloc(&a, d->size);
        char *ctx = arena_printf(&a, "%s full sample", name);
        XSD_VALID(ctx, s, t_encode(MSG_XML, d, full, &a));
        ctx = arena_printf(&a, "%s empty sample", name);
        XSD_VALID(ctx, s, t_encode(MSG_XML, d, empty, &a));
        xmlSchemaFree(s);
    }
    arena_free(&a);
}

static void test_xsd_real_samples(void)
{
    for (size_t i = 0; i < msg_nschemas; i++)
        if (msg_schemas[i].desc)
            xsd_check_samples(msg_schemas[i].desc, msg_schemas[i].name);
}

static void test_xsd_own_samples(void)
{
    xsd_check_samples(&tf_msg_desc, "t");
    xsd_check_samples(&tf_small_desc, "small");
    struct arena a;
    struct tf_msg m;
    arena_init(&a, 0);
    xmlSchemaPtr s = xsd_load(xsd_text(&tf_msg_desc, &a));
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    tf_msg_sample(&m, &a);
    XSD_VALID("tf_msg sample", s, t_encode(MSG_XML, &tf_msg_desc, &m, &a));
    /* decoded from a document with absent members */
    struct tf_msg d;
    if (t_expect_ok(MSG_JSON,
                    "{\"name\":\"x\",\"lines\":[{\"line_no\":1,\"qty\":0.5,\"price\":1}]}",
                    SIZE_MAX, &tf_msg_desc, &d, &a, NULL))
        XSD_VALID("tf_msg sparse", s, t_encode(MSG_XML, &tf_msg_desc, &d, &a));
    /* the validator is live: what the schema forbids is refused */
    XSD_INVALID("t", s, "<t><name>x</name><total>1.234</total></t>");
    XSD_INVALID("t", s, "<t><name>x</name><color>purple</color></t>");
    XSD_INVALID("t", s, "<t><name>x</name><day>2023-02-29</day></t>");
    XSD_INVALID("t", s, "<t><name>x</name><active>yes</active></t>");
    XSD_INVALID("t", s, "<t><count>1</count><name>x</name></t>"); /* order */
    XSD_INVALID("t", s, "<t><name>x</name><unknown/></t>");
    XSD_INVALID("t", s, "<t><name>x</name><tags><item>a</item></tags></t>");
    XSD_INVALID("t", s, "<other><name>x</name></other>");
    XSD_VALID("t", s, "<t><name>x</name><attrs><anything>1</anything></attrs></t>");
    xmlSchemaFree(s);
    arena_free(&a);
}

/* The card document of API.md §5, bound and stock, against the card XSD. */
static void test_xsd_card(void)
{
    struct arena a;
    arena_init(&a, 0);
    xmlSchemaPtr s = xsd_load(xsd_text(&msg_card_desc, &a));
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct msg_card_client cl = {17, "Анна", "Иванова", "+7999***4567"};
    struct msg_ref level = {2, "Gold"};
    struct msg_balance bal = {{150000}, {-2550}, {0}};
    struct msg_ref segs[] = {{3, "VIP"}, {5, "Coffee & tea"}};
    struct msg_card card = {.number = "2000000000015", .status = "active", .kind = "virtual",
                            .client = &cl, .level = &level, .balance = &bal,
                            .discount_percent = {550}, .has_discount_percent = true,
                            .segments = segs, .nsegments = 2};
    XSD_VALID("bound card", s, t_encode(MSG_XML, &msg_card_desc, &card, &a));
    struct msg_card stock = {.number = "2000000000022", .status = "replaced",
                             .kind = "physical", .replaced_by = "2000000000039"};
    XSD_VALID("stock card", s, t_encode(MSG_XML, &msg_card_desc, &stock, &a));
    XSD_INVALID("card", s, "<card><number>1</number><status>lost</status></card>");
    XSD_INVALID("card", s, "<card><discount_percent>5.001</discount_percent></card>");
    XSD_INVALID("card", s, "<card><segments><seg><id>1</id></seg></segments></card>");
    XSD_INVALID("card", s, "<card><client><id>x</id></client></card>");
    xmlSchemaFree(s);
    arena_free(&a);
}

static void test_xsd_client(void)
{
    struct arena a;
    arena_init(&a, 0);
    xmlSchemaPtr s = xsd_load(xsd_text(&msg_client_desc, &a));
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct msg_consents cons = {true, false, true};
    struct msg_ref level = {1, "Base"};
    struct msg_balance bal = {{0}, {0}, {1000}};
    struct msg_card_summary cards[] = {{"2000000000015", "active", "virtual"},
                                       {"CARD-7", "blocked", "physical"}};
    char *keys[] = {"vip", "visits"}, *vals[] = {"yes", "12"};
    struct msg_kv attrs = {2, keys, vals};
    struct msg_client c = {.id = 5, .external_id = "ERP-1", .phone = "+79991234567",
                           .email = "ann@example.com", .first_name = "Анна",
                           .birth_date = "1990-05-17", .gender = "female", .consents = &cons,
                           .level = &level, .referral_code = "ABCD2345", .cards = cards,
                           .ncards = 2, .balance = &bal, .attributes = &attrs,
                           .created_at = "2026-11-26T10:15:00+03:00", .source = "pos-1"};
    XSD_VALID("client", s, t_encode(MSG_XML, &msg_client_desc, &c, &a));
    struct msg_client sparse = {.id = 6, .phone = "+79991234568"};
    XSD_VALID("sparse client", s, t_encode(MSG_XML, &msg_client_desc, &sparse, &a));
    XSD_INVALID("client", s, "<client><birth_date>17.05.1990</birth_date></client>");
    XSD_INVALID("client", s, "<client><gender>x</gender></client>");
    xmlSchemaFree(s);
    arena_free(&a);
}

/* codec_xsd_list is a schema and codec_encode_list documents validate against it. */
static void test_xsd_list(void)
{
    struct arena a;
    struct buf b;
    arena_init(&a, 0);
    buf_init(&b);
    xmlSchemaPtr s = xsd_load(xsd_text(NULL, &a));
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    struct msg_card cards[2] = {
        {.number = "2000000000015", .status = "active", .kind = "virtual"},
        {.number = "CARD-7", .status = "blocked", .kind = "physical"},
    };
    codec_encode_list(&b, MSG_XML, &msg_card_desc, cards, 2, "eyJpZCI6N30=");
    XSD_VALID("list of cards", s, buf_str(&b));
    buf_reset(&b);
    codec_encode_list(&b, MSG_XML, &msg_card_desc, cards, 0, NULL);
    XSD_VALID("empty list", s, buf_str(&b));
    buf_reset(&b);
    codec_encode_list(&b, MSG_XML, &tf_msg_desc, t_sample(&tf_msg_desc, &a), 1, "c");
    XSD_VALID("list of tf_msg", s, buf_str(&b));
    XSD_INVALID("list", s, "<list></list>");
    XSD_INVALID("list", s, "<list><items><card/></items></list>");
    XSD_INVALID("list", s, "<items><item/></items>");
    buf_free(&b);
    xmlSchemaFree(s);
    arena_free(&a);
}

int test_codec_xsd_register(void)
{
    static const struct t_case cases[] = {
        {"every served XSD is a self-contained schema", test_xsd_all_parse},
        {"API message samples validate", test_xsd_real_samples},
        {"test message samples validate, and invalid ones do not", test_xsd_own_samples},
        {"card documents validate", test_xsd_card},
        {"client documents validate", test_xsd_client},
        {"list documents validate", test_xsd_list},
        {NULL, NULL},
    };
    return t_register("codec_xsd", cases);
}
