/* json.c: JSON → message struct, driven by the descriptor (json-c tokenizer). */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "codec/msg.h"
#include "codec/utf8.h"

static bool json_decode_object(json_object *o, const struct msg_desc *d, void *out,
                               struct arena *a, struct msg_error *err, const char *prefix);

/* Text of a scalar JSON value, or NULL when its JSON type does not fit the field. */
static const char *json_scalar_text(const struct msg_field *f, json_object *v)
{
    enum json_type t = json_object_get_type(v);
    switch (f->type) {
    case MSG_STRING: case MSG_DATE: case MSG_DATETIME: case MSG_ENUM:
        /* a \u0000 inside would cut the string short: refuse it */
        if (t != json_type_string ||
            strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
            return NULL;
        return json_object_get_string(v);
    case MSG_INT:
        return t == json_type_int ? json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN) : NULL;
    case MSG_BOOL:
        return t == json_type_boolean ? (json_object_get_boolean(v) ? "true" : "false") : NULL;
    case MSG_MONEY: case MSG_POINTS: case MSG_PERCENT: case MSG_QTY:
        if (t == json_type_string)
            return json_object_get_string(v);
        /* numbers keep the text they were written with: never through a double */
        if (t == json_type_int || t == json_type_double)
            return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
        return NULL;
    default:
        return NULL;
    }
}

static bool json_decode_kv(json_object *v, const struct msg_field *f, void *out, struct arena *a,
                           struct msg_error *err, const char *path)
{
    if (!json_object_is_type(v, json_type_object)) {
        codec_err(err, "invalid_field", path, "%s must be an object", path);
        return false;
    }
    struct msg_kv *kv = arena_alloc(a, sizeof(*kv));
    size_t n = (size_t)json_object_object_length(v), i = 0;
    if (n > 100) {
        codec_err(err, "invalid_field", path, "%s has more than 100 members", path);
        return false;
    }
    kv->keys = arena_alloc(a, sizeof(char *) * (n + 1));
    kv->vals = arena_alloc(a, sizeof(char *) * (n + 1));
    json_object_object_foreach(v, key, val)
    {
        enum json_type t = json_object_get_type(val);
        size_t kl = strlen(key);
        bool key_ok = kl > 0 && kl <= 64 &&
                      ((key[0] >= 'a' && key[0] <= 'z') || (key[0] >= 'A' && key[0] <= 'Z') ||
                       key[0] == '_');
        for (size_t k = 0; k < kl && key_ok; k++)
            key_ok = (key[k] >= 'a' && key[k] <= 'z') || (key[k] >= 'A' && key[k] <= 'Z') ||
                     (key[k] >= '0' && key[k] <= '9') || key[k] == '_' || key[k] == '-';
        if (!key_ok || t == json_type_object || t == json_type_array || t == json_type_null) {
            codec_err(err, "invalid_field", path,
                      "%s: members must be named [A-Za-z_][A-Za-z0-9_-]* and hold scalars", path);
            return false;
        }
        struct msg_field vf = {.name = key, .type = MSG_STRING, .off = 0};
        char vpath[200];
        const char *text = t == json_type_string
                               ? json_object_get_string(val)
                               : json_object_to_json_string_ext(val, JSON_C_TO_STRING_PLAIN);
        snprintf(vpath, sizeof(vpath), "%s.%s", path, key);
        if (t == json_type_string && strlen(text) != (size_t)json_object_get_string_len(val)) {
            codec_err(err, "invalid_field", vpath, "%s contains a NUL", vpath);
            return false;
        }
        if (!codec_set_text(&vf, &kv->vals[i], text, a, err, vpath))
            return false;
        kv->keys[i] = arena_strdup(a, key);
        i++;
    }
    kv->n = i;
    *MSG_AT(out, f->off, struct msg_kv *) = kv;
    return true;
}

static bool json_decode_array(json_object *v, const struct msg_field *f, void *out,
                              struct arena *a, struct msg_error *err, const char *path)
{
    if (!json_object_is_type(v, json_type_array)) {
        codec_err(err, "invalid_field", path, "%s must be an array", path);
        return false;
    }
    size_t n = json_object_array_length(v);
    int64_t max = f->max ? f->max : 1000;
    if ((int64_t)n < f->min || (int64_t)n > max) {
        codec_err(err, "invalid_field", path, "%s must have %lld..%lld elements", path,
                  (long long)f->min, (long long)max);
        return false;
    }
    size_t esize = f->sub ? f->sub->size : sizeof(char *);
    char *elems = arena_alloc(a, esize * (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        char ipath[200];
        snprintf(ipath, sizeof(ipath), "%s.%zu", path, i + 1);
        json_object *e = json_object_array_get_idx(v, i);
        if (f->sub) {
            if (!json_object_is_type(e, json_type_object)) {
                codec_err(err, "invalid_field", ipath, "%s must be an object", ipath);
                return false;
            }
            if (!json_decode_object(e, f->sub, elems + i * esize, a, err, ipath))
                return false;
        } else {
            /* an array of strings: validate each like a string field of the same limits */
            struct msg_field sf = {.name = f->name, .type = MSG_STRING, .off = 0, .max = 200};
            if (!json_object_is_type(e, json_type_string) ||
                strlen(json_object_get_string(e)) != (size_t)json_object_get_string_len(e)) {
                codec_err(err, "invalid_field", ipath, "%s must be a string without NUL", ipath);
                return false;
            }
            if (!codec_set_text(&sf, elems + i * esize, json_object_get_string(e), a, err, ipath))
                return false;
        }
    }
    *MSG_AT(out, f->off, void *) = elems;
    *MSG_AT(out, f->count_off, size_t) = n;
    return true;
}

static bool json_decode_ints(json_object *v, const struct msg_field *f, void *out,
                             struct arena *a, struct msg_error *err, const char *path)
{
    if (!json_object_is_type(v, json_type_array)) {
        codec_err(err, "invalid_field", path, "%s must be an array of integers", path);
        return false;
    }
    size_t n = json_object_array_length(v);
    if (n > 1000) {
        codec_err(err, "invalid_field", path, "%s has too many elements", path);
        return false;
    }
    int64_t *vals = arena_alloc(a, sizeof(int64_t) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        char ipath[200];
        struct msg_field ef = {.name = f->name, .type = MSG_INT, .off = 0};
        json_object *e = json_object_array_get_idx(v, i);
        snprintf(ipath, sizeof(ipath), "%s.%zu", path, i + 1);
        if (!json_object_is_type(e, json_type_int)) {
            codec_err(err, "invalid_field", ipath, "%s must be an integer", ipath);
            return false;
        }
        if (!codec_set_text(&ef, &vals[i], json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN),
                            a, err, ipath))
            return false;
    }
    *MSG_AT(out, f->off, int64_t *) = vals;
    *MSG_AT(out, f->count_off, size_t) = n;
    return true;
}

static bool json_decode_object(json_object *o, const struct msg_desc *d, void *out,
                               struct arena *a, struct msg_error *err, const char *prefix)
{
    for (size_t i = 0; i < d->nfields; i++) {
        const struct msg_field *f = &d->fields[i];
        char path[160];
        json_object *v = NULL;
        codec_path(path, sizeof(path), prefix, f->name);
        if (!json_object_object_get_ex(o, f->name, &v) || v == NULL) {
            if (f->flags & MSG_REQUIRED) {
                codec_err(err, "missing_field", path, "%s is required", path);
                return false;
            }
            continue;
        }
        bool ok;
        switch (f->type) {
        case MSG_OBJECT: {
            if (!json_object_is_type(v, json_type_object)) {
                codec_err(err, "invalid_field", path, "%s must be an object", path);
                return false;
            }
            void *sub = arena_alloc(a, f->sub->size);
            ok = json_decode_object(v, f->sub, sub, a, err, path);
            *MSG_AT(out, f->off, void *) = sub;
            break;
        }
        case MSG_ARRAY:
            ok = json_decode_array(v, f, out, a, err, path);
            break;
        case MSG_KV:
            ok = json_decode_kv(v, f, out, a, err, path);
            break;
        case MSG_INTS:
            ok = json_decode_ints(v, f, out, a, err, path);
            break;
        default: {
            const char *text = json_scalar_text(f, v);
            if (!text) {
                codec_err(err, "invalid_field", path, "%s has the wrong type", path);
                return false;
            }
            ok = codec_set_text(f, out, text, a, err, path);
        }
        }
        if (!ok)
            return false;
    }
    return true;
}

/* json-c reads NaN and Infinity, which JSON does not have: refuse documents with them. */
static bool json_finite(json_object *o, int depth)
{
    if (depth > MSG_DEPTH_LIMIT)
        return false;
    switch (json_object_get_type(o)) {
    case json_type_double: {
        /* a numeral too large for a double (1e999) is still JSON: its field refuses it */
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        const char *d = text[0] == '-' ? text + 1 : text;
        return *d >= '0' && *d <= '9';
    }
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(o); i++)
            if (!json_finite(json_object_array_get_idx(o, i), depth + 1))
                return false;
        return true;
    case json_type_object: {
        json_object_object_foreach(o, key, val)
        {
            (void)key;
            if (val && !json_finite(val, depth + 1))
                return false;
        }
        return true;
    }
    default:
        return true;
    }
}

bool codec_json_decode(const char *body, size_t len, const struct msg_desc *d, void *out,
                       struct arena *a, struct msg_error *err)
{
    bool ok = false;
    json_object *root = NULL;
    json_tokener *tok = json_tokener_new_ex(MSG_DEPTH_LIMIT);

    if (!tok) {
        codec_err(err, "malformed_body", NULL, "out of memory");
        goto out;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    if (len == 0 || len > (size_t)INT32_MAX || memchr(body, '\0', len)) {
        codec_err(err, "malformed_body", NULL, "the body is empty or not JSON text");
        goto out;
    }
    if (!utf8_valid(body, len)) {
        codec_err(err, "malformed_body", NULL, "the body is not valid UTF-8");
        goto out;
    }
    root = json_tokener_parse_ex(tok, body, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    if (jerr == json_tokener_continue) {
        /* a complete top-level number needs an end; anything else is truncated */
        root = json_tokener_parse_ex(tok, "", 1);
        jerr = json_tokener_get_error(tok);
    }
    if (jerr != json_tokener_success || !root) {
        codec_err(err, "malformed_body", NULL, "the body is not valid JSON: %s",
                  json_tokener_error_desc(jerr));
        goto out;
    }
    for (size_t i = json_tokener_get_parse_end(tok); i < len; i++)
        if (!strchr(" \t\r\n", body[i])) {
            codec_err(err, "malformed_body", NULL, "the body has data after the JSON value");
            goto out;
        }
    if (!json_object_is_type(root, json_type_object)) {
        codec_err(err, "malformed_body", NULL, "the body must be a JSON object");
        goto out;
    }
    if (!json_finite(root, 0)) {
        codec_err(err, "malformed_body", NULL, "NaN and Infinity are not JSON");
        goto out;
    }
    ok = json_decode_object(root, d, out, a, err, "");
out:
    if (root)
        json_object_put(root);
    if (tok)
        json_tokener_free(tok);
    return ok;
}
