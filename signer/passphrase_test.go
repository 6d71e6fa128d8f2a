package signer_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fluxbridge/fluxbridge/fault"
	"github.com/fluxbridge/fluxbridge/signer"
)

func writePassFile(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // despite the umask
		t.Fatal(err)
	}
	return path
}

func TestPassphraseFromFileTrimsOneNewline(t *testing.T) {
	tests := []struct{ content, want string }{
		{"secret", "secret"},
		{"secret\n", "secret"},
		{"secret\r\n", "secret"},
		{"secret\n\n", "secret\n"},
		{" secret \n", " secret "},
	}
	for _, tt := range tests {
		got, err := signer.PassphraseFromFile(writePassFile(t, tt.content, 0o600))
		if err != nil || got != tt.want {
			t.Errorf("file %q: got %q, %v; want %q", tt.content, got, err, tt.want)
		}
	}
}

func TestPassphraseFromFileRefusals(t *testing.T) {
	t.Run("world readable", func(t *testing.T) {
		path := writePassFile(t, "secret\n", 0o644)
		_, err := signer.PassphraseFromFile(path)
		var perr *signer.InsecurePermissionsError
		if !errors.As(err, &perr) || perr.Path != path || !strings.Contains(err.Error(), "chmod 600 "+path) {
			t.Errorf("err = %v, want an InsecurePermissionsError with the fix", err)
		}
	})
	t.Run("group readable is allowed", func(t *testing.T) {
		if _, err := signer.PassphraseFromFile(writePassFile(t, "secret\n", 0o640)); err != nil {
			t.Errorf("err = %v", err)
		}
	})
	for name, content := range map[string]string{"empty": "", "only a newline": "\n", "too long": strings.Repeat("x", signer.MaxPassphraseLen+1)} {
		t.Run(name, func(t *testing.T) {
			_, err := signer.PassphraseFromFile(writePassFile(t, content, 0o600))
			if !errors.Is(err, signer.ErrPassphraseSource) || fault.KindOf(err) != fault.Invalid {
				t.Errorf("err = %v, want a KindInvalid ErrPassphraseSource", err)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		_, err := signer.PassphraseFromFile(filepath.Join(t.TempDir(), "nope"))
		if !errors.Is(err, signer.ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
	})
}

func TestPassphraseFromEnv(t *testing.T) {
	t.Setenv("FLUXBRIDGE_TEST_PASS", "from env")
	if got, err := signer.PassphraseFromEnv("FLUXBRIDGE_TEST_PASS"); err != nil || got != "from env" {
		t.Errorf("got %q, %v", got, err)
	}
	t.Setenv("FLUXBRIDGE_TEST_EMPTY", "")
	for _, name := range []string{"FLUXBRIDGE_TEST_EMPTY", "FLUXBRIDGE_TEST_UNSET_7f3a", ""} {
		_, err := signer.PassphraseFromEnv(name)
		if !errors.Is(err, signer.ErrPassphraseSource) || fault.KindOf(err) != fault.Invalid {
			t.Errorf("%q: err = %v, want a KindInvalid ErrPassphraseSource", name, err)
		}
		if name != "" && !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name the variable: %v", err)
		}
	}
}

func TestPassphraseFromTerminalReadsOneLine(t *testing.T) {
	tests := []struct{ input, want, rest string }{
		{"secret\nnext line", "secret", "next line"},
		{"secret\r\n", "secret", ""},
		{"no newline at the end", "no newline at the end", ""},
	}
	for _, tt := range tests {
		in := strings.NewReader(tt.input)
		var out bytes.Buffer
		got, err := signer.PassphraseFromTerminal("Key passphrase: ", in, &out)
		if err != nil || got != tt.want {
			t.Errorf("input %q: got %q, %v; want %q", tt.input, got, err, tt.want)
		}
		if out.String() != "Key passphrase: " {
			t.Errorf("prompt output %q", out.String())
		}
		// Nothing after the line is consumed.
		rest, _ := io.ReadAll(in)
		if string(rest) != tt.rest {
			t.Errorf("input %q: left %q, want %q", tt.input, rest, tt.rest)
		}
	}
}

func TestPassphraseFromTerminalRefusals(t *testing.T) {
	for name, input := range map[string]string{
		"empty input": "",
		"empty line":  "\n",
		"too long":    strings.Repeat("y", signer.MaxPassphraseLen+1) + "\n",
	} {
		_, err := signer.PassphraseFromTerminal("p: ", strings.NewReader(input), io.Discard)
		if !errors.Is(err, signer.ErrPassphraseSource) {
			t.Errorf("%s: err = %v, want ErrPassphraseSource", name, err)
		}
	}
	_, err := signer.PassphraseFromTerminal("p: ", io.MultiReader(strings.NewReader("par"), errReader{}), nil)
	if err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("read error: %v", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestPassphraseResolverPicksExactlyOneSource(t *testing.T) {
	t.Setenv("FLUXBRIDGE_TEST_PASS", "env secret")
	file := writePassFile(t, "file secret\n", 0o600)
	tests := []struct {
		name    string
		src     signer.PassphraseSource
		want    string
		wantErr string
	}{
		{"file", signer.PassphraseSource{File: file}, "file secret", ""},
		{"env", signer.PassphraseSource{Env: "FLUXBRIDGE_TEST_PASS"}, "env secret", ""},
		{"prompt", signer.PassphraseSource{Prompt: true}, "typed secret", ""},
		{"none", signer.PassphraseSource{}, "", "none set"},
		{"file and env", signer.PassphraseSource{File: file, Env: "FLUXBRIDGE_TEST_PASS"}, "", "file, env are all set"},
		{"env and prompt", signer.PassphraseSource{Env: "FLUXBRIDGE_TEST_PASS", Prompt: true}, "", "env, prompt are all set"},
		{"all three", signer.PassphraseSource{File: file, Env: "X", Prompt: true}, "", "file, env, prompt are all set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			got, err := signer.Passphrase(tt.src, "", strings.NewReader("typed secret\n"), &out)
			if tt.wantErr != "" {
				if !errors.Is(err, signer.ErrPassphraseSource) || fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err = %v, want a KindInvalid ErrPassphraseSource saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
			if tt.src.Prompt != (out.String() == signer.DefaultPrompt) {
				t.Errorf("prompt output %q", out.String())
			}
		})
	}
}
