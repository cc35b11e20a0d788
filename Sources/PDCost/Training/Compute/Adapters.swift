/// The trainable low-rank adapters of a LoRA/QLoRA job and what freezing the base changes,
/// computed once per (model, setup). Pre-training and SFT have no adapters and change nothing.
///
/// LoRA (Hu et al. 2021, §4.1) adds to a target linear W (in × out) a trainable A (in × r) and
/// B (r × out): r · (in + out) parameters and, per token, 2 · r · (in + out) forward FLOPs;
/// the backward computes the input gradient through W and both adapter gradients. Under
/// Megatron tensor parallelism (Megatron-Bridge/NeMo `ParallelLinearAdapter`) a
/// column-parallel target (linear_qkv, linear_fc1) keeps A whole and splits B's outputs; a
/// row-parallel one (linear_proj, linear_fc2) splits A's inputs and keeps B whole.
struct Adapters: Sendable {
    let method: FineTuning.Method
    let rank: Double
    /// (in, out, column-parallel) of each targeted linear of a layer with a dense MLP, and of
    /// one whose MLP is a mixture of experts (attention targets only: NeMo's LoRA adapts the
    /// experts only when its targets name them per expert).
    let denseTargets: [(input: Double, output: Double, column: Bool)]
    let moeTargets: [(input: Double, output: Double, column: Bool)]

    var freezesBase: Bool { method == .lora || method == .qlora }
    var quantizedBase: Bool { method == .qlora }

    init(setup: FineTuning, hidden h: Double, qkvWidth: Double, attentionOutWidth: Double,
         fc1Width: Double, ffn: Double) {
        method = setup.method
        rank = Double(setup.loraRank)
        guard setup.freezesBase else {
            denseTargets = []
            moeTargets = []
            return
        }
        let t = setup.loraTargets
        var attention: [(input: Double, output: Double, column: Bool)] = []
        if t.contains(.qkv) { attention.append((h, qkvWidth, true)) }
        if t.contains(.attentionOut) { attention.append((attentionOutWidth, h, false)) }
        var mlp: [(input: Double, output: Double, column: Bool)] = []
        if t.contains(.mlpIn) { mlp.append((h, fc1Width, true)) }
        if t.contains(.mlpOut) { mlp.append((ffn, h, false)) }
        denseTargets = attention + mlp
        moeTargets = attention
    }

    /// Adapter parameters of one layer on one tensor-parallel rank.
    func parametersPerLayer(tp: Double, moe: Bool) -> Double {
        (moe ? moeTargets : denseTargets).reduce(0) { sum, l in
            sum + rank * (l.column ? l.input + l.output / tp : l.input / tp + l.output)
        }
    }

    /// Forward FLOPs of one layer's adapters per token, all ranks together.
    func forwardFlopsPerToken(moe: Bool) -> Double {
        (moe ? moeTargets : denseTargets).reduce(0) { $0 + 2 * rank * ($1.input + $1.output) }
    }

    /// Bytes one layer's adapters move per token on one rank, forward: the rank-r GEMMs are far
    /// too thin for the tensor cores to matter, so their time is the read of the target's
    /// input and the read-add-write of its output in 16-bit (the adapter reads what the frozen
    /// GEMM reads and adds into what it writes).
    func forwardBytesPerToken(tp: Double, moe: Bool) -> Double {
        (moe ? moeTargets : denseTargets).reduce(0) { sum, l in
            let input = l.column ? l.input : l.input / tp
            let output = l.column ? l.output / tp : l.output
            return sum + 2 * (input + 2 * output)
        }
    }
}
