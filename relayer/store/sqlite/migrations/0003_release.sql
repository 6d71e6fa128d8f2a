-- Burn → release (DESIGN §4): the relayer watches burns of the parallel
-- asset on the foreign chains and releases them from the FLUX reserve, so it
-- keeps three more things across restarts.
--
-- burns: each burn by (chain, nonce), where it stands and the release that
-- covers it; nonces are contiguous per bridge contract, so the release
-- builder reads them in order from a nonce on.
--
-- spends: every reserve spend this relayer signed or saw on the FLUX chain.
-- A spend this relayer signed is its decision under signing rule 3, stored
-- before its signatures leave: it never signs an overlapping spend (the same
-- burn range or lock, or the same inputs) until this one is dead. inputs are
-- the outpoints "<display txid>:<vout>" joined with ",".
--
-- spend_signatures: the members' signatures collected for a spend, one row
-- per signer. sigs is the signer's 65-byte recoverable signatures, one per
-- input in input order, concatenated (its length a multiple of 65).
--
-- As in 0001, amounts are split into 32-bit halves, chain ids are unsigned
-- 32-bit values and times are unix milliseconds (0: not yet).

CREATE TABLE burns (
	chain        INTEGER NOT NULL,
	nonce        INTEGER NOT NULL,
	id           TEXT NOT NULL UNIQUE,
	state        TEXT NOT NULL,
	amount_hi    INTEGER NOT NULL,
	amount_lo    INTEGER NOT NULL,
	to_addr      BLOB NOT NULL,
	sender       TEXT NOT NULL,
	txid         TEXT NOT NULL,
	block_height INTEGER NOT NULL,
	block_hash   TEXT NOT NULL,
	block_time   INTEGER NOT NULL,
	evidence     BLOB,
	release_txid TEXT NOT NULL DEFAULT '',
	unpayable    TEXT NOT NULL DEFAULT '',
	seen_at      INTEGER NOT NULL DEFAULT 0,
	final_at     INTEGER NOT NULL DEFAULT 0,
	released_at  INTEGER NOT NULL DEFAULT 0,
	settled_at   INTEGER NOT NULL DEFAULT 0,
	updated_at   INTEGER NOT NULL,
	PRIMARY KEY (chain, nonce)
);
CREATE INDEX burns_by_state ON burns(state, chain, nonce);

CREATE TABLE spends (
	txid         TEXT PRIMARY KEY,
	kind         TEXT NOT NULL,
	chain        INTEGER NOT NULL,
	from_nonce   INTEGER NOT NULL,
	to_nonce     INTEGER NOT NULL,
	ref          TEXT NOT NULL DEFAULT '',
	round        INTEGER NOT NULL,
	proposer     BLOB,
	inputs       TEXT NOT NULL,
	expiry       INTEGER NOT NULL,
	unsigned     BLOB,
	signed       BLOB,
	signed_by_us INTEGER NOT NULL,
	state        TEXT NOT NULL,
	height       INTEGER NOT NULL,
	reason       TEXT NOT NULL DEFAULT '',
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
);
CREATE INDEX spends_by_kind ON spends(kind, chain, state);

CREATE TABLE spend_signatures (
	txid        TEXT NOT NULL,
	signer      BLOB NOT NULL,
	sigs        BLOB NOT NULL,
	envelope    BLOB,
	received_at INTEGER NOT NULL,
	PRIMARY KEY (txid, signer)
);
