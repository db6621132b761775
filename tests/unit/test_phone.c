/* test_phone.c: phone numbers to E.164 (API.md §2, docs/api.md "Phones"): any spelling of a
 * national number of the default country, any international number with "+". */
#include "check.h"
#include "codec/phone.h"
#include "tests.h"

struct phone_row {
    const char *in;       /* as typed */
    const char *country;  /* default country (NULL = RU) */
    const char *want;     /* E.164, or NULL when refused */
};

static const struct phone_row phone_ok_rows[] = {
    /* RU, the default */
    {"8 (999) 123-45-67", "RU", "+79991234567"},
    {"+7 999 123 45 67", "RU", "+79991234567"},
    {"79991234567", "RU", "+79991234567"},
    {"9991234567", "RU", "+79991234567"},
    {"8-916-123-45-67", "RU", "+79161234567"},
    {"+7(916)123.45.67", "RU", "+79161234567"},
    {"8\t916\t1234567", "RU", "+79161234567"},
    {"8 800 555-35-35", "RU", "+78005553535"},
    {"89161234567", NULL, "+79161234567"},
    {"9161234567", NULL, "+79161234567"},
    {"89161234567", "ru", "+79161234567"},
    /* other default countries (the table of phone.c) */
    {"87012345678", "KZ", "+77012345678"},
    {"7012345678", "KZ", "+77012345678"},
    {"80291234567", "BY", "+375291234567"},
    {"8 029 123-45-67", "BY", "+375291234567"},
    {"375291234567", "BY", "+375291234567"},
    {"291234567", "BY", "+375291234567"},
    {"0501234567", "UA", "+380501234567"},
    {"380501234567", "UA", "+380501234567"},
    {"901234567", "UZ", "+998901234567"},
    {"998901234567", "UZ", "+998901234567"},
    {"077123456", "AM", "+37477123456"},
    {"0555123456", "GE", "+995555123456"},
    {"0555123456", "KG", "+996555123456"},
    {"(212) 555-1234", "US", "+12125551234"},
    {"1 212 555 1234", "US", "+12125551234"},
    {"07911 123456", "GB", "+447911123456"},
    {"447911123456", "GB", "+447911123456"},
    {"06 12 34 56 78", "FR", "+33612345678"},
    {"33612345678", "FR", "+33612345678"},
    {"+49 30 1234567", "DE", "+49301234567"},
    /* international numbers whatever the default country */
    {"+375 29 123-45-67", "RU", "+375291234567"},
    {"+44 7911 123456", "BY", "+447911123456"},
    {"+79991234567", "XX", "+79991234567"},
    {"+12345678", "RU", "+12345678"},               /* 8 digits, the shortest */
    {"+123456789012345", "RU", "+123456789012345"}, /* 15 digits, the longest */
};

/* German national numbers: trunk prefix 0 before a 6..13 digit national number.
 * docs/api.md says DE national numbers are understood. */
static const struct phone_row phone_de_rows[] = {
    {"030 1234567", "DE", "+49301234567"},
    {"0170 1234567", "DE", "+491701234567"},
    {"01701234567", "DE", "+491701234567"},
};

static const struct phone_row phone_bad_rows[] = {
    {"12", "RU", NULL},
    {"abc", "RU", NULL},
    {"", "RU", NULL},
    {"+", "RU", NULL},
    {"+0123456789", "RU", NULL},
    {"+7 999", "RU", NULL},
    {"999-12", "RU", NULL},
    {"999123456", "RU", NULL},             /* 9 digits */
    {"8 999 123 45 67 89", "RU", NULL},    /* 13 digits */
    {"09991234567", "RU", NULL},           /* neither trunk nor country code */
    {"0991234567", "RU", NULL},            /* national number starting with 0 */
    {"8 (999) 123-45-6x", "RU", NULL},
    {"++79991234567", "RU", NULL},
    {"7+9991234567", "RU", NULL},
    {"89991234567;", "RU", NULL},
    {"8\n9991234567", "RU", NULL},
    {"+1234567", "RU", NULL},              /* 7 digits */
    {"+1234567890123456", "RU", NULL},     /* 16 digits */
    {"1234567890123456789012345678901234567890", "RU", NULL},
    {"9991234567", "XX", NULL},            /* a national number of an unknown country */
    {"9991234567", "", NULL},
    {"８９９９１２３４５６７", "RU", NULL}, /* full-width digits */
};

static void phone_run(const struct phone_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char out[17] = "untouched";
        char ctx[128];
        snprintf(ctx, sizeof(ctx), "phone_normalize(\"%s\", %s)", rows[i].in,
                 rows[i].country ? rows[i].country : "NULL");
        bool ok = phone_normalize(rows[i].in, rows[i].country, out, sizeof(out));
        T_INT_C(ctx, ok, rows[i].want != NULL);
        if (ok && rows[i].want)
            T_STR_C(ctx, out, rows[i].want);
    }
}

static void test_phone_normalize_ok(void)
{
    phone_run(phone_ok_rows, T_NELEM(phone_ok_rows));
}

static void test_phone_normalize_de_trunk(void)
{
    phone_run(phone_de_rows, T_NELEM(phone_de_rows));
}

static void test_phone_normalize_refused(void)
{
    phone_run(phone_bad_rows, T_NELEM(phone_bad_rows));
}

/* The result needs 17 bytes; a smaller buffer is refused rather than cut. */
static void test_phone_small_buffer(void)
{
    char out[16];
    T_TRUE(!phone_normalize("+79991234567", "RU", out, sizeof(out)));
    T_TRUE(!phone_normalize(NULL, "RU", out, sizeof(out)));
}

static void test_phone_mask(void)
{
    static const struct { const char *in, *want; } rows[] = {
        {"+79991234567", "+7999***4567"},
        {"+375291234567", "+3752***4567"},
        {"+12345678", "+1234***5678"},
        {"+1234567", "+1234567"}, /* too short to hide anything */
    };
    for (size_t i = 0; i < T_NELEM(rows); i++) {
        char out[32];
        phone_mask(rows[i].in, out, sizeof(out));
        T_STR_C(rows[i].in, out, rows[i].want);
    }
}

static void test_phone_country_known(void)
{
    static const char *const known[] = {"RU", "KZ", "BY", "UA", "UZ", "AM", "GE",
                                        "KG", "US", "GB", "DE", "FR", "ru", "de"};
    for (size_t i = 0; i < T_NELEM(known); i++)
        T_TRUE_C(known[i], phone_country_known(known[i]));
    T_TRUE(!phone_country_known("XX"));
    T_TRUE(!phone_country_known(""));
    T_TRUE(!phone_country_known("RUS"));
    T_TRUE(!phone_country_known(NULL));
}

int test_phone_register(void)
{
    static const struct t_case cases[] = {
        {"normalise national and international numbers", test_phone_normalize_ok},
        {"normalise DE national numbers with trunk 0", test_phone_normalize_de_trunk},
        {"refuse what is not a phone", test_phone_normalize_refused},
        {"small buffer and NULL", test_phone_small_buffer},
        {"mask", test_phone_mask},
        {"known countries", test_phone_country_known},
        {NULL, NULL},
    };
    return t_register("phone", cases);
}
