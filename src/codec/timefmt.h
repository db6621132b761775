/* timefmt: validation of RFC 3339 timestamps and calendar dates. */
#ifndef LOYALTY_TIMEFMT_H
#define LOYALTY_TIMEFMT_H

#include <stdbool.h>

/* "YYYY-MM-DD", a real calendar day, years 1900..2999 */
bool timefmt_date_valid(const char *s);
/* RFC 3339 date-time: "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)" */
bool timefmt_datetime_valid(const char *s);

#endif
