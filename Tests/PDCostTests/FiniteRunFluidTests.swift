import Testing
@testable import PDCost

/// The finite open-loop run against queueing results derivable by hand: with a constant
/// iteration time the fluid is a deterministic queue whose timeline can be written down.
@Suite("Finite request-rate runs")
struct FiniteRunFluidTests {
    /// 100 requests at 10 req/s, 50 iterations each of 10 ms (a 0.5 s lifetime), no batch
    /// limit: nobody waits; the run lasts the arrivals (10 s) plus one lifetime; by Little's
    /// law the time-averaged batch is N · lifetime / duration = 100 · 0.5 / 10.5.
    @Test("light load: duration = arrivals + one lifetime, batch by Little's law, no wait")
    func lightLoad() {
        let fluid = FiniteRunFluid(requests: 100, rate: 10, iterationsPerRequest: 50, batchCap: 1000)
        let run = fluid.run { _ in (0.010, 0.010) }
        #expect(abs(run.duration - 10.5) / 10.5 < 0.01)
        #expect(abs(run.meanBatch - 100 * 0.5 / 10.5) / (100 * 0.5 / 10.5) < 0.02)
        #expect(run.meanWait < 1e-6)
        #expect(abs(run.tokenGap - 0.010) < 1e-12)
        // During the arrivals, after the first lifetime, λ · lifetime = 5 are running.
        #expect(abs(run.arrivalBatch - 5 * (1 - 0.5 / 2 / 10)) < 0.1)
    }

    /// One slot (batch limit 1), service 0.5 s, arrivals every 0.25 s: the server is busy from
    /// the first arrival, so 40 requests take 40 · 0.5 = 20 s; request i (from 0) arrives at
    /// i/4 and starts at i/2, waiting i · 0.25 s: a mean of 19.5 · 0.25 = 4.875 s, and 9 s for
    /// request 36, the 90th percentile. The fluid spreads each request over its arrival
    /// interval (the first request is admitted over its first 0.25 s), so the timeline agrees
    /// within that granularity: the duration within 0.5 s, the waits within 10 %.
    @Test("overload with one slot: duration N · service, waits grow linearly")
    func overloadOneSlot() {
        let fluid = FiniteRunFluid(requests: 40, rate: 4, iterationsPerRequest: 50, batchCap: 1)
        let run = fluid.run { _ in (0.010, 0.010) }
        #expect(abs(run.duration - 20) / 20 < 0.03)
        #expect(abs(run.meanWait - 4.875) / 4.875 < 0.1)
        #expect(abs(run.waitP90 - 9) / 9 < 0.1)
        #expect(abs(run.meanBatch - 1) < 0.03)
    }

    /// An iteration time that grows with the batch, 10 ms + 0.1 ms per sequence, 1000
    /// requests all admitted: the gap a token sees is the iteration at the batch it ran in,
    /// so the token-weighted gap lies between the empty and the fullest batch's iteration.
    @Test("a batch-dependent iteration: the token gap lies between its extremes")
    func growingIteration() {
        let fluid = FiniteRunFluid(requests: 1000, rate: 100, iterationsPerRequest: 100, batchCap: 4096)
        let run = fluid.run { b in (0.010 + 0.0001 * b, 0.010 + 0.0001 * b) }
        #expect(run.tokenGap > 0.010 + 0.0001 * run.meanBatch * 0.5)
        #expect(run.tokenGap < 0.010 + 0.0001 * 1000)
        #expect(run.duration >= 10)
    }
}
