/* decimal: exact fixed-point numbers as integer minor units, never doubles. */
#ifndef LOYALTY_DECIMAL_H
#define LOYALTY_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Money in kopecks (2 fraction digits). */
typedef struct { int64_t minor; /* hundredths of the currency unit */ } money_t;
/* Points in hundredths of a point. */
typedef struct { int64_t minor; /* hundredths of a point */ } points_t;
/* A percentage in hundredths of a percent (5 % = 500). */
typedef struct { int64_t bp; /* hundredths of a percent */ } percent_t;
/* A quantity in thousandths of a unit (weight goods). */
typedef struct { int64_t milli; /* thousandths of a unit */ } qty_t;

/* Outcome of parsing a decimal text. */
enum dec_status {
    DEC_OK = 0,        /* parsed */
    DEC_SYNTAX,        /* not a plain decimal number */
    DEC_PRECISION,     /* more fraction digits than the scale allows */
    DEC_RANGE,         /* magnitude above DEC_MAX_UNITS */
};

/* Largest accepted integer part: 10^13 (keeps products within int64). */
#define DEC_MAX_UNITS 10000000000000LL

/* Parse "-12.5", "129.90", "7" with at most `scale` fraction digits into minor units. */
enum dec_status dec_parse(const char *s, int scale, int64_t *out);
/* Write v (minor units of `scale` digits) with exactly `scale` fraction digits. */
void dec_format(int64_t v, int scale, char *out, size_t n);
/* Write v with trailing fraction zeros removed ("2", "1.5", "0.375"). */
void dec_format_short(int64_t v, int scale, char *out, size_t n);
/* qty × price rounded half-up to the kopeck (both non-negative). */
money_t dec_qty_times_price(qty_t q, money_t price);

#endif
