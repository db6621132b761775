/* test_codec_xml.c: the XML side of the codec and the one mapping between JSON and XML
 * (API.md §3, docs/api.md "JSON and XML"): equal structs from equivalent documents, both
 * encoders on the same struct, item names, exact output, errors and paths, malformed
 * documents, DOCTYPE / XXE / billion laughs, depth. */
#include <stdlib.h>

#include "api/messages.h"
#include "check.h"
#include "fixture.h"
#include "tests.h"

/* The XML twin of JSON_FULL in test_codec_json.c, pretty-printed the way 1C writes it. */
#define XML_FULL                                                                                   \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                                 \
    "<t>\n"                                                                                        \
    "  <name>Ann &amp; \"Bob\" &lt;x&gt;</name>\n"                                                 \
    "  <count> -5 </count>\n"                                                                      \
    "  <active>true</active>\n"                                                                    \
    "  <total>129.9</total>\n"                                                                     \
    "  <points>-50.50</points>\n"                                                                  \
    "  <discount>5</discount>\n"                                                                   \
    "  <weight>1.234</weight>\n"                                                                   \
    "  <day>2024-02-29</day>\n"                                                                    \
    "  <at>2026-11-26T10:15:00+03:00</at>\n"                                                       \
    "  <color>\n    green\n  </color>\n"                                                           \
    "  <inner><city>Москва</city><flag>1</flag><n>7</n></inner>\n"                                 \
    "  <lines>\n"                                                                                  \
    "    <line><line_no>1</line_no><sku>A100</sku><qty>2</qty><price>89.9</price></line>\n"        \
    "    <line><line_no>2</line_no><sku>T55</sku><qty> 1.5 </qty><price>820.20</price>"            \
    "<amount>1000</amount></line>\n"                                                               \
    "  </lines>\n"                                                                                 \
    "  <tags><tag>new</tag><tag>sale</tag></tags>\n"                                               \
    "  <attrs><vip>yes</vip><tier>2</tier></attrs>\n"                                              \
    "  <bonus>0.01</bonus>\n"                                                                      \
    "  <ids><id>3</id><id>\n1000000\n</id></ids>\n"                                                \
    "  <slip><text>Thank you!</text><text><![CDATA[2 & <3> \"x\"]]></text></slip>\n"               \
    "</t>\n"

static void test_xml_decode_full(void)
{
    struct arena a;
    struct tf_msg want, got;
    arena_init(&a, 0);
    tf_msg_sample(&want, &a);
    if (t_expect_ok(MSG_XML, XML_FULL, SIZE_MAX, &tf_msg_desc, &got, &a, NULL))
        tf_msg_compare(&got, &want, "xml full");
    arena_free(&a);
}

/* Equivalent JSON and XML documents give equal structs. */
static void test_xml_json_equivalence(void)
{
    static const struct { const char *json, *xml; } pairs[] = {
        {"{\"name\":\"x\"}", "<t><name>x</name></t>"},
        {"{\"name\":\"x\",\"total\":129.9,\"weight\":\"0.5\",\"bonus\":0}",
         "<t><bonus>0.00</bonus><weight>0.500</weight><total>129.90</total><name>x</name></t>"},
        {"{\"name\":\" a \\n b \",\"active\":false,\"inner\":{}}",
         "<t><name> a \n b </name><active>0</active><inner/></t>"},
        {"{\"name\":\"   \"}", "<t><name>   </name></t>"},
        {"{\"name\":\"x\",\"tags\":[],\"ids\":[],\"attrs\":{}}",
         "<t><name>x</name><tags/><ids></ids><attrs/></t>"},
        {"{\"name\":\"x\",\"lines\":[{\"line_no\":3,\"qty\":1,\"price\":0,\"amount\":0}]}",
         "<t><name>x</name><lines><line><price>0</price><qty>1</qty><line_no>3</line_no>"
         "<amount>0</amount></line></lines></t>"},
    };
    struct arena a;
    arena_init(&a, 0);
    for (size_t i = 0; i < T_NELEM(pairs); i++) {
        struct tf_msg j, x;
        if (t_expect_ok(MSG_JSON, pairs[i].json, SIZE_MAX, &tf_msg_desc, &j, &a, NULL) &&
            t_expect_ok(MSG_XML, pairs[i].xml, SIZE_MAX, &tf_msg_desc, &x, &a, NULL))
            tf_msg_compare(&x, &j, pairs[i].xml);
    }
    arena_free(&a);
}

static void test_xml_roundtrip(void)
{
    struct arena a;
    struct tf_msg want, got;
    arena_init(&a, 0);
    tf_msg_sample(&want, &a);
    char *xml = t_encode(MSG_XML, &tf_msg_desc, &want, &a);
    if (t_expect_ok(MSG_XML, xml, SIZE_MAX, &tf_msg_desc, &got, &a, xml)) {
        tf_msg_compare(&got, &want, "xml roundtrip");
        T_STR(t_encode(MSG_XML, &tf_msg_desc, &got, &a), xml);
    }
    /* absent members stay absent through XML */
    struct tf_msg min;
    if (t_expect_ok(MSG_XML, "<t><name>x</name></t>", SIZE_MAX, &tf_msg_desc, &min, &a, NULL)) {
        char *x2 = t_encode(MSG_XML, &tf_msg_desc, &min, &a);
        T_STR(x2, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<t><name>x</name><count>0</count>"
                  "<active>false</active><total>0.00</total><points>0.00</points>"
                  "<discount>0.00</discount><weight>0</weight><lines></lines><tags></tags>"
                  "<ids></ids><slip></slip></t>\n");
    }
    /* optional members that are absent are omitted, and read back as absent */
    struct tf_line line = {4, NULL, {1000}, {100}, {0}, false}, back;
    struct buf b;
    buf_init(&b);
    codec_encode(&b, MSG_XML, &tf_line_desc, &line);
    T_STR(buf_str(&b), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                       "<line><line_no>4</line_no><qty>1</qty><price>1.00</price></line>\n");
    if (t_expect_ok(MSG_XML, buf_str(&b), SIZE_MAX, &tf_line_desc, &back, &a, NULL)) {
        T_TRUE(back.sku == NULL);
        T_TRUE(!back.has_amount);
        T_INT(back.qty.milli, 1000);
    }
    buf_free(&b);
    arena_free(&a);
}

/* JSON → struct → XML → struct → JSON gives the JSON back, and the other way round. */
static void test_xml_json_cross(void)
{
    struct arena a;
    struct tf_msg sample, j, x;
    arena_init(&a, 0);
    tf_msg_sample(&sample, &a);
    char *json = t_encode(MSG_JSON, &tf_msg_desc, &sample, &a);
    char *xml = t_encode(MSG_XML, &tf_msg_desc, &sample, &a);
    if (t_expect_ok(MSG_JSON, json, SIZE_MAX, &tf_msg_desc, &j, &a, json))
        T_STR(t_encode(MSG_XML, &tf_msg_desc, &j, &a), xml);
    if (t_expect_ok(MSG_XML, xml, SIZE_MAX, &tf_msg_desc, &x, &a, xml))
        T_STR(t_encode(MSG_JSON, &tf_msg_desc, &x, &a), json);
    arena_free(&a);
}

/* Every message of the API (msg_schemas[]), filled with sample data, survives both formats:
 * decode(encode(x)) encodes to the same bytes in JSON and in XML, across formats too. */
static void test_xml_real_messages_roundtrip(void)
{
    for (size_t i = 0; i < msg_nschemas; i++) {
        const struct msg_desc *d = msg_schemas[i].desc;
        if (!d)
            continue;
        struct arena a;
        arena_init(&a, 0);
        void *x = t_sample(d, &a);
        void *fromj = arena_alloc(&a, d->size), *fromx = arena_alloc(&a, d->size);
        char *json = t_encode(MSG_JSON, d, x, &a);
        char *xml = t_encode(MSG_XML, d, x, &a);
        if (t_expect_ok(MSG_JSON, json, SIZE_MAX, d, fromj, &a, json)) {
            T_STR_C(msg_schemas[i].name, t_encode(MSG_JSON, d, fromj, &a), json);
            T_STR_C(msg_schemas[i].name, t_encode(MSG_XML, d, fromj, &a), xml);
        }
        if (t_expect_ok(MSG_XML, xml, SIZE_MAX, d, fromx, &a, xml)) {
            T_STR_C(msg_schemas[i].name, t_encode(MSG_XML, d, fromx, &a), xml);
            T_STR_C(msg_schemas[i].name, t_encode(MSG_JSON, d, fromx, &a), json);
        }
        arena_free(&a);
    }
}

static void test_xml_encode_exact(void)
{
    struct arena a;
    arena_init(&a, 0);
    char *tags[] = {"x", "y\"z"};
    struct tf_line lines[] = {{1, NULL, {2000}, {5}, {0}, false},
                              {2, "S-2", {375}, {123456}, {46296}, true}};
    struct tf_small s = {.id = 7, .name = "A \"q\" & <b>\n", .total = {12990}, .qty = {1500},
                         .ok = true, .balance = {-50}, .pct = {500}, .tags = tags, .ntags = 2,
                         .lines = lines, .nlines = 2};
    T_STR(t_encode(MSG_XML, &tf_small_desc, &s, &a),
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<small><id>7</id><name>A &quot;q&quot; &amp; &lt;b&gt;\n</name><total>129.90</total>"
          "<qty>1.5</qty><ok>true</ok><balance>-0.50</balance><pct>5.00</pct>"
          "<tags><tag>x</tag><tag>y&quot;z</tag></tags>"
          "<lines><line><line_no>1</line_no><qty>2</qty><price>0.05</price></line>"
          "<line><line_no>2</line_no><sku>S-2</sku><qty>0.375</qty><price>1234.56</price>"
          "<amount>462.96</amount></line></lines></small>\n");
    struct tf_small e = {.id = 1, .note = "", .opt = {0}, .has_opt = true, .ok = false};
    T_STR(t_encode(MSG_XML, &tf_small_desc, &e, &a),
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<small><id>1</id><total>0.00</total><qty>0</qty><ok>false</ok><note></note>"
          "<opt>0.00</opt><balance>0.00</balance><pct>0.00</pct><tags></tags><lines></lines>"
          "</small>\n");
    arena_free(&a);
}

static void test_xml_encode_list(void)
{
    struct buf b;
    buf_init(&b);
    struct tf_line lines[] = {{1, "A", {1000}, {100}, {0}, false},
                              {2, NULL, {500}, {250}, {125}, true}};
    codec_encode_list(&b, MSG_XML, &tf_line_desc, lines, 2, "c2\"x");
    T_STR(buf_str(&b),
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<list><items><item><line_no>1</line_no><sku>A</sku><qty>1</qty><price>1.00</price>"
          "</item><item><line_no>2</line_no><qty>0.5</qty><price>2.50</price>"
          "<amount>1.25</amount></item></items><next_cursor>c2&quot;x</next_cursor></list>\n");
    buf_reset(&b);
    codec_encode_list(&b, MSG_XML, &tf_line_desc, NULL, 0, NULL);
    T_STR(buf_str(&b),
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<list><items></items></list>\n");
    buf_free(&b);
}

/* API.md §3: lines/line, items/item, cards/card, promotions/promotion, promo_codes/promo_code,
 * gift_certificates/gift_certificate, slip/text, segments/segment, errors/error; xs → x. */
static void test_xml_item_names(void)
{
    static const struct { const char *name, *item; } rows[] = {
        {"lines", "line"}, {"items", "item"}, {"cards", "card"}, {"promotions", "promotion"},
        {"promo_codes", "promo_code"}, {"gift_certificates", "gift_certificate"},
        {"slip", "text"}, {"segments", "segment"}, {"errors", "error"},
        {"categories", "category"}, {"refunds", "refund"}, {"tags", "tag"},
        {"excluded_product_segments", "excluded_product_segment"}, {"ids", "id"},
    };
    for (size_t i = 0; i < T_NELEM(rows); i++) {
        struct msg_field f = {.name = rows[i].name, .type = MSG_ARRAY};
        char tmp[64];
        T_STR_C(rows[i].name, codec_item_name(&f, tmp, sizeof(tmp)), rows[i].item);
    }
    struct msg_field explicit = {.name = "lines", .type = MSG_ARRAY, .item = "row"};
    char tmp[64];
    T_STR(codec_item_name(&explicit, tmp, sizeof(tmp)), "row");

    /* in the documents themselves: the purchase and the test message */
    struct arena a;
    arena_init(&a, 0);
    char *p = t_encode(MSG_XML, &msg_purchase_desc, t_sample(&msg_purchase_desc, &a), &a);
    static const char *const purchase_items[] = {
        "<lines><line><line_no>", "<promotions><promotion><id>",
        "<promo_codes><promo_code><code>", "<gift_certificates><gift_certificate><code>",
        "<refunds><refund>", "<slip><text>",
    };
    for (size_t i = 0; i < T_NELEM(purchase_items); i++)
        T_HAS_C("purchase", p, purchase_items[i]);
    struct tf_msg m;
    tf_msg_sample(&m, &a);
    char *x = t_encode(MSG_XML, &tf_msg_desc, &m, &a);
    T_HAS(x, "<tags><tag>new</tag><tag>sale</tag></tags>");
    T_HAS(x, "<ids><id>3</id><id>1000000</id></ids>");
    T_HAS(x, "<slip><text>Thank you!</text><text>2 &amp; &lt;3&gt; &quot;x&quot;</text></slip>");
    T_HAS(x, "<attrs><vip>yes</vip><tier>2</tier></attrs>");
    arena_free(&a);
}

/* The card document of API.md §5, in both formats. */
static void test_xml_card_exact(void)
{
    struct arena a;
    arena_init(&a, 0);
    struct msg_card_client cl = {17, "Анна", "Иванова", "+7999***4567"};
    struct msg_ref level = {2, "Gold"};
    struct msg_balance bal = {{150000}, {2550}, {0}};
    struct msg_ref segs[] = {{3, "VIP"}, {5, "Coffee & tea"}};
    struct msg_card card = {.number = "2000000000015", .status = "active", .kind = "virtual",
                            .client = &cl, .level = &level, .balance = &bal,
                            .discount_percent = {500}, .has_discount_percent = true,
                            .segments = segs, .nsegments = 2};
    T_STR(t_encode(MSG_JSON, &msg_card_desc, &card, &a),
          "{\"number\":\"2000000000015\",\"status\":\"active\",\"kind\":\"virtual\","
          "\"replaced_by\":null,\"client\":{\"id\":17,\"first_name\":\"Анна\","
          "\"last_name\":\"Иванова\",\"phone_masked\":\"+7999***4567\"},"
          "\"level\":{\"id\":2,\"name\":\"Gold\"},"
          "\"balance\":{\"available\":1500.00,\"pending\":25.50,\"debt\":0.00},"
          "\"discount_percent\":5.00,"
          "\"segments\":[{\"id\":3,\"name\":\"VIP\"},{\"id\":5,\"name\":\"Coffee & tea\"}]}");
    T_STR(t_encode(MSG_XML, &msg_card_desc, &card, &a),
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<card><number>2000000000015</number><status>active</status><kind>virtual</kind>"
          "<client><id>17</id><first_name>Анна</first_name><last_name>Иванова</last_name>"
          "<phone_masked>+7999***4567</phone_masked></client>"
          "<level><id>2</id><name>Gold</name></level>"
          "<balance><available>1500.00</available><pending>25.50</pending><debt>0.00</debt>"
          "</balance><discount_percent>5.00</discount_percent>"
          "<segments><segment><id>3</id><name>VIP</name></segment>"
          "<segment><id>5</id><name>Coffee &amp; tea</name></segment></segments></card>\n");

    /* an unbound stock card: nulls in JSON, omitted in XML, [] and an empty container */
    struct msg_card stock = {.number = "2000000000022", .status = "inactive",
                             .kind = "physical"};
    T_STR(t_encode(MSG_JSON, &msg_card_desc, &stock, &a),
          "{\"number\":\"2000000000022\",\"status\":\"inactive\",\"kind\":\"physical\","
          "\"replaced_by\":null,\"client\":null,\"level\":null,\"balance\":null,"
          "\"discount_percent\":null,\"segments\":[]}");
    T_STR(t_encode(MSG_XML, &msg_card_desc, &stock, &a),
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<card><number>2000000000022</number><status>inactive</status><kind>physical</kind>"
          "<segments></segments></card>\n");
    arena_free(&a);
}

/* The client document: cards/card, attributes as elements named by their keys. */
static void test_xml_client_encode(void)
{
    struct arena a;
    arena_init(&a, 0);
    struct msg_consents cons = {true, false, true};
    struct msg_card_summary cards[] = {{"2000000000015", "active", "virtual"},
                                       {"CARD-7", "blocked", "physical"}};
    char *keys[] = {"vip", "visits"}, *vals[] = {"yes & no", "12"};
    struct msg_kv attrs = {2, keys, vals};
    struct msg_client c = {.id = 5, .phone = "+79991234567", .first_name = "Анна",
                           .birth_date = "1990-05-17", .gender = "female", .consents = &cons,
                           .cards = cards, .ncards = 2, .attributes = &attrs,
                           .created_at = "2026-11-26T10:15:00+03:00"};
    char *json = t_encode(MSG_JSON, &msg_client_desc, &c, &a);
    char *xml = t_encode(MSG_XML, &msg_client_desc, &c, &a);
    T_HAS(json, "\"consents\":{\"sms\":true,\"email\":false,\"push\":true}");
    T_HAS(json, "\"cards\":[{\"number\":\"2000000000015\",\"status\":\"active\","
                "\"kind\":\"virtual\"},{\"number\":\"CARD-7\",\"status\":\"blocked\","
                "\"kind\":\"physical\"}]");
    T_HAS(json, "\"attributes\":{\"vip\":\"yes & no\",\"visits\":\"12\"}");
    T_HAS(json, "\"email\":null");
    T_HAS(json, "\"level\":null");
    T_HAS(xml, "<cards><card><number>2000000000015</number><status>active</status>"
               "<kind>virtual</kind></card><card><number>CARD-7</number>");
    T_HAS(xml, "<attributes><vip>yes &amp; no</vip><visits>12</visits></attributes>");
    T_HAS(xml, "<consents><sms>true</sms><email>false</email><push>true</push></consents>");
    T_HAS(xml, "<client><id>5</id><phone>+79991234567</phone><first_name>");  /* no <email> */
    T_HASNT(xml, "<level>");
    T_HASNT(xml, "null");
    arena_free(&a);
}

/* The real client input: the same request in JSON and XML decodes to the same struct. */
static void test_xml_client_input_equivalence(void)
{
    static const char json[] =
        "{\"phone\":\"+7 999 123-45-67\",\"email\":\"ann@example.com\",\"first_name\":\"Анна\","
        "\"birth_date\":\"1990-05-17\",\"gender\":\"female\","
        "\"consents\":{\"sms\":true,\"email\":false,\"push\":false},\"issue_virtual_card\":true,"
        "\"external_id\":\"ERP-1\",\"attributes\":{\"vip\":\"yes\",\"visits\":12}}";
    static const char xml[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<client>\n"
        "  <phone>+7 999 123-45-67</phone>\n"
        "  <email>ann@example.com</email>\n"
        "  <first_name>Анна</first_name>\n"
        "  <birth_date> 1990-05-17 </birth_date>\n"
        "  <gender>female</gender>\n"
        "  <consents><sms>true</sms><email>0</email><push>false</push></consents>\n"
        "  <issue_virtual_card>1</issue_virtual_card>\n"
        "  <external_id>ERP-1</external_id>\n"
        "  <attributes><vip>yes</vip><visits>12</visits></attributes>\n"
        "</client>\n";
    struct arena a;
    struct msg_client_input j, x;
    arena_init(&a, 0);
    if (t_expect_ok(MSG_JSON, json, SIZE_MAX, &msg_client_input_desc, &j, &a, NULL) &&
        t_expect_ok(MSG_XML, xml, SIZE_MAX, &msg_client_input_desc, &x, &a, NULL)) {
        T_STR(x.phone, j.phone);
        T_STR(x.email, j.email);
        T_STR(x.first_name, j.first_name);
        T_STR(x.last_name, j.last_name);
        T_STR(x.middle_name, j.middle_name);
        T_STR(x.birth_date, j.birth_date);
        T_STR(x.gender, j.gender);
        T_TRUE(x.consents && j.consents);
        if (x.consents && j.consents) {
            T_INT(x.consents->sms, j.consents->sms);
            T_INT(x.consents->email, j.consents->email);
            T_INT(x.consents->push, j.consents->push);
        }
        T_STR(x.card_number, j.card_number);
        T_INT(x.issue_virtual_card, j.issue_virtual_card);
        T_INT(x.issue_virtual_card, true);
        T_STR(x.referral_code, j.referral_code);
        T_STR(x.external_id, j.external_id);
        T_TRUE(x.attributes && j.attributes && x.attributes->n == j.attributes->n);
        for (size_t i = 0; x.attributes && j.attributes && i < x.attributes->n &&
                           i < j.attributes->n;
             i++) {
            T_STR(x.attributes->keys[i], j.attributes->keys[i]);
            T_STR(x.attributes->vals[i], j.attributes->vals[i]);
        }
        /* and both encode to the same bytes */
        T_STR(t_encode(MSG_JSON, &msg_client_input_desc, &x, &a),
              t_encode(MSG_JSON, &msg_client_input_desc, &j, &a));
    }
    arena_free(&a);
}

/* docs/api.md: strings verbatim, other scalars trimmed, booleans 1/0, root name free,
 * namespaces ignored (local names), attributes and unknown elements ignored, last one wins. */
static void test_xml_reading_rules(void)
{
    struct arena a;
    struct tf_msg m;
    arena_init(&a, 0);
    if (t_expect_ok(MSG_XML, "<t><name> x </name><count>\t7\n</count><active> 1 </active></t>",
                    SIZE_MAX, &tf_msg_desc, &m, &a, NULL)) {
        T_STR(m.name, " x ");
        T_INT(m.count, 7);
        T_INT(m.active, true);
    }
    if (t_expect_ok(MSG_XML, "<anything_else><name>x</name></anything_else>", SIZE_MAX,
                    &tf_msg_desc, &m, &a, NULL))
        T_STR(m.name, "x");
    if (t_expect_ok(MSG_XML, "<t xmlns=\"urn:x\"><name>x</name></t>", SIZE_MAX, &tf_msg_desc,
                    &m, &a, NULL))
        T_STR(m.name, "x");
    if (t_expect_ok(MSG_XML, "<p:t xmlns:p=\"urn:x\"><p:name>y</p:name></p:t>", SIZE_MAX,
                    &tf_msg_desc, &m, &a, NULL))
        T_STR(m.name, "y");
    if (t_expect_ok(MSG_XML,
                    "<t version=\"2\"><zz><deep><er/></deep></zz><name lang=\"ru\">x</name>"
                    "<?pi data?><!-- comment --><Name>no</Name></t>",
                    SIZE_MAX, &tf_msg_desc, &m, &a, NULL))
        T_STR(m.name, "x");
    if (t_expect_ok(MSG_XML, "<t><name>first</name><name>last</name></t>", SIZE_MAX,
                    &tf_msg_desc, &m, &a, NULL))
        T_STR(m.name, "last");
    if (t_expect_ok(MSG_XML, "<t><name>A&amp;B&#67;&#x44;&lt;&gt;&quot;&apos;</name></t>",
                    SIZE_MAX, &tf_msg_desc, &m, &a, NULL))
        T_STR(m.name, "A&BCD<>\"'");
    if (t_expect_ok(MSG_XML, "<t><name>An<!-- c -->n</name></t>", SIZE_MAX, &tf_msg_desc, &m,
                    &a, NULL))
        T_STR(m.name, "Ann");
    if (t_expect_ok(MSG_XML, "<t><name><![CDATA[<b>&amp;</b>]]></name></t>", SIZE_MAX,
                    &tf_msg_desc, &m, &a, NULL))
        T_STR(m.name, "<b>&amp;</b>");
    if (t_expect_ok(MSG_XML, "<t><name>a\tb\nc</name></t>", SIZE_MAX, &tf_msg_desc, &m, &a,
                    NULL))
        T_STR(m.name, "a\tb\nc");
    /* a UTF-8 byte order mark, as 1C writes it */
    if (t_expect_ok(MSG_XML,
                    "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-8\"?><t><name>Я</name></t>",
                    SIZE_MAX, &tf_msg_desc, &m, &a, NULL))
        T_STR(m.name, "Я");
    if (t_expect_ok(MSG_XML, "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>"
                             "<t><name>x</name><inner/></t>",
                    SIZE_MAX, &tf_msg_desc, &m, &a, NULL)) {
        T_TRUE(m.inner != NULL);
        T_TRUE(m.inner && m.inner->city == NULL && m.inner->n == 0);
    }
    arena_free(&a);
}

struct xml_err_row {
    const char *body;   /* request body */
    const char *code;   /* expected error code */
    const char *field;  /* expected dotted path */
};

#define XL_OK "<line><line_no>1</line_no><qty>1</qty><price>1</price></line>"

static const struct xml_err_row xml_err_rows[] = {
    {"<t/>", "missing_field", "name"},
    {"<t><count>1</count></t>", "missing_field", "name"},
    {"<t><name>x</name><lines>" XL_OK "<line><line_no>2</line_no><price>1</price></line>"
     "</lines></t>",
     "missing_field", "lines.2.qty"},
    {"<t><name>x</name><lines><line><qty>1</qty><price>1</price></line></lines></t>",
     "missing_field", "lines.1.line_no"},
    /* structure where a scalar belongs */
    {"<t><name><b>x</b></name></t>", "invalid_field", "name"},
    {"<t><name>x</name><total><v>1</v></total></t>", "invalid_field", "total"},
    {"<t><name>x</name><tags><tag><b/></tag></tags></t>", "invalid_field", "tags.1"},
    {"<t><name>x</name><attrs><a><b/></a></attrs></t>", "invalid_field", "attrs"},
    /* scalars */
    {"<t><name></name></t>", "invalid_field", "name"},
    {"<t><name/></t>", "invalid_field", "name"},
    {"<t><name>123456789012345678901</name></t>", "invalid_field", "name"},
    {"<t><name>x</name><count>5.0</count></t>", "invalid_field", "count"},
    {"<t><name>x</name><count></count></t>", "invalid_field", "count"},
    {"<t><name>x</name><count>0x10</count></t>", "invalid_field", "count"},
    {"<t><name>x</name><count>101</count></t>", "invalid_field", "count"},
    {"<t><name>x</name><active>yes</active></t>", "invalid_field", "active"},
    {"<t><name>x</name><active/></t>", "invalid_field", "active"},
    {"<t><name>x</name><active>TRUE</active></t>", "invalid_field", "active"},
    {"<t><name>x</name><total>1.234</total></t>", "invalid_field", "total"},
    {"<t><name>x</name><total>-1</total></t>", "invalid_field", "total"},
    {"<t><name>x</name><total>1e2</total></t>", "invalid_field", "total"},
    {"<t><name>x</name><total>1,50</total></t>", "invalid_field", "total"},
    {"<t><name>x</name><total></total></t>", "invalid_field", "total"},
    {"<t><name>x</name><total>99999999999999999999</total></t>", "invalid_field", "total"},
    {"<t><name>x</name><bonus>0.001</bonus></t>", "invalid_field", "bonus"},
    {"<t><name>x</name><discount>100.01</discount></t>", "invalid_field", "discount"},
    {"<t><name>x</name><color>purple</color></t>", "invalid_field", "color"},
    {"<t><name>x</name><day>2023-02-29</day></t>", "invalid_field", "day"},
    {"<t><name>x</name><at>2026-11-26T10:15:00</at></t>", "invalid_field", "at"},
    {"<t><name>x</name><inner><flag>yes</flag></inner></t>", "invalid_field", "inner.flag"},
    {"<t><name>x</name><inner><n>0</n></inner></t>", "invalid_field", "inner.n"},
    {"<t><name>a&#13;b</name></t>", "invalid_field", "name"},
    /* arrays */
    {"<t><name>x</name><lines/></t>", "invalid_field", "lines"},
    {"<t><name>x</name><lines>" XL_OK XL_OK XL_OK XL_OK XL_OK XL_OK "</lines></t>",
     "invalid_field", "lines"},
    {"<t><name>x</name><tags><tag>a</tag><tag>b</tag><tag>c</tag><tag>d</tag></tags></t>",
     "invalid_field", "tags"},
    {"<t><name>x</name><lines>" XL_OK "<line><line_no>2</line_no><qty>0.0001</qty>"
     "<price>1</price></line></lines></t>",
     "invalid_field", "lines.2.qty"},
    {"<t><name>x</name><lines>" XL_OK "<line><line_no>2</line_no><qty>1</qty>"
     "<price>1</price><amount>0.999</amount></line></lines></t>",
     "invalid_field", "lines.2.amount"},
    {"<t><name>x</name><ids><id>1</id><id>x</id></ids></t>", "invalid_field", "ids.2"},
    {"<t><name>x</name><ids><id>1</id><id>0</id></ids></t>", "invalid_field", "ids.2"},
    {"<t><name>x</name><attrs><k1234567890123456789012345678901234567890123456789012345678901234"
     ">v</k1234567890123456789012345678901234567890123456789012345678901234></attrs></t>",
     "invalid_field", "attrs"},
};

static void test_xml_errors(void)
{
    for (size_t i = 0; i < T_NELEM(xml_err_rows); i++)
        t_expect_error(MSG_XML, xml_err_rows[i].body, SIZE_MAX, &tf_msg_desc,
                       xml_err_rows[i].code, xml_err_rows[i].field, NULL);
    /* the contract's example path on the real purchase input */
    t_expect_error(MSG_XML,
                   "<purchase><lines><line><line_no>1</line_no><qty>1</qty><price>10</price>"
                   "</line><line><line_no>2</line_no><price>5</price></line></lines></purchase>",
                   SIZE_MAX, &msg_purchase_in_desc, "missing_field", "lines.2.qty", NULL);
    t_expect_error(MSG_XML, "<client><consents><sms>yes</sms></consents></client>", SIZE_MAX,
                   &msg_client_input_desc, "invalid_field", "consents.sms", NULL);
    t_expect_error(MSG_XML, "<client><gender>other</gender></client>", SIZE_MAX,
                   &msg_client_input_desc, "invalid_field", "gender", NULL);
}

static const char *const xml_malformed[] = {
    " ",
    "\n",
    "not xml",
    "{\"name\":\"x\"}",
    "<",
    "<t>",
    "<t><name>x</name>",
    "<t><name>x</t></name>",
    "<t></t><t></t>",
    "<t><name>x</name></t>junk",
    "<t><name>x</name></t><",
    "<t>&xxe;</t>",
    "<t><name>&unknown;</name></t>",
    "<t><name>a & b</name></t>",
    "<t><name>a < b</name></t>",
    "<t a='1' a='2'/>",
    "<1t/>",
    "<t><name>x</NAME></t>",
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- only a comment -->",
    "<t><name>\xff</name></t>",                 /* invalid UTF-8 */
    "<t><name>\xc3\x28</name></t>",
    "<t><name>\xc0\xaf</name></t>",
    "<t><name>\xed\xa0\x80</name></t>",
    "<t><name>a\x01" "b</name></t>",            /* raw control character */
    "<t><name>a&#1;b</name></t>",               /* not an XML 1.0 character */
    "<t><name>a&#0;b</name></t>",
    "<t><name>x</name></t><!DOCTYPE t>",
};

static void test_xml_malformed(void)
{
    for (size_t i = 0; i < T_NELEM(xml_malformed); i++)
        t_expect_error(MSG_XML, xml_malformed[i], SIZE_MAX, &tf_msg_desc, "malformed_body", "",
                       NULL);
    t_expect_error(MSG_XML, "", 0, &tf_msg_desc, "malformed_body", "", "empty body");
    static const char nul_inside[] = "<t><name>a\0b</name></t>";
    t_expect_error(MSG_XML, nul_inside, sizeof(nul_inside) - 1, &tf_msg_desc, "malformed_body",
                   "", "NUL inside");
    t_expect_error(MSG_XML, "<t><name>x</name></t>", 16, &tf_msg_desc, "malformed_body", "",
                   "cut by len");
}

/* Every proper prefix of a valid document is a truncated body: malformed_body. */
static void test_xml_truncated(void)
{
    size_t len = strlen(XML_FULL) - 1; /* without the final newline the document is complete */
    for (size_t n = 1; n < len; n++) {
        char ctx[64];
        snprintf(ctx, sizeof(ctx), "XML_FULL cut to %zu bytes", n);
        t_expect_error(MSG_XML, XML_FULL, n, &tf_msg_desc, "malformed_body", "", ctx);
    }
}

/* DOCTYPE in any form is refused before parsing: no DTD, no entity, no file read. */
static void test_xml_doctype(void)
{
    static const char *const bodies[] = {
        /* XXE: an external entity reading a local file */
        "<?xml version=\"1.0\"?>\n<!DOCTYPE t [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n"
        "<t><name>&e;</name></t>",
        "<!DOCTYPE t [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><t><name>&e;</name></t>",
        /* the same in lower case, after a comment, with a parameter entity */
        "<!doctype t [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><t><name>&e;</name></t>",
        "<!-- hi --><!DOCTYPE t [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
        "<t><name>&e;</name></t>",
        "<!DOCTYPE t [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]><t><name>x</name></t>",
        /* external DTD over the network */
        "<!DOCTYPE t SYSTEM \"http://127.0.0.1:9/evil.dtd\"><t><name>x</name></t>",
        "<!DOCTYPE t PUBLIC \"-//X//Y\" \"http://127.0.0.1:9/evil.dtd\"><t><name>x</name></t>",
        /* billion laughs */
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
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
        "]>\n<t><name>&lol9;</name></t>",
        /* quadratic blowup with an internal entity */
        "<!DOCTYPE t [<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">]>"
        "<t><name>&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;</name></t>",
        /* an internal subset with no entity at all */
        "<!DOCTYPE t []><t><name>x</name></t>",
    };
    for (size_t i = 0; i < T_NELEM(bodies); i++) {
        struct arena a;
        struct tf_msg m;
        struct msg_error err;
        arena_init(&a, 0);
        bool ok = t_decode(MSG_XML, bodies[i], SIZE_MAX, &tf_msg_desc, &m, &a, &err);
        T_TRUE_C(bodies[i], !ok);
        T_STR_C(bodies[i], err.code, "malformed_body");
        T_HASNT_C(bodies[i], err.message, "root:");
        T_TRUE_C(bodies[i], !m.name || !strstr(m.name, "root:"));
        arena_free(&a);
    }
}

/* The same XXE document in UTF-16 (with a BOM) must not slip past the DOCTYPE check. */
static void test_xml_doctype_utf16(void)
{
    static const char src[] =
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE t [<!ENTITY e SYSTEM "
        "\"file:///etc/passwd\">]><t><name>&e;</name></t>";
    for (int be = 0; be <= 1; be++) {
        size_t n = strlen(src);
        char *u16 = malloc(2 * n + 2);
        if (!u16)
            abort();
        u16[0] = be ? '\xfe' : '\xff';
        u16[1] = be ? '\xff' : '\xfe';
        for (size_t i = 0; i < n; i++) {
            u16[2 + 2 * i + (be ? 1 : 0)] = src[i];
            u16[2 + 2 * i + (be ? 0 : 1)] = '\0';
        }
        struct arena a;
        struct tf_msg m;
        struct msg_error err;
        arena_init(&a, 0);
        bool ok = t_decode(MSG_XML, u16, 2 * n + 2, &tf_msg_desc, &m, &a, &err);
        const char *ctx = be ? "UTF-16BE XXE" : "UTF-16LE XXE";
        T_TRUE_C(ctx, !ok);
        T_STR_C(ctx, err.code, "malformed_body");
        T_TRUE_C(ctx, !m.name || !strstr(m.name, "root:"));
        arena_free(&a);
        free(u16);
    }
}

/* XInclude is not processed: an include element is just an (unknown or misplaced) element. */
static void test_xml_xinclude(void)
{
    struct arena a;
    struct tf_msg m;
    arena_init(&a, 0);
    t_expect_error(MSG_XML,
                   "<t xmlns:xi=\"http://www.w3.org/2001/XInclude\"><name><xi:include "
                   "href=\"file:///etc/passwd\" parse=\"text\"/></name></t>",
                   SIZE_MAX, &tf_msg_desc, "invalid_field", "name", NULL);
    if (t_expect_ok(MSG_XML,
                    "<t xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include "
                    "href=\"file:///etc/passwd\" parse=\"text\"/><name>x</name></t>",
                    SIZE_MAX, &tf_msg_desc, &m, &a, NULL))
        T_STR(m.name, "x");
    arena_free(&a);
}

/* Map values from XML are checked like JSON ones: control characters, length. */
static void test_xml_kv_value_rules(void)
{
    struct arena a;
    struct tf_msg m;
    arena_init(&a, 0);
    t_expect_error(MSG_XML, "<t><name>x</name><attrs><k>a&#13;b</k></attrs></t>", SIZE_MAX,
                   &tf_msg_desc, "invalid_field", "attrs.k", NULL);
    char *v1000 = arena_printf(&a, "<t><name>x</name><attrs><k>%s</k></attrs></t>",
                               t_repeat(&a, "v", 1000));
    char *v1001 = arena_printf(&a, "<t><name>x</name><attrs><k>%s</k></attrs></t>",
                               t_repeat(&a, "v", 1001));
    t_expect_ok(MSG_XML, v1000, SIZE_MAX, &tf_msg_desc, &m, &a, "1000-character value");
    t_expect_error(MSG_XML, v1001, SIZE_MAX, &tf_msg_desc, "invalid_field", "attrs.k",
                   "1001-character value");
    /* at most 100 members */
    struct buf b;
    buf_init(&b);
    buf_adds(&b, "<t><name>x</name><attrs>");
    for (int i = 0; i < 101; i++)
        buf_printf(&b, "<k%d>v</k%d>", i, i);
    buf_adds(&b, "</attrs></t>");
    t_expect_error(MSG_XML, buf_str(&b), SIZE_MAX, &tf_msg_desc, "invalid_field", "attrs",
                   "101 members");
    buf_free(&b);
    arena_free(&a);
}

/* One mapping: whatever a JSON request is accepted with can be written back as well-formed
 * XML (the client may read the answer as XML) and decoded from it to the same value. */
static void test_xml_carries_what_json_accepts(void)
{
    static const struct { const char *lit, *what; } names[] = {
        {"\\uFFFE", "\\uFFFE"}, {"\\uFFFF", "\\uFFFF"}, {"\\ud800", "lone \\ud800"},
        {"\\udc00x", "lone \\udc00"}, {"x\\ud83d", "cut pair"}, {"\\u0085", "\\u0085"},
        {"\\u007f", "\\u007f"}, {"\\u2028", "\\u2028"}, {"\\ud83d\\ude00", "pair"},
        {"\xc0\xaf", "raw overlong C0 AF"}, {"\xed\xa0\x80", "raw surrogate ED A0 80"},
        {"\xf4\x90\x80\x80", "raw U+110000"}, {"\xef\xbf\xbe", "raw U+FFFE"},
    };
    for (size_t i = 0; i < T_NELEM(names); i++) {
        struct arena a;
        struct tf_small j, x;
        struct msg_error err;
        arena_init(&a, 0);
        char *body = arena_printf(&a, "{\"name\":\"%s\"}", names[i].lit);
        if (t_decode(MSG_JSON, body, SIZE_MAX, &tf_small_desc, &j, &a, &err)) {
            j.id = 1; /* ids are positive */
            char *xml = t_encode(MSG_XML, &tf_small_desc, &j, &a);
            char *ctx = arena_printf(&a, "JSON name %s accepted, XML written", names[i].what);
            if (t_expect_ok(MSG_XML, xml, SIZE_MAX, &tf_small_desc, &x, &a, ctx))
                T_STR_C(ctx, x.name, j.name);
        }
        arena_free(&a);
    }
}

/* docs/api.md: XML at most 32 levels deep, like JSON; 20,000 levels refused without a crash. */
static void test_xml_depth(void)
{
    struct arena a;
    struct tf_msg m;
    arena_init(&a, 0);
    char *ok20 = arena_printf(&a, "<t><name>x</name><u>%s1%s</u></t>", t_repeat(&a, "<a>", 18),
                              t_repeat(&a, "</a>", 18));
    t_expect_ok(MSG_XML, ok20, SIZE_MAX, &tf_msg_desc, &m, &a, "20 levels");
    char *deep = arena_printf(&a, "<t><name>x</name>%s%s</t>", t_repeat(&a, "<a>", 20000),
                              t_repeat(&a, "</a>", 20000));
    t_expect_error(MSG_XML, deep, SIZE_MAX, &tf_msg_desc, "malformed_body", "", "20000 x <a>");
    char *open = arena_printf(&a, "<t>%s", t_repeat(&a, "<a>", 20000));
    t_expect_error(MSG_XML, open, SIZE_MAX, &tf_msg_desc, "malformed_body", "",
                   "20000 x <a> unclosed");
    char *deep40 = arena_printf(&a, "<t><name>x</name><u>%s1%s</u></t>",
                                t_repeat(&a, "<a>", 40), t_repeat(&a, "</a>", 40));
    t_expect_error(MSG_XML, deep40, SIZE_MAX, &tf_msg_desc, "malformed_body", "", "42 levels");
    arena_free(&a);
}

int test_codec_xml_register(void)
{
    static const struct t_case cases[] = {
        {"decode a full document", test_xml_decode_full},
        {"equivalent JSON and XML give equal structs", test_xml_json_equivalence},
        {"encode then decode", test_xml_roundtrip},
        {"JSON to XML to JSON", test_xml_json_cross},
        {"every API message survives both formats", test_xml_real_messages_roundtrip},
        {"exact encoder output", test_xml_encode_exact},
        {"exact list output", test_xml_encode_list},
        {"array item names", test_xml_item_names},
        {"card document in both formats", test_xml_card_exact},
        {"client document", test_xml_client_encode},
        {"client input in both formats", test_xml_client_input_equivalence},
        {"reading rules", test_xml_reading_rules},
        {"invalid_field and missing_field with paths", test_xml_errors},
        {"malformed documents", test_xml_malformed},
        {"every truncation is malformed", test_xml_truncated},
        {"DOCTYPE, XXE, billion laughs", test_xml_doctype},
        {"UTF-16 XXE", test_xml_doctype_utf16},
        {"XInclude is not processed", test_xml_xinclude},
        {"map values are checked like strings", test_xml_kv_value_rules},
        {"XML carries whatever JSON accepts", test_xml_carries_what_json_accepts},
        {"nesting depth", test_xml_depth},
        {NULL, NULL},
    };
    return t_register("codec_xml", cases);
}
