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

static const struct msg_field client_input_fields[] = {
    STR(struct msg_client_input, phone, .max = 32),
    STR(struct msg_client_input, email, .min = 3, .max = 254),
    STR(struct msg_client_input, first_name, .max = 100),
    STR(struct msg_client_input, last_name, .max = 100),
    STR(struct msg_client_input, middle_name, .max = 100),
    {.name = "birth_date", .type = MSG_DATE, .off = offsetof(struct msg_client_input, birth_date)},
    ENUM(struct msg_client_input, gender, genders),
    OBJ(struct msg_client_input, consents, consents_desc),
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

const struct msg_schema_entry msg_schemas[] = {
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
