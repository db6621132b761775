/* test_time.c: calendar dates "YYYY-MM-DD" (1900..2999) and RFC 3339 date-times. */
#include "check.h"
#include "codec/timefmt.h"
#include "tests.h"

static void test_date_valid(void)
{
    static const char *const good[] = {
        "2024-02-29", "2000-02-29", "2026-11-26", "1900-01-01", "2999-12-31", "2026-01-31",
        "2026-04-30", "2026-12-31", "2026-02-28",
    };
    static const char *const bad[] = {
        "2023-02-29", "1900-02-29", "2100-02-29", "2026-13-01", "2026-00-10", "2026-01-00",
        "2026-01-32", "2026-04-31", "2026-06-31", "1899-12-31", "3000-01-01", "2026-1-01",
        "2026-01-1", "26-01-01", "2026/01/01", "2026.01.01", "20260101", "2026-01-01x",
        "2026-01-01T00:00:00Z", " 2026-01-01", "2026-01-01 ", "", "abcd-ef-gh", "２０２６-01-01",
        "2026-0a-01", "+2026-01-01",
    };
    for (size_t i = 0; i < T_NELEM(good); i++)
        T_TRUE_C(good[i], timefmt_date_valid(good[i]));
    for (size_t i = 0; i < T_NELEM(bad); i++)
        T_TRUE_C(bad[i], !timefmt_date_valid(bad[i]));
    T_TRUE(!timefmt_date_valid(NULL));
}

static void test_datetime_valid(void)
{
    static const char *const good[] = {
        "2026-11-26T10:15:00+03:00",
        "2026-11-26T10:15:00Z",
        "2026-11-26T10:15:00z",
        "2026-11-26t10:15:00Z",
        "2026-11-26 10:15:00Z",        /* RFC 3339 allows a space */
        "2026-11-26T10:15:00.5Z",
        "2026-11-26T10:15:00.123456+03:00",
        "2026-11-26T10:15:00-05:30",
        "2026-11-26T23:59:59+14:00",
        "2026-11-26T00:00:00-00:00",
        "2024-02-29T12:00:00Z",
        "2016-12-31T23:59:60Z",        /* leap second */
    };
    static const char *const bad[] = {
        "2026-11-26T10:15:00",         /* no offset */
        "2026-11-26",
        "2026-11-26T10:15Z",
        "2026-11-26T10:15:00ZZ",
        "2026-11-26T10:15:00.Z",
        "2026-11-26T10:15:00.+03:00",
        "2026-11-26T10:15:00+3:00",
        "2026-11-26T10:15:00+0300",
        "2026-11-26T10:15:00+03",
        "2026-11-26T10:15:00+03:00x",
        "2026-11-26T10:15:00+24:00",
        "2026-11-26T10:15:00+03:60",
        "2026-11-26T24:00:00Z",
        "2026-11-26T10:60:00Z",
        "2026-11-26T10:15:61Z",
        "2026-11-26X10:15:00Z",
        "2026-11-26T10-15-00Z",
        "2026-11-26T1:15:00Z",
        "2023-02-29T10:15:00Z",
        "2026-13-26T10:15:00Z",
        "1899-12-31T23:59:59Z",
        "2026-11-26T10:15:00 +03:00",
        " 2026-11-26T10:15:00Z",
        "",
        "now",
        "1732605300",
    };
    for (size_t i = 0; i < T_NELEM(good); i++)
        T_TRUE_C(good[i], timefmt_datetime_valid(good[i]));
    for (size_t i = 0; i < T_NELEM(bad); i++)
        T_TRUE_C(bad[i], !timefmt_datetime_valid(bad[i]));
    T_TRUE(!timefmt_datetime_valid(NULL));
}

int test_time_register(void)
{
    static const struct t_case cases[] = {
        {"dates", test_date_valid},
        {"RFC 3339 date-times", test_datetime_valid},
        {NULL, NULL},
    };
    return t_register("time", cases);
}
