/* scope: what an API client may reach. */
#ifndef LOYALTY_SCOPE_H
#define LOYALTY_SCOPE_H

#include <stdbool.h>

/* Scopes as bits; an API client holds a set of them. */
enum scope {
    SCOPE_ADMIN = 1u << 0,     /* everything */
    SCOPE_POS = 1u << 1,       /* cash registers */
    SCOPE_SHOP = 1u << 2,      /* online shops */
    SCOPE_PARTNER = 1u << 3,   /* partner platforms: own clients and purchases only */
    SCOPE_ERP = 1u << 4,       /* the ERP: exchange, configuration read */
    SCOPE_ANALYTICS = 1u << 5, /* analytics and read-only access */
};

#define SCOPE_ALL_NAMES "admin,pos,shop,partner,erp,analytics"

/* Parse "pos,shop" or "{pos,shop}" into bits; false on an unknown name. */
bool scope_parse(const char *text, unsigned *out);
/* The name of a single scope bit. */
const char *scope_name(unsigned bit);

#endif
