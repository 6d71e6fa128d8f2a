// Package chainrpc carries the chain contract (package chains) across a
// process boundary: a foreign chain's Source and Sink run in a plugin process
// (hashicorp/go-plugin over gRPC) and the relayer uses them through the same
// interfaces as the in-process FLUX light node (DESIGN §2, §8).
//
// The plugin side calls Serve with a Factory. The host side calls Start,
// which launches the binary after checking its SHA-256, negotiates the
// protocol version with mutual TLS, configures the plugin, and returns a
// Plugin whose Source and Sink stay valid across restarts: a supervisor pings
// the plugin and restarts it, with backoff, when it dies or stops answering.
//
// The public Go contract is package chains; the proto in proto/ is its
// frozen wire form (protocol 1), converted field by field in convert.go.
// Errors keep their kind and operation across the boundary; a service the
// plugin does not offer ("unimplemented") is an absent capability.
package chainrpc

import (
	"context"
	"errors"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// ProtocolVersion is the chain plugin protocol this package speaks. A new
// incompatible protocol gets the next number and its own entry in the
// versioned plugin sets, so hosts and plugins of different ages negotiate.
const ProtocolVersion = 1

// PluginName is the name of the one plugin a chain plugin binary serves.
const PluginName = "chain"

// Handshake is the go-plugin handshake. The magic cookie only tells a plugin
// binary it was started by a fluxbridge host; it is not a secret (the pinned
// SHA-256 of the binary is what the host trusts).
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "FLUXBRIDGE_CHAIN_PLUGIN",
	MagicCookieValue: "7f3c9a1e4b2d8c6f0a5e9d3b1c7f2a48",
}

// ErrChecksumMismatch is the cause of the fault.Invalid error Start returns
// when the plugin binary's SHA-256 is not the pinned one.
var ErrChecksumMismatch = errors.New("the plugin binary does not match its pinned SHA-256")

// ErrIncompatible is the cause of the fault.Invalid error Start returns when
// the binary is a plugin for another host (a different magic cookie) or
// speaks no protocol version this host knows.
var ErrIncompatible = errors.New("the plugin binary is not a compatible fluxbridge chain plugin")

// grpcPlugin is the go-plugin glue: on the plugin side it registers the
// services of srv, on the host side it hands over the connection.
type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	srv *server // nil on the host side
}

// GRPCServer registers the chain services on the plugin's gRPC server.
func (p *grpcPlugin) GRPCServer(_ *plugin.GRPCBroker, g *grpc.Server) error {
	if p.srv == nil {
		return errors.New("chainrpc: no server to register (host-side plugin set)")
	}
	p.srv.register(g)
	return nil
}

// GRPCClient returns the connection the host's wrappers use.
func (p *grpcPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, cc *grpc.ClientConn) (any, error) {
	return cc, nil
}

// servePlugins is the set a plugin serves, by protocol version.
func servePlugins(srv *server) map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{ProtocolVersion: {PluginName: &grpcPlugin{srv: srv}}}
}

// hostPlugins is the set the host accepts, by protocol version.
func hostPlugins() map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{ProtocolVersion: {PluginName: &grpcPlugin{}}}
}

// CleanupClients kills every plugin process this process started. A binary
// hosting plugins defers it in main so no plugin outlives it, even when a
// Plugin was never closed.
func CleanupClients() { plugin.CleanupClients() }
