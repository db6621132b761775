/* messages.c: the descriptor tables. Field order is the output order. */
#include "api/messages.h"

#include <stddef.h>

#define STR(st, f, ...) {.name = #f, .type = MSG_STRING, .off = offsetof(st, f), __VA_ARGS__}
#define ENUM(st, f, vals, ...) \
    {.name = #f, .type = MSG_ENUM, .off = offsetof(st, f), .values = vals, __VA_ARGS__}
#define INT(st, f, ...) {.name = #f, .type = MSG_INT, .off = offsetof(st, f), __VA_ARGS__}
#define BOOL(st, f, ...) {.name = #f, .type = MSG_BOOL, .off = offsetof(st, f), __VA_ARGS__}
#define POINTS(st, f) {.name = #f, .type = MSG_POINTS, .off = offsetof(st, f), .min = INT64_MIN, .max = INT64_MAX}
#define OBJ(st, f, d, ...) \
    {.name = #f, .type = MSG_OBJECT, .off = offsetof(st, f), .sub = &(d), __VA_ARGS__}
#define ARR(st, f, n, d, ...)                                                          \
    {.name = #f, .type = MSG_ARRAY, .off = offsetof(st, f), .count_off = offsetof(st, n), \
     .sub = &(d), __VA_ARGS__}

static const char *const card_statuses[] = {"active", "inactive", "blocked", "replaced", NULL};
static const char *const card_kinds[] = {"physical", "virtual", NULL};
static const char *const genders[] = {"male", "female", NULL};
static const char *const health_states[] = {"ok", "degraded", "down", NULL};

static const struct msg_field error_fields[] = {
    STR(struct msg_error_doc, code),
    STR(struct msg_error_doc, message),
    STR(struct msg_error_doc, field),
};
const struct msg_desc msg_error_desc = {"error", MSG_FIELDS(error_fields),
                                        sizeof(struct msg_error_doc)};

static const struct msg_field health_fields[] = {
    ENUM(struct msg_health, status, health_states),
    STR(struct msg_health, postgres),
    STR(struct msg_health, redis),
    STR(struct msg_health, version),
};
const struct msg_desc msg_health_desc = {"health", MSG_FIELDS(health_fields),
                                         sizeof(struct msg_health)};

static const struct msg_field ref_fields[] = {
    INT(struct msg_ref, id),
    STR(struct msg_ref, name),
};
static const struct msg_desc ref_desc = {"ref", MSG_FIELDS(ref_fields), sizeof(struct msg_ref)};

static const struct msg_field balance_fields[] = {
    POINTS(struct msg_balance, available),
    POINTS(struct msg_balance, pending),
    POINTS(struct msg_balance, debt),
};
static const struct msg_desc balance_desc = {"balance", MSG_FIELDS(balance_fields),
                                             sizeof(struct msg_balance)};

static const struct msg_field card_client_fields[] = {
    INT(struct msg_card_client, id),
    STR(struct msg_card_client, first_name),
    STR(struct msg_card_client, last_name),
    STR(struct msg_card_client, phone_masked),
};
static const struct msg_desc card_client_desc = {"client", MSG_FIELDS(card_client_fields),
                                                 sizeof(struct msg_card_client)};

static const struct msg_field card_fields[] = {
    STR(struct msg_card, number),
    ENUM(struct msg_card, status, card_statuses),
    ENUM(struct msg_card, kind, card_kinds),
    STR(struct msg_card, replaced_by),
    OBJ(struct msg_card, client, card_client_desc),
    OBJ(struct msg_card, level, ref_desc),
    OBJ(struct msg_card, balance, balance_desc),
    {.name = "discount_percent", .type = MSG_PERCENT, .off = offsetof(struct msg_card, discount_percent),
     .flags = MSG_OPTIONAL, .set_off = offsetof(struct msg_card, has_discount_percent)},
    ARR(struct msg_card, segments, nsegments, ref_desc),
};
const struct msg_desc msg_card_desc = {"card", MSG_FIELDS(card_fields), sizeof(struct msg_card)};

static const struct msg_field card_summary_fields[] = {
    STR(struct msg_card_summary, number),
    ENUM(struct msg_card_summary, status, card_statuses),
    ENUM(struct msg_card_summary, kind, card_kinds),
};
static const struct msg_desc card_summary_desc = {"card", MSG_FIELDS(card_summary_fields),
                                                  sizeof(struct msg_card_summary)};

static const struct msg_field consents_fields[] = {
    BOOL(struct msg_consents, sms),
    BOOL(struct msg_consents, email),
    BOOL(struct msg_consents, push),
};
static const struct msg_desc consents_desc = {"consents", MSG_FIELDS(consents_fields),
                                              sizeof(struct msg_consents)};

static const struct msg_field client_fields[] = {
    INT(struct msg_client, id),
    STR(struct msg_client, external_id),
    STR(struct msg_client, phone),
    STR(struct msg_client, email),
    STR(struct msg_client, first_name),
    STR(struct msg_client, last_name),
    STR(struct msg_client, middle_name),
    {.name = "birth_date", .type = MSG_DATE, .off = offsetof(struct msg_client, birth_date)},
    ENUM(struct msg_client, gender, genders),
    OBJ(struct msg_client, consents, consents_desc),
    OBJ(struct msg_client, level, ref_desc),
    STR(struct msg_client, referral_code),
    ARR(struct msg_client, cards, ncards, card_summary_desc),
    OBJ(struct msg_client, balance, balance_desc),
    {.name = "attributes", .type = MSG_KV, .off = offsetof(struct msg_client, attributes)},
    {.name = "created_at", .type = MSG_DATETIME, .off = offsetof(struct msg_client, created_at)},
    STR(struct msg_client, source),
};
const struct msg_desc msg_client_desc = {"client", MSG_FIELDS(client_fields),
                                         sizeof(struct msg_client)};

static const struct msg_field consents_in_fields[] = {
    {.name = "sms", .type = MSG_BOOL, .off = offsetof(struct msg_consents_in, sms),
     .flags = MSG_OPTIONAL, .set_off = offsetof(struct msg_consents_in, has_sms)},
    {.name = "email", .type = MSG_BOOL, .off = offsetof(struct msg_consents_in, email),
     .flags = MSG_OPTIONAL, .set_off = offsetof(struct msg_consents_in, has_email)},
    {.name = "push", .type = MSG_BOOL, .off = offsetof(struct msg_consents_in, push),
     .flags = MSG_OPTIONAL, .set_off = offsetof(struct msg_consents_in, has_push)},
};
static const struct msg_desc consents_in_desc = {"consents", MSG_FIELDS(consents_in_fields),
                                                 sizeof(struct msg_consents_in)};

static const struct msg_field client_input_fields[] = {
    STR(struct msg_client_input, phone, .max = 32),
    STR(struct msg_client_input, email, .min = 3, .max = 254),
    STR(struct msg_client_input, first_name, .max = 100),
    STR(struct msg_client_input, last_name, .max = 100),
    STR(struct msg_client_input, middle_name, .max = 100),
    {.name = "birth_date", .type = MSG_DATE, .off = offsetof(struct msg_client_input, birth_date)},
    ENUM(struct msg_client_input, gender, genders),
    OBJ(struct msg_client_input, consents, consents_in_desc),
    STR(struct msg_client_input, card_number, .max = 64),
    BOOL(struct msg_client_input, issue_virtual_card),
    STR(struct msg_client_input, referral_code, .max = 32),
    STR(struct msg_client_input, external_id, .min = 1, .max = 100),
    {.name = "attributes", .type = MSG_KV, .off = offsetof(struct msg_client_input, attributes)},
};
const struct msg_desc msg_client_input_desc = {"client", MSG_FIELDS(client_input_fields),
                                               sizeof(struct msg_client_input)};

static const struct msg_field card_add_fields[] = {
    STR(struct msg_card_add, number, .max = 64),
    {.name = "virtual", .type = MSG_BOOL, .off = offsetof(struct msg_card_add, virtual_card)},
};
const struct msg_desc msg_card_add_desc = {"card", MSG_FIELDS(card_add_fields),
                                           sizeof(struct msg_card_add)};

static const struct msg_field card_block_fields[] = {
    STR(struct msg_card_block, reason, .max = 500),
};
const struct msg_desc msg_card_block_desc = {"card", MSG_FIELDS(card_block_fields),
                                             sizeof(struct msg_card_block)};

static const struct msg_field card_replace_fields[] = {
    STR(struct msg_card_replace, new_number, .flags = MSG_REQUIRED, .max = 64),
};
const struct msg_desc msg_card_replace_desc = {"card", MSG_FIELDS(card_replace_fields),
                                               sizeof(struct msg_card_replace)};

#define MONEY(st, f, ...) {.name = #f, .type = MSG_MONEY, .off = offsetof(st, f), __VA_ARGS__}
#define PTS(st, f) {.name = #f, .type = MSG_POINTS, .off = offsetof(st, f)}
#define STRARR(st, f, n, ...)                                                          \
    {.name = #f, .type = MSG_ARRAY, .off = offsetof(st, f), .count_off = offsetof(st, n), \
     __VA_ARGS__}

static const struct msg_field line_in_fields[] = {
    INT(struct msg_line_in, line_no, .flags = MSG_REQUIRED, .min = 1, .max = 100000),
    STR(struct msg_line_in, sku, .max = 64),
    STR(struct msg_line_in, name, .max = 255),
    {.name = "qty", .type = MSG_QTY, .off = offsetof(struct msg_line_in, qty),
     .flags = MSG_REQUIRED, .min = 1, .max = 1000000000LL},
    MONEY(struct msg_line_in, price, .flags = MSG_REQUIRED, .min = 0, .max = 100000000000LL),
    MONEY(struct msg_line_in, amount, .flags = MSG_OPTIONAL,
          .set_off = offsetof(struct msg_line_in, has_amount), .min = 0, .max = 100000000000LL),
};
static const struct msg_desc line_in_desc = {"line", MSG_FIELDS(line_in_fields),
                                             sizeof(struct msg_line_in)};

static const struct msg_field certificate_in_fields[] = {
    STR(struct msg_certificate_in, code, .flags = MSG_REQUIRED, .min = 1, .max = 64),
    MONEY(struct msg_certificate_in, amount, .flags = MSG_REQUIRED, .min = 1,
          .max = 100000000000LL),
};
static const struct msg_desc certificate_in_desc = {
    "gift_certificate", MSG_FIELDS(certificate_in_fields), sizeof(struct msg_certificate_in)};

#define EXPECT(f, t)                                                                    \
    {.name = #f, .type = t, .off = offsetof(struct msg_expect, f), .flags = MSG_OPTIONAL,  \
     .set_off = offsetof(struct msg_expect, has_##f), .min = 0, .max = 100000000000LL}
static const struct msg_field expect_fields[] = {
    EXPECT(to_pay, MSG_MONEY),
    EXPECT(points_spent, MSG_POINTS),
    EXPECT(points_accrued, MSG_POINTS),
    EXPECT(discount, MSG_MONEY),
};
static const struct msg_desc expect_desc = {"expect", MSG_FIELDS(expect_fields),
                                            sizeof(struct msg_expect)};

static const struct msg_field purchase_in_fields[] = {
    STR(struct msg_purchase_in, receipt_id, .min = 1, .max = 100),
    STR(struct msg_purchase_in, store_id, .max = 64),
    STR(struct msg_purchase_in, pos_id, .max = 64),
    {.name = "at", .type = MSG_DATETIME, .off = offsetof(struct msg_purchase_in, at)},
    STR(struct msg_purchase_in, card, .max = 64),
    INT(struct msg_purchase_in, client_id, .flags = MSG_OPTIONAL,
        .set_off = offsetof(struct msg_purchase_in, has_client_id)),
    STR(struct msg_purchase_in, phone, .max = 32),
    ARR(struct msg_purchase_in, lines, nlines, line_in_desc, .flags = MSG_REQUIRED, .min = 1,
        .max = 1000),
    STRARR(struct msg_purchase_in, promo_codes, npromo_codes, .max = 20),
    {.name = "points_to_spend", .type = MSG_POINTS,
     .off = offsetof(struct msg_purchase_in, points_to_spend), .min = 0, .max = 100000000000LL},
    ARR(struct msg_purchase_in, gift_certificates, ngift_certificates, certificate_in_desc,
        .max = 20),
    BOOL(struct msg_purchase_in, strict),
    BOOL(struct msg_purchase_in, hold),
    OBJ(struct msg_purchase_in, expect, expect_desc),
};
const struct msg_desc msg_purchase_in_desc = {"purchase", MSG_FIELDS(purchase_in_fields),
                                              sizeof(struct msg_purchase_in)};

static const char *const applied_kinds[] = {"level", "promotion", NULL};
static const char *const purchase_statuses[] = {"calculated", "held", "confirmed", "cancelled",
                                                NULL};
static const char *const code_statuses[] = {"applied", "rejected", NULL};

static const struct msg_field promotion_applied_fields[] = {
    INT(struct msg_promotion_applied, id, .flags = MSG_OPTIONAL,
        .set_off = offsetof(struct msg_promotion_applied, has_id)),
    STR(struct msg_promotion_applied, name),
    ENUM(struct msg_promotion_applied, kind, applied_kinds),
    MONEY(struct msg_promotion_applied, amount),
};
static const struct msg_desc promotion_applied_desc = {
    "promotion", MSG_FIELDS(promotion_applied_fields), sizeof(struct msg_promotion_applied)};

static const struct msg_field line_out_fields[] = {
    INT(struct msg_line_out, line_no),
    STR(struct msg_line_out, sku),
    {.name = "qty", .type = MSG_QTY, .off = offsetof(struct msg_line_out, qty)},
    MONEY(struct msg_line_out, price),
    MONEY(struct msg_line_out, amount),
    MONEY(struct msg_line_out, discount),
    PTS(struct msg_line_out, points_spent),
    MONEY(struct msg_line_out, to_pay),
    PTS(struct msg_line_out, points_accrued),
    ARR(struct msg_line_out, promotions, npromotions, promotion_applied_desc),
};
static const struct msg_desc line_out_desc = {"line", MSG_FIELDS(line_out_fields),
                                              sizeof(struct msg_line_out)};

static const struct msg_field purchase_balance_fields[] = {
    POINTS(struct msg_purchase_balance, before),
    POINTS(struct msg_purchase_balance, max_spend),
    POINTS(struct msg_purchase_balance, after),
    POINTS(struct msg_purchase_balance, pending_after),
};
static const struct msg_desc purchase_balance_desc = {
    "balance", MSG_FIELDS(purchase_balance_fields), sizeof(struct msg_purchase_balance)};

static const struct msg_field code_result_fields[] = {
    STR(struct msg_code_result, code),
    ENUM(struct msg_code_result, status, code_statuses),
    STR(struct msg_code_result, reason),
};
static const struct msg_desc code_result_desc = {"promo_code", MSG_FIELDS(code_result_fields),
                                                 sizeof(struct msg_code_result)};

static const struct msg_field certificate_out_fields[] = {
    STR(struct msg_certificate_out, code),
    MONEY(struct msg_certificate_out, paid),
    MONEY(struct msg_certificate_out, balance_after),
};
static const struct msg_desc certificate_out_desc = {
    "gift_certificate", MSG_FIELDS(certificate_out_fields), sizeof(struct msg_certificate_out)};

static const struct msg_field purchase_fields[] = {
    INT(struct msg_purchase, id, .flags = MSG_OPTIONAL,
        .set_off = offsetof(struct msg_purchase, has_id)),
    STR(struct msg_purchase, receipt_id),
    ENUM(struct msg_purchase, status, purchase_statuses),
    INT(struct msg_purchase, client_id, .flags = MSG_OPTIONAL,
        .set_off = offsetof(struct msg_purchase, has_client_id)),
    STR(struct msg_purchase, card),
    OBJ(struct msg_purchase, level, ref_desc),
    MONEY(struct msg_purchase, total),
    MONEY(struct msg_purchase, discount),
    PTS(struct msg_purchase, points_spent),
    MONEY(struct msg_purchase, certificates_paid),
    MONEY(struct msg_purchase, to_pay),
    PTS(struct msg_purchase, points_accrued),
    OBJ(struct msg_purchase, balance, purchase_balance_desc),
    ARR(struct msg_purchase, lines, nlines, line_out_desc),
    ARR(struct msg_purchase, promotions, npromotions, promotion_applied_desc),
    ARR(struct msg_purchase, promo_codes, npromo_codes, code_result_desc),
    ARR(struct msg_purchase, gift_certificates, ngift_certificates, certificate_out_desc),
    STRARR(struct msg_purchase, refunds, nrefunds),
    STRARR(struct msg_purchase, slip, nslip, .max = 100),
};
const struct msg_desc msg_purchase_desc = {"purchase", MSG_FIELDS(purchase_fields),
                                           sizeof(struct msg_purchase)};

static const struct msg_field refund_line_in_fields[] = {
    INT(struct msg_refund_line_in, line_no, .flags = MSG_REQUIRED, .min = 1, .max = 100000),
    {.name = "qty", .type = MSG_QTY, .off = offsetof(struct msg_refund_line_in, qty),
     .flags = MSG_REQUIRED, .min = 1, .max = 1000000000LL},
};
static const struct msg_desc refund_line_in_desc = {
    "line", MSG_FIELDS(refund_line_in_fields), sizeof(struct msg_refund_line_in)};

static const struct msg_field refund_in_fields[] = {
    STR(struct msg_refund_in, refund_id, .flags = MSG_REQUIRED, .min = 1, .max = 100),
    STR(struct msg_refund_in, receipt_id, .flags = MSG_REQUIRED, .min = 1, .max = 100),
    ARR(struct msg_refund_in, lines, nlines, refund_line_in_desc, .flags = MSG_REQUIRED,
        .min = 1, .max = 1000),
};
const struct msg_desc msg_refund_in_desc = {"refund", MSG_FIELDS(refund_in_fields),
                                            sizeof(struct msg_refund_in)};

static const struct msg_field refund_line_fields[] = {
    INT(struct msg_refund_line, line_no),
    {.name = "qty", .type = MSG_QTY, .off = offsetof(struct msg_refund_line, qty)},
    MONEY(struct msg_refund_line, amount),
    PTS(struct msg_refund_line, points_returned),
    PTS(struct msg_refund_line, points_taken_back),
};
static const struct msg_desc refund_line_desc = {"line", MSG_FIELDS(refund_line_fields),
                                                 sizeof(struct msg_refund_line)};

static const struct msg_field refund_fields[] = {
    STR(struct msg_refund, refund_id),
    STR(struct msg_refund, receipt_id),
    ARR(struct msg_refund, lines, nlines, refund_line_desc),
    MONEY(struct msg_refund, amount),
    PTS(struct msg_refund, points_returned),
    PTS(struct msg_refund, points_taken_back),
    MONEY(struct msg_refund, certificates_returned),
    PTS(struct msg_refund, debt_created),
    {.name = "balance_after", .type = MSG_POINTS, .off = offsetof(struct msg_refund, balance_after),
     .flags = MSG_OPTIONAL, .set_off = offsetof(struct msg_refund, has_balance_after),
     .min = INT64_MIN, .max = INT64_MAX},
};
const struct msg_desc msg_refund_desc = {"refund", MSG_FIELDS(refund_fields),
                                         sizeof(struct msg_refund)};

static const struct msg_field adjustment_in_fields[] = {
    INT(struct msg_adjustment_in, client_id, .flags = MSG_OPTIONAL,
        .set_off = offsetof(struct msg_adjustment_in, has_client_id)),
    STR(struct msg_adjustment_in, card, .max = 64),
    {.name = "amount", .type = MSG_POINTS, .off = offsetof(struct msg_adjustment_in, amount),
     .flags = MSG_REQUIRED, .min = -100000000000LL, .max = 100000000000LL},
    STR(struct msg_adjustment_in, reason, .flags = MSG_REQUIRED, .min = 1, .max = 500),
    {.name = "expires_at", .type = MSG_DATETIME, .off = offsetof(struct msg_adjustment_in, expires_at)},
    {.name = "active_from", .type = MSG_DATETIME,
     .off = offsetof(struct msg_adjustment_in, active_from)},
    STR(struct msg_adjustment_in, idempotency_key, .flags = MSG_REQUIRED, .min = 1, .max = 200),
};
const struct msg_desc msg_adjustment_in_desc = {"adjustment", MSG_FIELDS(adjustment_in_fields),
                                                sizeof(struct msg_adjustment_in)};

static const struct msg_field adjustment_fields[] = {
    INT(struct msg_adjustment, id),
    INT(struct msg_adjustment, client_id),
    POINTS(struct msg_adjustment, amount),
    STR(struct msg_adjustment, reason),
    {.name = "active_from", .type = MSG_DATETIME, .off = offsetof(struct msg_adjustment, active_from)},
    {.name = "expires_at", .type = MSG_DATETIME, .off = offsetof(struct msg_adjustment, expires_at)},
    POINTS(struct msg_adjustment, balance_after),
    STR(struct msg_adjustment, idempotency_key),
};
const struct msg_desc msg_adjustment_desc = {"adjustment", MSG_FIELDS(adjustment_fields),
                                             sizeof(struct msg_adjustment)};

static const char *const operation_kinds[] = {"accrual", "spend", "activation", "expiry",
                                              "refund", "adjustment", "referral", "bonus",
                                              "cancel", NULL};
static const struct msg_field operation_fields[] = {
    INT(struct msg_operation, id),
    {.name = "at", .type = MSG_DATETIME, .off = offsetof(struct msg_operation, at)},
    ENUM(struct msg_operation, kind, operation_kinds),
    POINTS(struct msg_operation, amount),
    POINTS(struct msg_operation, balance_after),
    STR(struct msg_operation, receipt_id),
    STR(struct msg_operation, comment),
};
const struct msg_desc msg_operation_desc = {"operation", MSG_FIELDS(operation_fields),
                                            sizeof(struct msg_operation)};

#define OPT(st, f, t, ...)                                                            \
    {.name = #f, .type = t, .off = offsetof(st, f), .flags = MSG_OPTIONAL,             \
     .set_off = offsetof(st, has_##f), __VA_ARGS__}

static const char *const roundings[] = {"down", "half_up", NULL};
static const struct msg_field settings_points_fields[] = {
    OPT(struct msg_settings_points, rate, MSG_MONEY, .min = 1, .max = 100000000),
    OPT(struct msg_settings_points, max_spend_percent, MSG_PERCENT, .min = 0, .max = 10000),
    OPT(struct msg_settings_points, min_receipt_total, MSG_MONEY, .min = 0, .max = 100000000000LL),
    OPT(struct msg_settings_points, activation_delay_days, MSG_INT, .min = 0, .max = 3650),
    OPT(struct msg_settings_points, expiry_days, MSG_INT, .min = 0, .max = 36500),
    {.name = "excluded_product_segments", .type = MSG_INTS,
     .off = offsetof(struct msg_settings_points, excluded_product_segments),
     .count_off = offsetof(struct msg_settings_points, nexcluded_product_segments)},
    ENUM(struct msg_settings_points, rounding, roundings),
    OPT(struct msg_settings_points, allow_negative_balance_on_refund, MSG_BOOL),
};
const struct msg_desc msg_settings_points_desc = {"points_settings", MSG_FIELDS(settings_points_fields),
                                                  sizeof(struct msg_settings_points)};

static const struct msg_field card_range_fields[] = {
    STR(struct msg_card_range, first, .flags = MSG_REQUIRED, .min = 13, .max = 13),
    STR(struct msg_card_range, last, .flags = MSG_REQUIRED, .min = 13, .max = 13),
};
static const struct msg_desc card_range_desc = {"virtual_card_range", MSG_FIELDS(card_range_fields),
                                                sizeof(struct msg_card_range)};

static const struct msg_field settings_general_fields[] = {
    STR(struct msg_settings_general, timezone, .min = 1, .max = 64),
    STR(struct msg_settings_general, default_country, .min = 2, .max = 2),
    OPT(struct msg_settings_general, slip_width, MSG_INT, .min = 32, .max = 48),
    OPT(struct msg_settings_general, hold_ttl_seconds, MSG_INT, .min = 10, .max = 604800),
    OBJ(struct msg_settings_general, virtual_card_range, card_range_desc),
};
const struct msg_desc msg_settings_general_desc = {
    "settings", MSG_FIELDS(settings_general_fields), sizeof(struct msg_settings_general)};

static const struct msg_field level_fields[] = {
    OPT(struct msg_level, id, MSG_INT),
    STR(struct msg_level, name, .min = 1, .max = 100),
    OPT(struct msg_level, rank, MSG_INT, .min = -1000000, .max = 1000000),
    OPT(struct msg_level, threshold, MSG_MONEY, .min = 0, .max = 100000000000000LL),
    OPT(struct msg_level, period_days, MSG_INT, .min = 0, .max = 36500),
    OPT(struct msg_level, accrual_percent, MSG_PERCENT, .min = 0, .max = 10000),
    OPT(struct msg_level, discount_percent, MSG_PERCENT, .min = 0, .max = 10000),
    OPT(struct msg_level, max_spend_percent, MSG_PERCENT, .min = 0, .max = 10000),
};
const struct msg_desc msg_level_desc = {"level", MSG_FIELDS(level_fields), sizeof(struct msg_level)};

const struct msg_schema_entry msg_schemas[] = {
    {"points_settings", &msg_settings_points_desc},
    {"settings", &msg_settings_general_desc},
    {"level", &msg_level_desc},
    {"refund", &msg_refund_desc},
    {"refund_input", &msg_refund_in_desc},
    {"adjustment", &msg_adjustment_desc},
    {"adjustment_input", &msg_adjustment_in_desc},
    {"purchase", &msg_purchase_desc},
    {"purchase_input", &msg_purchase_in_desc},
    {"card", &msg_card_desc},
    {"client", &msg_client_desc},
    {"error", &msg_error_desc},
    {"health", &msg_health_desc},
    {"list", NULL},
    {"client_input", &msg_client_input_desc},
    {"card_add", &msg_card_add_desc},
    {"card_block", &msg_card_block_desc},
    {"card_replace", &msg_card_replace_desc},
};
const size_t msg_nschemas = sizeof(msg_schemas) / sizeof(msg_schemas[0]);
