/* settings: business settings documents (settings table) read into C structs. */
#ifndef LOYALTY_SETTINGS_H
#define LOYALTY_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/decimal.h"
#include "domain/receipt.h"
#include "store/db.h"
#include "util/arena.h"

/* settings/points */
struct settings_points {
    struct receipt_rules rules;      /* what the calculation needs */
    int activation_delay_days;       /* accrued points are pending this long */
    int expiry_days;                 /* lots expire this long after activation, 0 = never */
    int64_t *excluded_segments;      /* product segments points cannot pay for */
    size_t nexcluded;                /* number of them */
    bool allow_negative_on_refund;   /* take back spent accruals as a debt */
};

/* settings (general) */
struct settings_general {
    char timezone[64];               /* business time zone */
    char default_country[8];         /* for national phone numbers */
    int slip_width;                  /* columns of the slip printer */
    int hold_ttl_seconds;            /* a hold older than this is released */
};

enum db_status settings_points_load(struct db *db, struct arena *a, struct settings_points *out);
enum db_status settings_general_load(struct db *db, struct settings_general *out);

#endif
