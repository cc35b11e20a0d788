import Foundation
@testable import PDCost
import Testing

/// The JSON doors of the serving model: settings read through the table (errors name the key
/// and value), settings and predictions written from the tables.
@Suite struct ServingJSONTests {
    func decode(_ text: String) throws(PDCostError) -> ServingSettings {
        try ServingSettings.decode(json: Array(text.utf8))
    }

    func message(_ text: String) -> String {
        do {
            _ = try decode(text)
            return "no error"
        } catch {
            return error.message
        }
    }

    @Test func readsEveryKind() throws {
        let s = try decode(#"{"cuda_graphs": false, "max_num_seqs": 64, "gpu_memory_fraction": 0.85, "kv_admission": "reserve_full", "kv_block_size": null}"#)
        #expect(s == ServingSettings(cudaGraphs: false, maxNumSeqs: 64, gpuMemoryFraction: 0.85, kvAdmission: .reserveFull))
        // An integral number for an integer key, an integer for a number key.
        #expect(try decode(#"{"max_num_seqs": 64.0, "gpu_memory_fraction": 1}"#)
                == ServingSettings(maxNumSeqs: 64, gpuMemoryFraction: 1))
        #expect(try decode("") == ServingSettings())
        #expect(try decode("{}") == ServingSettings())
    }

    @Test func errorsNameKeyAndValue() {
        #expect(message(#"{"max_batch": 8}"#).hasPrefix("serving.max_batch is not a known serving setting; known: cuda_graphs, "))
        #expect(message(#"{"max_num_seqs": 0}"#) == "serving.max_num_seqs=0 must be in [1, 1048576]")
        #expect(message(#"{"gpu_memory_fraction": 1.5}"#) == "serving.gpu_memory_fraction=1.5 must be in [0.01, 1]")
        #expect(message(#"{"max_num_seqs": 2.5}"#) == "serving.max_num_seqs=2.5 must be an integer")
        #expect(message(#"{"cuda_graphs": "yes"}"#) == "serving.cuda_graphs=\"yes\" must be true or false")
        #expect(message(#"{"scheduler_policy": "lifo"}"#) == "serving.scheduler_policy='lifo' is not one of fcfs, priority, lpm")
        #expect(message(#"{"cuda_graphs": [true]}"#) == "serving.cuda_graphs must be true or false, not an array or object")
        #expect(message(#"{"cuda_graphs": true, "cuda_graphs": false}"#).contains("duplicate key 'cuda_graphs'"))
        #expect(message("[1]").hasPrefix("serving settings: "))
    }

    @Test("written settings read back equal, in table order")
    func roundTrip() throws {
        let s = ServingSettings(cudaGraphMaxBatch: 32, chunkedPrefill: true, gpuMemoryFraction: 0.8,
                                schedulerPolicy: .lpm)
        #expect(s.json() == #"{"cuda_graph_max_batch": 32, "chunked_prefill": true, "gpu_memory_fraction": 0.8, "scheduler_policy": "lpm"}"#)
        #expect(try decode(s.json()) == s)
        let all = ServingSettings.defaults(engine: .sglang, gpu: try GPUPresets.named("H100-SXM-80GB"))
        #expect(try decode(all.json()) == all)
    }

    @Test("resolved settings: given keys as stated, every other key at the engine's default")
    func resolved() throws {
        let h100 = try GPUPresets.named("H100-SXM-80GB")
        let doc = try #require(try JSONSerialization.jsonObject(
            with: Data(ServingSettings(maxNumSeqs: 8).resolvedJSON(engine: .vllm, gpu: h100).utf8)) as? [String: Any])
        #expect(doc["engine"] as? String == "vllm")
        #expect(doc["given"] as? [String: Int] == ["max_num_seqs": 8])
        let defaulted = try #require(doc["defaulted"] as? [String: Any])
        #expect(Set(defaulted.keys) == Set(ServingSettings.fields.map(\.key)).subtracting(["max_num_seqs"]))
        #expect(defaulted["kv_block_size"] as? Int == 16)
        #expect(defaulted["kv_cache_max_tokens"] is NSNull)
    }

    /// The number after `"name": ` in a compact document, read exactly.
    static func number(_ name: String, in text: String) -> Double? {
        guard let start = text.range(of: "\"\(name)\": ")?.upperBound else { return nil }
        let digits = text[start...].prefix { "0123456789.eE+-".contains($0) }
        return Double(String(digits))
    }

    @Test("the prediction document has every field of the table, then the two flags")
    func predictionDocument() throws {
        let model = try ServingCostModel(model: try ModelPresets.named("llama3-8b"),
                                         cluster: Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: 1),
                                         deployment: ServingDeployment())
        let workload = ServingWorkload(inputTokens: 512, outputTokens: 64, batchSize: 4)
        let text = try model.predictionJSON(workload)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(doc.keys) == ["deployment", "workload", "prediction", "settings"])
        let prediction = try #require(doc["prediction"] as? [String: Any])
        #expect(Set(prediction.keys) == Set(ServingPrediction.fields.map(\.name) + ["fits_memory", "saturated"]))
        let p = try model.evaluate(workload)
        // Exact numbers (Foundation's JSONSerialization rounds, so the text is read by Double()).
        for field in ServingPrediction.fields {
            #expect(Self.number(field.name, in: text)?.bitPattern == field.value(p).bitPattern, "\(field.name)")
        }
        // Text order follows the table.
        let positions = ServingPrediction.fields.compactMap { text.range(of: "\"\($0.name)\":")?.lowerBound }
        #expect(positions.count == ServingPrediction.fields.count && positions == positions.sorted())
        #expect((doc["deployment"] as? [String: Any])?["weight_precision"] as? String == "bf16")
    }
}
