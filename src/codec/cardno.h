/* cardno: card number syntax and check digits. */
#ifndef LOYALTY_CARDNO_H
#define LOYALTY_CARDNO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 4..32 characters of [0-9A-Za-z-] */
bool cardno_valid(const char *s);
/* EAN-13 check digit ('0'..'9') of the first 12 digits of s, or 0 when s is not 12 digits. */
char cardno_ean13_check_digit(const char *s12);
/* true when s is 13 digits with a correct EAN-13 check digit */
bool cardno_ean13_valid(const char *s);
/* Luhn check digit for a digit string (any length), or 0 on a non-digit. */
char cardno_luhn_check_digit(const char *digits);
/* The n-th (0-based) number of an EAN-13 range starting at the 13-digit `first`:
 * base = first[0..12) + n, followed by its check digit. False when the range is exhausted. */
bool cardno_ean13_nth(const char *first, uint64_t n, char *out, size_t outlen);

#endif
