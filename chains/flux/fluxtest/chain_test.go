package fluxtest

import (
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/chainhash"
	"github.com/fluxbridge/fluxbridge/chains/flux/fluxnode"
	"github.com/fluxbridge/fluxbridge/chains/flux/header"
	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/tx"
)

// TestMinedBlocksPassTheLightNodeRules: every block of 2,000 passes the
// context-free and contextual header rules over the network's own chain,
// its producer signature verifies against the fluxnode set at height-1, its
// merkle root matches, and the set's transition skips nothing.
func TestMinedBlocksPassTheLightNodeRules(t *testing.T) {
	n := newNet(t, Config{}, 2000)
	l := newLightChain(params.SimNet, n.Snapshot())
	for h := int32(1); h <= 2000; h++ {
		b := n.BlockAt(h)
		if !b.Header.IsPoN() {
			t.Fatalf("block %d has version %d", h, b.Header.Version)
		}
		if err := l.accept(b); err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
	}
	_, tip := n.Tip()
	if l.infos[2000].Hash != tip {
		t.Fatal("replayed chain does not end at the network's tip")
	}
	got, want := l.set.Snapshot(0, chainhash.Hash{}).Entries, n.FluxnodeSet().Entries
	if len(got) != len(want) {
		t.Fatalf("replayed set has %d entries, network's %d", len(got), len(want))
	}
}

// TestFluxnodeSetChangesOverTime: within 2,000 blocks a node joins with a
// START and a CONFIRM mined in blocks (its collateral a real output), an
// initial node lapses and expires, and the others stay by update CONFIRMs.
func TestFluxnodeSetChangesOverTime(t *testing.T) {
	n := newNet(t, Config{}, 2000)
	var starts, confirms, updates int
	joined := map[chainhash.OutPoint]int32{}
	for h := int32(1); h <= 2000; h++ {
		for _, x := range n.BlockAt(h).Txs {
			if !x.IsFluxnode() {
				continue
			}
			switch {
			case x.Fluxnode.Type == tx.FluxnodeStartType:
				starts++
				joined[x.Fluxnode.Collateral] = h
			case x.Fluxnode.UpdateType == 0:
				confirms++
			default:
				updates++
			}
		}
	}
	if starts == 0 || confirms == 0 || updates == 0 {
		t.Fatalf("%d STARTs, %d CONFIRMs, %d updates in 2,000 blocks", starts, confirms, updates)
	}
	set := n.FluxnodeSet()
	byOp := map[chainhash.OutPoint]fluxnode.Entry{}
	for _, e := range set.Entries {
		byOp[e.Collateral] = e
	}
	confirmedJoiner := false
	for op, h := range joined {
		e, ok := byOp[op]
		if !ok || e.Status != fluxnode.StatusConfirmed {
			continue
		}
		confirmedJoiner = true
		if e.StartHeight != h || e.ConfirmedHeight <= h {
			t.Errorf("joiner %s: entry %+v, START at %d", op, e, h)
		}
		// The collateral is a real output of the chain, 1,000 FLUX.
		if out, ok := n.UTXO(op); !ok || out.Value != CollateralValue {
			t.Errorf("joiner %s: collateral output %+v, %v", op, out, ok)
		}
	}
	if !confirmedJoiner {
		t.Fatal("no node that joined by START and CONFIRM is confirmed")
	}
	if _, ok := byOp[InitialCollateral(3)]; ok {
		t.Error("initial node 3 should have lapsed and expired")
	}
	for i := 0; i < 3; i++ {
		e, ok := byOp[InitialCollateral(i)]
		if !ok || e.LastConfirmedHeight == 0 {
			t.Errorf("initial node %d: %+v, %v; want kept alive by update CONFIRMs", i, e, ok)
		}
	}
}

// TestReorgBranchIsPreferredByForkChoice: Reorg(39, 40) and Reorg(5, 5)
// replace the tip with a branch header.Better prefers, whose blocks pass the
// rules, and the old branch's transactions are mined again.
func TestReorgBranchIsPreferredByForkChoice(t *testing.T) {
	cases := []struct {
		name          string
		depth, length int
	}{
		{"longer branch wins by work", 39, 40},
		{"equal length wins by lower PoN hash", 5, 5},
		{"one block replaced", 1, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := newNet(t, Config{}, 150)
			pay, err := n.Pay([]tx.TxOut{{Value: tx.Coin, Script: PayeeScript()}})
			if err != nil {
				t.Fatal(err)
			}
			if err := n.Mine(3); err != nil {
				t.Fatal(err)
			}
			old := tipOf(n)
			oldHeight, oldHash := n.Tip()
			forkHash := n.HeaderAt(oldHeight - int32(tc.depth)).BlockHash()
			if err := n.Reorg(tc.depth, tc.length); err != nil {
				t.Fatal(err)
			}
			newHeight, newHash := n.Tip()
			if newHeight != oldHeight-int32(tc.depth)+int32(tc.length) || newHash == oldHash {
				t.Fatalf("tip %d %s after the reorg, was %d %s", newHeight, newHash, oldHeight, oldHash)
			}
			if !header.Better(tipOf(n), old) {
				t.Fatal("fork choice does not prefer the new branch")
			}
			if n.HeaderAt(oldHeight-int32(tc.depth)+1).PrevBlock != forkHash {
				t.Fatal("the branch does not fork at the expected height")
			}
			l := newLightChain(params.SimNet, n.Snapshot())
			for h := int32(1); h <= newHeight; h++ {
				if err := l.accept(n.BlockAt(h)); err != nil {
					t.Fatalf("block %d of the new chain: %v", h, err)
				}
			}
			if n.Confirmations(pay.TxID()) == 0 {
				t.Fatal("the payment of the replaced blocks was not mined again")
			}
		})
	}
	t.Run("bad arguments", func(t *testing.T) {
		n := newNet(t, Config{}, 3)
		for _, a := range [][2]int{{0, 1}, {2, 1}, {4, 4}} {
			if err := n.Reorg(a[0], a[1]); err == nil {
				t.Errorf("Reorg(%d, %d) at height 3 succeeded", a[0], a[1])
			}
		}
	})
}

// TestConfigIsChecked: bad configurations are refused with a message naming the field.
func TestConfigIsChecked(t *testing.T) {
	for _, cfg := range []Config{
		{Fluxnodes: -1}, {Fluxnodes: MaxFluxnodes + 1}, {Peers: -2}, {Params: params.MainNet},
		{Params: params.TestNet}, {BlockInterval: -1},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
	if _, err := New(Config{}); err != nil {
		t.Fatal(err)
	}
}

// TestProducersAreConfirmedNodes: with a single fluxnode, it produces every block.
func TestProducersAreConfirmedNodes(t *testing.T) {
	n := newNet(t, Config{Fluxnodes: 1}, 10)
	for h := int32(1); h <= 10; h++ {
		if got := n.HeaderAt(h).Collateral; got != InitialCollateral(0) {
			t.Fatalf("block %d produced by %s", h, got)
		}
	}
}
