/// Closed-form pieces of mixture-of-experts physics that the layer compute and communication
/// models share: how many nodes a routed token touches, how fast a grouped GEMM runs with few
/// tokens per expert, and what a host synchronisation in the dispatcher costs the GPU.
/// Every function is arithmetic on its arguments (no allocation, no throwing) and total: any
/// input, including zero, negative or non-finite, gives a finite non-negative result.
enum ExpertPhysics {
    /// Expected number of distinct buckets a token touches when its router picks `topK` of
    /// `experts` experts spread evenly over `buckets` buckets (nodes, or GPUs):
    /// `B · (1 − C(E − E/B, k) / C(E, k))` — linearity of expectation over buckets, each missed
    /// with the hypergeometric probability that all k choices fall outside its E/B experts.
    /// This is what a hierarchical dispatcher sends across the bucket boundary per token
    /// (DeepEP normal kernels and HybridEP send one copy per target node and forward it over
    /// NVLink: deepseek-ai/DeepEP README.md, "Normal kernels with NVLink and RDMA forwarding";
    /// DeepEP Hybrid-EP_Intra-node_Implementation.md, "Hierarchical Communication Design"),
    /// instead of one per routed copy as Megatron-Core's `alltoall` dispatcher does.
    ///
    /// With group-limited routing (DeepSeek-V3 §2.1.2: `n_group` groups, the token restricted
    /// to `topk_group` of them) pass `groups`/`groupsPerToken`: when groups map onto whole
    /// buckets (groups a multiple of buckets) the count is over groups; otherwise the top-k are
    /// drawn from the chosen groups' experts, spread over the buckets those groups cover.
    @inline(__always)
    static func expectedDistinctBuckets(topK: Double, experts: Double, buckets: Double,
                                        groups: Double = 0, groupsPerToken: Double = 0) -> Double {
        guard topK >= 1, experts >= 1, buckets >= 1, topK.isFinite, experts.isFinite, buckets.isFinite else {
            return 0
        }
        let b = min(buckets.rounded(.down), experts)
        if b <= 1 { return 1 }
        let k = min(topK.rounded(.down), experts)
        if groups >= 2 && groupsPerToken >= 1 && groupsPerToken < groups && groups.isFinite {
            let g = groups.rounded(.down), chosen = min(groupsPerToken.rounded(.down), g)
            if g >= b && (g / b).rounded(.down) * b == g {
                // Each bucket holds g/b whole groups: the token touches the buckets of its
                // chosen groups (k ≥ chosen, each chosen group receives at least one expert).
                return hypergeometricCoverage(draws: chosen, population: g, buckets: b)
            }
            // A group spans b/g buckets: the k experts fall among the chosen groups' experts,
            // spread over the buckets they cover.
            let covered = min(b, chosen * b / g)
            return hypergeometricCoverage(draws: k, population: experts * chosen / g, buckets: max(covered, 1))
        }
        return hypergeometricCoverage(draws: k, population: experts, buckets: b)
    }

    /// `B · (1 − C(N − N/B, k) / C(N, k))`, the product form so that no factorial overflows.
    @inline(__always)
    static func hypergeometricCoverage(draws k: Double, population n: Double, buckets b: Double) -> Double {
        if !(b > 1) { return 1 }
        let perBucket = n / b
        var num = 1.0, den = 1.0
        var i = 0.0
        // At most `k` factors (top-k is small: 1–16 in published models); one division at the
        // end keeps the evaluation hot path short. A factor at zero means no draw can avoid
        // the bucket; products are rescaled before they could overflow.
        while i < k && i < 4096 {
            let a = n - perBucket - i
            let d = n - i
            if a <= 0 || d <= 0 { num = 0; break }
            num *= a
            den *= d
            if den > 1e250 { num /= den; den = 1 }
            i += 1
        }
        let miss = den > 0 ? num / den : 0
        return b * (1 - min(max(miss, 0), 1))
    }

    /// Share of the large-GEMM rate a grouped (per-expert) GEMM reaches with `tokens` rows per
    /// expert: `m / (m + m½)`. Fitted through the measured points of SimuMax's B200 table
    /// (MooreThreads/SimuMax configs/system/b200_bf16_ceperm.json, grouped-GEMM
    /// `accurate_efficient_factor`): forward 0.20–0.23 of peak at 128–154 tokens per expert and
    /// 0.46–0.51 near 1,000, against 0.60 for the large dense GEMMs of the same runs. Those two
    /// anchors give a ceiling of 0.61 ≈ the dense rate and m½ ≈ 257 for the forward and data
    /// gradient; the weight gradient, whose reduction dimension is the token count
    /// (0.08–0.09 of peak at 128–154 tokens), has m½ ≈ 865.
    @inline(__always)
    static func groupedSaturation(tokens m: Double, halfTokens: Double) -> Double {
        guard m > 0, m.isFinite else { return 0 }
        let half = halfTokens.isFinite ? max(halfTokens, 0) : 0
        return m / (m + half)
    }

    /// GPU idle time behind one host synchronisation in a layer's forward (dropless
    /// `alltoall` dispatch: Megatron-Core megatron/core/transformer/moe/token_dispatcher.py,
    /// `MoEAlltoAllTokenDispatcher`, whose `cuda_sync_point` copies the per-expert counts to the
    /// host and synchronises before the all-to-all unless `moe_pad_expert_input_to_capacity`;
    /// DeepEP's normal dispatch blocks the CPU until the GPU reports the received token counts,
    /// deepseek-ai/DeepEP README.md, training example: "the CPU will wait for GPU's signal to arrive,
    /// so this is not compatible with CUDA graph").
    ///
    /// The sync drains the launch queue: the GPU waits for the device-to-host round trip, then
    /// runs the following kernels only as fast as the host issues them until the host is ahead
    /// again. Until the next sync (one layer later) the stretch takes the longer of its GPU time
    /// and its host issue time, so the GPU loses the round trip, the first launch, and whatever
    /// host issue time of the `kernelsAfterSync` kernels their GPU time `gpuAfterSync` does not
    /// cover. CUDA graphs or a dispatcher without a sync (HybridEP, drop-and-pad) remove it; the
    /// caller decides whether there is a sync.
    @inline(__always)
    static func hostSyncStall(kernelsAfterSync n: Double, hostSecondsPerKernel h: Double,
                              gpuAfterSync gpu: Double, roundTrip: Double) -> Double {
        let n = n.isFinite ? max(n, 0) : 0
        let h = h.isFinite ? max(h, 0) : 0
        let gpu = gpu.isFinite ? max(gpu, 0) : 0
        let trip = roundTrip.isFinite ? max(roundTrip, 0) : 0
        if n <= 0 { return trip }
        return trip + h + max(0, n * h - gpu)
    }
}
