import CPDCost
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// `pdcost_<struct>_init()` writes its struct's _INIT value, for callers without the
/// preprocessor. Swift cannot expand the macros, so each expected value is written out here from
/// the header's documentation: size = sizeof, version = PDCOST_<STRUCT>_VERSION, the documented
/// defaults, zero (or NULL) elsewhere.
@Suite struct InitializerTests {
    /// The bytes `initialise` writes over memory pre-filled with `fill`, and the value read back.
    static func initialised<T>(_ initialise: (UnsafeMutablePointer<T>?) -> Void, fill: UInt8) -> (T, [UInt8]) {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: 1)
        defer { pointer.deallocate() }
        memset(pointer, Int32(fill), MemoryLayout<T>.size)
        initialise(pointer)
        let bytes = Array(UnsafeRawBufferPointer(start: pointer, count: MemoryLayout<T>.size))
        return (pointer.pointee, bytes)
    }

    /// The expected value, built in zeroed memory (so padding is zero, as it stays when init is
    /// called on zeroed memory) by setting the non-zero fields in place.
    static func expected<T>(_ set: (inout T) -> Void) -> [UInt8] {
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment)
        defer { pointer.deallocate() }
        memset(pointer, 0, MemoryLayout<T>.size)
        let typed = pointer.bindMemory(to: T.self, capacity: 1)
        set(&typed.pointee)
        return Array(UnsafeRawBufferPointer(start: pointer, count: MemoryLayout<T>.size))
    }

    /// Checks `initialise` against `set` byte for byte (on zeroed memory), and that it overwrites
    /// every field of memory holding garbage (`check` on the value read back after a 0xAB fill).
    static func verify<T>(_ name: String, _ initialise: (UnsafeMutablePointer<T>?) -> Void,
                          size: (T) -> UInt32, version: (T) -> UInt32, expectedVersion: Int32,
                          sourceLocation: SourceLocation = #_sourceLocation,
                          set: (inout T) -> Void, check: (T) -> Bool) {
        let (zeroed, bytes) = initialised(initialise, fill: 0)
        #expect(size(zeroed) == UInt32(MemoryLayout<T>.size), "\(name).size", sourceLocation: sourceLocation)
        #expect(version(zeroed) == UInt32(expectedVersion), "\(name).version", sourceLocation: sourceLocation)
        // Structs are at version 1 except those that grew: pdcost_training_setup is at 2 (1.3),
        // pdcost_cluster at 2 (1.4: the host), pdcost_param_counts at 2 (1.6: LatentMoE),
        // pdcost_training_setup at 3 (1.6: recompute modules), pdcost_validate_options at 2
        // (1.7: run overrides), pdcost_fit_options at 2 (1.8: run overrides).
        let grown: [String: Int32] = ["pdcost_training_setup": 3, "pdcost_cluster": 2, "pdcost_param_counts": 2,
                                      "pdcost_validate_options": 2, "pdcost_fit_options": 2]
        #expect(expectedVersion == grown[name, default: 1], "\(name): version",
                sourceLocation: sourceLocation)
        let want = expected(set)
        let differing = (0..<bytes.count).filter { bytes[$0] != want[$0] }
        #expect(differing.isEmpty, "\(name)_init differs from the _INIT value at bytes \(differing)",
                sourceLocation: sourceLocation)
        let (garbage, _) = initialised(initialise, fill: 0xAB)
        #expect(size(garbage) == UInt32(MemoryLayout<T>.size) && version(garbage) == UInt32(expectedVersion),
                "\(name): size/version over garbage", sourceLocation: sourceLocation)
        #expect(check(garbage), "\(name)_init left a field holding garbage", sourceLocation: sourceLocation)
    }

    @Test func modelStructs() {
        Self.verify("pdcost_param_counts", pdcost_param_counts_init, size: \.size, version: \.version,
                    expectedVersion: PDCOST_PARAM_COUNTS_VERSION,
                    set: { $0.size = UInt32(MemoryLayout<pdcost_param_counts>.size); $0.version = 2 },
                    check: { $0.total == 0 && $0.active == 0 && $0.mtp == 0 && $0.lm_head == 0
                             && $0.moe_latent_projections == 0 })
        Self.verify("pdcost_flops", pdcost_flops_init, size: \.size, version: \.version,
                    expectedVersion: PDCOST_FLOPS_VERSION,
                    set: { $0.size = UInt32(MemoryLayout<pdcost_flops>.size); $0.version = 1 },
                    check: { $0.matmul_parameters == 0 && $0.forward == 0 && $0.training == 0 })
    }

    @Test func gpuAndCluster() {
        Self.verify("pdcost_gpu_spec", pdcost_gpu_spec_init, size: \.size, version: \.version,
                    expectedVersion: PDCOST_GPU_SPEC_VERSION,
                    set: { $0.size = UInt32(MemoryLayout<pdcost_gpu_spec>.size); $0.version = 1 },
                    check: { g in
                        gpuName(g) == "" && g.memory_bytes == 0 && g.tdp_watts == 0 && g.gpus_per_node == 0
                            && g.architecture == 0 && g.supports_fp8 == 0 && g.supports_fp4 == 0 && g.reserved == 0
                    })
        Self.verify("pdcost_cluster", pdcost_cluster_init, size: \.size, version: \.version,
                    expectedVersion: PDCOST_CLUSTER_VERSION,
                    set: {
                        $0.size = UInt32(MemoryLayout<pdcost_cluster>.size)
                        $0.version = 2
                        // The nested GPU is PDCOST_GPU_SPEC_INIT.
                        $0.gpu.size = UInt32(MemoryLayout<pdcost_gpu_spec>.size)
                        $0.gpu.version = UInt32(PDCOST_GPU_SPEC_VERSION)
                    },
                    check: { c in
                        c.gpu.size == UInt32(MemoryLayout<pdcost_gpu_spec>.size) && c.gpu.version == 1
                            && c.gpu.bf16_flops == 0 && c.num_gpus == 0 && c.gpus_per_node == 0
                            && c.host_memory_bytes == 0 && c.host_memory_bandwidth == 0 && c.nvme_bandwidth == 0
                            && c.cpu_adam_params_per_second == 0
                    })
    }

    @Test func costModelInputs() {
        Self.verify("pdcost_training_setup", pdcost_training_setup_init, size: \.size, version: \.version,
                    expectedVersion: PDCOST_TRAINING_SETUP_VERSION,
                    set: {
                        $0.size = UInt32(MemoryLayout<pdcost_training_setup>.size)
                        $0.version = 3
                        $0.micro_batch_size = 1
                    },
                    check: { s in
                        s.seq_len == 0 && s.micro_batch_size == 1 && s.global_batch_size == 0
                            && s.dtype == PDCOST_DTYPE_BF16 && s.optimizer == PDCOST_OPTIMIZER_ADAMW
                            && s.recompute == PDCOST_RECOMPUTE_NONE && s.recompute_num_layers == 0
                            && s.optimizer_offload_ratio == 0 && s.framework == PDCOST_FRAMEWORK_MEGATRON
                            && s.settings_json == nil && s.method == PDCOST_METHOD_PRETRAIN
                            && s.lora_rank == 0 && s.lora_targets == 0 && s.packed_document_tokens == 0
                            && s.recompute_modules == 0
                    })
        Self.verify("pdcost_plan", pdcost_plan_init, size: \.size, version: \.version,
                    expectedVersion: PDCOST_PLAN_VERSION,
                    set: Self.setPlanDefaults,
                    check: { p in
                        p.tp == 1 && p.pp == 1 && p.vpp == 1 && p.dp == 1 && p.cp == 1 && p.ep == 1 && p.etp == 0
                            && p.sequence_parallel == 0 && p.zero_stage == 1 && p.fsdp == 0
                            && p.first_stage_layers == 0 && p.last_stage_layers == 0
                    })
        Self.verify("pdcost_cost_model_options", pdcost_cost_model_options_init, size: \.size, version: \.version,
                    expectedVersion: PDCOST_COST_MODEL_OPTIONS_VERSION,
                    set: { $0.size = UInt32(MemoryLayout<pdcost_cost_model_options>.size); $0.version = 1 },
                    check: { $0.profile_json == nil && $0.profile_length == 0 })
        Self.verify("pdcost_validate_options", pdcost_validate_options_init, size: \.size, version: \.version,
                    expectedVersion: PDCOST_VALIDATE_OPTIONS_VERSION,
                    set: { $0.size = UInt32(MemoryLayout<pdcost_validate_options>.size); $0.version = 2 },
                    check: { $0.flags == 0 && $0.reserved == 0 && $0.profile_json == nil && $0.profile_length == 0
                        && $0.overrides_json == nil && $0.overrides_length == 0 })
    }

    /// PDCOST_PLAN_INIT: every degree 1, etp 0, ZeRO stage 1 (the distributed optimizer).
    static func setPlanDefaults(_ p: inout pdcost_plan) {
        p.size = UInt32(MemoryLayout<pdcost_plan>.size)
        p.version = UInt32(PDCOST_PLAN_VERSION)
        (p.tp, p.pp, p.vpp, p.dp, p.cp, p.ep) = (1, 1, 1, 1, 1, 1)
        p.zero_stage = 1
    }

    static func setPredictionDefaults(_ p: inout pdcost_prediction) {
        p.size = UInt32(MemoryLayout<pdcost_prediction>.size)
        p.version = UInt32(PDCOST_PREDICTION_VERSION)
    }

    @Test func prediction() {
        Self.verify("pdcost_prediction", pdcost_prediction_init, size: \.size, version: \.version,
                    expectedVersion: PDCOST_PREDICTION_VERSION,
                    set: Self.setPredictionDefaults,
                    check: { p in
                        var copy = p
                        let doubles = withUnsafeBytes(of: &copy) { raw in
                            (0..<(MemoryLayout<pdcost_prediction>.size - 16) / 8).map {
                                raw.load(fromByteOffset: 8 + $0 * 8, as: Double.self)
                            }
                        }
                        return doubles.allSatisfy { $0 == 0 } && p.peak_stage == 0 && p.fits_memory == 0
                    })
        Self.verify("pdcost_host_prediction", pdcost_host_prediction_init, size: \.size, version: \.version,
                    expectedVersion: PDCOST_HOST_PREDICTION_VERSION,
                    set: { $0.size = UInt32(MemoryLayout<pdcost_host_prediction>.size); $0.version = 1 },
                    check: { h in
                        h.host_memory_per_node_bytes == 0 && h.cpu_optimizer_s == 0
                            && h.parameter_fetch_overlapped_s == 0 && h.fits_host_memory == 0 && h.reserved == 0
                    })
    }

    @Test func longCallOptions() {
        Self.verify("pdcost_fit_options", pdcost_fit_options_init, size: \.size, version: \.version,
                    expectedVersion: PDCOST_FIT_OPTIONS_VERSION,
                    set: { $0.size = UInt32(MemoryLayout<pdcost_fit_options>.size); $0.version = 2 },
                    check: { o in
                        o.parameters == nil && o.cross_validation == 0 && o.folds == 0 && o.max_iterations == 0
                            && o.min_runs_per_parameter == 0 && o.flags == 0 && o.runs_file == nil
                            && o.progress == nil && o.user == nil && o.overrides_json == nil && o.overrides_length == 0
                    })
        // Search options: all zero (every field's default) and NULLs.
        Self.verify("pdcost_search_options", pdcost_search_options_init, size: \.size, version: \.version,
                    expectedVersion: PDCOST_SEARCH_OPTIONS_VERSION,
                    set: { $0.size = UInt32(MemoryLayout<pdcost_search_options>.size); $0.version = 1 },
                    check: { o in
                        var copy = o
                        let lists = withUnsafeBytes(of: &copy.micro_batch_sizes) { $0.allSatisfy { $0 == 0 } }
                            && withUnsafeBytes(of: &copy.optimizer_offload_ratios) { $0.allSatisfy { $0 == 0 } }
                        return lists && o.max_tp == 0 && o.max_pp == 0 && o.max_vpp == 0 && o.max_cp == 0
                            && o.max_ep == 0 && o.max_etp == 0 && o.num_micro_batch_sizes == 0 && o.recompute == 0
                            && o.zero_stages == 0 && o.sequence_parallel == 0 && o.max_stage_layer_reduction == 0
                            && o.num_offload_ratios == 0 && o.top_k == 0 && o.threads == 0
                            && o.memory_safety_margin == 0 && o.flags == 0 && o.reserved == 0
                            && o.vary_settings == nil && o.progress == nil && o.user == nil
                    })
        // GPU calibration: gemm_size 8192, all three tests on, 20 repetitions after 5 warm-ups,
        // a 15 s soak, collectives up to 1 GiB.
        Self.verify("pdcost_gpu_calibration_options", pdcost_gpu_calibration_options_init, size: \.size,
                    version: \.version, expectedVersion: PDCOST_GPU_CALIBRATION_OPTIONS_VERSION,
                    set: { o in
                        o.size = UInt32(MemoryLayout<pdcost_gpu_calibration_options>.size)
                        o.version = 1
                        o.gemm_size = 8192
                        (o.test_compute, o.test_memory, o.test_collectives) = (1, 1, 1)
                        o.repetitions = 20
                        o.warmup = 5
                        o.sustain_seconds = 15
                        o.max_collective_bytes = 1 << 30
                    },
                    check: { o in
                        o.device == 0 && o.gemm_size == 8192 && o.test_compute == 1 && o.test_memory == 1
                            && o.test_collectives == 1 && o.repetitions == 20 && o.warmup == 5 && o.dtypes == 0
                            && o.sustain_seconds == 15 && o.max_collective_bytes == 1_073_741_824
                            && o.progress == nil && o.user == nil
                    })
    }

    @Test func searchResults() {
        Self.verify("pdcost_search_stats", pdcost_search_stats_init, size: \.size, version: \.version,
                    expectedVersion: PDCOST_SEARCH_STATS_VERSION,
                    set: { $0.size = UInt32(MemoryLayout<pdcost_search_stats>.size); $0.version = 1 },
                    check: { s in
                        var copy = s
                        let pruned = withUnsafeBytes(of: &copy.pruned) { $0.allSatisfy { $0 == 0 } }
                        return pruned && s.enumerated == 0 && s.evaluated == 0 && s.feasible == 0 && s.elapsed_s == 0
                            && s.threads == 0 && s.cancelled == 0 && s.work_units == 0 && s.work_units_done == 0
                            && s.memory_limit_bytes == 0
                    })
        // The entry nests PDCOST_PLAN_INIT and PDCOST_PREDICTION_INIT.
        Self.verify("pdcost_search_entry", pdcost_search_entry_init, size: \.size, version: \.version,
                    expectedVersion: PDCOST_SEARCH_ENTRY_VERSION,
                    set: { e in
                        e.size = UInt32(MemoryLayout<pdcost_search_entry>.size)
                        e.version = 1
                        Self.setPlanDefaults(&e.plan)
                        Self.setPredictionDefaults(&e.prediction)
                    },
                    check: { e in
                        e.plan.size == UInt32(MemoryLayout<pdcost_plan>.size) && e.plan.version == 1
                            && e.plan.tp == 1 && e.plan.zero_stage == 1 && e.plan.first_stage_layers == 0
                            && e.micro_batch_size == 0 && e.recompute == PDCOST_RECOMPUTE_NONE
                            && e.recompute_num_layers == 0 && e.gradient_accumulation_steps == 0
                            && e.optimizer_offload_ratio == 0 && e.peak_allocated_bytes == 0
                            && e.prediction.size == UInt32(MemoryLayout<pdcost_prediction>.size)
                            && e.prediction.version == 1 && e.prediction.step_time_s == 0
                            && e.prediction.fits_memory == 0 && e.settings_variant == 0
                    })
    }

    @Test func nullIsANoOp() {
        pdcost_param_counts_init(nil)
        pdcost_flops_init(nil)
        pdcost_gpu_spec_init(nil)
        pdcost_cluster_init(nil)
        pdcost_training_setup_init(nil)
        pdcost_plan_init(nil)
        pdcost_prediction_init(nil)
        pdcost_host_prediction_init(nil)
        pdcost_cost_model_options_init(nil)
        pdcost_validate_options_init(nil)
        pdcost_fit_options_init(nil)
        pdcost_search_options_init(nil)
        pdcost_search_stats_init(nil)
        pdcost_search_entry_init(nil)
        pdcost_gpu_calibration_options_init(nil)
    }

    @Test("an initialised struct is accepted as it is")
    func initialisedStructsWork() {
        let (_, model) = preset("gpt2")
        defer { pdcost_model_free(model) }
        var c = pdcost_param_counts()
        pdcost_param_counts_init(&c)
        #expect(pdcost_model_param_counts(&c, model) == PDCOST_OK)
        #expect(c.total == 124_439_808)
        var f = pdcost_flops()
        pdcost_flops_init(&f)
        #expect(pdcost_model_flops_per_token(&f, model, 1024, PDCOST_MASK_CAUSAL) == PDCOST_OK)
        var g = pdcost_gpu_spec()
        pdcost_gpu_spec_init(&g)
        #expect(pdcost_gpu_from_name(&g, "B200") == PDCOST_OK)
        #expect(gpuName(g) == "B200")
    }
}
