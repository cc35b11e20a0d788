import CPDCost
import Testing

/// Through the C ABI only: every entry of `pdcost_search_run` is accepted by
/// `pdcost_cost_model_predict` on a cost model whose setup carries the entry's knobs
/// (micro-batch size, recompute, recompute_num_layers, offload ratio), with the same step and
/// recompute time to the bit.
@Suite struct SearchPredictAgreementCTests {
    struct Case {
        let preset: String
        let gpus: UInt32
        let seq: UInt32
        let batch: UInt64
        let maxPP: UInt32
        let recompute: UInt32
        let topK: UInt32
    }

    /// The cost model of `c` with the entry's training knobs.
    static func costModel(_ model: OpaquePointer?, _ c: Case, mbs: UInt32 = 1,
                          recompute: pdcost_recompute = PDCOST_RECOMPUTE_NONE, recomputeLayers: UInt32 = 0,
                          offload: Double = 0) -> OpaquePointer? {
        var cluster = pdcost_cluster()
        cluster.size = UInt32(MemoryLayout<pdcost_cluster>.size)
        cluster.version = UInt32(PDCOST_CLUSTER_VERSION)
        let (status, spec) = gpu("H100-SXM-80GB")
        #expect(status == PDCOST_OK)
        cluster.gpu = spec
        cluster.num_gpus = c.gpus
        var setup = pdcost_training_setup()
        setup.size = UInt32(MemoryLayout<pdcost_training_setup>.size)
        setup.version = UInt32(PDCOST_TRAINING_SETUP_VERSION)
        setup.seq_len = c.seq
        setup.micro_batch_size = mbs
        setup.global_batch_size = c.batch
        setup.dtype = PDCOST_DTYPE_BF16
        setup.optimizer = PDCOST_OPTIMIZER_ADAMW
        setup.recompute = recompute
        setup.recompute_num_layers = recomputeLayers
        setup.optimizer_offload_ratio = offload
        setup.framework = PDCOST_FRAMEWORK_MEGATRON
        var cost: OpaquePointer?
        #expect(pdcost_cost_model_create(&cost, model, &cluster, &setup, nil) == PDCOST_OK, "\(lastError)")
        return cost
    }

    static let cases = [
        // Dense, pp ≤ 2: 80 layers split 41/39 or 39/41 besides 40/40 (one side given).
        Case(preset: "llama3-70b", gpus: 16, seq: 4096, batch: 32, maxPP: 2,
             recompute: PDCOST_SEARCH_RECOMPUTE_SELECTIVE | PDCOST_SEARCH_RECOMPUTE_FULL, topK: 1000),
        Case(preset: "qwen3-30b-a3b", gpus: 16, seq: 4096, batch: 64, maxPP: 4, recompute: 0, topK: 40),
        // MLA + MoE with selective and partial-full recomputation.
        Case(preset: "deepseek-v3", gpus: 1024, seq: 4096, batch: 1024, maxPP: 16,
             recompute: PDCOST_SEARCH_RECOMPUTE_SELECTIVE | PDCOST_SEARCH_RECOMPUTE_PARTIAL, topK: 60),
    ]

    @Test(arguments: cases.indices)
    func everyEntryPredictsTheSame(_ index: Int) throws {
        let c = Self.cases[index]
        let (status, model) = preset(c.preset)
        #expect(status == PDCOST_OK)
        defer { pdcost_model_free(model) }
        let cost = Self.costModel(model, c)
        defer { pdcost_cost_model_free(cost) }
        var o = pdcost_search_options()
        o.size = UInt32(MemoryLayout<pdcost_search_options>.size)
        o.version = UInt32(PDCOST_SEARCH_OPTIONS_VERSION)
        o.max_pp = c.maxPP
        o.max_vpp = 1
        o.max_cp = 1
        o.num_micro_batch_sizes = 1
        o.micro_batch_sizes.0 = 1
        o.recompute = c.recompute
        o.zero_stages = 1 << 1
        o.top_k = c.topK
        o.threads = 2
        var result: OpaquePointer?
        #expect(pdcost_search_run(&result, cost, &o) == PDCOST_OK, "\(lastError)")
        defer { pdcost_search_result_free(result) }
        let count = pdcost_search_result_count(result)
        #expect(count > 0)
        var lastOnly = 0, selective = 0, partial = 0
        for i in 0..<count {
            var e = pdcost_search_entry()
            e.size = UInt32(MemoryLayout<pdcost_search_entry>.size)
            e.version = UInt32(PDCOST_SEARCH_ENTRY_VERSION)
            #expect(pdcost_search_result_get(&e, result, i) == PDCOST_OK)
            if e.plan.first_stage_layers == 0 && e.plan.last_stage_layers != 0 { lastOnly += 1 }
            if e.recompute == PDCOST_RECOMPUTE_SELECTIVE { selective += 1 }
            if e.recompute == PDCOST_RECOMPUTE_FULL && e.recompute_num_layers != 0 { partial += 1 }
            let again = Self.costModel(model, c, mbs: e.micro_batch_size, recompute: e.recompute,
                                       recomputeLayers: e.recompute_num_layers, offload: e.optimizer_offload_ratio)
            defer { pdcost_cost_model_free(again) }
            var p = pdcost_prediction()
            p.size = UInt32(MemoryLayout<pdcost_prediction>.size)
            p.version = UInt32(PDCOST_PREDICTION_VERSION)
            let plan = "\(c.preset) tp=\(e.plan.tp) pp=\(e.plan.pp) first=\(e.plan.first_stage_layers) last=\(e.plan.last_stage_layers) ep=\(e.plan.ep) recompute=\(e.recompute.rawValue)/\(e.recompute_num_layers)"
            #expect(pdcost_cost_model_predict(&p, again, &e.plan) == PDCOST_OK, "\(plan): \(lastError)")
            #expect(p.step_time_s == e.prediction.step_time_s, "\(plan)")
            #expect(p.recompute_time_s == e.prediction.recompute_time_s, "\(plan)")
            #expect(p.allocated_bytes == e.prediction.allocated_bytes, "\(plan)")
            #expect(p.micro_batches == Double(e.gradient_accumulation_steps), "\(plan)")
        }
        switch c.preset {
        case "llama3-70b": #expect(lastOnly > 0)
        case "deepseek-v3": #expect(selective > 0 && partial > 0)
        default: break
        }
    }
}
