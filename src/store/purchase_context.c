/* purchase_context.c: a buyer's calculation context as a row (STMT_PURCHASE_CONTEXT), read
 * for one buyer or for many cards at once, and its text form for the card cache. */
#include "store/purchases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pgarray.h"

bool store_purchase_context_of(struct arena *a, PGresult *r, struct purchase_context_row *row)
{
    memset(row, 0, sizeof(*row));
    if (PQntuples(r) != 1)
        return false;
    for (int i = 0; i < PURCHASE_CONTEXT_COLS; i++)
        row->col[i] = PQgetisnull(r, 0, i) ? NULL : arena_strdup(a, PQgetvalue(r, 0, i));
    return true;
}

const char *store_purchase_context_text(struct arena *a, const struct purchase_context_row *row)
{
    /* each column "-" (NULL) or "<length>:<bytes>": any byte may occur in a name */
    struct buf b;
    buf_init(&b);
    for (int i = 0; i < PURCHASE_CONTEXT_COLS; i++) {
        if (!row->col[i]) {
            buf_addc(&b, '-');
            continue;
        }
        buf_printf(&b, "%zu:", strlen(row->col[i]));
        buf_adds(&b, row->col[i]);
    }
    const char *s = arena_strdup(a, buf_str(&b));
    buf_free(&b);
    return s;
}

enum db_status store_purchase_contexts(struct db *db, struct arena *a, const char *const *numbers,
                                       size_t n, const char **texts)
{
    struct buf arr;
    PGresult *r = NULL;
    buf_init(&arr);
    pgarray_begin(&arr);
    for (size_t i = 0; i < n; i++) {
        pgarray_text(&arr, numbers[i]);
        texts[i] = NULL;
    }
    pgarray_end(&arr);
    const char *p[1] = {buf_str(&arr)};
    enum db_status st = db_exec(db, STMT_PURCHASE_CONTEXT_MANY, 1, p, &r, NULL, 0);
    buf_free(&arr);
    for (int k = 0; st == DB_OK && k < PQntuples(r); k++) {
        struct purchase_context_row row;
        long i = strtol(PQgetvalue(r, k, PURCHASE_CONTEXT_COLS), NULL, 10) - 1;
        for (int c = 0; c < PURCHASE_CONTEXT_COLS; c++)
            row.col[c] = PQgetisnull(r, k, c) ? NULL : PQgetvalue(r, k, c);
        if (i >= 0 && (size_t)i < n && row.col[0])
            texts[i] = store_purchase_context_text(a, &row);
    }
    PQclear(r);
    return st;
}

bool store_purchase_context_parse(struct arena *a, const char *text, size_t len,
                                  struct purchase_context_row *row)
{
    const char *c = text, *end = text + len;
    memset(row, 0, sizeof(*row));
    for (int i = 0; i < PURCHASE_CONTEXT_COLS; i++) {
        if (c < end && *c == '-') {
            c++;
            continue;
        }
        char *colon;
        unsigned long long n = strtoull(c, &colon, 10);
        if (colon == c || colon >= end || *colon != ':' || n > (size_t)(end - colon - 1))
            return false;
        char *v = arena_alloc(a, n + 1);
        memcpy(v, colon + 1, n);
        v[n] = '\0';
        row->col[i] = v;
        c = colon + 1 + n;
    }
    return c == end;
}
