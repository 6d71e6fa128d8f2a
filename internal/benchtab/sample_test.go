package benchtab

// The figures of testdata/make-bench.txt the tests check, read off its lines.
const (
	sampleSigVerify      float64 = 29668  // chains/flux/sig BenchmarkVerify ns/op
	sampleJournalVerify  float64 = 38999  // relayer/journal BenchmarkVerify ns/op
	sampleEquihash200_9  float64 = 153410 // chains/flux/equihash BenchmarkVerify/200_9 ns/op
	sampleSecpVerify     float64 = 28473  // chains/flux/header BenchmarkFloor/secp256k1_verify ns/op
	sampleSecpN          int64   = 43281  // … its iterations
	sampleSHA144         float64 = 255.4  // BenchmarkFloor/sha256d_144 ns/op
	sampleSHA72          float64 = 215.3  // BenchmarkFloor/sha256d_72 ns/op
	samplePoN            float64 = 30907  // BenchmarkVerifyHeader/pon_2996914_with_signature ns/op
	samplePoNStatus              = StatusMet
	sampleSyncRate       float64 = 11334  // cmd/fluxbridge BenchmarkSync50000Blocks blocks/s
	sampleSyncFloorRate  float64 = 30101  // … floor_blocks/s
	sampleSyncOfTwoCores float64 = 0.1883 // … of_two_core_floor
	sampleSyncRSS10k     float64 = 39.85  // … peakRSS_MiB@10k
	sampleSyncRSS50k     float64 = 42.31  // … peakRSS_MiB@50k
	sampleLockRate       float64 = 82.50  // internal/devnet BenchmarkLockToMint transfers/s
	sampleLockP99        float64 = 6062   // … p99-ms
	sampleGas3of4Single  float64 = 119143 // contracts/evm BenchmarkMintGas/3of4 gas/mint
	sampleGas10of15x100  float64 = 56578  // internal/benchtab/mintgas BenchmarkMintBatchGas/10of15/batch=100 gas/mint
	sampleRelayerRSS1k   float64 = 61.99  // internal/devnet BenchmarkRelayerRSS relayer-rss-1k-MiB
	sampleRelayerRSS10k  float64 = 97.77  // … relayer-rss-10k-MiB
	samplePluginRSS1k    float64 = 32.09  // … plugin-rss-1k-MiB
	samplePluginRSS10k   float64 = 35.51  // … plugin-rss-10k-MiB
)
