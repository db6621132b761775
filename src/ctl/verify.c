/* verify.c: recompute every account from its lots and from its ledger entries and report
 * any difference; exit status 1 when one is found. */
#include <stdio.h>
#include <stdlib.h>

#include "ctl/ctl.h"

/* Accounts whose sums disagree with their lots or with their ledger entries. */
static const char ctl_verify_sql[] =
    "WITH lots AS ("
    "  SELECT client_id, coalesce(sum(remaining) FILTER (WHERE bucket = 'available'), 0) AS av, "
    "         coalesce(sum(remaining) FILTER (WHERE bucket = 'pending'), 0) AS pe "
    "  FROM points_lots GROUP BY client_id), "
    "led AS ("
    "  SELECT client_id, sum(available_delta) AS av, sum(pending_delta) AS pe, "
    "         sum(debt_delta) AS de FROM ledger_entries GROUP BY client_id), "
    "ids AS (SELECT client_id FROM accounts UNION SELECT client_id FROM lots "
    "        UNION SELECT client_id FROM led) "
    "SELECT i.client_id, a.available, a.pending, a.debt, "
    "       coalesce(l.av, 0) - coalesce(a.debt, 0), coalesce(l.pe, 0), "
    "       coalesce(g.av, 0), coalesce(g.pe, 0), coalesce(g.de, 0) "
    "FROM ids i LEFT JOIN accounts a USING (client_id) LEFT JOIN lots l USING (client_id) "
    "LEFT JOIN led g USING (client_id) "
    "WHERE a.client_id IS NULL "
    "   OR a.available <> coalesce(l.av, 0) - a.debt OR a.pending <> coalesce(l.pe, 0) "
    "   OR a.available <> coalesce(g.av, 0) OR a.pending <> coalesce(g.pe, 0) "
    "   OR a.debt <> coalesce(g.de, 0) "
    "ORDER BY 1 LIMIT 100";

/* Rows whose parent is missing (the hot path keeps no foreign keys there, 006). */
static const char ctl_verify_orphans_sql[] =
    "SELECT 'spend draw', d.client_id, d.lot_id FROM spend_draws d "
    " WHERE NOT EXISTS (SELECT 1 FROM points_lots pl WHERE pl.client_id = d.client_id "
    "   AND pl.id = d.lot_id) "
    "LIMIT 100";

/* Print the orphans; how many there were, -1 on error. */
static int ctl_verify_orphans(PGconn *conn)
{
    PGresult *r = PQexec(conn, ctl_verify_orphans_sql);
    int n = -1;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "loyaltyctl: verify: %s", PQerrorMessage(conn));
    } else {
        n = PQntuples(r);
        for (int i = 0; i < n; i++)
            printf("client %s: %s of %s has no parent row\n", PQgetvalue(r, i, 1),
                   PQgetvalue(r, i, 0), PQgetvalue(r, i, 2));
    }
    PQclear(r);
    return n;
}

int ctl_verify(struct ctl_ctx *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    PGconn *conn = ctl_connect(c);
    if (!conn)
        return 2;
    PGresult *r = PQexec(conn, "SELECT count(*) FROM accounts");
    long accounts = PQresultStatus(r) == PGRES_TUPLES_OK ? atol(PQgetvalue(r, 0, 0)) : -1;
    PQclear(r);
    r = PQexec(conn, ctl_verify_sql);
    int rc = 2;
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "loyaltyctl: verify: %s", PQerrorMessage(conn));
        goto out;
    }
    for (int i = 0; i < PQntuples(r); i++)
        printf("client %s: account available=%s pending=%s debt=%s; lots say available=%s "
               "pending=%s; ledger says available=%s pending=%s debt=%s\n",
               PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2), PQgetvalue(r, i, 3),
               PQgetvalue(r, i, 4), PQgetvalue(r, i, 5), PQgetvalue(r, i, 6), PQgetvalue(r, i, 7),
               PQgetvalue(r, i, 8));
    rc = PQntuples(r) ? 1 : 0;
    int orphans = ctl_verify_orphans(conn);
    if (orphans < 0) {
        rc = 2;
        goto out;
    }
    if (orphans) {
        printf("verify: %d draw(s) without their lot\n", orphans);
        rc = 1;
    }
    if (rc)
        printf("verify: %d account(s) differ from their lots or ledger\n", PQntuples(r));
    else
        printf("verify: %ld accounts match their lots and ledger entries\n", accounts);
out:
    PQclear(r);
    PQfinish(conn);
    return rc;
}
