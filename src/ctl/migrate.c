/* migrate.c: apply sql/NNN_name.sql files in order, each in its own transaction, and
 * record them in schema_migrations so a second run changes nothing. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"

PGconn *ctl_connect(struct ctl_ctx *c)
{
    PGconn *conn = PQconnectdb(c->cfg.pg);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "loyaltyctl: cannot connect: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return NULL;
    }
    PGresult *r = PQexec(conn, "SET client_min_messages = warning");
    PQclear(r);
    return conn;
}

static int ctl_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *ctl_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

/* Apply one file unless recorded; returns 0 applied/skipped, 1 on failure. */
static int ctl_apply(PGconn *conn, const char *dir, const char *name, int *applied)
{
    char path[1024];
    const char *p[1] = {name};
    int rc = 1;
    char *sql = NULL;
    PGresult *r = PQexecParams(conn, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, NULL,
                               p, NULL, NULL, 0);
    bool done = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    PQclear(r);
    if (done)
        return 0;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    sql = ctl_read_file(path);
    if (!sql) {
        fprintf(stderr, "loyaltyctl: cannot read %s\n", path);
        return 1;
    }
    r = PQexec(conn, "BEGIN");
    PQclear(r);
    r = PQexec(conn, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "loyaltyctl: %s: %s", name, PQerrorMessage(conn));
        goto out;
    }
    PQclear(r);
    r = PQexecParams(conn, "INSERT INTO schema_migrations (version) VALUES ($1)", 1, NULL, p,
                     NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        goto out;
    PQclear(r);
    r = PQexec(conn, "COMMIT");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        goto out;
    printf("applied %s\n", name);
    (*applied)++;
    rc = 0;
out:
    PQclear(r);
    if (rc) {
        r = PQexec(conn, "ROLLBACK");
        PQclear(r);
    }
    free(sql);
    return rc;
}

int ctl_migrate(struct ctl_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {{"dir", required_argument, NULL, 'd'}, {NULL, 0, NULL, 0}};
    const char *dir = c->cfg.sql_dir;
    char *names[1000];
    size_t n = 0;
    int opt, rc = 1, applied = 0;
    PGconn *conn = NULL;
    DIR *d = NULL;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "d:", opts, NULL)) != -1) {
        if (opt != 'd')
            return 2;
        dir = optarg;
    }
    d = opendir(dir);
    if (!d) {
        fprintf(stderr, "loyaltyctl: cannot open %s\n", dir);
        return 1;
    }
    for (struct dirent *e; (e = readdir(d)) != NULL && n < 1000;) {
        size_t len = strlen(e->d_name);
        if (len > 8 && e->d_name[0] >= '0' && e->d_name[0] <= '9' &&
            strcmp(e->d_name + len - 4, ".sql") == 0)
            names[n++] = strdup(e->d_name);
    }
    qsort(names, n, sizeof(char *), ctl_cmp);
    conn = ctl_connect(c);
    if (!conn)
        goto out;
    /* one migrator at a time */
    PGresult *r = PQexec(conn, "SELECT pg_advisory_lock(727001); "
                               "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, "
                               "applied_at timestamptz NOT NULL DEFAULT now())");
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
        fprintf(stderr, "loyaltyctl: %s", PQerrorMessage(conn));
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (ctl_apply(conn, dir, names[i], &applied) != 0)
            goto out;
    printf("schema up to date (%d applied)\n", applied);
    rc = 0;
out:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    if (d)
        closedir(d);
    if (conn)
        PQfinish(conn);
    return rc;
}
