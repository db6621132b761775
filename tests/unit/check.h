/* check.h: CUnit assertions that print what was expected and what came, with a context
 * (the table row) so a failing row of a table-driven test names itself. */
#ifndef LOYALTY_UNIT_CHECK_H
#define LOYALTY_UNIT_CHECK_H

#include <CUnit/CUnit.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Both NULL, or equal strings. */
static inline bool t_streq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Record one assertion; on failure the message is built from fmt (CUnit copies it). */
static inline void t_record(bool ok, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static inline void t_record(bool ok, const char *file, unsigned line, const char *fmt, ...)
{
    if (ok) {
        CU_assertImplementation(CU_TRUE, line, "ok", file, "", CU_FALSE);
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = malloc(n > 0 ? (size_t)n + 1 : 1);
    if (!msg)
        abort();
    va_start(ap, fmt);
    vsnprintf(msg, n > 0 ? (size_t)n + 1 : 1, fmt, ap);
    va_end(ap);
    CU_assertImplementation(CU_FALSE, line, msg, file, "", CU_FALSE);
    free(msg);
}

#define T_CTX(ctx) (ctx) ? (ctx) : "", (ctx) ? ": " : ""

static inline void t_check_str(const char *got, const char *want, const char *expr,
                               const char *ctx, const char *file, unsigned line)
{
    t_record(t_streq(got, want), file, line, "%s%s%s: expected \"%s\", got \"%s\"", T_CTX(ctx),
             expr, want ? want : "(null)", got ? got : "(null)");
}

static inline void t_check_int(int64_t got, int64_t want, const char *expr, const char *ctx,
                               const char *file, unsigned line)
{
    t_record(got == want, file, line, "%s%s%s: expected %lld, got %lld", T_CTX(ctx), expr,
             (long long)want, (long long)got);
}

static inline void t_check_true(bool cond, const char *expr, const char *ctx, const char *file,
                                unsigned line)
{
    t_record(cond, file, line, "%s%s%s", T_CTX(ctx), expr);
}

/* A substring check that prints the haystack on failure. */
static inline void t_check_has(const char *hay, const char *needle, bool want, const char *ctx,
                               const char *file, unsigned line)
{
    bool has = hay && strstr(hay, needle) != NULL;
    t_record(has == want, file, line, "%s%sexpected %s\"%s\" in \"%s\"", T_CTX(ctx),
             want ? "" : "no ", needle, hay ? hay : "(null)");
}

#define T_STR(got, want) t_check_str((got), (want), #got, NULL, __FILE__, __LINE__)
#define T_STR_C(ctx, got, want) t_check_str((got), (want), #got, (ctx), __FILE__, __LINE__)
#define T_INT(got, want) \
    t_check_int((int64_t)(got), (int64_t)(want), #got, NULL, __FILE__, __LINE__)
#define T_INT_C(ctx, got, want) \
    t_check_int((int64_t)(got), (int64_t)(want), #got, (ctx), __FILE__, __LINE__)
#define T_TRUE(cond) t_check_true((cond), #cond, NULL, __FILE__, __LINE__)
#define T_TRUE_C(ctx, cond) t_check_true((cond), #cond, (ctx), __FILE__, __LINE__)
#define T_HAS(hay, needle) t_check_has((hay), (needle), true, NULL, __FILE__, __LINE__)
#define T_HAS_C(ctx, hay, needle) t_check_has((hay), (needle), true, (ctx), __FILE__, __LINE__)
#define T_HASNT(hay, needle) t_check_has((hay), (needle), false, NULL, __FILE__, __LINE__)
#define T_HASNT_C(ctx, hay, needle) t_check_has((hay), (needle), false, (ctx), __FILE__, __LINE__)

/* Register a suite and its tests from a NULL-terminated table. */
struct t_case {
    const char *name;  /* test name shown by the runner */
    CU_TestFunc fn;    /* the test */
};

static inline int t_register(const char *suite, const struct t_case *cases)
{
    CU_pSuite s = CU_add_suite(suite, NULL, NULL);
    if (!s)
        return -1;
    for (const struct t_case *c = cases; c->name; c++)
        if (!CU_add_test(s, c->name, c->fn))
            return -1;
    return 0;
}

#define T_NELEM(a) (sizeof(a) / sizeof((a)[0]))

#endif
