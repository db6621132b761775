/* msg.c: what both decoders share: scalar conversion and validation, paths, errors. */
#include "codec/msg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/timefmt.h"

#define MSG_STRING_MAX_DEFAULT 1000

void codec_err(struct msg_error *err, const char *code, const char *path, const char *fmt, ...)
{
    va_list ap;
    err->code = code;
    snprintf(err->field, sizeof(err->field), "%s", path ? path : "");
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
}

void codec_path(char *out, size_t n, const char *prefix, const char *name)
{
    if (prefix && *prefix)
        snprintf(out, n, "%s.%s", prefix, name);
    else
        snprintf(out, n, "%s", name);
}

int codec_scale(enum msg_type t)
{
    switch (t) {
    case MSG_MONEY: case MSG_POINTS: case MSG_PERCENT: return 2;
    case MSG_QTY: return 3;
    default: return -1;
    }
}

/* Irregular plurals first; any other "xs" becomes "x". */
static const struct { const char *plural, *singular; } codec_plurals[] = {
    {"slip", "text"},     {"items", "item"},   {"lines", "line"},
    {"cards", "card"},    {"errors", "error"}, {"gift_certificates", "gift_certificate"},
    {"promo_codes", "promo_code"}, {"promotions", "promotion"}, {"segments", "segment"},
    {"categories", "category"},
};

const char *codec_item_name(const struct msg_field *f, char *tmp, size_t n)
{
    if (f->item)
        return f->item;
    for (size_t i = 0; i < sizeof(codec_plurals) / sizeof(codec_plurals[0]); i++)
        if (strcmp(codec_plurals[i].plural, f->name) == 0)
            return codec_plurals[i].singular;
    size_t len = strlen(f->name);
    if (len > 1 && f->name[len - 1] == 's') {
        snprintf(tmp, n, "%.*s", (int)(len - 1), f->name);
        return tmp;
    }
    return "item";
}

static bool codec_set_decimal(const struct msg_field *f, void *obj, const char *text,
                              struct msg_error *err, const char *path)
{
    int64_t v;
    int scale = codec_scale(f->type);
    switch (dec_parse(text, scale, &v)) {
    case DEC_OK: break;
    case DEC_PRECISION:
        codec_err(err, "invalid_field", path, "%s has more than %d fraction digits", path, scale);
        return false;
    case DEC_RANGE:
        codec_err(err, "invalid_field", path, "%s is too large", path);
        return false;
    default:
        codec_err(err, "invalid_field", path, "%s must be a decimal number", path);
        return false;
    }
    int64_t min = f->min, max = f->max;
    if (min == 0 && max == 0) {
        min = 0; /* amounts are non-negative unless the field says otherwise */
        max = INT64_MAX;
    }
    if (v < min || v > max) {
        codec_err(err, "invalid_field", path, "%s is out of range", path);
        return false;
    }
    /* every decimal type is one int64_t wrapped in a struct */
    *MSG_AT(obj, f->off, int64_t) = v;
    return true;
}

static bool codec_set_int(const struct msg_field *f, void *obj, const char *text,
                          struct msg_error *err, const char *path)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end || errno) {
        codec_err(err, "invalid_field", path, "%s must be an integer", path);
        return false;
    }
    int64_t min = f->min, max = f->max;
    if (min == 0 && max == 0) {
        min = 1; /* ids and counts: positive by default */
        max = INT64_MAX;
    }
    if (v < min || v > max) {
        codec_err(err, "invalid_field", path, "%s is out of range", path);
        return false;
    }
    *MSG_AT(obj, f->off, int64_t) = v;
    return true;
}

/* Characters (UTF-8 code points) in a valid UTF-8 string. */
static size_t codec_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* U+FFFE and U+FFFF are not allowed in XML 1.0: a string with them could not be answered. */
static bool codec_xml_safe(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbf &&
            ((unsigned char)s[2] == 0xbe || (unsigned char)s[2] == 0xbf))
            return false;
    return true;
}

static bool codec_set_string(const struct msg_field *f, void *obj, const char *text,
                             struct arena *a, struct msg_error *err, const char *path)
{
    size_t len = strlen(text);
    int64_t max = f->max ? f->max : MSG_STRING_MAX_DEFAULT;
    int64_t chars = (int64_t)codec_chars(text);
    if (!codec_xml_safe(text)) {
        codec_err(err, "invalid_field", path, "%s contains U+FFFE or U+FFFF", path);
        return false;
    }
    if (chars < f->min || chars > max) {
        codec_err(err, "invalid_field", path, "%s must be %lld..%lld characters long", path,
                  (long long)f->min, (long long)max);
        return false;
    }
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] < 0x20 && text[i] != '\n' && text[i] != '\t') {
            codec_err(err, "invalid_field", path, "%s contains a control character", path);
            return false;
        }
    *MSG_AT(obj, f->off, char *) = arena_strndup(a, text, len);
    return true;
}

bool codec_set_text(const struct msg_field *f, void *obj, const char *text, struct arena *a,
                    struct msg_error *err, const char *path)
{
    bool ok = false;
    switch (f->type) {
    case MSG_STRING:
        return codec_set_string(f, obj, text, a, err, path);
    case MSG_INT:
        ok = codec_set_int(f, obj, text, err, path);
        break;
    case MSG_BOOL:
        if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0)
            *MSG_AT(obj, f->off, bool) = true;
        else if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0)
            *MSG_AT(obj, f->off, bool) = false;
        else {
            codec_err(err, "invalid_field", path, "%s must be true or false", path);
            return false;
        }
        ok = true;
        break;
    case MSG_MONEY: case MSG_POINTS: case MSG_PERCENT: case MSG_QTY:
        ok = codec_set_decimal(f, obj, text, err, path);
        break;
    case MSG_DATE:
        if (!timefmt_date_valid(text)) {
            codec_err(err, "invalid_field", path, "%s must be a date YYYY-MM-DD", path);
            return false;
        }
        *MSG_AT(obj, f->off, char *) = arena_strdup(a, text);
        return true;
    case MSG_DATETIME:
        if (!timefmt_datetime_valid(text)) {
            codec_err(err, "invalid_field", path, "%s must be an RFC 3339 date-time", path);
            return false;
        }
        *MSG_AT(obj, f->off, char *) = arena_strdup(a, text);
        return true;
    case MSG_ENUM:
        for (const char *const *v = f->values; v && *v; v++)
            if (strcmp(*v, text) == 0) {
                *MSG_AT(obj, f->off, const char *) = *v;
                return true;
            }
        codec_err(err, "invalid_field", path, "%s has an unknown value", path);
        return false;
    default:
        codec_err(err, "invalid_field", path, "%s must be a structured value", path);
        return false;
    }
    if (ok && (f->flags & MSG_OPTIONAL))
        *MSG_AT(obj, f->set_off, bool) = true;
    return ok;
}

bool codec_decode(enum msg_format f, const char *body, size_t len, const struct msg_desc *d,
                  void *out, struct arena *a, struct msg_error *err)
{
    return f == MSG_XML ? codec_xml_decode(body, len, d, out, a, err)
                        : codec_json_decode(body, len, d, out, a, err);
}
