#include "http/router.h"

#include <ctype.h>
#include <string.h>

static int router_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool router_unescape(const char *s, size_t len, struct arena *a, const char **out)
{
    char *d = arena_alloc(a, len + 1);
    size_t j = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%') {
            if (i + 2 >= len)
                return false;
            int hi = router_hex(s[i + 1]);
            int lo = router_hex(s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return false;
            d[j++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            d[j++] = s[i];
        }
    }
    d[j] = '\0';
    *out = d;
    return true;
}

/* Match one pattern; captures go to m. */
static bool router_try(const struct route *rt, const char *path, struct arena *a,
                       struct route_match *m)
{
    const char *p = rt->pattern, *s = path;
    m->nparams = 0;
    while (*p && *s) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            size_t n = strcspn(s, "/");
            if (!pe || n == 0 || m->nparams == ROUTER_MAX_PARAMS ||
                !router_unescape(s, n, a, &m->params[m->nparams]))
                return false;
            m->nparams++;
            p = pe + 1;
            s += n;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    return *p == '\0' && *s == '\0';
}

void router_match(const struct route *routes, size_t n, const char *method, const char *path,
                  struct arena *a, struct route_match *m)
{
    memset(m, 0, sizeof(*m));
    size_t plen = strlen(path);
    if (plen > 1 && path[plen - 1] == '/') /* "/api/v1/clients/" is "/api/v1/clients" */
        path = arena_strndup(a, path, plen - 1);
    for (size_t i = 0; i < n; i++) {
        struct route_match tmp;
        memset(&tmp, 0, sizeof(tmp));
        if (!router_try(&routes[i], path, a, &tmp))
            continue;
        if (strcmp(routes[i].method, method) != 0) {
            m->path_known = true;
            continue;
        }
        *m = tmp;
        m->route = &routes[i];
        m->path_known = true;
        return;
    }
}
