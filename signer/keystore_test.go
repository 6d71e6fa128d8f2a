package signer_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/signer"
)

const testPass = "correct horse battery staple"

// testKeystore returns a keystore in a fresh directory that does not exist
// yet, with the light scrypt cost.
func testKeystore(t *testing.T) signer.Keystore {
	t.Helper()
	return signer.Keystore{Dir: filepath.Join(t.TempDir(), "keys"), KDF: signer.LightKDF}
}

func newKey(t *testing.T, ks signer.Keystore, scheme chains.SigScheme) signer.KeyInfo {
	t.Helper()
	info, err := ks.New(scheme, testPass)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestKeystoreRoundTrip(t *testing.T) {
	for _, scheme := range []chains.SigScheme{chains.SchemeSecp256k1, chains.SchemeEd25519} {
		t.Run(string(scheme), func(t *testing.T) {
			ks := testKeystore(t)
			info := newKey(t, ks, scheme)
			if got := mode(t, ks.Dir); got != 0o700 {
				t.Errorf("directory mode %04o, want 0700", got)
			}
			if got := mode(t, info.Path); got != 0o600 {
				t.Errorf("key file mode %04o, want 0600", got)
			}
			if info.Scheme != scheme || filepath.Dir(info.Path) != ks.Dir {
				t.Errorf("info = %+v", info)
			}
			s, err := signer.Unlock(info.Path, testPass)
			if err != nil {
				t.Fatal(err)
			}
			if s.Scheme() != scheme || !bytes.Equal(s.ID(), info.ID) || !bytes.Equal(s.Public(), info.Public) {
				t.Errorf("unlocked %s %x %x; info said %s %x %x", s.Scheme(), s.ID(), s.Public(), info.Scheme, info.ID, info.Public)
			}
			d := chains.Digest{Scheme: scheme, Hash: crypto.Keccak256([]byte("after unlock"))}
			sig, err := s.Sign(context.Background(), d)
			if err != nil {
				t.Fatal(err)
			}
			if err := signer.Verify(sig, d); err != nil {
				t.Error(err)
			}
			// The file carries no key material in the clear.
			raw, err := os.ReadFile(info.Path)
			if err != nil {
				t.Fatal(err)
			}
			if scheme == chains.SchemeEd25519 && !bytes.Contains(raw, []byte(`"scheme": "ed25519"`)) {
				t.Errorf("ed25519 file has no scheme field:\n%s", raw)
			}
			// No temporary file is left behind.
			entries, err := os.ReadDir(ks.Dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 {
				t.Errorf("directory holds %d entries, want 1", len(entries))
			}
		})
	}
}

func TestImportKeepsTheKey(t *testing.T) {
	ks := testKeystore(t)
	secpKey := bytes.Repeat([]byte{0x5a}, 32)
	edSeed := bytes.Repeat([]byte{0xa5}, 32)
	for _, tc := range []struct {
		scheme chains.SigScheme
		key    []byte
	}{{chains.SchemeSecp256k1, secpKey}, {chains.SchemeEd25519, edSeed}} {
		want, err := signer.FromPrivateKey(tc.scheme, tc.key)
		if err != nil {
			t.Fatal(err)
		}
		info, err := ks.Import(tc.scheme, tc.key, testPass)
		if err != nil {
			t.Fatal(err)
		}
		s, err := signer.Unlock(info.Path, testPass)
		if err != nil {
			t.Fatal(err)
		}
		d := chains.Digest{Scheme: tc.scheme, Hash: crypto.Keccak256([]byte("same key"))}
		a, _ := want.Sign(context.Background(), d)
		b, err := s.Sign(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		// Both schemes sign deterministically, so the same key gives the
		// same bytes.
		if !bytes.Equal(a.Sig, b.Sig) || !bytes.Equal(s.ID(), want.ID()) {
			t.Errorf("%s: imported key signs differently", tc.scheme)
		}
		_, err = ks.Import(tc.scheme, tc.key, "another passphrase")
		if !errors.Is(err, signer.ErrExists) || fault.KindOf(err) != fault.Conflict {
			t.Errorf("%s: importing twice: %v, want a KindConflict ErrExists", tc.scheme, err)
		}
	}
	infos, err := ks.List()
	if err != nil || len(infos) != 2 {
		t.Fatalf("List = %d keys, %v; want 2", len(infos), err)
	}
}

func TestListShowsPublicInformationWithoutThePassphrase(t *testing.T) {
	ks := testKeystore(t)
	a := newKey(t, ks, chains.SchemeSecp256k1)
	b := newKey(t, ks, chains.SchemeEd25519)
	// Hidden files and subdirectories are not keys.
	if err := os.WriteFile(filepath.Join(ks.Dir, ".DS_Store"), []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(ks.Dir, "old"), 0o700); err != nil {
		t.Fatal(err)
	}
	infos, err := signer.List(ks.Dir)
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]signer.KeyInfo{}
	for _, in := range infos {
		byPath[in.Path] = in
	}
	if len(infos) != 2 {
		t.Fatalf("List = %+v, want 2 keys", infos)
	}
	for _, want := range []signer.KeyInfo{a, b} {
		got := byPath[want.Path]
		if got.Scheme != want.Scheme || !bytes.Equal(got.ID, want.ID) || !bytes.Equal(got.Public, want.Public) || got.UUID != want.UUID {
			t.Errorf("List entry %+v, want %+v", got, want)
		}
	}
	if len(a.ID) != 20 || len(a.Public) != 33 || len(b.ID) != 32 || !bytes.Equal(b.ID, b.Public) {
		t.Errorf("secp256k1 info %x/%x, ed25519 info %x/%x", a.ID, a.Public, b.ID, b.Public)
	}
	in, err := signer.Inspect(b.Path)
	if err != nil || !bytes.Equal(in.Public, b.Public) {
		t.Errorf("Inspect = %+v, %v", in, err)
	}
}

func TestListReportsBadFilesAndKeepsTheGoodOnes(t *testing.T) {
	ks := testKeystore(t)
	good := newKey(t, ks, chains.SchemeEd25519)
	bad := filepath.Join(ks.Dir, "UTC--broken")
	if err := os.WriteFile(bad, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	infos, err := ks.List()
	if !errors.Is(err, signer.ErrCorrupt) || !strings.Contains(err.Error(), bad) {
		t.Errorf("err = %v, want ErrCorrupt naming %s", err, bad)
	}
	if len(infos) != 1 || infos[0].Path != good.Path {
		t.Errorf("infos = %+v, want the good key", infos)
	}
	// Import refuses while a file it cannot read might be the same key.
	if _, err := ks.Import(chains.SchemeEd25519, bytes.Repeat([]byte{1}, 32), testPass); !errors.Is(err, signer.ErrCorrupt) {
		t.Errorf("Import next to a corrupt file: %v", err)
	}
}

func TestUnlockWithWrongPassphrase(t *testing.T) {
	for _, scheme := range []chains.SigScheme{chains.SchemeSecp256k1, chains.SchemeEd25519} {
		ks := testKeystore(t)
		info := newKey(t, ks, scheme)
		_, err := signer.Unlock(info.Path, testPass+"!")
		if !errors.Is(err, signer.ErrWrongPassphrase) {
			t.Fatalf("%s: err = %v, want ErrWrongPassphrase", scheme, err)
		}
		if errors.Is(err, signer.ErrCorrupt) {
			t.Errorf("%s: a wrong passphrase is reported as a corrupt file: %v", scheme, err)
		}
		if fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), info.Path) {
			t.Errorf("%s: err = %v, want KindInvalid naming the path", scheme, err)
		}
	}
}

func TestUnlockRefusesInsecurePermissions(t *testing.T) {
	ks := testKeystore(t)
	info := newKey(t, ks, chains.SchemeSecp256k1)
	for _, m := range []fs.FileMode{0o644, 0o640, 0o604, 0o620, 0o660} {
		if err := os.Chmod(info.Path, m); err != nil {
			t.Fatal(err)
		}
		_, err := signer.Unlock(info.Path, testPass)
		var perr *signer.InsecurePermissionsError
		if !errors.As(err, &perr) || !errors.Is(err, signer.ErrInsecurePermissions) {
			t.Fatalf("mode %04o: err = %v, want an InsecurePermissionsError", m, err)
		}
		if perr.Path != info.Path || perr.Mode != m || perr.Fix() != "chmod 600 "+info.Path {
			t.Errorf("mode %04o: %+v, fix %q", m, perr, perr.Fix())
		}
		if !strings.Contains(err.Error(), "chmod 600 "+info.Path) {
			t.Errorf("message does not tell the fix: %v", err)
		}
		if _, err := signer.Inspect(info.Path); !errors.Is(err, signer.ErrInsecurePermissions) {
			t.Errorf("Inspect at mode %04o: %v", m, err)
		}
	}
	if err := os.Chmod(info.Path, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, err := signer.Unlock(info.Path, testPass); err != nil {
		t.Errorf("mode 0400 is owner-only and must be accepted: %v", err)
	}
}

func TestNewRefusesAnOpenDirectory(t *testing.T) {
	ks := testKeystore(t)
	if err := os.Mkdir(ks.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(ks.Dir, 0o755); err != nil { // despite the umask
		t.Fatal(err)
	}
	_, err := ks.New(chains.SchemeEd25519, testPass)
	var perr *signer.InsecurePermissionsError
	if !errors.As(err, &perr) || perr.Fix() != "chmod 700 "+ks.Dir {
		t.Fatalf("err = %v, want an InsecurePermissionsError with chmod 700", err)
	}
	if entries, _ := os.ReadDir(ks.Dir); len(entries) != 0 {
		t.Errorf("a key was written anyway: %v", entries)
	}
}

func TestNewRejectsBadArguments(t *testing.T) {
	ks := testKeystore(t)
	if _, err := ks.New(chains.SchemeSecp256k1, ""); !errors.Is(err, signer.ErrPassphraseSource) {
		t.Errorf("empty passphrase: %v", err)
	}
	if _, err := ks.New("rsa", testPass); !errors.Is(err, signer.ErrUnsupportedScheme) {
		t.Errorf("unknown scheme: %v", err)
	}
	weak := signer.Keystore{Dir: ks.Dir, KDF: signer.KDF{ScryptN: 1000, ScryptP: 1}}
	if _, err := weak.New(chains.SchemeSecp256k1, testPass); fault.KindOf(err) != fault.Invalid {
		t.Errorf("n not a power of two: %v", err)
	}
	if _, err := (signer.Keystore{}).New(chains.SchemeSecp256k1, testPass); fault.KindOf(err) != fault.Invalid {
		t.Errorf("no directory: %v", err)
	}
}

func TestStandardKDFIsTheDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("standard scrypt takes about a second")
	}
	ks := signer.Keystore{Dir: filepath.Join(t.TempDir(), "keys")}
	info := newKey(t, ks, chains.SchemeEd25519)
	var j struct {
		Crypto keystore.CryptoJSON `json:"crypto"`
	}
	raw, err := os.ReadFile(info.Path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &j); err != nil {
		t.Fatal(err)
	}
	if n := j.Crypto.KDFParams["n"]; n != float64(keystore.StandardScryptN) {
		t.Errorf("scrypt n = %v, want %d", n, keystore.StandardScryptN)
	}
}

func TestUnlockMissingFile(t *testing.T) {
	_, err := signer.Unlock(filepath.Join(t.TempDir(), "nope"), testPass)
	if !errors.Is(err, signer.ErrNotFound) || fault.KindOf(err) != fault.NotFound {
		t.Errorf("err = %v, want a KindNotFound ErrNotFound", err)
	}
	if _, err := signer.List(filepath.Join(t.TempDir(), "nope")); !errors.Is(err, signer.ErrNotFound) {
		t.Errorf("List of a missing directory: %v", err)
	}
}

func TestGoEthereumInterop(t *testing.T) {
	ks := testKeystore(t)
	// A file written here decrypts with go-ethereum's own function.
	info := newKey(t, ks, chains.SchemeSecp256k1)
	raw, err := os.ReadFile(info.Path)
	if err != nil {
		t.Fatal(err)
	}
	key, err := keystore.DecryptKey(raw, testPass)
	if err != nil {
		t.Fatalf("go-ethereum cannot read our file: %v", err)
	}
	if !bytes.Equal(key.Address[:], info.ID) {
		t.Errorf("go-ethereum reads address %x, we wrote %x", key.Address, info.ID)
	}
	// A plain go-ethereum file (no public key, no scheme) unlocks here.
	priv, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	gethJSON, err := keystore.EncryptKey(&keystore.Key{Id: uuid.New(), Address: crypto.PubkeyToAddress(priv.PublicKey), PrivateKey: priv},
		testPass, keystore.LightScryptN, keystore.LightScryptP)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(ks.Dir, "UTC--geth")
	if err := os.WriteFile(path, gethJSON, 0o600); err != nil {
		t.Fatal(err)
	}
	in, err := signer.Inspect(path)
	if err != nil {
		t.Fatal(err)
	}
	addr := crypto.PubkeyToAddress(priv.PublicKey)
	if in.Scheme != chains.SchemeSecp256k1 || !bytes.Equal(in.ID, addr[:]) || len(in.Public) != 0 {
		t.Errorf("Inspect(geth file) = %+v", in)
	}
	s, err := signer.Unlock(path, testPass)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.ID(), addr[:]) || !bytes.Equal(s.Public(), crypto.CompressPubkey(&priv.PublicKey)) {
		t.Errorf("unlocked %x, want %x", s.ID(), addr)
	}
}

// rewrite edits the JSON of a key file in place.
func rewrite(t *testing.T, path string, edit func(m map[string]any)) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}

func cryptoOf(m map[string]any) map[string]any { return m["crypto"].(map[string]any) }
func kdfOf(m map[string]any) map[string]any    { return cryptoOf(m)["kdfparams"].(map[string]any) }

func TestUnlockRejectsCorruptFiles(t *testing.T) {
	other, err := signer.Generate(chains.SchemeSecp256k1)
	if err != nil {
		t.Fatal(err)
	}
	otherEd, err := signer.Generate(chains.SchemeEd25519)
	if err != nil {
		t.Fatal(err)
	}
	hexOf := hex.EncodeToString
	tests := []struct {
		name   string
		scheme chains.SigScheme
		edit   func(m map[string]any)
		raw    []byte // replaces the file when set
	}{
		{name: "not JSON", scheme: chains.SchemeSecp256k1, raw: []byte("not a key")},
		{name: "empty", scheme: chains.SchemeSecp256k1, raw: []byte{}},
		{name: "truncated", scheme: chains.SchemeSecp256k1, edit: nil, raw: []byte(`{"version":3,"crypto":{`)},
		{name: "version 1", scheme: chains.SchemeSecp256k1, edit: func(m map[string]any) { m["version"] = "1" }},
		{name: "version 4", scheme: chains.SchemeSecp256k1, edit: func(m map[string]any) { m["version"] = 4 }},
		{name: "bad uuid", scheme: chains.SchemeSecp256k1, edit: func(m map[string]any) { m["id"] = "x" }},
		{name: "unknown scheme", scheme: chains.SchemeEd25519, edit: func(m map[string]any) { m["scheme"] = "sr25519" }},
		{name: "unsupported cipher", scheme: chains.SchemeSecp256k1, edit: func(m map[string]any) { cryptoOf(m)["cipher"] = "aes-128-cbc" }},
		{name: "short ciphertext", scheme: chains.SchemeSecp256k1, edit: func(m map[string]any) { cryptoOf(m)["ciphertext"] = "00" }},
		{name: "short iv", scheme: chains.SchemeEd25519, edit: func(m map[string]any) { cryptoOf(m)["cipherparams"] = map[string]any{"iv": "00"} }},
		{name: "missing salt", scheme: chains.SchemeSecp256k1, edit: func(m map[string]any) { delete(kdfOf(m), "salt") }},
		{name: "salt not a string", scheme: chains.SchemeSecp256k1, edit: func(m map[string]any) { kdfOf(m)["salt"] = 7 }},
		{name: "dklen 16", scheme: chains.SchemeSecp256k1, edit: func(m map[string]any) { kdfOf(m)["dklen"] = 16 }},
		{name: "n not a power of two", scheme: chains.SchemeSecp256k1, edit: func(m map[string]any) { kdfOf(m)["n"] = 4095 }},
		{name: "n as a string", scheme: chains.SchemeSecp256k1, edit: func(m map[string]any) { kdfOf(m)["n"] = "4096" }},
		{name: "huge n", scheme: chains.SchemeSecp256k1, edit: func(m map[string]any) { kdfOf(m)["n"] = 1 << 30 }},
		{name: "huge p", scheme: chains.SchemeSecp256k1, edit: func(m map[string]any) { kdfOf(m)["p"] = 1 << 20 }},
		{name: "fractional r", scheme: chains.SchemeSecp256k1, edit: func(m map[string]any) { kdfOf(m)["r"] = 8.5 }},
		{name: "unknown kdf", scheme: chains.SchemeSecp256k1, edit: func(m map[string]any) { cryptoOf(m)["kdf"] = "argon2" }},
		{name: "pbkdf2 without prf", scheme: chains.SchemeSecp256k1, edit: func(m map[string]any) { cryptoOf(m)["kdf"] = "pbkdf2"; kdfOf(m)["c"] = 10 }},
		{name: "address of another key", scheme: chains.SchemeSecp256k1, edit: func(m map[string]any) {
			m["address"] = hexOf(other.ID())
			delete(m, "publicKey")
		}},
		{name: "public key of another key", scheme: chains.SchemeSecp256k1, edit: func(m map[string]any) { m["publicKey"] = hexOf(other.Public()) }},
		{name: "ed25519 public key of another key", scheme: chains.SchemeEd25519, edit: func(m map[string]any) { m["publicKey"] = hexOf(otherEd.Public()) }},
		{name: "ed25519 without public key", scheme: chains.SchemeEd25519, edit: func(m map[string]any) { delete(m, "publicKey") }},
		{name: "ed25519 with an address", scheme: chains.SchemeEd25519, edit: func(m map[string]any) { m["address"] = hexOf(other.ID()) }},
	}
	// One good file per scheme, copied into each case.
	base := testKeystore(t)
	originals := map[chains.SigScheme][]byte{}
	for _, scheme := range []chains.SigScheme{chains.SchemeSecp256k1, chains.SchemeEd25519} {
		info := newKey(t, base, scheme)
		if _, err := signer.Unlock(info.Path, testPass); err != nil {
			t.Fatalf("the unedited %s file does not unlock: %v", scheme, err)
		}
		raw, err := os.ReadFile(info.Path)
		if err != nil {
			t.Fatal(err)
		}
		originals[scheme] = raw
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := signer.KeyInfo{Path: filepath.Join(t.TempDir(), "key")}
			if err := os.WriteFile(info.Path, originals[tt.scheme], 0o600); err != nil {
				t.Fatal(err)
			}
			if tt.raw != nil {
				if err := os.WriteFile(info.Path, tt.raw, 0o600); err != nil {
					t.Fatal(err)
				}
			} else {
				rewrite(t, info.Path, tt.edit)
			}
			_, err := signer.Unlock(info.Path, testPass)
			if !errors.Is(err, signer.ErrCorrupt) {
				t.Fatalf("err = %v, want ErrCorrupt", err)
			}
			if errors.Is(err, signer.ErrWrongPassphrase) || fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), info.Path) {
				t.Errorf("err = %v, want a KindInvalid ErrCorrupt naming the path", err)
			}
		})
	}
}

func TestUnlockRejectsAnOversizedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(path, bytes.Repeat([]byte(" "), signer.MaxKeyFileSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := signer.Unlock(path, testPass); !errors.Is(err, signer.ErrCorrupt) {
		t.Errorf("err = %v, want ErrCorrupt", err)
	}
}

func TestUnlockRejectsADirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := signer.Unlock(dir, testPass); !errors.Is(err, signer.ErrCorrupt) {
		t.Errorf("err = %v, want ErrCorrupt", err)
	}
}
