import CPDCost
import Foundation
import Testing

// Success paths against numbers their authors published (not against pdcost's own output).
@Suite struct ModelTests {
    /// Exact parameter counts of the Hugging Face checkpoints (safetensors totals / model cards).
    static let published: [(String, UInt64)] = [
        ("llama3-8b", 8_030_261_248),     // Meta-Llama-3-8B
        ("llama2-7b", 6_738_415_616),     // Llama-2-7b-hf
        ("mistral-7b", 7_241_732_096),    // Mistral-7B-v0.1
        ("mixtral-8x7b", 46_702_792_704), // Mixtral-8x7B-v0.1, "46.7B"
        ("llama3-70b", 70_553_706_496),   // Meta-Llama-3-70B, "70.6B"
        ("gpt2", 124_439_808),            // GPT-2 small, "124M"
    ]

    @Test(arguments: published)
    func presetTotals(name: String, total: UInt64) {
        let (status, model) = preset(name)
        defer { pdcost_model_free(model) }
        #expect(status == PDCOST_OK, "\(lastError)")
        #expect(lastError == "")
        let (countStatus, c) = counts(model)
        #expect(countStatus == PDCOST_OK)
        #expect(c.total == total)
        // The components add up to the total (MTP apart).
        let sum = c.embedding + c.position_embedding + c.attention + c.dense_mlp
            + c.routed_experts + c.shared_experts + c.router + c.norms + c.lm_head
        #expect(sum == c.total)
    }

    @Test func moeActiveParameters() {
        // Mixtral-8x7B: 46.7B total, 12.9B active (Mistral AI, "Mixtral of experts").
        let (_, mixtral) = preset("mixtral-8x7b")
        defer { pdcost_model_free(mixtral) }
        let (_, m) = counts(mixtral)
        #expect(abs(Double(m.active) / 12.9e9 - 1) < 0.005)
        // DeepSeek-V3: 671B total, 37B active, MTP apart (arXiv 2412.19437).
        let (_, deepseek) = preset("deepseek-v3")
        defer { pdcost_model_free(deepseek) }
        let (_, d) = counts(deepseek)
        #expect(abs(Double(d.total) / 671e9 - 1) < 0.005)
        #expect(abs(Double(d.active) / 37e9 - 1) < 0.02)
        #expect(d.mtp > 0)
    }

    @Test func flopsByHand() {
        // Llama-3-8B: L=32, h=4096, 32 heads of 128, 8 KV heads, FFN 14336, V=128256.
        // Matmul weights: 32·(2·4096·4096 + 2·4096·1024) + 32·3·4096·14336 + 4096·128256
        //               = 1,342,177,280 + 5,637,144,576 + 525,336,576 = 7,504,658,432.
        // Attention core forward at s=4096, full mask: L·2·s·(4096 + 4096) = 2,147,483,648.
        let (_, model) = preset("llama3-8b")
        defer { pdcost_model_free(model) }
        let (status, causal) = flops(model, 4096, PDCOST_MASK_CAUSAL)
        #expect(status == PDCOST_OK)
        #expect(causal.matmul_parameters == 7_504_658_432)
        #expect(causal.matmul_forward == 2 * 7_504_658_432.0)
        #expect(causal.attention_forward == 2_147_483_648.0 / 2)
        #expect(causal.forward == 15_009_316_864.0 + 1_073_741_824.0)
        #expect(causal.training == 3 * (15_009_316_864.0 + 1_073_741_824.0))
        let (_, full) = flops(model, 4096, PDCOST_MASK_FULL)
        // The 12·L·s·d_attn training term of Narayanan et al. 2021.
        #expect(full.training - 6 * 7_504_658_432.0 == 12.0 * 32 * 4096 * 4096)
    }

    @Test func fileFixture() {
        var model: OpaquePointer?
        let status = pdcost_model_from_file(&model, fixtures + "/meta-llama__Meta-Llama-3-70B.json")
        defer { pdcost_model_free(model) }
        #expect(status == PDCOST_OK, "\(lastError)")
        #expect(counts(model).1.total == 70_553_706_496)
    }

    @Test func canonicalJSONRoundTrip() throws {
        for name in ["deepseek-v3", "qwen3-30b-a3b", "gpt2", "mixtral-8x7b"] {
            let (_, model) = preset(name)
            defer { pdcost_model_free(model) }
            var json: UnsafeMutablePointer<CChar>?
            #expect(pdcost_model_to_json(&json, model) == PDCOST_OK)
            let text = try #require(take(json))
            let (status, again) = fromJSON(text)
            defer { pdcost_model_free(again) }
            #expect(status == PDCOST_OK, "\(name): \(lastError)")
            let a = counts(model).1, b = counts(again).1
            #expect(a.total == b.total && a.active == b.active && a.mtp == b.mtp && a.attention == b.attention)
        }
    }

    @Test func analysisJSON() throws {
        let (_, model) = preset("llama3-8b")
        defer { pdcost_model_free(model) }
        var json: UnsafeMutablePointer<CChar>?
        #expect(pdcost_model_analysis_json(&json, model, 4096) == PDCOST_OK)
        let root = try #require(try parseJSON(take(json)) as? [String: Any])
        #expect(root["name"] as? String == "llama3-8b")
        let config = try #require(root["config"] as? [String: Any])
        #expect(config["hidden_size"] as? Int == 4096)
        let parameters = try #require(root["parameters"] as? [String: Any])
        #expect(parameters["total"] as? Int == 8_030_261_248)
        #expect(parameters["active"] as? Int == 8_030_261_248)
        let components = try #require(parameters["components"] as? [String: Any])
        #expect(components["embedding"] as? Int == 128_256 * 4096)
        let flops = try #require(root["flops_per_token"] as? [String: Any])
        #expect(flops["sequence_length"] as? Int == 4096)
        let causal = try #require(flops["causal"] as? [String: Any])
        let full = try #require(flops["full"] as? [String: Any])
        #expect(causal["attention_forward"] as? Double == 1_073_741_824)
        #expect(full["attention_forward"] as? Double == 2_147_483_648)
    }

    @Test func presetNamesJSON() throws {
        var json: UnsafeMutablePointer<CChar>?
        #expect(pdcost_model_preset_names(&json) == PDCOST_OK)
        let names = try #require(try parseJSON(take(json)) as? [String])
        for name in ["llama3-8b", "llama3-70b", "llama3.1-405b", "llama2-7b", "llama2-70b", "qwen3-30b-a3b",
                     "qwen3-235b-a22b", "deepseek-v3", "mixtral-8x7b", "gpt3-175b", "qwen2.5-7b"] {
            #expect(names.contains(name))
        }
    }

    @Test func gpuLookup() throws {
        // H100 SXM5 datasheet: 80 GB HBM3, 989 TFLOPS dense BF16, 3.35 TB/s.
        let (status, spec) = gpu("h100-80gb-hbm3")
        #expect(status == PDCOST_OK, "\(lastError)")
        #expect(gpuName(spec) == "H100-SXM-80GB")
        #expect(spec.memory_bytes == 80 * 1_073_741_824)
        #expect(abs(spec.bf16_flops / 989e12 - 1) < 0.01)
        #expect(spec.hbm_bandwidth == 3.35e12)
        #expect(spec.gpus_per_node == 8)

        var json: UnsafeMutablePointer<CChar>?
        #expect(pdcost_gpu_presets_json(&json) == PDCOST_OK)
        let presets = try #require(try parseJSON(take(json)) as? [[String: Any]])
        let h100 = try #require(presets.first { $0["name"] as? String == "H100-SXM-80GB" })
        for key in ["aliases", "memory_bytes", "fp32_flops", "tf32_flops", "fp16_flops", "bf16_flops", "fp8_flops",
                    "hbm_bandwidth", "nvlink_bandwidth", "network_bandwidth", "pcie_bandwidth", "tdp_watts",
                    "gpus_per_node", "source"] {
            #expect(h100[key] != nil, "missing \(key)")
        }
        #expect((h100["source"] as? String)?.isEmpty == false)
    }

    @Test func versions() {
        #expect(pdcost_version_major() == PDCOST_VERSION_MAJOR)
        #expect(pdcost_version_minor() == PDCOST_VERSION_MINOR)
        #expect(pdcost_version_patch() == PDCOST_VERSION_PATCH)
        #expect(pdcost_abi_version() == PDCOST_ABI_VERSION)
        #expect(String(cString: pdcost_version_string()) == PDCOST_VERSION_STRING)
    }
}

/// Parses a library JSON string (nil → an error).
func parseJSON(_ text: String?) throws -> Any {
    struct Missing: Error {}
    guard let text else { throw Missing() }
    return try JSONSerialization.jsonObject(with: Data(text.utf8))
}
