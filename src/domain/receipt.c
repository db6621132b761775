/* receipt.c: the stages of the calculation, in order. All arithmetic in integer minor
 * units; every split by the largest-remainder method. */
#include "domain/receipt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/split.h"

typedef enum receipt_status (*receipt_stage)(struct receipt_calc *c);

/* Record an effect on a line and add it to the receipt's summary. */
static void receipt_apply(struct receipt_calc *c, struct receipt_line *l,
                          const struct receipt_applied *a)
{
    if (l->napplied < RECEIPT_MAX_APPLIED)
        l->applied[l->napplied++] = *a;
    for (size_t i = 0; i < c->napplied; i++)
        if (c->applied[i].promotion_id == a->promotion_id && strcmp(c->applied[i].kind, a->kind) == 0) {
            c->applied[i].amount.minor += a->amount.minor;
            return;
        }
    if (c->napplied < RECEIPT_MAX_APPLIED)
        c->applied[c->napplied++] = *a;
}

/* The lowest a line may cost: 0.01 per unit (a weight line at least 0.01). */
static int64_t receipt_floor(const struct receipt_line *l)
{
    int64_t f = (l->qty.milli + 999) / 1000;
    return f < 1 ? 1 : f;
}

/* Stage 1: line amounts and totals. */
static enum receipt_status receipt_stage_amounts(struct receipt_calc *c)
{
    c->total.minor = 0;
    for (size_t i = 0; i < c->nlines; i++) {
        struct receipt_line *l = &c->lines[i];
        money_t full = dec_qty_times_price(l->qty, l->price);
        if (l->qty.milli <= 0) {
            snprintf(c->error_field, sizeof(c->error_field), "lines.%zu.qty", i + 1);
            snprintf(c->error_message, sizeof(c->error_message), "qty must be positive");
            return RECEIPT_INVALID_LINE;
        }
        if (l->amount.minor < 0)
            l->amount = full; /* not given: qty × price */
        if (l->amount.minor > full.minor) {
            snprintf(c->error_field, sizeof(c->error_field), "lines.%zu.amount", i + 1);
            snprintf(c->error_message, sizeof(c->error_message),
                     "amount must not exceed qty × price");
            return RECEIPT_INVALID_LINE;
        }
        for (size_t j = 0; j < i; j++)
            if (c->lines[j].line_no == l->line_no) {
                snprintf(c->error_field, sizeof(c->error_field), "lines.%zu.line_no", i + 1);
                snprintf(c->error_message, sizeof(c->error_message), "line_no repeats");
                return RECEIPT_INVALID_LINE;
            }
        l->discount.minor = 0;
        l->points_spent.minor = 0;
        l->points_accrued.minor = 0;
        l->napplied = 0;
        c->total.minor += l->amount.minor;
    }
    return RECEIPT_OK;
}

/* Stage 2: the level's personal discount, a promotion of its own (half-up per line). */
static enum receipt_status receipt_stage_level_discount(struct receipt_calc *c)
{
    const struct receipt_client *cl = c->client;
    if (!cl->known || cl->level_discount.bp <= 0)
        return RECEIPT_OK;
    char pct[32];
    dec_format_short(cl->level_discount.bp, 2, pct, sizeof(pct));
    struct receipt_applied a = {0, c->level_promo_name, "level", {0}};
    snprintf(c->level_promo_name, sizeof(c->level_promo_name), "%s: personal discount %s%%",
             cl->level_name ? cl->level_name : "Level", pct);
    for (size_t i = 0; i < c->nlines; i++) {
        struct receipt_line *l = &c->lines[i];
        int64_t room = l->amount.minor - l->discount.minor - receipt_floor(l);
        int64_t d = split_percent_half_up(l->amount.minor - l->discount.minor, cl->level_discount.bp);
        if (d > room)
            d = room > 0 ? room : 0;
        if (d <= 0)
            continue;
        l->discount.minor += d;
        a.amount.minor = d;
        receipt_apply(c, l, &a);
    }
    return RECEIPT_OK;
}

/* points → money at the rate, and back (rounded down: never more than allowed) */
static int64_t receipt_points_to_money(const struct receipt_calc *c, int64_t points)
{
    return (int64_t)(((__int128)points * c->rules->rate.minor + 50) / 100);
}

static int64_t receipt_money_to_points_down(const struct receipt_calc *c, int64_t money)
{
    return c->rules->rate.minor > 0 ? (int64_t)((__int128)money * 100 / c->rules->rate.minor) : 0;
}

/* Stage 3: points spending, capped by balance, share and minimum receipt. */
static enum receipt_status receipt_stage_points(struct receipt_calc *c)
{
    const struct receipt_client *cl = c->client;
    int64_t eligible = 0, after_discounts = 0;
    int64_t *weights = calloc(c->nlines ? c->nlines : 1, sizeof(int64_t));
    int64_t *parts = calloc(c->nlines ? c->nlines : 1, sizeof(int64_t));
    enum receipt_status st = RECEIPT_OK;
    if (!weights || !parts)
        abort();
    for (size_t i = 0; i < c->nlines; i++) {
        int64_t left = c->lines[i].amount.minor - c->lines[i].discount.minor;
        after_discounts += left;
        weights[i] = c->lines[i].spend_excluded ? 0 : left;
        eligible += weights[i];
    }
    percent_t share = cl->has_level_max_spend ? cl->level_max_spend : c->rules->max_spend_percent;
    int64_t max_points = 0;
    if (cl->known && cl->can_spend && after_discounts >= c->rules->min_receipt_total.minor) {
        /* the share in money is rounded down to the kopeck, whatever the rounding setting */
        int64_t max_money = (int64_t)((__int128)eligible * share.bp / 10000);
        max_points = receipt_money_to_points_down(c, max_money);
        if (max_points > cl->available.minor)
            max_points = cl->available.minor;
        if (max_points < 0)
            max_points = 0;
    }
    c->max_spend.minor = max_points;
    int64_t spend = c->points_requested.minor;
    if (spend > max_points) {
        if (c->strict) {
            char have[32], want[32];
            dec_format(max_points, 2, have, sizeof(have));
            dec_format(spend, 2, want, sizeof(want));
            snprintf(c->error_message, sizeof(c->error_message),
                     "at most %s points can be spent on this receipt, %s requested", have, want);
            snprintf(c->error_field, sizeof(c->error_field), "points_to_spend");
            st = RECEIPT_INSUFFICIENT_POINTS;
            goto out;
        }
        spend = max_points;
    }
    c->points_spent.minor = spend;
    if (spend > 0) {
        split_largest_remainder(spend, weights, c->nlines, parts);
        for (size_t i = 0; i < c->nlines; i++)
            c->lines[i].points_spent.minor = parts[i];
    }
out:
    free(weights);
    free(parts);
    return st;
}

/* Stage 4: gift certificates are payment (a later issue fills certificates_paid). */
static enum receipt_status receipt_stage_certificates(struct receipt_calc *c)
{
    c->certificates_paid.minor = 0;
    return RECEIPT_OK;
}

/* Stage 5: line totals, then accrual computed exactly per line, rounded once, spread back. */
static enum receipt_status receipt_stage_accrual(struct receipt_calc *c)
{
    const struct receipt_client *cl = c->client;
    __int128 exact = 0;
    int64_t *weights = calloc(c->nlines ? c->nlines : 1, sizeof(int64_t));
    int64_t *parts = calloc(c->nlines ? c->nlines : 1, sizeof(int64_t));
    if (!weights || !parts)
        abort();
    c->discount.minor = 0;
    c->to_pay.minor = 0;
    for (size_t i = 0; i < c->nlines; i++) {
        struct receipt_line *l = &c->lines[i];
        l->to_pay.minor = l->amount.minor - l->discount.minor -
                          receipt_points_to_money(c, l->points_spent.minor);
        if (l->to_pay.minor < 0)
            l->to_pay.minor = 0;
        c->discount.minor += l->discount.minor;
        c->to_pay.minor += l->to_pay.minor;
        /* base in kopecks × percent in 1/100 % → 1/10000 of a kopeck-point */
        l->accrual_exact = cl->known ? (__int128)l->to_pay.minor * cl->level_accrual.bp : 0;
        exact += l->accrual_exact;
        weights[i] = (int64_t)l->accrual_exact;
    }
    c->to_pay.minor -= c->certificates_paid.minor;
    int64_t total = (int64_t)(c->rules->round_half_up ? (exact + 5000) / 10000 : exact / 10000);
    c->points_accrued.minor = total;
    split_largest_remainder(total, weights, c->nlines, parts);
    for (size_t i = 0; i < c->nlines; i++)
        c->lines[i].points_accrued.minor = parts[i];
    free(weights);
    free(parts);
    return RECEIPT_OK;
}

/* The pipeline, in RULES.md order. Promotions (line discounts and points effects), promo
 * codes and certificates add stages here. */
static const receipt_stage receipt_pipeline[] = {
    receipt_stage_amounts,
    receipt_stage_level_discount,
    receipt_stage_points,
    receipt_stage_certificates,
    receipt_stage_accrual,
};

enum receipt_status receipt_calculate(struct receipt_calc *c)
{
    c->napplied = 0;
    c->error_field[0] = '\0';
    c->error_message[0] = '\0';
    for (size_t i = 0; i < sizeof(receipt_pipeline) / sizeof(receipt_pipeline[0]); i++) {
        enum receipt_status st = receipt_pipeline[i](c);
        if (st != RECEIPT_OK)
            return st;
    }
    return RECEIPT_OK;
}
