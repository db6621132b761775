/* xml.c: XML → message struct, driven by the descriptor (libxml2, no network, no DTD,
 * no entities, bounded depth). */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "codec/msg.h"

static bool xml_decode_object(xmlNode *node, const struct msg_desc *d, void *out,
                              struct arena *a, struct msg_error *err, const char *prefix,
                              int depth);

static xmlNode *xml_child(xmlNode *node, const char *name)
{
    xmlNode *found = NULL;
    for (xmlNode *c = node->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            found = c; /* the last one wins, as in JSON */
    return found;
}

static bool xml_has_element_children(xmlNode *node)
{
    for (xmlNode *c = node->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return true;
    return false;
}

/* The text of a leaf element; trimmed for everything but strings. */
static char *xml_text(xmlNode *node, bool trim, struct arena *a)
{
    xmlChar *t = xmlNodeGetContent(node);
    const char *s = t ? (const char *)t : "";
    size_t len = strlen(s);
    if (trim) {
        while (len && strchr(" \t\r\n", s[len - 1]))
            len--;
        while (len && strchr(" \t\r\n", *s)) {
            s++;
            len--;
        }
    }
    char *r = arena_strndup(a, s, len);
    xmlFree(t);
    return r;
}

static bool xml_decode_array(xmlNode *node, const struct msg_field *f, void *out,
                             struct arena *a, struct msg_error *err, const char *path, int depth)
{
    size_t n = 0;
    for (xmlNode *c = node->children; c; c = c->next)
        n += c->type == XML_ELEMENT_NODE;
    int64_t max = f->max ? f->max : 1000;
    if ((int64_t)n < f->min || (int64_t)n > max) {
        codec_err(err, "invalid_field", path, "%s must have %lld..%lld elements", path,
                  (long long)f->min, (long long)max);
        return false;
    }
    size_t esize = f->sub ? f->sub->size : sizeof(char *);
    char *elems = arena_alloc(a, esize * (n ? n : 1));
    size_t i = 0;
    for (xmlNode *c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        char ipath[200];
        snprintf(ipath, sizeof(ipath), "%s.%zu", path, i + 1);
        if (f->sub) {
            if (!xml_decode_object(c, f->sub, elems + i * esize, a, err, ipath, depth + 1))
                return false;
        } else {
            struct msg_field sf = {.name = f->name, .type = MSG_STRING, .off = 0, .max = 200};
            if (xml_has_element_children(c)) {
                codec_err(err, "invalid_field", ipath, "%s must be a string", ipath);
                return false;
            }
            if (!codec_set_text(&sf, elems + i * esize, xml_text(c, false, a), a, err, ipath))
                return false;
        }
        i++;
    }
    *MSG_AT(out, f->off, void *) = elems;
    *MSG_AT(out, f->count_off, size_t) = n;
    return true;
}

static bool xml_decode_kv(xmlNode *node, const struct msg_field *f, void *out, struct arena *a,
                          struct msg_error *err, const char *path)
{
    struct msg_kv *kv = arena_alloc(a, sizeof(*kv));
    size_t n = 0;
    for (xmlNode *c = node->children; c; c = c->next)
        n += c->type == XML_ELEMENT_NODE;
    if (n > 100) {
        codec_err(err, "invalid_field", path, "%s has more than 100 members", path);
        return false;
    }
    kv->keys = arena_alloc(a, sizeof(char *) * (n + 1));
    kv->vals = arena_alloc(a, sizeof(char *) * (n + 1));
    for (xmlNode *c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (xml_has_element_children(c) || strlen((const char *)c->name) > 64) {
            codec_err(err, "invalid_field", path, "%s: members must hold scalars", path);
            return false;
        }
        struct msg_field vf = {.name = (const char *)c->name, .type = MSG_STRING, .off = 0};
        char vpath[200];
        snprintf(vpath, sizeof(vpath), "%s.%s", path, (const char *)c->name);
        if (!codec_set_text(&vf, &kv->vals[kv->n], xml_text(c, false, a), a, err, vpath))
            return false;
        kv->keys[kv->n] = arena_strdup(a, (const char *)c->name);
        kv->n++;
    }
    *MSG_AT(out, f->off, struct msg_kv *) = kv;
    return true;
}

static bool xml_decode_ints(xmlNode *node, const struct msg_field *f, void *out,
                            struct arena *a, struct msg_error *err, const char *path)
{
    size_t n = 0, i = 0;
    for (xmlNode *c = node->children; c; c = c->next)
        n += c->type == XML_ELEMENT_NODE;
    if (n > 1000) {
        codec_err(err, "invalid_field", path, "%s has too many elements", path);
        return false;
    }
    int64_t *vals = arena_alloc(a, sizeof(int64_t) * (n ? n : 1));
    for (xmlNode *c = node->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        char ipath[200];
        struct msg_field ef = {.name = f->name, .type = MSG_INT, .off = 0};
        snprintf(ipath, sizeof(ipath), "%s.%zu", path, i + 1);
        if (!codec_set_text(&ef, &vals[i], xml_text(c, true, a), a, err, ipath))
            return false;
        i++;
    }
    *MSG_AT(out, f->off, int64_t *) = vals;
    *MSG_AT(out, f->count_off, size_t) = n;
    return true;
}

static bool xml_decode_object(xmlNode *node, const struct msg_desc *d, void *out,
                              struct arena *a, struct msg_error *err, const char *prefix,
                              int depth)
{
    if (depth > MSG_DEPTH_LIMIT) {
        codec_err(err, "malformed_body", prefix, "the document is nested too deeply");
        return false;
    }
    for (size_t i = 0; i < d->nfields; i++) {
        const struct msg_field *f = &d->fields[i];
        char path[160];
        codec_path(path, sizeof(path), prefix, f->name);
        xmlNode *c = xml_child(node, f->name);
        if (!c) {
            if (f->flags & MSG_REQUIRED) {
                codec_err(err, "missing_field", path, "%s is required", path);
                return false;
            }
            continue;
        }
        bool ok;
        switch (f->type) {
        case MSG_OBJECT: {
            void *sub = arena_alloc(a, f->sub->size);
            ok = xml_decode_object(c, f->sub, sub, a, err, path, depth + 1);
            *MSG_AT(out, f->off, void *) = sub;
            break;
        }
        case MSG_ARRAY:
            ok = xml_decode_array(c, f, out, a, err, path, depth + 1);
            break;
        case MSG_KV:
            ok = xml_decode_kv(c, f, out, a, err, path);
            break;
        case MSG_INTS:
            ok = xml_decode_ints(c, f, out, a, err, path);
            break;
        default:
            if (xml_has_element_children(c)) {
                codec_err(err, "invalid_field", path, "%s has the wrong type", path);
                return false;
            }
            ok = codec_set_text(f, out, xml_text(c, f->type != MSG_STRING, a), a, err, path);
        }
        if (!ok)
            return false;
    }
    return true;
}

/* The whole document's depth, unknown elements included (walked without recursion). */
static bool xml_depth_ok(xmlNode *root)
{
    int depth = 1;
    xmlNode *n = root;
    while (n) {
        if (n->type == XML_ELEMENT_NODE && n->children) {
            if (++depth > MSG_DEPTH_LIMIT)
                return false;
            n = n->children;
            continue;
        }
        while (n && !n->next) {
            n = n->parent;
            depth--;
            if (!n || n == root)
                return true;
        }
        if (n)
            n = n->next;
    }
    return true;
}

/* A DOCTYPE is refused before the parser sees it: no DTD, no entities, no expansion. */
static bool xml_has_doctype(const char *body, size_t len)
{
    static const char needle[] = "<!DOCTYPE";
    size_t nl = sizeof(needle) - 1;
    for (size_t i = 0; i + nl <= len; i++)
        if (body[i] == '<' && body[i + 1] == '!' && strncasecmp(body + i, needle, nl) == 0)
            return true;
    return false;
}

bool codec_xml_decode(const char *body, size_t len, const struct msg_desc *d, void *out,
                      struct arena *a, struct msg_error *err)
{
    bool ok = false;
    xmlParserCtxt *ctx = NULL;
    xmlDoc *doc = NULL;

    if (len == 0 || len > (size_t)INT32_MAX) {
        codec_err(err, "malformed_body", NULL, "the body is empty");
        goto out;
    }
    if (xml_has_doctype(body, len)) {
        codec_err(err, "malformed_body", NULL, "a DOCTYPE is not accepted");
        goto out;
    }
    ctx = xmlNewParserCtxt();
    if (!ctx) {
        codec_err(err, "malformed_body", NULL, "out of memory");
        goto out;
    }
    doc = xmlCtxtReadMemory(ctx, body, (int)len, NULL, "UTF-8",
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                XML_PARSE_NOCDATA | XML_PARSE_NOBLANKS);
    if (!doc || !ctx->wellFormed) {
        codec_err(err, "malformed_body", NULL, "the body is not well-formed XML");
        goto out;
    }
    if (doc->intSubset || doc->extSubset) {
        codec_err(err, "malformed_body", NULL, "a DOCTYPE is not accepted");
        goto out;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root) {
        codec_err(err, "malformed_body", NULL, "the document has no root element");
        goto out;
    }
    if (!xml_depth_ok(root)) {
        codec_err(err, "malformed_body", NULL, "the document is nested deeper than %d levels",
                  MSG_DEPTH_LIMIT);
        goto out;
    }
    ok = xml_decode_object(root, d, out, a, err, "", 1);
out:
    if (doc)
        xmlFreeDoc(doc);
    if (ctx)
        xmlFreeParserCtxt(ctx);
    return ok;
}
