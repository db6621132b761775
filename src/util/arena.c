#include "util/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
    struct arena_block *next; /* older block */
    size_t size;              /* usable bytes in data */
    size_t used;              /* bytes handed out */
    max_align_t data[];       /* the memory itself */
};

void arena_init(struct arena *a, size_t block_size)
{
    a->head = NULL;
    a->spare = NULL;
    a->spare_bytes = 0;
    a->block_size = block_size ? block_size : 16384;
}

static struct arena_block *arena_block_new(size_t size)
{
    struct arena_block *b = malloc(sizeof(*b) + size);
    if (!b)
        abort();
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

void *arena_alloc(struct arena *a, size_t n)
{
    size_t align = sizeof(max_align_t);
    n = (n + align - 1) / align * align;
    if (n == 0)
        n = align;
    if (!a->head || a->head->size - a->head->used < n) {
        struct arena_block *b = a->spare;
        if (b && b->size >= n) { /* a kept block (all are block_size) */
            a->spare = b->next;
            a->spare_bytes -= b->size;
        } else {
            b = arena_block_new(n > a->block_size ? n : a->block_size);
        }
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)a->head->data + a->head->used;
    a->head->used += n;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void arena_reset(struct arena *a)
{
    struct arena_block *b = a->head;
    if (!b)
        return;
    while (b->next) {
        struct arena_block *older = b->next;
        /* blocks of the usual size are kept for the next request, oversized ones go */
        if (b->size == a->block_size && a->spare_bytes + b->size <= ARENA_SPARE_MAX) {
            b->used = 0;
            b->next = a->spare;
            a->spare = b;
            a->spare_bytes += b->size;
        } else {
            free(b);
        }
        b = older;
    }
    b->used = 0;
    a->head = b;
}

static void arena_free_chain(struct arena_block *b)
{
    while (b) {
        struct arena_block *older = b->next;
        free(b);
        b = older;
    }
}

void arena_free(struct arena *a)
{
    arena_free_chain(a->head);
    arena_free_chain(a->spare);
    a->head = NULL;
    a->spare = NULL;
    a->spare_bytes = 0;
}
