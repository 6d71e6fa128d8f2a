package signer

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains"
)

var update = flag.Bool("update", false, "rewrite the fuzz seed corpus in testdata/fuzz")

// fuzzPass is the passphrase of the seed key files.
const fuzzPass = "fuzz"

// tinyKDF is far too weak for real keys; it keeps fuzzing decryption fast.
var tinyKDF = KDF{ScryptN: 16, ScryptP: 1}

func schemeOf(b byte) chains.SigScheme {
	switch b {
	case 0:
		return chains.SchemeSecp256k1
	case 1:
		return chains.SchemeEd25519
	default:
		return chains.SigScheme(fmt.Sprintf("scheme-%d", b))
	}
}

// verifySeeds returns valid signatures of both schemes and damaged copies.
func verifySeeds(t testing.TB) [][4][]byte {
	t.Helper()
	var seeds [][4][]byte
	for i, scheme := range []chains.SigScheme{chains.SchemeSecp256k1, chains.SchemeEd25519} {
		s, err := FromPrivateKey(scheme, bytes.Repeat([]byte{0x42}, 32))
		if err != nil {
			t.Fatal(err)
		}
		hash := crypto.Keccak256([]byte("fuzz seed"))
		sig, err := s.Sign(context.Background(), chains.Digest{Scheme: scheme, Hash: hash})
		if err != nil {
			t.Fatal(err)
		}
		flipped := bytes.Clone(sig.Sig)
		flipped[len(flipped)-1] ^= 1
		seeds = append(seeds,
			[4][]byte{{byte(i)}, sig.Signer, hash, sig.Sig},
			[4][]byte{{byte(i)}, sig.Signer, hash, flipped},
			[4][]byte{{byte(i)}, sig.Signer[:len(sig.Signer)-1], hash, sig.Sig},
		)
	}
	return seeds
}

// FuzzVerify checks that Verify never panics and that whatever it accepts is
// a valid, canonical signature by the named signer according to
// go-ethereum and crypto/ed25519.
func FuzzVerify(f *testing.F) {
	for _, s := range verifySeeds(f) {
		f.Add(s[0][0], s[1], s[2], s[3])
	}
	halfN := new(big.Int).Rsh(crypto.S256().Params().N, 1)
	f.Fuzz(func(t *testing.T, scheme byte, signerID, hash, sig []byte) {
		d := chains.Digest{Scheme: schemeOf(scheme), Hash: hash}
		err := Verify(chains.Signature{Signer: signerID, Sig: sig}, d)
		if err != nil {
			if !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrUnsupportedScheme) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		switch d.Scheme {
		case chains.SchemeSecp256k1:
			if len(sig) != 65 || sig[64] > 1 || new(big.Int).SetBytes(sig[32:64]).Cmp(halfN) > 0 {
				t.Fatalf("accepted a non-canonical signature %x", sig)
			}
			pub, err := crypto.SigToPub(hash, sig)
			if err != nil {
				t.Fatalf("accepted, but go-ethereum cannot recover: %v", err)
			}
			if a := crypto.PubkeyToAddress(*pub); !bytes.Equal(a[:], signerID) {
				t.Fatalf("accepted for %x, recovers %x", signerID, a)
			}
			if !crypto.VerifySignature(crypto.CompressPubkey(pub), hash, sig[:64]) {
				t.Fatal("accepted, but go-ethereum rejects it")
			}
		case chains.SchemeEd25519:
			if len(signerID) != 32 || !ed25519.Verify(signerID, hash, sig) {
				t.Fatal("accepted, but crypto/ed25519 rejects it")
			}
		default:
			t.Fatalf("accepted unknown scheme %q", d.Scheme)
		}
	})
}

// keyFileSeeds returns key files of both schemes under tinyKDF, encrypted
// with fuzzPass, and one with PBKDF2.
func keyFileSeeds(t testing.TB) [][]byte {
	t.Helper()
	var seeds [][]byte
	for _, scheme := range []chains.SigScheme{chains.SchemeSecp256k1, chains.SchemeEd25519} {
		s, err := FromPrivateKey(scheme, bytes.Repeat([]byte{0x24}, 32))
		if err != nil {
			t.Fatal(err)
		}
		data, err := encodeKeyFile(s, fuzzPass, tinyKDF)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	// go-ethereum reads PBKDF2 files; build one by hand from an scrypt one.
	var j keyFileJSON
	if err := json.Unmarshal(seeds[0], &j); err != nil {
		t.Fatal(err)
	}
	j.Crypto.KDF = "pbkdf2"
	j.Crypto.KDFParams = map[string]any{"c": 2, "dklen": 32, "prf": "hmac-sha256", "salt": hex.EncodeToString(bytes.Repeat([]byte{1}, 32))}
	data, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	return append(seeds, data, []byte(`{"version":3}`), []byte(`{}`), []byte(`[]`))
}

// cheapKDF says whether decrypting kf is cheap enough to do while fuzzing.
func cheapKDF(kf *keyFile) bool {
	p := kf.json.Crypto.KDFParams
	switch kf.json.Crypto.KDF {
	case "scrypt":
		n, _ := kdfInt(p, "n")
		r, _ := kdfInt(p, "r")
		pp, _ := kdfInt(p, "p")
		return 128*int64(n)*int64(r)*int64(pp) <= 1<<16
	case "pbkdf2":
		c, _ := kdfInt(p, "c")
		return c <= 1<<10
	}
	return false
}

// FuzzParseKeyFile checks that no key file, however broken, makes parsing
// or decryption panic, and that decryption fails only with the documented
// errors and never yields a key other than the one the file names.
func FuzzParseKeyFile(f *testing.F) {
	for _, s := range keyFileSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		kf, err := parseKeyFile(data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if kf.scheme != chains.SchemeSecp256k1 && kf.scheme != chains.SchemeEd25519 {
			t.Fatalf("parsed scheme %q", kf.scheme)
		}
		if !cheapKDF(kf) {
			return
		}
		s, err := kf.decrypt(fuzzPass)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrWrongPassphrase) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		if s.Scheme() != kf.scheme || !bytes.Equal(s.ID(), kf.id) {
			t.Fatalf("file names %s %x, key is %s %x", kf.scheme, kf.id, s.Scheme(), s.ID())
		}
	})
}

// TestFuzzSeedsAreWhatTheyClaim keeps the seeds meaningful: the key files
// parse and unlock, the valid signatures verify.
func TestFuzzSeedsAreWhatTheyClaim(t *testing.T) {
	for i, data := range keyFileSeeds(t)[:3] {
		kf, err := parseKeyFile(data)
		if err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
		if !cheapKDF(kf) {
			t.Errorf("seed %d is too expensive to decrypt while fuzzing", i)
		}
		if _, err := kf.decrypt(fuzzPass); err != nil && !(i == 2 && errors.Is(err, ErrWrongPassphrase)) {
			t.Errorf("seed %d: %v", i, err)
		}
	}
	for i, s := range verifySeeds(t) {
		err := Verify(chains.Signature{Signer: s[1], Sig: s[3]}, chains.Digest{Scheme: schemeOf(s[0][0]), Hash: s[2]})
		if (i%3 == 0) != (err == nil) {
			t.Errorf("verify seed %d: %v", i, err)
		}
	}
}

// TestWriteFuzzCorpus rewrites testdata/fuzz with -update.
func TestWriteFuzzCorpus(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite testdata/fuzz")
	}
	write := func(target string, i int, values ...string) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		body := "go test fuzz v1\n"
		for _, v := range values {
			body += v + "\n"
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bs := func(b []byte) string { return "[]byte(" + strconv.Quote(string(b)) + ")" }
	for i, s := range verifySeeds(t) {
		write("FuzzVerify", i, fmt.Sprintf("byte(%q)", s[0][0]), bs(s[1]), bs(s[2]), bs(s[3]))
	}
	for i, data := range keyFileSeeds(t) {
		write("FuzzParseKeyFile", i, bs(data))
	}
}
