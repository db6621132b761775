#include "domain/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *template_lookup(const struct template_vars *v, const char *name, size_t len)
{
    for (size_t i = 0; i < v->n; i++)
        if (strlen(v->names[i]) == len && strncmp(v->names[i], name, len) == 0)
            return v->values[i];
    return NULL;
}

static bool template_truthy(const char *v)
{
    return v && *v && strcmp(v, "0") != 0 && strcmp(v, "0,00") != 0;
}

bool template_render(const char *tpl, const struct template_vars *vars, struct buf *out,
                     char *err, size_t errlen)
{
    /* the open sections: name, and whether their content is shown */
    struct {
        const char *name;
        size_t len;
        bool shown;
    } stack[TEMPLATE_MAX_DEPTH];
    int depth = 0;
    bool shown = true;
    const char *p = tpl;

    while (*p) {
        const char *open = strstr(p, "{{");
        if (!open) {
            if (shown)
                buf_adds(out, p);
            break;
        }
        if (shown)
            buf_add(out, p, (size_t)(open - p));
        const char *close = strstr(open + 2, "}}");
        if (!close) {
            snprintf(err, errlen, "a tag at offset %zu is not closed", (size_t)(open - tpl));
            return false;
        }
        char kind = open[2];
        const char *name = open + 2 + (kind == '#' || kind == '^' || kind == '/');
        size_t len = (size_t)(close - name);
        while (len && name[0] == ' ') {
            name++;
            len--;
        }
        while (len && name[len - 1] == ' ')
            len--;
        if (len == 0) {
            snprintf(err, errlen, "an empty tag at offset %zu", (size_t)(open - tpl));
            return false;
        }
        if (kind == '#' || kind == '^') {
            if (depth == TEMPLATE_MAX_DEPTH) {
                snprintf(err, errlen, "sections nest deeper than %d", TEMPLATE_MAX_DEPTH);
                return false;
            }
            bool truth = template_truthy(template_lookup(vars, name, len));
            stack[depth].name = name;
            stack[depth].len = len;
            stack[depth].shown = shown;
            depth++;
            shown = shown && (kind == '#' ? truth : !truth);
        } else if (kind == '/') {
            if (depth == 0 || stack[depth - 1].len != len ||
                strncmp(stack[depth - 1].name, name, len) != 0) {
                snprintf(err, errlen, "{{/%.*s}} closes no open section", (int)len, name);
                return false;
            }
            depth--;
            shown = stack[depth].shown;
        } else if (shown) {
            const char *v = template_lookup(vars, name, len);
            if (v)
                buf_adds(out, v);
        }
        p = close + 2;
    }
    if (depth) {
        snprintf(err, errlen, "section {{#%.*s}} is not closed", (int)stack[depth - 1].len,
                 stack[depth - 1].name);
        return false;
    }
    return true;
}

/* Bytes of the UTF-8 character starting at s (1 for a stray byte). */
static size_t template_char_len(const unsigned char *s)
{
    if (*s >= 0xf0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80)
        return 4;
    if (*s >= 0xe0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80)
        return 3;
    if (*s >= 0xc0 && (s[1] & 0xc0) == 0x80)
        return 2;
    return 1;
}

size_t template_wrap(const char *text, int width, struct arena *a, char ***lines)
{
    size_t cap = 16, n = 0;
    char **out = arena_alloc(a, sizeof(char *) * cap);
    const char *p = text;
    if (width < 8)
        width = 8;
    while (*p) {
        size_t linelen = strcspn(p, "\n");
        const char *end = p + linelen;
        /* one source line → as many slip lines as it needs */
        while (p < end) {
            const char *q = p, *last_space = NULL;
            int cols = 0;
            while (q < end && cols < width) {
                if (*q == ' ')
                    last_space = q;
                q += template_char_len((const unsigned char *)q);
                cols++;
            }
            const char *cut = q;
            if (q < end && last_space && last_space > p)
                cut = last_space;
            size_t len = (size_t)(cut - p);
            while (len && p[len - 1] == ' ')
                len--;
            if (len) {
                if (n + 1 >= cap) {
                    char **bigger = arena_alloc(a, sizeof(char *) * cap * 2);
                    memcpy(bigger, out, sizeof(char *) * n);
                    out = bigger;
                    cap *= 2;
                }
                out[n++] = arena_strndup(a, p, len);
            }
            p = cut;
            while (p < end && *p == ' ')
                p++;
        }
        p = *end ? end + 1 : end;
    }
    *lines = out;
    return n;
}

void template_money(long long minor, char *out, size_t n)
{
    char digits[32], grouped[48];
    unsigned long long a = minor < 0 ? (unsigned long long)(-(minor + 1)) + 1 : (unsigned long long)minor;
    snprintf(digits, sizeof(digits), "%llu", a / 100);
    size_t len = strlen(digits), j = 0;
    for (size_t i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            grouped[j++] = ' ';
        grouped[j++] = digits[i];
    }
    grouped[j] = '\0';
    snprintf(out, n, "%s%s,%02llu", minor < 0 ? "-" : "", grouped, a % 100);
}

/* The shipped defaults; written once before the serving threads start, read-only after. */
static struct {
    const char *name; /* template name, also the file name without ".txt" */
    char *text;       /* its text, NULL until loaded */
} template_defaults[] = {
    {"slip", NULL},
};

bool template_load_defaults(const char *dir)
{
    bool ok = true;
    for (size_t i = 0; i < sizeof(template_defaults) / sizeof(template_defaults[0]); i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s.txt", dir, template_defaults[i].name);
        FILE *f = fopen(path, "rb");
        if (!f) {
            ok = false;
            continue;
        }
        struct buf b;
        char chunk[4096];
        size_t n;
        buf_init(&b);
        while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
            buf_add(&b, chunk, n);
        fclose(f);
        free(template_defaults[i].text);
        template_defaults[i].text = b.data ? b.data : calloc(1, 1);
    }
    return ok;
}

const char *template_default(const char *name)
{
    for (size_t i = 0; i < sizeof(template_defaults) / sizeof(template_defaults[0]); i++)
        if (strcmp(template_defaults[i].name, name) == 0 && template_defaults[i].text)
            return template_defaults[i].text;
    return "";
}
