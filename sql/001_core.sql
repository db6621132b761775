-- 001_core: API clients, the exchange log, settings, levels, clients, cards, accounts.
--
-- Distribution rules (see docs/schema.md): every table of a client's data carries
-- client_id and every unique constraint on it includes client_id; values unique across
-- all clients (phones, e-mails, card numbers, external ids, referral codes) live in small
-- lookup tables keyed by that value; no foreign key from a global table into a client's
-- table; no triggers. Money and points are bigint minor units (kopecks, 1/100 point);
-- percents are bigint hundredths of a percent (5 % = 500).

CREATE TABLE api_clients (
    id               bigserial PRIMARY KEY,
    name             text NOT NULL UNIQUE,
    key_id           text NOT NULL UNIQUE,
    secret_salt      bytea NOT NULL,
    secret_hash      bytea NOT NULL,          -- SHA-256(salt || secret)
    scopes           text[] NOT NULL,
    default_format   text NOT NULL DEFAULT 'json' CHECK (default_format IN ('json', 'xml')),
    cert_fingerprint text UNIQUE,             -- SHA-256 of the client certificate's DER, hex
    rate_limit       integer CHECK (rate_limit IS NULL OR rate_limit > 0),  -- requests/second
    active           boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- One row per API call, written in batches off the request path.
CREATE TABLE exchange_log (
    id            bigserial PRIMARY KEY,
    at            timestamptz NOT NULL,
    api_client_id bigint,
    method        text NOT NULL,
    route         text NOT NULL,             -- the route's name, e.g. cards.get
    path          text NOT NULL,
    status        integer NOT NULL,
    duration_us   integer NOT NULL,
    request_id    text NOT NULL,
    remote_addr   text,
    format        text
);
CREATE INDEX exchange_log_at ON exchange_log (at);
CREATE INDEX exchange_log_client_at ON exchange_log (api_client_id, at);

-- Business settings, one JSON document per section (general, points, referral).
CREATE TABLE settings (
    section    text PRIMARY KEY,
    body       jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO settings (section, body) VALUES
    ('general', '{"timezone": "Europe/Moscow", "default_country": "RU", "slip_width": 40,
                  "hold_ttl_seconds": 900, "virtual_card_range": {"first": "2000000000015",
                  "last": "2999999999999"}}'),
    ('points', '{"rate": 1.00, "max_spend_percent": 100, "min_receipt_total": 0,
                 "activation_delay_days": 0, "expiry_days": 0, "excluded_product_segments": [],
                 "rounding": "down", "allow_negative_balance_on_refund": true}');

-- Card levels (a reference table).
CREATE TABLE levels (
    id                bigserial PRIMARY KEY,
    name              text NOT NULL UNIQUE,
    rank              integer NOT NULL UNIQUE,
    threshold         bigint NOT NULL DEFAULT 0 CHECK (threshold >= 0),
    period_days       integer NOT NULL DEFAULT 0 CHECK (period_days >= 0),
    accrual_percent   bigint NOT NULL DEFAULT 0 CHECK (accrual_percent BETWEEN 0 AND 10000),
    discount_percent  bigint NOT NULL DEFAULT 0 CHECK (discount_percent BETWEEN 0 AND 10000),
    max_spend_percent bigint CHECK (max_spend_percent BETWEEN 0 AND 10000),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE SEQUENCE clients_id_seq;

CREATE TABLE clients (
    client_id     bigint PRIMARY KEY,
    external_id   text,
    phone         text,                       -- E.164
    email         text,                       -- lower-cased
    first_name    text,
    last_name     text,
    middle_name   text,
    birth_date    date,
    gender        text CHECK (gender IN ('male', 'female')),
    consent_sms   boolean NOT NULL DEFAULT false,
    consent_email boolean NOT NULL DEFAULT false,
    consent_push  boolean NOT NULL DEFAULT false,
    level_id      bigint,
    referral_code text NOT NULL,
    referred_by   bigint,                     -- the inviter's client_id
    attributes    jsonb NOT NULL DEFAULT '{}',
    source_api_client_id bigint,              -- the API client that brought the client in
    source        text,                       -- its name, shown to users
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Lookup tables for values unique across all clients (each distributable by its own key).
CREATE TABLE client_phones (phone text PRIMARY KEY, client_id bigint NOT NULL);
CREATE TABLE client_emails (email text PRIMARY KEY, client_id bigint NOT NULL);
CREATE TABLE client_external_ids (external_id text PRIMARY KEY, client_id bigint NOT NULL);
CREATE TABLE referral_codes (code text PRIMARY KEY, client_id bigint NOT NULL);

-- Every card number ever known; client_id is NULL for unbound stock (imported, not issued).
CREATE TABLE card_index (
    number     text PRIMARY KEY,
    client_id  bigint,
    kind       text NOT NULL CHECK (kind IN ('physical', 'virtual')),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A client's cards.
CREATE TABLE cards (
    client_id    bigint NOT NULL,
    number       text NOT NULL,
    status       text NOT NULL CHECK (status IN ('active', 'inactive', 'blocked', 'replaced')),
    kind         text NOT NULL CHECK (kind IN ('physical', 'virtual')),
    replaced_by  text,
    block_reason text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, number)
);

-- The next number of the virtual card range (0-based offset from its first number).
CREATE SEQUENCE virtual_card_seq MINVALUE 0 START 0;

-- The balance of a client: sums over the lots, updated in the same transaction as they are.
CREATE TABLE accounts (
    client_id       bigint PRIMARY KEY,
    available       bigint NOT NULL DEFAULT 0,
    pending         bigint NOT NULL DEFAULT 0,
    debt            bigint NOT NULL DEFAULT 0 CHECK (debt >= 0),
    purchases_total bigint NOT NULL DEFAULT 0,   -- confirmed, after discounts, minus refunds
    version         bigint NOT NULL DEFAULT 0,   -- bumped by every change
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Client segments (definitions are reference data; membership is per client).
CREATE TABLE client_segments (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    kind        text NOT NULL CHECK (kind IN ('static', 'dynamic')),
    definition  jsonb,                          -- predicate of a dynamic segment
    refreshed_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE client_segment_members (
    client_id  bigint NOT NULL,
    segment_id bigint NOT NULL,
    added_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, segment_id)
);
CREATE INDEX client_segment_members_segment ON client_segment_members (segment_id);

-- Idempotency of creates (POST /clients with Idempotency-Key, later imports).
CREATE TABLE idempotency_keys (
    api_client_id bigint NOT NULL,
    scope         text NOT NULL,             -- the operation, e.g. clients.create
    key           text NOT NULL,
    request_hash  bytea NOT NULL,            -- SHA-256 of the canonical decoded request
    resource_id   bigint NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (api_client_id, scope, key)
);
