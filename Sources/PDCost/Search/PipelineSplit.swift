/// How the decoder layers are spread over the pipeline stages.
public struct PipelineSplit: Sendable, Hashable {
    /// Layers on the first, each middle, and the last stage.
    public var first: Int
    public var middle: Int
    public var last: Int
    /// What goes into `ParallelPlan.firstStageLayers` / `lastStageLayers` (nil = like the
    /// middle stages).
    public var explicitFirst: Int?
    public var explicitLast: Int?

    /// Every split of `layers` over `pp` stages the search tries, in a fixed order (even split
    /// first, then by middle size and by how much lighter the first stage is).
    ///
    /// - Even: `layers % pp == 0`, every stage `layers/pp`.
    /// - Uneven (Megatron-Core `--decoder-first/last-pipeline-num-layers`, only when
    ///   `uneven`): the middle stages hold m layers, the first m − a and the last m − b, with
    ///   0 ≤ a, b ≤ `maxReduction`, not both 0, and every stage ≥ 1 layer:
    ///   (m − a) + (pp − 2)·m + (m − b) = layers. With pp = 2 there is no middle stage, so
    ///   one of a, b is 0 (m is the heavier stage) to list each split once. Llama 3 405B
    ///   (126 layers, pp = 16): m = 8, a = b = 1 (Dubey et al. 2024, §3.3.2).
    public static func splits(layers: Int, pp: Int, uneven: Bool, maxReduction: Int) -> [PipelineSplit] {
        guard pp >= 1, layers >= pp else { return [] }
        if pp == 1 { return [PipelineSplit(first: layers, middle: layers, last: layers, explicitFirst: nil, explicitLast: nil)] }
        var result: [PipelineSplit] = []
        if layers % pp == 0 {
            let m = layers / pp
            result.append(PipelineSplit(first: m, middle: m, last: m, explicitFirst: nil, explicitLast: nil))
        }
        guard uneven, maxReduction > 0 else { return result }
        let lowest = (layers + pp - 1) / pp
        let highest = (layers + 2 * maxReduction) / pp
        if lowest > highest { return result }
        for m in lowest...highest {
            let d = pp * m - layers               // layers the outer stages give up, a + b
            if d <= 0 || d > 2 * maxReduction { continue }
            for a in 0...min(d, maxReduction) {
                let b = d - a
                if b > maxReduction { continue }
                if pp == 2 && a != 0 && b != 0 { continue }
                let first = m - a, last = m - b
                if first < 1 || last < 1 { continue }
                result.append(PipelineSplit(first: first, middle: m, last: last,
                                            explicitFirst: a > 0 ? first : nil,
                                            explicitLast: b > 0 ? last : nil))
            }
        }
        return result
    }

    /// Whether the split cuts into whole model chunks of `vpp` virtual stages: every stage's
    /// layers divide by vpp, except that a first (last) stage exactly one layer lighter than
    /// the middle ones counts the embedding (the loss) as that layer — Megatron-Core's
    /// `account_for_embedding_in_pipeline_split` / `account_for_loss_in_pipeline_split`,
    /// which is how Llama 3 405B runs 126 layers on pp = 16 with 8 chunks of one layer
    /// (Dubey et al. 2024, §3.3.2: the first/last chunk holds only the embedding/loss).
    public func cutsIntoChunks(vpp: Int) -> Bool {
        guard vpp >= 1, middle % vpp == 0 else { return false }
        func whole(_ layers: Int) -> Bool { layers % vpp == 0 || layers + 1 == middle }
        return whole(first) && whole(last)
    }
}
