import CPDCost
import Testing

/// `pdcost_training_setup` version 2 (1.3): the method, LoRA rank and targets, and a version-1
/// caller's smaller struct read as pre-training.
@Suite struct FineTuningCTests {
    /// Predicts Llama-3-8B on one H100 at seq 4096 with `edit` applied to the setup.
    static func predict(_ edit: (inout pdcost_training_setup) -> Void) -> (pdcost_status, pdcost_prediction) {
        let (_, model) = preset("llama3-8b")
        defer { pdcost_model_free(model) }
        var cluster = pdcost_cluster()
        pdcost_cluster_init(&cluster)
        cluster.gpu = gpu("H100-SXM-80GB").1
        cluster.num_gpus = 1
        var setup = pdcost_training_setup()
        pdcost_training_setup_init(&setup)
        setup.seq_len = 4096
        setup.global_batch_size = 1
        edit(&setup)
        var cost: OpaquePointer?
        let created = pdcost_cost_model_create(&cost, model, &cluster, &setup, nil)
        var out = pdcost_prediction()
        pdcost_prediction_init(&out)
        guard created == PDCOST_OK else { return (created, out) }
        defer { pdcost_cost_model_free(cost) }
        var plan = pdcost_plan()
        pdcost_plan_init(&plan)
        return (pdcost_cost_model_predict(&out, cost, &plan), out)
    }

    @Test func versionOneCallerGetsPretraining() {
        let (s2, full) = Self.predict { _ in }
        #expect(s2 == PDCOST_OK, "\(lastError)")
        // A 1.2 caller: its struct ends at settings_json; the bytes after are garbage here
        // and must not be read.
        let v1Size = MemoryLayout<pdcost_training_setup>.offset(of: \pdcost_training_setup.settings_json)!
            + MemoryLayout<UnsafePointer<CChar>?>.size
        let (s1, old) = Self.predict {
            $0.size = UInt32(v1Size)
            $0.version = 1
            $0.method = pdcost_method(rawValue: 77)
            $0.lora_rank = 123_456_789
        }
        #expect(s1 == PDCOST_OK, "\(lastError)")
        #expect(old.step_time_s == full.step_time_s && old.optimizer_bytes == full.optimizer_bytes)
    }

    @Test func loraThroughTheABI() {
        let (status, lora) = Self.predict {
            $0.method = PDCOST_METHOD_LORA
            $0.lora_rank = 16
            $0.lora_targets = PDCOST_LORA_QKV
        }
        #expect(status == PDCOST_OK, "\(lastError)")
        // 32 layers · 16 · (4096 + 6144) adapter parameters, 12 B of Adam state each.
        #expect(abs(lora.optimizer_bytes - 12 * 5_242_880) < 1)
        let (full, _) = Self.predict { $0.method = PDCOST_METHOD_SFT }
        #expect(full == PDCOST_OK)
    }

    @Test func badFieldsAreNamed() {
        let (s1, _) = Self.predict { $0.method = pdcost_method(rawValue: 9) }
        #expect(s1 == PDCOST_EINVAL && lastError.contains("setup->method=9"))
        let (s2, _) = Self.predict {
            $0.method = PDCOST_METHOD_LORA
            $0.lora_targets = 16
        }
        #expect(s2 == PDCOST_EINVAL && lastError.contains("setup->lora_targets=16"))
        let (s3, _) = Self.predict {
            $0.method = PDCOST_METHOD_QLORA
            $0.lora_rank = 1 << 20
        }
        #expect(s3 == PDCOST_EINVAL && lastError.contains("setup->lora_rank"))
    }
}
