/* loyaltyctl: operations on a loyalty database. */
#include <stdio.h>
#include <string.h>

#include "ctl/ctl.h"

/* A subcommand. */
static const struct {
    const char *name;                                 /* as typed */
    int (*run)(struct ctl_ctx *c, int argc, char **argv); /* its body */
    const char *help;                                 /* one line */
} ctl_commands[] = {
    {"migrate", ctl_migrate, "migrate [--dir DIR]  apply new sql/NNN_*.sql migrations"},
    {"api-client", ctl_api_client,
     "api-client create --name N --scopes a,b [--format json|xml] [--fingerprint HEX]\n"
     "                     api-client list | revoke --name N"},
    {"verify", ctl_verify, "verify  recompute every balance from its lots and ledger (exit 1 on a difference)"},
    {"jobs", ctl_jobs, "jobs run activation|expiry|level_recalc|hold_release|debt_settlement"},
    {"demo-data", ctl_demo_data, "demo-data  load demo levels, clients and cards (idempotent)"},
    {"bench-data", ctl_bench_data,
     "bench-data [--clients N]  load ./dev bench's clients, cards and points (idempotent)"},
    {"cache", ctl_cache,
     "cache warm [--batch N]  fill the Redis card cache from the database (safe while serving)"},
};

static void ctl_usage(void)
{
    fprintf(stderr, "usage: loyaltyctl COMMAND ...\n");
    for (size_t i = 0; i < sizeof(ctl_commands) / sizeof(ctl_commands[0]); i++)
        fprintf(stderr, "  %s\n", ctl_commands[i].help);
    fprintf(stderr, "the database is LOYALTY_PG (a libpq connection string)\n");
}

int main(int argc, char **argv)
{
    struct ctl_ctx c;
    char err[256];
    if (argc < 2) {
        ctl_usage();
        return 2;
    }
    if (!config_load(&c.cfg, NULL, err, sizeof(err))) {
        fprintf(stderr, "loyaltyctl: %s\n", err);
        return 2;
    }
    db_init(&c.db, c.cfg.pg);
    for (size_t i = 0; i < sizeof(ctl_commands) / sizeof(ctl_commands[0]); i++)
        if (strcmp(argv[1], ctl_commands[i].name) == 0) {
            int rc = ctl_commands[i].run(&c, argc - 1, argv + 1);
            db_close(&c.db);
            return rc;
        }
    ctl_usage();
    return 2;
}
