/// Reads `quantization_config` into the weight format a checkpoint ships in.
///
/// Methods (transformers `utils/quantization_config.py` `QuantizationMethod`; NVIDIA ModelOpt
/// `hf_quant_config.json`; compressed-tensors `QuantizationArgs`):
/// - `fp8` (DeepSeek-V3, Qwen3-FP8, MiniMax-M2 block-scaled E4M3) → FP8;
/// - `mxfp4` (GPT-OSS MoE weights; OCP MX v1.0) → MXFP4;
/// - `modelopt` with `quant_algo` FP8 / NVFP4 → FP8 / NVFP4;
/// - `awq`, `gptq` with 4 bits → INT4 weight-only;
/// - `compressed-tensors`: the weights of its first group (4-bit int → INT4, 8-bit float →
///   FP8, 4-bit float → NVFP4).
/// Anything else is reported as a warning and left unstated (nil), never guessed.
enum QuantizationReader {
    static func precision(_ q: QuantizationConfig?, warnings: inout [String]) -> CheckpointPrecision? {
        guard let q else { return nil }
        let method = (q.quantMethod ?? "").lowercased()
        switch method {
        case "fp8": return .fp8
        case "mxfp4": return .mxfp4
        case "modelopt":
            switch (q.quantAlgo ?? "").uppercased() {
            case "FP8": return .fp8
            case "NVFP4": return .nvfp4
            default: break
            }
        case "awq", "gptq":
            if (q.bits ?? q.wBit) == 4 { return .int4 }
        case "compressed-tensors":
            let groups = (q.configGroups ?? [:]).sorted { $0.key < $1.key }
            if let weights = groups.first?.value.weights {
                switch (weights.numBits, weights.type) {
                case (4, "int"): return .int4
                case (8, "float"): return .fp8
                case (4, "float"): return .nvfp4
                default: break
                }
            }
        default: break
        }
        warnings.append("quantization_config: quant_method='\(q.quantMethod ?? "")'"
                        + (q.quantAlgo.map { " quant_algo='\($0)'" } ?? "")
                        + " is not understood; the checkpoint's weight precision is left unstated")
        return nil
    }

    /// The config that reads back to `p` (canonical JSON).
    static func config(for p: CheckpointPrecision) -> QuantizationConfig {
        switch p {
        case .fp8: QuantizationConfig(quantMethod: "fp8")
        case .mxfp4: QuantizationConfig(quantMethod: "mxfp4")
        case .nvfp4: QuantizationConfig(quantMethod: "modelopt", quantAlgo: "NVFP4")
        case .int4: { var q = QuantizationConfig(quantMethod: "awq"); q.bits = 4; return q }()
        }
    }
}
