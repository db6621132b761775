/* fixture.h: the codec tests' own message descriptors (one field of every kind), helpers to
 * decode and to expect an error, field-by-field comparison, and a generator that fills any
 * descriptor with valid sample data. */
#ifndef LOYALTY_UNIT_FIXTURE_H
#define LOYALTY_UNIT_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/msg.h"

/* a nested object */
struct tf_inner {
    const char *city;  /* string */
    bool flag;         /* boolean */
    int64_t n;         /* positive integer (type default range) */
};

/* an element of an array of objects */
struct tf_line {
    int64_t line_no;   /* required, 1..1000 */
    const char *sku;   /* string */
    qty_t qty;         /* required, 0.001..1000000 */
    money_t price;     /* required */
    money_t amount;    /* optional … */
    bool has_amount;   /* … presence */
};

/* one member of every kind */
struct tf_msg {
    const char *name;       /* required string 1..20 */
    int64_t count;          /* integer -5..100 */
    bool active;            /* boolean */
    money_t total;          /* money, non-negative (type default) */
    points_t points;        /* points, signed */
    percent_t discount;     /* percent 0..100 */
    qty_t weight;           /* quantity */
    const char *day;        /* date */
    const char *at;         /* date-time */
    const char *color;      /* enum red|green|blue */
    struct tf_inner *inner; /* object */
    struct tf_line *lines;  /* array of objects, 1..5 */
    size_t nlines;          /* its count */
    char **tags;            /* array of strings, at most 3 */
    size_t ntags;           /* its count */
    struct msg_kv *attrs;   /* free-form map */
    money_t bonus;          /* optional money … */
    bool has_bonus;         /* … presence */
    int64_t *ids;           /* integer array */
    size_t nids;            /* its count */
    char **slip;            /* array of strings, item "text" */
    size_t nslip;           /* its count */
};

extern const struct msg_desc tf_msg_desc;    /* root "t" */
extern const struct msg_desc tf_line_desc;   /* "line" */

/* a small message for exact output strings */
struct tf_small {
    int64_t id;              /* integer */
    const char *name;        /* string */
    money_t total;           /* money */
    qty_t qty;               /* quantity */
    bool ok;                 /* boolean */
    const char *note;        /* string, absent in the sample */
    money_t opt;             /* optional money, absent in the sample … */
    bool has_opt;            /* … presence */
    points_t balance;        /* signed points */
    percent_t pct;           /* percent */
    char **tags;             /* array of strings */
    size_t ntags;            /* its count */
    struct tf_line *lines;   /* array of objects */
    size_t nlines;           /* its count */
    struct tf_inner *inner;  /* object, absent in the sample */
};

extern const struct msg_desc tf_small_desc;  /* root "small" */

/* Fill m with a complete sample (every member present); storage is static or in a. */
void tf_msg_sample(struct tf_msg *m, struct arena *a);
/* Compare two decoded tf_msg field by field (CUnit assertions named by ctx). */
void tf_msg_compare(const struct tf_msg *got, const struct tf_msg *want, const char *ctx);

/* Decode body (len = strlen when SIZE_MAX) into a zeroed out of d->size. */
bool t_decode(enum msg_format f, const char *body, size_t len, const struct msg_desc *d,
              void *out, struct arena *a, struct msg_error *err);
/* Assert that decoding body fails with code and field ("" = no field); ctx names the case
 * (NULL: the body itself). Failures are reported at the caller's line. */
#define t_expect_error(...) t_expect_error_at(__FILE__, __LINE__, __VA_ARGS__)
void t_expect_error_at(const char *file, unsigned line, enum msg_format f, const char *body,
                       size_t len, const struct msg_desc *d, const char *code, const char *field,
                       const char *ctx);
/* Assert that decoding body succeeds; returns the success. */
#define t_expect_ok(...) t_expect_ok_at(__FILE__, __LINE__, __VA_ARGS__)
bool t_expect_ok_at(const char *file, unsigned line, enum msg_format f, const char *body,
                    size_t len, const struct msg_desc *d, void *out, struct arena *a,
                    const char *ctx);

/* Generic sample data: a struct of d->size in a with every member present and valid
 * (two elements per array, two pairs per map), so that it survives a decode. */
void *t_sample(const struct msg_desc *d, struct arena *a);

/* Encode obj with d into a fresh arena string. */
char *t_encode(enum msg_format f, const struct msg_desc *d, const void *obj, struct arena *a);

/* A string of n copies of unit (for nesting and lengths), in a. */
char *t_repeat(struct arena *a, const char *unit, size_t n);

#endif
