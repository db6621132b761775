/* utf8: strict UTF-8 validation (RFC 3629: no overlong forms, no surrogates, ≤ U+10FFFF). */
#ifndef LOYALTY_UTF8_H
#define LOYALTY_UTF8_H

#include <stdbool.h>
#include <stddef.h>

bool utf8_valid(const char *s, size_t len);

#endif
