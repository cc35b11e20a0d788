import CPDCost
import Foundation
import PDCost
import Testing

/// The host side of a prediction through the C ABI: `pdcost_host_prediction` declares
/// `Prediction.hostFields` in order, the cluster's version-2 host fields reach the model, and a
/// version-1 cluster gets the DGX H100 host.
@Suite struct HostPredictionCTests {
    @Test("pdcost_host_prediction declares Prediction.hostFields, then fits_host_memory and reserved")
    func layout() throws {
        let header = try PredictionLayoutTests.header()
        let fields = try PredictionLayoutTests.declarations(of: "pdcost_host_prediction", in: header)
        #expect(fields.prefix(2).map(\.description) == ["uint32_t size", "uint32_t version"])
        let body = Array(fields.dropFirst(2))
        #expect(body.dropLast(2).map(\.name) == Prediction.hostFields.map(\.name))
        #expect(body.dropLast(2).allSatisfy { $0.type == "double" && $0.arrayLength == nil })
        #expect(body.suffix(2).map(\.description) == ["uint32_t fits_host_memory", "uint32_t reserved"])
        let first = try #require(MemoryLayout<pdcost_host_prediction>.offset(of: \.host_memory_per_node_bytes))
        let flag = try #require(MemoryLayout<pdcost_host_prediction>.offset(of: \.fits_host_memory))
        #expect(flag - first == Prediction.hostFields.count * 8)
    }

    /// Llama-3-8B, ZeRO-2 with offload_optimizer=cpu on one H100 (DeepSpeed).
    func predict(clusterSize: UInt32? = nil, hostMemory: Double = 0) throws -> (pdcost_status, pdcost_host_prediction) {
        let (status, model) = preset("llama3-8b")
        #expect(status == PDCOST_OK)
        defer { pdcost_model_free(model) }
        var cluster = pdcost_cluster()
        pdcost_cluster_init(&cluster)
        cluster.gpu = gpu("H100-SXM-80GB").1
        cluster.num_gpus = 1
        cluster.host_memory_bytes = hostMemory
        if let clusterSize { cluster.size = clusterSize; cluster.version = 1 }
        var setup = pdcost_training_setup()
        pdcost_training_setup_init(&setup)
        setup.seq_len = 4096
        setup.global_batch_size = 1
        setup.recompute = PDCOST_RECOMPUTE_FULL
        setup.framework = PDCOST_FRAMEWORK_DEEPSPEED
        var cost: OpaquePointer?
        let created = "{\"offload_optimizer\": \"cpu\"}".withCString { json in
            setup.settings_json = json
            return pdcost_cost_model_create(&cost, model, &cluster, &setup, nil)
        }
        guard created == PDCOST_OK else { return (created, pdcost_host_prediction()) }
        defer { pdcost_cost_model_free(cost) }
        var plan = pdcost_plan()
        pdcost_plan_init(&plan)
        plan.zero_stage = 2
        var out = pdcost_host_prediction()
        pdcost_host_prediction_init(&out)
        return (pdcost_cost_model_predict_host(&out, cost, &plan), out)
    }

    @Test("host memory and CPU Adam through C; a version-1 cluster gets the 2 TiB DGX H100 host")
    func values() throws {
        let (status, out) = try predict()
        #expect(status == PDCOST_OK, "\(lastError)")
        // 16 B per parameter of 8,030,261,248 + 2 B × the 525,336,576-element embedding.
        #expect(abs(out.host_memory_per_node_bytes - (16 * 8_030_261_248 + 2 * 525_336_576)) < 1)
        #expect(out.host_memory_capacity_bytes == 2 * 1_099_511_627_776)
        #expect(abs(out.cpu_optimizer_s - 8_030_261_248 / 4e9) < 1e-9)
        #expect(out.fits_host_memory == 1)
        let v1Size = UInt32(MemoryLayout<pdcost_cluster>.offset(of: \.host_memory_bytes)!)
        let (old, oldOut) = try predict(clusterSize: v1Size, hostMemory: 1)
        #expect(old == PDCOST_OK, "\(lastError)")
        #expect(oldOut.host_memory_capacity_bytes == 2 * 1_099_511_627_776)
        // 64 GiB of host memory: the 128 GB of states do not fit.
        let (_, small) = try predict(hostMemory: 64 * 1_073_741_824)
        #expect(small.fits_host_memory == 0)
        let (bad, _) = try predict(hostMemory: -1)
        #expect(bad == PDCOST_EINVAL)
        #expect(lastError.contains("cluster->host_memory_bytes=-1"))
    }
}
