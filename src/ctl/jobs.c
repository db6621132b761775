/* jobs.c: the set-based jobs (activation, expiry, hold release, level recalculation).
 * Each is one statement that moves rows from one state to the next, so a re-run finds
 * nothing left to do; each writes at most one ledger entry per client per run, and
 * drops the cached cards of the clients it changed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl.h"
#include "store/cache.h"
#include "store/purchases.h"

/* Pending lots whose time has come become available. $1 = job run id. */
static const char ctl_job_activation[] =
    "WITH moved AS (UPDATE points_lots SET bucket = 'available' "
    "   WHERE bucket = 'pending' AND active_from <= now() RETURNING client_id, remaining), "
    "per AS (SELECT client_id, sum(remaining) AS amt FROM moved GROUP BY client_id), "
    "acc AS (UPDATE accounts a SET available = a.available + p.amt, pending = a.pending - p.amt, "
    "   version = version + 1, updated_at = now() FROM per p WHERE a.client_id = p.client_id "
    "   RETURNING a.client_id, a.available, a.pending, p.amt), "
    "led AS (INSERT INTO ledger_entries (client_id, kind, amount, available_delta, pending_delta, "
    "   balance_after, pending_after, job_run_id, comment) "
    "   SELECT client_id, 'activation', amt, amt, -amt, available, pending, $1, 'activation' "
    "   FROM acc RETURNING client_id) "
    "SELECT client_id FROM led";

/* Available lots past their expiry lose what is left in them. $1 = job run id. */
static const char ctl_job_expiry[] =
    "WITH old AS (SELECT client_id, id, remaining FROM points_lots "
    "   WHERE bucket = 'available' AND remaining > 0 AND expires_at <= now() FOR UPDATE), "
    "moved AS (UPDATE points_lots l SET remaining = 0, bucket = 'expired' FROM old "
    "   WHERE l.client_id = old.client_id AND l.id = old.id RETURNING old.client_id, old.remaining), "
    "per AS (SELECT client_id, sum(remaining) AS amt FROM moved GROUP BY client_id), "
    "acc AS (UPDATE accounts a SET available = a.available - p.amt, "
    "   version = version + 1, updated_at = now() FROM per p WHERE a.client_id = p.client_id "
    "   RETURNING a.client_id, a.available, a.pending, p.amt), "
    "led AS (INSERT INTO ledger_entries (client_id, kind, amount, available_delta, "
    "   balance_after, pending_after, job_run_id, comment) "
    "   SELECT client_id, 'expiry', -amt, -amt, available, pending, $1, 'expired' "
    "   FROM acc RETURNING client_id) "
    "SELECT client_id FROM led";

/* Every client to the level its purchases reach (lowering included). */
static const char ctl_job_levels[] =
    "WITH t AS (SELECT c.client_id, c.level_id AS old, "
    "   (SELECT l.id FROM levels l WHERE l.threshold <= (SELECT coalesce(sum(p.level_amount - "
    "      coalesce((SELECT sum(r.level_amount) FROM refunds r WHERE r.client_id = p.client_id "
    "      AND r.purchase_id = p.id), 0)), 0) FROM purchases p WHERE p.client_id = c.client_id "
    "      AND p.status = 'confirmed' AND (l.period_days = 0 OR "
    "      p.confirmed_at > now() - make_interval(days => l.period_days))) "
    "    ORDER BY l.rank DESC LIMIT 1) AS level_id FROM clients c), "
    "ch AS (UPDATE clients c SET level_id = t.level_id, updated_at = now() FROM t "
    "   WHERE c.client_id = t.client_id AND t.level_id IS NOT NULL "
    "   AND c.level_id IS DISTINCT FROM t.level_id RETURNING c.client_id, t.old, t.level_id), "
    "ev AS (INSERT INTO outbox (type, client_id, payload) SELECT 'level.changed', client_id, "
    "   jsonb_build_object('client_id', client_id, 'from', old, 'to', level_id) FROM ch "
    "   RETURNING client_id) "
    "SELECT client_id FROM ev WHERE $1::bigint IS NOT NULL";

/* Holds past their TTL: (api client, receipt id) to release one by one. */
static const char ctl_job_holds[] =
    "SELECT api_client_id, receipt_id FROM purchases WHERE status = 'held' "
    "AND hold_expires_at < now() AND $1::bigint IS NOT NULL ORDER BY hold_expires_at LIMIT 10000";

/* Clients with a debt, to settle one by one from their available points. */
static const char ctl_job_debts[] =
    "SELECT client_id FROM accounts WHERE debt > 0 AND $1::bigint IS NOT NULL "
    "ORDER BY client_id LIMIT 100000";

/* A job: its name in job_runs and its statement. */
static const struct {
    const char *name;   /* as typed and as recorded */
    const char *sql;    /* one set-based statement returning touched client ids */
} ctl_job_table[] = {
    {"activation", ctl_job_activation},
    {"expiry", ctl_job_expiry},
    {"level_recalc", ctl_job_levels},
    {"hold_release", ctl_job_holds},
    {"debt_settlement", ctl_job_debts},
};

/* Drop cached card documents of the clients in the result (column 0). */
static void ctl_job_invalidate(struct ctl_ctx *c, PGconn *conn, PGresult *clients)
{
    if (PQntuples(clients) == 0)
        return;
    struct buf ids;
    buf_init(&ids);
    buf_addc(&ids, '{');
    for (int i = 0; i < PQntuples(clients); i++)
        buf_printf(&ids, "%s%s", i ? "," : "", PQgetvalue(clients, i, 0));
    buf_addc(&ids, '}');
    const char *p[1] = {buf_str(&ids)};
    PGresult *r = PQexecParams(conn, "SELECT number FROM cards WHERE client_id = ANY($1::bigint[])",
                               1, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) {
        struct cache *cache = cache_new(c->cfg.redis, c->cfg.cache_ttl);
        const char **numbers = calloc((size_t)PQntuples(r), sizeof(char *));
        for (int i = 0; numbers && i < PQntuples(r); i++)
            numbers[i] = PQgetvalue(r, i, 0);
        if (numbers)
            cache_card_invalidate(cache, numbers, (size_t)PQntuples(r));
        free(numbers);
        cache_free(cache);
    }
    PQclear(r);
    buf_free(&ids);
}

/* Release expired holds through the same code as a cancel. */
static int ctl_release_holds(struct ctl_ctx *c, PGresult *holds, long *released)
{
    struct arena a;
    arena_init(&a, 65536);
    *released = 0;
    for (int i = 0; i < PQntuples(holds); i++) {
        struct store_caller who = {strtoll(PQgetvalue(holds, i, 0), NULL, 10), "worker", 0};
        arena_reset(&a);
        struct purchase_result res =
            store_purchase_release(&c->db, &a, &who, PQgetvalue(holds, i, 1));
        if (res.o.db != DB_OK) {
            arena_free(&a);
            return 1;
        }
        if (res.o.status == 0 && res.doc) {
            (*released)++;
            struct cache *cache = cache_new(c->cfg.redis, c->cfg.cache_ttl);
            cache_card_invalidate(cache, res.o.cards, res.o.ncards);
            cache_free(cache);
        }
    }
    arena_free(&a);
    return 0;
}

/* Pay the debts of the clients in the result (column 0) from their available points; the
 * activation job runs it for the clients whose points it just made available. */
static int ctl_settle_debts(struct ctl_ctx *c, PGresult *clients, long *settled)
{
    struct arena a;
    arena_init(&a, 65536);
    *settled = 0;
    for (int i = 0; i < PQntuples(clients); i++) {
        int64_t paid = 0;
        arena_reset(&a);
        struct store_outcome o =
            store_debt_settle(&c->db, &a, strtoll(PQgetvalue(clients, i, 0), NULL, 10), &paid);
        if (o.db != DB_OK) {
            arena_free(&a);
            return 1;
        }
        if (paid) {
            (*settled)++;
            struct cache *cache = cache_new(c->cfg.redis, c->cfg.cache_ttl);
            cache_card_invalidate(cache, o.cards, o.ncards);
            cache_free(cache);
        }
    }
    arena_free(&a);
    return 0;
}

static int ctl_job_run(struct ctl_ctx *c, const char *name, const char *sql)
{
    int rc = 1;
    PGconn *conn = ctl_connect(c);
    PGresult *r = NULL;
    char run_id[32] = "";
    if (!conn)
        return 1;
    const char *pn[1] = {name};
    r = PQexecParams(conn,
                     "INSERT INTO job_runs (job, run_key, window_to) VALUES ($1, "
                     "to_char(clock_timestamp(), 'YYYY-MM-DD\"T\"HH24:MI:SS.USOF'), now()) RETURNING id",
                     1, NULL, pn, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "loyaltyctl: %s", PQerrorMessage(conn));
        goto out;
    }
    const char *run[1] = {PQgetvalue(r, 0, 0)};
    snprintf(run_id, sizeof(run_id), "%s", run[0]);
    PQclear(r);
    run[0] = run_id;
    /* a deadlock with a request on the same client is retried */
    for (int attempt = 0; attempt < 5; attempt++) {
        r = PQexecParams(conn, sql, 1, NULL, run, NULL, NULL, 0);
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        if (PQresultStatus(r) == PGRES_TUPLES_OK || !state ||
            (strcmp(state, "40P01") != 0 && strcmp(state, "40001") != 0))
            break;
        PQclear(r);
        r = NULL;
    }
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "loyaltyctl: %s: %s", name, PQerrorMessage(conn));
        goto out;
    }
    long touched = PQntuples(r), settled = 0;
    if (strcmp(name, "hold_release") == 0) {
        if (ctl_release_holds(c, r, &touched) != 0)
            goto out;
    } else if (strcmp(name, "debt_settlement") == 0) {
        if (ctl_settle_debts(c, r, &touched) != 0)
            goto out;
    } else {
        ctl_job_invalidate(c, conn, r);
        /* points that became available pay their client's debt first */
        if (strcmp(name, "activation") == 0 && ctl_settle_debts(c, r, &settled) != 0)
            goto out;
    }
    PQclear(r);
    char count[32];
    snprintf(count, sizeof(count), "%ld", touched);
    const char *fin[2] = {run_id, count};
    r = PQexecParams(conn, "UPDATE job_runs SET status = 'completed', clients = $2, "
                           "finished_at = clock_timestamp() WHERE id = $1",
                     2, NULL, fin, NULL, NULL, 0);
    printf("%s: %ld %s", name, touched,
           strcmp(name, "hold_release") == 0 ? "holds released" : "clients changed");
    if (settled)
        printf(" (%ld debts settled)", settled);
    printf("\n");
    rc = 0;
out:
    PQclear(r);
    if (rc && *run_id) { /* a failed run is recorded as such, not left "running" */
        const char *f[2] = {run_id, PQerrorMessage(conn)};
        r = PQexecParams(conn, "UPDATE job_runs SET status = 'failed', error = $2, "
                               "finished_at = clock_timestamp() WHERE id = $1",
                         2, NULL, f, NULL, NULL, 0);
        PQclear(r);
    }
    PQfinish(conn);
    return rc;
}

int ctl_jobs(struct ctl_ctx *c, int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "run") == 0) {
        for (size_t i = 0; i < sizeof(ctl_job_table) / sizeof(ctl_job_table[0]); i++)
            if (strcmp(argv[2], ctl_job_table[i].name) == 0)
                return ctl_job_run(c, ctl_job_table[i].name, ctl_job_table[i].sql);
    }
    fprintf(stderr, "loyaltyctl: jobs run activation|expiry|level_recalc|hold_release|"
                    "debt_settlement\n");
    return 2;
}
