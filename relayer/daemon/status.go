package daemon

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"maps"
	"time"

	"github.com/fluxbridge/fluxbridge/relayer"
)

// SettingStatus is the store setting where a running relayer records its
// peers and drop counters for `fluxbridge status`.
const SettingStatus = "status.snapshot"

// StatusSnapshot is what SettingStatus holds (JSON).
type StatusSnapshot struct {
	At    time.Time         `json:"at"`
	Peers []PeerSummary     `json:"peers"`
	Drops map[string]uint64 `json:"drops"`
}

// PeerSummary is one peer as the exchange sees it.
type PeerSummary struct {
	ID         string    `json:"id"`
	Addr       string    `json:"addr"`
	Connected  bool      `json:"connected"`
	LastSeen   time.Time `json:"last_seen,omitzero"`
	FluxHeight uint64    `json:"flux_height"`
	Healthy    bool      `json:"healthy"`
	LastError  string    `json:"last_error,omitempty"`
}

// Snapshot returns the exchange's and the pipeline's view for status.
func (d *Daemon) Snapshot() StatusSnapshot {
	s := StatusSnapshot{At: time.Now().UTC(), Drops: map[string]uint64{}}
	for _, p := range d.exchange.Peers() {
		s.Peers = append(s.Peers, PeerSummary{ID: "0x" + hex.EncodeToString(p.ID), Addr: p.Addr, Connected: p.Connected,
			LastSeen: p.LastSeen, FluxHeight: p.Heartbeat.FluxHeight, Healthy: p.Heartbeat.Healthy, LastError: p.LastError})
	}
	for k, v := range d.exchange.Drops() {
		s.Drops["peer:"+k] = v
	}
	maps.Copy(s.Drops, d.relayer.Drops())
	return s
}

// recordStatus writes the snapshot into the store every interval.
func (d *Daemon) recordStatus(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		b, err := json.Marshal(d.Snapshot())
		if err != nil {
			return err
		}
		if err := d.store.Update(ctx, func(tx relayer.Tx) error { return tx.SetSetting(SettingStatus, string(b)) }); err != nil && ctx.Err() == nil {
			d.log.Warn("recording status", "err", err)
		}
	}
}
