/* apiclient.c: create, list and revoke API clients. The secret is printed once and only
 * its salted hash is stored. */
#include <getopt.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "ctl/ctl.h"
#include "http/auth.h"
#include "http/scope.h"

/* Tell every worker process that API clients changed (store/notify.h). */
static void ctl_notify(PGconn *conn)
{
    PGresult *r = PQexec(conn, "NOTIFY loyalty_config");
    PQclear(r);
}

static int ctl_api_client_create(struct ctl_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"name", required_argument, NULL, 'n'},
        {"scopes", required_argument, NULL, 's'},
        {"format", required_argument, NULL, 'f'},
        {"fingerprint", required_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    const char *name = NULL, *scopes = NULL, *format = "json", *fingerprint = NULL;
    char key_id[17], secret[65], salt_hex[33], hash_hex[65], scope_array[128];
    unsigned char salt[16], hash[32];
    unsigned bits;
    int opt, rc = 1;
    PGconn *conn = NULL;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "n:s:f:p:", opts, NULL)) != -1) {
        switch (opt) {
        case 'n': name = optarg; break;
        case 's': scopes = optarg; break;
        case 'f': format = optarg; break;
        case 'p': fingerprint = optarg; break;
        default: return 2;
        }
    }
    if (!name || !scopes || !scope_parse(scopes, &bits) ||
        (strcmp(format, "json") != 0 && strcmp(format, "xml") != 0)) {
        fprintf(stderr, "loyaltyctl: api-client create --name N --scopes %s "
                        "[--format json|xml] [--fingerprint SHA256HEX]\n", SCOPE_ALL_NAMES);
        return 2;
    }
    if (fingerprint && strlen(fingerprint) != 64) {
        fprintf(stderr, "loyaltyctl: the fingerprint is 64 hex digits of SHA-256\n");
        return 2;
    }
    if (!auth_random_hex(8, key_id) || !auth_random_hex(32, secret) ||
        RAND_bytes(salt, sizeof(salt)) != 1) {
        fprintf(stderr, "loyaltyctl: no random source\n");
        return 1;
    }
    auth_hash_secret(salt, sizeof(salt), secret, hash);
    for (size_t i = 0; i < sizeof(salt); i++)
        snprintf(salt_hex + 2 * i, 3, "%02x", salt[i]);
    for (size_t i = 0; i < sizeof(hash); i++)
        snprintf(hash_hex + 2 * i, 3, "%02x", hash[i]);
    snprintf(scope_array, sizeof(scope_array), "{%s}", scopes);
    conn = ctl_connect(c);
    if (!conn)
        return 1;
    const char *p[7] = {name, key_id, salt_hex, hash_hex, scope_array, format, fingerprint};
    PGresult *r = PQexecParams(conn,
                               "INSERT INTO api_clients (name, key_id, secret_salt, secret_hash, "
                               "scopes, default_format, cert_fingerprint) VALUES ($1, $2, "
                               "decode($3, 'hex'), decode($4, 'hex'), $5::text[], $6, lower($7))",
                               7, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fprintf(stderr, "loyaltyctl: %s", PQerrorMessage(conn));
    else {
        printf("%s.%s\n", key_id, secret);
        rc = 0;
    }
    ctl_notify(conn);
    PQclear(r);
    PQfinish(conn);
    return rc;
}

static int ctl_api_client_list(struct ctl_ctx *c)
{
    PGconn *conn = ctl_connect(c);
    if (!conn)
        return 1;
    PGresult *r = PQexec(conn, "SELECT name, key_id, array_to_string(scopes, ','), default_format, "
                               "active, coalesce(cert_fingerprint, '-') FROM api_clients ORDER BY id");
    int rc = PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : 1;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++)
        printf("%-24s %-16s %-24s %-4s %s %s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
               PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
               PQgetvalue(r, i, 4)[0] == 't' ? "active " : "revoked", PQgetvalue(r, i, 5));
    PQclear(r);
    PQfinish(conn);
    return rc;
}

static int ctl_api_client_revoke(struct ctl_ctx *c, int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], "--name") != 0) {
        fprintf(stderr, "loyaltyctl: api-client revoke --name N\n");
        return 2;
    }
    PGconn *conn = ctl_connect(c);
    if (!conn)
        return 1;
    const char *p[1] = {argv[2]};
    PGresult *r = PQexecParams(conn, "UPDATE api_clients SET active = false, updated_at = now() "
                                     "WHERE name = $1", 1, NULL, p, NULL, NULL, 0);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK && strcmp(PQcmdTuples(r), "1") == 0 ? 0 : 1;
    if (rc)
        fprintf(stderr, "loyaltyctl: no API client named %s\n", argv[2]);
    else
        ctl_notify(conn); /* every worker drops its cached keys at once */
    PQclear(r);
    PQfinish(conn);
    return rc;
}

int ctl_api_client(struct ctl_ctx *c, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "create") == 0)
        return ctl_api_client_create(c, argc - 1, argv + 1);
    if (argc == 2 && strcmp(argv[1], "list") == 0)
        return ctl_api_client_list(c);
    if (argc >= 2 && strcmp(argv[1], "revoke") == 0)
        return ctl_api_client_revoke(c, argc - 1, argv + 1);
    fprintf(stderr, "loyaltyctl: api-client create|list|revoke\n");
    return 2;
}
