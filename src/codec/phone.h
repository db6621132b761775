/* phone: normalisation of phone numbers to E.164. */
#ifndef LOYALTY_PHONE_H
#define LOYALTY_PHONE_H

#include <stdbool.h>
#include <stddef.h>

/* Normalise `in` to "+<digits>" reading national numbers for `country` (ISO 3166 alpha-2).
 * Returns false when the text is not a phone number. out must hold 17 bytes. */
bool phone_normalize(const char *in, const char *country, char *out, size_t n);
/* "+79991234567" → "+7999***4567" */
void phone_mask(const char *e164, char *out, size_t n);
/* true when the country code is one the normaliser knows */
bool phone_country_known(const char *country);

#endif
