/* config: settings of the processes, from a file and LOYALTY_* environment variables. */
#ifndef LOYALTY_CONFIG_H
#define LOYALTY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_DEFAULT_PATH "/etc/loyalty/loyalty.conf"

/* Process settings (business settings live in the database). */
struct config {
    char listen[256];     /* "unix:/path" or "host:port" of the FastCGI socket */
    int workers;          /* worker processes */
    int threads;          /* threads per worker process */
    char pg[512];         /* libpq connection string */
    char redis[256];      /* "host:port" of Redis, "" = no cache */
    char pidfile[256];    /* where the master writes its pid, "" = none */
    char sql_dir[256];    /* migrations folder for loyaltyctl */
    int log_flush_ms;     /* exchange log batch interval */
    int cache_ttl;        /* seconds a cached card document lives */
    char templates_dir[256]; /* default slip/SMS/e-mail templates */
};

/* Defaults, then `path` (key = value lines; NULL = LOYALTY_CONFIG, else CONFIG_DEFAULT_PATH
 * when it exists), then the
 * environment (LOYALTY_<KEY>). Returns false with a message in err on a bad file. */
bool config_load(struct config *c, const char *path, char *err, size_t errlen);

#endif
