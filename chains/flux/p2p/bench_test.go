package p2p

import (
	"sync/atomic"
	"testing"

	"github.com/fluxbridge/fluxbridge/chains/flux/params"
	"github.com/fluxbridge/fluxbridge/chains/flux/wire"
)

// countHandler counts delivered messages and closes done at want.
type countHandler struct {
	nopHandler
	n    atomic.Int64
	want int64
	done chan struct{}
}

func (h *countHandler) Message(*Peer, wire.Message) {
	if h.n.Add(1) == h.want {
		close(h.done)
	}
}

// BenchmarkPeerReceive measures how fast one peer reads, checks and
// delivers messages over loopback: framing, SHA256d checksum, decode,
// handler call.
func BenchmarkPeerReceive(b *testing.B) {
	cases := []struct {
		name string
		msg  wire.Message
	}{
		{"inv1", &wire.MsgInv{InvList: []wire.InvVect{{Type: wire.InvTypeBlock}}}},
		{"64KiB", &wire.MsgUnknown{Cmd: "cmpctblock", Payload: make([]byte, 64<<10)}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			h := &countHandler{want: int64(b.N), done: make(chan struct{})}
			cfg := testConfig(b, params.SimNet, h, nil)
			_, fc, _ := startPeer(b, cfg, newFakeNode(b, params.SimNet, fakeOpts{}), peerHooks{})
			raw := wire.EncodeMessage(params.SimNet.Magic, c.msg)
			b.SetBytes(int64(len(raw)))
			b.ResetTimer()
			go func() {
				for range b.N {
					if fc.sendRaw(raw) != nil {
						return
					}
				}
			}()
			<-h.done
		})
	}
}
