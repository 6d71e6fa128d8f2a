package evm

import (
	"context"
	"errors"
	"testing"
)

// jsonRPCError is an error a node returns over JSON-RPC: a code and a message.
type jsonRPCError struct {
	code int
	msg  string
}

func (e jsonRPCError) Error() string  { return e.msg }
func (e jsonRPCError) ErrorCode() int { return e.code }

// The pool's refusals the sink acts on are recognised once, where the RPC
// error is classified, and the sink decides with errors.Is.
func TestTxPoolRefusalsAreClassifiedOnce(t *testing.T) {
	c := &Client{}
	ep := &endpoint{name: "rpc[0]"}
	cases := []struct {
		msg  string
		want error
	}{
		{"already known", errAlreadyKnown},
		{"nonce too low: next nonce 7, tx nonce 5", errNonceTooLow},
		{"insufficient funds for gas * price + value", nil},
	}
	for _, tc := range cases {
		err := c.classify(context.Background(), "evm.Send", ep, jsonRPCError{-32000, tc.msg})
		for _, s := range []error{errAlreadyKnown, errNonceTooLow} {
			if got := errors.Is(err, s); got != (s == tc.want) {
				t.Errorf("%q: errors.Is(%v) = %v", tc.msg, s, got)
			}
		}
	}
}
