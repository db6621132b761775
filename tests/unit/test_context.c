/* test_context.c: the text form of a buyer's calculation context, as the card cache keeps it
 * (store_purchase_context_text / store_purchase_context_parse): every column comes back as
 * it went in, SQL NULL included, whatever bytes a name holds; anything else is refused. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "store/purchases.h"
#include "tests.h"
#include "util/arena.h"

/* A context as the database would give it, with awkward values in the text columns. */
static void context_sample(struct purchase_context_row *row)
{
    static const char *const cols[PURCHASE_CONTEXT_COLS] = {
        "42", "active", "3", "Gold: 5-7 \"VIP\" -", "500", "300", NULL, "0", "2", "t",
        "150000", "0", "0", "1234500", "17:150000:0,18:20:1795000000", NULL, NULL, "9"};
    memcpy(row->col, cols, sizeof(cols));
}

/* The sample and its text, in a fresh arena. */
static const char *context_sample_text(struct arena *a, struct purchase_context_row *row)
{
    arena_init(a, 4096);
    context_sample(row);
    return store_purchase_context_text(a, row);
}

static void test_context_round_trip(void)
{
    struct arena a;
    struct purchase_context_row in, out;
    const char *text = context_sample_text(&a, &in);
    CU_ASSERT_FATAL(text != NULL);
    CU_ASSERT_TRUE_FATAL(store_purchase_context_parse(&a, text, strlen(text), &out));
    for (int i = 0; i < PURCHASE_CONTEXT_COLS; i++) {
        if (!in.col[i]) {
            CU_ASSERT_PTR_NULL(out.col[i]);
            continue;
        }
        CU_ASSERT_PTR_NOT_NULL_FATAL(out.col[i]);
        CU_ASSERT_STRING_EQUAL(out.col[i], in.col[i]);
    }
    /* an empty string is not NULL */
    in.col[3] = "";
    text = store_purchase_context_text(&a, &in);
    CU_ASSERT_TRUE_FATAL(store_purchase_context_parse(&a, text, strlen(text), &out));
    CU_ASSERT_PTR_NOT_NULL_FATAL(out.col[3]);
    CU_ASSERT_STRING_EQUAL(out.col[3], "");
    arena_free(&a);
}

static void test_context_refused(void)
{
    struct arena a;
    struct purchase_context_row in, out;
    const char *text = context_sample_text(&a, &in);
    size_t n = strlen(text);
    /* cut anywhere, or with something after it: not a context */
    for (size_t cut = 0; cut < n; cut++)
        CU_ASSERT_FALSE(store_purchase_context_parse(&a, text, cut, &out));
    char longer[1024];
    CU_ASSERT_FATAL(n + 2 < sizeof(longer));
    memcpy(longer, text, n);
    memcpy(longer + n, "-", 2);
    CU_ASSERT_FALSE(store_purchase_context_parse(&a, longer, n + 1, &out));
    /* a length beyond the end, a missing colon, garbage */
    static const char *const bad[] = {"99:abc", "3abc", "x", "5:ab"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CU_ASSERT_FALSE(store_purchase_context_parse(&a, bad[i], strlen(bad[i]), &out));
    arena_free(&a);
}

int test_context_register(void)
{
    CU_pSuite s = CU_add_suite("context", NULL, NULL);
    if (!s ||
        !CU_add_test(s, "a cached context comes back column for column", test_context_round_trip) ||
        !CU_add_test(s, "a truncated or padded context is refused", test_context_refused))
        return -1;
    return 0;
}
