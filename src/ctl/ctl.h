/* ctl: the subcommands of loyaltyctl. */
#ifndef LOYALTY_CTL_H
#define LOYALTY_CTL_H

#include "store/db.h"
#include "util/config.h"

/* What every subcommand gets. */
struct ctl_ctx {
    struct config cfg;  /* settings (LOYALTY_PG etc.) */
    struct db db;       /* connection (not connected until used) */
};

int ctl_migrate(struct ctl_ctx *c, int argc, char **argv);
int ctl_api_client(struct ctl_ctx *c, int argc, char **argv);
int ctl_demo_data(struct ctl_ctx *c, int argc, char **argv);
int ctl_verify(struct ctl_ctx *c, int argc, char **argv);
int ctl_jobs(struct ctl_ctx *c, int argc, char **argv);
int ctl_bench_data(struct ctl_ctx *c, int argc, char **argv);
int ctl_cache(struct ctl_ctx *c, int argc, char **argv);

/* Connect without preparing the API statements (the schema may not exist yet). */
PGconn *ctl_connect(struct ctl_ctx *c);

#endif
