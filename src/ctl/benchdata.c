/* benchdata.c: `loyaltyctl bench-data --clients N`: the data set of `./dev bench`.
 *
 * Client i (1..N) gets the phone +795xxxxxxxx (i in the last 8 digits), one active physical
 * card 3000000000000 + i (13 digits, clear of the demo and virtual ranges 2...), the lowest
 * level, a balance of 100,000.00 points held in one available lot that never expires, and
 * the adjustment + ledger entry that created the lot, so `loyaltyctl verify` stays clean.
 *
 * Set-based: one transaction of INSERT ... SELECT over generate_series. Idempotent: numbers
 * already in card_index (or phones already taken) are skipped, so a second run adds only
 * what is missing (nothing, usually). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/ctl.h"

#define BENCH_DEFAULT_CLIENTS 100000L
#define BENCH_MAX_CLIENTS 100000000L /* 8 phone digits */
#define BENCH_POINTS 10000000LL      /* 100,000.00 points, in 1/100 */

/* $1 = N. The clients still to create, with every id they need. */
static const char bench_plan_sql[] =
    "CREATE TEMP TABLE bench_new ON COMMIT DROP AS "
    "SELECT s.i, s.card, s.phone, nextval('clients_id_seq') AS client_id, "
    "       nextval('points_lots_id_seq') AS lot_id, "
    "       nextval('ledger_entries_id_seq') AS entry_id, "
    "       nextval('adjustments_id_seq') AS adjustment_id "
    "FROM (SELECT i, '3' || lpad(i::text, 12, '0') AS card, "
    "             '+795' || lpad(i::text, 8, '0') AS phone "
    "      FROM generate_series(1, $1::bigint) i) s "
    "WHERE NOT EXISTS (SELECT 1 FROM card_index ci WHERE ci.number = s.card) "
    "  AND NOT EXISTS (SELECT 1 FROM client_phones p WHERE p.phone = s.phone) "
    "ORDER BY s.i";

/* Each statement reads bench_new; $1 (where used) = points per client. */
static const char *const bench_fill_sql[] = {
    "INSERT INTO clients (client_id, phone, first_name, last_name, level_id, referral_code, "
    "   consent_sms, source) "
    "SELECT client_id, phone, 'Bench', 'Client ' || i, "
    "   (SELECT id FROM levels ORDER BY threshold, rank LIMIT 1), 'BENCH-' || i, false, 'bench' "
    "FROM bench_new",
    "INSERT INTO client_phones (phone, client_id) SELECT phone, client_id FROM bench_new",
    "INSERT INTO referral_codes (code, client_id) SELECT 'BENCH-' || i, client_id FROM bench_new",
    "INSERT INTO card_index (number, client_id, kind) SELECT card, client_id, 'physical' "
    "FROM bench_new",
    "INSERT INTO cards (client_id, number, status, kind) "
    "SELECT client_id, card, 'active', 'physical' FROM bench_new",
    "INSERT INTO accounts (client_id, available) SELECT client_id, $1::bigint FROM bench_new",
    "INSERT INTO points_lots (client_id, id, amount, remaining, active_from, expires_at, source, "
    "   adjustment_id, bucket) "
    "SELECT client_id, lot_id, $1::bigint, $1::bigint, now() - interval '1 day', NULL, "
    "   'adjustment', adjustment_id, 'available' FROM bench_new",
    "INSERT INTO ledger_entries (client_id, id, kind, amount, available_delta, balance_after, "
    "   pending_after, adjustment_id, lot_id, comment) "
    "SELECT client_id, entry_id, 'adjustment', $1::bigint, $1::bigint, $1::bigint, 0, "
    "   adjustment_id, lot_id, 'bench data' FROM bench_new",
    "INSERT INTO adjustments (client_id, id, api_client_id, idempotency_key, request_hash, amount, "
    "   reason, lot_id, ledger_entry_id, document) "
    "SELECT client_id, adjustment_id, 0, 'bench-data-' || card, "
    "   sha256(convert_to('bench-data-' || card, 'UTF8')), $1::bigint, 'bench data', lot_id, "
    "   entry_id, jsonb_build_object('id', adjustment_id, 'client_id', client_id, "
    "   'amount', round($1::bigint / 100.0, 2), 'reason', 'bench data', 'active_from', NULL, "
    "   'expires_at', NULL, 'balance_after', round($1::bigint / 100.0, 2), "
    "   'idempotency_key', 'bench-data-' || card) FROM bench_new",
    "INSERT INTO adjustment_index (api_client_id, idempotency_key, client_id, adjustment_id) "
    "SELECT 0, 'bench-data-' || card, client_id, adjustment_id FROM bench_new",
};

static const char *const bench_tables[] = {
    "clients", "client_phones", "referral_codes", "card_index", "cards", "accounts",
    "points_lots", "ledger_entries", "adjustments", "adjustment_index",
};

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run one statement; false (with the message printed) when it fails. */
static bool bench_exec(PGconn *conn, const char *sql, const char *param, long *affected)
{
    const char *params[1] = {param};
    PGresult *r = PQexecParams(conn, sql, param ? 1 : 0, NULL, param ? params : NULL, NULL,
                               NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "loyaltyctl: bench-data: %s", PQerrorMessage(conn));
    else if (affected)
        *affected = atol(PQcmdTuples(r));
    PQclear(r);
    return ok;
}

static void bench_usage(void)
{
    fprintf(stderr, "usage: loyaltyctl bench-data [--clients N]   (default %ld, at most %ld)\n",
            BENCH_DEFAULT_CLIENTS, BENCH_MAX_CLIENTS);
}

int ctl_bench_data(struct ctl_ctx *c, int argc, char **argv)
{
    long n = BENCH_DEFAULT_CLIENTS;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--clients") == 0 && i + 1 < argc) {
            char *end;
            n = strtol(argv[++i], &end, 10);
            if (*end || n < 1 || n > BENCH_MAX_CLIENTS) {
                bench_usage();
                return 2;
            }
        } else {
            bench_usage();
            return 2;
        }
    }

    PGconn *conn = ctl_connect(c);
    if (!conn)
        return 1;
    double t0 = bench_now();
    char nbuf[32], pbuf[32];
    snprintf(nbuf, sizeof(nbuf), "%ld", n);
    snprintf(pbuf, sizeof(pbuf), "%lld", BENCH_POINTS);
    long created = 0, rows = 0;
    int rc = 1;
    /* one bench-data at a time; a failure leaves nothing behind */
    if (!bench_exec(conn, "BEGIN", NULL, NULL) ||
        !bench_exec(conn, "SELECT pg_advisory_xact_lock(727002)", NULL, NULL) ||
        !bench_exec(conn, bench_plan_sql, nbuf, &created))
        goto fail;
    for (size_t i = 0; i < sizeof(bench_fill_sql) / sizeof(bench_fill_sql[0]); i++) {
        long k = 0;
        const char *sql = bench_fill_sql[i];
        if (!bench_exec(conn, sql, strstr(sql, "$1") ? pbuf : NULL, &k))
            goto fail;
        rows += k;
    }
    if (!bench_exec(conn, "COMMIT", NULL, NULL))
        goto fail;
    double t1 = bench_now();
    if (created > 0) {
        /* fresh statistics, or the first plans see empty tables; vacuumed like pgbench -i
         * leaves its tables, so that autovacuum does not start on them during a run */
        char sql[512] = "VACUUM (ANALYZE)";
        for (size_t i = 0; i < sizeof(bench_tables) / sizeof(bench_tables[0]); i++) {
            strcat(sql, i ? ", " : " ");
            strcat(sql, bench_tables[i]);
        }
        if (!bench_exec(conn, sql, NULL, NULL))
            goto out;
    }
    double t2 = bench_now();
    if (created > 0)
        printf("bench-data: %ld clients created (of %ld; %ld already present), each with phone "
               "+795xxxxxxxx, one active card 3000000000001..%013lld and %lld.%02lld points in "
               "one lot; %ld rows in %.1f s, vacuum and analyze %.1f s\n",
               created, n, n - created, 3000000000000LL + n, BENCH_POINTS / 100,
               BENCH_POINTS % 100, rows, t1 - t0, t2 - t1);
    else
        printf("bench-data: all %ld clients already present (cards 3000000000001..%013lld), "
               "nothing to do\n",
               n, 3000000000000LL + n);
    rc = 0;
    goto out;
fail:
    bench_exec(conn, "ROLLBACK", NULL, NULL);
out:
    PQfinish(conn);
    return rc;
}
