/* http: the integration tests' HTTP client (libcurl). Responses are parsed with json-c and
 * libxml2 only, never through the server's own codec, and every XML response is validated
 * against the XSD that the server serves for its root element. */
#ifndef IT_HTTP_H
#define IT_HTTP_H

#include <json-c/json.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_EXTRA 6

/* One request. Strings may be NULL (not sent). */
struct http_call {
    const char *method;                 /* GET when NULL */
    const char *url;                    /* absolute, or a path appended to it_origin() */
    const char *auth;                   /* the whole Authorization value ("Bearer …") */
    const char *accept;                 /* Accept header */
    const char *content_type;           /* Content-Type of the body */
    const char *body;                   /* request body */
    size_t body_len;                    /* its length; strlen(body) when 0 */
    const char *extra[HTTP_MAX_EXTRA];  /* more "Name: value" header lines */
    bool no_validate;                   /* do not XSD-validate an XML answer (schema fetches) */
    long timeout_ms;                    /* 0: 30 s */
};

/* One response. */
struct http_resp {
    long status;              /* HTTP status, 0 when the transfer failed */
    int curl_code;            /* CURLcode of the transfer */
    char curl_error[256];     /* libcurl's message when it failed */
    char *body;               /* response body, NUL-terminated (malloc) */
    size_t len;               /* body length */
    char content_type[128];   /* Content-Type */
    char request_id[128];     /* X-Request-Id (the last one) */
    int n_request_id;         /* how many X-Request-Id headers came */
    char x_cache[32];         /* X-Cache */
    char retry_after[32];     /* Retry-After */
    bool is_json;             /* Content-Type is application/json */
    bool is_xml;              /* Content-Type is application/xml or text/xml */
    json_object *json;        /* the parsed JSON body, NULL when not JSON or unparseable */
    xmlDoc *xml;              /* the parsed XML body, NULL when not XML or unparseable */
    bool xsd_checked;         /* XML was validated against its XSD */
    bool xsd_ok;              /* … and the validation succeeded */
    char xsd_error[512];      /* why the validation failed */
    char what[160];           /* "POST /api/v1/clients" for messages */
};

/* Process-wide set-up and tear-down (curl_global_init, xmlInitParser). */
void http_global_init(void);
void http_global_cleanup(void);
/* Release the calling thread's cached curl handle. */
void http_thread_done(void);

/* Perform a request; false when the transfer itself failed (r->status == 0). */
bool http_exec(const struct http_call *c, struct http_resp *r);
/* Free what a response holds (it may be reused afterwards). */
void http_resp_free(struct http_resp *r);

/* Shorthands over it_origin(). */
bool http_get(struct http_resp *r, const char *path, const char *auth, const char *accept);
bool http_send(struct http_resp *r, const char *method, const char *path, const char *auth,
               const char *accept, const char *content_type, const char *body);

/* XSD validation of a document against /api/v1/schema/{root}.xsd (fetched once per root
 * and origin-independent); err gets the reason on failure. */
bool xsd_validate(xmlDoc *doc, char *err, size_t n);
/* How many XML responses were validated / failed so far. */
void xsd_counts(unsigned long *validated, unsigned long *failed);

/* JSON access by dotted path ("client.id", "items.0.id"); NULL when absent or null. */
json_object *jpath(json_object *o, const char *path);
const char *jstr(json_object *o, const char *path);
long long jint(json_object *o, const char *path);   /* -1 when absent */
/* The JSON text of a value as written by the server (numbers keep their spelling). */
const char *jtext(json_object *o, const char *path);

/* XML access: the text of the first element reached by a dotted path below the root. */
const char *xtext(xmlDoc *doc, const char *path, char *buf, size_t n);

#endif
