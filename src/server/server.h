/* server: the FastCGI master (prefork, supervision, reload, graceful stop) and the
 * worker processes (threads each owning a PostgreSQL and a Redis connection). */
#ifndef LOYALTY_SERVER_H
#define LOYALTY_SERVER_H

#include "http/dispatch.h"
#include "util/config.h"

/* Run the master until SIGTERM/SIGINT; returns the process exit code. */
int server_master_run(const char *config_path, const struct dispatch_api *api);
/* Body of a worker process: serve listen_fd with cfg->threads threads until SIGTERM. */
int server_worker_run(int listen_fd, const struct config *cfg, const struct dispatch_api *api);

#endif
