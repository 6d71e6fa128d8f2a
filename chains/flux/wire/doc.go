// Package wire encodes and decodes the FLUX peer-to-peer protocol: the 24-byte
// message framing, the messages a light client exchanges, and block headers in
// both their PoW and PoN encodings.
//
// Every count and length is checked against a named maximum before anything is
// allocated; decode failures are *codec.Error values. The package does no I/O
// beyond the io.Reader/io.Writer it is handed and does not log.
package wire
