import PDCost
#if canImport(Glibc)
import Glibc
#endif

/// Heap allocations so far, when the bench runs under an LD_PRELOAD shim that exports
/// `pdcost_bench_malloc_count` (counting malloc/realloc/posix_memalign: scripts/malloc_count.c);
/// nil otherwise.
func mallocCount() -> UInt? {
    #if canImport(Glibc)
    guard let symbol = dlsym(nil, "pdcost_bench_malloc_count") else { return nil }
    typealias Counter = @convention(c) () -> UInt
    return UInt(unsafeBitCast(symbol, to: Counter.self)())
    #else
    return nil
    #endif
}

/// Evaluations per second of `CostModel.evaluate` on a few representative plans.
enum Timing {
    static func run() {
        let cases: [(String, String, Int, ParallelPlan, TrainingSetup)] = [
            ("llama3-70b", "H100-SXM-80GB", 64,
             ParallelPlan(tp: 4, pp: 4, vpp: 5, dp: 2, cp: 2, sequenceParallel: true),
             TrainingSetup(seqLen: 8192, microBatchSize: 1, globalBatchSize: 128, dtype: .bf16, framework: .nemo)),
            ("llama3.1-405b", "H100-SXM-80GB", 16384,
             ParallelPlan(tp: 8, pp: 16, vpp: 1, dp: 128, cp: 1, sequenceParallel: true,
                          firstStageLayers: 7, lastStageLayers: 7),
             TrainingSetup(seqLen: 8192, microBatchSize: 1, globalBatchSize: 2048, dtype: .bf16, recompute: .full, framework: .megatron)),
            ("deepseek-v3", "H800-SXM-80GB", 2048,
             ParallelPlan(tp: 1, pp: 16, vpp: 1, dp: 128, cp: 1, ep: 64, sequenceParallel: false,
                          firstStageLayers: 1),
             TrainingSetup(seqLen: 4096, microBatchSize: 1, globalBatchSize: 15360, dtype: .fp8,
                           recompute: Recompute(.selective, modules: [.mlaUpProjection, .moeActivation]),
                           framework: .megatronBridge)),
            ("qwen3-30b-a3b", "H100-SXM-80GB", 8,
             ParallelPlan(tp: 1, pp: 1, dp: 8, ep: 8),
             TrainingSetup(seqLen: 4096, microBatchSize: 1, globalBatchSize: 512, dtype: .bf16, framework: .torchtitan)),
        ]
        for (modelName, gpuName, gpus, plan, setup) in cases {
            do {
                let model = try ModelPresets.named(modelName)
                let cluster = Cluster(gpu: try GPUPresets.named(gpuName), numGPUs: gpus)
                let cost = try CostModel(model: model, cluster: cluster, setup: setup)
                do { try plan.validate(model: model, cluster: cluster, setup: setup) } catch {
                    print("\(modelName): plan invalid: \(error.message)")
                }
                // Vary the plan a little so nothing is hoisted out of the loop.
                var plans: [ParallelPlan] = []
                for mbsShift in 0..<4 {
                    var p = plan
                    p.sequenceParallel = mbsShift % 2 == 0 ? plan.sequenceParallel : !plan.sequenceParallel
                    p.zeroStage = 1 + mbsShift % 2
                    plans.append(p)
                }
                // Allocation check: evaluate 10,000 times between two reads of the counter.
                if let before = mallocCount() {
                    var sink = 0.0
                    for i in 0..<10_000 { sink += cost.evaluate(plans[i & 3]).stepTime }
                    let after = mallocCount() ?? before
                    print("\(modelName.padding(16)) heap allocations in 10,000 evaluations: \(after - before) (process total so far \(after))"
                          + (sink > 0 ? "" : " (sink 0)"))
                }
                let n = 2_000_000
                var checksum = 0.0
                let clock = ContinuousClock()
                let start = clock.now
                for i in 0..<n {
                    let r = cost.evaluate(plans[i & 3])
                    checksum += r.stepTime + r.memory.reserved * 1e-12
                }
                let elapsed = clock.now - start
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                let perEval = seconds / Double(n)
                print("\(modelName.padding(16)) \(gpus) GPUs: \(Int(Double(n) / seconds)) evaluations/s, "
                      + "\(Int((perEval * 1e9).rounded())) ns each (checksum \(checksum > 0 ? "ok" : "0"))")
            } catch {
                print("\(modelName): \(error.message)")
            }
        }
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
