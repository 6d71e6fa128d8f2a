-- What the release steps read on every tick no longer grows with the spends
-- ever made (issue 12): they ask for the spends in flight, the releases
-- that decide the next nonce, those overlapping a range, and those of one
-- reference, instead of reading every spend with its raw transactions.
CREATE INDEX spends_by_state ON spends(state, signed_by_us);
CREATE INDEX spends_by_range ON spends(kind, chain, to_nonce);
CREATE INDEX spends_by_ref ON spends(ref);
