/* template: the small text template language of slips, SMS and e-mails:
 * {{var}}, {{#var}}…{{/var}} (shown when var is set and not "0"/""), {{^var}}…{{/var}}
 * (shown when it is not). Unknown variables render empty; an unclosed or stray section
 * tag is an error, so a manager's template is checked before it is saved. */
#ifndef LOYALTY_TEMPLATE_H
#define LOYALTY_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/buf.h"

#define TEMPLATE_MAX_DEPTH 8

/* Variables: parallel arrays of names and values. */
struct template_vars {
    const char **names;  /* variable names */
    const char **values; /* their values (NULL = unset) */
    size_t n;            /* number of variables */
};

/* Render into out; false (with a reason in err) on a malformed template. */
bool template_render(const char *tpl, const struct template_vars *vars, struct buf *out,
                     char *err, size_t errlen);
/* Split rendered text into lines no wider than `width` characters (UTF-8 aware, breaking
 * at spaces where possible); empty lines are dropped. */
size_t template_wrap(const char *text, int width, struct arena *a, char ***lines);
/* The default templates shipped in templates/ (loaded once at process start-up). */
bool template_load_defaults(const char *dir);
/* A default template by name ("slip"), "" when it was not loaded. */
const char *template_default(const char *name);

/* Money or points for the slip in the Russian style: 1400.5 → "1 400,50". */
void template_money(long long minor, char *out, size_t n);

#endif
