module github.com/fluxbridge/fluxbridge

go 1.26.0

require (
	github.com/decred/dcrd/dcrec/secp256k1/v4 v4.4.0
	github.com/jmoiron/sqlx v1.4.0
	github.com/mattn/go-sqlite3 v1.14.28
	golang.org/x/crypto v0.58.0
)

require golang.org/x/sys v0.49.0 // indirect
