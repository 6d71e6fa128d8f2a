package config

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/fluxbridge/fluxbridge/fault"
)

// fixes say where the right value of a field comes from. Keys are field
// paths without their [i] indexes.
var fixes = map[string]string{
	"relayer.key":                    "set it to the 0x address `fluxbridge keys show` prints",
	"signers.member.address":         "set it to the member's 0x address, from its `fluxbridge keys export-public`",
	"signers.member.public_key":      "set it to the member's public key, from its `fluxbridge keys export-public`",
	"signers.next.member.address":    "set it to the member's 0x address, from its `fluxbridge keys export-public`",
	"signers.next.member.public_key": "set it to the member's public key, from its `fluxbridge keys export-public`",
	"chain.plugin_sha256":            "set it to `sha256sum` of the plugin binary (or plugin_unpinned = true for development)",
	"chain.plugin_config.bridge":     "set it to the 0x address of the FluxBridge contract the relayers sign for",
	"log.level":                      "want debug, info, warn or error",
}

var index = regexp.MustCompile(`\[[0-9]+\]`)

// fixOf returns the fix for the field at path, or "".
func fixOf(path string) string { return fixes[index.ReplaceAllString(path, "")] }

var (
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	tomlUnmarshaler = reflect.TypeFor[toml.Unmarshaler]()
)

// valueProblems lists every value in data that its field's type refuses,
// with the field's path (e.g. signers.member[2].address) and the fix. The
// TOML decoder stops at the first such value and names its key without the
// index of its table; Parse calls this when the decoder fails, so that one
// run reports every bad value. It returns nil when data is not TOML or has
// no such value (the decoder's error then stands).
func valueProblems(data []byte) []Problem {
	var tree map[string]any
	if err := toml.Unmarshal(data, &tree); err != nil {
		return nil
	}
	var ps []Problem
	walkTable(tree, reflect.TypeFor[Config](), "", &ps)
	return ps
}

// walkTable checks the keys of tree that name fields of the struct type t.
func walkTable(tree map[string]any, t reflect.Type, path string, ps *[]Problem) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if v, ok := tree[name]; ok && name != "" && name != "-" {
			walkValue(v, f.Type, join(path, name), ps)
		}
	}
}

// walkValue decodes v into a new value of type t as the TOML decoder would,
// through its UnmarshalTOML or UnmarshalText method, and records what they
// refuse; tables and arrays are walked into.
func walkValue(v any, t reflect.Type, path string, ps *[]Problem) {
	pt := reflect.PointerTo(t)
	var err error
	switch {
	case pt.Implements(tomlUnmarshaler):
		err = reflect.New(t).Interface().(toml.Unmarshaler).UnmarshalTOML(v)
	case pt.Implements(textUnmarshaler):
		s, ok := v.(string)
		if !ok {
			err = fmt.Errorf("want a quoted string, not %T", v)
			break
		}
		err = reflect.New(t).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
	case t.Kind() == reflect.Pointer:
		walkValue(v, t.Elem(), path, ps)
	case t.Kind() == reflect.Struct:
		if m, ok := v.(map[string]any); ok {
			walkTable(m, t, path, ps)
		}
	case t.Kind() == reflect.Slice:
		var elems []any
		switch a := v.(type) {
		case []any:
			elems = a
		case []map[string]any:
			for _, m := range a {
				elems = append(elems, m)
			}
		}
		for i, e := range elems {
			walkValue(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i), ps)
		}
	}
	for _, e := range split(err) {
		p := path
		var fe *fieldError
		if errors.As(e, &fe) {
			p, e = join(path, fe.Field), fe.Err
		}
		msg := reason(e)
		if fix := fixOf(p); fix != "" {
			msg += ": " + fix
		}
		*ps = append(*ps, Problem{p, msg})
	}
}

// split returns the errors errors.Join joined, or err alone.
func split(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

// reason is err's message without the operation and kind of a *fault.Error:
// the problem already names the field.
func reason(err error) string {
	var ce *fault.Error
	if errors.As(err, &ce) && ce.Err != nil {
		return ce.Err.Error()
	}
	return err.Error()
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
