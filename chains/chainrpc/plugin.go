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
// Errors keep their kind and operation across the boundary.
package chainrpc

import (
	"context"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
)

// ProtocolVersion is the chain plugin protocol this package speaks. A new
// incompatible protocol gets the next number and its own entry in the
// plugin sets, so hosts and plugins of different ages negotiate.
const ProtocolVersion = 1

// PluginName is the name of the one plugin a chain plugin binary serves.
const PluginName = "chain"

// Handshake is the go-plugin handshake: the magic cookie only tells a plugin
// binary it was started by a fluxbridge host (it is not a secret).
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "FLUXBRIDGE_CHAIN_PLUGIN",
	MagicCookieValue: "7f3c9a1e4b2d8c6f0a5e9d3b1c7f2a48",
}

// grpcPlugin is the go-plugin glue: the plugin side registers the services,
// the host side gets the connection.
type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	factory Factory
}

// GRPCServer registers the chain services on the plugin's gRPC server.
func (p *grpcPlugin) GRPCServer(_ *plugin.GRPCBroker, g *grpc.Server) error {
	newServer(p.factory).register(g)
	return nil
}

// GRPCClient returns the connection the host's wrappers use.
func (p *grpcPlugin) GRPCClient(_ context.Context, _ *plugin.GRPCBroker, cc *grpc.ClientConn) (any, error) {
	return cc, nil
}

// hostPlugins is the set the host accepts, by protocol version.
func hostPlugins() map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{ProtocolVersion: {PluginName: &grpcPlugin{}}}
}

// CleanupClients kills every plugin process this process started. A binary
// hosting plugins defers it in main so no plugin outlives it.
func CleanupClients() { plugin.CleanupClients() }
