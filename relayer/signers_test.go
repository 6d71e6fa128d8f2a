package relayer

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/signer"
)

func member(b byte) []byte {
	a := make([]byte, 20)
	a[19] = b
	return a
}

func members(bs ...byte) [][]byte {
	var out [][]byte
	for _, b := range bs {
		out = append(out, member(b))
	}
	return out
}

// The signer sets a relayer accepts: a next set is checked like the
// current one, and this relayer may be in either.
func TestSetSigners(t *testing.T) {
	next := func(mut func(n *NextSet)) *NextSet {
		n := &NextSet{Activation: 100, Members: members(1, 2, 4), Threshold: 2}
		if mut != nil {
			mut(n)
		}
		return n
	}
	cases := []struct {
		name string
		self byte
		next *NextSet
		rel  bool // releases enabled
		bad  string
	}{
		{name: "no next set", self: 1},
		{name: "in both sets", self: 1, next: next(nil)},
		{name: "only in the next set", self: 4, next: next(nil)},
		{name: "in neither set", self: 9, next: next(nil), bad: "not a member"},
		{name: "only in the current set", self: 3, next: next(nil)},
		{name: "next threshold of half", self: 1, next: next(func(n *NextSet) { n.Members = members(1, 2, 4, 5) }), bad: "next signer set: threshold 2 of 4"},
		{name: "next threshold above all", self: 1, next: next(func(n *NextSet) { n.Threshold = 4 }), bad: "threshold 4 of 3"},
		{name: "next member twice", self: 1, next: next(func(n *NextSet) { n.Members = members(1, 2, 2) }), bad: "distinct"},
		{name: "next member of 19 bytes", self: 1, next: next(func(n *NextSet) { n.Members[2] = n.Members[2][1:] }), bad: "20-byte"},
		{name: "no activation height", self: 1, next: next(func(n *NextSet) { n.Activation = 0 }), bad: "activation height"},
		{name: "releases without the next reserve", self: 1, next: next(nil), rel: true, bad: "reserve sink"},
		{name: "releases with a foreign proposer", self: 1, rel: true, next: next(func(n *NextSet) {
			n.Reserve, n.Redeem, n.Proposers = reserveStub{}, []byte{1}, members(1, 2, 7)
		}), bad: "proposer"},
		{name: "releases, all set", self: 4, rel: true, next: next(func(n *NextSet) {
			n.Reserve, n.Redeem, n.Proposers = reserveStub{}, []byte{1}, members(4, 1, 2)
		})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Members: members(1, 2, 3), Threshold: 2, Next: tc.next}
			if tc.rel {
				cfg.Releases = Releases{Reserve: reserveStub{}, Proposers: members(1, 2, 3)}
			}
			r := &Relayer{cfg: cfg, self: member(tc.self)}
			err := r.setSigners()
			switch {
			case tc.bad == "" && err != nil:
				t.Fatalf("setSigners = %v", err)
			case tc.bad != "" && (err == nil || fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), tc.bad)):
				t.Fatalf("setSigners = %v, want an invalid error about %q", err, tc.bad)
			case tc.bad == "" && tc.next != nil && (len(r.sets) != 2 || r.sets[1].id != 2 || r.sets[0].id != 1):
				t.Fatalf("sets %+v: want set 1 then set 2", r.sets)
			}
		})
	}
}

// rotatingRelayer is a relayer of set 1 = {1,2,3} handing over to set 2 =
// {1,2,4} at FLUX height 100 (rounds of 10 blocks).
func rotatingRelayer(t *testing.T, self byte) *Relayer {
	t.Helper()
	r := &Relayer{self: member(self), cfg: Config{Members: members(1, 2, 3), Threshold: 2, Confirmations: 40,
		Releases:     Releases{Reserve: reserveStub{}, Proposers: members(3, 1, 2), Cadence: 10},
		Next:         &NextSet{Activation: 100, Members: members(1, 2, 4), Threshold: 2, Proposers: members(4, 2, 1), Reserve: reserveStub{}, Redeem: []byte{1}},
		Destinations: []Destination{{Chain: 1337}}},
		rotations: map[chains.ID]*rotation{}, drops: map[string]uint64{}}
	if err := r.setSigners(); err != nil {
		t.Fatal(err)
	}
	r.setRotations()
	return r
}

// Rounds before the activation are the current set's, rounds from it the
// next set's; the move of the reserve is proposed in the current set's
// order, and a move is spent from the current set's reserve.
func TestRoundsFollowTheActivation(t *testing.T) {
	r := rotatingRelayer(t, 1)
	for _, tc := range []struct {
		n        uint64
		proposer byte
		moving   bool
	}{{8, 2, false}, {9, 3, false}, {10, 2, true}, {11, 1, true}, {12, 4, true}} {
		rd := r.round(tc.n)
		if !slices.Equal(rd.Proposer, member(tc.proposer)) || r.moving(tc.n) != tc.moving {
			t.Errorf("round %d: proposer %x moving %v, want %d and %v", tc.n, rd.Proposer, r.moving(tc.n), tc.proposer, tc.moving)
		}
		if mv := r.moveRound(tc.n); !slices.Equal(mv.Proposer, r.cfg.Releases.Proposers[tc.n%3]) || mv.Expiry != rd.Expiry || mv.RefHeight != rd.RefHeight {
			t.Errorf("move round %d = %+v, round %+v", tc.n, mv, rd)
		}
	}
	move := Spend{Kind: SpendMove, Ref: setMoveRef(2), Round: 12}
	if s := r.spendSet(move); s.id != 1 {
		t.Errorf("a move to set 2 spends set %d's reserve", s.id)
	}
	if s := r.spendSet(Spend{Kind: SpendMove, Round: 12}); s.id != 2 {
		t.Errorf("a consolidation in round 12 spends set %d's reserve", s.id)
	}
	if s := r.spendSet(Spend{Kind: SpendRelease, Round: 9}); s.id != 1 {
		t.Errorf("a release in round 9 spends set %d's reserve", s.id)
	}
	if s := r.proposalSet(Proposal{Round: 12, Spend: chains.ReserveSpend{MoveTo: []byte{1}}}); s.id != 1 {
		t.Errorf("a move proposal is for set %d", s.id)
	}
}

// A bridge takes the current set's quorum until it shows the rotation, then
// the next set's; the submitted signatures are k of that set's.
func TestMintQuorumFollowsTheBridge(t *testing.T) {
	r := rotatingRelayer(t, 1)
	const chain = chains.ID(1337)
	atts := func(bs ...byte) []Attestation {
		var out []Attestation
		for _, b := range bs {
			out = append(out, Attestation{Signer: member(b)})
		}
		return out
	}
	check := func(when string, signers []byte, quorum bool, used []byte) {
		t.Helper()
		good := atts(signers...)
		if got := r.mintQuorum(chain, signersOf(good)); got != quorum {
			t.Errorf("%s: %v a quorum = %v, want %v", when, signers, got, quorum)
		}
		if !quorum {
			return
		}
		if got := signersOf(r.mintSignatures(chain, good)); !slices.EqualFunc(got, members(used...), slices.Equal) {
			t.Errorf("%s: signatures of %x used, want %v", when, got, used)
		}
	}
	check("before", []byte{1, 3}, true, []byte{1, 3})
	check("before", []byte{3, 4}, false, nil)
	check("before", []byte{1, 4}, false, nil)
	check("before", []byte{1, 2, 3, 4}, true, []byte{1, 2})
	r.rotations[chain].done = true
	check("after", []byte{1, 3}, false, nil)
	check("after", []byte{1, 4}, true, []byte{1, 4})
	check("after", []byte{2, 3, 4}, true, []byte{2, 4})
	if !r.rotatedOn(chain) || r.rotatedOn(56) {
		t.Error("rotatedOn does not follow the rotations")
	}
}

// A rotation signature is kept only from a member of the current set,
// for the rotation this relayer computed, verifying against its digest.
func TestRotateSignatureEnvelope(t *testing.T) {
	keys := map[byte]signer.Signer{}
	for _, b := range []byte{1, 2, 3, 4} {
		k, err := signer.Generate(chains.SchemeSecp256k1)
		if err != nil {
			t.Fatal(err)
		}
		keys[b] = k
	}
	addr := func(b byte) []byte { return keys[b].ID() }
	r := &Relayer{self: addr(1), cfg: Config{Members: [][]byte{addr(1), addr(2), addr(3)}, Threshold: 2, Verify: signer.Verify,
		Next:         &NextSet{Activation: 100, Members: [][]byte{addr(1), addr(2), addr(4)}, Threshold: 2},
		Destinations: []Destination{{Chain: 1337, Bridge: [20]byte{9}}}},
		rotations: map[chains.ID]*rotation{}, drops: map[string]uint64{}}
	if err := r.setSigners(); err != nil {
		t.Fatal(err)
	}
	r.setRotations()
	ro := r.rotations[1337]
	if want := chains.RotateDigest(1337, [20]byte{9}, ro.rot); ro.digest != want || ro.rot.SetID != 2 || ro.rot.Threshold != 2 ||
		!slices.IsSortedFunc(ro.rot.Signers, func(a, b []byte) int { return strings.Compare(string(a), string(b)) }) {
		t.Fatalf("rotation %+v digest %x, want set 2 of the next members sorted, digest %x", ro.rot, ro.digest, want)
	}
	sign := func(b byte, digest [32]byte) []byte {
		s, err := keys[b].Sign(context.Background(), chains.Digest{Scheme: chains.SchemeSecp256k1, Hash: digest[:]})
		if err != nil {
			t.Fatal(err)
		}
		return s.Sig
	}
	payload := func(chain chains.ID, set uint32, sig []byte) []byte {
		b, err := json.Marshal(RotateSignature{Chain: chain, SetID: set, Sig: sig})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	other := ro.digest
	other[0]++
	for _, tc := range []struct {
		name    string
		from    byte
		payload []byte
		kept    bool
	}{
		{"a current member's signature", 2, payload(1337, 2, sign(2, ro.digest)), true},
		{"a next-only member's signature", 4, payload(1337, 2, sign(4, ro.digest)), false},
		{"a signature over another digest", 3, payload(1337, 2, sign(3, other)), false},
		{"another member's signature", 3, payload(1337, 2, sign(2, ro.digest)), false},
		{"another set id", 3, payload(1337, 3, sign(3, ro.digest)), false},
		{"another chain", 3, payload(56, 2, sign(3, ro.digest)), false},
		{"trailing data", 3, append(payload(1337, 2, sign(3, ro.digest)), '}'), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := r.HandleEnvelope(context.Background(), KindRotateSignature, addr(tc.from), tc.payload, nil)
			_, kept := ro.sigs[string(addr(tc.from))]
			if kept != tc.kept || (err == nil) != tc.kept || err != nil && fault.KindOf(err) != fault.Invalid {
				t.Fatalf("kept %v, err %v; want kept %v", kept, err, tc.kept)
			}
		})
	}
}

// A move of the reserve is signed only to the configured next set's script,
// from its activation on, at the round's heights and the set's fee rate.
func TestCheckSetMove(t *testing.T) {
	r := rotatingRelayer(t, 1)
	r.cfg.Releases.FeeRate = 10
	rd := r.moveRound(12)
	good := chains.ReserveSpend{MoveTo: []byte{1}, RefHeight: rd.RefHeight, Expiry: rd.Expiry, FeeRate: 10}
	for _, tc := range []struct {
		name  string
		round uint64
		mut   func(s *chains.ReserveSpend)
		bad   string
	}{
		{"the move", 12, nil, ""},
		{"before the activation", 9, nil, "before the next set's activation"},
		{"to another script", 12, func(s *chains.ReserveSpend) { s.MoveTo = []byte{2} }, "another script"},
		{"another fee rate", 12, func(s *chains.ReserveSpend) { s.FeeRate = 11 }, "fee rate"},
		{"another expiry", 12, func(s *chains.ReserveSpend) { s.Expiry++ }, "expiry"},
		{"excluding outputs", 12, func(s *chains.ReserveSpend) { s.Exclude = []string{"x:0"} }, "excludes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := good
			s.MoveTo = slices.Clone(good.MoveTo)
			if tc.mut != nil {
				tc.mut(&s)
			}
			rd := r.moveRound(tc.round)
			if tc.round == 9 {
				s.RefHeight, s.Expiry = rd.RefHeight, rd.Expiry
			}
			d := r.checkSetMove(Proposal{Round: tc.round, Spend: s}, rd)
			switch {
			case tc.bad == "" && (d.why != "" || d.kind != SpendMove || d.ref != "set:2"):
				t.Fatalf("decision %+v, want a move to set 2", d)
			case tc.bad != "" && !strings.Contains(d.why, tc.bad):
				t.Fatalf("decision %+v, want a refusal about %q", d, tc.bad)
			}
		})
	}
	r.cfg.Next, r.sets = nil, r.sets[:1]
	if d := r.checkSetMove(Proposal{Round: 12, Spend: good}, rd); !strings.Contains(d.why, "no next signer set") {
		t.Fatalf("without a next set: %+v", d)
	}
}
