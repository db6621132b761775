/* msg: message descriptors. One table per message drives the JSON and XML decoders,
 * validation, both encoders and the XSD (see codec/json.c, codec/xml.c, codec/xsd.c). */
#ifndef LOYALTY_MSG_H
#define LOYALTY_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/decimal.h"
#include "util/arena.h"
#include "util/buf.h"

/* The value kinds a message field can hold, and their C storage. */
enum msg_type {
    MSG_STRING,   /* char * (NULL = absent) */
    MSG_INT,      /* int64_t */
    MSG_BOOL,     /* bool */
    MSG_MONEY,    /* money_t */
    MSG_POINTS,   /* points_t */
    MSG_PERCENT,  /* percent_t */
    MSG_QTY,      /* qty_t */
    MSG_DATE,     /* char * "YYYY-MM-DD" */
    MSG_DATETIME, /* char * RFC 3339 */
    MSG_ENUM,     /* char * one of field.values */
    MSG_OBJECT,   /* void * to a struct of field.sub (NULL = absent) */
    MSG_ARRAY,    /* void * to count structs of field.sub, or char ** when sub is NULL */
    MSG_KV,       /* struct msg_kv * (free-form string map, e.g. attributes) */
    MSG_INTS,     /* int64_t * with a size_t count at count_off (ids) */
};

/* Field flags. */
#define MSG_REQUIRED 0x1u  /* decoding fails with missing_field when absent */
#define MSG_OPTIONAL 0x2u  /* scalar with a presence flag at set_off (null when false) */
#define MSG_NULLABLE 0x4u  /* array emitted as null (not []) when its pointer is NULL */

/* A free-form map of string keys to string values. */
struct msg_kv {
    size_t n;     /* number of pairs */
    char **keys;  /* keys, XML element names */
    char **vals;  /* values as text */
};

struct msg_desc;

/* One member of a message. */
struct msg_field {
    const char *name;               /* JSON member and XML element name */
    enum msg_type type;             /* value kind */
    size_t off;                     /* offset of the value in the struct */
    size_t set_off;                 /* MSG_OPTIONAL: offset of its bool presence flag */
    size_t count_off;               /* MSG_ARRAY: offset of its size_t element count */
    unsigned flags;                 /* MSG_REQUIRED, MSG_OPTIONAL, MSG_NULLABLE */
    const struct msg_desc *sub;     /* MSG_OBJECT / MSG_ARRAY element message */
    int64_t min, max;               /* range (numbers, in minor units) or length (strings);
                                       both 0 = type default */
    const char *const *values;      /* MSG_ENUM: NULL-terminated allowed values */
    const char *item;               /* MSG_ARRAY: XML item element (NULL = by rule) */
};

/* A message: a named struct layout. */
struct msg_desc {
    const char *name;               /* XML root and XSD type name */
    const struct msg_field *fields; /* members in output order */
    size_t nfields;                 /* number of members */
    size_t size;                    /* sizeof the C struct */
};

/* Why a decode failed: maps to an API error. */
struct msg_error {
    const char *code;   /* malformed_body, invalid_field, missing_field */
    char field[128];    /* dotted path, 1-based indexes, "" when none */
    char message[256];  /* human text */
};

/* Response / request formats. */
enum msg_format { MSG_JSON, MSG_XML };

#define MSG_FIELDS(arr) (arr), (sizeof(arr) / sizeof((arr)[0]))
#define MSG_DEPTH_LIMIT 32

/* Decode a body into *out (a zeroed struct of d->size); strings live in arena a.
 * Returns false and fills err on any error. */
bool codec_json_decode(const char *body, size_t len, const struct msg_desc *d, void *out,
                       struct arena *a, struct msg_error *err);
bool codec_xml_decode(const char *body, size_t len, const struct msg_desc *d, void *out,
                      struct arena *a, struct msg_error *err);
bool codec_decode(enum msg_format f, const char *body, size_t len, const struct msg_desc *d,
                  void *out, struct arena *a, struct msg_error *err);

/* Encode one resource as a whole document. */
void codec_encode(struct buf *out, enum msg_format f, const struct msg_desc *d, const void *obj);
/* Encode a list document: {"items":[...],"next_cursor":...} / <list><items><item>… */
void codec_encode_list(struct buf *out, enum msg_format f, const struct msg_desc *d,
                       const void *items, size_t count, const char *next_cursor);
/* The XSD for a message (root element d->name), self-contained. */
void codec_xsd(struct buf *out, const struct msg_desc *d);
/* The XSD of the generic <list> document. */
void codec_xsd_list(struct buf *out);

/* XML item name for an array member ("lines" → "line"). */
const char *codec_item_name(const struct msg_field *f, char *tmp, size_t n);
/* Number of fraction digits of a decimal type, or -1. */
int codec_scale(enum msg_type t);
/* Validate and store one scalar given as text (shared by both decoders). */
bool codec_set_text(const struct msg_field *f, void *obj, const char *text,
                    struct arena *a, struct msg_error *err, const char *path);
/* Field path helpers */
void codec_path(char *out, size_t n, const char *prefix, const char *name);
void codec_err(struct msg_error *err, const char *code, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Access helpers */
#define MSG_AT(obj, off, type) ((type *)((char *)(obj) + (off)))

#endif
