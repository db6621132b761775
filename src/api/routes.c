/* routes.c: the whole API as one table. Access per API.md §1: `scopes` lists who besides
 * admin may call; partners are further limited to their own clients inside the handlers. */
#include "api/handlers.h"
#include "api/messages.h"
#include "http/scope.h"

#define ANY (SCOPE_POS | SCOPE_SHOP | SCOPE_PARTNER | SCOPE_ERP | SCOPE_ANALYTICS)
#define READ_CLIENTS (SCOPE_POS | SCOPE_SHOP | SCOPE_PARTNER | SCOPE_ERP | SCOPE_ANALYTICS)
#define WRITE_CLIENTS (SCOPE_POS | SCOPE_SHOP | SCOPE_PARTNER | SCOPE_ERP)
#define MONITORING (SCOPE_ANALYTICS | SCOPE_ERP)
#define PURCHASES (SCOPE_POS | SCOPE_SHOP | SCOPE_PARTNER | SCOPE_ERP)
#define ADJUST (SCOPE_PARTNER | SCOPE_ERP)
#define CONFIG_READ (SCOPE_ERP | SCOPE_ANALYTICS)
#define CONFIG_WRITE SCOPE_ADMIN
#define PUBLIC 0u

const struct route api_routes[] = {
    {"GET", "/api/v1/health", "health", PUBLIC, api_health, NULL, false},
    /* /metrics is open to loopback callers; others need a monitoring scope (handler) */
    {"GET", "/metrics", "metrics", PUBLIC, api_metrics, NULL, false},
    {"GET", "/api/v1/schema/{name}", "schema", ANY, api_schema, NULL, false},
    {"GET", "/api/v1/cards/{number}", "cards.get", READ_CLIENTS, api_card_get, NULL, false},
    {"POST", "/api/v1/cards/{number}/block", "cards.block", WRITE_CLIENTS, api_card_block,
     &msg_card_block_desc, false},
    {"POST", "/api/v1/cards/{number}/unblock", "cards.unblock", WRITE_CLIENTS, api_card_unblock,
     &msg_card_block_desc, false},
    {"POST", "/api/v1/cards/{number}/replace", "cards.replace", WRITE_CLIENTS, api_card_replace,
     &msg_card_replace_desc, false},
    {"POST", "/api/v1/clients", "clients.create", WRITE_CLIENTS, api_client_create,
     &msg_client_input_desc, false},
    {"GET", "/api/v1/clients", "clients.search", READ_CLIENTS, api_client_search, NULL, false},
    {"GET", "/api/v1/clients/{id}", "clients.get", READ_CLIENTS, api_client_get, NULL, false},
    {"PATCH", "/api/v1/clients/{id}", "clients.update", WRITE_CLIENTS, api_client_update,
     &msg_client_input_desc, false},
    {"POST", "/api/v1/clients/{id}/cards", "clients.cards.add", WRITE_CLIENTS,
     api_client_card_add, &msg_card_add_desc, false},
    {"GET", "/api/v1/clients/{id}/operations", "clients.operations", READ_CLIENTS,
     api_client_operations, NULL, false},
    {"POST", "/api/v1/purchases/calculate", "purchases.calculate", PURCHASES,
     api_purchase_calculate, &msg_purchase_in_desc, false},
    {"POST", "/api/v1/purchases", "purchases.confirm", PURCHASES, api_purchase_confirm,
     &msg_purchase_in_desc, false},
    {"GET", "/api/v1/purchases/{receipt_id}", "purchases.get", PURCHASES, api_purchase_get, NULL,
     false},
    {"POST", "/api/v1/purchases/{receipt_id}/commit", "purchases.commit", PURCHASES,
     api_purchase_commit, NULL, false},
    {"POST", "/api/v1/purchases/{receipt_id}/cancel", "purchases.cancel", PURCHASES,
     api_purchase_cancel, NULL, false},
    {"POST", "/api/v1/refunds", "refunds.create", PURCHASES, api_refund_create,
     &msg_refund_in_desc, false},
    {"POST", "/api/v1/points/adjustments", "points.adjust", ADJUST, api_adjustment_create,
     &msg_adjustment_in_desc, false},
    {"GET", "/api/v1/settings/points", "settings.points.get", CONFIG_READ,
     api_settings_points_get, NULL, false},
    {"PUT", "/api/v1/settings/points", "settings.points.put", CONFIG_WRITE,
     api_settings_points_put, &msg_settings_points_desc, false},
    {"GET", "/api/v1/settings", "settings.get", CONFIG_READ, api_settings_get, NULL, false},
    {"PUT", "/api/v1/settings", "settings.put", CONFIG_WRITE, api_settings_put,
     &msg_settings_general_desc, false},
    {"GET", "/api/v1/levels", "levels.list", CONFIG_READ, api_levels_list, NULL, false},
    {"POST", "/api/v1/levels", "levels.create", CONFIG_WRITE, api_level_create, &msg_level_desc,
     false},
    {"GET", "/api/v1/levels/{id}", "levels.get", CONFIG_READ, api_level_get, NULL, false},
    {"PATCH", "/api/v1/levels/{id}", "levels.update", CONFIG_WRITE, api_level_update,
     &msg_level_desc, false},
    {"DELETE", "/api/v1/levels/{id}", "levels.delete", CONFIG_WRITE, api_level_delete, NULL,
     false},
};
const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);
