#include "http/scope.h"

#include <string.h>

static const struct { const char *name; unsigned bit; } scope_table[] = {
    {"admin", SCOPE_ADMIN}, {"pos", SCOPE_POS}, {"shop", SCOPE_SHOP},
    {"partner", SCOPE_PARTNER}, {"erp", SCOPE_ERP}, {"analytics", SCOPE_ANALYTICS},
};

bool scope_parse(const char *text, unsigned *out)
{
    unsigned bits = 0;
    const char *p = text;
    while (*p) {
        while (*p == '{' || *p == '}' || *p == ',' || *p == ' ')
            p++;
        if (!*p)
            break;
        size_t n = strcspn(p, ",} ");
        bool found = false;
        for (size_t i = 0; i < sizeof(scope_table) / sizeof(scope_table[0]); i++)
            if (strlen(scope_table[i].name) == n && strncmp(scope_table[i].name, p, n) == 0) {
                bits |= scope_table[i].bit;
                found = true;
            }
        if (!found)
            return false;
        p += n;
    }
    *out = bits;
    return bits != 0;
}

const char *scope_name(unsigned bit)
{
    for (size_t i = 0; i < sizeof(scope_table) / sizeof(scope_table[0]); i++)
        if (scope_table[i].bit == bit)
            return scope_table[i].name;
    return "?";
}
