-- The light node's chain state (chains/flux/spv). Hashes are 32 bytes in
-- internal byte order; outpoints are (txid, vout).

-- meta holds the single row naming the trust anchor and the connected tip.
CREATE TABLE meta (
	id            INTEGER PRIMARY KEY CHECK (id = 1),
	anchor_height INTEGER NOT NULL,
	anchor_hash   BLOB    NOT NULL,
	tip_height    INTEGER NOT NULL,
	tip_hash      BLOB    NOT NULL
);

-- blocks holds every header that was ever connected; main = 1 while on the
-- connected main chain (exactly one per height).
CREATE TABLE blocks (
	hash   BLOB    PRIMARY KEY,
	height INTEGER NOT NULL,
	prev   BLOB    NOT NULL,
	header BLOB    NOT NULL,
	work   BLOB    NOT NULL,
	main   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX blocks_main_height ON blocks (height) WHERE main = 1;

-- undo holds what disconnecting a recent connected block needs.
CREATE TABLE undo (
	hash   BLOB    PRIMARY KEY REFERENCES blocks (hash),
	height INTEGER NOT NULL,
	data   BLOB    NOT NULL
) WITHOUT ROWID;
CREATE INDEX undo_height ON undo (height);

-- fluxnodes is the fluxnode set at the tip.
CREATE TABLE fluxnodes (
	txid BLOB    NOT NULL,
	vout INTEGER NOT NULL,
	data BLOB    NOT NULL,
	PRIMARY KEY (txid, vout)
) WITHOUT ROWID;

-- reserve_utxos is the bridge reserve's unspent outputs at the tip.
CREATE TABLE reserve_utxos (
	txid   BLOB    NOT NULL,
	vout   INTEGER NOT NULL,
	value  INTEGER NOT NULL,
	script BLOB    NOT NULL,
	height INTEGER NOT NULL,
	PRIMARY KEY (txid, vout)
) WITHOUT ROWID;

-- events are the bridge events of connected blocks; orphaned = 1 once a
-- reorganisation removed the block (kept for retractions).
CREATE TABLE events (
	block_hash BLOB    NOT NULL REFERENCES blocks (hash),
	seq        INTEGER NOT NULL,
	height     INTEGER NOT NULL,
	id         TEXT    NOT NULL,
	txid       BLOB    NOT NULL,
	data       BLOB    NOT NULL,
	orphaned   INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (block_hash, seq)
) WITHOUT ROWID;
CREATE INDEX events_main ON events (height, seq) WHERE orphaned = 0;
CREATE INDEX events_txid ON events (txid);
CREATE INDEX events_id ON events (id);

-- watched are transactions the node tracks to depth.
CREATE TABLE watched (
	txid       BLOB    PRIMARY KEY,
	mined      INTEGER NOT NULL DEFAULT 0,
	height     INTEGER NOT NULL DEFAULT 0,
	block_hash BLOB
) WITHOUT ROWID;
