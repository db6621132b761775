/* encode.c: message struct → JSON or XML, driven by the descriptor. JSON writes every
 * member (null when absent); XML omits absent members; arrays use singular item names. */
#include <stdio.h>
#include <string.h>

#include "codec/msg.h"

static void encode_object(struct buf *out, enum msg_format f, const struct msg_desc *d,
                          const void *obj);

/* Is the member absent (null)? */
static bool encode_is_null(const struct msg_field *f, const void *obj)
{
    switch (f->type) {
    case MSG_STRING: case MSG_DATE: case MSG_DATETIME: case MSG_ENUM: case MSG_OBJECT:
    case MSG_KV:
        return *MSG_AT(obj, f->off, void *) == NULL;
    case MSG_ARRAY: case MSG_INTS:
        return (f->flags & MSG_NULLABLE) && *MSG_AT(obj, f->off, void *) == NULL;
    default:
        return (f->flags & MSG_OPTIONAL) && !*MSG_AT(obj, f->set_off, bool);
    }
}

/* Scalar as text; JSON strings are marked by *quoted. */
static const char *encode_scalar(const struct msg_field *f, const void *obj, char *tmp, size_t n,
                                 bool *quoted)
{
    *quoted = false;
    switch (f->type) {
    case MSG_STRING: case MSG_DATE: case MSG_DATETIME: case MSG_ENUM:
        *quoted = true;
        return *MSG_AT(obj, f->off, const char *);
    case MSG_INT:
        snprintf(tmp, n, "%lld", (long long)*MSG_AT(obj, f->off, int64_t));
        return tmp;
    case MSG_BOOL:
        return *MSG_AT(obj, f->off, bool) ? "true" : "false";
    case MSG_QTY:
        dec_format_short(*MSG_AT(obj, f->off, int64_t), 3, tmp, n);
        return tmp;
    default:
        dec_format(*MSG_AT(obj, f->off, int64_t), codec_scale(f->type), tmp, n);
        return tmp;
    }
}

static void encode_value(struct buf *out, enum msg_format fmt, const struct msg_field *f,
                         const void *obj)
{
    char tmp[64];
    bool quoted;
    switch (f->type) {
    case MSG_OBJECT:
        encode_object(out, fmt, f->sub, *MSG_AT(obj, f->off, const void *));
        return;
    case MSG_KV: {
        const struct msg_kv *kv = *MSG_AT(obj, f->off, const struct msg_kv *);
        if (fmt == MSG_JSON)
            buf_addc(out, '{');
        for (size_t i = 0; i < kv->n; i++) {
            if (fmt == MSG_JSON) {
                if (i)
                    buf_addc(out, ',');
                buf_add_json_str(out, kv->keys[i]);
                buf_addc(out, ':');
                buf_add_json_str(out, kv->vals[i]);
            } else {
                buf_printf(out, "<%s>", kv->keys[i]);
                buf_add_xml_text(out, kv->vals[i]);
                buf_printf(out, "</%s>", kv->keys[i]);
            }
        }
        if (fmt == MSG_JSON)
            buf_addc(out, '}');
        return;
    }
    case MSG_INTS: {
        const int64_t *vals = *MSG_AT(obj, f->off, const int64_t *);
        size_t n = vals ? *MSG_AT(obj, f->count_off, size_t) : 0;
        const char *item = codec_item_name(f, tmp, sizeof(tmp));
        if (fmt == MSG_JSON)
            buf_addc(out, '[');
        for (size_t i = 0; i < n; i++) {
            if (fmt == MSG_JSON)
                buf_printf(out, "%s%lld", i ? "," : "", (long long)vals[i]);
            else
                buf_printf(out, "<%s>%lld</%s>", item, (long long)vals[i], item);
        }
        if (fmt == MSG_JSON)
            buf_addc(out, ']');
        return;
    }
    case MSG_ARRAY: {
        const char *elems = *MSG_AT(obj, f->off, const char *);
        size_t n = elems ? *MSG_AT(obj, f->count_off, size_t) : 0;
        const char *item = codec_item_name(f, tmp, sizeof(tmp));
        if (fmt == MSG_JSON)
            buf_addc(out, '[');
        for (size_t i = 0; i < n; i++) {
            if (fmt == MSG_JSON && i)
                buf_addc(out, ',');
            if (fmt == MSG_XML)
                buf_printf(out, "<%s>", item);
            if (f->sub) {
                encode_object(out, fmt, f->sub, elems + i * f->sub->size);
            } else {
                const char *s = ((const char *const *)elems)[i];
                if (fmt == MSG_JSON)
                    buf_add_json_str(out, s);
                else
                    buf_add_xml_text(out, s);
            }
            if (fmt == MSG_XML)
                buf_printf(out, "</%s>", item);
        }
        if (fmt == MSG_JSON)
            buf_addc(out, ']');
        return;
    }
    default: {
        const char *s = encode_scalar(f, obj, tmp, sizeof(tmp), &quoted);
        if (fmt == MSG_JSON && quoted)
            buf_add_json_str(out, s);
        else if (fmt == MSG_JSON)
            buf_adds(out, s);
        else
            buf_add_xml_text(out, s);
    }
    }
}

static void encode_object(struct buf *out, enum msg_format fmt, const struct msg_desc *d,
                          const void *obj)
{
    if (fmt == MSG_JSON)
        buf_addc(out, '{');
    for (size_t i = 0; i < d->nfields; i++) {
        const struct msg_field *f = &d->fields[i];
        bool null = encode_is_null(f, obj);
        if (fmt == MSG_JSON) {
            if (i)
                buf_addc(out, ',');
            buf_add_json_str(out, f->name);
            buf_addc(out, ':');
            if (null)
                buf_adds(out, "null");
            else
                encode_value(out, fmt, f, obj);
        } else if (!null) {
            buf_printf(out, "<%s>", f->name);
            encode_value(out, fmt, f, obj);
            buf_printf(out, "</%s>", f->name);
        }
    }
    if (fmt == MSG_JSON)
        buf_addc(out, '}');
}

static const char encode_xml_decl[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

void codec_encode(struct buf *out, enum msg_format f, const struct msg_desc *d, const void *obj)
{
    if (f == MSG_XML) {
        buf_adds(out, encode_xml_decl);
        buf_printf(out, "<%s>", d->name);
    }
    encode_object(out, f, d, obj);
    if (f == MSG_XML)
        buf_printf(out, "</%s>\n", d->name);
}

void codec_encode_list(struct buf *out, enum msg_format f, const struct msg_desc *d,
                       const void *items, size_t count, const char *next_cursor)
{
    if (f == MSG_JSON) {
        buf_adds(out, "{\"items\":[");
        for (size_t i = 0; i < count; i++) {
            if (i)
                buf_addc(out, ',');
            encode_object(out, f, d, (const char *)items + i * d->size);
        }
        buf_adds(out, "],\"next_cursor\":");
        if (next_cursor)
            buf_add_json_str(out, next_cursor);
        else
            buf_adds(out, "null");
        buf_addc(out, '}');
        return;
    }
    buf_adds(out, encode_xml_decl);
    buf_adds(out, "<list><items>");
    for (size_t i = 0; i < count; i++) {
        buf_adds(out, "<item>");
        encode_object(out, f, d, (const char *)items + i * d->size);
        buf_adds(out, "</item>");
    }
    buf_adds(out, "</items>");
    if (next_cursor) {
        buf_adds(out, "<next_cursor>");
        buf_add_xml_text(out, next_cursor);
        buf_adds(out, "</next_cursor>");
    }
    buf_adds(out, "</list>\n");
}
