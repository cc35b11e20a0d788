/// How one model is deployed for serving: tensor parallelism inside one node (PP = 1), storage
/// precisions and the engine's memory settings.
public struct ServingDeployment: Sendable, Hashable {
    /// Tensor-parallel degree: ranks of one node that split every layer (Megatron-style column/
    /// row split; Shoeybi et al. 2019, arXiv 1909.08053 §3).
    public var tp: Int
    public var weightPrecision: WeightPrecision
    public var kvCachePrecision: KVCachePrecision
    /// Share of each GPU's memory the engine may use (vLLM `gpu_memory_utilization`, default
    /// 0.9, vllm/config/cache.py; TensorRT-LLM's `free_gpu_memory_fraction`, default 0.9, is a
    /// share of the memory left after the weights instead — see `ServingMemory`).
    public var memoryFraction: Double
    /// Tokens per paged KV block (vLLM `block_size`, default 16 on CUDA, vllm/config/cache.py;
    /// TensorRT-LLM `tokens_per_block`, a power of two, docs/source/features/kvcache.md).
    public var blockSize: Int
    /// Most tokens one forward pass processes (vLLM `max_num_batched_tokens`): sizes the
    /// activation workspace the engine profiles before it allocates the cache.
    public var maxBatchedTokens: Int
    /// Memory the CUDA-graph pool keeps for the captured decode graphs, bytes. vLLM reports it
    /// after capture ("Graph capturing finished ... took X GiB"); a few hundred MiB for 7–8B
    /// models on one GPU. A measured, per-engine number: 0.5 GiB by default.
    public var cudaGraphPoolBytes: Double
    /// Other memory outside the engine's pools per GPU: CUDA context, cuBLAS workspace and NCCL
    /// buffers (the "non-torch memory" vLLM's profiler subtracts). Measured per host; 0.5 GiB by
    /// default (order of the CUDA context on Hopper; PyTorch docs, "CUDA semantics").
    public var runtimeReserveBytes: Double

    public init(tp: Int = 1, weightPrecision: WeightPrecision = .bf16,
                kvCachePrecision: KVCachePrecision = .bf16, memoryFraction: Double = 0.9,
                blockSize: Int = 16, maxBatchedTokens: Int = 8192,
                cudaGraphPoolBytes: Double = 0.5 * 1_073_741_824,
                runtimeReserveBytes: Double = 0.5 * 1_073_741_824) {
        self.tp = tp
        self.weightPrecision = weightPrecision
        self.kvCachePrecision = kvCachePrecision
        self.memoryFraction = memoryFraction
        self.blockSize = blockSize
        self.maxBatchedTokens = maxBatchedTokens
        self.cudaGraphPoolBytes = cudaGraphPoolBytes
        self.runtimeReserveBytes = runtimeReserveBytes
    }

    /// Checks the deployment against a model and a cluster; errors name the field and value.
    public func validated(model m: ModelSpec, cluster: Cluster) throws(PDCostError) -> ServingDeployment {
        try PDCostLimits.parallelDegree.check(tp, field: "tp")
        if tp > cluster.gpusPerNode {
            throw .infeasible("tp=\(tp) exceeds gpus_per_node=\(cluster.gpusPerNode): serving TP stays in one node")
        }
        if tp > cluster.numGPUs {
            throw .infeasible("tp=\(tp) exceeds num_gpus=\(cluster.numGPUs)")
        }
        // vLLM requires the attention heads to divide evenly (ModelConfig.verify_with_parallel_config).
        if m.numAttentionHeads % tp != 0 {
            throw .infeasible("tp=\(tp) does not divide num_attention_heads=\(m.numAttentionHeads)")
        }
        if m.mla == nil, m.numKeyValueHeads % tp != 0, tp % m.numKeyValueHeads != 0 {
            throw .infeasible("tp=\(tp) neither divides nor is a multiple of num_key_value_heads=\(m.numKeyValueHeads)")
        }
        if !(memoryFraction > 0 && memoryFraction <= 1) {
            throw .invalidArgument("memory_fraction=\(memoryFraction) must be in (0, 1]")
        }
        if blockSize < 1 || blockSize > 1 << 16 {
            throw .invalidArgument("block_size=\(blockSize) must be in [1, 2^16]")
        }
        try PDCostLimits.seqLen.check(maxBatchedTokens, field: "max_batched_tokens")
        if !(cudaGraphPoolBytes >= 0 && cudaGraphPoolBytes.isFinite) {
            throw .invalidArgument("cuda_graph_pool_bytes=\(cudaGraphPoolBytes) must be finite and >= 0")
        }
        if !(runtimeReserveBytes >= 0 && runtimeReserveBytes.isFinite) {
            throw .invalidArgument("runtime_reserve_bytes=\(runtimeReserveBytes) must be finite and >= 0")
        }
        switch weightPrecision.computePrecision {
        case .fp8 where !cluster.gpu.supportsFP8:
            throw .unsupported("weight_precision=\(weightPrecision.rawValue) needs FP8 tensor cores; \(cluster.gpu.name) has none")
        default: break
        }
        if weightPrecision == .fp4, !cluster.gpu.supportsFP4 {
            throw .unsupported("weight_precision=fp4 needs FP4 tensor cores; \(cluster.gpu.name) has none")
        }
        return self
    }
}
