-- 002_ledger_purchases: points lots, the ledger, spend draws and debts; purchases (with
-- holds), their lines, promotions and certificate payments; refunds; manual adjustments;
-- the transactional outbox and the events feed; job-run bookkeeping.
--
-- The distribution rules of 001 hold here too: every table of a client's data carries
-- client_id and every primary key / unique constraint on it includes client_id; values
-- unique across all clients (receipt ids, refund ids and adjustment keys per API client)
-- live in small lookup tables keyed by that value (*_index); foreign keys only between rows
-- of one client (they always include client_id, so they stay co-located on Citus); no
-- triggers. Money and points are bigint minor units (kopecks, 1/100 point); quantities are
-- bigint thousandths; percents bigint hundredths of a percent.
--
-- Anonymous purchases. A purchase without a client is stored under client_id = -id (the
-- negative of its own purchase id): take the id first with nextval('purchases_id_seq'), then
-- insert with client_id = -id. Every row that belongs to that purchase (lines, promotions,
-- certificate payments, promo code uses, refunds, outbox events, receipt_index) carries the
-- same negative key. So anonymous purchases spread over all shards like clients do (a single
-- shared key such as 0 would make one hot shard), each is still a one-"client" transaction,
-- and the rule "client_id > 0 is a real client" is all a reader has to know: analytics that
-- count clients filter on client_id > 0. An anonymous purchase has no points effects.

------------------------------------------------------------------------------------------
-- Points
------------------------------------------------------------------------------------------

-- A lot: one accrual of points (purchase, adjustment, referral reward, bonus, import).
-- Never edited except `remaining`, which spends, write-offs, take-backs, debt payments and
-- expiry lower and cancels/refunds raise again (never above `amount`). A lot is pending while
-- now() < active_from, available from active_from, expired from expires_at on.
CREATE TABLE points_lots (
    client_id     bigint NOT NULL,
    id            bigserial,
    amount        bigint NOT NULL CHECK (amount > 0),          -- points credited
    remaining     bigint NOT NULL,                             -- points still in the lot
    active_from   timestamptz NOT NULL,  -- earned + activation delay; may not be spent before
    expires_at    timestamptz,           -- end of day (business tz) expiry_days after active_from; NULL = never
    source        text NOT NULL CHECK (source IN ('purchase', 'adjustment', 'referral', 'bonus', 'import')),
    purchase_id   bigint,                -- source purchase (purchase; bonus of a promotion; referral on first purchase)
    adjustment_id bigint,                -- source manual adjustment (adjustment, import)
    promotion_id  bigint,                -- bonus_points / extra points of this promotion
    trigger_id    bigint,                -- bonus accrued by this trigger ...
    event_id      bigint,                -- ... for this event (outbox.event_id)
    referral_newcomer_id bigint,         -- referral reward: the newcomer of the referral link
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, id),
    CHECK (remaining >= 0 AND remaining <= amount),
    CHECK (expires_at IS NULL OR expires_at > active_from),
    CHECK (source <> 'purchase' OR purchase_id IS NOT NULL),
    CHECK (source NOT IN ('adjustment', 'import') OR adjustment_id IS NOT NULL),
    CHECK (source <> 'referral' OR referral_newcomer_id IS NOT NULL),
    CHECK (source <> 'bonus' OR promotion_id IS NOT NULL OR trigger_id IS NOT NULL)
);
-- Spend draws, hot path: a client's non-empty lots, earliest expiry first (NULL = never
-- expires sorts last), then oldest.
CREATE INDEX points_lots_draw ON points_lots (client_id, expires_at, active_from, id)
    WHERE remaining > 0;
-- Expiry job: non-empty lots with an expiry, by expiry time.
CREATE INDEX points_lots_expiry ON points_lots (expires_at)
    WHERE remaining > 0 AND expires_at IS NOT NULL;
-- Activation job: only lots that had a pending phase (active_from later than insertion),
-- by activation time. Lots active at once never need activating.
CREATE INDEX points_lots_activation ON points_lots (active_from)
    WHERE active_from > created_at;
-- A purchase's lots (its accrual and bonuses), for take-back on cancel/refund.
CREATE INDEX points_lots_purchase ON points_lots (client_id, purchase_id)
    WHERE purchase_id IS NOT NULL;

-- The operations history of a client (GET /clients/{id}/operations), one row per operation
-- and per client per job run. `amount` is what the history shows; the *_delta columns are the
-- exact effect on the account row, so that the sums over a client's entries equal
-- accounts.available / pending / debt (`loyaltyctl verify`).
CREATE TABLE ledger_entries (
    client_id       bigint NOT NULL,
    id              bigserial,            -- newest first = id descending
    kind            text NOT NULL CHECK (kind IN ('accrual', 'spend', 'activation', 'expiry', 'refund',
                                                  'adjustment', 'referral', 'bonus', 'cancel')),
    amount          bigint NOT NULL,      -- signed points of the operation; activation: points that became available
    available_delta bigint NOT NULL DEFAULT 0,  -- change of accounts.available (debt already netted out)
    pending_delta   bigint NOT NULL DEFAULT 0,  -- change of accounts.pending
    debt_delta      bigint NOT NULL DEFAULT 0,  -- change of accounts.debt (+ created, - paid)
    balance_after   bigint NOT NULL,      -- accounts.available after this entry
    pending_after   bigint NOT NULL,      -- accounts.pending after this entry
    receipt_id      text,                 -- the purchase's receipt id, shown in the history
    purchase_id     bigint,
    refund_pk       bigint,               -- refunds.id (not the API's refund_id text)
    adjustment_id   bigint,
    lot_id          bigint,               -- the lot this entry created, when it created one
    job_run_id      bigint,               -- the worker run that wrote it (expiry, activation, debt)
    api_client_id   bigint,               -- who caused it; NULL for the worker
    comment         text,                 -- reason of an adjustment, promotion or trigger name, ...
    at              timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, id),
    CHECK (kind NOT IN ('spend', 'expiry') OR amount <= 0),
    CHECK (kind NOT IN ('accrual', 'activation', 'referral', 'bonus') OR amount >= 0),
    CHECK (pending_after >= 0)
);
-- A set-based job writes at most one entry per client per run: a re-run is a no-op
-- (INSERT ... ON CONFLICT DO NOTHING RETURNING gates the account update).
CREATE UNIQUE INDEX ledger_entries_job_run ON ledger_entries (client_id, job_run_id)
    WHERE job_run_id IS NOT NULL;
CREATE INDEX ledger_entries_purchase ON ledger_entries (client_id, purchase_id)
    WHERE purchase_id IS NOT NULL;
-- Analytics: points accrued / spent / expired over time.
CREATE INDEX ledger_entries_at ON ledger_entries (at);

-- Which lots an operation took points from, and how much, so that a cancel or refund gives
-- back exactly those lots (`restored` grows up to `amount`; a restored lot that has expired
-- meanwhile stays expired: the expiry job takes it again). Kinds: a purchase's spend, a
-- manual write-off, the take-back of accrued points on refund/cancel, a debt payment.
CREATE TABLE spend_draws (
    client_id       bigint NOT NULL,
    id              bigserial,
    lot_id          bigint NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('spend', 'write_off', 'take_back', 'debt_payment')),
    amount          bigint NOT NULL CHECK (amount > 0),   -- points taken from the lot
    restored        bigint NOT NULL DEFAULT 0,            -- points given back to it so far
    ledger_entry_id bigint NOT NULL,      -- the entry that took them
    purchase_id     bigint,               -- spend: the purchase (held or confirmed)
    adjustment_id   bigint,               -- write_off: the adjustment
    refund_pk       bigint,               -- take_back: the refund (NULL when by a cancel)
    debt_id         bigint,               -- debt_payment: the debt paid
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, id),
    FOREIGN KEY (client_id, lot_id) REFERENCES points_lots (client_id, id),
    CHECK (restored >= 0 AND restored <= amount),
    CHECK (kind <> 'spend' OR purchase_id IS NOT NULL),
    CHECK (kind <> 'write_off' OR adjustment_id IS NOT NULL),
    CHECK (kind <> 'debt_payment' OR debt_id IS NOT NULL)
);
CREATE INDEX spend_draws_purchase ON spend_draws (client_id, purchase_id)
    WHERE purchase_id IS NOT NULL;
CREATE INDEX spend_draws_lot ON spend_draws (client_id, lot_id);

-- Debts: accrued points taken back by a refund after they had been spent (when the setting
-- allow_negative_balance_on_refund is on). accounts.debt is the sum of `remaining`; later
-- accruals pay the oldest debt first (spend_draws kind debt_payment).
CREATE TABLE debts (
    client_id       bigint NOT NULL,
    id              bigserial,
    amount          bigint NOT NULL CHECK (amount > 0),
    remaining       bigint NOT NULL,      -- still owed
    purchase_id     bigint NOT NULL,      -- the purchase whose accrual was taken back
    refund_pk       bigint,               -- the refund that did it (NULL: a cancel)
    ledger_entry_id bigint NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    settled_at      timestamptz,          -- when remaining reached 0
    PRIMARY KEY (client_id, id),
    CHECK (remaining >= 0 AND remaining <= amount),
    CHECK ((remaining = 0) = (settled_at IS NOT NULL))
);
-- Debt settlement job: open debts.
CREATE INDEX debts_open ON debts (created_at) WHERE remaining > 0;

------------------------------------------------------------------------------------------
-- Purchases
------------------------------------------------------------------------------------------

-- A purchase document (confirmed or held). Amounts never change after confirm: refunds are
-- their own documents, a cancel changes only the status. Holds are purchases in status
-- `held` with hold_expires_at; the worker releases those past it (cancel_reason hold_expired).
CREATE TABLE purchases (
    client_id         bigint NOT NULL,    -- the buyer; -id for an anonymous purchase (see top)
    id                bigserial,
    api_client_id     bigint NOT NULL,    -- receipt ids are unique per API client
    receipt_id        text NOT NULL,
    request_hash      bytea NOT NULL,     -- SHA-256 of the canonical decoded request (repeat vs mismatch)
    status            text NOT NULL CHECK (status IN ('held', 'confirmed', 'cancelled')),
    store_id          text,
    pos_id            text,
    at                timestamptz NOT NULL,  -- the receipt's time (request `at`, else the confirm time)
    card_number       text,               -- the card presented, if any
    level_id          bigint,             -- the client's level when calculated
    total             bigint NOT NULL CHECK (total >= 0),              -- sum of line amounts
    discount          bigint NOT NULL DEFAULT 0 CHECK (discount >= 0),
    points_spent      bigint NOT NULL DEFAULT 0 CHECK (points_spent >= 0),       -- points
    certificates_paid bigint NOT NULL DEFAULT 0 CHECK (certificates_paid >= 0),
    to_pay            bigint NOT NULL CHECK (to_pay >= 0),
    points_accrued    bigint NOT NULL DEFAULT 0 CHECK (points_accrued >= 0),     -- points, incl. bonuses
    level_amount      bigint NOT NULL DEFAULT 0 CHECK (level_amount >= 0),
                                          -- what this purchase adds to accounts.purchases_total
    is_first          boolean NOT NULL DEFAULT false,  -- the client's first confirmed purchase (referral)
    document          jsonb NOT NULL,     -- the <purchase> as returned (repeats and GET return it)
    hold_expires_at   timestamptz,        -- held: released by the worker after this
    held_at           timestamptz,
    confirmed_at      timestamptz,
    cancelled_at      timestamptz,
    cancel_reason     text CHECK (cancel_reason IN ('request', 'hold_expired')),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, id),
    UNIQUE (client_id, api_client_id, receipt_id),
    CHECK (client_id > 0 OR client_id = -id),
    CHECK (client_id > 0 OR (points_spent = 0 AND points_accrued = 0 AND level_amount = 0)),
    CHECK (discount <= total),
    CHECK (status <> 'held' OR (hold_expires_at IS NOT NULL AND held_at IS NOT NULL)),
    CHECK (status <> 'confirmed' OR confirmed_at IS NOT NULL),
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL AND cancel_reason IS NOT NULL))
);
-- Hold reaper: held purchases by hold expiry.
CREATE INDEX purchases_held ON purchases (hold_expires_at) WHERE status = 'held';
-- Level over the last period_days, purchase history of a client.
CREATE INDEX purchases_client_at ON purchases (client_id, at);
-- Analytics: purchases and revenue over time.
CREATE INDEX purchases_at ON purchases (at);

-- (API client, receipt_id) → the purchase: makes receipt ids unique per API client across
-- all clients and finds a purchase's client_id (negative for anonymous) before touching it.
-- Written in the purchase's own transaction. Distributable by receipt_id.
CREATE TABLE receipt_index (
    api_client_id bigint NOT NULL,
    receipt_id    text NOT NULL,
    client_id     bigint NOT NULL,
    purchase_id   bigint NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (api_client_id, receipt_id)
);

-- The lines of a purchase, as calculated on confirm (or hold). Quantities in thousandths.
CREATE TABLE purchase_lines (
    client_id      bigint NOT NULL,
    purchase_id    bigint NOT NULL,
    line_no        integer NOT NULL CHECK (line_no > 0),   -- unique within the receipt
    sku            text,
    name           text,
    qty            bigint NOT NULL CHECK (qty > 0),        -- thousandths
    price          bigint NOT NULL CHECK (price >= 0),     -- per unit
    amount         bigint NOT NULL CHECK (amount >= 0),    -- qty × price (half-up), or less if the POS discounted
    discount       bigint NOT NULL DEFAULT 0 CHECK (discount >= 0),       -- our discounts
    points_spent   bigint NOT NULL DEFAULT 0 CHECK (points_spent >= 0),   -- points
    to_pay         bigint NOT NULL CHECK (to_pay >= 0),    -- amount − discount − points_spent × rate
    points_accrued bigint NOT NULL DEFAULT 0 CHECK (points_accrued >= 0),
    spend_eligible boolean NOT NULL DEFAULT true,          -- false: in excluded_product_segments
    promotions     jsonb NOT NULL DEFAULT '[]',            -- [{"id", "name", "amount"}] applied to the line
    PRIMARY KEY (client_id, purchase_id, line_no),
    FOREIGN KEY (client_id, purchase_id) REFERENCES purchases (client_id, id),
    CHECK (discount <= amount)
);

-- Promotions applied to a purchase (the level's personal discount too, with promotion_id
-- NULL): discount given per promotion for analytics, and what to give back to the
-- promotion's counters on cancel.
CREATE TABLE purchase_promotions (
    client_id      bigint NOT NULL,
    purchase_id    bigint NOT NULL,
    apply_order    integer NOT NULL,      -- order of application (1, 2, ...)
    promotion_id   bigint,                -- NULL for the level's personal discount
    kind           text NOT NULL CHECK (kind IN ('promotion', 'level')),
    name           text NOT NULL,
    promo_code     text,                  -- the code that unlocked it
    discount       bigint NOT NULL DEFAULT 0 CHECK (discount >= 0),    -- money
    points         bigint NOT NULL DEFAULT 0 CHECK (points >= 0),      -- extra/bonus points
    counted        boolean NOT NULL DEFAULT false,  -- added to promotion_counters (limited promotion)
    PRIMARY KEY (client_id, purchase_id, apply_order),
    FOREIGN KEY (client_id, purchase_id) REFERENCES purchases (client_id, id),
    CHECK ((kind = 'level') = (promotion_id IS NULL))
);
CREATE INDEX purchase_promotions_promotion ON purchase_promotions (promotion_id)
    WHERE promotion_id IS NOT NULL;

-- Gift certificates used as payment in a purchase (the certificate's own history is in
-- gift_certificate_operations, keyed by code). `returned` grows on refund/cancel.
CREATE TABLE purchase_certificates (
    client_id    bigint NOT NULL,
    purchase_id  bigint NOT NULL,
    code         text NOT NULL,
    amount       bigint NOT NULL CHECK (amount > 0),
    returned     bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (client_id, purchase_id, code),
    FOREIGN KEY (client_id, purchase_id) REFERENCES purchases (client_id, id),
    CHECK (returned >= 0 AND returned <= amount)
);

------------------------------------------------------------------------------------------
-- Refunds
------------------------------------------------------------------------------------------

-- A refund document (POST /refunds), idempotent on (API client, refund_id).
CREATE TABLE refunds (
    client_id             bigint NOT NULL,   -- the purchase's client_id (negative if anonymous)
    id                    bigserial,         -- referred to as refund_pk elsewhere
    purchase_id           bigint NOT NULL,
    api_client_id         bigint NOT NULL,
    refund_id             text NOT NULL,     -- the API's refund id
    receipt_id            text NOT NULL,
    request_hash          bytea NOT NULL,    -- SHA-256 of the canonical decoded request
    amount                bigint NOT NULL CHECK (amount >= 0),   -- money returned over the lines (after discounts)
    level_amount          bigint NOT NULL DEFAULT 0 CHECK (level_amount >= 0),  -- taken off purchases_total
    points_returned       bigint NOT NULL DEFAULT 0 CHECK (points_returned >= 0),    -- spent points given back
    points_taken_back     bigint NOT NULL DEFAULT 0 CHECK (points_taken_back >= 0),  -- accrued points taken back
    certificates_returned bigint NOT NULL DEFAULT 0 CHECK (certificates_returned >= 0),
    debt_created          bigint NOT NULL DEFAULT 0 CHECK (debt_created >= 0),
    balance_after         bigint,            -- accounts.available after (NULL if anonymous)
    full_return           boolean NOT NULL DEFAULT false,  -- with earlier refunds, the whole purchase is returned
    document              jsonb NOT NULL,    -- the <refund> as returned
    created_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, id),
    UNIQUE (client_id, api_client_id, refund_id),
    FOREIGN KEY (client_id, purchase_id) REFERENCES purchases (client_id, id)
);
CREATE INDEX refunds_purchase ON refunds (client_id, purchase_id);
CREATE INDEX refunds_created_at ON refunds (created_at);

-- (API client, refund_id) → the refund: refund ids unique per API client across all clients.
CREATE TABLE refund_index (
    api_client_id bigint NOT NULL,
    refund_id     text NOT NULL,
    client_id     bigint NOT NULL,
    refund_pk     bigint NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (api_client_id, refund_id)
);

-- The returned quantities of a refund's lines. Refunded qty over all refunds of a line may
-- not exceed the line's qty (checked under the purchase's row lock: refund_exceeds_purchase).
CREATE TABLE refund_lines (
    client_id         bigint NOT NULL,
    refund_pk         bigint NOT NULL,
    line_no           integer NOT NULL,
    purchase_id       bigint NOT NULL,
    qty               bigint NOT NULL CHECK (qty > 0),      -- thousandths
    amount            bigint NOT NULL CHECK (amount >= 0),  -- money returned for the line
    discount          bigint NOT NULL DEFAULT 0 CHECK (discount >= 0),  -- share of the line's discount
    points_returned   bigint NOT NULL DEFAULT 0 CHECK (points_returned >= 0),
    points_taken_back bigint NOT NULL DEFAULT 0 CHECK (points_taken_back >= 0),
    PRIMARY KEY (client_id, refund_pk, line_no),
    FOREIGN KEY (client_id, refund_pk) REFERENCES refunds (client_id, id),
    FOREIGN KEY (client_id, purchase_id, line_no) REFERENCES purchase_lines (client_id, purchase_id, line_no)
);
CREATE INDEX refund_lines_purchase ON refund_lines (client_id, purchase_id, line_no);

------------------------------------------------------------------------------------------
-- Manual adjustments
------------------------------------------------------------------------------------------

-- POST /points/adjustments: a manual accrual (creates a lot) or write-off (draws lots).
-- Imports record opening balances as adjustments too, with a derived idempotency key, so
-- that an import run twice does not double them.
CREATE TABLE adjustments (
    client_id       bigint NOT NULL,
    id              bigserial,
    api_client_id   bigint NOT NULL,      -- 0 = an import run by loyaltyctl (no API client)
    idempotency_key text NOT NULL,
    request_hash    bytea NOT NULL,       -- SHA-256 of the canonical decoded request
    amount          bigint NOT NULL CHECK (amount <> 0),   -- signed points
    reason          text NOT NULL,
    active_from     timestamptz,          -- accrual: NULL = at once
    expires_at      timestamptz,          -- accrual: NULL = by the expiry_days setting / never
    lot_id          bigint,               -- accrual: the lot created
    ledger_entry_id bigint NOT NULL,
    import_id       bigint,               -- made by this import
    document        jsonb NOT NULL,       -- the <adjustment> as returned
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, id),
    UNIQUE (client_id, api_client_id, idempotency_key),
    CHECK (amount > 0 OR (lot_id IS NULL AND active_from IS NULL AND expires_at IS NULL))
);

-- (API client, idempotency key) → the adjustment: a key is unique per API client across all
-- clients (the same key for another client is idempotency_mismatch). api_client_id 0 = an
-- import run by loyaltyctl.
CREATE TABLE adjustment_index (
    api_client_id   bigint NOT NULL,
    idempotency_key text NOT NULL,
    client_id       bigint NOT NULL,
    adjustment_id   bigint NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (api_client_id, idempotency_key)
);

------------------------------------------------------------------------------------------
-- Transactional outbox and the events feed
------------------------------------------------------------------------------------------

-- The outbox: events written in the transaction that raised them, on the client's shard.
-- A sequence value is not commit order (a lower id may commit later), so readers never read
-- the outbox directly: one publisher (the worker, serialised by an advisory lock) moves
-- committed rows, oldest event_id first, into `events`, whose id it assigns, and deletes
-- them here in the same transaction. event_id is the event's identity from the start:
-- trigger_runs use it, so a trigger runs once per event whether inline or redelivered.
-- client_id: the client; the negative purchase key for anonymous purchases; 0 for events
-- about no client (configuration, imports).
CREATE TABLE outbox (
    client_id  bigint NOT NULL,
    event_id   bigserial,
    type       text NOT NULL,             -- purchase.confirmed, points.changed, level.changed, ...
    payload    jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, event_id)
);
CREATE INDEX outbox_event_id ON outbox (event_id);

-- The events feed (GET /events?after=, webhooks): `id` is the cursor, in commit order
-- because only the single publisher assigns it. A global table (on Citus: a single-shard
-- table); rows are pruned by age by the retention job.
CREATE TABLE events (
    id           bigserial PRIMARY KEY,   -- feed position, in commit order
    event_id     bigint NOT NULL UNIQUE,  -- outbox.event_id: the publisher's move is idempotent
    type         text NOT NULL,
    client_id    bigint NOT NULL,
    payload      jsonb NOT NULL,
    created_at   timestamptz NOT NULL,    -- when the event was raised
    published_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_created_at ON events (created_at);

------------------------------------------------------------------------------------------
-- Set-based worker jobs
------------------------------------------------------------------------------------------

-- One row per run of a set-based job. (job, run_key) is unique, so starting the same run
-- twice finds the first; a run that died is resumed from progress_client_id. Window jobs
-- (activation) take (window_from, window_to] after the last completed run's window_to, with
-- window_to = now() − a lag longer than the transaction timeout, so that no lot committed
-- late falls before a window already done.
CREATE TABLE job_runs (
    id                 bigserial PRIMARY KEY,
    job                text NOT NULL CHECK (job IN ('expiry', 'activation', 'debt_settlement', 'hold_release',
                                                    'level_recalc', 'segment_refresh', 'event_scan',
                                                    'certificate_expiry', 'mailing_build', 'retention')),
    run_key            text NOT NULL,     -- what the run covers, e.g. the cut-off time or the day
    window_from        timestamptz,       -- exclusive
    window_to          timestamptz,       -- inclusive: the cut-off
    status             text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
    progress_client_id bigint,            -- clients up to this id are done (batches commit as they go)
    clients            bigint NOT NULL DEFAULT 0 CHECK (clients >= 0),  -- clients touched
    amount             bigint NOT NULL DEFAULT 0,  -- points moved (expired, activated, paid)
    error              text,
    started_at         timestamptz NOT NULL DEFAULT now(),
    heartbeat_at       timestamptz NOT NULL DEFAULT now(),  -- a stale heartbeat means the runner died
    finished_at        timestamptz,
    UNIQUE (job, run_key),
    CHECK (window_from IS NULL OR window_to IS NULL OR window_from < window_to),
    CHECK ((status = 'running') = (finished_at IS NULL))
);
CREATE INDEX job_runs_last ON job_runs (job, window_to) WHERE status = 'completed';

-- Per-client marks of a run for jobs that write no ledger entry (level recalculation,
-- birthday / inactivity / points.expiring scans, segment refresh): inserting the mark
-- (ON CONFLICT DO NOTHING) in the client's transaction gates the effect, so a re-run does
-- nothing twice. Ledger-writing jobs use ledger_entries (client_id, job_run_id) instead.
CREATE TABLE job_run_clients (
    client_id  bigint NOT NULL,
    job_run_id bigint NOT NULL,
    done_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, job_run_id)
);
