/* test_cardno.c: card number syntax (4..32 of [0-9A-Za-z-]), EAN-13 and Luhn check digits,
 * numbering of the virtual card range. */
#include <inttypes.h>

#include "check.h"
#include "codec/cardno.h"
#include "tests.h"

static void test_cardno_valid(void)
{
    static const char *const good[] = {
        "1234", "ABCD", "abcd", "abcd-1234", "0000", "----", "2000000000015",
        "12345678901234567890123456789012", /* 32 */
    };
    static const char *const bad[] = {
        "", "123", "123456789012345678901234567890123", /* 33 */
        "12 34", "12_34", "12.34", "1234/", "/1234", "12+34", "абвг", "12345\n", "1234\t",
        "12%41", "ÄÖÜß",
    };
    for (size_t i = 0; i < T_NELEM(good); i++)
        T_TRUE_C(good[i], cardno_valid(good[i]));
    for (size_t i = 0; i < T_NELEM(bad); i++)
        T_TRUE_C(bad[i], !cardno_valid(bad[i]));
    T_TRUE(!cardno_valid(NULL));
}

static void test_cardno_ean13(void)
{
    /* real barcodes: the Wikipedia EAN-13 examples, an ISBN-13, the default virtual range */
    static const char *const good[] = {"4006381333931", "5901234123457", "9780306406157",
                                       "4600051000057", "2000000000015", "2999999999991",
                                       "9999999999994", "0000000000000"};
    static const char *const bad[] = {"4006381333932", "5901234123450", "400638133393",
                                      "40063813339311", "400638133393a", "a006381333931",
                                      "4006381 33931", "", "2999999999999"};
    for (size_t i = 0; i < T_NELEM(good); i++)
        T_TRUE_C(good[i], cardno_ean13_valid(good[i]));
    for (size_t i = 0; i < T_NELEM(bad); i++)
        T_TRUE_C(bad[i], !cardno_ean13_valid(bad[i]));
    T_TRUE(!cardno_ean13_valid(NULL));

    T_INT(cardno_ean13_check_digit("400638133393"), '1');
    T_INT(cardno_ean13_check_digit("590123412345"), '7');
    T_INT(cardno_ean13_check_digit("978030640615"), '7');
    T_INT(cardno_ean13_check_digit("000000000000"), '0');
    T_INT(cardno_ean13_check_digit("40063813339x"), 0);
    T_INT(cardno_ean13_check_digit("123"), 0);
}

static void test_cardno_ean13_nth(void)
{
    static const struct { const char *first; uint64_t n; const char *want; } rows[] = {
        {"2000000000015", 0, "2000000000015"},
        {"2000000000015", 1, "2000000000022"},
        {"2000000000015", 2, "2000000000039"},
        {"2000000000015", 9, "2000000000107"},
        {"2000000000015", 1000000, "2000010000012"},
        {"9999999999994", 0, "9999999999994"},
        {"2999999999999", 0, "2999999999991"},
    };
    for (size_t i = 0; i < T_NELEM(rows); i++) {
        char out[14], ctx[64];
        snprintf(ctx, sizeof(ctx), "%s + %" PRIu64, rows[i].first, rows[i].n);
        bool ok = cardno_ean13_nth(rows[i].first, rows[i].n, out, sizeof(out));
        T_TRUE_C(ctx, ok);
        if (ok)
            T_STR_C(ctx, out, rows[i].want);
    }
    /* every number of a range is a valid EAN-13, and they are distinct and increasing */
    char prev[14] = "";
    for (uint64_t n = 0; n < 2000; n++) {
        char out[14];
        CU_ASSERT_TRUE_FATAL(cardno_ean13_nth("2000000000015", n, out, sizeof(out)));
        T_TRUE_C(out, cardno_ean13_valid(out));
        T_TRUE_C(out, strcmp(prev, out) < 0);
        memcpy(prev, out, sizeof(prev));
    }
}

static void test_cardno_ean13_nth_refused(void)
{
    char out[14];
    /* the range is used up past 999999999999 */
    T_TRUE(!cardno_ean13_nth("9999999999994", 1, out, sizeof(out)));
    T_TRUE(!cardno_ean13_nth("2000000000015", 800000000000ULL, out, sizeof(out)));
    T_TRUE(!cardno_ean13_nth("2000000000015", 799999999999ULL, out, sizeof(out)));
    T_TRUE(cardno_ean13_nth("2000000000015", 799999999998ULL, out, sizeof(out)));
    T_STR(out, "9999999999994");
    /* the range is used up for any n, however large: no unsigned wrap-around */
    T_TRUE(!cardno_ean13_nth("2000000000015", UINT64_MAX, out, sizeof(out)));
    T_TRUE(!cardno_ean13_nth("2000000000015", UINT64_MAX - 199999999999ULL, out, sizeof(out)));
    /* bad first numbers and buffers */
    T_TRUE(!cardno_ean13_nth("20000000000", 0, out, sizeof(out)));
    T_TRUE(!cardno_ean13_nth("20000000000x5", 0, out, sizeof(out)));
    T_TRUE(!cardno_ean13_nth(NULL, 0, out, sizeof(out)));
    T_TRUE(!cardno_ean13_nth("2000000000015", 0, out, 13));
}

static void test_cardno_luhn(void)
{
    static const struct { const char *payload; char want; } rows[] = {
        {"7992739871", '3'},        /* 79927398713 */
        {"411111111111111", '1'},   /* 4111111111111111 */
        {"555555555555444", '4'},   /* 5555555555554444 */
        {"37828224631000", '5'},    /* 378282246310005 */
        {"1", '8'},                 /* 18 */
        {"0", '0'},
    };
    for (size_t i = 0; i < T_NELEM(rows); i++)
        T_INT_C(rows[i].payload, cardno_luhn_check_digit(rows[i].payload), rows[i].want);
    T_INT(cardno_luhn_check_digit("79927a9871"), 0);
    T_INT(cardno_luhn_check_digit("7992739871 "), 0);
}

int test_cardno_register(void)
{
    static const struct t_case cases[] = {
        {"card number syntax", test_cardno_valid},
        {"EAN-13 check digits", test_cardno_ean13},
        {"n-th number of a virtual range", test_cardno_ean13_nth},
        {"exhausted or bad ranges", test_cardno_ean13_nth_refused},
        {"Luhn check digits", test_cardno_luhn},
        {NULL, NULL},
    };
    return t_register("cardno", cases);
}
