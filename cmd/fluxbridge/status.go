package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fluxbridge/fluxbridge/chains"
	"github.com/fluxbridge/fluxbridge/relayer"
	"github.com/fluxbridge/fluxbridge/relayer/config"
	"github.com/fluxbridge/fluxbridge/relayer/daemon"
	"github.com/fluxbridge/fluxbridge/relayer/store/sqlite"
)

const statusUsage = "fluxbridge status --config FILE [--json]"

// statusReport is what `fluxbridge status` shows; --json prints it as is.
type statusReport struct {
	Address string         `json:"address"`
	DataDir string         `json:"data_dir"`
	Paused  string         `json:"paused,omitempty"`
	Halted  string         `json:"halted,omitempty"`
	Chains  []chainStatus  `json:"chains"`
	Pending map[string]int `json:"pending"`
	Minted  int            `json:"minted"`
	Refunds int            `json:"refund_due"`
	// Refunded counts the payments refunded; Claims lists those due a
	// refund that wait for an operator's claim, with why.
	Refunded int      `json:"refunded"`
	Claims   []string `json:"claims,omitempty"`
	// Burns counts the burns by state; Unpayable lists those no release can
	// pay, with why; Spends counts this relayer's reserve spends by state.
	Burns     map[string]int       `json:"burns"`
	Unpayable []string             `json:"unpayable,omitempty"`
	Spends    map[string]int       `json:"spends"`
	Signers   signersStatus        `json:"signers"`
	Peers     []daemon.PeerSummary `json:"peers"`
	Drops     map[string]uint64    `json:"drops,omitempty"`
	Journal   journalStatus        `json:"journal"`
	Recorded  time.Time            `json:"recorded,omitzero"`
}

type chainStatus struct {
	Chain   string `json:"chain"`
	Tip     uint64 `json:"tip"`
	Final   uint64 `json:"final"`
	Lag     uint64 `json:"lag"`
	Healthy bool   `json:"healthy"`
	Reason  string `json:"reason,omitempty"`
}

// signersStatus is the signer set and, when one is declared, the next set
// with the bridges that show it installed and those that do not yet.
type signersStatus struct {
	SetID     uint32      `json:"set_id"`
	Threshold int         `json:"threshold"`
	Members   int         `json:"members"`
	Next      *nextStatus `json:"next,omitempty"`
}

type nextStatus struct {
	SetID      uint32   `json:"set_id"`
	Threshold  int      `json:"threshold"`
	Members    int      `json:"members"`
	Activation uint64   `json:"activation"`
	Rotated    []string `json:"rotated"`
	Waiting    []string `json:"waiting"`
}

type journalStatus struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash,omitempty"`
}

// runStatus reads a relayer's database (it may be running: SQLite WAL lets
// a reader in) and reports heads, lag, pending transfers and peers.
func runStatus(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fluxbridge status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "fluxbridge/config.toml", "the relayer's configuration file")
	asJSON := fs.Bool("json", false, "print JSON")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s\n\nShows the relayer's per-chain heads and lag, pending transfers by state, peers and journal head,\nas the running relayer last recorded them.\n\noptions:\n", statusUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		return exitUsage
	}
	cfg, err := config.Load(*path)
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge status: %v\n", err)
		return exitUsage
	}
	rep, err := readStatus(context.Background(), cfg)
	if err != nil {
		fmt.Fprintf(stderr, "fluxbridge status: %v\n", err)
		return exitCheck
	}
	if *asJSON {
		out, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Fprintln(stdout, string(out))
		return exitOK
	}
	printStatus(stdout, rep)
	return exitOK
}

func readStatus(ctx context.Context, cfg *config.Config) (statusReport, error) {
	rep := statusReport{Address: cfg.Relayer.Key.String(), DataDir: cfg.Relayer.DataDir, Pending: map[string]int{},
		Burns: map[string]int{}, Spends: map[string]int{},
		Signers: signersStatus{SetID: max(cfg.Signers.SetID, 1), Threshold: cfg.Signers.Threshold, Members: len(cfg.Signers.Members)}}
	if n := cfg.Signers.Next; n != nil {
		rep.Signers.Next = &nextStatus{SetID: rep.Signers.SetID + 1, Threshold: n.Threshold, Members: len(n.Members), Activation: n.Activation}
	}
	p := cfg.Flux.Network.Params
	rel := relayer.Releases{Fee: cfg.Release.Fee, Prefixes: [][2]byte{p.PubKeyHashPrefix, p.ScriptHashPrefix}}
	db, err := sqlite.OpenReadOnly(ctx, filepath.Join(cfg.Relayer.DataDir, "relayer.db"))
	if err != nil {
		return rep, err
	}
	defer db.Close()
	err = db.View(ctx, func(tx relayer.Tx) error {
		var err error
		if rep.Paused, _, err = tx.Setting(relayer.SettingPaused); err != nil {
			return err
		}
		if rep.Halted, _, err = tx.Setting(relayer.SettingHalted); err != nil {
			return err
		}
		heads, err := tx.Heads()
		if err != nil {
			return err
		}
		for id, h := range heads {
			cs := chainStatus{Chain: chainName(cfg, id), Tip: h.Tip.Height, Final: h.Final.Height, Healthy: h.Healthy, Reason: h.Reason}
			if h.Tip.Height > h.Final.Height {
				cs.Lag = h.Tip.Height - h.Final.Height
			}
			rep.Chains = append(rep.Chains, cs)
		}
		slices.SortFunc(rep.Chains, func(a, b chainStatus) int { return strings.Compare(a.Chain, b.Chain) })
		counts, err := tx.CountByState()
		if err != nil {
			return err
		}
		for s, n := range counts {
			switch s {
			case relayer.StateMinted:
				rep.Minted = n
			case relayer.StateRefundDue:
				rep.Refunds = n
			case relayer.StateRefunded:
				rep.Refunded = n
			default:
				rep.Pending[string(s)] = n
			}
		}
		due, err := tx.Transfers(relayer.TransferQuery{States: []relayer.State{relayer.StateRefundDue}})
		if err != nil {
			return err
		}
		for _, t := range due {
			if why := rel.ClaimReason(t); why != "" {
				rep.Claims = append(rep.Claims, t.ID+": "+why)
			}
		}
		burns, err := tx.Burns(relayer.BurnQuery{})
		if err != nil {
			return err
		}
		for _, b := range burns {
			rep.Burns[string(b.State)]++
			if b.Unpayable != "" {
				rep.Unpayable = append(rep.Unpayable, b.ID+": "+b.Unpayable)
			}
		}
		spends, err := tx.Spends(relayer.SpendQuery{})
		if err != nil {
			return err
		}
		for _, sp := range spends {
			rep.Spends[string(sp.Kind)+" "+string(sp.State)]++
		}
		if v, ok, err := tx.Setting(daemon.SettingStatus); err != nil {
			return err
		} else if ok {
			var s daemon.StatusSnapshot
			if json.Unmarshal([]byte(v), &s) == nil {
				rep.Peers, rep.Drops, rep.Recorded = s.Peers, s.Drops, s.At
			}
		}
		if n := rep.Signers.Next; n != nil {
			for _, c := range cfg.Chains {
				id, ok, err := relayer.RotatedSet(tx, c.ID)
				if err != nil {
					return err
				}
				if ok && id >= n.SetID {
					n.Rotated = append(n.Rotated, chainName(cfg, c.ID))
				} else {
					n.Waiting = append(n.Waiting, chainName(cfg, c.ID))
				}
			}
		}
		seq, hash, ok, err := tx.JournalHead()
		if err != nil {
			return err
		}
		if ok {
			rep.Journal = journalStatus{Seq: seq, Hash: hex.EncodeToString(hash[:])}
		}
		return nil
	})
	return rep, err
}

func chainName(cfg *config.Config, id chains.ID) string {
	if id == chains.FluxL1 {
		return "flux"
	}
	for _, c := range cfg.Chains {
		if c.ID == id && c.Name != "" {
			return fmt.Sprintf("%s (%s)", c.Name, id)
		}
	}
	return id.String()
}

func printStatus(w io.Writer, r statusReport) {
	fmt.Fprintf(w, "relayer %s  data %s\n", r.Address, r.DataDir)
	switch {
	case r.Halted != "":
		fmt.Fprintf(w, "signing: HALTED (%s)\n", r.Halted)
	case r.Paused != "":
		fmt.Fprintf(w, "signing: paused (%s)\n", r.Paused)
	default:
		fmt.Fprintln(w, "signing: on")
	}
	sg := r.Signers
	fmt.Fprintf(w, "signer set %d: %d of %d\n", sg.SetID, sg.Threshold, sg.Members)
	if n := sg.Next; n != nil {
		fmt.Fprintf(w, "next signer set %d: %d of %d from FLUX height %d; bridges rotated: %s; waiting: %s\n",
			n.SetID, n.Threshold, n.Members, n.Activation, orNone(strings.Join(n.Rotated, ", ")), orNone(strings.Join(n.Waiting, ", ")))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nCHAIN\tTIP\tFINAL\tLAG\tHEALTH")
	for _, c := range r.Chains {
		health := "ok"
		if !c.Healthy {
			health = "unhealthy: " + c.Reason
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", c.Chain, c.Tip, c.Final, c.Lag, health)
	}
	tw.Flush()
	var states []string
	for s, n := range r.Pending {
		states = append(states, fmt.Sprintf("%s %d", s, n))
	}
	slices.Sort(states)
	fmt.Fprintf(w, "\ntransfers: %d minted, %d refund due, %d refunded, pending: %s\n", r.Minted, r.Refunds, r.Refunded, orNone(strings.Join(states, ", ")))
	for _, c := range r.Claims {
		fmt.Fprintf(w, "  claim: %s\n", c)
	}
	fmt.Fprintf(w, "burns: %s\n", orNone(counts(r.Burns)))
	for _, u := range r.Unpayable {
		fmt.Fprintf(w, "  unpayable: %s\n", u)
	}
	fmt.Fprintf(w, "reserve spends: %s\n", orNone(counts(r.Spends)))
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nPEER\tADDRESS\tCONNECTED\tLAST SEEN\tFLUX TIP")
	for _, p := range r.Peers {
		seen := "never"
		if !p.LastSeen.IsZero() {
			seen = p.LastSeen.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%v\t%s\t%d\n", p.ID, p.Addr, p.Connected, seen, p.FluxHeight)
	}
	tw.Flush()
	if len(r.Drops) > 0 {
		fmt.Fprintf(w, "\ndropped peer messages: %v\n", r.Drops)
	}
	fmt.Fprintf(w, "\njournal: %d entries, head %s\n", r.Journal.Seq, orNone(r.Journal.Hash))
	if !r.Recorded.IsZero() {
		fmt.Fprintf(w, "(recorded by the running relayer at %s)\n", r.Recorded.UTC().Format(time.RFC3339))
	}
}

// counts formats a count per name, sorted by name.
func counts(m map[string]int) string {
	var out []string
	for k, n := range m {
		out = append(out, fmt.Sprintf("%s %d", k, n))
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
