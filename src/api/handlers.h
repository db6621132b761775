/* handlers: the operation behind each route (see routes.c). */
#ifndef LOYALTY_HANDLERS_H
#define LOYALTY_HANDLERS_H

#include "http/request.h"

void api_health(struct http_req *r);
void api_metrics(struct http_req *r);
void api_schema(struct http_req *r);
void api_card_get(struct http_req *r);
void api_card_block(struct http_req *r);
void api_card_unblock(struct http_req *r);
void api_card_replace(struct http_req *r);
void api_client_card_add(struct http_req *r);
void api_client_create(struct http_req *r);
void api_client_get(struct http_req *r);
void api_client_search(struct http_req *r);
void api_client_update(struct http_req *r);
void api_client_operations(struct http_req *r);
void api_purchase_calculate(struct http_req *r);
void api_purchase_confirm(struct http_req *r);
void api_purchase_get(struct http_req *r);
void api_purchase_commit(struct http_req *r);
void api_purchase_cancel(struct http_req *r);
void api_refund_create(struct http_req *r);
void api_adjustment_create(struct http_req *r);
void api_settings_points_get(struct http_req *r);
void api_settings_points_put(struct http_req *r);
void api_settings_get(struct http_req *r);
void api_settings_put(struct http_req *r);
void api_levels_list(struct http_req *r);
void api_level_get(struct http_req *r);
void api_level_create(struct http_req *r);
void api_level_update(struct http_req *r);
void api_level_delete(struct http_req *r);

/* The route table of the API and its length. */
extern const struct route api_routes[];
extern const size_t api_nroutes;

#endif
