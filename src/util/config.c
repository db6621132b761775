#include "util/config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* One setting: its key in the file (and LOYALTY_<KEY> in the environment). */
struct config_key {
    const char *key;  /* lower-case name */
    size_t off;       /* offset in struct config */
    size_t size;      /* buffer size for strings, 0 for ints */
};

#define CONFIG_STR(k) {#k, offsetof(struct config, k), sizeof(((struct config *)0)->k)}
#define CONFIG_INT(k) {#k, offsetof(struct config, k), 0}

static const struct config_key config_keys[] = {
    CONFIG_STR(listen),  CONFIG_INT(workers), CONFIG_INT(threads),      CONFIG_STR(pg),
    CONFIG_STR(redis),   CONFIG_STR(pidfile), CONFIG_STR(sql_dir),      CONFIG_INT(log_flush_ms),
    CONFIG_INT(cache_ttl),       CONFIG_STR(templates_dir),
};

static bool config_set(struct config *c, const char *key, const char *val)
{
    for (size_t i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++) {
        const struct config_key *k = &config_keys[i];
        if (strcasecmp(k->key, key) != 0)
            continue;
        if (k->size) {
            snprintf((char *)c + k->off, k->size, "%s", val);
            return true;
        }
        char *end;
        long v = strtol(val, &end, 10);
        if (!*val || *end || v < 0 || v > 100000)
            return false;
        *(int *)((char *)c + k->off) = (int)v;
        return true;
    }
    return false;
}

static char *config_trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

bool config_load(struct config *c, const char *path, char *err, size_t errlen)
{
    bool ok = false;
    FILE *f = NULL;
    char line[1024];
    int lineno = 0;

    memset(c, 0, sizeof(*c));
    snprintf(c->listen, sizeof(c->listen), "unix:/tmp/loyalty.sock");
    c->workers = 2;
    c->threads = 8;
    snprintf(c->pg, sizeof(c->pg), "dbname=loyalty");
    snprintf(c->redis, sizeof(c->redis), "127.0.0.1:6379");
    snprintf(c->sql_dir, sizeof(c->sql_dir), "sql");
    c->log_flush_ms = 200;
    c->cache_ttl = 3600;
    snprintf(c->templates_dir, sizeof(c->templates_dir), "templates");

    if (!path)
        path = getenv("LOYALTY_CONFIG");
    if (!path && access(CONFIG_DEFAULT_PATH, R_OK) == 0)
        path = CONFIG_DEFAULT_PATH;
    if (path && *path) {
        f = fopen(path, "r");
        if (!f) {
            snprintf(err, errlen, "cannot open %s", path);
            goto out;
        }
        while (fgets(line, sizeof(line), f)) {
            lineno++;
            char *s = config_trim(line);
            if (!*s || *s == '#')
                continue;
            char *eq = strchr(s, '=');
            if (!eq) {
                snprintf(err, errlen, "%s:%d: expected key = value", path, lineno);
                goto out;
            }
            *eq = '\0';
            if (!config_set(c, config_trim(s), config_trim(eq + 1))) {
                snprintf(err, errlen, "%s:%d: unknown key or bad value", path, lineno);
                goto out;
            }
        }
    }
    for (size_t i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++) {
        char env[64];
        snprintf(env, sizeof(env), "LOYALTY_%s", config_keys[i].key);
        for (char *p = env; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        const char *v = getenv(env);
        if (v && !config_set(c, config_keys[i].key, v)) {
            snprintf(err, errlen, "%s: bad value", env);
            goto out;
        }
    }
    if (c->workers < 1 || c->threads < 1 || c->threads > 256) {
        snprintf(err, errlen, "workers and threads must be at least 1 (threads at most 256)");
        goto out;
    }
    ok = true;
out:
    if (f)
        fclose(f);
    return ok;
}
