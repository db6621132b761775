#include "server/fcgi_finish.h"

#include <unistd.h>

void fcgi_finish(FCGX_Request *req)
{
    char sink[4096];
    int keep = req->keepConnection;
    if (req->in)
        while (FCGX_GetStr(sink, (int)sizeof(sink), req->in) > 0)
            ;
    req->keepConnection = 1; /* FCGX_Finish_r closes only after a stream error */
    FCGX_Finish_r(req);
    req->keepConnection = keep;
    if (!keep && req->ipcFd >= 0) {
        close(req->ipcFd);
        req->ipcFd = -1;
    }
}
