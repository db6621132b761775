#include "domain/split.h"

#include <stdlib.h>

bool split_largest_remainder(int64_t total, const int64_t *weights, size_t n, int64_t *out)
{
    __int128 sum = 0;
    for (size_t i = 0; i < n; i++) {
        out[i] = 0;
        sum += weights[i] > 0 ? weights[i] : 0;
    }
    if (sum == 0 || total <= 0)
        return sum != 0 || total == 0;
    int64_t given = 0;
    __int128 *rem = calloc(n, sizeof(*rem));
    if (!rem)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (weights[i] <= 0)
            continue;
        __int128 exact = (__int128)total * weights[i];
        out[i] = (int64_t)(exact / sum);
        rem[i] = exact % sum;
        given += out[i];
    }
    for (int64_t left = total - given; left > 0; left--) {
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (weights[i] > 0 && (best == n || rem[i] > rem[best]))
                best = i;
        out[best]++;
        rem[best] = -1; /* each part gets at most one extra unit */
    }
    free(rem);
    return true;
}

int64_t split_percent_half_up(int64_t v, int64_t bp)
{
    __int128 p = (__int128)v * bp;
    return (int64_t)((p + 5000) / 10000);
}
