/// The 1F1B and interleaved 1F1B pipeline schedules (Narayanan et al. 2021, "Efficient
/// Large-Scale Language Model Training on GPU Clusters Using Megatron-LM", §2.2).
public enum PipelineSchedule {
    /// Idle fraction of a balanced pipeline relative to its busy time: (p − 1)/(v·m) for `p`
    /// stages, `v` model chunks per stage and `m` micro-batches (§2.2.1 and §2.2.2).
    public static func bubbleFraction(stages p: Double, virtualStages v: Double, microBatches m: Double) -> Double {
        guard p > 1, m > 0 else { return 0 }
        return (p - 1) / (max(v, 1) * m)
    }

    /// Model-chunk micro-batches whose activations stage `i` (0-based) holds at its peak.
    /// 1F1B: stage i runs p − i warm-up forwards before its first backward, so it holds
    /// min(p − i, m) micro-batches (the first stage holds p: Korthikanti et al. 2022 §4.2.3).
    /// Interleaved: Megatron-Core's schedule warms up (p − i − 1)·2 + (v − 1)·p chunks and
    /// holds one more in steady state (pipeline_parallel/schedules.py,
    /// `forward_backward_pipelining_with_interleaving`: num_warmup_microbatches), which for the
    /// first stage is p·v + p − 1 chunks: the ×(1 + (p−1)/(p·v)) of Korthikanti §4.2.3.
    public static func inFlightChunks(stage i: Double, stages p: Double, virtualStages v: Double,
                                      microBatches m: Double) -> Double {
        let v = max(v, 1), p = max(p, 1)
        if p <= 1 { return min(1, m) * v }
        if v <= 1 { return max(min(p - i, m), 1) }
        let warm = (p - i - 1) * 2 + (v - 1) * p + 1
        return max(min(warm, m * v), 1)
    }

    /// Busy and idle time of one step from the per-micro-batch time of each stage (all its
    /// chunks): the slowest stage runs all `m` micro-batches, and the fill and drain add the
    /// other stages' time once, divided over the `v` chunks:
    /// T = m·t_max + (Σ_i t_i − t_max)/v, which for balanced stages gives the bubble
    /// (p − 1)/(v·m) of the busy time.
    static func step(first: Double, middle: Double, last: Double, stages p: Double,
                     virtualStages v: Double, microBatches m: Double) -> (busy: Double, bubble: Double) {
        if p <= 1 { return (m * first, 0) }
        let tMax = max(first, max(middle, last))
        let sum = first + last + max(p - 2, 0) * middle
        return (m * tMax, (sum - tMax) / max(v, 1))
    }
}
