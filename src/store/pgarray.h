/* pgarray: PostgreSQL array literals for passing many rows in one statement. */
#ifndef LOYALTY_PGARRAY_H
#define LOYALTY_PGARRAY_H

#include <stdbool.h>
#include <stdint.h>

#include "util/buf.h"

void pgarray_begin(struct buf *b);
void pgarray_int(struct buf *b, int64_t v);
void pgarray_text(struct buf *b, const char *s); /* NULL → NULL */
void pgarray_bool(struct buf *b, bool v);
void pgarray_end(struct buf *b);

#endif
