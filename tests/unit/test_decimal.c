/* test_decimal.c: exact decimals (API.md §2): parsing with a scale, formatting with exactly
 * `scale` digits or short (quantities), qty × price half-up on the exact product. */
#include <stdint.h>

#include "check.h"
#include "codec/decimal.h"
#include "tests.h"

struct dec_row {
    const char *in;          /* text */
    int scale;               /* fraction digits allowed */
    enum dec_status status;  /* expected outcome */
    int64_t value;           /* expected minor units when DEC_OK */
};

static const struct dec_row dec_rows[] = {
    /* money and points: scale 2 */
    {"129.9", 2, DEC_OK, 12990},
    {"129.90", 2, DEC_OK, 12990},
    {"0.05", 2, DEC_OK, 5},
    {"-1.5", 2, DEC_OK, -150},
    {"7", 2, DEC_OK, 700},
    {".5", 2, DEC_OK, 50},
    {"5.", 2, DEC_OK, 500},
    {"0", 2, DEC_OK, 0},
    {"-0", 2, DEC_OK, 0},
    {"0.00", 2, DEC_OK, 0},
    {"000123.40", 2, DEC_OK, 12340},
    {"1.500", 2, DEC_OK, 150},         /* zeros past the scale change nothing (docs/api.md) */
    {"1.2300000", 2, DEC_OK, 123},
    {"10000000000000", 2, DEC_OK, 1000000000000000LL}, /* DEC_MAX_UNITS itself */
    {"-10000000000000", 2, DEC_OK, -1000000000000000LL},
    /* quantities: scale 3 */
    {"0.375", 3, DEC_OK, 375},
    {"2", 3, DEC_OK, 2000},
    {"1.5", 3, DEC_OK, 1500},
    {"0.001", 3, DEC_OK, 1},
    {"1.0001", 3, DEC_PRECISION, 0},
    /* integers: scale 0 */
    {"42", 0, DEC_OK, 42},
    {"42.0", 0, DEC_OK, 42},
    {"4.2", 0, DEC_PRECISION, 0},
    /* refusals */
    {"1.234", 2, DEC_PRECISION, 0},
    {"0.001", 2, DEC_PRECISION, 0},
    {"-0.125", 2, DEC_PRECISION, 0},
    {"1e2", 2, DEC_SYNTAX, 0},
    {"1E2", 2, DEC_SYNTAX, 0},
    {"", 2, DEC_SYNTAX, 0},
    {"-", 2, DEC_SYNTAX, 0},
    {".", 2, DEC_SYNTAX, 0},
    {"-.", 2, DEC_SYNTAX, 0},
    {"abc", 2, DEC_SYNTAX, 0},
    {"1.2.3", 2, DEC_SYNTAX, 0},
    {" 1", 2, DEC_SYNTAX, 0},
    {"1 ", 2, DEC_SYNTAX, 0},
    {"1,5", 2, DEC_SYNTAX, 0},
    {"0x10", 2, DEC_SYNTAX, 0},
    {"--1", 2, DEC_SYNTAX, 0},
    {"1-", 2, DEC_SYNTAX, 0},
    {"NaN", 2, DEC_SYNTAX, 0},
    {"Infinity", 2, DEC_SYNTAX, 0},
    {"12a", 2, DEC_SYNTAX, 0},
    {"10000000000001", 2, DEC_RANGE, 0},
    {"99999999999999999999", 2, DEC_RANGE, 0},
    {"-99999999999999999999", 2, DEC_RANGE, 0},
    {"123456789012345678901234567890.5", 2, DEC_RANGE, 0},
    {"99999999999999999999999999999999999999999999999999", 3, DEC_RANGE, 0},
};

static void test_dec_parse_table(void)
{
    for (size_t i = 0; i < T_NELEM(dec_rows); i++) {
        const struct dec_row *r = &dec_rows[i];
        char ctx[128];
        int64_t v = -777;
        snprintf(ctx, sizeof(ctx), "dec_parse(\"%s\", %d)", r->in, r->scale);
        enum dec_status st = dec_parse(r->in, r->scale, &v);
        T_INT_C(ctx, st, r->status);
        if (r->status == DEC_OK && st == DEC_OK)
            T_INT_C(ctx, v, r->value);
    }
}

static void test_dec_parse_null_and_bad_scale(void)
{
    int64_t v = 0;
    T_INT(dec_parse(NULL, 2, &v), DEC_SYNTAX);
    T_INT(dec_parse("1", -1, &v), DEC_SYNTAX);
    T_INT(dec_parse("1", 5, &v), DEC_SYNTAX);
}

struct fmt_row {
    int64_t v;         /* minor units */
    int scale;         /* digits */
    const char *full;  /* dec_format */
    const char *shrt;  /* dec_format_short */
};

static const struct fmt_row fmt_rows[] = {
    {12990, 2, "129.90", "129.9"},
    {0, 2, "0.00", "0"},
    {5, 2, "0.05", "0.05"},
    {-50, 2, "-0.50", "-0.5"},
    {-5, 2, "-0.05", "-0.05"},
    {-150, 2, "-1.50", "-1.5"},
    {100, 2, "1.00", "1"},
    {100000, 2, "1000.00", "1000"},
    {INT64_MAX, 2, "92233720368547758.07", "92233720368547758.07"},
    {INT64_MIN, 2, "-92233720368547758.08", "-92233720368547758.08"},
    {2000, 3, "2.000", "2"},
    {1500, 3, "1.500", "1.5"},
    {375, 3, "0.375", "0.375"},
    {10, 3, "0.010", "0.01"},
    {1000000, 3, "1000.000", "1000"},
    {-1500, 3, "-1.500", "-1.5"},
    {42, 0, "42", "42"},
    {-7, 0, "-7", "-7"},
    {0, 0, "0", "0"},
};

static void test_dec_format_table(void)
{
    for (size_t i = 0; i < T_NELEM(fmt_rows); i++) {
        const struct fmt_row *r = &fmt_rows[i];
        char ctx[96], out[64], sh[64];
        snprintf(ctx, sizeof(ctx), "dec_format(%lld, %d)", (long long)r->v, r->scale);
        dec_format(r->v, r->scale, out, sizeof(out));
        T_STR_C(ctx, out, r->full);
        dec_format_short(r->v, r->scale, sh, sizeof(sh));
        T_STR_C(ctx, sh, r->shrt);
    }
}

/* Whatever dec_format writes, dec_parse reads back to the same value. */
static void test_dec_format_parse_roundtrip(void)
{
    static const int64_t vals[] = {0, 1, -1, 9, 10, 99, 100, 101, 12345, -12345, 999999,
                                   1000000000000LL, -1000000000000LL};
    for (int scale = 0; scale <= 3; scale++)
        for (size_t i = 0; i < T_NELEM(vals); i++) {
            char out[64], sh[64], ctx[96];
            int64_t back = 0, back2 = 0;
            snprintf(ctx, sizeof(ctx), "value %lld scale %d", (long long)vals[i], scale);
            dec_format(vals[i], scale, out, sizeof(out));
            dec_format_short(vals[i], scale, sh, sizeof(sh));
            T_INT_C(ctx, dec_parse(out, scale, &back), DEC_OK);
            T_INT_C(ctx, back, vals[i]);
            T_INT_C(ctx, dec_parse(sh, scale, &back2), DEC_OK);
            T_INT_C(ctx, back2, vals[i]);
        }
}

struct mul_row {
    const char *qty;    /* quantity text */
    const char *price;  /* price text */
    const char *want;   /* product, 2 digits */
};

static const struct mul_row mul_rows[] = {
    {"0.333", "10.00", "3.33"},
    {"1.005", "1.00", "1.01"},   /* exact product 1.005 rounds half-up */
    {"0.005", "1.00", "0.01"},
    {"0.004", "1.00", "0.00"},
    {"0.5", "0.01", "0.01"},     /* 0.005 exactly */
    {"0.499", "0.01", "0.00"},
    {"2", "89.90", "179.80"},
    {"1", "820.20", "820.20"},
    {"1.234", "99.99", "123.39"}, /* 123.38766 */
    {"0.375", "1234.56", "462.96"}, /* 462.96 exactly */
    {"0.125", "0.99", "0.12"},   /* 0.12375 */
    {"0.001", "0.01", "0.00"},
    {"3", "0", "0.00"},
    {"0", "100", "0.00"},
    {"999999.999", "99999999.99", "99999999890000.00"}, /* 99999999890000.00000001 */
};

static void test_dec_qty_times_price(void)
{
    for (size_t i = 0; i < T_NELEM(mul_rows); i++) {
        const struct mul_row *r = &mul_rows[i];
        char ctx[96], out[64];
        qty_t q;
        money_t p;
        snprintf(ctx, sizeof(ctx), "%s x %s", r->qty, r->price);
        CU_ASSERT_EQUAL_FATAL(dec_parse(r->qty, 3, &q.milli), DEC_OK);
        CU_ASSERT_EQUAL_FATAL(dec_parse(r->price, 2, &p.minor), DEC_OK);
        dec_format(dec_qty_times_price(q, p).minor, 2, out, sizeof(out));
        T_STR_C(ctx, out, r->want);
    }
}

int test_decimal_register(void)
{
    static const struct t_case cases[] = {
        {"dec_parse table", test_dec_parse_table},
        {"dec_parse NULL and bad scale", test_dec_parse_null_and_bad_scale},
        {"dec_format and dec_format_short", test_dec_format_table},
        {"format then parse gives the value back", test_dec_format_parse_roundtrip},
        {"qty x price half-up", test_dec_qty_times_price},
        {NULL, NULL},
    };
    return t_register("decimal", cases);
}
