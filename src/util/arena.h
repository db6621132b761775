/* arena: a per-request bump allocator; everything is freed at once. */
#ifndef LOYALTY_ARENA_H
#define LOYALTY_ARENA_H

#include <stddef.h>

struct arena_block;

/* An arena owns a chain of blocks; allocations live until arena_reset(). */
struct arena {
    struct arena_block *head;  /* newest block, where allocations go */
    struct arena_block *spare; /* blocks arena_reset kept for the next request (empty) */
    size_t spare_bytes;        /* their total size, at most ARENA_SPARE_MAX */
    size_t block_size;         /* default size of a new block */
};

/* A reset keeps up to this many bytes of blocks besides the first, so that a request as large
 * as the last ones allocates nothing (freeing a 64 KiB block makes glibc consolidate its
 * free lists: a measurable share of a worker's CPU when every request did it). */
#define ARENA_SPARE_MAX ((size_t)256 * 1024)

void arena_init(struct arena *a, size_t block_size);
void *arena_alloc(struct arena *a, size_t n);          /* zeroed, aborts on OOM */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void arena_reset(struct arena *a); /* keeps the first block and up to ARENA_SPARE_MAX more */
void arena_free(struct arena *a);

#endif
