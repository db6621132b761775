/* compare.c: the JSON ↔ XML comparator of API.md §3, written from the contract (not from
 * the server's codec): it walks the json-c tree and the libxml2 tree side by side. */
#include "compare.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *plural, *singular;
} jx_irregular[] = {
    {"lines", "line"},       {"items", "item"},
    {"cards", "card"},       {"promotions", "promotion"},
    {"promo_codes", "promo_code"}, {"gift_certificates", "gift_certificate"},
    {"slip", "text"},        {"segments", "segment"},
    {"errors", "error"},
};

const char *jx_singular(const char *plural, char *tmp, size_t n)
{
    for (size_t i = 0; i < sizeof(jx_irregular) / sizeof(jx_irregular[0]); i++)
        if (strcmp(jx_irregular[i].plural, plural) == 0)
            return jx_irregular[i].singular;
    size_t len = strlen(plural);
    if (len > 1 && plural[len - 1] == 's') {
        snprintf(tmp, n, "%.*s", (int)(len - 1), plural);
        return tmp;
    }
    return "item";
}

static bool jx_fail(char *why, size_t n, const char *path, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(why, n, "at %s: %s", *path ? path : "(root)", msg);
    return false;
}

static xmlNode *jx_next_element(xmlNode *c)
{
    while (c && c->type != XML_ELEMENT_NODE)
        c = c->next;
    return c;
}

/* An element that stands for an object or array holds only elements (and blank text). */
static bool jx_only_elements(xmlNode *x)
{
    for (xmlNode *c = x->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE)
            continue;
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            for (const xmlChar *p = c->content; p && *p; p++)
                if (!strchr(" \t\r\n", *p))
                    return false;
            continue;
        }
        if (c->type == XML_COMMENT_NODE)
            continue;
        return false;
    }
    return true;
}

static bool jx_value(json_object *j, xmlNode *x, const char *name, char *path, size_t plen,
                     char *why, size_t n);

static bool jx_object(json_object *j, xmlNode *x, char *path, size_t plen, char *why, size_t n)
{
    if (!jx_only_elements(x))
        return jx_fail(why, n, path, "<%s> has text where an object is expected", x->name);
    if (x->properties)
        return jx_fail(why, n, path, "<%s> has attributes", x->name);
    xmlNode *c = jx_next_element(x->children);
    size_t base = strlen(path);
    json_object_object_foreach(j, key, val)
    {
        if (!val || json_object_is_type(val, json_type_null)) {
            /* null ↔ absent: the next element must not be this member */
            if (c && strcmp((const char *)c->name, key) == 0) {
                snprintf(path + base, plen - base, "%s%s", base ? "." : "", key);
                return jx_fail(why, n, path, "JSON null but the XML has <%s>", key);
            }
            continue;
        }
        snprintf(path + base, plen - base, "%s%s", base ? "." : "", key);
        if (!c)
            return jx_fail(why, n, path, "the XML has no <%s> (JSON %s)", key,
                           json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN));
        if (strcmp((const char *)c->name, key) != 0)
            return jx_fail(why, n, path, "expected <%s> here, the XML has <%s>", key, c->name);
        if (!jx_value(val, c, key, path, plen, why, n))
            return false;
        path[base] = '\0';
        c = jx_next_element(c->next);
    }
    if (c)
        return jx_fail(why, n, path, "the XML has an extra element <%s>", c->name);
    return true;
}

static bool jx_array(json_object *j, xmlNode *x, const char *name, char *path, size_t plen,
                     char *why, size_t n)
{
    char tmp[128];
    const char *item = jx_singular(name, tmp, sizeof(tmp));
    if (!jx_only_elements(x))
        return jx_fail(why, n, path, "<%s> has text where an array is expected", x->name);
    size_t len = json_object_array_length(j), i = 0, base = strlen(path);
    for (xmlNode *c = jx_next_element(x->children); c; c = jx_next_element(c->next), i++) {
        snprintf(path + base, plen - base, ".%zu", i);
        if (i >= len)
            return jx_fail(why, n, path, "the XML has more items than the JSON (%zu)", len);
        if (strcmp((const char *)c->name, item) != 0)
            return jx_fail(why, n, path, "an item of <%s> must be <%s>, got <%s>", name, item,
                           c->name);
        json_object *v = json_object_array_get_idx(j, i);
        if (!v || json_object_is_type(v, json_type_null))
            return jx_fail(why, n, path, "null array item has no XML form");
        if (!jx_value(v, c, item, path, plen, why, n))
            return false;
        path[base] = '\0';
    }
    if (i != len)
        return jx_fail(why, n, path, "the JSON has %zu items, the XML %zu", len, i);
    return true;
}

static bool jx_value(json_object *j, xmlNode *x, const char *name, char *path, size_t plen,
                     char *why, size_t n)
{
    enum json_type t = json_object_get_type(j);
    if (t == json_type_object)
        return jx_object(j, x, path, plen, why, n);
    if (t == json_type_array)
        return jx_array(j, x, name, path, plen, why, n);
    /* a scalar: the element holds text only */
    for (xmlNode *c = x->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return jx_fail(why, n, path, "<%s> has child elements where a scalar is expected",
                           x->name);
    if (x->properties)
        return jx_fail(why, n, path, "<%s> has attributes", x->name);
    const char *want;
    char buf[64];
    switch (t) {
    case json_type_string:
        want = json_object_get_string(j);
        break;
    case json_type_boolean:
        want = json_object_get_boolean(j) ? "true" : "false";
        break;
    case json_type_int:
        snprintf(buf, sizeof(buf), "%lld", (long long)json_object_get_int64(j));
        want = buf;
        break;
    case json_type_double:
        /* the number as the server spelled it (json-c keeps the text of parsed doubles) */
        want = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN);
        break;
    default:
        return jx_fail(why, n, path, "unexpected JSON type");
    }
    xmlChar *text = xmlNodeGetContent(x);
    bool same = strcmp(text ? (const char *)text : "", want) == 0;
    if (!same)
        jx_fail(why, n, path, "JSON %s%s%s, XML \"%s\"", t == json_type_string ? "\"" : "", want,
                t == json_type_string ? "\"" : "", text ? (const char *)text : "");
    xmlFree(text);
    return same;
}

bool jx_equal_node(json_object *j, xmlNode *x, char *why, size_t n)
{
    char path[512] = "";
    if (!j || !x)
        return jx_fail(why, n, path, "a document is missing");
    if (!json_object_is_type(j, json_type_object))
        return jx_fail(why, n, path, "the JSON is not an object");
    return jx_object(j, x, path, sizeof(path), why, n);
}

bool jx_equal_doc(json_object *j, xmlDoc *doc, const char *root, char *why, size_t n)
{
    xmlNode *x = doc ? xmlDocGetRootElement(doc) : NULL;
    if (!j || !x)
        return jx_fail(why, n, "", "%s", !j ? "no JSON document" : "no XML document");
    if (root && strcmp((const char *)x->name, root) != 0)
        return jx_fail(why, n, "", "the XML root is <%s>, expected <%s>", x->name, root);
    if (strcmp((const char *)x->name, "error") == 0) {
        json_object *e = NULL;
        if (!json_object_object_get_ex(j, "error", &e))
            return jx_fail(why, n, "", "the XML is an <error>, the JSON has no \"error\"");
        j = e;
    }
    return jx_equal_node(j, x, why, n);
}

bool jx_two_decimals(json_object *j, const char *const *paths, char *why, size_t n)
{
    for (size_t i = 0; paths[i]; i++) {
        json_object *v = j;
        char seg[128];
        const char *p = paths[i];
        while (v && *p) {
            size_t len = strcspn(p, ".");
            snprintf(seg, sizeof(seg), "%.*s", (int)len, p);
            json_object *next = NULL;
            if (!json_object_object_get_ex(v, seg, &next))
                next = NULL;
            v = next;
            p += len + (p[len] == '.');
        }
        if (!v)
            return jx_fail(why, n, paths[i], "absent");
        if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
            return jx_fail(why, n, paths[i], "not a JSON number");
        const char *s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
        const char *dot = strchr(s, '.');
        if (!dot || strlen(dot + 1) != 2 || strspn(dot + 1, "0123456789") != 2 ||
            strpbrk(s, "eE"))
            return jx_fail(why, n, paths[i], "written as %s, not with exactly two decimals", s);
    }
    return true;
}

static bool jx_skipped(const char *key, const char *const *skip)
{
    for (size_t i = 0; skip && skip[i]; i++)
        if (strcmp(skip[i], key) == 0)
            return true;
    return false;
}

static bool jx_json_eq(json_object *a, json_object *b, const char *const *skip, char *path,
                       size_t plen, char *why, size_t n)
{
    enum json_type ta = json_object_get_type(a), tb = json_object_get_type(b);
    size_t base = strlen(path);
    if (ta != tb)
        return jx_fail(why, n, path, "types differ: %s vs %s",
                       json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN),
                       json_object_to_json_string_ext(b, JSON_C_TO_STRING_PLAIN));
    if (ta == json_type_object) {
        if (json_object_object_length(a) != json_object_object_length(b))
            return jx_fail(why, n, path, "member counts differ");
        json_object_object_foreach(a, key, va)
        {
            if (jx_skipped(key, skip))
                continue;
            json_object *vb = NULL;
            snprintf(path + base, plen - base, "%s%s", base ? "." : "", key);
            if (!json_object_object_get_ex(b, key, &vb))
                return jx_fail(why, n, path, "absent in the second document");
            if (!jx_json_eq(va, vb, skip, path, plen, why, n))
                return false;
            path[base] = '\0';
        }
        return true;
    }
    if (ta == json_type_array) {
        size_t la = json_object_array_length(a);
        if (la != json_object_array_length(b))
            return jx_fail(why, n, path, "array lengths differ");
        for (size_t i = 0; i < la; i++) {
            snprintf(path + base, plen - base, ".%zu", i);
            if (!jx_json_eq(json_object_array_get_idx(a, i), json_object_array_get_idx(b, i),
                            skip, path, plen, why, n))
                return false;
            path[base] = '\0';
        }
        return true;
    }
    if (ta == json_type_null)
        return true;
    const char *sa = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN);
    char copy[512];
    snprintf(copy, sizeof(copy), "%s", sa);
    const char *sb = json_object_to_json_string_ext(b, JSON_C_TO_STRING_PLAIN);
    if (strcmp(copy, sb) != 0)
        return jx_fail(why, n, path, "%s vs %s", copy, sb);
    return true;
}

bool jx_json_equal(json_object *a, json_object *b, const char *const *skip, char *why, size_t n)
{
    char path[512] = "";
    if (!a || !b)
        return jx_fail(why, n, path, "a document is missing");
    return jx_json_eq(a, b, skip, path, sizeof(path), why, n);
}
