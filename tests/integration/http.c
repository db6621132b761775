/* http.c: libcurl requests, JSON (json-c) and XML (libxml2) parsing, XSD validation. */
#include "http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "it.h"

#define HTTP_XSD_MAX 32

/* One fetched and parsed schema. */
struct http_xsd {
    char root[64];            /* root element name */
    xmlSchema *schema;        /* parsed schema, NULL when it could not be had */
    char error[256];          /* why not */
};

static pthread_mutex_t http_xsd_lock = PTHREAD_MUTEX_INITIALIZER;
static struct http_xsd http_xsds[HTTP_XSD_MAX];
static size_t http_nxsd;
static unsigned long http_xml_validated, http_xml_failed;
static __thread CURL *http_handle;

/* Growing buffer for the body. */
struct http_sink {
    char *data;   /* bytes */
    size_t len;   /* used */
    size_t cap;   /* allocated */
};

static void http_silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

void http_global_init(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    xmlInitParser();
    xmlSetGenericErrorFunc(NULL, http_silent);
}

void http_global_cleanup(void)
{
    for (size_t i = 0; i < http_nxsd; i++)
        if (http_xsds[i].schema)
            xmlSchemaFree(http_xsds[i].schema);
    http_nxsd = 0;
    http_thread_done();
    curl_global_cleanup();
    xmlCleanupParser();
}

void http_thread_done(void)
{
    if (http_handle) {
        curl_easy_cleanup(http_handle);
        http_handle = NULL;
    }
}

static size_t http_on_body(char *p, size_t size, size_t n, void *ud)
{
    struct http_sink *s = ud;
    size_t add = size * n;
    if (s->len + add + 1 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4096;
        while (cap < s->len + add + 1)
            cap *= 2;
        char *d = realloc(s->data, cap);
        if (!d)
            return 0;
        s->data = d;
        s->cap = cap;
    }
    memcpy(s->data + s->len, p, add);
    s->len += add;
    s->data[s->len] = '\0';
    return add;
}

static void http_copy_value(char *dst, size_t n, const char *v, size_t vlen)
{
    while (vlen && isspace((unsigned char)*v)) {
        v++;
        vlen--;
    }
    while (vlen && isspace((unsigned char)v[vlen - 1]))
        vlen--;
    if (vlen >= n)
        vlen = n - 1;
    memcpy(dst, v, vlen);
    dst[vlen] = '\0';
}

static size_t http_on_header(char *p, size_t size, size_t n, void *ud)
{
    struct http_resp *r = ud;
    size_t len = size * n;
    if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
        /* a new header block (after 100 Continue): forget the previous one */
        r->content_type[0] = r->request_id[0] = r->x_cache[0] = r->retry_after[0] = '\0';
        r->n_request_id = 0;
        return len;
    }
    const char *colon = memchr(p, ':', len);
    if (!colon)
        return len;
    size_t nl = (size_t)(colon - p);
    const char *v = colon + 1;
    size_t vlen = len - nl - 1;
    if (nl == 12 && strncasecmp(p, "Content-Type", nl) == 0)
        http_copy_value(r->content_type, sizeof(r->content_type), v, vlen);
    else if (nl == 12 && strncasecmp(p, "X-Request-Id", nl) == 0) {
        http_copy_value(r->request_id, sizeof(r->request_id), v, vlen);
        r->n_request_id++;
    } else if (nl == 7 && strncasecmp(p, "X-Cache", nl) == 0)
        http_copy_value(r->x_cache, sizeof(r->x_cache), v, vlen);
    else if (nl == 11 && strncasecmp(p, "Retry-After", nl) == 0)
        http_copy_value(r->retry_after, sizeof(r->retry_after), v, vlen);
    return len;
}

void http_resp_free(struct http_resp *r)
{
    free(r->body);
    if (r->json)
        json_object_put(r->json);
    if (r->xml)
        xmlFreeDoc(r->xml);
    memset(r, 0, sizeof(*r));
}

static bool http_type_is(const char *ct, const char *type)
{
    size_t n = strlen(type);
    return strncasecmp(ct, type, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static void http_parse_body(struct http_resp *r)
{
    r->is_json = http_type_is(r->content_type, "application/json");
    r->is_xml = http_type_is(r->content_type, "application/xml") ||
                http_type_is(r->content_type, "text/xml");
    if (!r->body || r->len == 0)
        return;
    if (r->is_json) {
        json_tokener *tok = json_tokener_new();
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        r->json = json_tokener_parse_ex(tok, r->body, (int)r->len);
        if (json_tokener_get_error(tok) != json_tokener_success && r->json) {
            json_object_put(r->json);
            r->json = NULL;
        }
        json_tokener_free(tok);
    } else if (r->is_xml) {
        r->xml = xmlReadMemory(r->body, (int)r->len, NULL, NULL,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    }
}

bool http_exec(const struct http_call *c, struct http_resp *r)
{
    struct curl_slist *hdrs = NULL;
    struct http_sink sink = {0};
    char line[1024];
    const char *method = c->method ? c->method : "GET";
    char url[4096];

    memset(r, 0, sizeof(*r));
    if (c->url[0] == '/')
        snprintf(url, sizeof(url), "%s%s", it_origin(), c->url);
    else
        snprintf(url, sizeof(url), "%s", c->url);
    {
        const char *path = c->url[0] == '/' ? c->url : strstr(c->url + 8, "/");
        snprintf(r->what, sizeof(r->what), "%s %.140s", method, path ? path : c->url);
    }
    if (!http_handle)
        http_handle = curl_easy_init();
    CURL *h = http_handle;
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms ? c->timeout_ms : 30000L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L); /* the dev certificate is self-signed */
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, http_on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    if (c->body) {
        size_t n = c->body_len ? c->body_len : strlen(c->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
    } else if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, ""); /* Content-Length: 0 */
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
    }
    hdrs = curl_slist_append(hdrs, "Expect:");
    if (c->auth) {
        snprintf(line, sizeof(line), "Authorization: %s", c->auth);
        hdrs = curl_slist_append(hdrs, line);
    }
    if (c->accept) {
        snprintf(line, sizeof(line), "Accept: %s", c->accept);
        hdrs = curl_slist_append(hdrs, line);
    } else {
        hdrs = curl_slist_append(hdrs, "Accept:"); /* no Accept at all, not curl's default */
    }
    if (c->content_type) {
        snprintf(line, sizeof(line), "Content-Type: %s", c->content_type);
        hdrs = curl_slist_append(hdrs, line);
    } else if (c->body) {
        hdrs = curl_slist_append(hdrs, "Content-Type:");
    }
    for (int i = 0; i < HTTP_MAX_EXTRA && c->extra[i]; i++)
        hdrs = curl_slist_append(hdrs, c->extra[i]);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);

    CURLcode cc = curl_easy_perform(h);
    r->curl_code = (int)cc;
    if (cc != CURLE_OK) {
        snprintf(r->curl_error, sizeof(r->curl_error), "%s",
                 *errbuf ? errbuf : curl_easy_strerror(cc));
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(hdrs);
    r->body = sink.data ? sink.data : calloc(1, 1);
    r->len = sink.len;
    http_parse_body(r);
    if (r->xml && !c->no_validate) {
        r->xsd_checked = true;
        r->xsd_ok = xsd_validate(r->xml, r->xsd_error, sizeof(r->xsd_error));
        pthread_mutex_lock(&http_xsd_lock);
        http_xml_validated++;
        if (!r->xsd_ok)
            http_xml_failed++;
        pthread_mutex_unlock(&http_xsd_lock);
    }
    return cc == CURLE_OK;
}

bool http_get(struct http_resp *r, const char *path, const char *auth, const char *accept)
{
    struct http_call c = {.method = "GET", .url = path, .auth = auth, .accept = accept};
    return http_exec(&c, r);
}

bool http_send(struct http_resp *r, const char *method, const char *path, const char *auth,
               const char *accept, const char *content_type, const char *body)
{
    struct http_call c = {.method = method, .url = path, .auth = auth, .accept = accept,
                          .content_type = content_type, .body = body};
    return http_exec(&c, r);
}

/* ------------------------------------------------------------------ XSD -- */

static void http_schema_error(void *ctx, const char *fmt, ...)
{
    char *err = ctx;
    size_t used = strlen(err);
    if (used + 1 >= 256)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + used, 256 - used, fmt, ap);
    va_end(ap);
}

/* The schema for a root element; fetched from the server once. Call with the lock held. */
static struct http_xsd *http_xsd_get(const char *root)
{
    for (size_t i = 0; i < http_nxsd; i++)
        if (strcmp(http_xsds[i].root, root) == 0)
            return &http_xsds[i];
    if (http_nxsd == HTTP_XSD_MAX)
        return NULL;
    struct http_xsd *x = &http_xsds[http_nxsd++];
    memset(x, 0, sizeof(*x));
    snprintf(x->root, sizeof(x->root), "%s", root);

    char path[128];
    snprintf(path, sizeof(path), "%s/api/v1/schema/%s.xsd", E.http_url, root);
    struct http_call c = {.url = path, .auth = it_auth("admin"), .no_validate = true};
    struct http_resp r;
    http_exec(&c, &r);
    if (r.status != 200 || !r.body || !r.len) {
        snprintf(x->error, sizeof(x->error), "GET /api/v1/schema/%s.xsd answered %ld", root,
                 r.status);
        http_resp_free(&r);
        return x;
    }
    xmlSchemaParserCtxt *pc = xmlSchemaNewMemParserCtxt(r.body, (int)r.len);
    if (pc) {
        xmlSchemaSetParserErrors(pc, http_schema_error, http_schema_error, x->error);
        x->schema = xmlSchemaParse(pc);
        xmlSchemaFreeParserCtxt(pc);
    }
    if (!x->schema && !x->error[0])
        snprintf(x->error, sizeof(x->error), "the XSD for %s does not parse", root);
    http_resp_free(&r);
    return x;
}

bool xsd_validate(xmlDoc *doc, char *err, size_t n)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root) {
        snprintf(err, n, "no root element");
        return false;
    }
    bool ok = false;
    pthread_mutex_lock(&http_xsd_lock);
    struct http_xsd *x = http_xsd_get((const char *)root->name);
    if (!x) {
        snprintf(err, n, "too many schemas");
    } else if (!x->schema) {
        snprintf(err, n, "no schema for <%s>: %s", root->name, x->error);
    } else {
        char verr[256] = "";
        xmlSchemaValidCtxt *vc = xmlSchemaNewValidCtxt(x->schema);
        xmlSchemaSetValidErrors(vc, http_schema_error, http_schema_error, verr);
        int rc = xmlSchemaValidateDoc(vc, doc);
        xmlSchemaFreeValidCtxt(vc);
        ok = rc == 0;
        if (!ok)
            snprintf(err, n, "<%s> does not validate against %s.xsd: %s", root->name, root->name,
                     verr);
    }
    pthread_mutex_unlock(&http_xsd_lock);
    return ok;
}

void xsd_counts(unsigned long *validated, unsigned long *failed)
{
    pthread_mutex_lock(&http_xsd_lock);
    *validated = http_xml_validated;
    *failed = http_xml_failed;
    pthread_mutex_unlock(&http_xsd_lock);
}

/* ---------------------------------------------------------------- access -- */

json_object *jpath(json_object *o, const char *path)
{
    char seg[128];
    const char *p = path;
    while (o && *p) {
        size_t n = strcspn(p, ".");
        if (n >= sizeof(seg))
            return NULL;
        memcpy(seg, p, n);
        seg[n] = '\0';
        p += n;
        if (*p == '.')
            p++;
        if (json_object_is_type(o, json_type_array)) {
            char *end;
            long i = strtol(seg, &end, 10);
            if (*end || i < 0 || (size_t)i >= json_object_array_length(o))
                return NULL;
            o = json_object_array_get_idx(o, (size_t)i);
        } else if (json_object_is_type(o, json_type_object)) {
            json_object *v = NULL;
            if (!json_object_object_get_ex(o, seg, &v))
                return NULL;
            o = v;
        } else {
            return NULL;
        }
    }
    return o;
}

const char *jstr(json_object *o, const char *path)
{
    json_object *v = jpath(o, path);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

long long jint(json_object *o, const char *path)
{
    json_object *v = jpath(o, path);
    return v && json_object_is_type(v, json_type_int) ? (long long)json_object_get_int64(v) : -1;
}

const char *jtext(json_object *o, const char *path)
{
    json_object *v = jpath(o, path);
    if (!v)
        return NULL;
    if (json_object_is_type(v, json_type_string))
        return json_object_get_string(v);
    return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

const char *xtext(xmlDoc *doc, const char *path, char *buf, size_t n)
{
    xmlNode *x = doc ? xmlDocGetRootElement(doc) : NULL;
    const char *p = path;
    while (x && *p) {
        size_t len = strcspn(p, ".");
        xmlNode *found = NULL;
        for (xmlNode *c = x->children; c && !found; c = c->next)
            if (c->type == XML_ELEMENT_NODE && strlen((const char *)c->name) == len &&
                strncmp((const char *)c->name, p, len) == 0)
                found = c;
        x = found;
        p += len;
        if (*p == '.')
            p++;
    }
    if (!x)
        return NULL;
    xmlChar *t = xmlNodeGetContent(x);
    snprintf(buf, n, "%s", t ? (const char *)t : "");
    xmlFree(t);
    return buf;
}
