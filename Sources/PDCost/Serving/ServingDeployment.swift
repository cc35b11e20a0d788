/// How one model is deployed for serving: the parallel layout of one engine replica, how many
/// replicas, the storage precisions, the engine and its settings.
///
/// A replica spans `tp × pp` GPUs: tensor parallelism inside one node (Megatron column/row
/// split, Shoeybi et al. 2019, arXiv 1909.08053 §3; vLLM, SGLang and TensorRT-LLM all keep TP
/// on NVLink), pipeline stages across GPUs or nodes. Replicas serve disjoint requests.
public struct ServingDeployment: Sendable, Hashable {
    public var tp: Int
    public var pp: Int
    /// Independent engine replicas (data parallelism over requests).
    public var replicas: Int
    /// MoE experts placed whole on the TP ranks (expert parallelism, EP = tp: vLLM
    /// `--enable-expert-parallel`, SGLang `--ep-size`) instead of each expert split over TP;
    /// tokens then reach their experts by all-to-all.
    public var expertParallel: Bool
    /// Attention data parallel over the TP ranks: every rank holds all attention weights and
    /// its own sequences' KV cache (SGLang `--enable-dp-attention`, DeepSeek-V3 serving, arXiv
    /// 2412.19437 §3.4); the FFN/experts stay split across the ranks.
    public var attentionDataParallel: Bool
    public var weightPrecision: WeightPrecision
    public var kvCachePrecision: KVCachePrecision
    public var engine: ServingEngine
    public var settings: ServingSettings

    public init(tp: Int = 1, pp: Int = 1, replicas: Int = 1, expertParallel: Bool = false,
                attentionDataParallel: Bool = false, weightPrecision: WeightPrecision = .bf16,
                kvCachePrecision: KVCachePrecision = .bf16, engine: ServingEngine = .vllm,
                settings: ServingSettings = ServingSettings()) {
        self.tp = tp
        self.pp = pp
        self.replicas = replicas
        self.expertParallel = expertParallel
        self.attentionDataParallel = attentionDataParallel
        self.weightPrecision = weightPrecision
        self.kvCachePrecision = kvCachePrecision
        self.engine = engine
        self.settings = settings
    }

    /// GPUs of one replica.
    public var gpusPerReplica: Int { tp * pp }
    /// GPUs of the whole deployment.
    public var numGPUs: Int { tp * pp * replicas }

    /// Checks the deployment against a model and a cluster; errors name the field and value.
    public func validated(model m: ModelSpec, cluster: Cluster) throws(PDCostError) -> ServingDeployment {
        try PDCostLimits.parallelDegree.check(tp, field: "tp")
        try PDCostLimits.parallelDegree.check(pp, field: "pp")
        try PDCostLimits.parallelDegree.check(replicas, field: "replicas")
        if tp > cluster.gpusPerNode {
            throw .infeasible("tp=\(tp) exceeds gpus_per_node=\(cluster.gpusPerNode): serving TP stays in one node")
        }
        if tp * pp * replicas > cluster.numGPUs {
            throw .infeasible("tp*pp*replicas=\(tp * pp * replicas) exceeds num_gpus=\(cluster.numGPUs)")
        }
        if pp > m.numLayers {
            throw .infeasible("pp=\(pp) exceeds num_hidden_layers=\(m.numLayers)")
        }
        if !attentionDataParallel {
            // vLLM requires the attention heads to divide evenly (ModelConfig.verify_with_parallel_config).
            if m.numAttentionHeads % tp != 0 {
                throw .infeasible("tp=\(tp) does not divide num_attention_heads=\(m.numAttentionHeads)")
            }
            if m.mla == nil, m.numKeyValueHeads % tp != 0, tp % m.numKeyValueHeads != 0 {
                throw .infeasible("tp=\(tp) neither divides nor is a multiple of num_key_value_heads=\(m.numKeyValueHeads)")
            }
        }
        if expertParallel {
            guard let moe = m.moe else {
                throw .invalidArgument("expert_parallel=true needs an MoE model; \(m.name) has no experts")
            }
            if moe.numExperts % tp != 0 {
                throw .infeasible("expert_parallel over tp=\(tp) does not divide num_experts=\(moe.numExperts)")
            }
        }
        if attentionDataParallel, tp == 1 {
            throw .invalidArgument("attention_data_parallel=true needs tp > 1 (attention is replicated over the TP ranks)")
        }
        for field in ServingSettings.fields {
            if let v = field.get(settings) { _ = try field.kind.validated(v, key: "serving.\(field.key)") }
        }
        switch weightPrecision {
        case .fp4 where !cluster.gpu.supportsFP4:
            // FP4 checkpoints have no dequantising kernel path on pre-Blackwell GPUs in
            // TensorRT-LLM or vLLM (ModelOpt NVFP4 needs sm_100).
            throw .unsupported("weight_precision=fp4 needs FP4 tensor cores; \(cluster.gpu.name) has none")
        default: break
        }
        return self
    }
}
