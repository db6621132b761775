#include "codec/phone.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* How national numbers of one country are written. */
struct phone_country {
    const char *iso;       /* ISO 3166 alpha-2 */
    const char *cc;        /* international calling code */
    const char *trunk;     /* national trunk prefix dropped before the number */
    int nsn_min, nsn_max;  /* length of the national significant number */
};

static const struct phone_country phone_countries[] = {
    {"RU", "7", "8", 10, 10},   {"KZ", "7", "8", 10, 10},  {"BY", "375", "80", 9, 9},
    {"UA", "380", "0", 9, 9},   {"UZ", "998", "", 9, 9},   {"AM", "374", "0", 8, 8},
    {"GE", "995", "0", 9, 9},   {"KG", "996", "0", 9, 9},  {"US", "1", "1", 10, 10},
    {"GB", "44", "0", 9, 10},   {"DE", "49", "0", 6, 13},  {"FR", "33", "0", 9, 9},
};

static const struct phone_country *phone_country_find(const char *iso)
{
    for (size_t i = 0; i < sizeof(phone_countries) / sizeof(phone_countries[0]); i++)
        if (iso && strcasecmp(phone_countries[i].iso, iso) == 0)
            return &phone_countries[i];
    return NULL;
}

bool phone_country_known(const char *country)
{
    return phone_country_find(country) != NULL;
}

bool phone_normalize(const char *in, const char *country, char *out, size_t n)
{
    char digits[32];
    size_t nd = 0;
    bool plus = false;
    const struct phone_country *c = phone_country_find(country ? country : "RU");

    if (!in || n < 17)
        return false;
    for (const char *p = in; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (nd + 1 >= sizeof(digits))
                return false;
            digits[nd++] = *p;
        } else if (*p == '+' && nd == 0 && !plus) {
            plus = true;
        } else if (!strchr(" -().\t", *p)) {
            return false;
        }
    }
    digits[nd] = '\0';
    if (plus) {
        if (nd < 8 || nd > 15 || digits[0] == '0')
            return false;
        snprintf(out, n, "+%s", digits);
        return true;
    }
    if (!c)
        return false;
    const char *nsn = digits;
    size_t tl = strlen(c->trunk), cl = strlen(c->cc);
    size_t len = nd;
    /* a national number written with its trunk prefix ("8 999…", "030 …") */
    if (tl && strncmp(nsn, c->trunk, tl) == 0 && (int)(len - tl) >= c->nsn_min &&
        (int)(len - tl) <= c->nsn_max) {
        nsn += tl;
        len -= tl;
    } else if (strncmp(nsn, c->cc, cl) == 0 && (int)(len - cl) >= c->nsn_min &&
               (int)(len - cl) <= c->nsn_max && ((int)len > c->nsn_max || c->trunk[0] == '0')) {
        /* an international number written without "+": where national numbers always
         * carry a "0" trunk prefix, a leading country code cannot be a national number */
        nsn += cl;
        len -= cl;
    }
    if ((int)len < c->nsn_min || (int)len > c->nsn_max || nsn[0] == '0')
        return false;
    snprintf(out, n, "+%s%s", c->cc, nsn);
    return true;
}

void phone_mask(const char *e164, char *out, size_t n)
{
    size_t len = strlen(e164);
    if (len < 9) {
        snprintf(out, n, "%s", e164);
        return;
    }
    /* keep "+" and the first four digits, hide the middle, keep the last four */
    snprintf(out, n, "%.5s***%s", e164, e164 + len - 4);
}
