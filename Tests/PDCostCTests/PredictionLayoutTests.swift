import CPDCost
import Foundation
import PDCost
import Testing

/// `pdcost_prediction` is filled by walking its doubles in `Prediction.fields` order (see
/// `cPrediction` in Sources/PDCostC/CostModels.swift). These tests pin the three descriptions of
/// the struct to each other: the header's declaration, the Swift table and the library's
/// `pdcost_prediction_fields_json`, and check the values that reach a C caller.
@Suite struct PredictionLayoutTests {
    /// `Prediction.fields` names (an array is one name), then the two integers.
    static let expectedNames = Prediction.fields.map(\.name) + ["peak_stage", "fits_memory"]

    /// One declared field of a C struct: its type, name and array length (1 for a scalar).
    struct Declaration: Equatable, CustomStringConvertible {
        let type: String
        let name: String
        let arrayLength: String?
        var description: String { "\(type) \(name)" + (arrayLength.map { "[\($0)]" } ?? "") }
    }

    /// The fields of `typedef struct <name> { ... } <name>;` in `header`, in order, comments removed.
    static func declarations(of name: String, in header: String) throws -> [Declaration] {
        struct NotFound: Error, CustomStringConvertible { let description: String }
        guard let open = header.range(of: "typedef struct \(name) {"),
              let close = header.range(of: "} \(name);", range: open.upperBound..<header.endIndex) else {
            throw NotFound(description: "typedef struct \(name) { ... } \(name); not found in pdcost.h")
        }
        var body = String(header[open.upperBound..<close.lowerBound])
        // Block comments (the header uses no line comments inside structs, but strip both).
        while let start = body.range(of: "/*") {
            guard let end = body.range(of: "*/", range: start.upperBound..<body.endIndex) else {
                throw NotFound(description: "unterminated comment in \(name)")
            }
            body.removeSubrange(start.lowerBound..<end.upperBound)
        }
        body = body.split(separator: "\n").map { line in
            line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? String(line)
        }.joined(separator: "\n")
        return try body.split(separator: ";").compactMap { raw -> Declaration? in
            var text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { return nil }
            var length: String?
            if let bracket = text.firstIndex(of: "[") {
                guard let closing = text.firstIndex(of: "]") else {
                    throw NotFound(description: "unbalanced [ in '\(text)'")
                }
                length = text[text.index(after: bracket)..<closing].trimmingCharacters(in: .whitespaces)
                text = String(text[..<bracket])
            }
            let tokens = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
            guard tokens.count >= 2, let last = tokens.last else {
                throw NotFound(description: "cannot read the declaration '\(text)'")
            }
            return Declaration(type: tokens.dropLast().joined(separator: " "), name: String(last), arrayLength: length)
        }
    }

    static func header() throws -> String {
        try String(contentsOfFile: repositoryRoot + "/include/pdcost.h", encoding: .utf8)
    }

    @Test("the header declares pdcost_prediction's fields as Prediction.fields, then peak_stage, fits_memory")
    func headerDeclarationMatchesTheTable() throws {
        let fields = try Self.declarations(of: "pdcost_prediction", in: try Self.header())
        #expect(fields.prefix(2).map(\.description) == ["uint32_t size", "uint32_t version"])
        let body = Array(fields.dropFirst(2))
        #expect(body.map(\.name) == Self.expectedNames)

        // The doubles: one per scalar field, an array of `count` for the per-kind arrays.
        for (declaration, field) in zip(body, Prediction.fields) {
            #expect(declaration.type == "double", "\(declaration)")
            if field.count == 1 {
                #expect(declaration.arrayLength == nil, "\(declaration) is an array; the table says 1 value")
            } else {
                #expect(declaration.arrayLength == "PDCOST_COMM_KINDS", "\(declaration)")
                #expect(field.count == Int(PDCOST_COMM_KINDS.rawValue))
            }
        }
        #expect(body.suffix(2).map(\.description) == ["uint32_t peak_stage", "uint32_t fits_memory"])
    }

    @Test("the doubles fill the struct from step_time_s up to peak_stage")
    func doubleCountMatchesTheOffsets() throws {
        let step = try #require(MemoryLayout<pdcost_prediction>.offset(of: \.step_time_s))
        let peak = try #require(MemoryLayout<pdcost_prediction>.offset(of: \.peak_stage))
        #expect(step == 8)
        #expect(Prediction.doubleCount * MemoryLayout<Double>.size == peak - step)
        #expect(Prediction.doubleCount == Prediction.fields.reduce(0) { $0 + $1.count })
        #expect(MemoryLayout<pdcost_prediction>.offset(of: \.fits_memory) == peak + 4)
        #expect(MemoryLayout<pdcost_prediction>.size == peak + 8)

        // Each field where the table's running count puts it (the names of the header are the
        // Swift field names, so a swapped pair of same-typed fields shows up here).
        let keyPaths: [String: PartialKeyPath<pdcost_prediction>] = [
            "step_time_s": \.step_time_s, "compute_time_s": \.compute_time_s,
            "bubble_time_s": \.bubble_time_s, "recompute_time_s": \.recompute_time_s,
            "optimizer_time_s": \.optimizer_time_s, "offload_time_s": \.offload_time_s,
            "host_overhead_time_s": \.host_overhead_time_s, "comm_exposed_s": \.comm_exposed_s,
            "comm_overlapped_s": \.comm_overlapped_s, "total_comm_time_s": \.total_comm_time_s,
            "exposed_comm_time_s": \.exposed_comm_time_s, "mfu": \.mfu, "hfu": \.hfu,
            "tokens_per_second": \.tokens_per_second, "tokens_per_second_per_gpu": \.tokens_per_second_per_gpu,
            "micro_batches": \.micro_batches, "parameter_bytes": \.parameter_bytes,
            "gradient_bytes": \.gradient_bytes, "optimizer_bytes": \.optimizer_bytes,
            "activation_bytes": \.activation_bytes, "communication_buffer_bytes": \.communication_buffer_bytes,
            "temporary_buffer_bytes": \.temporary_buffer_bytes, "framework_overhead_bytes": \.framework_overhead_bytes,
            "allocated_bytes": \.allocated_bytes, "reserved_bytes": \.reserved_bytes,
            "activation_buffer_pool_bytes": \.activation_buffer_pool_bytes, "total_bytes": \.total_bytes,
            "usable_memory_bytes": \.usable_memory_bytes,
            "first_stage_allocated_bytes": \.first_stage_allocated_bytes,
            "first_stage_reserved_bytes": \.first_stage_reserved_bytes,
            "last_stage_allocated_bytes": \.last_stage_allocated_bytes,
            "last_stage_reserved_bytes": \.last_stage_reserved_bytes,
        ]
        #expect(Set(keyPaths.keys) == Set(Prediction.fields.map(\.name)))
        var index = 0
        for field in Prediction.fields {
            let keyPath = try #require(keyPaths[field.name], "no key path for \(field.name)")
            #expect(MemoryLayout<pdcost_prediction>.offset(of: keyPath) == step + index * 8, "\(field.name)")
            index += field.count
        }
    }

    @Test("pdcost_prediction_fields_json lists the same names, counts and kinds")
    func fieldsJSON() throws {
        var json: UnsafeMutablePointer<CChar>?
        #expect(pdcost_prediction_fields_json(&json) == PDCOST_OK, "\(lastError)")
        let rows = try #require(try parseJSON(take(json)) as? [[String: Any]])
        #expect(rows.compactMap { $0["name"] as? String } == Self.expectedNames)
        let counts = rows.compactMap { $0["count"] as? Int }
        #expect(counts == Prediction.fields.map(\.count) + [1, 1])
        #expect(counts.dropLast(2).reduce(0, +) == Prediction.doubleCount)
        let units: Set<String> = ["s", "bytes", "1", "tokens/s", "count"]
        let kinds: Set<String> = ["time", "communication", "ratio", "throughput", "memory", "stage", "flag"]
        for row in rows {
            #expect(units.contains(row["unit"] as? String ?? ""), "\(row)")
            #expect(kinds.contains(row["kind"] as? String ?? ""), "\(row)")
            #expect((row["summary"] as? String)?.isEmpty == false, "\(row)")
        }
        #expect(pdcost_prediction_fields_json(nil) == PDCOST_EINVAL)
        #expect(lastError.hasPrefix("out_json=NULL"))
    }
}

/// A prediction read through the C ABI is the Swift cost model's, every double to the bit.
@Suite struct PredictionValuesCTests {
    struct Case: CustomStringConvertible, Sendable {
        let preset: String
        let gpus: UInt32
        let seq: UInt32
        let batch: UInt64
        let mbs: UInt32
        let recompute: pdcost_recompute
        let offload: Double
        /// tp, pp, vpp, dp, cp, ep, sequence_parallel, zero_stage, first, last
        let plan: [UInt32]
        var description: String { "\(preset) on \(gpus) GPUs, plan \(plan)" }
    }

    static let cases: [Case] = [
        // Dense, pipeline with an uneven last stage, selective recomputation.
        Case(preset: "llama3-70b", gpus: 16, seq: 4096, batch: 32, mbs: 1, recompute: PDCOST_RECOMPUTE_SELECTIVE,
             offload: 0, plan: [8, 2, 1, 1, 1, 1, 1, 1, 0, 39]),
        // Interleaved pipeline, data and context parallel.
        Case(preset: "llama3-8b", gpus: 16, seq: 8192, batch: 64, mbs: 2, recompute: PDCOST_RECOMPUTE_NONE,
             offload: 0, plan: [2, 2, 2, 2, 2, 1, 1, 1, 0, 0]),
        // MoE with expert parallelism and full recomputation, optimizer offload.
        Case(preset: "qwen3-30b-a3b", gpus: 16, seq: 4096, batch: 64, mbs: 1, recompute: PDCOST_RECOMPUTE_FULL,
             offload: 0.5, plan: [2, 1, 1, 8, 1, 8, 1, 1, 0, 0]),
        // A plan that does not fit: fits_memory = 0 is read the same.
        Case(preset: "llama3-70b", gpus: 8, seq: 4096, batch: 8, mbs: 1, recompute: PDCOST_RECOMPUTE_NONE,
             offload: 0, plan: [1, 1, 1, 8, 1, 1, 0, 1, 0, 0]),
    ]

    @Test(arguments: cases)
    func everyFieldBitIdentical(_ c: Case) throws {
        // Through C.
        let (status, model) = preset(c.preset)
        #expect(status == PDCOST_OK)
        defer { pdcost_model_free(model) }
        var cluster = pdcost_cluster()
        pdcost_cluster_init(&cluster)
        cluster.gpu = gpu("H100-SXM-80GB").1
        cluster.num_gpus = c.gpus
        var setup = pdcost_training_setup()
        pdcost_training_setup_init(&setup)
        setup.seq_len = c.seq
        setup.micro_batch_size = c.mbs
        setup.global_batch_size = c.batch
        setup.recompute = c.recompute
        setup.optimizer_offload_ratio = c.offload
        var cost: OpaquePointer?
        #expect(pdcost_cost_model_create(&cost, model, &cluster, &setup, nil) == PDCOST_OK, "\(lastError)")
        defer { pdcost_cost_model_free(cost) }
        var plan = pdcost_plan()
        pdcost_plan_init(&plan)
        (plan.tp, plan.pp, plan.vpp, plan.dp, plan.cp) = (c.plan[0], c.plan[1], c.plan[2], c.plan[3], c.plan[4])
        (plan.ep, plan.sequence_parallel, plan.zero_stage) = (c.plan[5], c.plan[6], c.plan[7])
        (plan.first_stage_layers, plan.last_stage_layers) = (c.plan[8], c.plan[9])
        var out = pdcost_prediction()
        pdcost_prediction_init(&out)
        #expect(pdcost_cost_model_predict(&out, cost, &plan) == PDCOST_OK, "\(c): \(lastError)")

        // In Swift, from the same inputs.
        let recompute: Recompute = switch c.recompute {
        case PDCOST_RECOMPUTE_SELECTIVE: .selective
        case PDCOST_RECOMPUTE_FULL: Recompute(.full)
        default: .none
        }
        let swiftCost = try CostModel(
            model: try ModelPresets.named(c.preset),
            cluster: Cluster(gpu: try GPUPresets.named("H100-SXM-80GB"), numGPUs: Int(c.gpus)),
            setup: TrainingSetup(seqLen: Int(c.seq), microBatchSize: Int(c.mbs), globalBatchSize: Int(c.batch),
                                 recompute: recompute, optimizerOffloadRatio: c.offload))
        let p = c.plan.map(Int.init)
        let swiftPlan = ParallelPlan(tp: p[0], pp: p[1], vpp: p[2], dp: p[3], cp: p[4], ep: p[5],
                                     sequenceParallel: p[6] == 1, zeroStage: p[7],
                                     firstStageLayers: p[8] == 0 ? nil : p[8], lastStageLayers: p[9] == 0 ? nil : p[9])
        let expected = swiftCost.evaluate(swiftPlan)

        // Walk the struct's doubles in table order.
        #expect(out.size == UInt32(MemoryLayout<pdcost_prediction>.size))
        #expect(out.version == UInt32(PDCOST_PREDICTION_VERSION))
        var nonzero = 0
        withUnsafeBytes(of: &out) { raw in
            var offset = MemoryLayout<pdcost_prediction>.offset(of: \.step_time_s) ?? 8
            for field in Prediction.fields {
                for element in 0..<field.count {
                    let read = raw.load(fromByteOffset: offset, as: Double.self)
                    let want = field.value(expected, element)
                    let name = field.count == 1 ? field.name : "\(field.name)[\(element)]"
                    #expect(read.bitPattern == want.bitPattern, "\(c): \(name) = \(read), Swift says \(want)")
                    if read != 0 { nonzero += 1 }
                    offset += MemoryLayout<Double>.size
                }
            }
        }
        #expect(out.peak_stage == UInt32(expected.peakStage), "\(c)")
        #expect(out.fits_memory == (expected.fitsMemory ? 1 : 0), "\(c)")
        // Most fields carry a value (a walk over zeros would prove nothing).
        #expect(nonzero > Prediction.doubleCount / 2, "\(c): only \(nonzero) nonzero doubles")
        #expect(out.step_time_s > 0 && out.host_overhead_time_s.isFinite)
        if c.plan[1] > 1 {
            #expect(out.first_stage_allocated_bytes != out.last_stage_allocated_bytes, "\(c)")
        }
    }
}
