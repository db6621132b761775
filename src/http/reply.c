/* reply.c: encoding answers into the thread's response buffer. */
#include <fcgiapp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/messages.h"
#include "http/request.h"

/* Status reasons for the status line. */
static const struct { int status; const char *text; } http_reasons[] = {
    {200, "OK"}, {201, "Created"}, {202, "Accepted"}, {204, "No Content"},
    {400, "Bad Request"}, {401, "Unauthorized"}, {403, "Forbidden"}, {404, "Not Found"},
    {405, "Method Not Allowed"}, {409, "Conflict"}, {413, "Payload Too Large"},
    {415, "Unsupported Media Type"}, {422, "Unprocessable Entity"}, {429, "Too Many Requests"},
    {500, "Internal Server Error"}, {503, "Service Unavailable"},
};

const char *http_status_text(int status)
{
    for (size_t i = 0; i < sizeof(http_reasons) / sizeof(http_reasons[0]); i++)
        if (http_reasons[i].status == status)
            return http_reasons[i].text;
    return "Unknown";
}

const char *http_format_type(enum msg_format f)
{
    return f == MSG_XML ? "application/xml; charset=utf-8" : "application/json; charset=utf-8";
}

/* The q-value of one media range ("application/xml;q=0.5" → 500, none → 1000). */
static int http_accept_q(const char *params, size_t len)
{
    const char *q = NULL;
    for (size_t i = 0; i + 2 <= len; i++)
        if ((params[i] == 'q' || params[i] == 'Q') && params[i + 1] == '=' &&
            (i == 0 || params[i - 1] == ';' || params[i - 1] == ' '))
            q = params + i + 2;
    if (!q)
        return 1000;
    int v = 0, scale = 1000;
    if (*q == '1')
        return 1000;
    if (*q != '0')
        return 0;
    if (q[1] == '.')
        for (const char *d = q + 2; d < params + len && *d >= '0' && *d <= '9' && scale > 1; d++) {
            scale /= 10;
            v += (*d - '0') * scale;
        }
    return v;
}

void http_choose_format(struct http_req *r)
{
    /* the format with the highest q wins; on a tie the one named first; ranges such as
     * "*\/\*" leave the choice to the API client's default format */
    int best_q = 0;
    bool chosen = false;
    const char *p = r->accept;
    while (*p) {
        size_t len = strcspn(p, ",");
        const char *range = p;
        while (len && *range == ' ') {
            range++;
            len--;
        }
        size_t type_len = strcspn(range, ";,");
        if (type_len > len)
            type_len = len;
        while (type_len && range[type_len - 1] == ' ')
            type_len--;
        int q = http_accept_q(range + type_len, len - type_len);
        int fmt = -1;
        if (type_len == 16 && strncasecmp(range, "application/json", 16) == 0)
            fmt = MSG_JSON;
        else if ((type_len == 15 && strncasecmp(range, "application/xml", 15) == 0) ||
                 (type_len == 8 && strncasecmp(range, "text/xml", 8) == 0))
            fmt = MSG_XML;
        if (fmt >= 0 && q > best_q) {
            best_q = q;
            r->out_fmt = (enum msg_format)fmt;
            chosen = true;
        }
        p = range + len;
        if (*p == ',')
            p++;
    }
    r->out_fmt_fixed = chosen;
    if (!chosen)
        r->out_fmt = r->client.id ? r->client.format : MSG_JSON;
}

void http_reply(struct http_req *r, int status, const struct msg_desc *d, const void *obj)
{
    buf_reset(&r->t->out);
    r->status = status;
    r->out_type = NULL;
    codec_encode(&r->t->out, r->out_fmt, d, obj);
}

void http_reply_list(struct http_req *r, const struct msg_desc *d, const void *items, size_t n,
                     const char *next_cursor)
{
    buf_reset(&r->t->out);
    r->status = 200;
    r->out_type = NULL;
    codec_encode_list(&r->t->out, r->out_fmt, d, items, n, next_cursor);
}

void http_reply_raw(struct http_req *r, int status, const char *type, const char *body,
                    size_t len)
{
    buf_reset(&r->t->out);
    r->status = status;
    r->out_type = type;
    buf_add(&r->t->out, body, len);
}

void http_error(struct http_req *r, int status, const char *code, const char *field,
                const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);

    struct msg_error_doc e = {code, message, field && *field ? field : NULL};
    buf_reset(&r->t->out);
    r->status = status;
    r->out_type = NULL;
    if (r->out_fmt == MSG_XML) {
        codec_encode(&r->t->out, MSG_XML, &msg_error_desc, &e);
    } else {
        buf_adds(&r->t->out, "{\"error\":");
        struct buf tmp;
        buf_init(&tmp);
        codec_encode(&tmp, MSG_JSON, &msg_error_desc, &e);
        buf_add(&r->t->out, tmp.data, tmp.len);
        buf_free(&tmp);
        buf_addc(&r->t->out, '}');
    }
}

void http_db_error(struct http_req *r, enum db_status st)
{
    if (st == DB_UNAVAILABLE)
        http_error(r, 503, "unavailable", NULL,
                   "the database is unavailable; nothing was written, retry later");
    else if (st == DB_SERIALIZATION)
        http_error(r, 503, "unavailable", NULL, "a concurrent change interfered; retry");
    else
        http_error(r, 500, "internal", NULL, "internal error (request id %s)", r->request_id);
}

const char *http_header(struct http_req *r, const char *param)
{
    return r->envp ? FCGX_GetParam(param, r->envp) : NULL;
}

const char *http_param(struct http_req *r, size_t i)
{
    return i < r->match.nparams ? r->match.params[i] : "";
}

const char *http_query(struct http_req *r, const char *name)
{
    size_t nl = strlen(name);
    const char *p = r->query;
    while (p && *p) {
        size_t seg = strcspn(p, "&");
        if (seg > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            /* '+' means a space in a query; a raw '+' in a phone is written %2B */
            char *raw = arena_strndup(r->arena, p + nl + 1, seg - nl - 1);
            for (char *c = raw; *c; c++)
                if (*c == '+')
                    *c = ' ';
            const char *out;
            return router_unescape(raw, strlen(raw), r->arena, &out) ? out : NULL;
        }
        p += seg;
        if (*p == '&')
            p++;
    }
    return NULL;
}

static bool http_type_is(const char *ct, const char *type)
{
    size_t n = strlen(type);
    return strncasecmp(ct, type, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

bool http_decode(struct http_req *r, const struct msg_desc *d, void *out)
{
    struct msg_error err = {0};
    enum msg_format f;
    memset(out, 0, d->size);
    if (!r->body || r->body_len == 0) {
        /* an empty body is an empty message */
        for (size_t i = 0; i < d->nfields; i++)
            if (d->fields[i].flags & MSG_REQUIRED) {
                http_error(r, 400, "missing_field", d->fields[i].name, "%s is required",
                           d->fields[i].name);
                return false;
            }
        return true;
    }
    if (http_type_is(r->content_type, "application/json"))
        f = MSG_JSON;
    else if (http_type_is(r->content_type, "application/xml") ||
             http_type_is(r->content_type, "text/xml"))
        f = MSG_XML;
    else {
        http_error(r, 415, "unsupported_media_type", NULL,
                   "the body must be application/json or application/xml");
        return false;
    }
    if (!codec_decode(f, r->body, r->body_len, d, out, r->arena, &err)) {
        http_error(r, 400, err.code, err.field, "%s", err.message);
        return false;
    }
    return true;
}
