package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
)

// devnetReady is the part of fluxbridge-devnet's first JSON line the test reads.
type devnetReady struct {
	EVMRPC   string   `json:"evm_rpc"`
	Bridge   string   `json:"bridge"`
	Relayers []string `json:"relayer_configs"`
}

// process is a child process whose output lines the test reads.
type process struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	lines []string
	done  chan error
}

func startProcess(t *testing.T, name string, bin string, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin, args...), done: make(chan error, 1)}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(t.TempDir(), name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = logf
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
		}
		p.done <- p.cmd.Wait()
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("%s stderr (last 3000 bytes):\n%s", name, tail(string(b), 3000))
		}
	})
	return p
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func (p *process) line(i int) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i < len(p.lines) {
		return p.lines[i], true
	}
	return "", false
}

func waitUntil(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// childrenOf lists the processes whose parent is pid (from /proc).
func childrenOf(t *testing.T, pid int) []int {
	t.Helper()
	dirs, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, d := range dirs {
		child, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		if ppid, ok := parentOf(child); ok && ppid == pid {
			out = append(out, child)
		}
	}
	return out
}

// parentOf reads a process's parent pid from /proc/<pid>/stat.
func parentOf(pid int) (int, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// pid (comm) state ppid …: comm may hold spaces, so read after its ')'.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 2 {
		return 0, false
	}
	ppid, err := strconv.Atoi(f[1])
	return ppid, err == nil
}

// running reports whether pid is alive (not gone, not a zombie).
func running(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

// TestRelayerProcessesSurviveSIGKILL runs the acceptance scenario with real
// processes: `fluxbridge-devnet --chains-only --demo` serves the chains and
// makes the locks, three `fluxbridge run` processes relay them, and one of
// them is SIGKILLed mid-run and started again. The devnet exits 0 only when
// every lock is minted exactly once.
func TestRelayerProcessesSurviveSIGKILL(t *testing.T) {
	bin := buildBinary(t)
	bins.Path(t, "cmd/fluxbridge-plugin-evm") // next to fluxbridge-devnet, where it looks for it
	devnetBin := bins.Path(t, "cmd/fluxbridge-devnet")
	dir := t.TempDir()
	const locks, burns = 30, 20
	dn := startProcess(t, "devnet", devnetBin, "--chains-only", "--demo", "--locks", fmt.Sprint(locks), "--burns", fmt.Sprint(burns),
		"--timeout", "240s", "--dir", dir, "--flux-block", "100ms")
	var ready devnetReady
	waitUntil(t, "the devnet's ready line", 60*time.Second, func() bool {
		l, ok := dn.line(0)
		return ok && json.Unmarshal([]byte(l), &ready) == nil
	})
	if len(ready.Relayers) != 3 {
		t.Fatalf("ready line names %d relayer configs", len(ready.Relayers))
	}
	relayers := make([]*process, 3)
	for i, cfg := range ready.Relayers {
		relayers[i] = startProcess(t, fmt.Sprintf("relayer-%d", i), bin, "run", "--config", cfg)
	}
	ec, err := ethclient.Dial(ready.EVMRPC)
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	mints := func() int {
		q := ethereum.FilterQuery{FromBlock: big.NewInt(0), Addresses: []common.Address{common.HexToAddress(ready.Bridge)},
			Topics: [][]common.Hash{{crypto.Keccak256Hash([]byte("Minted(bytes32,bytes32,uint32,address,uint64,uint64,uint64,uint32,uint256)"))}}}
		logs, err := ec.FilterLogs(context.Background(), q)
		if err != nil {
			return 0
		}
		return len(logs)
	}
	waitUntil(t, "the first mints", 120*time.Second, func() bool { return mints() >= 3 })
	victim := relayers[1]
	children := childrenOf(t, victim.cmd.Process.Pid)
	if len(children) == 0 {
		t.Fatal("the relayer runs no plugin process")
	}
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-victim.done
	// Nothing of the killed relayer is left: its plugin (with its submitter
	// key and RPC connections) died with it.
	waitUntil(t, "the killed relayer's plugin to die", 10*time.Second, func() bool {
		for _, pid := range children {
			if running(pid) {
				return false
			}
		}
		return true
	})
	relayers[1] = startProcess(t, "relayer-1-restarted", bin, "run", "--config", ready.Relayers[1])
	// Once the burns have begun, kill a relayer again, during the release
	// rounds, and restart it.
	burnEvents := func() int {
		q := ethereum.FilterQuery{FromBlock: big.NewInt(0), Addresses: []common.Address{common.HexToAddress(ready.Bridge)},
			Topics: [][]common.Hash{{crypto.Keccak256Hash([]byte("Burn(uint64,uint64,bytes22,address)"))}}}
		logs, err := ec.FilterLogs(context.Background(), q)
		if err != nil {
			return 0
		}
		return len(logs)
	}
	waitUntil(t, "the first burns", 150*time.Second, func() bool { return burnEvents() >= 5 })
	victim = relayers[0]
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-victim.done
	relayers[0] = startProcess(t, "relayer-0-restarted", bin, "run", "--config", ready.Relayers[0])
	var exit error
	select {
	case exit = <-dn.done:
	case <-time.After(250 * time.Second):
		t.Fatal("the devnet did not finish")
	}
	last, _ := dn.line(1)
	t.Logf("devnet result: %s", last)
	var res struct {
		Locks          int `json:"locks"`
		Minted         int `json:"minted"`
		DoubleMints    int `json:"double_mints"`
		Lost           int `json:"lost"`
		Burns          int `json:"burns"`
		Released       int `json:"released"`
		DoubleReleases int `json:"double_releases"`
		Refunds        int `json:"refunds"`
	}
	if err := json.Unmarshal([]byte(last), &res); err != nil {
		t.Fatalf("result line %q: %v", last, err)
	}
	if exit != nil || res.Locks != locks || res.Minted != locks || res.DoubleMints != 0 || res.Lost != 0 ||
		res.Burns != burns || res.Released != burns || res.DoubleReleases != 0 || res.Refunds != 2 {
		t.Fatalf("devnet exit %v, result %+v: want all %d minted and %d released exactly once, 2 refunds", exit, res, locks, burns)
	}
	// The restarted relayer lost nothing: its database knows every lock.
	var st statusReport
	out, err := exec.Command(bin, "status", "--json", "--config", ready.Relayers[1]).Output()
	if err != nil || json.Unmarshal(out, &st) != nil {
		t.Fatalf("status of the restarted relayer: %v\n%s", err, out)
	}
	known := st.Minted
	for _, n := range st.Pending {
		known += n
	}
	if known != locks || st.Pending["seen"] != 0 || st.Pending["final"] != 0 {
		t.Fatalf("the restarted relayer knows %d of %d locks (%d minted, pending %v)", known, locks, st.Minted, st.Pending)
	}
	if st.Journal.Seq == 0 {
		t.Fatal("the restarted relayer's journal is empty")
	}
}
