#include "codec/timefmt.h"

#include <ctype.h>
#include <string.h>

static bool timefmt_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool timefmt_ymd(const char *s, int *y, int *m, int *d)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!timefmt_digits(s, 4, y) || s[4] != '-' || !timefmt_digits(s + 5, 2, m) || s[7] != '-' ||
        !timefmt_digits(s + 8, 2, d))
        return false;
    if (*y < 1900 || *y > 2999 || *m < 1 || *m > 12 || *d < 1)
        return false;
    bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
    int max = days[*m - 1] + (*m == 2 && leap);
    return *d <= max;
}

bool timefmt_date_valid(const char *s)
{
    int y, m, d;
    return s && strlen(s) == 10 && timefmt_ymd(s, &y, &m, &d);
}

bool timefmt_datetime_valid(const char *s)
{
    int y, mo, d, h, mi, sec, oh, om;
    if (!s || strlen(s) < 20 || !timefmt_ymd(s, &y, &mo, &d))
        return false;
    if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !timefmt_digits(s + 11, 2, &h) ||
        s[13] != ':' || !timefmt_digits(s + 14, 2, &mi) || s[16] != ':' ||
        !timefmt_digits(s + 17, 2, &sec))
        return false;
    if (h > 23 || mi > 59 || sec > 60)
        return false;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
        return true;
    if ((*p != '+' && *p != '-') || strlen(p) != 6 || !timefmt_digits(p + 1, 2, &oh) ||
        p[3] != ':' || !timefmt_digits(p + 4, 2, &om))
        return false;
    return oh <= 23 && om <= 59;
}
