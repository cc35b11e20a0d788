/// Framework settings stated in a measured run's free-text `notes`.
///
/// The schema has fields for the parallel plan and the batch; the switches that change speed
/// without changing the plan (communication overlap, CUDA graphs, torch.compile, the FP8
/// recipe, MoE token dropping, which rank's memory was logged) are written in the notes by the
/// people who read the launch scripts. This reader looks for the fixed phrases those notes use
/// (below, lower-cased); anything it does not find keeps the framework's default. It never looks
/// at run ids or sources.
///
/// | setting | phrases |
/// |---|---|
/// | TP comm overlap | `tp comm overlap: true/false`, `tp comm overlap: {"enabled": true/false`, `ub_tp_comm_overlap: true/false`, `ub_tp_comm_overlap=true`, `no tp-comm overlap`, `asynctp` in the framework clause |
/// | CUDA graphs | `cuda graphs: {"enabled": true/false` |
/// | torch.compile | `torch.compile` |
/// | FP8 recipe | `current_scaling`, `fp8_cs` → current; `"scaling": "delayed"` → delayed; `rowwise` → rowwise; `tensorwise` → current |
/// | FP8 weights | `fp8_params": true`, `fp8_params=true` |
/// | grad-reduce / param-gather overlap | `overlap_grad_reduce=true`, `overlap_grad_sync=true`, `--overlap-grad-reduce`; `overlap_param_gather=true`, `overlap_param_sync=true`, `--overlap-param-gather`; `no overlap-grad-reduce/param-gather` |
/// | P2P overlap | `overlap_p2p_comm=true`; `no-overlap-p2p` |
/// | MoE capacity | `moe_expert_capacity_factor": X`; `pad_expert_input_to_capacity": true` |
/// | EP overlap | `overlap_moe_expert_parallel_comm": true` |
/// | logged rank | `last rank only` |
/// | pre-flash-attention release | a year ≤ 2021 in the `framework as published:` clause |
/// | portable attention | `nvte_fused_attn=0` |
/// | Apex distributed Adam | `distributed_fused_adam` |
/// | TE fused cross entropy | `cross_entropy_fusion_impl='te'`, `--cross-entropy-fusion-impl te` |
/// | PyTorch release | `torch 2.N` in the `framework as published:` clause |
/// | multi-stage pipeline schedule | `interleaved 1f1b`, `interleaved1f1b`, `loopedbfs`, `looped bfs`, `zerobubble`, `zero bubble`, `zbv` |
/// | deterministic mode | `--deterministic-mode`, `deterministic_mode=true`, `deterministic_mode: true`, `use_deterministic_algorithms(true)` |
/// | deterministic attention (TE) | deterministic mode, `nvte_allow_nondeterministic_algo=0`, `nvte_allow_nondeterministic_algo: 0`, `golden-value` / `golden value` (a Megatron-LM functional-test harness run) unless it also says `nvte_allow_nondeterministic_algo=1`/`: 1`, `non_determinstic_results`, `non-deterministic`, `_nondet_`, `release test` or `_release` |
public struct RunNotes: Sendable, Hashable {
    public var tpCommOverlap: Bool?
    public var cudaGraphs: Bool?
    public var compiled: Bool?
    public var fp8Recipe: FrameworkProfile.FP8Recipe?
    public var fp8Params: Bool?
    public var overlapGradReduce: Bool?
    public var overlapParamGather: Bool?
    public var overlapP2P: Bool?
    public var moeCapacityFactor: Double?
    public var moePadToCapacity: Bool?
    public var overlapExpertComm: Bool?
    /// Memory was logged by the last rank only (the last pipeline stage), not the max over ranks.
    public var memoryFromLastRank = false
    /// The framework release predates fused (flash) attention.
    public var preFlashAttention = false
    /// NeMo 1.x's Apex optimizer (`distributed_fused_adam`): bf16 gradients, 16-bit master
    /// remainders.
    public var apexDistributedAdam = false
    /// Transformer Engine told to skip cuDNN fused attention (`NVTE_FUSED_ATTN=0`): it falls
    /// back to the flash-attn package.
    public var portableAttention = false
    /// Megatron's loss runs Transformer Engine's fused cross entropy.
    public var teCrossEntropy = false
    /// Minor version of the PyTorch 2.x release the run states (`torch 2.8.0a0` → 8).
    public var torchMinorVersion: Int?
    /// PyTorch deterministic algorithms on (Megatron `--deterministic-mode`).
    public var deterministicMode = false
    /// Transformer Engine told to pick deterministic attention only
    /// (`NVTE_ALLOW_NONDETERMINISTIC_ALGO=0`; see `FrameworkProfile.deterministicAttention`).
    public var deterministicAttention = false
    /// The run names a pipeline schedule with several stages per rank (interleaved 1F1B,
    /// looped BFS, zero-bubble).
    public var multiStageSchedule = false

    public init(_ notes: String?) {
        guard let notes else { return }
        let text = notes.lowercased()

        if let v = Self.flag(text, after: ["tp comm overlap: {\"enabled\": ", "tp comm overlap: ",
                                           "ub_tp_comm_overlap: ", "ub_tp_comm_overlap="]) {
            tpCommOverlap = v
        }
        if text.contains("no tp-comm overlap") { tpCommOverlap = false }
        if let clause = Self.clause(text, "framework as published:") {
            if clause.contains("asynctp") { tpCommOverlap = true }
            if let year = Self.firstYear(clause), year <= 2021 { preFlashAttention = true }
            torchMinorVersion = Self.torchMinor(clause)
        }
        if let v = Self.flag(text, after: ["cuda graphs: {\"enabled\": "]) { cudaGraphs = v }
        if text.contains("torch.compile") { compiled = true }

        if text.contains("current_scaling") || text.contains("fp8_cs") {
            fp8Recipe = .current
        } else if text.contains("\"scaling\": \"delayed\"") {
            fp8Recipe = .delayed
        } else if text.contains("rowwise") {
            fp8Recipe = .rowwise
        } else if text.contains("tensorwise") {
            fp8Recipe = .current
        }
        if let v = Self.flag(text, after: ["fp8_params\": ", "fp8_params="]) { fp8Params = v }

        if let v = Self.flag(text, after: ["overlap_grad_reduce=", "overlap_grad_sync="]) { overlapGradReduce = v }
        if let v = Self.flag(text, after: ["overlap_param_gather=", "overlap_param_sync="]) { overlapParamGather = v }
        if text.contains("--overlap-grad-reduce") { overlapGradReduce = true }
        if text.contains("--overlap-param-gather") { overlapParamGather = true }
        if text.contains("no overlap-grad-reduce") {
            overlapGradReduce = false
            if text.contains("no overlap-grad-reduce/param-gather") { overlapParamGather = false }
        }
        if let v = Self.flag(text, after: ["overlap_p2p_comm="]) { overlapP2P = v }
        if text.contains("no-overlap-p2p") { overlapP2P = false }

        if let value = Self.number(text, after: "moe_expert_capacity_factor\": ") { moeCapacityFactor = value }
        if let v = Self.flag(text, after: ["pad_expert_input_to_capacity\": "]) { moePadToCapacity = v }
        if text.contains("\"token_drop\": false") { moeCapacityFactor = nil }
        if let v = Self.flag(text, after: ["overlap_moe_expert_parallel_comm\": "]) { overlapExpertComm = v }

        memoryFromLastRank = text.contains("last rank only")
        multiStageSchedule = ["interleaved 1f1b", "interleaved1f1b", "loopedbfs", "looped bfs",
                              "zerobubble", "zero bubble", "zbv"].contains { text.contains($0) }
        portableAttention = text.contains("nvte_fused_attn=0")
        apexDistributedAdam = text.contains("distributed_fused_adam")
        teCrossEntropy = text.contains("cross_entropy_fusion_impl='te'")
            || text.contains("--cross-entropy-fusion-impl te")
        deterministicMode = text.contains("--deterministic-mode") || text.contains("deterministic_mode=true")
            || text.contains("deterministic_mode: true") || text.contains("use_deterministic_algorithms(true)")
        deterministicAttention = text.contains("nvte_allow_nondeterministic_algo=0")
            || text.contains("nvte_allow_nondeterministic_algo: 0")
            || Self.goldenValueRegression(text)
    }

    /// Applies the stated settings to a framework profile.
    public func apply(to p: inout FrameworkProfile) {
        if let v = tpCommOverlap { p.tpCommOverlap = v }
        if let v = cudaGraphs { p.cudaGraphs = v }
        if let v = compiled { p.compiled = v }
        if let v = fp8Recipe { p.fp8Recipe = v }
        if let v = fp8Params { p.fp8Params = v }
        if let v = overlapGradReduce { p.overlapGradReduce = v }
        if let v = overlapParamGather { p.overlapParamGather = v }
        if let v = overlapP2P { p.overlapP2P = v }
        if let v = moeCapacityFactor {
            p.moeCapacityFactor = v
            // Drop-and-pad fixes the all-to-all sizes, so the dispatcher needs no host sync.
            if moePadToCapacity == true { p.moeHostSync = false }
        }
        if let v = overlapExpertComm { p.overlapExpertComm = v }
        if portableAttention { p.attentionKernel = .portable }
        if apexDistributedAdam { p.useApexDistributedAdam() }
        if deterministicMode {
            p.deterministicFill = true
            p.deterministicAttention = true
        }
        if deterministicAttention { p.deterministicAttention = true }
        if preFlashAttention { p.attentionKernel = .unfused }
        if teCrossEntropy && p.kind != .torchtitan {
            // TE's fused cross entropy (transformer_engine/pytorch/cross_entropy.py, a Triton
            // kernel after Liger's) computes the loss on the bf16 logits and writes their
            // gradient in place: no fp32 copy, no separate gradient (2 B per logit).
            p.logitsBytesPerElement = 2
        }
        if p.kind == .torchtitan, let minor = torchMinorVersion, minor >= 7 {
            // torchtitan on PyTorch ≥ 2.7 (2025) returns bf16 logits and upcasts inside the
            // loss (torchtitan/components/loss.py: `cross_entropy(pred.flatten(0, 1).float(),
            // …)`), which `build_cross_entropy_loss` compiles with the model when
            // `training.compile` is on. Compiled, Inductor fuses upcast, log-softmax and NLL:
            // the bf16 logits stay for the backward, which writes a bf16 gradient (2 + 2 B per
            // logit). Eager, log_softmax saves its fp32 output and the backward adds an fp32
            // gradient (2 + 4 + 4 B). Before, the model itself returned fp32 logits (12 B).
            p.logitsBytesPerElement = p.compiled ? 4 : 10
        }
    }

    /// A measurement from Megatron-LM's functional-test harness, which checks each run's loss
    /// curve against stored golden values and so runs Transformer Engine deterministically: its
    /// test cases set `NVTE_ALLOW_NONDETERMINISTIC_ALGO: 0` (tests/functional_tests/test_cases/
    /// */model_config.yaml, e.g. gpt3_7b_tp1_pp4_memory_speed, moe/gpt3_mcore_te_tp2_pp2_ep4_etp1
    /// _memory_speed). The release tests opt out with `NVTE_ALLOW_NONDETERMINISTIC_ALGO: 1`
    /// and `NON_DETERMINSTIC_RESULTS: 1` (gpt3_15b_8t_release*), as do the `*_nondet_*` cases.
    static func goldenValueRegression(_ text: String) -> Bool {
        guard text.contains("golden-value") || text.contains("golden value") else { return false }
        let optOuts = ["nvte_allow_nondeterministic_algo=1", "nvte_allow_nondeterministic_algo: 1",
                       "non_determinstic_results", "non-deterministic", "_nondet_", "release test", "_release"]
        return !optOuts.contains { text.contains($0) }
    }

    /// The minor version of a `torch 2.N…` mention in a clause.
    static func torchMinor(_ s: Substring) -> Int? {
        guard let range = s.firstRange(of: "torch 2.") else { return nil }
        var digits = ""
        for ch in s[range.upperBound...] {
            if ch.isNumber { digits.append(ch) } else { break }
        }
        return Int(digits)
    }

    /// The boolean that follows the first of `prefixes` found.
    static func flag(_ text: String, after prefixes: [String]) -> Bool? {
        for prefix in prefixes {
            guard let range = text.firstRange(of: prefix) else { continue }
            let rest = text[range.upperBound...]
            if rest.hasPrefix("true") { return true }
            if rest.hasPrefix("false") { return false }
        }
        return nil
    }

    /// The number that follows `prefix`.
    static func number(_ text: String, after prefix: String) -> Double? {
        guard let range = text.firstRange(of: prefix) else { return nil }
        var digits = ""
        for ch in text[range.upperBound...] {
            if ch.isNumber || ch == "." { digits.append(ch) } else { break }
        }
        return Double(digits)
    }

    /// The text of a clause from `marker` to the next period followed by a space.
    static func clause(_ text: String, _ marker: String) -> Substring? {
        guard let range = text.firstRange(of: marker) else { return nil }
        let rest = text[range.upperBound...]
        if let end = rest.firstRange(of: ". ") { return rest[..<end.lowerBound] }
        return rest
    }

    /// The first 4-digit year 1990–2099 in a clause.
    static func firstYear(_ s: Substring) -> Int? {
        let chars = Array(s)
        var i = 0
        while i + 4 <= chars.count {
            let window = chars[i..<(i + 4)]
            let before = i > 0 ? chars[i - 1] : " "
            let after = i + 4 < chars.count ? chars[i + 4] : " "
            if window.allSatisfy(\.isNumber), !before.isNumber, !after.isNumber,
               let year = Int(String(window)), year >= 1990, year < 2100 {
                return year
            }
            i += 1
        }
        return nil
    }
}
