-- 004_lot_buckets: which sum of the account a lot's remaining points are counted in.
-- 'pending' until the activation job (or a zero delay) makes it 'available'; the expiry job
-- zeroes an expired lot and marks it 'expired'. Each job moves a lot once, so a re-run
-- changes nothing, and `loyaltyctl verify` can recompute every account from its lots:
--   available = Σ remaining of 'available' lots − debt,  pending = Σ remaining of 'pending' lots.
ALTER TABLE points_lots ADD COLUMN bucket text NOT NULL DEFAULT 'available'
    CHECK (bucket IN ('pending', 'available', 'expired'));
CREATE INDEX points_lots_pending ON points_lots (active_from) WHERE bucket = 'pending';
CREATE INDEX points_lots_expiring ON points_lots (expires_at)
    WHERE bucket = 'available' AND remaining > 0 AND expires_at IS NOT NULL;
