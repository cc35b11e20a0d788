/// Storage formats of an inference deployment: how the weights and the KV cache are held in HBM.
///
/// Bytes per element include the block-scale overhead of the quantised formats, because a
/// decode step streams those scales with the weights.
public enum WeightPrecision: String, Sendable, Hashable, CaseIterable {
    case bf16, fp16
    /// FP8 E4M3 weights with per-tensor (or per-channel) scales: the scales are one value per
    /// tensor or per output row, < 0.1 % of the bytes, not counted (vLLM `Fp8LinearMethod`,
    /// vllm/model_executor/layers/quantization/fp8.py).
    case fp8
    /// NVFP4: 4-bit E2M1 values with one FP8 E4M3 scale per block of 16 values (plus one FP32
    /// per-tensor scale, not counted): 0.5 + 1/16 = 0.5625 B per weight (NVIDIA, "Introducing
    /// NVFP4 for Efficient and Accurate Low-Precision Inference", 2025; OCP MX spec v1.0 for
    /// the E2M1 element format).
    case fp4
    /// 4-bit integer weights, 16-bit activations (AWQ, Lin et al. 2024, arXiv 2306.00978; GPTQ,
    /// Frantar et al. 2023, arXiv 2210.17323) at group size 128: per group one fp16 scale (2 B)
    /// and one 4-bit zero point packed eight to an int32 (0.5 B) — the `scales`/`qzeros` tensors
    /// of the AutoAWQ/AutoGPTQ checkpoint layout: 0.5 + 2.5/128 = 0.51953125 B per weight.
    case int4WeightOnly = "int4_wo"

    /// HBM bytes per weight, block scales included.
    public var bytesPerElement: Double {
        switch self {
        case .bf16, .fp16: 2
        case .fp8: 1
        case .fp4: 0.5 + 1.0 / 16.0
        case .int4WeightOnly: 0.5 + 2.5 / 128.0
        }
    }

    /// The tensor-core precision the GEMMs run in. FP4 runs on FP8 peaks here: `GPUSpec` has no
    /// FP4 peak yet (Blackwell doubles it), so FP4 compute time is an upper bound. INT4
    /// weight-only kernels (Marlin, AWQ GEMM) dequantise to fp16 and multiply at the 16-bit rate.
    public var computePrecision: Precision {
        switch self {
        case .bf16, .int4WeightOnly: .bf16
        case .fp16: .fp16
        case .fp8, .fp4: .fp8
        }
    }
}

/// The KV cache's element format (vLLM `--kv-cache-dtype`, vllm/config/cache.py `CacheDType`).
public enum KVCachePrecision: String, Sendable, Hashable, CaseIterable {
    case bf16, fp16
    /// FP8 E4M3/E5M2 with per-tensor scales (vLLM `fp8`): 1 B per element.
    case fp8

    public var bytesPerElement: Double {
        switch self {
        case .bf16, .fp16: 2
        case .fp8: 1
        }
    }
}
