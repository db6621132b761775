/* buf: a growable byte buffer, always NUL-terminated. */
#ifndef LOYALTY_BUF_H
#define LOYALTY_BUF_H

#include <stdbool.h>
#include <stddef.h>

/* A dynamic buffer; data is NUL-terminated whenever len > 0 or after buf_reset. */
struct buf {
    char *data;   /* bytes, owned */
    size_t len;   /* bytes in use, without the terminating NUL */
    size_t cap;   /* allocated bytes */
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* JSON string literal with quotes and escapes */
void buf_add_json_str(struct buf *b, const char *s);
/* XML text with &, <, >, " escaped */
void buf_add_xml_text(struct buf *b, const char *s);
const char *buf_str(struct buf *b);

#endif
