// Package mintgas holds BenchmarkMintBatchGas, the gas per mint of the
// bridge's mintBatch by quorum and batch size, for the benchmark table
// (make bench). contracts/evm's BenchmarkMintGas reports single mints only
// (its batch figures are logged by TestMintBatchGasTable, a test); once it
// reports sub-benchmarks named <k>of<n>/batch=<N> the table takes those and
// this package can go.
package mintgas
