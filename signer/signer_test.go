package signer_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	decredecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/signer"
)

var (
	secpN     = crypto.S256().Params().N
	secpHalfN = new(big.Int).Rsh(secpN, 1)
)

// fixedSecp256k1 returns a signer for a fixed test scalar.
func fixedSecp256k1(t testing.TB, b byte) signer.Signer {
	t.Helper()
	key := bytes.Repeat([]byte{b}, 32)
	s, err := signer.FromPrivateKey(chains.SchemeSecp256k1, key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func fixedEd25519(t testing.TB, b byte) signer.Signer {
	t.Helper()
	s, err := signer.FromPrivateKey(chains.SchemeEd25519, bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// mintAuthDigest computes the MintAuth digest of DESIGN §3.
func mintAuthDigest(chainID uint32, bridge [20]byte, txid [32]byte, vout uint32, v uint64, recipient [32]byte) []byte {
	var b []byte
	b = append(b, "FLXMINT"...)
	b = binary.BigEndian.AppendUint32(b, chainID)
	b = append(b, bridge[:]...)
	b = append(b, txid[:]...)
	b = binary.BigEndian.AppendUint32(b, vout)
	b = binary.BigEndian.AppendUint64(b, v)
	b = append(b, recipient[:]...)
	return crypto.Keccak256(b)
}

func TestSecp256k1IdentityMatchesGoEthereum(t *testing.T) {
	key := bytes.Repeat([]byte{0x11}, 32)
	s, err := signer.FromPrivateKey(chains.SchemeSecp256k1, key)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := crypto.ToECDSA(key)
	if err != nil {
		t.Fatal(err)
	}
	addr := crypto.PubkeyToAddress(priv.PublicKey)
	if !bytes.Equal(s.ID(), addr[:]) {
		t.Errorf("ID = %x, want address %x", s.ID(), addr)
	}
	if got, want := s.Public(), crypto.CompressPubkey(&priv.PublicKey); !bytes.Equal(got, want) || len(got) != 33 {
		t.Errorf("Public = %x, want %x", got, want)
	}
	if s.Scheme() != chains.SchemeSecp256k1 {
		t.Errorf("Scheme = %q", s.Scheme())
	}
	if _, ok := s.(signer.DERSigner); !ok {
		t.Error("a secp256k1 signer does not implement DERSigner")
	}
	// The returned slices are the caller's: mutating them changes nothing.
	id := s.ID()
	id[0] ^= 0xff
	if !bytes.Equal(s.ID(), addr[:]) {
		t.Error("mutating the returned ID changed the signer")
	}
}

func TestSecp256k1SignsMintAuthForEcrecover(t *testing.T) {
	s := fixedSecp256k1(t, 0x22)
	var bridge [20]byte
	var txid, recipient [32]byte
	copy(bridge[:], bytes.Repeat([]byte{0xb1}, 20))
	copy(txid[:], bytes.Repeat([]byte{0x7a}, 32))
	copy(recipient[12:], bytes.Repeat([]byte{0xcc}, 20))
	hash := mintAuthDigest(1337, bridge, txid, 1, 5_000_000_000, recipient)

	sig, err := s.Sign(context.Background(), chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: hash})
	if err != nil {
		t.Fatal(err)
	}
	if len(sig.Sig) != 65 {
		t.Fatalf("signature is %d bytes, want 65", len(sig.Sig))
	}
	if !bytes.Equal(sig.Signer, s.ID()) || sig.Digest != 0 {
		t.Errorf("Signature.Signer = %x, Digest = %d; want %x, 0", sig.Signer, sig.Digest, s.ID())
	}
	// ecrecover(hash, v+27, r, s) as the contract calls it: no prefix.
	pub, err := crypto.SigToPub(hash, sig.Sig)
	if err != nil {
		t.Fatal(err)
	}
	if a := crypto.PubkeyToAddress(*pub); !bytes.Equal(a[:], s.ID()) {
		t.Errorf("ecrecover gives %x, want %x", a, s.ID())
	}
	if !crypto.VerifySignature(s.Public(), hash, sig.Sig[:64]) {
		t.Error("crypto.VerifySignature rejects the signature")
	}
	if err := signer.Verify(sig, chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: hash}); err != nil {
		t.Errorf("Verify: %v", err)
	}
	// A signature with an Ethereum message prefix would recover another key.
	prefixed := crypto.Keccak256([]byte(fmt.Sprintf("\x19Ethereum Signed Message:\n32%s", hash)))
	if pub2, err := crypto.SigToPub(prefixed, sig.Sig); err == nil && crypto.PubkeyToAddress(*pub2) == crypto.PubkeyToAddress(*pub) {
		t.Error("signature also recovers under the personal-message prefix; the digest must be signed raw")
	}
}

func TestSecp256k1SignaturesAreLowSWithRecoveryIDZeroOrOne(t *testing.T) {
	s := fixedSecp256k1(t, 0x33)
	seenV := map[byte]int{}
	for i := range 300 {
		hash := crypto.Keccak256([]byte(fmt.Sprintf("digest %d", i)))
		sig, err := s.Sign(context.Background(), chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: hash})
		if err != nil {
			t.Fatal(err)
		}
		sv := new(big.Int).SetBytes(sig.Sig[32:64])
		if sv.Cmp(secpHalfN) > 0 {
			t.Fatalf("signature %d has s > n/2", i)
		}
		v := sig.Sig[64]
		if v > 1 {
			t.Fatalf("signature %d has v = %d", i, v)
		}
		seenV[v]++
		if !crypto.VerifySignature(s.Public(), hash, sig.Sig[:64]) {
			t.Fatalf("signature %d does not verify", i)
		}
	}
	// Both recovery ids occur: v is computed, not a constant.
	if seenV[0] == 0 || seenV[1] == 0 {
		t.Errorf("recovery ids seen: %v; want both 0 and 1", seenV)
	}
}

func TestSignDERIsStrictLowSAndVerifies(t *testing.T) {
	s := fixedSecp256k1(t, 0x44).(signer.DERSigner)
	pub, err := secp256k1.ParsePubKey(s.Public())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		var hash [32]byte
		copy(hash[:], crypto.Keccak256([]byte(fmt.Sprintf("sighash %d", i))))
		der, err := s.SignDER(context.Background(), hash)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := decredecdsa.ParseDERSignature(der)
		if err != nil {
			t.Fatalf("signature %d: ParseDERSignature: %v (%x)", i, err, der)
		}
		if st := sig.S(); st.IsOverHalfOrder() {
			t.Fatalf("signature %d has high s", i)
		}
		if !bytes.Equal(sig.Serialize(), der) {
			t.Fatalf("signature %d is not in canonical DER: %x", i, der)
		}
		if !sig.Verify(hash[:], pub) {
			t.Fatalf("signature %d does not verify", i)
		}
		hash[0] ^= 1
		if sig.Verify(hash[:], pub) {
			t.Fatalf("signature %d verifies for another hash", i)
		}
	}
}

func TestEd25519SignsMessageBytes(t *testing.T) {
	s := fixedEd25519(t, 0x55)
	if s.Scheme() != chains.SchemeEd25519 || len(s.ID()) != 32 || !bytes.Equal(s.ID(), s.Public()) {
		t.Fatalf("scheme %q, ID %x, Public %x", s.Scheme(), s.ID(), s.Public())
	}
	if want := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0x55}, 32)).Public().(ed25519.PublicKey); !bytes.Equal(s.Public(), want) {
		t.Errorf("Public = %x, want %x", s.Public(), want)
	}
	if _, ok := s.(signer.DERSigner); ok {
		t.Error("an ed25519 signer claims to sign DER")
	}
	msg := []byte("a solana transaction message, signed as is")
	sig, err := s.Sign(context.Background(), chains.Digest{Scheme: chains.SchemeEd25519, Hash: msg})
	if err != nil {
		t.Fatal(err)
	}
	if len(sig.Sig) != 64 || !ed25519.Verify(s.Public(), msg, sig.Sig) {
		t.Fatalf("crypto/ed25519 rejects the signature %x", sig.Sig)
	}
	if err := signer.Verify(sig, chains.Digest{Scheme: chains.SchemeEd25519, Hash: msg}); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

func TestFromPrivateKeyAcceptsAn64ByteEd25519KeyOnlyIfConsistent(t *testing.T) {
	full := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	s, err := signer.FromPrivateKey(chains.SchemeEd25519, full)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(s.Public(), full[32:]) {
		t.Errorf("Public = %x, want %x", s.Public(), full[32:])
	}
	bad := append([]byte(nil), full...)
	bad[63] ^= 1
	if _, err := signer.FromPrivateKey(chains.SchemeEd25519, bad); fault.KindOf(err) != fault.Invalid {
		t.Errorf("inconsistent 64-byte key: err = %v, want KindInvalid", err)
	}
}

func TestFromPrivateKeyRejectsBadKeys(t *testing.T) {
	tests := []struct {
		name   string
		scheme chains.SigScheme
		key    []byte
	}{
		{"secp256k1 zero scalar", chains.SchemeSecp256k1, make([]byte, 32)},
		{"secp256k1 scalar equal to n", chains.SchemeSecp256k1, secpN.FillBytes(make([]byte, 32))},
		{"secp256k1 short key", chains.SchemeSecp256k1, bytes.Repeat([]byte{1}, 31)},
		{"ed25519 short seed", chains.SchemeEd25519, bytes.Repeat([]byte{1}, 31)},
		{"unknown scheme", chains.SigScheme("rsa"), bytes.Repeat([]byte{1}, 32)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := signer.FromPrivateKey(tt.scheme, tt.key)
			if fault.KindOf(err) != fault.Invalid {
				t.Errorf("err = %v, want KindInvalid", err)
			}
		})
	}
}

func TestSignRefusesWhatItMustNotSign(t *testing.T) {
	secp := fixedSecp256k1(t, 0x66)
	ed := fixedEd25519(t, 0x66)
	hash := crypto.Keccak256([]byte("x"))
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		s    signer.Signer
		ctx  context.Context
		d    chains.Digest
		kind fault.Kind
	}{
		{"secp256k1 key given an ed25519 digest", secp, context.Background(), chains.Digest{Scheme: chains.SchemeEd25519, Hash: hash}, fault.Invalid},
		{"ed25519 key given a secp256k1 digest", ed, context.Background(), chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: hash}, fault.Invalid},
		{"secp256k1 digest of 31 bytes", secp, context.Background(), chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: hash[:31]}, fault.Invalid},
		{"secp256k1 digest of 33 bytes", secp, context.Background(), chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: append(hash, 0)}, fault.Invalid},
		{"empty ed25519 message", ed, context.Background(), chains.Digest{Scheme: chains.SchemeEd25519}, fault.Invalid},
		{"cancelled context (secp256k1)", secp, cancelled, chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: hash}, fault.Transient},
		{"cancelled context (ed25519)", ed, cancelled, chains.Digest{Scheme: chains.SchemeEd25519, Hash: hash}, fault.Transient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig, err := tt.s.Sign(tt.ctx, tt.d)
			if err == nil {
				t.Fatalf("signed: %x", sig.Sig)
			}
			if fault.KindOf(err) != tt.kind {
				t.Errorf("kind = %v, want %v (%v)", fault.KindOf(err), tt.kind, err)
			}
		})
	}
	if _, err := secp.(signer.DERSigner).SignDER(cancelled, [32]byte{1}); fault.KindOf(err) != fault.Transient {
		t.Errorf("SignDER with a cancelled context: %v", err)
	}
}

func TestSignersDoNotPrintTheirKeys(t *testing.T) {
	for _, s := range []signer.Signer{fixedSecp256k1(t, 0x77), fixedEd25519(t, 0x77)} {
		for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(format, s)
			if bytes.Contains([]byte(out), []byte("7777777777")) || bytes.Contains([]byte(out), []byte("119 119")) {
				t.Errorf("%s of %T prints the private key: %s", format, s, out)
			}
			if !bytes.Contains([]byte(out), []byte(hex.EncodeToString(s.ID()))) {
				t.Errorf("%s of %T = %q, want it to name %x", format, s, out, s.ID())
			}
		}
	}
}

func TestSignIsSafeForConcurrentUse(t *testing.T) {
	signers := []signer.Signer{fixedSecp256k1(t, 0x78), fixedEd25519(t, 0x78)}
	var wg sync.WaitGroup
	errs := make(chan error, 8*len(signers))
	for _, s := range signers {
		for g := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 25 {
					d := chains.Digest{Scheme: s.Scheme(), Hash: crypto.Keccak256([]byte(fmt.Sprintf("%d/%d", g, i)))}
					sig, err := s.Sign(context.Background(), d)
					if err == nil {
						err = signer.Verify(sig, d)
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestGenerateMakesDistinctWorkingKeys(t *testing.T) {
	for _, scheme := range []chains.SigScheme{chains.SchemeSecp256k1, chains.SchemeEd25519} {
		a, err := signer.Generate(scheme)
		if err != nil {
			t.Fatal(err)
		}
		b, err := signer.Generate(scheme)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(a.ID(), b.ID()) {
			t.Errorf("%s: two generated keys share ID %x", scheme, a.ID())
		}
		d := chains.Digest{Scheme: scheme, Hash: crypto.Keccak256([]byte("g"))}
		sig, err := a.Sign(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		if err := signer.Verify(sig, d); err != nil {
			t.Errorf("%s: %v", scheme, err)
		}
	}
	if _, err := signer.Generate("rsa"); !errors.Is(err, signer.ErrUnsupportedScheme) {
		t.Errorf("Generate(rsa): %v", err)
	}
}

func TestEnvelopeDigest(t *testing.T) {
	// Vectors computed independently with Python:
	// hashlib.sha256(b"fluxbridge/v1/" + kind + b"\x00" + payload).hexdigest()
	tests := []struct {
		kind    string
		payload []byte
		want    string
	}{
		{"heartbeat", []byte("hello"), "cb052cd24df73fc80c872c1aa845448e70e8cb5592124f5f93a33091b7df7c99"},
		{"mint-attestation", nil, "30af302220e33ba26ef7a9ef63e64f895c5c3a3a706655eca0499c1c98d3bb47"},
	}
	for _, tt := range tests {
		got := signer.EnvelopeDigest(tt.kind, tt.payload)
		if hex.EncodeToString(got[:]) != tt.want {
			t.Errorf("EnvelopeDigest(%q, %q) = %x, want %s", tt.kind, tt.payload, got, tt.want)
		}
	}
	// The kind is separated from the payload: moving a byte across the
	// boundary changes the digest.
	if signer.EnvelopeDigest("heartbeat", []byte("x")) == signer.EnvelopeDigest("heartbeatx", nil) {
		t.Error("kind and payload are not separated")
	}
}

func TestEnvelopeSignedByEitherSchemeVerifies(t *testing.T) {
	h := signer.EnvelopeDigest("release-signature", []byte(`{"range":[0,9]}`))
	for _, s := range []signer.Signer{fixedSecp256k1(t, 0x79), fixedEd25519(t, 0x79)} {
		d := chains.Digest{Scheme: s.Scheme(), Hash: h[:]}
		sig, err := s.Sign(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		if err := signer.Verify(sig, d); err != nil {
			t.Errorf("%s: %v", s.Scheme(), err)
		}
	}
}
