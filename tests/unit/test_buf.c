/* test_buf.c: the byte buffer (JSON and XML escaping) and the arena. */
#include <stdint.h>

#include "check.h"
#include "tests.h"
#include "util/arena.h"
#include "util/buf.h"

static void test_buf_basics(void)
{
    struct buf b;
    buf_init(&b);
    T_STR(buf_str(&b), "");
    buf_adds(&b, "abc");
    buf_addc(&b, '-');
    buf_add(&b, "xyz", 2);
    buf_printf(&b, "%d/%s", 42, "q");
    T_STR(buf_str(&b), "abc-xy42/q");
    T_INT(b.len, 10);
    buf_reset(&b);
    T_STR(buf_str(&b), "");
    T_INT(b.len, 0);
    /* growth well past the first allocation keeps every byte */
    for (int i = 0; i < 10000; i++)
        buf_printf(&b, "%04d", i % 10000);
    T_INT(b.len, 40000);
    T_TRUE(memcmp(b.data + 4 * 9999, "9999", 4) == 0);
    T_INT(b.data[b.len], '\0');
    buf_free(&b);
    T_TRUE(b.data == NULL);
}

static void test_buf_json_str(void)
{
    static const struct { const char *in, *want; } rows[] = {
        {"", "\"\""},
        {"plain", "\"plain\""},
        {"say \"hi\"", "\"say \\\"hi\\\"\""},
        {"back\\slash", "\"back\\\\slash\""},
        {"a\nb\rc\td", "\"a\\nb\\rc\\td\""},
        {"\x01\x1f", "\"\\u0001\\u001f\""},
        {"Привет €", "\"Привет €\""},
        {"</script>", "\"</script>\""},
    };
    for (size_t i = 0; i < T_NELEM(rows); i++) {
        struct buf b;
        buf_init(&b);
        buf_add_json_str(&b, rows[i].in);
        T_STR_C(rows[i].want, buf_str(&b), rows[i].want);
        buf_free(&b);
    }
}

static void test_buf_xml_text(void)
{
    static const struct { const char *in, *want; } rows[] = {
        {"", ""},
        {"a&b<c>d\"e", "a&amp;b&lt;c&gt;d&quot;e"},
        {"&amp;", "&amp;amp;"},
        {"]]>", "]]&gt;"},
        {"tab\tnl\ncr\r", "tab\tnl\ncr\r"},
        {"ctl\x01\x08\x0b\x1f.", "ctl."}, /* not allowed in XML 1.0 */
        {"Привет €", "Привет €"},
    };
    for (size_t i = 0; i < T_NELEM(rows); i++) {
        struct buf b;
        buf_init(&b);
        buf_add_xml_text(&b, rows[i].in);
        T_STR_C(rows[i].want, buf_str(&b), rows[i].want);
        buf_free(&b);
    }
}

static void test_arena(void)
{
    struct arena a;
    arena_init(&a, 64);
    unsigned char *p = arena_alloc(&a, 10);
    bool zero = true;
    for (int i = 0; i < 10; i++)
        zero = zero && p[i] == 0;
    T_TRUE(zero);
    T_INT((uintptr_t)p % _Alignof(max_align_t), 0);
    memset(p, 0xff, 10);
    /* larger than a block, and many small ones across blocks */
    char *big = arena_alloc(&a, 100000);
    T_TRUE(big != NULL && big[99999] == 0);
    char *s[100];
    for (int i = 0; i < 100; i++)
        s[i] = arena_printf(&a, "item-%d", i);
    bool intact = true;
    for (int i = 0; i < 100; i++) {
        char want[32];
        snprintf(want, sizeof(want), "item-%d", i);
        intact = intact && strcmp(s[i], want) == 0;
    }
    T_TRUE(intact);
    T_STR(arena_strdup(&a, "dup"), "dup");
    T_TRUE(arena_strdup(&a, NULL) == NULL);
    T_STR(arena_strndup(&a, "abcdef", 3), "abc");
    arena_reset(&a);
    char *again = arena_alloc(&a, 16);
    T_TRUE(again != NULL && again[0] == 0 && again[15] == 0);
    /* the reset kept blocks of the usual size (not the 100,000-byte one), within the cap;
     * reused ones come back zeroed */
    T_TRUE(a.spare != NULL && a.spare_bytes > 0 && a.spare_bytes <= ARENA_SPARE_MAX);
    size_t kept = a.spare_bytes;
    for (int i = 0; i < 8; i++) {
        unsigned char *q = arena_alloc(&a, 60);
        bool clean = true;
        for (int k = 0; k < 60; k++)
            clean = clean && q[k] == 0;
        T_TRUE(clean);
        memset(q, 0xee, 60);
    }
    T_TRUE(a.spare_bytes < kept); /* taken from the spares, not new */
    arena_reset(&a);
    T_TRUE(a.spare_bytes == kept);
    arena_free(&a);
    T_TRUE(a.head == NULL && a.spare == NULL && a.spare_bytes == 0);
    arena_free(&a); /* twice is harmless */
}

int test_buf_register(void)
{
    static const struct t_case cases[] = {
        {"buf basics and growth", test_buf_basics},
        {"JSON string escapes", test_buf_json_str},
        {"XML text escapes", test_buf_xml_text},
        {"arena", test_arena},
        {NULL, NULL},
    };
    return t_register("buf", cases);
}
