#include "codec/cardno.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

bool cardno_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 4 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-')
            return false;
    return true;
}

char cardno_ean13_check_digit(const char *s12)
{
    int sum = 0;
    for (int i = 0; i < 12; i++) {
        if (!isdigit((unsigned char)s12[i]))
            return 0;
        sum += (s12[i] - '0') * (i % 2 ? 3 : 1);
    }
    return (char)('0' + (10 - sum % 10) % 10);
}

bool cardno_ean13_valid(const char *s)
{
    if (!s || strlen(s) != 13)
        return false;
    char c = cardno_ean13_check_digit(s);
    return c && c == s[12];
}

char cardno_luhn_check_digit(const char *digits)
{
    size_t n = strlen(digits);
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = digits[n - 1 - i];
        if (!isdigit((unsigned char)ch))
            return 0;
        int d = ch - '0';
        if (i % 2 == 0) { /* doubled: the rightmost payload digit sits next to the check digit */
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    return (char)('0' + (10 - sum % 10) % 10);
}

bool cardno_ean13_nth(const char *first, uint64_t n, char *out, size_t outlen)
{
    unsigned long long base = 0;
    if (!first || strlen(first) < 12 || outlen < 14)
        return false;
    for (int i = 0; i < 12; i++) {
        if (!isdigit((unsigned char)first[i]))
            return false;
        base = base * 10 + (unsigned long long)(first[i] - '0');
    }
    if (n > 999999999999ULL - base)
        return false; /* past the last 12-digit base (and no wrap-around) */
    base += n;
    snprintf(out, outlen, "%012llu", base);
    out[12] = cardno_ean13_check_digit(out);
    out[13] = '\0';
    return true;
}
