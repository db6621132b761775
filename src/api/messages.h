/* messages: the C shape of every message of the API and its descriptor. The descriptor
 * tables in messages.c are the single source of the JSON and XML forms and the XSDs. */
#ifndef LOYALTY_MESSAGES_H
#define LOYALTY_MESSAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/msg.h"

/* {"error": {...}} / <error> */
struct msg_error_doc {
    const char *code;     /* machine-readable code (API.md §4) */
    const char *message;  /* human text */
    const char *field;    /* dotted path of the offending field, or NULL */
};

/* GET /health */
struct msg_health {
    const char *status;   /* ok | degraded | down */
    const char *postgres; /* ok | down */
    const char *redis;    /* ok | down */
    const char *version;  /* server version */
};

/* {"id","name"} of a level or a segment */
struct msg_ref {
    int64_t id;       /* identifier */
    const char *name; /* display name */
};

/* balance block of a card or client */
struct msg_balance {
    points_t available; /* spendable now */
    points_t pending;   /* earned, not yet active */
    points_t debt;      /* owed after refunds of spent accruals */
};

/* the client summary inside a card document */
struct msg_card_client {
    int64_t id;               /* client id */
    const char *first_name;   /* given name */
    const char *last_name;    /* family name */
    const char *phone_masked; /* +7999***4567 */
};

/* <card>: GET /cards/{number} and card actions */
struct msg_card {
    const char *number;             /* card number */
    const char *status;             /* active | inactive | blocked | replaced */
    const char *kind;               /* physical | virtual */
    const char *replaced_by;        /* the card that replaced this one */
    struct msg_card_client *client; /* owner, NULL for unbound stock */
    struct msg_ref *level;          /* owner's level */
    struct msg_balance *balance;    /* owner's balance */
    percent_t discount_percent;     /* personal discount of the level */
    bool has_discount_percent;      /* discount_percent is known (card is bound) */
    struct msg_ref *segments;       /* client segments the owner is in */
    size_t nsegments;               /* number of segments */
};

/* a card inside a client document */
struct msg_card_summary {
    const char *number; /* card number */
    const char *status; /* card status */
    const char *kind;   /* physical | virtual */
};

/* consents to be contacted */
struct msg_consents {
    bool sms;   /* SMS allowed */
    bool email; /* e-mail allowed */
    bool push;  /* push allowed */
};

/* <client> */
struct msg_client {
    int64_t id;                      /* client id */
    const char *external_id;         /* id in the ERP */
    const char *phone;               /* E.164 */
    const char *email;               /* lower-cased */
    const char *first_name;          /* given name */
    const char *last_name;           /* family name */
    const char *middle_name;         /* patronymic */
    const char *birth_date;          /* YYYY-MM-DD */
    const char *gender;              /* male | female */
    struct msg_consents *consents;   /* contact consents */
    struct msg_ref *level;           /* current level */
    const char *referral_code;       /* this client's own code to invite others */
    struct msg_card_summary *cards;  /* the client's cards */
    size_t ncards;                   /* number of cards */
    struct msg_balance *balance;     /* points balance */
    struct msg_kv *attributes;       /* free-form attributes */
    const char *created_at;          /* RFC 3339 */
    const char *source;              /* API client that brought the client in */
};

/* POST /clients and PATCH /clients/{id} */
struct msg_client_input {
    const char *phone;             /* any national or international spelling */
    const char *email;             /* e-mail address */
    const char *first_name;        /* given name */
    const char *last_name;         /* family name */
    const char *middle_name;       /* patronymic */
    const char *birth_date;        /* YYYY-MM-DD */
    const char *gender;            /* male | female */
    struct msg_consents *consents; /* contact consents */
    const char *card_number;       /* manual binding (create only) */
    bool issue_virtual_card;       /* automatic virtual card (create only) */
    const char *referral_code;     /* the inviter's code (create only) */
    const char *external_id;       /* id in the ERP */
    struct msg_kv *attributes;     /* free-form attributes */
};

/* POST /clients/{id}/cards */
struct msg_card_add {
    const char *number; /* a physical card to bind */
    bool virtual_card;  /* issue a virtual card instead ("virtual") */
};

/* POST /cards/{n}/block and /unblock */
struct msg_card_block {
    const char *reason; /* why, for the history */
};

/* POST /cards/{n}/replace */
struct msg_card_replace {
    const char *new_number; /* the card that takes over */
};

extern const struct msg_desc msg_error_desc;
extern const struct msg_desc msg_health_desc;
extern const struct msg_desc msg_card_desc;
extern const struct msg_desc msg_client_desc;
extern const struct msg_desc msg_client_input_desc;
extern const struct msg_desc msg_card_add_desc;
extern const struct msg_desc msg_card_block_desc;
extern const struct msg_desc msg_card_replace_desc;

/* The messages whose XSD is served at /api/v1/schema/{name}.xsd. */
struct msg_schema_entry {
    const char *name;            /* the XML root, e.g. "card" */
    const struct msg_desc *desc; /* its descriptor, NULL for the generic list */
};
extern const struct msg_schema_entry msg_schemas[];
extern const size_t msg_nschemas;

#endif
