#!/usr/bin/env python3
"""Independent Equihash oracle for the Go package's tests (Python 3 stdlib only).

Written from the rules in shared/reference/flux-chain.md §4.4 and fluxd's
IsValidSolution, without looking at the Go code: indices and hash chunks are
read with big integers, rows carry their index lists, and every check is the
naive one.

  python3 equihash_oracle.py verify N K INPUT_HEX SOLUTION_HEX
      prints ok | collision | order | duplicate | nonzero | size
  python3 equihash_oracle.py check144 equihash144_5.json
      verifies every solution of the generated (144,5) vector
  python3 equihash_oracle.py cases MAINNET_VECTORS_JSON > oracle_cases.json
      writes the cross-check cases (valid vectors and deterministic mutations,
      each with this oracle's verdict) that oracle_test.go replays
"""
import hashlib
import json
import random
import struct
import sys


def person(n, k):
    tag = b"ZelProof" if (n, k) in ((144, 5), (125, 4)) else b"ZcashPoW"
    return tag + struct.pack("<II", n, k)


def bits_of(data):
    return int.from_bytes(data, "big"), 8 * len(data)


def take(value, total, start, width):
    """Bits [start, start+width) of a big-endian bit string of length total."""
    return (value >> (total - start - width)) & ((1 << width) - 1)


def indices_of(n, k, soln):
    ib = n // (k + 1) + 1
    v, t = bits_of(soln)
    return [take(v, t, j * ib, ib) for j in range(1 << k)]


def pack(n, k, idx):
    ib = n // (k + 1) + 1
    v = 0
    for i in idx:
        v = (v << ib) | i
    return v.to_bytes(len(idx) * ib // 8, "big")


def generate(n, k, data, g):
    per = 512 // n
    out = per * ((n + 7) // 8)

    def h(x):
        return hashlib.blake2b(data + struct.pack("<I", x), digest_size=out, person=person(n, k)).digest()

    if (n, k) != (125, 4):
        return h(g)
    words = [0] * 16
    for g2 in range((g // 16) * 16, g + 1):
        for w, x in enumerate(struct.unpack("<16I", h(g2))):
            words[w] = (words[w] + x) % (1 << 32)
    b = bytearray(struct.pack("<16I", *words))
    for j in (15, 31, 47, 63):
        b[j] &= 0xF8
    return bytes(b)


def leaf(n, k, data, i):
    per = 512 // n
    width = (n + 7) // 8
    cbl = n // (k + 1)
    hsh = generate(n, k, data, i // per)
    piece = hsh[(i % per) * width:(i % per + 1) * width]
    v, t = bits_of(piece)
    return [take(v, t, c * cbl, cbl) for c in range(k + 1)]


def verify(n, k, data, soln):
    if len(soln) != (1 << k) * (n // (k + 1) + 1) // 8:
        return "size"
    rows = [(leaf(n, k, data, i), [i]) for i in indices_of(n, k, soln)]
    while len(rows) > 1:
        nxt = []
        for a, b in zip(rows[0::2], rows[1::2]):
            if a[0][0] != b[0][0]:
                return "collision"
            if b[1] < a[1]:  # lexicographic, as memcmp over big-endian indices
                return "order"
            if set(a[1]) & set(b[1]):
                return "duplicate"
            nxt.append(([x ^ y for x, y in zip(a[0][1:], b[0][1:])], a[1] + b[1]))
        rows = nxt
    return "ok" if all(c == 0 for c in rows[0][0]) else "nonzero"


def wagner(n, k, data):
    """Plain Wagner for tiny parameters: returns (solutions, near) where near
    are ordered trees whose every collision holds but whose final XOR is not zero."""
    cbl = n // (k + 1)
    rows = [(leaf(n, k, data, i), [i]) for i in range(1 << (cbl + 1))]
    for r in range(k):
        groups = {}
        for row in rows:
            groups.setdefault(row[0][0], []).append(row)
        nxt = []
        for grp in groups.values():
            for x in range(len(grp)):
                for y in range(x + 1, len(grp)):
                    a, b = grp[x], grp[y]
                    if set(a[1]) & set(b[1]):
                        continue
                    if b[1] < a[1]:
                        a, b = b, a
                    nxt.append(([p ^ q for p, q in zip(a[0][1:], b[0][1:])], a[1] + b[1]))
        rows = nxt
    sols = [pack(n, k, r[1]) for r in rows if r[0][0] == 0]
    near = [pack(n, k, r[1]) for r in rows if r[0][0] != 0]
    return sols, near


def mutations(n, k, data, soln, rng, count):
    """Deterministic corruptions of a valid solution, each with its verdict."""
    out = []
    idx = indices_of(n, k, soln)
    for _ in range(count):
        kind = rng.choice(["bit", "swap", "dup", "input"])
        d, s = data, soln
        if kind == "bit":
            b = bytearray(soln)
            bit = rng.randrange(8 * len(b))
            b[bit // 8] ^= 0x80 >> (bit % 8)
            s = bytes(b)
        elif kind == "swap":
            w = 1 << rng.randrange(k)
            a = rng.randrange(len(idx) // (2 * w)) * 2 * w
            m = idx[:a] + idx[a + w:a + 2 * w] + idx[a:a + w] + idx[a + 2 * w:]
            s = pack(n, k, m)
        elif kind == "dup":
            m = list(idx)
            j = rng.randrange(len(m))
            m[j ^ 1] = m[j]
            s = pack(n, k, m)
        else:
            b = bytearray(data)
            bit = rng.randrange(8 * len(b))
            b[bit // 8] ^= 0x80 >> (bit % 8)
            d = bytes(b)
        out.append({"n": n, "k": k, "name": kind, "input": d.hex(), "solution": s.hex(), "verdict": verify(n, k, d, s)})
    return out


def cases(mainnet_path):
    here = sys.path[0]
    rng = random.Random(20240601)
    bases = []
    mv = json.load(open(mainnet_path))
    for h in mv["headers"]:
        if not h.get("equihash_valid"):
            continue
        raw = bytes.fromhex(h["raw"])
        n, k = (200, 9) if h["kind"] == "pow-equihash-200-9" else (125, 4)
        sol = raw[143:] if n == 200 else raw[141:]
        bases.append((h["name"], n, k, raw[:140], sol))
    tp = json.load(open(here + "/third_party_vectors.json"))
    bases.append(("powkit-zelhash", 125, 4, bytes.fromhex(tp["zelhash"]["input"]), bytes.fromhex(tp["zelhash"]["solution"])))
    v144 = json.load(open(here + "/equihash144_5.json"))
    bases.append(("generated-144-5", 144, 5, bytes.fromhex(v144["input"]), bytes.fromhex(v144["solutions"][0])))
    z = tp["zcash96_5"]
    zin = z["input_ascii"].encode() + z["nonce"].to_bytes(32, "little")
    bases.append(("zcash-96-5", 96, 5, zin, bytes.fromhex(z["solution"])))
    # (48,5): a 140-byte input (bytes 0..138, then the first last byte that
    # gives a solution), solved here by the oracle's own Wagner.
    for last in range(256):
        rin = bytes(range(139)) + bytes([last])
        sols, near = wagner(48, 5, rin)
        if sols:
            break
    out = []
    for s in sols:
        out.append({"n": 48, "k": 5, "name": "oracle-wagner", "input": rin.hex(), "solution": s.hex(), "verdict": verify(48, 5, rin, s)})
    for s in near[:8]:
        out.append({"n": 48, "k": 5, "name": "oracle-near", "input": rin.hex(), "solution": s.hex(), "verdict": verify(48, 5, rin, s)})
    if sols:
        bases.append(("oracle-48-5", 48, 5, rin, sols[0]))
    for name, n, k, data, sol in bases:
        v = verify(n, k, data, sol)
        assert v == "ok", (name, v)
        out.append({"n": n, "k": k, "name": name, "input": data.hex(), "solution": sol.hex(), "verdict": v})
        out.extend(mutations(n, k, data, sol, rng, 6 if n == 200 else 24))
    return {
        "_about": "Cross-check cases made by testdata/equihash_oracle.py (python3 equihash_oracle.py cases "
                  "shared/testdata/flux/mainnet_vectors.json): real and generated valid solutions, (48,5) solutions "
                  "and near-solutions from the oracle's own Wagner solver on input bytes 0..138 ‖ one byte, and seeded "
                  "mutations; verdict is the oracle's (ok, collision, order, duplicate, nonzero).",
        "cases": out,
    }


def main():
    cmd = sys.argv[1]
    if cmd == "verify":
        n, k = int(sys.argv[2]), int(sys.argv[3])
        print(verify(n, k, bytes.fromhex(sys.argv[4]), bytes.fromhex(sys.argv[5])))
    elif cmd == "check144":
        f = json.load(open(sys.argv[2]))
        data = bytes.fromhex(f["input"])
        for s in f["solutions"]:
            print(verify(144, 5, data, bytes.fromhex(s)))
    elif cmd == "cases":
        json.dump(cases(sys.argv[2]), sys.stdout, indent=0)
        print()
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
