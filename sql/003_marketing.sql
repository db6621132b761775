-- 003_marketing: the catalogue and product segments, promotions and their counters, promo
-- codes, gift certificates, referral links, triggers, templates, providers, mailings and
-- messages, webhooks, imports and the audit log.
--
-- Same rules as 001/002. Three kinds of tables here:
--   * reference tables (rules, read on every calculation, written by managers): products,
--     product_segments(+items), promotions, promo_code_batches, gift_certificate_batches,
--     triggers, templates, providers, mailings, webhooks. On Citus: reference tables.
--     Foreign keys only between them.
--   * global tables keyed by a value unique across the system, each distributable by its
--     own key: promotion_counters (promotion_id), promo_codes (code), gift_certificates and
--     gift_certificate_operations (code), message_provider_refs (provider message id),
--     webhook_deliveries (webhook_id), imports, audit_log. They may reference reference
--     tables, never a client's table.
--   * client tables (client_id first in every key): promotion_client_uses, promo_code_uses,
--     client_promo_codes, referral_links, trigger_runs, messages.
-- Codes (promo, certificate) are stored upper-cased, as the API normalises them.

------------------------------------------------------------------------------------------
-- Catalogue and product segments
------------------------------------------------------------------------------------------

-- The catalogue (PUT /products, bulk by sku; CommerceML import.xml).
CREATE TABLE products (
    sku         text PRIMARY KEY,
    name        text NOT NULL,
    group_path  text[] NOT NULL DEFAULT '{}',  -- catalogue groups, root first: {Food, Dairy, Milk}
    attributes  jsonb NOT NULL DEFAULT '{}',   -- free properties (brand, country, ...) for segment rules
    min_price   bigint CHECK (min_price IS NULL OR min_price >= 0),  -- per unit floor; NULL = 0.01
    external_id text,                          -- CommerceML Ид, when imported from 1C
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_group_path ON products USING gin (group_path);

-- Product segments: a static SKU list, or a rule over group path and attributes.
CREATE TABLE product_segments (
    id           bigserial PRIMARY KEY,
    name         text NOT NULL UNIQUE,
    kind         text NOT NULL CHECK (kind IN ('static', 'rule')),
    definition   jsonb,                 -- rule: {"group_path_prefix": [...], "attributes": {...}, ...}
    refreshed_at timestamptz,           -- rule: when items were last materialised
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'rule') = (definition IS NOT NULL))
);

-- The SKUs of a segment: the list of a static one, the materialised result of a rule one
-- (recomputed by the worker when the catalogue or the rule changes), so that the receipt
-- calculation only looks SKUs up. SKUs need not be in the catalogue yet: no FK to products.
CREATE TABLE product_segment_items (
    segment_id bigint NOT NULL REFERENCES product_segments (id) ON DELETE CASCADE,
    sku        text NOT NULL,
    added_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (segment_id, sku)
);
CREATE INDEX product_segment_items_sku ON product_segment_items (sku);

------------------------------------------------------------------------------------------
-- Promotions
------------------------------------------------------------------------------------------

-- A discount or points campaign (PROMOTIONS.md). The date window and the budget/use limits
-- of the API's `conditions` are kept in columns (filtered in SQL, checked under locks); the
-- rest of `conditions` (weekdays, hours, stores, levels, client segments, new client,
-- birthday window, min total, anonymous) stays in the jsonb.
CREATE TABLE promotions (
    id                  bigserial PRIMARY KEY,
    name                text NOT NULL,
    description         text,
    active              boolean NOT NULL DEFAULT true,
    priority            integer NOT NULL DEFAULT 0,   -- higher applies first; ties: lower id first
    stacking            text NOT NULL DEFAULT 'stack' CHECK (stacking IN ('exclusive', 'best', 'stack')),
    stack_group         text,                -- the API's `group`: `best` picks one per group (NULL: a group of its own)
    valid_from          timestamptz,         -- NULL = no start
    valid_to            timestamptz,         -- NULL = no end
    conditions          jsonb NOT NULL DEFAULT '{}',
    scope               jsonb NOT NULL DEFAULT '{}',   -- {"product_segments", "skus", "exclude_product_segments"}
    effect              jsonb NOT NULL,      -- {"kind", "value", "n", "expires_days", "batch_id", ...}
    effect_kind         text NOT NULL CHECK (effect_kind IN ('percent', 'amount_per_unit', 'amount_per_line',
                                  'fixed_price', 'nth_free', 'receipt_amount', 'extra_points_percent',
                                  'points_multiplier', 'bonus_points', 'issue_promo_code')),
    promo_code_required boolean NOT NULL DEFAULT false,
    budget              bigint CHECK (budget IS NULL OR budget > 0),            -- money (points for points effects); NULL = none
    max_uses            bigint CHECK (max_uses IS NULL OR max_uses > 0),        -- purchases; NULL = none
    max_uses_per_client bigint CHECK (max_uses_per_client IS NULL OR max_uses_per_client > 0),
    deleted_at          timestamptz,         -- DELETE keeps the row: purchases refer to it
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (effect_kind = effect->>'kind'),
    CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from < valid_to)
);

-- Counters of a promotion, apart from its definition so that confirms do not write to a
-- reference table: kept only for promotions with a budget or a use limit, updated in the
-- purchase transaction with a guarded UPDATE (… WHERE uses < max_uses), given back on cancel.
CREATE TABLE promotion_counters (
    promotion_id bigint PRIMARY KEY REFERENCES promotions (id),
    uses         bigint NOT NULL DEFAULT 0 CHECK (uses >= 0),         -- purchases
    budget_used  bigint NOT NULL DEFAULT 0 CHECK (budget_used >= 0),  -- in the budget's unit
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Uses of a promotion by one client (max_uses_per_client).
CREATE TABLE promotion_client_uses (
    client_id    bigint NOT NULL,
    promotion_id bigint NOT NULL,
    uses         bigint NOT NULL DEFAULT 0 CHECK (uses >= 0),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, promotion_id)
);

------------------------------------------------------------------------------------------
-- Promo codes
------------------------------------------------------------------------------------------

-- A batch of generated codes (POST /promo-code-batches), or the pool from which personal
-- codes are issued one by one (issue_promo_code effect, trigger action: count 0, personal).
-- The limits are copied onto each code at generation.
CREATE TABLE promo_code_batches (
    id               bigserial PRIMARY KEY,
    name             text NOT NULL,
    promotion_id     bigint NOT NULL REFERENCES promotions (id),  -- what the codes unlock
    pattern          text NOT NULL,          -- e.g. SPRING-####-####; # = a character of the alphabet
    count            bigint NOT NULL CHECK (count BETWEEN 0 AND 1000000),  -- codes to generate
    generated        bigint NOT NULL DEFAULT 0 CHECK (generated >= 0),     -- generated so far
    personal         boolean NOT NULL DEFAULT false,  -- codes are bound to a client when issued
    max_uses         bigint CHECK (max_uses IS NULL OR max_uses > 0),      -- per code; 1 = single-use
    per_client_limit bigint CHECK (per_client_limit IS NULL OR per_client_limit > 0),
    valid_from       timestamptz,
    valid_to         timestamptz,
    valid_days       integer CHECK (valid_days IS NULL OR valid_days > 0), -- personal: valid for N days from issue
    stores           text[],                 -- NULL = every store
    status           text NOT NULL DEFAULT 'generating' CHECK (status IN ('generating', 'ready', 'failed')),
    error            text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (generated <= count OR personal),
    CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from < valid_to)
);

-- Every promo code, keyed by the code: unique across the system. `uses` is raised in the
-- purchase transaction with UPDATE … WHERE max_uses IS NULL OR uses < max_uses (one row, so
-- concurrent confirms never exceed it) and lowered on cancel / full refund / hold release.
CREATE TABLE promo_codes (
    code             text PRIMARY KEY,       -- upper-cased
    batch_id         bigint REFERENCES promo_code_batches (id),
    promotion_id     bigint NOT NULL REFERENCES promotions (id),
    max_uses         bigint CHECK (max_uses IS NULL OR max_uses > 0),
    per_client_limit bigint CHECK (per_client_limit IS NULL OR per_client_limit > 0),
    valid_from       timestamptz,
    valid_to         timestamptz,
    stores           text[],                 -- NULL = every store
    client_id        bigint,                 -- personal code: only this client may use it
    uses             bigint NOT NULL DEFAULT 0,
    status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
    issued_purchase_id bigint,               -- personal: issued by this purchase (promotion effect) ...
    issued_trigger_id  bigint,               -- ... or by this trigger
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (uses >= 0 AND (max_uses IS NULL OR uses <= max_uses)),
    CHECK (valid_from IS NULL OR valid_to IS NULL OR valid_from < valid_to)
);
CREATE INDEX promo_codes_batch ON promo_codes (batch_id);
CREATE INDEX promo_codes_client ON promo_codes (client_id) WHERE client_id IS NOT NULL;

-- A use of a code in a purchase (held or confirmed), on the buyer's shard: per_client_limit
-- counts a client's `used` rows of the code. Released (not deleted) on cancel, full refund,
-- hold release.
CREATE TABLE promo_code_uses (
    client_id    bigint NOT NULL,            -- the purchase's client_id (negative if anonymous)
    id           bigserial,
    code         text NOT NULL,
    promotion_id bigint NOT NULL,
    purchase_id  bigint NOT NULL,
    status       text NOT NULL DEFAULT 'used' CHECK (status IN ('used', 'released')),
    used_at      timestamptz NOT NULL DEFAULT now(),
    released_at  timestamptz,
    PRIMARY KEY (client_id, id),
    UNIQUE (client_id, purchase_id, code),
    FOREIGN KEY (client_id, purchase_id) REFERENCES purchases (client_id, id),
    CHECK ((status = 'released') = (released_at IS NOT NULL))
);
CREATE INDEX promo_code_uses_code ON promo_code_uses (client_id, code) WHERE status = 'used';

-- The personal codes of a client (mirror of promo_codes.client_id on the client's shard,
-- for the client's card and slip without a cross-shard scan).
CREATE TABLE client_promo_codes (
    client_id   bigint NOT NULL,
    code        text NOT NULL,
    source      text NOT NULL CHECK (source IN ('promotion', 'trigger', 'manual')),
    purchase_id bigint,                      -- promotion: the purchase that issued it
    trigger_id  bigint,                      -- trigger: the trigger ...
    event_id    bigint,                      -- ... and the event (outbox.event_id)
    issued_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, code)
);

------------------------------------------------------------------------------------------
-- Gift certificates
------------------------------------------------------------------------------------------

-- A batch of certificates issued together (POST /gift-certificates with a count).
CREATE TABLE gift_certificate_batches (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL,
    nominal    bigint NOT NULL CHECK (nominal > 0),
    count      bigint NOT NULL CHECK (count > 0),
    multi_use  boolean NOT NULL DEFAULT true,
    expires_at timestamptz,
    pattern    text,                         -- code pattern, as for promo codes
    status     text NOT NULL DEFAULT 'generating' CHECK (status IN ('generating', 'ready', 'failed')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A gift certificate, keyed by its code (unique across the system; the row is the lookup).
-- The balance is changed with one guarded UPDATE (… WHERE balance >= $amount AND status =
-- 'active'), so it never goes below zero under concurrency. Single-use: all or nothing.
CREATE TABLE gift_certificates (
    code          text PRIMARY KEY,          -- upper-cased
    batch_id      bigint REFERENCES gift_certificate_batches (id),
    nominal       bigint NOT NULL CHECK (nominal > 0),
    balance       bigint NOT NULL,
    status        text NOT NULL CHECK (status IN ('inactive', 'active', 'used', 'expired', 'blocked')),
    multi_use     boolean NOT NULL DEFAULT true,   -- false: spent whole in one purchase
    expires_at    timestamptz,                     -- NULL = never
    activated_at  timestamptz,
    sold_api_client_id bigint,               -- the selling receipt (activate) ...
    sold_receipt_id    text,
    sold_store_id      text,
    client_id     bigint,                    -- the buyer, when known (informational, no lookup)
    block_reason  text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (balance >= 0 AND balance <= nominal),
    CHECK (multi_use OR balance IN (0, nominal)),
    CHECK (status <> 'used' OR balance = 0),
    CHECK (status <> 'inactive' OR activated_at IS NULL)
);
CREATE INDEX gift_certificates_batch ON gift_certificates (batch_id);
-- Expiry job.
CREATE INDEX gift_certificates_expiry ON gift_certificates (expires_at)
    WHERE status IN ('inactive', 'active') AND expires_at IS NOT NULL;

-- The history of a certificate (GET /gift-certificates/{code} history), on the code's shard.
-- A purchase's side of a payment is purchase_certificates (002).
CREATE TABLE gift_certificate_operations (
    code          text NOT NULL,
    id            bigserial,
    kind          text NOT NULL CHECK (kind IN ('issue', 'activate', 'spend', 'refund', 'cancel',
                                                'expire', 'block', 'unblock')),
    amount        bigint NOT NULL,           -- signed change of the balance (0 for status changes)
    balance_after bigint NOT NULL CHECK (balance_after >= 0),
    client_id     bigint,                    -- spend/refund/cancel: the purchase's client_id ...
    purchase_id   bigint,                    -- ... and purchase
    refund_pk     bigint,                    -- refund: refunds.id
    api_client_id bigint,
    receipt_id    text,
    comment       text,
    at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (code, id),
    FOREIGN KEY (code) REFERENCES gift_certificates (code),
    CHECK (kind <> 'spend' OR amount < 0),
    CHECK (kind NOT IN ('refund', 'cancel') OR amount > 0)
);

------------------------------------------------------------------------------------------
-- Referral program
------------------------------------------------------------------------------------------

-- The link of a newcomer to its inviter (once per newcomer: the newcomer's client_id is the
-- key), and the rewards of the referral settings: each paid once (*_paid_at set), reversed
-- if the qualifying purchase is cancelled or fully refunded within the return window
-- (*_reversed_at). The inviter's reward lot lives on the inviter's shard: the two clients
-- are locked in client_id order.
CREATE TABLE referral_links (
    client_id              bigint PRIMARY KEY,  -- the newcomer
    inviter_id             bigint NOT NULL,     -- the inviter's client_id
    code                   text NOT NULL,       -- the referral code used
    status                 text NOT NULL DEFAULT 'linked' CHECK (status IN ('linked', 'completed', 'reversed')),
    qualifying_purchase_id bigint,              -- the newcomer's first confirmed purchase
    newcomer_points        bigint NOT NULL DEFAULT 0 CHECK (newcomer_points >= 0),
    newcomer_lot_id        bigint,              -- lot on the newcomer's shard
    newcomer_paid_at       timestamptz,         -- newcomer reward paid (flag)
    newcomer_reversed_at   timestamptz,
    inviter_points         bigint NOT NULL DEFAULT 0 CHECK (inviter_points >= 0),
    inviter_lot_id         bigint,              -- lot on the inviter's shard
    inviter_paid_at        timestamptz,         -- inviter reward paid (flag)
    inviter_reversed_at    timestamptz,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CHECK (inviter_id <> client_id),
    CHECK (newcomer_reversed_at IS NULL OR newcomer_paid_at IS NOT NULL),
    CHECK (inviter_reversed_at IS NULL OR inviter_paid_at IS NOT NULL)
);
CREATE INDEX referral_links_inviter ON referral_links (inviter_id);

------------------------------------------------------------------------------------------
-- Triggers
------------------------------------------------------------------------------------------

-- event → condition → actions (RULES.md, Triggers).
CREATE TABLE triggers (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL,
    event      text NOT NULL CHECK (event IN ('client.registered', 'purchase.confirmed', 'purchase.cancelled',
                                              'refund.created', 'level.changed', 'birthday', 'points.expiring',
                                              'inactivity', 'card.issued', 'referral.completed')),
    params     jsonb NOT NULL DEFAULT '{}',  -- {"days": N} for points.expiring, inactivity, birthday
    condition  jsonb,                        -- predicate (PROMOTIONS.md); NULL = always
    actions    jsonb NOT NULL,               -- [{"kind": "bonus_points"|"issue_promo_code"|"segment_add"|
                                             --   "segment_remove"|"message"|"webhook", ...}]
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (jsonb_typeof(actions) = 'array')
);
CREATE INDEX triggers_event ON triggers (event) WHERE active;

-- Each (trigger, event) runs at most once: inserting this row (ON CONFLICT DO NOTHING) in the
-- same transaction as the actions gates them. event_id is outbox.event_id; client_id is the
-- event's client (so the key includes it, and is equivalent to (trigger_id, event_id)).
CREATE TABLE trigger_runs (
    client_id  bigint NOT NULL,
    trigger_id bigint NOT NULL,
    event_id   bigint NOT NULL,
    status     text NOT NULL CHECK (status IN ('done', 'skipped', 'failed')),  -- skipped: condition false
    result     jsonb,                        -- what the actions did (lot ids, codes, message ids) or the error
    at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, trigger_id, event_id)
);

------------------------------------------------------------------------------------------
-- Templates, providers, mailings, messages
------------------------------------------------------------------------------------------

-- Texts in the template language ({{var}}, sections); overrides of the defaults in templates/.
CREATE TABLE templates (
    id         bigserial PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('slip', 'sms', 'email', 'push')),
    name       text NOT NULL,
    locale     text NOT NULL DEFAULT 'ru',
    subject    text,                         -- email (and push title)
    body       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, name, locale)
);

-- External delivery providers. settings hold the adapter's configuration (SMTP host, port,
-- TLS, user, password; HTTP SMS URL, method, auth, body template; webhook URL and secret):
-- secrets are never returned by the API.
CREATE TABLE providers (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    kind       text NOT NULL CHECK (kind IN ('smtp', 'http_sms', 'webhook')),
    settings   jsonb NOT NULL DEFAULT '{}',
    rate_limit integer CHECK (rate_limit IS NULL OR rate_limit > 0),  -- messages/second; NULL = none
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A mass mailing: client segment + channel + template + schedule. The worker builds its
-- messages (one per member, `skipped` with a reason when no consent/contact or over the
-- frequency cap), then sends them. Channel push is delivered through a webhook provider.
CREATE TABLE mailings (
    id              bigserial PRIMARY KEY,
    name            text NOT NULL,
    segment_id      bigint NOT NULL REFERENCES client_segments (id),
    channel         text NOT NULL CHECK (channel IN ('sms', 'email', 'push')),
    template_id     bigint NOT NULL REFERENCES templates (id),
    provider_id     bigint REFERENCES providers (id),  -- NULL = the default provider of the channel
    scheduled_at    timestamptz,             -- start at; NULL = on /start
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'scheduled', 'building',
                                                         'sending', 'completed', 'cancelled', 'failed')),
    quiet_from      time,                    -- quiet hours, business time zone, e.g. 21:00 ...
    quiet_to        time,                    -- ... to 09:00 (may wrap midnight): sending waits
    freq_cap_count  integer CHECK (freq_cap_count IS NULL OR freq_cap_count > 0),  -- at most N messages ...
    freq_cap_hours  integer CHECK (freq_cap_hours IS NULL OR freq_cap_hours > 0),  -- ... per client in H hours
    built_at        timestamptz,             -- all messages created
    started_at      timestamptz,
    finished_at     timestamptz,
    error           text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((quiet_from IS NULL) = (quiet_to IS NULL)),
    CHECK ((freq_cap_count IS NULL) = (freq_cap_hours IS NULL))
);
CREATE INDEX mailings_due ON mailings (scheduled_at) WHERE status = 'scheduled';

-- One message to one client, from a mailing or a trigger's message action. Created before
-- sending; a restart resumes from the rows: unique (mailing_id, client_id) and
-- (client_id, trigger_id, event_id, action_no) mean nothing is created, so sent, twice.
CREATE TABLE messages (
    client_id           bigint NOT NULL,
    id                  bigserial,
    mailing_id          bigint,              -- from a mailing ...
    trigger_id          bigint,              -- ... or from a trigger's action ...
    event_id            bigint,              -- ... for this event (outbox.event_id)
    action_no           integer,             -- ... the action's index in triggers.actions
    channel             text NOT NULL CHECK (channel IN ('sms', 'email', 'push')),
    provider_id         bigint,
    template_id         bigint,
    recipient           text,                -- phone, e-mail or push target, as resolved when built
    subject             text,
    body                text,                -- rendered text (NULL: render when sending)
    vars                jsonb,               -- template variables captured at creation
    status              text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'delivered',
                                                                         'failed', 'skipped')),
    reason              text,                -- skipped/failed: no_consent, no_contact, frequency_cap, provider error ...
    attempts            integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at     timestamptz,         -- queued: not before (back-off, quiet hours)
    provider_message_id text,                -- the provider's id (delivery reports)
    created_at          timestamptz NOT NULL DEFAULT now(),
    sent_at             timestamptz,
    delivered_at        timestamptz,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, id),
    UNIQUE (mailing_id, client_id),
    UNIQUE (client_id, trigger_id, event_id, action_no),
    CHECK ((mailing_id IS NOT NULL) <> (trigger_id IS NOT NULL)),
    CHECK (trigger_id IS NULL OR (event_id IS NOT NULL AND action_no IS NOT NULL)),
    CHECK (status <> 'queued' OR next_attempt_at IS NOT NULL),
    CHECK (status NOT IN ('skipped', 'failed') OR reason IS NOT NULL)
);
-- Sender: due messages.
CREATE INDEX messages_due ON messages (status, next_attempt_at);
-- Frequency cap: a client's recent messages.
CREATE INDEX messages_client_sent ON messages (client_id, sent_at) WHERE sent_at IS NOT NULL;

-- (provider, provider's message id) → the message, for delivery reports on the callback URL.
CREATE TABLE message_provider_refs (
    provider_id         bigint NOT NULL,
    provider_message_id text NOT NULL,
    client_id           bigint NOT NULL,
    message_id          bigint NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, provider_message_id)
);

------------------------------------------------------------------------------------------
-- Webhooks
------------------------------------------------------------------------------------------

-- Subscriptions of external systems to events, signed with HMAC-SHA256 (X-Signature).
CREATE TABLE webhooks (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL,
    url        text NOT NULL,
    events     text[] NOT NULL DEFAULT '{}', -- event types; empty = all
    secret     text NOT NULL,                -- the HMAC key (needed in clear to sign); never returned after create
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One delivery of one feed event to one subscription, created by the outbox publisher in the
-- same transaction that assigns the event's feed id; retried with back-off.
CREATE TABLE webhook_deliveries (
    webhook_id      bigint NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        bigint NOT NULL,         -- events.id (feed position)
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_http_status integer,
    last_error      text,
    delivered_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

------------------------------------------------------------------------------------------
-- Imports and the audit log
------------------------------------------------------------------------------------------

-- POST /imports: clients with cards and opening balances, processed by the worker in
-- batches (processed_rows is the resume point). Re-running does not double: clients match by
-- external_id/phone, cards by number, opening balances are adjustments with a key derived
-- from the row.
CREATE TABLE imports (
    id             bigserial PRIMARY KEY,
    api_client_id  bigint,                   -- NULL: loyaltyctl import
    kind           text NOT NULL DEFAULT 'clients' CHECK (kind IN ('clients')),
    format         text NOT NULL CHECK (format IN ('csv', 'json', 'xml')),
    status         text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed')),
    content_hash   bytea NOT NULL,           -- SHA-256 of the body
    body           bytea,                    -- the uploaded document; cleared when completed
    total_rows     bigint CHECK (total_rows IS NULL OR total_rows >= 0),  -- known after parsing
    processed_rows bigint NOT NULL DEFAULT 0 CHECK (processed_rows >= 0),
    created_count  bigint NOT NULL DEFAULT 0 CHECK (created_count >= 0),
    updated_count  bigint NOT NULL DEFAULT 0 CHECK (updated_count >= 0),
    rejected_count bigint NOT NULL DEFAULT 0 CHECK (rejected_count >= 0),
    rejected_rows  jsonb NOT NULL DEFAULT '[]',  -- [{"row": n, "field": "...", "code": "...", "message": "..."}]
    error          text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,
    finished_at    timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX imports_queue ON imports (created_at) WHERE status IN ('queued', 'running');

-- Every change by the console or an admin key (who, what, before, after).
CREATE TABLE audit_log (
    id            bigserial PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    api_client_id bigint,                    -- the key used; NULL for loyaltyctl
    actor         text NOT NULL,             -- the key's name, console user, or 'loyaltyctl'
    request_id    text,
    action        text NOT NULL,             -- create | update | delete | block | start | ...
    entity        text NOT NULL,             -- promotion, level, settings, api_client, ...
    entity_id     text,
    before        jsonb,                     -- NULL on create
    after         jsonb                      -- NULL on delete
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, at);
CREATE INDEX audit_log_at ON audit_log (at);

-- The referral settings section (001 created general and points). Values as the API shows
-- them (decimals), as in 001; the app applies its documented defaults for fields left out.
INSERT INTO settings (section, body) VALUES
    ('referral', '{"enabled": false, "newcomer_points": 0, "newcomer_on": "registration",
                   "inviter_points": 0, "min_purchase": 0, "return_window_days": 14}')
ON CONFLICT (section) DO NOTHING;
