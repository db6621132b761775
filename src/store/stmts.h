/* stmts: every SQL statement of the request path, prepared once per connection. */
#ifndef LOYALTY_STMTS_H
#define LOYALTY_STMTS_H

/* Statement ids; db_stmts[] holds their names and text in the same order. */
enum db_stmt_id {
    STMT_API_CLIENT_BY_KEY,
    STMT_API_CLIENT_BY_CERT,
    STMT_CARD_DOC,
    STMT_CLIENT_DOC,
    STMT_CLIENT_CARDS,
    STMT_CLIENT_BY_PHONE,
    STMT_CLIENT_BY_EMAIL,
    STMT_CLIENT_BY_CARD,
    STMT_CLIENT_BY_EXTERNAL_ID,
    STMT_CLIENT_LIST,
    STMT_CLIENT_NEXT_ID,
    STMT_CLIENT_INSERT,
    STMT_CLIENT_LOCK,
    STMT_CLIENT_UPDATE,
    STMT_PHONE_INSERT,
    STMT_PHONE_DELETE,
    STMT_EMAIL_INSERT,
    STMT_EMAIL_DELETE,
    STMT_EXTERNAL_ID_INSERT,
    STMT_EXTERNAL_ID_DELETE,
    STMT_REFERRAL_CODE_INSERT,
    STMT_REFERRAL_CODE_LOOKUP,
    STMT_ACCOUNT_INSERT,
    STMT_LEVEL_DEFAULT,
    STMT_CARD_BIND,
    STMT_CARD_INSERT,
    STMT_VIRTUAL_NEXT,
    STMT_VIRTUAL_INDEX_INSERT,
    STMT_CARD_LOCK,
    STMT_CARD_SET_STATE,
    STMT_IDEMPOTENCY_GET,
    STMT_IDEMPOTENCY_PUT,
    STMT_SETTINGS_GENERAL,
    STMT_OUTBOX_PUT,
    STMT_ADVISORY_LOCK,
    STMT_COUNT
};

/* A prepared statement. */
struct db_stmt {
    const char *name; /* server-side name */
    const char *sql;  /* text with $n parameters */
};

extern const struct db_stmt db_stmts[STMT_COUNT];

#endif
