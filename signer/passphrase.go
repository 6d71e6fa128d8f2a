package signer

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/fluxbridge/fluxbridge/fault"
)

// MaxPassphraseLen is the longest passphrase accepted from any source, in
// bytes.
const MaxPassphraseLen = 4096

// DefaultPrompt is the prompt Passphrase shows when none is given.
const DefaultPrompt = "Passphrase: "

// PassphraseSource says where a key's passphrase comes from. Exactly one of
// its fields must be set.
type PassphraseSource struct {
	// File is a file holding the passphrase; one trailing newline is
	// trimmed. It must not be accessible to others (chmod 600).
	File string
	// Env is the name of an environment variable holding the passphrase.
	// Plugins are started with the relayer's environment unless the caller
	// scrubs it, so prefer File in production.
	Env string
	// Prompt asks for the passphrase on the terminal, without echo.
	Prompt bool
}

// Passphrase reads the passphrase from the one source src names. For a
// prompt it shows prompt (DefaultPrompt if empty) on out and reads a line
// from in. It fails with an error wrapping ErrPassphraseSource, of kind
// fault.Invalid, when no source or several are set, or when the source
// gives no passphrase.
func Passphrase(src PassphraseSource, prompt string, in io.Reader, out io.Writer) (string, error) {
	const op = "signer.Passphrase"
	var set []string
	if src.File != "" {
		set = append(set, "file")
	}
	if src.Env != "" {
		set = append(set, "env")
	}
	if src.Prompt {
		set = append(set, "prompt")
	}
	switch {
	case len(set) == 0:
		return "", fault.E(op, fault.Invalid,
			fmt.Errorf("%w: none set; set exactly one of a passphrase file, an environment variable or a terminal prompt", ErrPassphraseSource))
	case len(set) > 1:
		return "", fault.E(op, fault.Invalid,
			fmt.Errorf("%w: %s are all set; set exactly one", ErrPassphraseSource, strings.Join(set, ", ")))
	case src.File != "":
		return PassphraseFromFile(src.File)
	case src.Env != "":
		return PassphraseFromEnv(src.Env)
	default:
		if prompt == "" {
			prompt = DefaultPrompt
		}
		return PassphraseFromTerminal(prompt, in, out)
	}
}

// PassphraseFromFile reads a passphrase from a file, trimming one trailing
// newline ("\n" or "\r\n"). It refuses a file that others may read or write
// (an *InsecurePermissionsError) and an empty passphrase.
func PassphraseFromFile(path string) (string, error) {
	const op = "signer.PassphraseFromFile"
	data, err := readPrivateFile(op, path, MaxPassphraseLen+2, 0o007, KeyFileMode)
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			return "", fault.E(op, fault.Invalid, fmt.Errorf("%w: %s is not a regular file of at most %d bytes", ErrPassphraseSource, path, MaxPassphraseLen))
		}
		return "", err
	}
	s := string(data)
	if strings.HasSuffix(s, "\r\n") {
		s = s[:len(s)-2]
	} else if strings.HasSuffix(s, "\n") {
		s = s[:len(s)-1]
	}
	if err := checkPassphrase(s); err != nil {
		return "", fault.E(op, fault.Invalid, fmt.Errorf("%s: %w", path, err))
	}
	return s, nil
}

// PassphraseFromEnv reads a passphrase from the environment variable name,
// which must be set and non-empty.
func PassphraseFromEnv(name string) (string, error) {
	const op = "signer.PassphraseFromEnv"
	if name == "" {
		return "", fault.E(op, fault.Invalid, fmt.Errorf("%w: no environment variable named", ErrPassphraseSource))
	}
	v, ok := os.LookupEnv(name)
	if !ok {
		return "", fault.E(op, fault.Invalid, fmt.Errorf("%w: environment variable %s is not set", ErrPassphraseSource, name))
	}
	if err := checkPassphrase(v); err != nil {
		return "", fault.E(op, fault.Invalid, fmt.Errorf("environment variable %s: %w", name, err))
	}
	return v, nil
}

// PassphraseFromTerminal writes prompt to w and reads one line from r. When
// r is a terminal (an *os.File such as os.Stdin attached to a tty) echo is
// turned off while the line is typed and restored afterwards; otherwise
// (a pipe, a file, a test) the line is read as is. Nothing beyond the end of
// the line is consumed from r. A trailing "\r" is removed; an empty line is
// refused.
func PassphraseFromTerminal(prompt string, r io.Reader, w io.Writer) (string, error) {
	const op = "signer.PassphraseFromTerminal"
	if r == nil {
		return "", fault.E(op, fault.Invalid, fmt.Errorf("%w: no input to read from", ErrPassphraseSource))
	}
	if w == nil {
		w = io.Discard
	}
	restore, err := disableEcho(r)
	if err != nil {
		return "", fault.E(op, fault.Internal, fmt.Errorf("turning terminal echo off: %w", err))
	}
	_, perr := io.WriteString(w, prompt)
	line, rerr := readLine(r, MaxPassphraseLen)
	if restore != nil {
		// The user's Enter was not echoed either; end the prompt line.
		io.WriteString(w, "\n")
		if err := restore(); err != nil {
			return "", fault.E(op, fault.Internal, fmt.Errorf("restoring terminal echo: %w", err))
		}
	}
	if perr != nil {
		return "", fault.E(op, fault.Internal, fmt.Errorf("writing prompt: %w", perr))
	}
	if rerr != nil {
		return "", fault.E(op, fault.Invalid, fmt.Errorf("%w: %w", ErrPassphraseSource, rerr))
	}
	if err := checkPassphrase(line); err != nil {
		return "", fault.E(op, fault.Invalid, err)
	}
	return line, nil
}

// checkPassphrase refuses an empty or oversized passphrase.
func checkPassphrase(s string) error {
	if s == "" {
		return fmt.Errorf("%w: empty passphrase", ErrPassphraseSource)
	}
	if len(s) > MaxPassphraseLen {
		return fmt.Errorf("%w: passphrase longer than %d bytes", ErrPassphraseSource, MaxPassphraseLen)
	}
	return nil
}

// readLine reads up to and including the next "\n" one byte at a time, so
// that nothing after the line is consumed, and returns the line without
// "\n" or "\r\n". End of input after at least one byte ends the line.
func readLine(r io.Reader, max int) (string, error) {
	var (
		line []byte
		b    [1]byte
	)
	for {
		n, err := r.Read(b[:])
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			if len(line) == max+1 {
				clear(line)
				return "", fmt.Errorf("line longer than %d bytes", max)
			}
			line = append(line, b[0])
			continue
		}
		if errors.Is(err, io.EOF) {
			if len(line) == 0 {
				return "", errors.New("end of input before a passphrase")
			}
			break
		}
		if err != nil {
			clear(line)
			return "", fmt.Errorf("reading passphrase: %w", err)
		}
	}
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	s := string(line)
	clear(line)
	return s, nil
}
