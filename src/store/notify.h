/* notify: configuration changes reach every worker process at once. Writers of settings
 * and API clients send NOTIFY loyalty_config in their transaction; a listener thread per
 * process bumps a generation number, and every in-process cache (settings, API keys, the
 * connection's time zone) is valid only for the generation it was filled in. While the
 * listener is not connected the generation is 0 and caches are bypassed. */
#ifndef LOYALTY_NOTIFY_H
#define LOYALTY_NOTIFY_H

#include <stdint.h>

#define NOTIFY_CHANNEL "loyalty_config"

/* Start the listener thread of this process. */
void notify_start(const char *conninfo);
/* Stop it. */
void notify_stop(void);
/* The current generation; 0 = unknown (do not trust any cache). */
uint64_t notify_generation(void);

#endif
