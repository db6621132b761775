/* split: the largest-remainder method, so parts always add up to the whole. */
#ifndef LOYALTY_SPLIT_H
#define LOYALTY_SPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Split `total` (≥ 0) into n parts proportional to weights (≥ 0): each part is the floor of
 * its exact share, and the units left go to the largest remainders (ties: lower index).
 * When every weight is 0 the parts are 0 and false is returned. */
bool split_largest_remainder(int64_t total, const int64_t *weights, size_t n, int64_t *out);
/* round(v × bp / 10000) half-up, v ≥ 0 */
int64_t split_percent_half_up(int64_t v, int64_t bp);

#endif
