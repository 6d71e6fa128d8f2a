package signer

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"

	"github.com/fluxbridge/fluxbridge/chains"
)

// Limits applied to key files before anything is decrypted, so that a
// corrupt or hostile file cannot make the KDF allocate or spin without bound.
const (
	// MaxKeyFileSize is the largest key file read; real ones are under 1 KiB.
	MaxKeyFileSize = 64 << 10
	// maxScryptCost bounds 128·n·r·p, the scrypt work (4× go-ethereum's
	// standard parameters, which cost 2^28).
	maxScryptCost = 1 << 30
	// maxScryptMemory bounds 128·n·r, the scrypt memory (256 MiB, the
	// standard parameters).
	maxScryptMemory = 1 << 28
	// maxPBKDF2Iterations bounds PBKDF2 (go-ethereum reads, never writes, it).
	maxPBKDF2Iterations = 1 << 22
	// maxSaltLen bounds the KDF salt.
	maxSaltLen = 1024
	// keyFileVersion is the keystore format version (go-ethereum v3).
	keyFileVersion = 3
	// sealedKeyLen is the plaintext length in every key file: a secp256k1
	// scalar or an ed25519 seed.
	sealedKeyLen = 32
	// schemeEd25519 marks an ed25519 key file.
	schemeEd25519 = "ed25519"
)

// keyFileJSON is the on-disk form. A secp256k1 file is exactly go-ethereum's
// keystore v3 JSON (address, crypto, id, version) plus the compressed public
// key; an ed25519 file has the same envelope with a scheme and the public key
// instead of the address.
type keyFileJSON struct {
	Address   string              `json:"address,omitempty"`
	Scheme    string              `json:"scheme,omitempty"`
	PublicKey string              `json:"publicKey,omitempty"`
	Crypto    keystore.CryptoJSON `json:"crypto"`
	ID        string              `json:"id"`
	Version   int                 `json:"version"`
}

// keyFile is a parsed and validated key file; nothing in it is
// authenticated until it is decrypted.
type keyFile struct {
	scheme chains.SigScheme
	id     []byte // EVM address or ed25519 public key
	public []byte // may be nil for a go-ethereum file without a public key
	uuid   string
	raw    []byte
	json   keyFileJSON
}

// corrupt builds an error wrapping ErrCorrupt.
func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, args...))
}

// parseKeyFile decodes and validates a key file without decrypting it. Every
// field go-ethereum's decryption reads is checked here, so that decryption
// cannot fail on anything but the passphrase.
func parseKeyFile(data []byte) (*keyFile, error) {
	if len(data) > MaxKeyFileSize {
		return nil, corrupt("file is %d bytes, more than %d", len(data), MaxKeyFileSize)
	}
	var j keyFileJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, corrupt("%v", err)
	}
	if j.Version != keyFileVersion {
		return nil, corrupt("version %d, want %d", j.Version, keyFileVersion)
	}
	id, err := uuid.Parse(j.ID)
	if err != nil {
		return nil, corrupt("id: %v", err)
	}
	if err := checkCrypto(j.Crypto); err != nil {
		return nil, err
	}
	kf := &keyFile{uuid: id.String(), raw: data, json: j}
	switch j.Scheme {
	case "", string(chains.SchemeSecp256k1):
		kf.scheme = chains.SchemeSecp256k1
		addr, err := decodeHex(j.Address, Secp256k1IDLen)
		if err != nil {
			return nil, corrupt("address: %v", err)
		}
		kf.id = addr
		if j.PublicKey != "" {
			pub, err := decodeHex(j.PublicKey, Secp256k1PublicLen)
			if err != nil {
				return nil, corrupt("publicKey: %v", err)
			}
			p, err := crypto.DecompressPubkey(pub)
			if err != nil {
				return nil, corrupt("publicKey: %v", err)
			}
			if a := crypto.PubkeyToAddress(*p); string(a[:]) != string(addr) {
				return nil, corrupt("publicKey is for address %x, file says %x", a[:], addr)
			}
			kf.public = pub
		}
	case schemeEd25519:
		kf.scheme = chains.SchemeEd25519
		if j.Address != "" {
			return nil, corrupt("an ed25519 key file has no address")
		}
		pub, err := decodeHex(j.PublicKey, 32)
		if err != nil {
			return nil, corrupt("publicKey: %v", err)
		}
		kf.id, kf.public = pub, pub
	default:
		return nil, corrupt("scheme %q", j.Scheme)
	}
	return kf, nil
}

// decodeHex decodes exactly n bytes of hex, with an optional 0x prefix.
func decodeHex(s string, n int) ([]byte, error) {
	s = strings.TrimPrefix(s, "0x")
	if len(s) != 2*n {
		return nil, fmt.Errorf("%d hex digits, want %d", len(s), 2*n)
	}
	return hex.DecodeString(s)
}

// checkCrypto validates the encrypted part of a v3 key file.
func checkCrypto(c keystore.CryptoJSON) error {
	if c.Cipher != "aes-128-ctr" {
		return corrupt("cipher %q, want aes-128-ctr", c.Cipher)
	}
	if _, err := decodeHex(c.CipherText, sealedKeyLen); err != nil {
		return corrupt("ciphertext: %v", err)
	}
	if _, err := decodeHex(c.CipherParams.IV, 16); err != nil {
		return corrupt("iv: %v", err)
	}
	if _, err := decodeHex(c.MAC, 32); err != nil {
		return corrupt("mac: %v", err)
	}
	salt, ok := c.KDFParams["salt"].(string)
	if !ok {
		return corrupt("kdfparams.salt is missing or not a string")
	}
	if b, err := hex.DecodeString(salt); err != nil || len(b) == 0 || len(b) > maxSaltLen {
		return corrupt("kdfparams.salt is not 1 to %d bytes of hex", maxSaltLen)
	}
	if dk, err := kdfInt(c.KDFParams, "dklen"); err != nil {
		return err
	} else if dk != 32 {
		return corrupt("kdfparams.dklen is %d, want 32", dk)
	}
	switch c.KDF {
	case "scrypt":
		n, err := kdfInt(c.KDFParams, "n")
		if err != nil {
			return err
		}
		r, err := kdfInt(c.KDFParams, "r")
		if err != nil {
			return err
		}
		p, err := kdfInt(c.KDFParams, "p")
		if err != nil {
			return err
		}
		return checkScrypt(n, r, p)
	case "pbkdf2":
		if prf, _ := c.KDFParams["prf"].(string); prf != "hmac-sha256" {
			return corrupt("kdfparams.prf is not hmac-sha256")
		}
		iter, err := kdfInt(c.KDFParams, "c")
		if err != nil {
			return err
		}
		if iter < 1 || iter > maxPBKDF2Iterations {
			return corrupt("kdfparams.c is %d, want 1 to %d", iter, maxPBKDF2Iterations)
		}
		return nil
	default:
		return corrupt("kdf %q, want scrypt or pbkdf2", c.KDF)
	}
}

// checkScrypt bounds the scrypt parameters of a file read or written.
func checkScrypt(n, r, p int) error {
	if n < 2 || n&(n-1) != 0 {
		return corrupt("scrypt n is %d, want a power of two", n)
	}
	if r < 1 || r > 16 || p < 1 || p > 64 {
		return corrupt("scrypt r=%d p=%d out of range", r, p)
	}
	if mem := 128 * int64(n) * int64(r); mem > maxScryptMemory {
		return corrupt("scrypt n=%d r=%d needs %d bytes, more than %d", n, r, mem, maxScryptMemory)
	}
	if cost := 128 * int64(n) * int64(r) * int64(p); cost > maxScryptCost {
		return corrupt("scrypt n=%d r=%d p=%d costs more than allowed", n, r, p)
	}
	return nil
}

// kdfInt reads an integer KDF parameter as encoding/json decodes it (a
// float64), the way go-ethereum's decryption will read it.
func kdfInt(params map[string]any, name string) (int, error) {
	f, ok := params[name].(float64)
	if !ok {
		return 0, corrupt("kdfparams.%s is missing or not a number", name)
	}
	if f != math.Trunc(f) || f < 0 || f > 1<<31 {
		return 0, corrupt("kdfparams.%s is not a small non-negative integer", name)
	}
	return int(f), nil
}

// info returns the public information of a parsed file.
func (kf *keyFile) info(path string) KeyInfo {
	return KeyInfo{
		Path:   path,
		Scheme: kf.scheme,
		ID:     append([]byte(nil), kf.id...),
		Public: append([]byte(nil), kf.public...),
		UUID:   kf.uuid,
	}
}

// decrypt opens the file with pass and checks that the key matches the
// public part of the file.
func (kf *keyFile) decrypt(pass string) (Signer, error) {
	switch kf.scheme {
	case chains.SchemeSecp256k1:
		key, err := keystore.DecryptKey(kf.raw, pass)
		if err != nil {
			return nil, decryptError(err)
		}
		s := &secp256k1Signer{priv: key.PrivateKey}
		if string(key.Address[:]) != string(kf.id) {
			return nil, corrupt("key decrypts to address %x, file says %x", key.Address[:], kf.id)
		}
		if kf.public != nil && string(s.Public()) != string(kf.public) {
			return nil, corrupt("key does not match the file's publicKey")
		}
		return s, nil
	case chains.SchemeEd25519:
		seed, err := keystore.DecryptDataV3(kf.json.Crypto, pass)
		if err != nil {
			return nil, decryptError(err)
		}
		defer clear(seed)
		s, err := newEd25519(seed)
		if err != nil {
			return nil, corrupt("%v", err)
		}
		if string(s.Public()) != string(kf.public) {
			return nil, corrupt("key decrypts to public key %x, file says %x", s.Public(), kf.public)
		}
		return s, nil
	default:
		return nil, corrupt("scheme %q", kf.scheme)
	}
}

// decryptError maps go-ethereum's decryption errors onto ours: a MAC
// mismatch is a wrong passphrase, anything else a corrupt file.
func decryptError(err error) error {
	if errors.Is(err, keystore.ErrDecrypt) {
		return ErrWrongPassphrase
	}
	return corrupt("%v", err)
}

// encodeKeyFile seals a private key into a key file.
func encodeKeyFile(s Signer, pass string, kdf KDF) ([]byte, error) {
	id, err := uuid.NewRandom()
	if err != nil {
		return nil, err
	}
	var j keyFileJSON
	switch s := s.(type) {
	case *secp256k1Signer:
		raw, err := keystore.EncryptKey(&keystore.Key{
			Id:         id,
			Address:    crypto.PubkeyToAddress(s.priv.PublicKey),
			PrivateKey: s.priv,
		}, pass, kdf.ScryptN, kdf.ScryptP)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(raw, &j); err != nil {
			return nil, err
		}
		j.PublicKey = hex.EncodeToString(s.Public())
	case *ed25519Signer:
		seed := s.priv.Seed()
		c, err := keystore.EncryptDataV3(seed, []byte(pass), kdf.ScryptN, kdf.ScryptP)
		clear(seed)
		if err != nil {
			return nil, err
		}
		j = keyFileJSON{
			Scheme:    schemeEd25519,
			PublicKey: hex.EncodeToString(s.Public()),
			Crypto:    c,
			ID:        id.String(),
			Version:   keyFileVersion,
		}
	default:
		return nil, fmt.Errorf("cannot store a %T", s)
	}
	return json.MarshalIndent(j, "", "  ")
}
