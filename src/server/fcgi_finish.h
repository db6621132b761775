/* fcgi_finish: the end of a FastCGI request without libfcgi's lingering close. */
#ifndef LOYALTY_FCGI_FINISH_H
#define LOYALTY_FCGI_FINISH_H

#include <fcgiapp.h>

/* Finish req like FCGX_Finish_r, then close its connection at once unless nginx asked to keep
 * it: what is left of the request body is read first, so nothing unread is ever closed on
 * (which is what libfcgi's close guards against by shutting the socket down and waiting up to
 * 2 s for nginx to close first: one more sleep and wakeup per request). More than 64 KiB of
 * unread body (a large upload refused early) is left to libfcgi's close, after the answer.
 * Shared by the worker threads and the bench's hello baseline, so that both end requests
 * alike. */
void fcgi_finish(FCGX_Request *req);

#endif
