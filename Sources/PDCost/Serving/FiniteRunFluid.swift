/// A finite open-loop run — `numRequests` requests arriving at `requestRate`, measured from the
/// first arrival to the last completion, as `benchmark_serving.py` (vLLM), `bench_serving`
/// (SGLang) and GenAI-Perf report it — that never reaches the steady state: near or past
/// saturation the running batch keeps growing until the arrivals stop, and an in-flight
/// batching engine admits every request it has KV room for, so the load shows in the
/// inter-token latency, not in a queue (TensorRT-LLM 0.14 online table: Llama-3.1-70B TP4 at
/// 32 req/s keeps a 116 ms TTFT while its ITL doubles).
///
/// The run is integrated as a fluid in time with the exact rule of continuous batching: every
/// admitted sequence advances one token per engine iteration (Yu et al. 2022, "Orca", OSDI),
/// so a request admitted when the iteration counter reads K leaves when it reads K + output.
/// Admission is first come, first served, up to the batch limit. The iteration time is
/// interpolated in the running batch from a few evaluations of the cost model, so the whole
/// run costs `gridPoints` model evaluations plus `timeSteps` cheap steps, without allocating
/// (the histories live in a stack buffer).
struct FiniteRunFluid {
    /// What the run yields, per replica.
    struct Outcome {
        /// First arrival to last completion.
        var duration = 0.0
        /// Mean, 90th and 99th percentile wait for admission.
        var meanWait = 0.0, waitP90 = 0.0, waitP99 = 0.0
        /// Time-averaged running batch over the run, and the one an arrival meets on average.
        var meanBatch = 0.0, arrivalBatch = 0.0
        /// Token-weighted mean gap a streaming client sees between tokens, and mean iteration
        /// time per token (the two differ when prefill runs in iterations of its own).
        var tokenGap = 0.0, iteration = 0.0
    }

    /// Batch sizes at which the cost model is evaluated, geometric from 1 to the cap: the
    /// iteration time is close to affine in the batch, so linear pieces on a geometric grid
    /// stay within a percent of it.
    static let gridPoints = 6
    /// Time steps over the run's horizon: a few per request lifetime even when the arrivals
    /// span many lifetimes (the fluid only needs the batch's trajectory, not each request).
    static let timeSteps = 256

    let requests: Double
    let rate: Double
    /// Iterations a request stays admitted: one carrying its prompt and first token, then one
    /// per further output token.
    let iterationsPerRequest: Double
    /// Largest running batch (KV pool, max_num_seqs, token budget), at least 1.
    let batchCap: Double

    /// `step(b)` is one iteration's time and the gap a streaming client sees at running batch b.
    func run(_ step: (Double) -> (iteration: Double, gap: Double)) -> Outcome {
        let cap = max(1, min(batchCap, requests))
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * Self.gridPoints + 2 * (2 * Self.timeSteps + 2)) { buffer in
            let g = Self.gridPoints
            let batch = buffer.baseAddress!
            let iteration = batch + g
            let gap = iteration + g
            let counter = gap + g                        // iterations done by each time step
            let admitted = counter + (2 * Self.timeSteps + 2)
            for i in 0..<g {
                batch[i] = i == 0 ? 1 : FitMath.exp(FitMath.log(cap) * Double(i) / Double(g - 1))
                let s = step(batch[i])
                iteration[i] = max(s.iteration, 1e-9)
                gap[i] = s.gap
            }
            func at(_ n: Double) -> (iteration: Double, gap: Double) {
                let b = min(max(n, 1), cap)
                var i = 0
                while i < g - 2 && b > batch[i + 1] { i += 1 }
                let span = batch[i + 1] - batch[i]
                let f = span > 0 ? (b - batch[i]) / span : 0
                return (iteration[i] + f * (iteration[i + 1] - iteration[i]), gap[i] + f * (gap[i + 1] - gap[i]))
            }
            // Horizon: the arrivals, or the drain at the full batch's rate, plus one lifetime.
            let arrivalSpan = requests / rate
            let fullLifetime = iterationsPerRequest * iteration[g - 1]
            let horizon = max(arrivalSpan, requests / cap * fullLifetime) + fullLifetime
            let dt = horizon / Double(Self.timeSteps)
            let limit = 2 * Self.timeSteps + 1

            // Admitted count at the time the iteration counter read `k` (both monotone).
            func admittedWhenCounterWas(_ k: Double, upTo j: Int) -> Double {
                if k <= counter[0] { return 0 }
                var lo = 0, hi = j
                while hi - lo > 1 {
                    let mid = (lo + hi) / 2
                    if counter[mid] < k { lo = mid } else { hi = mid }
                }
                let span = counter[hi] - counter[lo]
                let f = span > 0 ? min(max((k - counter[lo]) / span, 0), 1) : 1
                return admitted[lo] + f * (admitted[hi] - admitted[lo])
            }
            // Time at which the admitted count reached `a`.
            func timeAdmitted(_ a: Double, upTo j: Int) -> Double {
                var lo = 0, hi = j
                if admitted[j] < a { return Double(j) * dt }
                while hi - lo > 1 {
                    let mid = (lo + hi) / 2
                    if admitted[mid] < a { lo = mid } else { hi = mid }
                }
                let span = admitted[hi] - admitted[lo]
                let f = span > 0 ? (a - admitted[lo]) / span : 0
                return (Double(lo) + f) * dt
            }

            var out = Outcome()
            var batchTime = 0.0, queueTime = 0.0, arrivalBatchTime = 0.0
            var tokens = 0.0, gapTokens = 0.0, iterationTokens = 0.0
            counter[0] = 0
            admitted[0] = 0
            var j = 0
            var duration = 0.0
            while true {
                let t = Double(j) * dt
                let arrived = min(rate * t, requests)
                let departed = admittedWhenCounterWas(counter[j] - iterationsPerRequest, upTo: j)
                let a = min(arrived, departed + cap)
                admitted[j] = j > 0 ? max(a, admitted[j - 1]) : a
                let n = max(admitted[j] - departed, 0)
                let s = at(n)
                batchTime += n * dt
                queueTime += (arrived - admitted[j]) * dt
                if t < arrivalSpan { arrivalBatchTime += n * min(dt, arrivalSpan - t) }
                if n > 0 {
                    let done = dt / s.iteration
                    tokens += n * done
                    gapTokens += n * done * s.gap
                    iterationTokens += n * dt
                }
                if departed >= requests - 1e-6 || j + 1 >= limit {
                    duration = t
                    break
                }
                counter[j + 1] = counter[j] + dt / s.iteration
                j += 1
            }
            out.duration = max(duration, arrivalSpan)
            out.meanBatch = out.duration > 0 ? batchTime / out.duration : 0
            out.arrivalBatch = arrivalSpan > 0 ? arrivalBatchTime / arrivalSpan : 0
            out.meanWait = queueTime / requests
            func wait(_ p: Double) -> Double {
                max(timeAdmitted(p * requests, upTo: j) - p * arrivalSpan, 0)
            }
            out.waitP90 = wait(0.9)
            out.waitP99 = wait(0.99)
            out.tokenGap = tokens > 0 ? gapTokens / tokens : gap[0]
            out.iteration = tokens > 0 ? iterationTokens / tokens : iteration[0]
            return out
        }
    }
}
