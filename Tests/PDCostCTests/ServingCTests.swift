import CPDCost
import Foundation
import PDCost
import Testing

/// `pdcost_serving_prediction` is filled by walking its doubles in `ServingPrediction.fields`
/// order (`cServingPrediction`, Sources/PDCostC/Serving.swift). These tests pin the header's
/// declaration, the Swift table and `pdcost_serving_prediction_fields_json` to each other, and
/// check the values, the settings table and the errors a C caller sees.
@Suite struct ServingLayoutCTests {
    static let expectedNames = ServingPrediction.fields.map(\.name) + ["fits_memory", "saturated"]

    @Test("the header declares pdcost_serving_prediction's fields as ServingPrediction.fields, then the two flags")
    func headerDeclarationMatchesTheTable() throws {
        let fields = try PredictionLayoutTests.declarations(of: "pdcost_serving_prediction",
                                                            in: try PredictionLayoutTests.header())
        #expect(fields.prefix(2).map(\.description) == ["uint32_t size", "uint32_t version"])
        let body = Array(fields.dropFirst(2))
        #expect(body.map(\.name) == Self.expectedNames)
        for declaration in body.dropLast(2) {
            #expect(declaration.type == "double" && declaration.arrayLength == nil, "\(declaration)")
        }
        #expect(body.suffix(2).map(\.description) == ["uint32_t fits_memory", "uint32_t saturated"])
    }

    @Test("the doubles fill the struct from ttft_s up to fits_memory")
    func offsets() throws {
        let first = try #require(MemoryLayout<pdcost_serving_prediction>.offset(of: \.ttft_s))
        let flags = try #require(MemoryLayout<pdcost_serving_prediction>.offset(of: \.fits_memory))
        #expect(first == 8)
        #expect(ServingPrediction.doubleCount * 8 == flags - first)
        #expect(MemoryLayout<pdcost_serving_prediction>.offset(of: \.saturated) == flags + 4)
        #expect(MemoryLayout<pdcost_serving_prediction>.size == flags + 8)
        // A few named fields where the table puts them (a swapped pair would show here).
        let named: [(String, PartialKeyPath<pdcost_serving_prediction>)] = [
            ("ttft_s", \.ttft_s), ("tpot_s", \.tpot_s), ("output_tokens_per_s_per_gpu", \.output_tokens_per_s_per_gpu),
            ("running_batch", \.running_batch), ("weights_bytes", \.weights_bytes), ("kv_cache_bytes", \.kv_cache_bytes),
            ("peak_memory_bytes", \.peak_memory_bytes), ("kv_bytes_per_token", \.kv_bytes_per_token),
            ("mbu", \.mbu), ("mfu", \.mfu), ("num_gpus", \.num_gpus),
        ]
        for (name, keyPath) in named {
            let index = try #require(ServingPrediction.fields.firstIndex { $0.name == name }, "\(name)")
            #expect(MemoryLayout<pdcost_serving_prediction>.offset(of: keyPath) == first + index * 8, "\(name)")
        }
    }

    @Test func predictionFieldsJSON() throws {
        var json: UnsafeMutablePointer<CChar>?
        #expect(pdcost_serving_prediction_fields_json(&json) == PDCOST_OK, "\(lastError)")
        let rows = try #require(try parseJSON(take(json)) as? [[String: Any]])
        #expect(rows.compactMap { $0["name"] as? String } == Self.expectedNames)
        let units: Set<String> = ["s", "bytes", "1", "tokens/s", "count"]
        for row in rows {
            #expect(units.contains(row["unit"] as? String ?? ""), "\(row)")
            #expect((row["summary"] as? String)?.isEmpty == false, "\(row)")
        }
        #expect(pdcost_serving_prediction_fields_json(nil) == PDCOST_EINVAL)
        #expect(lastError.hasPrefix("out_json=NULL"))
    }

    @Test("the settings table lists every key with its type and each engine's default")
    func settingsFieldsJSON() throws {
        var json: UnsafeMutablePointer<CChar>?
        #expect(pdcost_serving_settings_fields_json(&json) == PDCOST_OK, "\(lastError)")
        let rows = try #require(try parseJSON(take(json)) as? [[String: Any]])
        #expect(rows.compactMap { $0["key"] as? String } == ServingSettings.fields.map(\.key))
        for row in rows {
            let defaults = try #require(row["defaults"] as? [String: Any], "\(row)")
            #expect(Set(defaults.keys) == ["vllm", "sglang", "tensorrt-llm", "pytorch"], "\(row)")
            #expect(["bool", "number", "integer", "choice", "string"].contains(row["type"] as? String ?? ""), "\(row)")
            #expect(row.keys.contains("not_modelled"), "\(row)")
        }
        // Published defaults: vLLM's 16-token blocks (vllm/platforms/cuda.py), TensorRT-LLM's 32
        // (tokens_per_block), SGLang's page size 1, the eager loop's contiguous cache (one
        // token: bench/serve.py `_Runner.__init__`); vLLM gpu_memory_utilization 0.9.
        let block = try #require(rows.first { $0["key"] as? String == "kv_block_size" }?["defaults"] as? [String: Int])
        #expect(block == ["vllm": 16, "tensorrt-llm": 32, "sglang": 1, "pytorch": 1])
        let fraction = try #require(rows.first { $0["key"] as? String == "gpu_memory_fraction" }?["defaults"] as? [String: Any])
        #expect(fraction["vllm"] as? Double == 0.9)
        let cap = try #require(rows.first { $0["key"] as? String == "kv_cache_max_tokens" }?["defaults"] as? [String: Any])
        #expect(cap.values.allSatisfy { $0 is NSNull })
        #expect(pdcost_serving_settings_fields_json(nil) == PDCOST_EINVAL)
    }

    @Test func initializers() {
        InitializerTests.verify("pdcost_serving_deployment", pdcost_serving_deployment_init, size: \.size,
                                version: \.version, expectedVersion: PDCOST_SERVING_DEPLOYMENT_VERSION,
                                set: { d in
                                    d.size = UInt32(MemoryLayout<pdcost_serving_deployment>.size)
                                    d.version = 1
                                    (d.tp, d.pp, d.replicas) = (1, 1, 1)
                                },
                                check: { d in d.expert_parallel == 0 && d.settings_json == nil && d.settings_length == 0
                                    && d.engine == PDCOST_ENGINE_VLLM && d.weight_precision == PDCOST_WEIGHT_BF16 })
        InitializerTests.verify("pdcost_serving_workload", pdcost_serving_workload_init, size: \.size,
                                version: \.version, expectedVersion: PDCOST_SERVING_WORKLOAD_VERSION,
                                set: { w in
                                    w.size = UInt32(MemoryLayout<pdcost_serving_workload>.size)
                                    w.version = 1
                                    (w.batch_size, w.concurrency, w.request_rate) = (1, 1, 1.0)
                                },
                                check: { w in w.input_tokens == 0 && w.num_requests == 0 && w.prefix_hit_ratio == 0 })
        InitializerTests.verify("pdcost_serving_prediction", pdcost_serving_prediction_init, size: \.size,
                                version: \.version, expectedVersion: PDCOST_SERVING_PREDICTION_VERSION,
                                set: { p in
                                    p.size = UInt32(MemoryLayout<pdcost_serving_prediction>.size)
                                    p.version = 1
                                },
                                check: { p in p.ttft_s == 0 && p.num_gpus == 0 && p.fits_memory == 0 && p.saturated == 0 })
        pdcost_serving_deployment_init(nil)
        pdcost_serving_workload_init(nil)
        pdcost_serving_prediction_init(nil)
    }
}

/// Calls through C, compared with the Swift model from the same inputs.
@Suite struct ServingPredictCTests {
    static func cluster(_ gpuName: String, gpus: UInt32) -> pdcost_cluster {
        var c = pdcost_cluster()
        pdcost_cluster_init(&c)
        c.gpu = gpu(gpuName).1
        c.num_gpus = gpus
        return c
    }

    static func deployment(tp: UInt32, settings: String? = nil,
                           _ body: (inout pdcost_serving_deployment) -> Void = { _ in }) -> (pdcost_serving_deployment, [CChar]?) {
        var d = pdcost_serving_deployment()
        pdcost_serving_deployment_init(&d)
        d.tp = tp
        body(&d)
        return (d, settings.map { Array($0.utf8CString) })
    }

    /// Calls `pdcost_serving_predict` with the settings text (if any) borrowed for the call.
    static func predict(_ preset: String, _ c: pdcost_cluster, _ d: pdcost_serving_deployment, settings: [CChar]?,
                        _ w: pdcost_serving_workload) -> (pdcost_status, pdcost_serving_prediction) {
        let (status, model) = PDCostCTests.preset(preset)
        guard status == PDCOST_OK else { return (status, pdcost_serving_prediction()) }
        defer { pdcost_model_free(model) }
        var out = pdcost_serving_prediction()
        pdcost_serving_prediction_init(&out)
        var c = c, d = d, w = w
        let result: pdcost_status
        if let settings {
            result = settings.withUnsafeBufferPointer { buffer in
                d.settings_json = buffer.baseAddress
                d.settings_length = buffer.count - 1
                return pdcost_serving_predict(&out, model, &c, &d, &w)
            }
        } else {
            result = pdcost_serving_predict(&out, model, &c, &d, &w)
        }
        return (result, out)
    }

    static func workload(_ scenario: pdcost_serving_scenario, input: UInt32, output: UInt32,
                         _ body: (inout pdcost_serving_workload) -> Void = { _ in }) -> pdcost_serving_workload {
        var w = pdcost_serving_workload()
        pdcost_serving_workload_init(&w)
        (w.scenario, w.input_tokens, w.output_tokens) = (scenario, input, output)
        body(&w)
        return w
    }

    @Test("every double of the C struct is the Swift model's, bit for bit")
    func bitIdentical() throws {
        let c = Self.cluster("H100-SXM-80GB", gpus: 8)
        let (d, settings) = Self.deployment(tp: 4, settings: #"{"max_num_seqs": 128, "prefix_caching": false}"#) {
            $0.kv_cache_precision = PDCOST_KV_CACHE_FP8
        }
        let w = Self.workload(PDCOST_SCENARIO_ONLINE_FIXED_CONCURRENCY, input: 4096, output: 256) { $0.concurrency = 64 }
        let (status, out) = Self.predict("llama3-70b", c, d, settings: settings, w)
        #expect(status == PDCOST_OK, "\(lastError)")

        let swift = try ServingCostModel(
            model: try ModelPresets.named("llama3-70b"),
            cluster: Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 8),
            deployment: ServingDeployment(tp: 4, kvCachePrecision: .fp8,
                                          settings: ServingSettings(maxNumSeqs: 128, prefixCaching: false)))
        let expected = try swift.evaluate(ServingWorkload(scenario: .fixedConcurrency, inputTokens: 4096,
                                                          outputTokens: 256, concurrency: 64))
        var copy = out
        withUnsafeBytes(of: &copy) { raw in
            for (index, field) in ServingPrediction.fields.enumerated() {
                let read = raw.load(fromByteOffset: 8 + index * 8, as: Double.self)
                #expect(read.bitPattern == field.value(expected).bitPattern, "\(field.name) = \(read), Swift says \(field.value(expected))")
            }
        }
        #expect(out.fits_memory == (expected.fitsMemory ? 1 : 0))
        #expect(out.saturated == (expected.saturated ? 1 : 0))
        #expect(out.ttft_s > 0 && out.tpot_s > 0 && out.num_gpus == 4)
    }

    @Test("predict_json carries the same numbers and the settings used")
    func json() throws {
        let (status, model) = preset("llama3-8b")
        #expect(status == PDCOST_OK)
        defer { pdcost_model_free(model) }
        var c = Self.cluster("H100-SXM-80GB", gpus: 1)
        var (d, _) = Self.deployment(tp: 1)
        d.engine = PDCOST_ENGINE_TENSORRT_LLM
        var w = Self.workload(PDCOST_SCENARIO_STATIC_BATCH, input: 1024, output: 128) { $0.batch_size = 8 }
        var text: UnsafeMutablePointer<CChar>?
        #expect(pdcost_serving_predict_json(&text, model, &c, &d, &w) == PDCOST_OK, "\(lastError)")
        let raw = try #require(take(text))
        let document = try #require(try parseJSON(raw) as? [String: Any])
        let prediction = try #require(document["prediction"] as? [String: Any])
        var out = pdcost_serving_prediction()
        pdcost_serving_prediction_init(&out)
        #expect(pdcost_serving_predict(&out, model, &c, &d, &w) == PDCOST_OK)
        // Exact numbers (JSONSerialization rounds, so the text is read by Double()).
        #expect(ServingJSONNumber.read("ttft_s", in: raw)?.bitPattern == out.ttft_s.bitPattern)
        #expect(ServingJSONNumber.read("tpot_s", in: raw)?.bitPattern == out.tpot_s.bitPattern)
        #expect(prediction["peak_memory_bytes"] as? Double == out.peak_memory_bytes)
        #expect(prediction["fits_memory"] as? Bool == (out.fits_memory == 1))
        let settings = try #require(document["settings"] as? [String: Any])
        #expect(settings["engine"] as? String == "tensorrt-llm")
        let defaulted = try #require(settings["defaulted"] as? [String: Any])
        #expect(defaulted["kv_block_size"] as? Int == 32)
        #expect((document["deployment"] as? [String: Any])?["engine"] as? String == "tensorrt-llm")
        #expect((document["workload"] as? [String: Any])?["scenario"] as? String == "static_batch")
    }

    @Test("errors name the field and the value")
    func errors() {
        let c = Self.cluster("H100-SXM-80GB", gpus: 8)
        let w = Self.workload(PDCOST_SCENARIO_STATIC_BATCH, input: 1024, output: 128)
        func failure(_ d: (pdcost_serving_deployment, [CChar]?), _ w: pdcost_serving_workload,
                     preset: String = "llama3-8b") -> (pdcost_status, String) {
            let (status, _) = Self.predict(preset, c, d.0, settings: d.1, w)
            return (status, lastError)
        }
        var r = failure(Self.deployment(tp: 1, settings: #"{"max_num_seq": 8}"#), w)
        #expect(r.0 == PDCOST_EINVAL && r.1.hasPrefix("serving.max_num_seq is not a known serving setting"), "\(r.1)")
        r = failure(Self.deployment(tp: 1, settings: #"{"max_num_seqs": 0}"#), w)
        #expect(r.0 == PDCOST_EINVAL && r.1.contains("serving.max_num_seqs=0"), "\(r.1)")
        r = failure(Self.deployment(tp: 1, settings: #"{"kv_admission": "greedy"}"#), w)
        #expect(r.0 == PDCOST_EINVAL && r.1.contains("serving.kv_admission='greedy'"), "\(r.1)")
        r = failure(Self.deployment(tp: 1, settings: #"{"cuda_graphs": tru}"#), w)
        #expect(r.0 == PDCOST_EPARSE, "\(r.1)")
        r = failure(Self.deployment(tp: 0), w)
        #expect(r.0 == PDCOST_EINVAL && r.1.hasPrefix("deployment->tp=0 must be in [1, 2^24]"), "\(r.1)")
        r = failure(Self.deployment(tp: 3), w)
        #expect(r.0 == PDCOST_EINFEASIBLE && r.1.contains("tp=3"), "\(r.1)")
        r = failure(Self.deployment(tp: 1) { $0.engine = pdcost_serving_engine(rawValue: 7) }, w)
        #expect(r.0 == PDCOST_EINVAL && r.1 == "deployment->engine=7 is not a pdcost_serving_engine", "\(r.1)")
        r = failure(Self.deployment(tp: 1) { $0.expert_parallel = 2 }, w)
        #expect(r.0 == PDCOST_EINVAL && r.1 == "deployment->expert_parallel=2 must be 0 or 1", "\(r.1)")
        r = failure(Self.deployment(tp: 1) { $0.settings_length = 4 }, w)
        #expect(r.0 == PDCOST_EINVAL && r.1.hasPrefix("deployment->settings_json=NULL"), "\(r.1)")
        r = failure(Self.deployment(tp: 1), Self.workload(PDCOST_SCENARIO_STATIC_BATCH, input: 0, output: 128))
        #expect(r.0 == PDCOST_EINVAL && r.1.hasPrefix("workload->input_tokens=0 must be in [1, 2^31]"), "\(r.1)")
        r = failure(Self.deployment(tp: 1), Self.workload(PDCOST_SCENARIO_STATIC_BATCH, input: 8, output: 8) { $0.batch_size = 0 })
        #expect(r.0 == PDCOST_EINVAL && r.1.hasPrefix("workload->batch_size=0"), "\(r.1)")
        r = failure(Self.deployment(tp: 1), Self.workload(PDCOST_SCENARIO_ONLINE_REQUEST_RATE, input: 8, output: 8) { $0.request_rate = -.infinity })
        #expect(r.0 == PDCOST_EINVAL && r.1.hasPrefix("workload->request_rate=-inf"), "\(r.1)")
        r = failure(Self.deployment(tp: 1), Self.workload(PDCOST_SCENARIO_STATIC_BATCH, input: 8, output: 8) { $0.prefix_hit_ratio = 1 })
        #expect(r.0 == PDCOST_EINVAL && r.1.hasPrefix("workload->prefix_hit_ratio=1 must be in [0, 1)"), "\(r.1)")
        r = failure(Self.deployment(tp: 1), Self.workload(pdcost_serving_scenario(rawValue: 9), input: 8, output: 8))
        #expect(r.0 == PDCOST_EINVAL && r.1 == "workload->scenario=9 is not a pdcost_serving_scenario", "\(r.1)")
        r = failure(Self.deployment(tp: 1) { $0.weight_precision = PDCOST_WEIGHT_FP4 }, w)
        #expect(r.0 == PDCOST_EUNSUPPORTED && r.1.contains("weight_precision=fp4"), "\(r.1)")

        // NULL and version checks, out untouched on failure.
        let (_, model) = preset("llama3-8b")
        defer { pdcost_model_free(model) }
        var cl = c
        var (d, _) = Self.deployment(tp: 1)
        var wl = w
        var out = pdcost_serving_prediction()
        pdcost_serving_prediction_init(&out)
        out.ttft_s = 42
        #expect(pdcost_serving_predict(nil, model, &cl, &d, &wl) == PDCOST_EINVAL)
        #expect(pdcost_serving_predict(&out, nil, &cl, &d, &wl) == PDCOST_EINVAL)
        #expect(pdcost_serving_predict(&out, model, nil, &d, &wl) == PDCOST_EINVAL)
        #expect(pdcost_serving_predict(&out, model, &cl, nil, &wl) == PDCOST_EINVAL)
        #expect(lastError.hasPrefix("deployment=NULL"))
        #expect(pdcost_serving_predict(&out, model, &cl, &d, nil) == PDCOST_EINVAL)
        d.version = 2
        #expect(pdcost_serving_predict(&out, model, &cl, &d, &wl) == PDCOST_EVERSION)
        #expect(out.ttft_s == 42)
        var text: UnsafeMutablePointer<CChar>?
        #expect(pdcost_serving_predict_json(nil, model, &cl, &d, &wl) == PDCOST_EINVAL)
        #expect(pdcost_serving_predict_json(&text, model, &cl, &d, &wl) == PDCOST_EVERSION)
        #expect(text == nil)
    }
}

enum ServingJSONNumber {
    /// The number after `"name": ` in a compact document, read exactly.
    static func read(_ name: String, in text: String) -> Double? {
        guard let start = text.range(of: "\"\(name)\": ")?.upperBound else { return nil }
        return Double(String(text[start...].prefix { "0123456789.eE+-".contains($0) }))
    }
}
