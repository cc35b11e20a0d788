import Foundation
import Testing
import PDCost

/// The measured-runs validator: mapping, skipping with reasons, report JSON.
@Suite("Validation")
struct ValidationTests {
    static let file = """
    {"schema": "pdcost.runs/1", "runs": [
      {"id": "llama8b", "source": "example/repo@abc:file.md", "kind": "training",
       "model": {"name": "L8B", "model_type": "llama", "num_hidden_layers": 32, "hidden_size": 4096,
                 "intermediate_size": 14336, "num_attention_heads": 32, "num_key_value_heads": 8,
                 "head_dim": 128, "vocab_size": 128256, "tie_word_embeddings": false, "hidden_act": "silu"},
       "hardware": {"gpu": "H100-SXM-80GB", "num_gpus": 8, "gpus_per_node": 8},
       "parallel": {"tp": 1, "pp": 1, "vpp": 1, "dp": 4, "cp": 2, "ep": 1, "etp": null,
                    "sequence_parallel": false, "zero_stage": 1, "fsdp": false},
       "training": {"seq_len": 8192, "micro_batch_size": 1, "global_batch_size": 128, "dtype": "bf16",
                    "recompute": "none", "recompute_num_layers": null, "recompute_modules": null},
       "framework": "nemo",
       "measured": {"tokens_per_s_per_gpu": 10000, "step_time_s": 13.1, "peak_allocated_gib": 60,
                    "peak_reserved_gib": null, "peak_memory_gib": null},
       "settings": {"tp_comm_overlap": false, "cuda_graphs": false},
       "complete": true, "notes": "TP comm overlap: false. CUDA graphs: {\\"enabled\\": false}."},
      {"id": "infer", "kind": "inference", "model": {"model_type": "llama"}, "measured": {}},
      {"id": "nogpu", "kind": "training",
       "model": {"model_type": "llama", "num_hidden_layers": 2, "hidden_size": 64, "intermediate_size": 128,
                 "num_attention_heads": 4, "vocab_size": 100},
       "hardware": {"gpu": null, "num_gpus": 8, "gpus_per_node": 8}, "measured": {"peak_memory_gib": 1}},
      {"id": "broken", "kind": "training", "hardware": {"num_gpus": "eight"}},
      {"id": "badplan", "kind": "training",
       "model": {"model_type": "llama", "num_hidden_layers": 32, "hidden_size": 4096, "intermediate_size": 14336,
                 "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 128256},
       "hardware": {"gpu": "H100", "num_gpus": 64, "gpus_per_node": 8},
       "parallel": {"tp": 2, "pp": 2, "vpp": 1, "dp": 6, "cp": 2, "ep": 1},
       "training": {"seq_len": 8192, "micro_batch_size": 1, "global_batch_size": 96, "dtype": "bf16"},
       "framework": "megatron", "measured": {"tokens_per_s_per_gpu": 1}, "complete": false}
    ]}
    """

    @Test("runs are predicted or skipped with the reason, never dropped")
    func statuses() throws {
        let report = try Validator.validate(json: Array(Self.file.utf8))
        #expect(report.runs.count == 5)
        let byID = Dictionary(uniqueKeysWithValues: report.runs.map { ($0.id, $0) })
        let ok = try #require(byID["llama8b"])
        #expect(ok.status == .ok)
        #expect(ok.comparison(.tokensPerSecondPerGPU) != nil)
        #expect(ok.comparison(.peakAllocatedGiB) != nil)
        #expect(ok.comparison(.peakReservedGiB) == nil)
        #expect(byID["infer"]?.status == .skipped)
        #expect(byID["infer"]?.reason?.contains("inference") == true)
        #expect(byID["nogpu"]?.reason == "hardware.gpu is not stated")
        #expect(byID["broken"]?.status == .skipped)
        #expect(byID["broken"]?.reason?.contains("num_gpus") == true)
        #expect(byID["badplan"]?.reason == "tp*pp*dp*cp=48 != num_gpus=64")
        let tokens = report.summary(.tokensPerSecondPerGPU)
        #expect(tokens.n == 1 && tokens.completeN == 1)
        #expect(abs((tokens.mape ?? .nan) - abs(ok.comparison(.tokensPerSecondPerGPU)!.errorPercent)) < 1e-9)
    }

    /// DeepSeek-V3 records often omit the MTP block (the inference config has none). Trained
    /// under Megatron it is one block on the last stage (DeepSeek-V3 report §2.2; Megatron-Bridge
    /// `mtp_num_layers = 1`). Megatron-Bridge's layout for 16 stages (recipes/deepseek/
    /// deepseek_v3.py `layout_map[(16, 1)]`, v0.3.0) is `embedding + 4`, 14 × 4, `1 + mtp +
    /// loss`: 4 + 56 + 1 = 61 layers. With 32 model chunks (pp 16 × vpp 2) the map has no
    /// entry; the embedding, the loss and the block then count one layer each, 61 + 3 = 64 =
    /// 16 × 4: 3 layers on the first rank and 2 on the last, the per-rank sums of
    /// `Et|(tt|)*30mL`. torchtitan has no MTP, so the same record there has no such split.
    @Test("DeepSeek-V3 under Megatron trains one MTP block when the record does not say")
    func deepSeekMTPDefault() throws {
        func record(framework: String, vpp: Int = 1) -> String {
            """
            {"schema": "pdcost.runs/1", "runs": [{"id": "dsv3", "kind": "training",
              "model": {"model_type": "deepseek_v3", "num_hidden_layers": 61, "hidden_size": 7168,
                "intermediate_size": 18432, "num_attention_heads": 128, "num_key_value_heads": 128,
                "vocab_size": 129280, "hidden_act": "silu", "num_experts": 256, "num_experts_per_tok": 8,
                "moe_intermediate_size": 2048, "n_shared_experts": 1, "first_k_dense_replace": 3,
                "q_lora_rank": 1536, "kv_lora_rank": 512, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64,
                "v_head_dim": 128, "num_nextn_predict_layers": null},
              "hardware": {"gpu": "B200", "num_gpus": 256, "gpus_per_node": 8},
              "parallel": {"tp": 1, "pp": 16, "vpp": \(vpp), "dp": 16, "cp": 1, "ep": 8, "zero_stage": 1},
              "training": {"seq_len": 4096, "micro_batch_size": 1, "global_batch_size": 2048, "dtype": "bf16"},
              "framework": "\(framework)", "measured": {"tokens_per_s_per_gpu": 1}}]}
            """
        }
        let megatron = try MeasuredRunsFile.decode(Array(record(framework: "megatron-bridge").utf8)).runs[0]
        let mapped = try megatron.mapped().get()
        #expect(mapped.model.mtpLayers == 1)
        #expect(mapped.plan.firstStageLayers == nil && mapped.plan.lastStageLayers == 1)
        let context = try #require(mapped.plan.lastStageLayers)
        #expect(61 - context == 15 * 4)   // every other stage holds 4 layers

        let chunked = try MeasuredRunsFile.decode(Array(record(framework: "megatron-bridge", vpp: 2).utf8)).runs[0]
        let split = try chunked.mapped().get().plan
        #expect(split.firstStageLayers == 3 && split.lastStageLayers == 2)

        let titan = try MeasuredRunsFile.decode(Array(record(framework: "torchtitan").utf8)).runs[0]
        guard case .failure(let error) = titan.mapped() else { Issue.record("expected a skip"); return }
        #expect(error.message == "pp=16 does not divide the 61 layers and no uneven split was given")
    }

    /// torchtitan fixes what Megatron leaves open: its default schedule (1F1B) has one stage
    /// per rank, and a named multi-stage schedule without split points two
    /// (`generate_split_points`). Llama 3.1 405B, pp 8 × 2 stages: 126 = 7 + 14·8 + 7 layers,
    /// so ranks 0 and 7 hold 7 + 8 = 15 and the others 16.
    @Test("torchtitan's default stages per rank when vpp is not stated")
    func torchtitanStagesPerRank() throws {
        func run(schedule: String?, framework: String = "torchtitan") throws -> Result<MappedRun, PDCostError> {
            let settings = schedule.map { "{\"pipeline_schedule\": \"\($0)\"}" } ?? "{}"
            let json = """
            {"schema": "pdcost.runs/1", "runs": [{"id": "l405", "kind": "training",
              "model": {"model_type": "llama", "num_hidden_layers": 126, "hidden_size": 16384,
                "intermediate_size": 53248, "num_attention_heads": 128, "num_key_value_heads": 8,
                "vocab_size": 128256, "hidden_act": "silu"},
              "hardware": {"gpu": "H100-SXM-96GB", "num_gpus": 512, "gpus_per_node": 8},
              "parallel": {"tp": 8, "pp": 8, "vpp": null, "dp": 8, "zero_stage": 3, "fsdp": true},
              "training": {"seq_len": 8192, "micro_batch_size": 4, "global_batch_size": 256, "dtype": "bf16",
                           "recompute": "full"},
              "framework": "\(framework)", "settings": \(settings), "measured": {"tokens_per_s_per_gpu": 1}}]}
            """
            return try MeasuredRunsFile.decode(Array(json.utf8)).runs[0].mapped()
        }
        let looped = try run(schedule: "interleaved_1f1b").get()
        #expect(looped.plan.vpp == 2)
        #expect(looped.plan.firstStageLayers == 15 && looped.plan.lastStageLayers == 15)
        #expect(try run(schedule: nil).get().plan.vpp == 1)
        #expect(try run(schedule: "1f1b").get().plan.vpp == 1)
        guard case .failure(let error) = try run(schedule: "interleaved_1f1b", framework: "megatron") else {
            Issue.record("Megatron has no default depth"); return
        }
        #expect(error.message.contains("parallel.vpp is not stated"))
    }

    @Test("JSON report has runs and summary with the documented keys")
    func json() throws {
        let report = try Validator.validate(json: Array(Self.file.utf8))
        let text = report.json()
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let top = try #require(object)
        #expect(Set(top.keys).isSuperset(of: ["runs", "summary"]))
        let runs = try #require(top["runs"] as? [[String: Any]])
        #expect(runs.count == 5)
        let first = try #require(runs.first)
        #expect(first["id"] as? String == "llama8b")
        #expect(first["status"] as? String == "ok")
        let tokens = try #require(first["tokens_per_s_per_gpu"] as? [String: Any])
        #expect(Set(tokens.keys) == ["measured", "predicted", "error_pct"])
        let skipped = try #require(runs.first { $0["id"] as? String == "nogpu" })
        #expect(skipped["status"] as? String == "skipped")
        #expect(skipped["reason"] as? String == "hardware.gpu is not stated")
        let summary = try #require(top["summary"] as? [String: Any])
        for metric in ["tokens_per_s_per_gpu", "step_time_s", "peak_allocated_gib", "peak_reserved_gib", "peak_memory_gib"] {
            let entry = try #require(summary[metric] as? [String: Any])
            #expect(Set(entry.keys) == ["n", "mape", "max_abs_pct", "complete_n", "complete_mape"])
        }
    }

    /// Feasibility of the published plan: llama8b (8B, ZeRO-1 over dp 4) fits an 80 GB H100 by
    /// far; its predicted peak allocated equals the compared allocated peak (pp = 1), and the
    /// usable memory is below the device capacity (CUDA context taken out).
    /// A 70B model without sharding needs 70e9 · (2 + 4 + 12) B = 1.26 TB per GPU: not fitting.
    @Test("feasibility of each run's plan is reported, and complete runs that do not fit are listed")
    func feasibility() throws {
        let report = try Validator.validate(json: Array(Self.file.utf8))
        let ok = try #require(report.runs.first { $0.id == "llama8b" })
        let f = try #require(ok.feasibility)
        #expect(f.fits)
        #expect(f.usable < (try GPUPresets.named("H100-SXM-80GB")).memoryBytes)
        let compared = try #require(ok.comparison(.peakAllocatedGiB))
        #expect(abs(f.peakAllocated / 1_073_741_824 - compared.predicted) < 1e-9)
        #expect(report.completeRunsNotFitting.isEmpty)
        let object = try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any]
        let runs = try #require(object?["runs"] as? [[String: Any]])
        let first = try #require(runs.first)
        #expect(first["fits_memory"] as? Bool == true)
        #expect(first["usable_gib"] is Double && first["peak_allocated_gib_predicted"] is Double)
        #expect(runs.first { $0["id"] as? String == "nogpu" }?["fits_memory"] == nil)

        let big = """
        {"schema": "pdcost.runs/1", "runs": [{"id": "huge", "kind": "training",
          "model": {"model_type": "llama", "num_hidden_layers": 80, "hidden_size": 8192, "intermediate_size": 28672,
                    "num_attention_heads": 64, "num_key_value_heads": 8, "vocab_size": 128256},
          "hardware": {"gpu": "H100-SXM-80GB", "num_gpus": 8, "gpus_per_node": 8},
          "parallel": {"tp": 1, "pp": 1, "dp": 8, "cp": 1, "ep": 1, "zero_stage": 0},
          "training": {"seq_len": 4096, "micro_batch_size": 1, "global_batch_size": 8, "dtype": "bf16"},
          "framework": "megatron", "measured": {"tokens_per_s_per_gpu": 1}, "complete": true}]}
        """
        let overfull = try Validator.validate(json: Array(big.utf8))
        #expect(overfull.completeRunsNotFitting.map(\.id) == ["huge"])
        let g = try #require(overfull.runs.first?.feasibility)
        #expect(g.peakAllocated > 70e9 * 18)
        #expect(ValidationRenderer.render(overfull).contains("huge: allocated"))
    }

    @Test("stated settings set framework behaviour; unstated keep the framework's default")
    func settings() throws {
        let s = try FrameworkSettings.decode(json: Array("""
            {"tp_comm_overlap": true, "cuda_graphs": false, "overlap_grad_reduce": true,
             "overlap_param_gather": true, "fp8_recipe": "current", "moe_capacity_factor": 1,
             "moe_pad_to_capacity": true, "memory_logged_by": "last_rank", "attention_backend": "unfused",
             "torch_compile": null}
            """.utf8))
        #expect(s.tpCommOverlap == true && s.cudaGraphs == false && s.torchCompile == nil)
        #expect(s.overlapGradReduce == true && s.overlapParamGather == true)
        #expect(s.fp8Recipe == .current)
        #expect(s.moeCapacityFactor == 1.0 && s.moePadToCapacity == true)
        #expect(s.memoryLoggedBy == .lastRank)
        let p = FrameworkProfile(kind: .megatron, settings: s)
        #expect(p.attentionKernel == .unfused)
        #expect(!p.moeHostSync)
        #expect(p.tpCommOverlap && p.overlapGradReduce)
        // Megatron-LM's own defaults where nothing is stated (arguments.py: opt-in overlaps).
        #expect(!FrameworkProfile(kind: .megatron, settings: FrameworkSettings()).overlapGradReduce)
        #expect(FrameworkProfile(kind: .nemo, settings: FrameworkSettings()).overlapGradReduce)
        // Megatron `--deterministic-mode` turns on PyTorch's deterministic NaN fill and TE's
        // deterministic attention.
        var det = FrameworkSettings()
        det.deterministic = true
        let d = FrameworkProfile(kind: .megatron, settings: det)
        #expect(d.deterministicFill && d.deterministicAttention)
        #expect(!FrameworkProfile.megatron.deterministicFill)
    }

    @Test("a bad setting names the key and value; a bad setting in a runs file skips only that run")
    func settingErrors() throws {
        func message(_ json: String) -> String {
            do { _ = try FrameworkSettings.decode(json: Array(json.utf8)); return "" } catch { return error.message }
        }
        #expect(message(#"{"fp8_recipe": "fancy"}"#) == "settings.fp8_recipe='fancy' is not one of delayed, current, blockwise, rowwise, mxfp8")
        #expect(message(#"{"tp_comm_overlap": 1}"#) == "settings.tp_comm_overlap=1 must be true or false")
        #expect(message(#"{"moe_capacity_factor": -1}"#).hasPrefix("settings.moe_capacity_factor=-1 must be in"))
        #expect(message(#"{"torch_version": "two"}"#) == "settings.torch_version='two' must be MAJOR.MINOR, e.g. \"2.8\"")
        #expect(message(#"{"tp_overlap": true}"#).hasPrefix("settings.tp_overlap is not a known setting; known: tp_comm_overlap,"))
        #expect(message(#"{"activation_offload_layers": 2.5}"#) == "settings.activation_offload_layers=2.5 must be an integer")
        #expect(message("[1]").hasPrefix("settings: "))
    }

}
