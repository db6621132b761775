#include "server/fcgi_finish.h"

#include <unistd.h>

/* At most this much of an unread body is read here; beyond it libfcgi's own close runs. */
#define FCGI_FINISH_DRAIN_MAX (64 * 1024)

void fcgi_finish(FCGX_Request *req)
{
    char sink[4096];
    int keep = req->keepConnection, n = 0, drained = 0;
    if (req->in)
        while (drained < FCGI_FINISH_DRAIN_MAX &&
               (n = FCGX_GetStr(sink, (int)sizeof(sink), req->in)) > 0)
            drained += n;
    if (n > 0) { /* a large body left unread (an early refusal): the answer goes first */
        FCGX_Finish_r(req);
        return;
    }
    req->keepConnection = 1; /* FCGX_Finish_r closes only after a stream error */
    FCGX_Finish_r(req);
    req->keepConnection = keep;
    if (!keep && req->ipcFd >= 0) {
        close(req->ipcFd);
        req->ipcFd = -1;
    }
}
