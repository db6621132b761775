/* test_selfconnect.c: the Redis client's guard against a socket connected to itself (a
 * client given the stopped server's port as its own, which then keeps that port taken). */
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "store/cache.h"
#include "tests.h"

/* A loopback address with the given port (0: any). */
static struct sockaddr_in selfconnect_addr(in_port_t port)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = port;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sa;
}

static void test_self_connected(void)
{
    /* bound to a port and connected to that same port: TCP's simultaneous open to itself */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    CU_ASSERT_FATAL(fd >= 0);
    struct sockaddr_in sa = selfconnect_addr(0);
    socklen_t len = sizeof(sa);
    CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    CU_ASSERT_FATAL(getsockname(fd, (struct sockaddr *)&sa, &len) == 0);
    CU_ASSERT_FATAL(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    CU_ASSERT_TRUE(cache_self_connected(fd));
    close(fd);
}

static void test_connected_to_a_server(void)
{
    int srv = socket(AF_INET, SOCK_STREAM, 0), cli = socket(AF_INET, SOCK_STREAM, 0);
    CU_ASSERT_FATAL(srv >= 0 && cli >= 0);
    struct sockaddr_in sa = selfconnect_addr(0);
    socklen_t len = sizeof(sa);
    CU_ASSERT_FATAL(bind(srv, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    CU_ASSERT_FATAL(listen(srv, 1) == 0);
    CU_ASSERT_FATAL(getsockname(srv, (struct sockaddr *)&sa, &len) == 0);
    CU_ASSERT_FATAL(connect(cli, (struct sockaddr *)&sa, sizeof(sa)) == 0);
    CU_ASSERT_FALSE(cache_self_connected(cli));
    CU_ASSERT_FALSE(cache_self_connected(-1)); /* not a socket: not refused for that */
    close(cli);
    close(srv);
}

int test_selfconnect_register(void)
{
    CU_pSuite s = CU_add_suite("selfconnect", NULL, NULL);
    if (!s || !CU_add_test(s, "a socket connected to itself is recognised", test_self_connected) ||
        !CU_add_test(s, "a socket connected to a server is not", test_connected_to_a_server))
        return -1;
    return 0;
}
