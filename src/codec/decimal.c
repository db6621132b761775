#include "codec/decimal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int64_t dec_pow10[] = {1, 10, 100, 1000, 10000};

enum dec_status dec_parse(const char *s, int scale, int64_t *out)
{
    bool neg = false;
    int64_t units = 0, frac = 0;
    int int_digits = 0, frac_digits = 0;

    if (!s || scale < 0 || scale > 4)
        return DEC_SYNTAX;
    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        s++;
    }
    for (; *s >= '0' && *s <= '9'; s++) {
        if (units > DEC_MAX_UNITS)
            return DEC_RANGE;
        units = units * 10 + (*s - '0');
        int_digits++;
    }
    if (*s == '.') {
        s++;
        for (; *s >= '0' && *s <= '9'; s++) {
            if (frac_digits == scale) {
                if (*s != '0')
                    return DEC_PRECISION;
                continue; /* trailing zeros beyond the scale change nothing */
            }
            frac = frac * 10 + (*s - '0');
            frac_digits++;
        }
        if (frac_digits == 0 && int_digits == 0)
            return DEC_SYNTAX;
    }
    if (*s != '\0' || int_digits + frac_digits == 0)
        return DEC_SYNTAX;
    if (units > DEC_MAX_UNITS)
        return DEC_RANGE;
    frac *= dec_pow10[scale - frac_digits];
    int64_t v = units * dec_pow10[scale] + frac;
    *out = neg ? -v : v;
    return DEC_OK;
}

void dec_format(int64_t v, int scale, char *out, size_t n)
{
    uint64_t a = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
    uint64_t p = (uint64_t)dec_pow10[scale];
    if (scale == 0)
        snprintf(out, n, "%s%llu", v < 0 ? "-" : "", (unsigned long long)a);
    else
        snprintf(out, n, "%s%llu.%0*llu", v < 0 ? "-" : "", (unsigned long long)(a / p), scale,
                 (unsigned long long)(a % p));
}

void dec_format_short(int64_t v, int scale, char *out, size_t n)
{
    dec_format(v, scale, out, n);
    char *dot = strchr(out, '.');
    if (!dot)
        return;
    char *end = out + strlen(out) - 1;
    while (end > dot && *end == '0')
        *end-- = '\0';
    if (end == dot)
        *dot = '\0';
}

money_t dec_qty_times_price(qty_t q, money_t price)
{
    /* milli-units × kopecks / 1000, half-up; operands bounded by DEC_MAX_UNITS */
    __int128 p = (__int128)q.milli * price.minor;
    money_t m = {(int64_t)((p + 500) / 1000)};
    return m;
}
