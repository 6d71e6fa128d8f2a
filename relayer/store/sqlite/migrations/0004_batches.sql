-- Batched mints (issue 12): a transfer remembers the batch of this
-- relayer's it was signed in ("batch:<hex batch digest>", '' for none), so
-- the batch's members are found again after a restart and the per-lock path
-- waits for the batch first. The batch's signatures (own and the peers')
-- are kept in attestations under the batch id.
ALTER TABLE transfers ADD COLUMN batch TEXT NOT NULL DEFAULT '';
CREATE INDEX transfers_by_batch ON transfers(batch, id) WHERE batch != '';
