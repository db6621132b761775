/* test_utf8.c: strict UTF-8 validation (RFC 3629): what bad UTF-8 means for malformed_body. */
#include "check.h"
#include "codec/utf8.h"
#include "tests.h"

struct utf8_row {
    const char *s;    /* bytes */
    size_t len;       /* length, SIZE_MAX = strlen */
    bool valid;       /* expected */
    const char *what; /* for failure messages */
};

static const struct utf8_row utf8_rows[] = {
    {"", SIZE_MAX, true, "empty"},
    {"plain ASCII ~\x7f", SIZE_MAX, true, "ASCII with DEL"},
    {"Привет, мир", SIZE_MAX, true, "Cyrillic"},
    {"€ 😀 中文", SIZE_MAX, true, "3- and 4-byte forms"},
    {"\xc2\x80", SIZE_MAX, true, "U+0080, smallest 2-byte"},
    {"\xdf\xbf", SIZE_MAX, true, "U+07FF"},
    {"\xe0\xa0\x80", SIZE_MAX, true, "U+0800, smallest 3-byte"},
    {"\xed\x9f\xbf", SIZE_MAX, true, "U+D7FF, below the surrogates"},
    {"\xee\x80\x80", SIZE_MAX, true, "U+E000, above the surrogates"},
    {"\xef\xbf\xbd", SIZE_MAX, true, "U+FFFD"},
    {"\xf0\x90\x80\x80", SIZE_MAX, true, "U+10000, smallest 4-byte"},
    {"\xf4\x8f\xbf\xbf", SIZE_MAX, true, "U+10FFFF, the largest"},
    {"a\0b", 3, true, "NUL is valid UTF-8 (refused elsewhere)"},
    {"\x80", SIZE_MAX, false, "lone continuation byte"},
    {"a\xbf", SIZE_MAX, false, "continuation after ASCII"},
    {"\xc0\x80", SIZE_MAX, false, "overlong NUL"},
    {"\xc0\xaf", SIZE_MAX, false, "overlong /"},
    {"\xc1\xbf", SIZE_MAX, false, "overlong U+007F"},
    {"\xe0\x80\xaf", SIZE_MAX, false, "overlong 3-byte /"},
    {"\xe0\x9f\xbf", SIZE_MAX, false, "overlong U+07FF"},
    {"\xf0\x80\x80\xaf", SIZE_MAX, false, "overlong 4-byte /"},
    {"\xf0\x8f\xbf\xbf", SIZE_MAX, false, "overlong U+FFFF"},
    {"\xed\xa0\x80", SIZE_MAX, false, "U+D800"},
    {"\xed\xbf\xbf", SIZE_MAX, false, "U+DFFF"},
    {"\xed\xa0\xbd\xed\xb8\x80", SIZE_MAX, false, "CESU-8 pair"},
    {"\xf4\x90\x80\x80", SIZE_MAX, false, "U+110000"},
    {"\xf5\x80\x80\x80", SIZE_MAX, false, "F5 lead"},
    {"\xf8\x88\x80\x80\x80", SIZE_MAX, false, "5-byte form"},
    {"\xfc\x84\x80\x80\x80\x80", SIZE_MAX, false, "6-byte form"},
    {"\xfe", SIZE_MAX, false, "FE"},
    {"\xff", SIZE_MAX, false, "FF"},
    {"\xc3", SIZE_MAX, false, "cut 2-byte at the end"},
    {"\xe2\x82", SIZE_MAX, false, "cut 3-byte at the end"},
    {"\xf0\x9f\x98", SIZE_MAX, false, "cut 4-byte at the end"},
    {"\xe2\x82" "a", SIZE_MAX, false, "cut 3-byte before ASCII"},
    {"\xc3\xa9", 1, false, "cut by len"},
    {"\xc3\xa9", 2, true, "whole by len"},
};

static void test_utf8_table(void)
{
    for (size_t i = 0; i < T_NELEM(utf8_rows); i++) {
        const struct utf8_row *r = &utf8_rows[i];
        size_t len = r->len == SIZE_MAX ? strlen(r->s) : r->len;
        T_INT_C(r->what, utf8_valid(r->s, len), r->valid);
    }
}

/* Every code point, encoded by the book, is valid unless it is a surrogate. */
static void test_utf8_every_code_point(void)
{
    unsigned bad = 0, first_bad = 0;
    for (unsigned cp = 1; cp <= 0x10ffff; cp++) {
        unsigned char b[4];
        size_t n;
        if (cp < 0x80) {
            b[0] = (unsigned char)cp;
            n = 1;
        } else if (cp < 0x800) {
            b[0] = (unsigned char)(0xc0 | cp >> 6);
            b[1] = (unsigned char)(0x80 | (cp & 0x3f));
            n = 2;
        } else if (cp < 0x10000) {
            b[0] = (unsigned char)(0xe0 | cp >> 12);
            b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
            b[2] = (unsigned char)(0x80 | (cp & 0x3f));
            n = 3;
        } else {
            b[0] = (unsigned char)(0xf0 | cp >> 18);
            b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
            b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
            b[3] = (unsigned char)(0x80 | (cp & 0x3f));
            n = 4;
        }
        bool want = !(cp >= 0xd800 && cp <= 0xdfff);
        if (utf8_valid((const char *)b, n) != want && bad++ == 0)
            first_bad = cp;
    }
    t_record(bad == 0, __FILE__, __LINE__, "%u code points judged wrongly, the first U+%04X", bad,
             first_bad);
}

int test_utf8_register(void)
{
    static const struct t_case cases[] = {
        {"valid and invalid sequences", test_utf8_table},
        {"every code point", test_utf8_every_code_point},
        {NULL, NULL},
    };
    return t_register("utf8", cases);
}
