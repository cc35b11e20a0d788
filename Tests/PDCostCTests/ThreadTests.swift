import CPDCost
import Testing
#if canImport(Glibc)
import Glibc
#endif

// The header promises that every function may be called from any thread and that the error
// message is per thread. Eight threads at once must see exactly what one thread sees.
@Suite struct ThreadTests {
    struct Snapshot: Equatable {
        var totals: [UInt64] = []
        var active: [UInt64] = []
        var training: [Double] = []
        var gpuFlops: [Double] = []
        var json: [String] = []
        var ownErrorsIntact = true
    }

    static let presets = ["llama3-8b", "deepseek-v3", "qwen3-30b-a3b", "gpt2", "mixtral-8x7b"]

    static func snapshot(thread: Int, rounds: Int) -> Snapshot {
        var s = Snapshot()
        for _ in 0..<rounds {
            for name in presets {
                let (_, model) = preset(name)
                let c = counts(model).1
                s.totals.append(c.total)
                s.active.append(c.active)
                s.training.append(flops(model, 8192, PDCOST_MASK_CAUSAL).1.training)
                var json: UnsafeMutablePointer<CChar>?
                _ = pdcost_model_analysis_json(&json, model, 2048)
                s.json.append(take(json) ?? "")
                pdcost_model_free(model)
            }
            s.gpuFlops.append(gpu("H100-80GB-HBM3").1.bf16_flops)
            // Each thread's error message is its own.
            let tag = "missing-\(thread)"
            _ = preset(tag)
            sched_yield()
            if !lastError.contains("'\(tag)'") { s.ownErrorsIntact = false }
        }
        return s
    }

    @Test func eightThreadsMatchSerial() {
        let rounds = 5
        let serial = Self.snapshot(thread: 0, rounds: rounds)
        #expect(serial.totals.allSatisfy { $0 > 0 })
        let results = UnsafeMutableBufferPointer<Snapshot>.allocate(capacity: 8)
        results.initialize(repeating: Snapshot())
        defer { results.deinitialize(); results.deallocate() }
        nonisolated(unsafe) let slots = results
        onThreads(8) { index in
            slots[index] = Self.snapshot(thread: index, rounds: rounds)
        }
        for index in 0..<8 {
            var expected = serial
            expected.ownErrorsIntact = true
            #expect(results[index] == expected, "thread \(index) differs from the serial run")
        }
    }
}
