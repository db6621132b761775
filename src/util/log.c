#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

void log_msg(const char *level, const char *fmt, ...)
{
    char line[1024], ts[32];
    struct tm tm;
    time_t now = time(NULL);
    va_list ap;

    gmtime_r(&now, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s [%d] %s: %s\n", ts, (int)getpid(), level, line);
}
