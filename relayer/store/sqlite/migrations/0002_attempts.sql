-- Submission attempts (issue 10): each transfer keeps when its next
-- submission attempt is due and why the last one was refused, so a refused
-- mint backs off on its own instead of being retried on every tick, a
-- journal entry is written only when the reason changes, and the submit step
-- selects by next attempt rather than oldest first (a refused transfer no
-- longer starves newer ones).
ALTER TABLE transfers ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transfers ADD COLUMN next_attempt INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transfers ADD COLUMN refused TEXT NOT NULL DEFAULT '';
UPDATE transfers SET next_attempt = quorum_at WHERE state = 'quorum';
CREATE INDEX transfers_by_attempt ON transfers(state, next_attempt, id);
