/* arena: a per-request bump allocator; everything is freed at once. */
#ifndef LOYALTY_ARENA_H
#define LOYALTY_ARENA_H

#include <stddef.h>

struct arena_block;

/* An arena owns a chain of blocks; allocations live until arena_reset(). */
struct arena {
    struct arena_block *head; /* newest block, where allocations go */
    size_t block_size;        /* default size of a new block */
};

void arena_init(struct arena *a, size_t block_size);
void *arena_alloc(struct arena *a, size_t n);          /* zeroed, aborts on OOM */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void arena_reset(struct arena *a); /* frees all but the first block */
void arena_free(struct arena *a);

#endif
