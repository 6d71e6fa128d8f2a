package signer

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/accounts/keystore"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
)

// KDF is the scrypt cost of the key files a Keystore writes. Reading a file
// uses the parameters stored in it.
type KDF struct {
	// ScryptN is the CPU/memory cost, a power of two.
	ScryptN int
	// ScryptP is the parallelisation factor.
	ScryptP int
}

// KDF presets.
var (
	// StandardKDF is go-ethereum's standard cost (n=2^18, p=1: about a
	// second and 256 MiB per unlock). Use it for every production key.
	StandardKDF = KDF{ScryptN: keystore.StandardScryptN, ScryptP: keystore.StandardScryptP}
	// LightKDF is go-ethereum's light cost (n=2^12, p=6), for tests and
	// devnets only.
	LightKDF = KDF{ScryptN: keystore.LightScryptN, ScryptP: keystore.LightScryptP}
)

// scryptR is the scrypt block size go-ethereum always uses.
const scryptR = 8

// File and directory modes.
const (
	// KeyFileMode is the mode of key files: read/write by the owner only.
	KeyFileMode fs.FileMode = 0o600
	// DirMode is the mode of a keystore directory.
	DirMode fs.FileMode = 0o700
)

// Keystore is a directory of encrypted key files. Its methods are safe to
// call concurrently; two processes creating keys in the same directory do not
// overwrite each other's files.
type Keystore struct {
	// Dir is the keystore directory. It is created with mode 0700 when the
	// first key is written, and must not be accessible to group or others.
	Dir string
	// KDF is the scrypt cost of new key files; the zero value means
	// StandardKDF.
	KDF KDF
}

// KeyInfo is the public information of a key file, readable without the
// passphrase. It is not authenticated until the key is unlocked: Unlock
// checks that the key matches it.
type KeyInfo struct {
	// Path is the key file.
	Path string
	// Scheme is the scheme the key signs with.
	Scheme chains.SigScheme
	// ID names the key as Signer.ID does (EVM address or ed25519 public key).
	ID []byte
	// Public is the public key (33-byte compressed secp256k1 or 32-byte
	// ed25519). It is empty for a secp256k1 file written by go-ethereum,
	// which stores the address only.
	Public []byte
	// UUID is the file's random id.
	UUID string
}

// InsecurePermissionsError reports a file or directory that other users may
// access. It matches ErrInsecurePermissions with errors.Is.
type InsecurePermissionsError struct {
	// Path is the offending file or directory.
	Path string
	// Mode is its permission bits.
	Mode fs.FileMode
	// Want is the mode to set (0600 for files, 0700 for directories).
	Want fs.FileMode
}

// Fix returns the shell command that fixes the permissions.
func (e *InsecurePermissionsError) Fix() string { return fmt.Sprintf("chmod %o %s", e.Want, e.Path) }

func (e *InsecurePermissionsError) Error() string {
	return fmt.Sprintf("%s has mode %04o and is accessible to other users; fix it with: %s", e.Path, e.Mode.Perm(), e.Fix())
}

// Is makes errors.Is(err, ErrInsecurePermissions) true.
func (e *InsecurePermissionsError) Is(target error) bool { return target == ErrInsecurePermissions }

// New creates a key of the scheme in dir, encrypted with pass at the
// standard scrypt cost. It is Keystore{Dir: dir}.New.
func New(dir string, scheme chains.SigScheme, pass string) (KeyInfo, error) {
	return Keystore{Dir: dir}.New(scheme, pass)
}

// Import stores an existing raw private key in dir (see FromPrivateKey for
// the accepted forms). It is Keystore{Dir: dir}.Import.
func Import(dir string, scheme chains.SigScheme, key []byte, pass string) (KeyInfo, error) {
	return Keystore{Dir: dir}.Import(scheme, key, pass)
}

// List returns the public information of every key file in dir. It is
// Keystore{Dir: dir}.List.
func List(dir string) ([]KeyInfo, error) { return Keystore{Dir: dir}.List() }

// New creates a fresh random key of the scheme, encrypted with pass.
func (ks Keystore) New(scheme chains.SigScheme, pass string) (KeyInfo, error) {
	const op = "signer.New"
	s, err := Generate(scheme)
	if err != nil {
		return KeyInfo{}, err
	}
	return ks.store(op, s, pass)
}

// Import stores an existing raw private key (see FromPrivateKey), encrypted
// with pass. Importing a key that is already in the keystore fails with
// ErrExists, and Import refuses to run while a file of
// the keystore cannot be read, since that file might hold the same key.
func (ks Keystore) Import(scheme chains.SigScheme, key []byte, pass string) (KeyInfo, error) {
	const op = "signer.Import"
	s, err := FromPrivateKey(scheme, key)
	if err != nil {
		return KeyInfo{}, err
	}
	infos, err := ks.List()
	if err != nil && !errors.Is(err, ErrNotFound) {
		// An unreadable file may be this very key; refuse rather than guess.
		return KeyInfo{}, err
	}
	for _, in := range infos {
		if in.Scheme == s.Scheme() && string(in.ID) == string(s.ID()) {
			return KeyInfo{}, fault.E(op, fault.Conflict, fmt.Errorf("%s: %w", in.Path, ErrExists))
		}
	}
	return ks.store(op, s, pass)
}

// store encrypts s into a new file of the keystore.
func (ks Keystore) store(op string, s Signer, pass string) (KeyInfo, error) {
	if pass == "" {
		return KeyInfo{}, fault.E(op, fault.Invalid, fmt.Errorf("%w: refusing to encrypt a key with an empty passphrase", ErrPassphraseSource))
	}
	kdf := ks.KDF
	if kdf == (KDF{}) {
		kdf = StandardKDF
	}
	if err := checkScrypt(kdf.ScryptN, scryptR, kdf.ScryptP); err != nil {
		return KeyInfo{}, fault.E(op, fault.Invalid, fmt.Errorf("keystore KDF: %v", err))
	}
	if err := ensureDir(op, ks.Dir); err != nil {
		return KeyInfo{}, err
	}
	data, err := encodeKeyFile(s, pass, kdf)
	if err != nil {
		return KeyInfo{}, fault.E(op, fault.Internal, err)
	}
	kf, err := parseKeyFile(data)
	if err != nil {
		return KeyInfo{}, fault.E(op, fault.Internal, fmt.Errorf("encoded key file does not parse: %w", err))
	}
	path := filepath.Join(ks.Dir, keyFileName(s, time.Now()))
	if err := writeNew(op, path, data); err != nil {
		return KeyInfo{}, err
	}
	return kf.info(path), nil
}

// List returns the public information of every key file in the directory,
// in file name order. Hidden files and subdirectories are skipped. A file
// that cannot be read (corrupt, insecure permissions) is reported in the
// returned error, which joins one error per such file, while the keys that
// could be read are still returned.
func (ks Keystore) List() ([]KeyInfo, error) {
	const op = "signer.List"
	entries, err := os.ReadDir(ks.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fault.E(op, fault.NotFound, fmt.Errorf("%s: %w", ks.Dir, ErrNotFound))
	}
	if err != nil {
		return nil, fault.E(op, fault.Internal, err)
	}
	var (
		infos []KeyInfo
		errs  []error
	)
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		path := filepath.Join(ks.Dir, e.Name())
		kf, err := readKeyFile(op, path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		infos = append(infos, kf.info(path))
	}
	if len(errs) == 1 {
		return infos, errs[0]
	}
	if len(errs) > 1 {
		return infos, fault.E(op, fault.KindOf(errs[0]), errors.Join(errs...))
	}
	return infos, nil
}

// Inspect returns the public information of one key file without
// decrypting it.
func Inspect(path string) (KeyInfo, error) {
	const op = "signer.Inspect"
	kf, err := readKeyFile(op, path)
	if err != nil {
		return KeyInfo{}, err
	}
	return kf.info(path), nil
}

// Unlock decrypts the key file at path with pass and returns its Signer.
// The file must not be accessible to group or others. A wrong passphrase
// gives an error wrapping ErrWrongPassphrase; a file that is not a valid key
// file (or whose public part does not match the decrypted key) one wrapping
// ErrCorrupt; both have kind fault.Invalid and name the path.
func Unlock(path, pass string) (Signer, error) {
	const op = "signer.Unlock"
	kf, err := readKeyFile(op, path)
	if err != nil {
		return nil, err
	}
	s, err := kf.decrypt(pass)
	if err != nil {
		return nil, fault.E(op, fault.Invalid, fmt.Errorf("%s: %w", path, err))
	}
	return s, nil
}

// readKeyFile reads and parses a key file, refusing insecure permissions.
func readKeyFile(op, path string) (*keyFile, error) {
	data, err := readPrivateFile(op, path, MaxKeyFileSize, 0o077, KeyFileMode)
	if err != nil {
		return nil, err
	}
	kf, err := parseKeyFile(data)
	if err != nil {
		return nil, fault.E(op, fault.Invalid, fmt.Errorf("%s: %w", path, err))
	}
	return kf, nil
}

// readPrivateFile reads a regular file of at most max bytes, refusing it
// when any of the forbidden permission bits is set (want is the mode the
// error suggests). The mode is checked on the open file, not the path, so
// the file checked is the file read.
func readPrivateFile(op, path string, max int64, forbidden, want fs.FileMode) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fault.E(op, fault.NotFound, fmt.Errorf("%s: %w", path, ErrNotFound))
	}
	if err != nil {
		return nil, fault.E(op, fault.Invalid, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fault.E(op, fault.Internal, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fault.E(op, fault.Invalid, fmt.Errorf("%s: %w: not a regular file", path, ErrCorrupt))
	}
	// Windows has no Unix permission bits; its ACLs are the operator's job.
	if runtime.GOOS != "windows" && fi.Mode().Perm()&forbidden != 0 {
		return nil, fault.E(op, fault.Invalid, &InsecurePermissionsError{Path: path, Mode: fi.Mode().Perm(), Want: want})
	}
	if fi.Size() > max {
		return nil, fault.E(op, fault.Invalid, fmt.Errorf("%s: %w: %d bytes, more than %d", path, ErrCorrupt, fi.Size(), max))
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fault.E(op, fault.Internal, fmt.Errorf("%s: %w", path, err))
	}
	if int64(len(data)) > max {
		return nil, fault.E(op, fault.Invalid, fmt.Errorf("%s: %w: more than %d bytes", path, ErrCorrupt, max))
	}
	return data, nil
}

// ensureDir creates the keystore directory with mode 0700, or checks that an
// existing one is not accessible to others.
func ensureDir(op, dir string) error {
	if dir == "" {
		return fault.E(op, fault.Invalid, errors.New("keystore directory is not set"))
	}
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return fault.E(op, fault.Invalid, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fault.E(op, fault.Internal, err)
	}
	if !fi.IsDir() {
		return fault.E(op, fault.Invalid, fmt.Errorf("%s is not a directory", dir))
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return fault.E(op, fault.Invalid, &InsecurePermissionsError{Path: dir, Mode: fi.Mode().Perm(), Want: DirMode})
	}
	return nil
}

// keyFileName names a key file as go-ethereum does
// (UTC--<time>--<address>); ed25519 files get an "ed25519-" before the
// public key.
func keyFileName(s Signer, now time.Time) string {
	ts := now.UTC().Format("2006-01-02T15-04-05.000000000Z")
	if s.Scheme() == chains.SchemeEd25519 {
		return fmt.Sprintf("UTC--%s--ed25519-%x", ts, s.ID())
	}
	return fmt.Sprintf("UTC--%s--%x", ts, s.ID())
}

// writeNew writes data to a new file at path with mode 0600, atomically and
// without replacing an existing file: the data goes to a hidden temporary
// file first, which is then hard-linked to path.
func writeNew(op, path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".tmp-key-*")
	if err != nil {
		return fault.E(op, fault.Internal, err)
	}
	defer func() {
		tmp.Close()
		if rerr := os.Remove(tmp.Name()); rerr != nil && err == nil {
			err = fault.E(op, fault.Internal, rerr)
		}
	}()
	if err := tmp.Chmod(KeyFileMode); err != nil {
		return fault.E(op, fault.Internal, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fault.E(op, fault.Internal, err)
	}
	if err := tmp.Sync(); err != nil {
		return fault.E(op, fault.Internal, err)
	}
	if err := tmp.Close(); err != nil {
		return fault.E(op, fault.Internal, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fault.E(op, fault.Conflict, fmt.Errorf("%s: %w", path, ErrExists))
		}
		return fault.E(op, fault.Internal, err)
	}
	return syncDir(op, dir)
}

// syncDir flushes a directory entry to disk where the platform allows it.
func syncDir(op, dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fault.E(op, fault.Internal, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fault.E(op, fault.Internal, err)
	}
	return nil
}
