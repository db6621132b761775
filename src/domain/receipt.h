/* receipt: the calculation of a receipt (RULES.md "Calculating a receipt"). A pure function:
 * receipt + client state + rules in, result out; no I/O. Calculate and confirm both call it.
 * It runs as a pipeline of stages (receipt.c: receipt_pipeline[]), so promotions, promo codes
 * and certificates slot in as stages of their own. */
#ifndef LOYALTY_RECEIPT_H
#define LOYALTY_RECEIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/decimal.h"

#define RECEIPT_MAX_APPLIED 8

/* One discount or points effect given to a line or a receipt. */
struct receipt_applied {
    int64_t promotion_id;   /* promotion id, 0 for the level's personal discount */
    const char *name;       /* display name */
    const char *kind;       /* "level", "promotion", … */
    money_t amount;         /* discount given */
};

/* A receipt line: input, then the results. */
struct receipt_line {
    int64_t line_no;        /* unique within the receipt */
    const char *sku;        /* product code, may be NULL */
    qty_t qty;              /* quantity (3 decimals) */
    money_t price;          /* price per unit */
    money_t amount;         /* qty × price, or less when given by the POS */
    bool spend_excluded;    /* in an excluded product segment: points cannot pay for it */
    money_t discount;       /* result: our discounts */
    points_t points_spent;  /* result: points paying for the line */
    money_t to_pay;         /* result: amount − discount − points_spent × rate */
    points_t points_accrued;/* result: points earned */
    __int128 accrual_exact; /* working: exact accrual in 1/10000 of a point-kopeck */
    struct receipt_applied applied[RECEIPT_MAX_APPLIED]; /* result: effects on the line */
    size_t napplied;        /* number of effects */
};

/* What is known of the buyer. */
struct receipt_client {
    bool known;                 /* a client was identified */
    bool can_spend;             /* card active (an inactive card earns but cannot spend) */
    points_t available;         /* spendable balance */
    const char *level_name;     /* level name for texts, NULL when none */
    percent_t level_discount;   /* personal discount of the level */
    percent_t level_accrual;    /* accrual percent of the level */
    percent_t level_max_spend;  /* the level's max_spend_percent … */
    bool has_level_max_spend;   /* … when it overrides the global one */
};

/* Write-off and accrual rules (settings/points). */
struct receipt_rules {
    money_t rate;               /* money per point (1.00 = 100) */
    percent_t max_spend_percent;/* share of the eligible amount points may pay */
    money_t min_receipt_total;  /* below it no points may be spent */
    bool round_half_up;         /* accrual rounding: half-up instead of down */
};

/* Refusals of a strict calculation and invalid receipts. */
enum receipt_status {
    RECEIPT_OK = 0,
    RECEIPT_INSUFFICIENT_POINTS,  /* strict: more points than can be spent */
    RECEIPT_INVALID_LINE,         /* a line's values do not hold (field in error_field) */
};

/* The whole calculation. */
struct receipt_calc {
    struct receipt_line *lines;           /* in/out: the lines */
    size_t nlines;                        /* number of lines */
    points_t points_requested;            /* in: points the buyer wants to spend */
    bool strict;                          /* in: refuse instead of capping */
    const struct receipt_client *client;  /* in: the buyer */
    const struct receipt_rules *rules;    /* in: the settings */
    money_t total;                        /* out: sum of line amounts */
    money_t discount;                     /* out: sum of line discounts */
    points_t points_spent;                /* out: points spent */
    money_t certificates_paid;            /* out: paid by gift certificates */
    money_t to_pay;                       /* out: what the buyer pays */
    points_t points_accrued;              /* out: points earned */
    points_t max_spend;                   /* out: the most points this receipt allows */
    struct receipt_applied applied[RECEIPT_MAX_APPLIED]; /* out: effects summed per receipt */
    size_t napplied;                      /* number of them */
    char level_promo_name[160];           /* out: name of the level's discount effect */
    char error_field[64];                 /* out: the field of a RECEIPT_INVALID_LINE */
    char error_message[160];              /* out: the text of a refusal */
};

enum receipt_status receipt_calculate(struct receipt_calc *c);

#endif
