-- What the pipeline's steps read on every tick (issue 12) no longer grows
-- with the transfers ever relayed.
--
-- Running totals per transfer state: LockedTotal and CountByState read one
-- row per state instead of scanning every transfer (a sign step read them
-- all). Triggers keep the totals in the transaction that changes a
-- transfer. Amounts stay split into 32-bit halves whose sums are exact in
-- SQLite's 64-bit integers.
CREATE TABLE transfer_totals (
	state     TEXT PRIMARY KEY,
	n         INTEGER NOT NULL,
	amount_hi INTEGER NOT NULL,
	amount_lo INTEGER NOT NULL
);
INSERT INTO transfer_totals (state, n, amount_hi, amount_lo)
	SELECT state, COUNT(*), SUM(amount_hi), SUM(amount_lo) FROM transfers GROUP BY state;

CREATE TRIGGER transfer_totals_insert AFTER INSERT ON transfers BEGIN
	INSERT INTO transfer_totals (state, n, amount_hi, amount_lo) VALUES (NEW.state, 1, NEW.amount_hi, NEW.amount_lo)
	ON CONFLICT(state) DO UPDATE SET n = n + 1, amount_hi = amount_hi + excluded.amount_hi, amount_lo = amount_lo + excluded.amount_lo;
END;

CREATE TRIGGER transfer_totals_update AFTER UPDATE OF state, amount_hi, amount_lo ON transfers
WHEN OLD.state != NEW.state OR OLD.amount_hi != NEW.amount_hi OR OLD.amount_lo != NEW.amount_lo BEGIN
	UPDATE transfer_totals SET n = n - 1, amount_hi = amount_hi - OLD.amount_hi, amount_lo = amount_lo - OLD.amount_lo
	WHERE state = OLD.state;
	INSERT INTO transfer_totals (state, n, amount_hi, amount_lo) VALUES (NEW.state, 1, NEW.amount_hi, NEW.amount_lo)
	ON CONFLICT(state) DO UPDATE SET n = n + 1, amount_hi = amount_hi + excluded.amount_hi, amount_lo = amount_lo + excluded.amount_lo;
END;

CREATE TRIGGER transfer_totals_delete AFTER DELETE ON transfers BEGIN
	UPDATE transfer_totals SET n = n - 1, amount_hi = amount_hi - OLD.amount_hi, amount_lo = amount_lo - OLD.amount_lo
	WHERE state = OLD.state;
END;

-- The batch submitter lists the batches still waiting (Tx.Batches) from
-- this index alone, without reading their members' rows.
CREATE INDEX transfers_waiting_batches ON transfers(state, batch, seen_at, attested_at, dest) WHERE batch != '';
