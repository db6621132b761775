/* loyalty-fcgi: the API workers behind nginx. */
#include <getopt.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "http/metrics.h"
#include "server/server.h"

static void usage(void)
{
    fprintf(stderr, "usage: loyalty-fcgi [--config FILE]\n"
                    "settings: a key = value file and LOYALTY_* variables (see docs/operations.md)\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config = NULL;
    int c;
    while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
        if (c == 'c') {
            config = optarg;
        } else {
            usage();
            return c == 'h' ? 0 : 2;
        }
    }
    xmlInitParser();
    struct dispatch_api api = {api_routes, api_nroutes, metrics_create()};
    dispatch_current = &api;
    int rc = server_master_run(config, &api);
    xmlCleanupParser();
    return rc;
}
