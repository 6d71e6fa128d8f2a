-- The relayer's state (DESIGN §7). Amounts are uint64 zatoshi split into a
-- high and a low 32-bit half so that every value survives SQLite's signed
-- integers and sums stay exact. Times are unix milliseconds (0: not yet).

CREATE TABLE cursors (
	stream TEXT PRIMARY KEY,
	cursor TEXT NOT NULL
);

CREATE TABLE transfers (
	id           TEXT PRIMARY KEY,
	state        TEXT NOT NULL,
	lock_txid    BLOB NOT NULL,
	lock_vout    INTEGER NOT NULL,
	dest         INTEGER NOT NULL,
	recipient    BLOB NOT NULL,
	amount_hi    INTEGER NOT NULL,
	amount_lo    INTEGER NOT NULL,
	block_height INTEGER NOT NULL,
	block_hash   TEXT NOT NULL,
	block_time   INTEGER NOT NULL,
	evidence     BLOB,
	invalid      TEXT NOT NULL DEFAULT '',
	refund_to    TEXT NOT NULL DEFAULT '',
	digest       BLOB,
	release_at   INTEGER NOT NULL DEFAULT 0,
	reason       TEXT NOT NULL DEFAULT '',
	mint_tx      TEXT NOT NULL DEFAULT '',
	minted_hi    INTEGER NOT NULL DEFAULT 0,
	minted_lo    INTEGER NOT NULL DEFAULT 0,
	seen_at      INTEGER NOT NULL,
	final_at     INTEGER NOT NULL DEFAULT 0,
	attested_at  INTEGER NOT NULL DEFAULT 0,
	quorum_at    INTEGER NOT NULL DEFAULT 0,
	submitted_at INTEGER NOT NULL DEFAULT 0,
	minted_at    INTEGER NOT NULL DEFAULT 0,
	updated_at   INTEGER NOT NULL
);
CREATE INDEX transfers_by_state ON transfers(state, seen_at, id);
CREATE INDEX transfers_by_release ON transfers(state, release_at);

CREATE TABLE attestations (
	transfer_id TEXT NOT NULL,
	signer      BLOB NOT NULL,
	dest        INTEGER NOT NULL,
	lock_txid   BLOB NOT NULL,
	lock_vout   INTEGER NOT NULL,
	amount_hi   INTEGER NOT NULL,
	amount_lo   INTEGER NOT NULL,
	recipient   BLOB NOT NULL,
	digest      BLOB NOT NULL,
	sig         BLOB NOT NULL,
	envelope    BLOB,
	received_at INTEGER NOT NULL,
	PRIMARY KEY (transfer_id, signer)
);

CREATE TABLE submissions (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	transfer_id TEXT NOT NULL,
	dest        INTEGER NOT NULL,
	txid        TEXT NOT NULL,
	state       TEXT NOT NULL,
	signers     TEXT NOT NULL,
	at          INTEGER NOT NULL
);
CREATE INDEX submissions_by_transfer ON submissions(transfer_id, id);

CREATE TABLE governor_approvals (
	transfer_id TEXT PRIMARY KEY,
	chain       INTEGER NOT NULL,
	amount_hi   INTEGER NOT NULL,
	amount_lo   INTEGER NOT NULL,
	approved_at INTEGER NOT NULL
);
CREATE INDEX governor_by_chain ON governor_approvals(chain, approved_at);

CREATE TABLE reserve_utxos (
	txid        TEXT NOT NULL,
	vout        INTEGER NOT NULL,
	amount_hi   INTEGER NOT NULL,
	amount_lo   INTEGER NOT NULL,
	height      INTEGER NOT NULL,
	transfer_id TEXT NOT NULL,
	spent_by    TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (txid, vout)
);

CREATE TABLE journal (
	seq     INTEGER PRIMARY KEY,
	time    INTEGER NOT NULL,
	kind    TEXT NOT NULL,
	content BLOB NOT NULL,
	prev    BLOB NOT NULL,
	hash    BLOB NOT NULL,
	signer  BLOB NOT NULL,
	sig     BLOB NOT NULL
);

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE heads (
	chain        INTEGER PRIMARY KEY,
	tip_height   INTEGER NOT NULL,
	tip_hash     TEXT NOT NULL,
	tip_time     INTEGER NOT NULL,
	final_height INTEGER NOT NULL,
	final_hash   TEXT NOT NULL,
	final_time   INTEGER NOT NULL,
	healthy      INTEGER NOT NULL,
	reason       TEXT NOT NULL
);
