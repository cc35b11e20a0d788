/// Disaggregated serving: prompts are prefilled on one pool of engine replicas and decoded on
/// another, with the prompt's KV cache handed from one to the other (Zhong et al. 2024,
/// "DistServe", OSDI; Patel et al. 2024, "Splitwise", ISCA). Each pool is sized and laid out
/// on its own (tp, pp, replicas), so prefill (compute-bound) no longer stalls decode
/// iterations and decode batches no longer slow prompts down.
///
/// Pricing, with the pools' own cost models (replicas = 1; the same engine, precisions and
/// settings in both, so the KV the decode pool reads is the KV the prefill pool wrote):
/// - Prefill pool: prefill-only iterations. One iteration carries k prompts, k = ⌊token budget
///   (`max_num_batched_tokens`) / fresh prompt tokens⌋ ≥ 1, at most what the replica's KV pool
///   holds until the hand-off; a replica prefills k / T(k) requests/s (T: the iteration's time).
/// - Decode pool: decode-only continuous batching at b sequences per replica and mean context
///   input + output / 2; TPOT = the decode iteration T_d(b); a replica completes
///   b / ((output − 1) · T_d(b)) requests/s (the first token came from the prefill).
/// - The deployment serves min(prefill, decode capacity) requests/s. A point where the prefill
///   pool is the bottleneck cannot keep the decode batch at b (`saturated`; the smaller batches
///   of the sweep cover it); otherwise the load is the decode pool's and the prefill pool runs
///   at utilisation ρ = decode / prefill capacity.
/// - TTFT = the prefill queue's wait + the prompt's prefill + the KV transfer. The wait is the
///   Pollaczek–Khinchine mean of an M/D/1 queue whose service is one full prefill iteration,
///   ρ / (2 (1 − ρ)) · T(k) (Kleinrock 1975, "Queueing Systems", Vol. 1, §5.6); a prompt waits
///   with probability ρ, then about exponentially (the serving core's rule for the request-rate
///   tail, `ServingSteadyState`). The prompt's own iteration grows from T(1) when idle towards
///   T(k) as the load packs prompts together: T(1) + ρ · (T(k) − T(1)).
/// - KV transfer: the prompt's KV (input · bytes per token of the unsharded cache, one copy of
///   MLA's latent) split over min(prefill, decode GPUs per replica) parallel links, each one
///   point-to-point send (`Interconnect.sendRecv`): NVLink when the whole budget is one node,
///   the network otherwise.
enum DisaggregatedPricing {
    /// A prefill layout's figures under one workload (per replica).
    struct PrefillPool: Sendable {
        /// One prompt alone on an idle replica, seconds.
        let promptSeconds: Double
        /// Prompts one iteration carries (0: the KV pool cannot hold one prompt).
        let promptsPerIteration: Double
        /// The iteration carrying `promptsPerIteration` prompts, seconds.
        let batchSeconds: Double
        /// Requests/s one replica prefills.
        let capacity: Double

        var usable: Bool { promptsPerIteration >= 1 && capacity > 0 && capacity.isFinite }
    }

    static func prefillPool(_ m: ServingCostModel, _ w: ServingWorkload) -> PrefillPool {
        let steady = ServingSteadyState(m: m, w: w)
        let fresh = steady.freshInput
        let input = Double(w.inputTokens)
        // Prompts whose KV the replica holds until the hand-off (per GPU; each rank its own
        // sequences under attention data parallelism).
        let perPrompt = Double(m.kvCache.blocks(forTokens: w.inputTokens)) * Double(m.kvCache.blockSize) * m.kvBytesPerToken
            + m.extraKVBytes(tokens: Double(w.inputTokens))
        var held = perPrompt > 0 ? (m.memory.kvCacheBytes / perPrompt).rounded(.down) : 0
        if m.deployment.attentionDataParallel { held *= m.tp }
        let budget = (Double(m.settings.maxNumBatchedTokens) / fresh).rounded(.down)
        let k = min(max(budget, 1), held)
        // One prompt's latency (through every stage); the pool's rate, with pp micro-batches
        // in flight, is a full iteration's.
        let one = m.promptLatency(decodes: 0, context: 0, prompt: fresh, promptLength: input).total
        guard k >= 1 else { return PrefillPool(promptSeconds: one, promptsPerIteration: 0, batchSeconds: 0, capacity: 0) }
        let batch = m.iteration(decodes: 0, context: 0, prefill: k * fresh, promptLength: input).total
        return PrefillPool(promptSeconds: one, promptsPerIteration: k, batchSeconds: batch,
                           capacity: batch > 0 ? k / batch : 0)
    }

    /// Most sequences a decode replica runs: `max_num_seqs`, the KV pool (sequences at their
    /// mean length when blocks come on demand), and one token each within the token budget.
    static func decodeLimit(_ m: ServingCostModel, _ w: ServingWorkload) -> Double {
        let steady = ServingSteadyState(m: m, w: w)
        return min(Double(m.settings.maxNumSeqs), steady.kvConcurrency(peak: false),
                   Double(m.settings.maxNumBatchedTokens))
    }

    /// One decode-only iteration of a decode replica at batch `b`.
    @inline(__always)
    static func decodeIteration(_ m: ServingCostModel, _ w: ServingWorkload, batch b: Double) -> IterationCost {
        let input = Double(w.inputTokens)
        return m.iteration(decodes: b, context: input + Double(w.outputTokens) / 2, prefill: 0, promptLength: input)
    }

    /// One prompt's KV hand-off, seconds.
    static func kvTransferSeconds(model: ModelSpec, precision: KVCachePrecision, inputTokens: Int,
                                  prefillGPUs: Int, decodeGPUs: Int, interconnect: Interconnect,
                                  acrossNodes: Bool) -> Double {
        let layout = KVCacheLayout(model: model, tp: 1, precision: precision, blockSize: 1)
        let links = Double(max(min(prefillGPUs, decodeGPUs), 1))
        // Windows and recurrent state travel too (0 for a uniform model).
        let extra = model.layers == nil ? 0 : layout.extraSequenceBytes(tokens: Double(inputTokens))
        return interconnect.sendRecv(bytes: (Double(inputTokens) * layout.bytesPerToken + extra) / links, acrossNodes: acrossNodes)
    }

    /// The prediction of `x` prefill replicas and `y` decode replicas (each pool priced by its
    /// own cost model) at `b` sequences per decode replica. Memory fields are the decode pool's
    /// GPUs; `mbu` is not computed (0).
    @inline(__always)
    static func price(prefill pf: PrefillPool, decode m: ServingCostModel, decodeIteration it: IterationCost,
                      workload w: ServingWorkload, prefillReplicas x: Int, decodeReplicas y: Int,
                      batch b: Double, kvTransfer: Double, gpus: Int) -> (ServingPrediction, ServingDisaggregation) {
        let input = Double(w.inputTokens), output = Double(w.outputTokens)
        let tpot = it.total
        let decodeCapacity = tpot > 0 ? Double(y) * b / ((output - 1) * tpot) : 0
        let prefillCapacity = Double(x) * pf.capacity
        let rho = prefillCapacity > 0 ? decodeCapacity / prefillCapacity : .infinity
        var p = ServingPrediction()
        p.numGPUs = Double(gpus)
        let mem = m.memory
        p.weightsBytes = mem.weightsBytes
        p.kvCacheBytes = mem.kvCacheBytes
        p.activationBytes = mem.activationBytes
        p.cudaGraphBytes = mem.cudaGraphBytes
        p.runtimeBytes = mem.runtimeBytes
        p.peakMemoryBytes = mem.usedBytes
        p.kvBytesPerToken = m.kvBytesPerToken
        p.prefillSeconds = pf.promptSeconds
        p.runningBatch = b
        p.maxConcurrency = ServingSteadyState(m: m, w: w).kvConcurrency(peak: false)
        p.kvUsedBytes = b * ServingSteadyState(m: m, w: w).sequenceBytes(peak: false)
            / (m.deployment.attentionDataParallel ? m.tp : 1)
        p.fitsMemory = mem.weightsFit && pf.usable && b <= p.maxConcurrency
        p.utilization = rho.isFinite ? rho : 1e9
        p.tpot = tpot
        p.itl = tpot
        p.outputTokensPerSecondPerUser = tpot > 0 ? 1 / tpot : 0
        p.iterationSeconds = tpot
        p.iterationComputeSeconds = it.compute
        p.iterationMemorySeconds = it.memoryBound
        p.iterationCommunicationSeconds = it.communication
        p.iterationOverheadSeconds = it.overhead
        let extra = ServingDisaggregation(prefillCapacity: prefillCapacity, decodeCapacity: decodeCapacity,
                                          prefillUtilization: p.utilization, kvTransferSeconds: kvTransfer,
                                          promptsPerPrefillIteration: pf.promptsPerIteration)
        guard rho < 1 else {
            // The prefill pool cannot feed this decode batch.
            p.saturated = true
            p.requestsPerSecond = prefillCapacity
            p.ttft = .infinity
            p.ttftP90 = .infinity
            p.ttftP99 = .infinity
            p.endToEnd = .infinity
            p.endToEndP99 = .infinity
            p.outputTokensPerSecond = prefillCapacity * output
            p.totalTokensPerSecond = prefillCapacity * (input + output)
            p.outputTokensPerSecondPerGPU = gpus > 0 ? p.outputTokensPerSecond / Double(gpus) : 0
            return (p, extra)
        }
        let wait = rho / (2 * (1 - rho)) * pf.batchSeconds
        let conditional = rho > 0 ? wait / rho : 0
        @inline(__always) func quantile(_ q: Double) -> Double {
            rho > 1 - q ? conditional * FitMath.log(rho / (1 - q)) : 0
        }
        let first = pf.promptSeconds + rho * max(pf.batchSeconds - pf.promptSeconds, 0) + kvTransfer
        p.ttft = wait + first
        p.ttftP90 = quantile(0.9) + first
        p.ttftP99 = quantile(0.99) + first
        p.endToEnd = p.ttft + (output - 1) * tpot
        p.endToEndP99 = p.ttftP99 + (output - 1) * tpot
        p.requestsPerSecond = decodeCapacity
        p.outputTokensPerSecond = decodeCapacity * output
        p.totalTokensPerSecond = decodeCapacity * (input + output)
        p.outputTokensPerSecondPerGPU = gpus > 0 ? p.outputTokensPerSecond / Double(gpus) : 0
        // MFU as the serving core counts it: prompt FLOPs + 2·N_active and cache attention per
        // output token, over the 16-bit dense peak of every GPU of both pools.
        let steady = ServingSteadyState(m: m, w: w)
        let flopsPerRequest = m.prefillFlops(batch: 1, inputTokens: steady.freshInput)
            + output * (m.matmulFlopsPerToken + 2 * Double(m.model.numLayers) * steady.meanContext * m.attentionWidth)
        p.mfu = gpus > 0 ? p.requestsPerSecond * flopsPerRequest / (Double(gpus) * m.peakFlops) : 0
        return (p, extra)
    }
}
