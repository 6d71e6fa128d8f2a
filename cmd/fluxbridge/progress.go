package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/fluxbridge/fluxbridge/chains/flux"
)

// isTerminal reports whether w is a character device (an interactive terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// writeLine prints v as one JSON line.
func writeLine(w io.Writer, v any) {
	b, _ := json.Marshal(v) // the result types always marshal
	fmt.Fprintf(w, "%s\n", b)
}

// progressBar draws sync progress on a terminal and nothing elsewhere.
type progressBar struct {
	w       io.Writer
	on      bool
	target  int32
	started time.Time
	first   int32
	drawn   bool
}

func newProgressBar(w io.Writer, target int32) *progressBar {
	return &progressBar{w: w, on: isTerminal(w), target: target, started: time.Now(), first: -1}
}

func (b *progressBar) draw(p flux.Progress) {
	if !b.on {
		return
	}
	if b.first < 0 {
		b.first = p.Height
	}
	goal := b.target
	if goal < 0 {
		goal = max(p.BestPeerHeight, p.HeaderHeight, p.Height)
	}
	frac := 1.0
	if goal > 0 {
		frac = min(1, float64(p.Height)/float64(goal))
	}
	const width = 30
	filled := int(frac * width)
	rate := float64(p.Height-b.first) / max(time.Since(b.started).Seconds(), 1e-9)
	fmt.Fprintf(b.w, "\r[%s%s] %d/%d  %.0f blocks/s  %d peers  %d fluxnodes ",
		strings.Repeat("=", filled), strings.Repeat(" ", width-filled), p.Height, goal, rate, p.Peers, p.Fluxnodes)
	b.drawn = true
}

func (b *progressBar) finish(p flux.Progress) {
	if b.on && b.drawn {
		b.draw(p)
		fmt.Fprintln(b.w)
	}
}
