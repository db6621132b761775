/* demo.c: a little demo data for a developer's stack: three levels and three clients with
 * cards. Safe to run twice. */
#include <stdio.h>

#include "ctl/ctl.h"

static const char ctl_demo_sql[] =
    "INSERT INTO levels (name, rank, threshold, period_days, accrual_percent, discount_percent, "
    "max_spend_percent) VALUES "
    "('Base', 1, 0, 365, 300, 0, NULL), "
    "('Silver', 2, 1000000, 365, 500, 300, NULL), "
    "('Gold', 3, 5000000, 365, 500, 500, 5000) ON CONFLICT (name) DO NOTHING;"
    "INSERT INTO client_segments (name, kind) VALUES ('Coffee lovers', 'static') "
    "ON CONFLICT (name) DO NOTHING;"
    "CREATE TEMP TABLE demo (phone text, first text, last text, card text, level text);"
    "INSERT INTO demo VALUES "
    "('+79990000001', 'Anna', 'Petrova', '2000000000015', 'Gold'), "
    "('+79990000002', 'Ivan', 'Sidorov', '2000000000022', 'Silver'), "
    "('+79990000003', 'Olga', 'Ivanova', '2000000000039', 'Base');"
    "DELETE FROM demo WHERE phone IN (SELECT phone FROM client_phones) "
    "   OR card IN (SELECT number FROM card_index);"
    "ALTER TABLE demo ADD COLUMN id bigint;"
    "UPDATE demo SET id = nextval('clients_id_seq');"
    "INSERT INTO clients (client_id, phone, first_name, last_name, level_id, referral_code, "
    "   consent_sms, source) "
    "SELECT d.id, d.phone, d.first, d.last, l.id, 'DEMO' || d.id, true, 'demo' "
    "FROM demo d JOIN levels l ON l.name = d.level;"
    "INSERT INTO client_phones SELECT phone, id FROM demo;"
    "INSERT INTO referral_codes SELECT 'DEMO' || id, id FROM demo;"
    "INSERT INTO card_index (number, client_id, kind) SELECT card, id, 'virtual' FROM demo;"
    "INSERT INTO cards (client_id, number, status, kind) SELECT id, card, 'active', 'virtual' "
    "FROM demo;"
    "INSERT INTO accounts (client_id) SELECT id FROM demo;"
    "INSERT INTO client_segment_members (client_id, segment_id) "
    "SELECT d.id, s.id FROM demo d, client_segments s WHERE s.name = 'Coffee lovers' "
    "AND d.level = 'Gold';"
    /* keep the virtual range clear of the demo numbers */
    "SELECT setval('virtual_card_seq', greatest((SELECT last_value FROM virtual_card_seq), 3));";

int ctl_demo_data(struct ctl_ctx *c, int argc, char **argv)
{
    (void)argc;
    (void)argv;
    PGconn *conn = ctl_connect(c);
    if (!conn)
        return 1;
    PGresult *r = PQexec(conn, "BEGIN");
    PQclear(r);
    r = PQexec(conn, ctl_demo_sql);
    int rc = PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : 1;
    if (rc)
        fprintf(stderr, "loyaltyctl: demo data: %s", PQerrorMessage(conn));
    PQclear(r);
    r = PQexec(conn, rc ? "ROLLBACK" : "COMMIT");
    PQclear(r);
    PQfinish(conn);
    if (!rc)
        printf("demo data loaded: levels Base/Silver/Gold, cards 2000000000015, 2000000000022, "
               "2000000000039\n");
    return rc;
}
