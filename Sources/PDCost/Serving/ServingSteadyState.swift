/// The steady state a deployment settles in under one load scenario, and the prediction it
/// yields. Continuous batching (Yu et al. 2022, "Orca", OSDI; Kwon et al. 2023, "vLLM", SOSP):
/// with B sequences running, each iteration emits one token per sequence and, in the steady
/// state, admits prefill work for the requests that replace finished ones — B · input / output
/// prompt tokens per iteration on average. The iteration time is therefore a function of B
/// alone, and every scenario is a rule for B.
struct ServingSteadyState {
    let m: ServingCostModel
    let w: ServingWorkload

    /// Prompt, output, fresh prefill tokens (prefix-cache hits skipped) and mean decode context.
    var input: Double { Double(w.inputTokens) }
    var output: Double { Double(w.outputTokens) }
    var freshInput: Double {
        m.settings.prefixCaching ? max(1, (input * (1 - w.prefixHitRatio)).rounded(.up)) : input
    }
    var meanContext: Double { input + output / 2 }

    /// KV bytes per GPU one sequence holds at admission: its peak length when the engine
    /// reserves the full output or the batch is static, its mean length when blocks come on
    /// demand and sequences are staggered.
    func sequenceBytes(peak: Bool) -> Double {
        let tokens = peak || m.settings.kvAdmission == .reserveFull
            ? w.inputTokens + w.outputTokens : w.inputTokens + (w.outputTokens + 1) / 2
        return Double(m.kvCache.blocks(forTokens: tokens)) * Double(m.kvCache.blockSize) * m.kvBytesPerToken
            + m.extraKVBytes(tokens: Double(tokens))
    }

    /// Sequences the KV pool of one replica holds: per GPU, times tp under attention data
    /// parallelism (each rank caches its own sequences).
    func kvConcurrency(peak: Bool) -> Double {
        let per = sequenceBytes(peak: peak)
        guard per > 0, m.memory.kvCacheBytes > 0 else { return 0 }
        let n = (m.memory.kvCacheBytes / per).rounded(.down)
        return m.deployment.attentionDataParallel ? n * m.tp : n
    }

    /// Largest running batch of the continuous steady state: KV pool, max_num_seqs and, when
    /// prefill shares iterations, the token budget B · (1 + fresh input / output) ≤
    /// max_num_batched_tokens.
    var batchLimit: Double {
        var b = min(Double(m.settings.maxNumSeqs), kvConcurrency(peak: false))
        if m.settings.mixedBatching {
            b = min(b, (Double(m.settings.maxNumBatchedTokens) / (1 + freshInput / output)).rounded(.down))
        }
        return max(b, 0)
    }

    /// One steady-state iteration at running batch `b`, and the decode-only iteration a
    /// streaming client sees between tokens.
    ///
    /// Prompts arrive whole, not as an even trickle: a prompt (or, with chunked prefill, a
    /// chunk of the token budget) enters one iteration at a time. Below one such unit per
    /// iteration, a fraction P / unit of iterations carries a unit and the rest decode only —
    /// the mean of a compute-bound and a memory-bound iteration, which spreading P tokens
    /// over every iteration would hide under the weight read (TensorRT-LLM 0.14 online,
    /// Llama-3.1-70B TP4: the ITL rises 21 → 32 ms from 2 to 8 req/s, not by the 2–3 ms
    /// that spread prompts cost).
    /// The prompt tokens that enter one iteration together at running batch `b` (a whole
    /// prompt, or a chunk of the token budget), and the share of iterations that carry one.
    @inline(__always)
    func promptUnit(_ b: Double) -> (unit: Double, share: Double) {
        let budget = max(Double(m.settings.maxNumBatchedTokens) - (m.settings.mixedBatching ? b : 0), 1)
        let unit = m.settings.chunkedPrefill ? min(freshInput, budget) : freshInput
        return (unit, unit > 0 ? b * freshInput / output / unit : 1)
    }

    func continuous(_ b: Double) -> (iteration: IterationCost, tokenGap: Double) {
        let prefill = b * freshInput / output
        let (unit, share) = promptUnit(b)
        if m.settings.mixedBatching {
            if share >= 1 {
                let it = m.iteration(decodes: b, context: meanContext, prefill: prefill, promptLength: input)
                return (it, it.total)
            }
            var idle = m.iteration(decodes: b, context: meanContext, prefill: 0, promptLength: input)
            var busy = m.iteration(decodes: b, context: meanContext, prefill: unit, promptLength: input)
            idle.scale(1 - share)
            busy.scale(share)
            let it = idle + busy
            return (it, it.total)
        }
        // Prefill batches run between decode iterations (SGLang without mixed chunks):
        // their time is amortised over the decode iterations.
        let decode = m.iteration(decodes: b, context: meanContext, prefill: 0, promptLength: input)
        var prefillOnly = m.iteration(decodes: 0, context: 0, prefill: min(share, 1) < 1 ? unit : prefill, promptLength: input)
        if share < 1 { prefillOnly.scale(share) }
        return (decode + prefillOnly, decode.total)
    }

    /// Time from admission to the first token at running batch `b`: half an iteration of
    /// waiting for the current one to end, then the iteration carrying the whole prompt.
    func admissionToFirstToken(_ b: Double, iteration: Double) -> Double {
        let online = w.scenario == .requestRate || w.scenario == .fixedConcurrency || w.scenario == .burst
        let frontEnd = (m.settings.frontEnd ?? (online ? .http : FrontEnd.none)).requestSeconds
        let withPrompt = m.settings.mixedBatching
            ? m.promptLatency(decodes: b, context: meanContext, prompt: freshInput, promptLength: input).total
            : m.promptLatency(decodes: 0, context: 0, prompt: freshInput, promptLength: input).total
        return frontEnd + iteration / 2 + withPrompt
    }

    /// A finite run whose arrivals span fewer than this many request lifetimes is followed
    /// through time (`FiniteRunFluid`) rather than priced at its steady state: the batch
    /// needs about one lifetime to build up, so below a few the ramp dominates the averages.
    static let steadyRunLifetimes = 8.0

    func prediction() -> ServingPrediction {
        var p = ServingPrediction()
        let replicas = m.replicas
        let mem = m.memory
        p.numGPUs = Double(m.deployment.numGPUs)
        p.weightsBytes = mem.weightsBytes
        p.kvCacheBytes = mem.kvCacheBytes
        p.activationBytes = mem.activationBytes
        p.cudaGraphBytes = mem.cudaGraphBytes
        p.runtimeBytes = mem.runtimeBytes
        p.peakMemoryBytes = mem.usedBytes
        p.kvBytesPerToken = m.kvBytesPerToken
        p.prefillSeconds = m.promptLatency(decodes: 0, context: 0, prompt: freshInput, promptLength: input).total

        var batch = 0.0
        var it = IterationCost()
        var ttft = 0.0, ttftP90 = 0.0, ttftP99 = 0.0
        var tokenGap = 0.0
        var tpot = 0.0
        var requestsPerReplica = 0.0   // completed requests/s per replica
        let limit = batchLimit
        switch w.scenario {
        case .staticBatch:
            batch = Double(w.batchSize)
            p.maxConcurrency = kvConcurrency(peak: true)
            p.fitsMemory = mem.weightsFit && batch <= p.maxConcurrency
            // All prompts prefilled together, then all sequences decoded together at the
            // mean context input + output / 2.
            let prefill = m.promptLatency(decodes: 0, context: 0, prompt: batch * freshInput, promptLength: input)
            it = m.iteration(decodes: batch, context: meanContext, prefill: 0, promptLength: input)
            ttft = prefill.total
            ttftP90 = ttft
            ttftP99 = ttft
            tpot = it.total
            tokenGap = tpot
            let e2e = ttft + (output - 1) * tpot
            requestsPerReplica = e2e > 0 ? batch / e2e : 0
        case .offlineMaxThroughput, .burst, .fixedConcurrency:
            p.maxConcurrency = kvConcurrency(peak: false)
            var offered = limit
            switch w.scenario {
            case .fixedConcurrency: offered = Double(w.concurrency) / replicas
            case .burst: offered = Double(w.numRequests) / replicas
            default: if w.numRequests > 0 { offered = Double(w.numRequests) / replicas }
            }
            batch = max(min(offered, limit), min(offered, 1))
            p.fitsMemory = mem.weightsFit && limit >= 1
            (it, tokenGap) = continuous(batch)
            tpot = it.total
            requestsPerReplica = batch / (output * tpot)
            // Requests beyond the running batch queue for a slot (Little's law on the queue).
            let queued = max(offered - batch, 0)
            let queueWait = w.scenario == .fixedConcurrency ? queued / requestsPerReplica : queued / requestsPerReplica / 2
            ttft = queueWait + admissionToFirstToken(batch, iteration: tpot)
            ttftP90 = w.scenario == .fixedConcurrency ? ttft : ttft + queueWait * 0.8
            ttftP99 = w.scenario == .fixedConcurrency ? ttft : ttft + queueWait * 0.98
        case .requestRate:
            p.maxConcurrency = kvConcurrency(peak: false)
            p.fitsMemory = mem.weightsFit && limit >= 1
            let lambda = w.requestRate / replicas
            let full = continuous(max(limit, 1))
            let capacity = limit >= 1 ? limit / (output * full.iteration.total) : 0
            let rho = capacity > 0 ? lambda / capacity : .infinity
            p.utilization = rho.isFinite ? rho : 1e9
            let runRequests = Double(w.numRequests) / replicas
            if rho < 1 {
                // Little's law: the running batch is the arrival rate times the time a request
                // stays, itself a function of the batch; below saturation λ·dT/dB < 1, so the
                // plain fixed point converges geometrically (a few steps in practice).
                // The first token's wait changes little with the batch: priced once at the
                // starting point, then only the decode time is iterated.
                batch = min(max(lambda * output * continuous(1).iteration.total, 1), limit)
                let start = continuous(batch).iteration.total
                let firstToken = admissionToFirstToken(batch, iteration: start)
                // So is the extra time of the iterations that carry a prompt (or chunk) beyond a
                // decode-only one (`continuous`): priced once here, the search below evaluates
                // one decode iteration per step; the converged batch is priced in full after.
                let (unit, share0) = promptUnit(batch)
                let decodeOnly = m.iteration(decodes: batch, context: meanContext, prefill: 0, promptLength: input).total
                let promptExtra = share0 > 0 && share0 < 1 ? (start - decodeOnly) / share0 : 0
                @inline(__always) func iterationTotal(_ b: Double) -> Double {
                    let share = unit > 0 ? b * freshInput / output / unit : 1
                    guard share < 1, promptExtra > 0 else { return continuous(b).iteration.total }
                    return m.iteration(decodes: b, context: meanContext, prefill: 0, promptLength: input).total
                        + share * promptExtra
                }
                // g(B) = λ · (first token + (output − 1) · iteration(B)) is nearly linear in B:
                // the secant method on g(B) − B settles in two or three steps.
                func g(_ b: Double) -> Double {
                    min(max(lambda * (firstToken + (output - 1) * iterationTotal(b)), 1), limit)
                }
                var previous = batch, hPrevious = g(batch) - batch
                batch = hPrevious + batch
                for _ in 0..<6 {
                    let h = g(batch) - batch
                    if abs(h) <= 1e-3 * batch { break }
                    let slope = (h - hPrevious) / (batch - previous)
                    previous = batch
                    hPrevious = h
                    let step = slope.isFinite && slope < -1e-9 ? -h / slope : h
                    batch = min(max(batch + step, 1), limit)
                }
                (it, tokenGap) = continuous(batch)
                tpot = it.total
                // Waiting for a batch slot: M/D/c with c = the batch limit and the service time
                // of one request, by Sakasegawa's approximation (1977, Ann. Inst. Stat. Math.
                // 29): Wq ≈ ρ^(√(2(c+1)) − 1) / (c (1 − ρ)) · (c_a² + c_s²)/2 · service, with
                // Poisson arrivals (c_a² = 1) and a deterministic service (c_s² = 0).
                let c = max(limit, 1)
                let service = output * full.iteration.total
                let waitProbability = min(FitMath.exp((((2 * (c + 1)).squareRoot()) - 1) * FitMath.log(max(rho, 1e-12))), 1)
                var wait = waitProbability / (c * (1 - rho)) * 0.5 * service
                if w.numRequests > 0 {
                    // A finite run cannot build the stationary queue of ρ → 1: N arrivals
                    // queue at most the backlog of the run plus the random walk's √N
                    // fluctuation, each served at capacity.
                    let n = Double(w.numRequests) / replicas
                    wait = min(wait, max(n / capacity - n / lambda, 0) / 2 + n.squareRoot() / capacity)
                }
                // Given a wait, it is about exponential with mean wait / P(wait).
                let conditional = waitProbability > 0 ? wait / waitProbability : 0
                func quantile(_ q: Double) -> Double {
                    waitProbability > 1 - q ? conditional * FitMath.log(waitProbability / (1 - q)) : 0
                }
                let first = admissionToFirstToken(batch, iteration: tpot)
                ttft = wait + first
                ttftP90 = quantile(0.9) + first
                ttftP99 = quantile(0.99) + first
                requestsPerReplica = lambda
                if w.numRequests > 0 {
                    // A finite run is timed from the first arrival to the last completion.
                    requestsPerReplica = runRequests / (runRequests / lambda + ttft + (output - 1) * tpot)
                }
            }
            let lifetime = rho < 1 ? ttft + (output - 1) * tpot : .infinity
            if w.numRequests > 0 && lifetime > runRequests / lambda / Self.steadyRunLifetimes {
                // The run ends before the steady state sets in (or never has one): follow
                // its batch through time instead.
                p.saturated = rho >= 1
                let fluid = FiniteRunFluid(requests: runRequests, rate: lambda,
                                           iterationsPerRequest: output, batchCap: max(limit, 1))
                let run = fluid.run { b in
                    let c = continuous(b)
                    return (c.iteration.total, c.tokenGap)
                }
                batch = run.meanBatch
                (it, _) = continuous(max(batch, 1))
                tpot = run.iteration
                tokenGap = run.tokenGap
                let arrivalBatch = max(run.arrivalBatch, 1)
                let first = admissionToFirstToken(arrivalBatch, iteration: continuous(arrivalBatch).iteration.total)
                ttft = run.meanWait + first
                ttftP90 = run.waitP90 + first
                ttftP99 = run.waitP99 + first
                requestsPerReplica = run.duration > 0 ? runRequests / run.duration : 0
            } else if rho >= 1 {
                // Saturated: the queue grows for the whole run; with N requests arriving over
                // N / λ and served at capacity, the mean wait is half the backlog's drain.
                p.saturated = true
                batch = max(limit, 1)
                (it, tokenGap) = continuous(batch)
                tpot = it.total
                let n = Double(w.numRequests > 0 ? w.numRequests : 1000) / replicas
                let drain = capacity > 0 ? max(n / capacity - n / lambda, 0) : 0
                let first = admissionToFirstToken(batch, iteration: tpot)
                ttft = drain / 2 + first
                ttftP90 = drain * 0.9 + first
                ttftP99 = drain * 0.99 + first
                requestsPerReplica = capacity
            }
        }
        p.runningBatch = batch
        p.kvUsedBytes = batch * sequenceBytes(peak: w.scenario == .staticBatch)
            / (m.deployment.attentionDataParallel ? m.tp : 1)
        p.ttft = ttft
        p.ttftP90 = ttftP90
        p.ttftP99 = ttftP99
        p.tpot = tpot
        p.itl = tokenGap
        p.endToEnd = ttft + (output - 1) * tpot
        p.endToEndP99 = ttftP99 + (output - 1) * tpot
        p.requestsPerSecond = requestsPerReplica * replicas
        p.outputTokensPerSecond = p.requestsPerSecond * output
        p.totalTokensPerSecond = p.requestsPerSecond * (input + output)
        p.outputTokensPerSecondPerGPU = p.numGPUs > 0 ? p.outputTokensPerSecond / p.numGPUs : 0
        p.outputTokensPerSecondPerUser = tpot > 0 ? 1 / tpot : 0
        p.iterationSeconds = it.total
        p.iterationComputeSeconds = it.compute
        p.iterationMemorySeconds = it.memoryBound
        p.iterationCommunicationSeconds = it.communication
        p.iterationOverheadSeconds = it.overhead
        // MBU: the bytes a decode iteration must read (weights its tokens touch + the batch's
        // KV) over what the HBM could move in the iteration (Databricks, "LLM Inference
        // Performance Engineering: Best Practices", 2023).
        if it.total > 0 {
            let perStage = batch / (m.settings.engine.pipelinesMicroBatches ? m.pp : 1)
            let expert = m.stageMoELayers * m.touchedExperts(tokens: perStage) * m.weights.expertBytesPerGPU
            let kv = perStage * meanContext * m.kvBytesPerToken + perStage * m.extraKVBytes(tokens: meanContext)
            let bytes = (m.stageNonExpertBytes + expert + kv) * m.pp
            p.mbu = min(bytes / (m.cluster.gpu.hbmBandwidth * it.total), 1)
        }
        // MFU: model FLOPs of all tokens processed (2·N_active per token + causal attention of
        // the prompt + attention over the cache per output token) over the 16-bit dense peak.
        let flopsPerRequest = m.prefillFlops(batch: 1, inputTokens: freshInput)
            + output * (m.matmulFlopsPerToken + m.decodeAttentionFlopsPerToken(context: meanContext))
        if p.numGPUs > 0 {
            p.mfu = p.requestsPerSecond * flopsPerRequest / (p.numGPUs * m.peakFlops)
        }
        return p
    }
}
