#include "store/pgarray.h"

static void pgarray_sep(struct buf *b)
{
    if (b->len > 1)
        buf_addc(b, ',');
}

void pgarray_begin(struct buf *b)
{
    buf_reset(b);
    buf_addc(b, '{');
}

void pgarray_int(struct buf *b, int64_t v)
{
    pgarray_sep(b);
    buf_printf(b, "%lld", (long long)v);
}

void pgarray_text(struct buf *b, const char *s)
{
    pgarray_sep(b);
    if (!s) {
        buf_adds(b, "NULL");
        return;
    }
    buf_addc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buf_addc(b, '\\');
        buf_addc(b, *s);
    }
    buf_addc(b, '"');
}

void pgarray_bool(struct buf *b, bool v)
{
    pgarray_sep(b);
    buf_addc(b, v ? 't' : 'f');
}

void pgarray_end(struct buf *b)
{
    buf_addc(b, '}');
}
