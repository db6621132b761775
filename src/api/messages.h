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

/* consents in a request: members left out keep their value (PATCH) or default to false */
struct msg_consents_in {
    bool sms;        /* SMS allowed */
    bool has_sms;    /* (given) */
    bool email;      /* e-mail allowed */
    bool has_email;  /* (given) */
    bool push;       /* push allowed */
    bool has_push;   /* (given) */
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
    struct msg_consents_in *consents; /* contact consents */
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

/* a line of a purchase request */
struct msg_line_in {
    int64_t line_no;     /* unique within the receipt */
    const char *sku;     /* product code */
    const char *name;    /* product name */
    qty_t qty;           /* quantity, up to 3 decimals */
    money_t price;       /* price per unit */
    money_t amount;      /* qty × price or less (a discount the POS gave) … */
    bool has_amount;     /* … when given */
};

/* a gift certificate offered as payment */
struct msg_certificate_in {
    const char *code;    /* certificate code */
    money_t amount;      /* amount to pay with it */
};

/* what the caller saw when it calculated: a confirm whose result differs is refused */
struct msg_expect {
    money_t to_pay;           /* expected amount to pay … */
    bool has_to_pay;          /* (given) */
    points_t points_spent;    /* expected points spent … */
    bool has_points_spent;    /* (given) */
    points_t points_accrued;  /* expected points accrued … */
    bool has_points_accrued;  /* (given) */
    money_t discount;         /* expected discount … */
    bool has_discount;        /* (given) */
};

/* POST /purchases/calculate and POST /purchases */
struct msg_purchase_in {
    const char *receipt_id;                 /* the POS's receipt id (confirm, hold) */
    const char *store_id;                   /* store */
    const char *pos_id;                     /* cash register */
    const char *at;                         /* receipt time */
    const char *card;                       /* card presented … */
    int64_t client_id;                      /* … or the client id … */
    bool has_client_id;                     /* (client_id given) */
    const char *phone;                      /* … or the phone */
    struct msg_line_in *lines;              /* the lines */
    size_t nlines;                          /* number of lines */
    char **promo_codes;                     /* promo codes presented */
    size_t npromo_codes;                    /* number of codes */
    points_t points_to_spend;               /* points the buyer wants to spend */
    struct msg_certificate_in *gift_certificates; /* certificates offered */
    size_t ngift_certificates;              /* number of certificates */
    bool strict;                            /* refuse instead of capping */
    bool hold;                              /* confirm as a hold */
    struct msg_expect *expect;              /* confirm: refuse when the result differs */
};

/* an effect in a purchase (level discount, promotion) */
struct msg_promotion_applied {
    int64_t id;          /* promotion id … */
    bool has_id;         /* … null for the level's discount */
    const char *name;    /* display name */
    const char *kind;    /* level | promotion */
    money_t amount;      /* discount given */
};

/* a line of a purchase document */
struct msg_line_out {
    int64_t line_no;                          /* line number */
    const char *sku;                          /* product code */
    qty_t qty;                                /* quantity */
    money_t price;                            /* price per unit */
    money_t amount;                           /* line amount */
    money_t discount;                         /* our discount */
    points_t points_spent;                    /* points paying for it */
    money_t to_pay;                           /* to pay for the line */
    points_t points_accrued;                  /* points earned */
    struct msg_promotion_applied *promotions; /* effects on the line */
    size_t npromotions;                       /* number of effects */
};

/* balance block of a purchase */
struct msg_purchase_balance {
    points_t before;        /* available before */
    points_t max_spend;     /* the most this receipt allows */
    points_t after;         /* available after */
    points_t pending_after; /* pending after */
};

/* a promo code's outcome */
struct msg_code_result {
    const char *code;   /* the code */
    const char *status; /* applied | rejected */
    const char *reason; /* why rejected */
};

/* a certificate payment */
struct msg_certificate_out {
    const char *code;       /* certificate code */
    money_t paid;           /* paid with it */
    money_t balance_after;  /* left on it */
};

/* <purchase> */
struct msg_purchase {
    int64_t id;                                /* purchase id … */
    bool has_id;                               /* … once stored */
    const char *receipt_id;                    /* receipt id */
    const char *status;                        /* calculated | held | confirmed | cancelled */
    int64_t client_id;                         /* buyer … */
    bool has_client_id;                        /* … when known */
    const char *card;                          /* card presented */
    struct msg_ref *level;                     /* buyer's level */
    money_t total;                             /* sum of line amounts */
    money_t discount;                          /* our discounts */
    points_t points_spent;                     /* points spent */
    money_t certificates_paid;                 /* paid by certificates */
    money_t to_pay;                            /* to pay */
    points_t points_accrued;                   /* points earned */
    struct msg_purchase_balance *balance;      /* the buyer's balance around it */
    struct msg_line_out *lines;                /* lines */
    size_t nlines;                             /* number of lines */
    struct msg_promotion_applied *promotions;  /* effects summed per receipt */
    size_t npromotions;                        /* number of effects */
    struct msg_code_result *promo_codes;       /* promo code outcomes */
    size_t npromo_codes;                       /* number of codes */
    struct msg_certificate_out *gift_certificates; /* certificate payments */
    size_t ngift_certificates;                 /* number of certificates */
    char **refunds;                            /* refund ids of this purchase */
    size_t nrefunds;                           /* number of refunds */
    char **slip;                               /* text for the slip receipt */
    size_t nslip;                              /* number of slip lines */
};

/* a line of a refund request */
struct msg_refund_line_in {
    int64_t line_no; /* the purchase line */
    qty_t qty;       /* quantity returned */
};

/* POST /refunds */
struct msg_refund_in {
    const char *refund_id;            /* the POS's refund id (idempotency) */
    const char *receipt_id;           /* the purchase */
    struct msg_refund_line_in *lines; /* lines returned */
    size_t nlines;                    /* number of lines */
};

/* a line of a refund document */
struct msg_refund_line {
    int64_t line_no;             /* the purchase line */
    qty_t qty;                   /* quantity returned */
    money_t amount;              /* money returned for it */
    points_t points_returned;    /* spent points given back */
    points_t points_taken_back;  /* accrued points taken back */
};

/* <refund> */
struct msg_refund {
    const char *refund_id;            /* refund id */
    const char *receipt_id;           /* the purchase */
    struct msg_refund_line *lines;    /* lines returned */
    size_t nlines;                    /* number of lines */
    money_t amount;                   /* money returned */
    points_t points_returned;         /* spent points given back */
    points_t points_taken_back;       /* accrued points taken back */
    money_t certificates_returned;    /* credited back to certificates */
    points_t debt_created;            /* points owed because they were already spent */
    points_t balance_after;           /* the buyer's available balance after … */
    bool has_balance_after;           /* … when the buyer is known */
};

/* POST /points/adjustments */
struct msg_adjustment_in {
    int64_t client_id;           /* the client … */
    bool has_client_id;          /* (given) */
    const char *card;            /* … or a card of theirs */
    points_t amount;             /* signed: accrual (+) or write-off (−) */
    const char *reason;          /* why (shown in the history) */
    const char *expires_at;      /* accrual: expiry (default: the expiry_days setting) */
    const char *active_from;     /* accrual: activation (default: at once) */
    const char *idempotency_key; /* repeat-safe key */
};

/* <adjustment> */
struct msg_adjustment {
    int64_t id;                  /* adjustment id */
    int64_t client_id;           /* the client */
    points_t amount;             /* signed points */
    const char *reason;          /* why */
    const char *active_from;     /* accrual: when it becomes available */
    const char *expires_at;      /* accrual: when it expires */
    points_t balance_after;      /* available after */
    const char *idempotency_key; /* the key it was made with */
};

/* an entry of GET /clients/{id}/operations */
struct msg_operation {
    int64_t id;               /* entry id (newest first) */
    const char *at;           /* when */
    const char *kind;         /* accrual | spend | activation | expiry | refund | adjustment | … */
    points_t amount;          /* signed points */
    points_t balance_after;   /* available after */
    const char *receipt_id;   /* the purchase, when any */
    const char *comment;      /* reason or note */
};

/* GET/PUT /settings/points (absent members take their documented defaults) */
struct msg_settings_points {
    money_t rate;                          /* money per point */
    bool has_rate;                         /* (given) */
    percent_t max_spend_percent;           /* share of a receipt points may pay */
    bool has_max_spend_percent;            /* (given) */
    money_t min_receipt_total;             /* no spending below this total */
    bool has_min_receipt_total;            /* (given) */
    int64_t activation_delay_days;         /* accruals are pending this long */
    bool has_activation_delay_days;        /* (given) */
    int64_t expiry_days;                   /* lots expire this long after activation, 0 never */
    bool has_expiry_days;                  /* (given) */
    int64_t *excluded_product_segments;    /* product segments points cannot pay for */
    size_t nexcluded_product_segments;     /* number of them */
    const char *rounding;                  /* accrual rounding: down | half_up */
    bool allow_negative_balance_on_refund; /* refunds of spent accruals create a debt */
    bool has_allow_negative_balance_on_refund; /* (given) */
};

/* the virtual card number range */
struct msg_card_range {
    const char *first; /* first number (13-digit EAN-13) */
    const char *last;  /* last number */
};

/* GET/PUT /settings */
struct msg_settings_general {
    const char *timezone;                    /* business time zone (IANA name) */
    const char *default_country;             /* for national phone numbers (ISO alpha-2) */
    int64_t slip_width;                      /* slip printer columns, 32..48 */
    bool has_slip_width;                     /* (given) */
    int64_t hold_ttl_seconds;                /* holds older than this are released */
    bool has_hold_ttl_seconds;               /* (given) */
    struct msg_card_range *virtual_card_range; /* numbers of virtual cards */
};

/* <level> */
struct msg_level {
    int64_t id;                    /* level id (output) */
    bool has_id;                   /* (known) */
    const char *name;              /* display name */
    int64_t rank;                  /* higher is better */
    bool has_rank;                 /* (given) */
    money_t threshold;             /* purchases total that reaches it */
    bool has_threshold;            /* (given) */
    int64_t period_days;           /* window of that total, 0 = lifetime */
    bool has_period_days;          /* (given) */
    percent_t accrual_percent;     /* points earned per money paid */
    bool has_accrual_percent;      /* (given) */
    percent_t discount_percent;    /* personal discount */
    bool has_discount_percent;     /* (given) */
    percent_t max_spend_percent;   /* overrides the global share … */
    bool has_max_spend_percent;    /* … when set */
};

extern const struct msg_desc msg_settings_points_desc;
extern const struct msg_desc msg_settings_general_desc;
extern const struct msg_desc msg_level_desc;
extern const struct msg_desc msg_refund_in_desc;
extern const struct msg_desc msg_refund_desc;
extern const struct msg_desc msg_adjustment_in_desc;
extern const struct msg_desc msg_adjustment_desc;
extern const struct msg_desc msg_operation_desc;
extern const struct msg_desc msg_purchase_in_desc;
extern const struct msg_desc msg_purchase_desc;
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
