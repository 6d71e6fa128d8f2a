-- blocks becomes an ordinary rowid table: rows are appended in connect order
-- and the hash is a UNIQUE index instead of the table's clustering key. Keyed
-- by hash, every connected block was written into a random page of a table of
-- ~300-byte rows (one 4 KiB page per block per batch, in the WAL and again at
-- the checkpoint); now a batch appends to the table's last pages and only the
-- 40-byte hash index entries land at random. Columns, constraints and what
-- the rows mean are unchanged.
--
-- undo and events reference blocks (hash), and foreign keys are on inside
-- this transaction, so both are rebuilt against the new table and dropped
-- before the old blocks table is.

CREATE TABLE blocks_new (
	hash   BLOB    NOT NULL UNIQUE,
	height INTEGER NOT NULL,
	prev   BLOB    NOT NULL,
	header BLOB    NOT NULL,
	work   BLOB    NOT NULL,
	main   INTEGER NOT NULL
);
INSERT INTO blocks_new (hash, height, prev, header, work, main)
	SELECT hash, height, prev, header, work, main FROM blocks ORDER BY height, hash;

CREATE TABLE undo_new (
	hash   BLOB    PRIMARY KEY REFERENCES blocks_new (hash),
	height INTEGER NOT NULL,
	data   BLOB    NOT NULL
) WITHOUT ROWID;
INSERT INTO undo_new (hash, height, data) SELECT hash, height, data FROM undo;

CREATE TABLE events_new (
	block_hash BLOB    NOT NULL REFERENCES blocks_new (hash),
	seq        INTEGER NOT NULL,
	height     INTEGER NOT NULL,
	id         TEXT    NOT NULL,
	txid       BLOB    NOT NULL,
	data       BLOB    NOT NULL,
	orphaned   INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (block_hash, seq)
) WITHOUT ROWID;
INSERT INTO events_new (block_hash, seq, height, id, txid, data, orphaned)
	SELECT block_hash, seq, height, id, txid, data, orphaned FROM events;

DROP TABLE events;
DROP TABLE undo;
DROP TABLE blocks;

-- Renaming rewrites the references of undo_new and events_new to blocks.
ALTER TABLE blocks_new RENAME TO blocks;
ALTER TABLE undo_new RENAME TO undo;
ALTER TABLE events_new RENAME TO events;

CREATE UNIQUE INDEX blocks_main_height ON blocks (height) WHERE main = 1;
CREATE INDEX undo_height ON undo (height);
CREATE INDEX events_main ON events (height, seq) WHERE orphaned = 0;
CREATE INDEX events_txid ON events (txid);
CREATE INDEX events_id ON events (id);
