import FoundationEssentials

/// A measured-runs file (`pdcost.runs/1`, see shared/validation/SCHEMA.md): published
/// measurements of real runs with the settings that produced them.
public struct MeasuredRunsFile: Sendable {
    public var schema: String
    /// Runs in file order. A run that does not decode is kept as a stub whose `decodeError`
    /// says why, so it can be reported as skipped instead of dropped.
    public var runs: [MeasuredRun]

    /// Decodes the file; a malformed top level is an error, a malformed run is a skipped run.
    public static func decode(_ bytes: some Collection<UInt8>) throws(PDCostError) -> MeasuredRunsFile {
        try JSONReader.check(bytes, what: "measured-runs file")
        let data = Data(bytes)
        let file: RawFile
        do {
            file = try JSONDecoder().decode(RawFile.self, from: data)
        } catch let error as DecodingError {
            throw .parse("measured-runs file: " + DecodingErrorDescription.describe(error))
        } catch {
            throw .parse("measured-runs file: \(error)")
        }
        if !file.schema.hasPrefix("pdcost.runs/") {
            throw .parse("measured-runs file: schema='\(file.schema)' is not pdcost.runs/1")
        }
        return MeasuredRunsFile(schema: file.schema, runs: file.runs)
    }

    private struct RawFile: Decodable {
        var schema: String
        var runs: [MeasuredRun]

        enum CodingKeys: String, CodingKey { case schema, runs }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            schema = try c.decode(String.self, forKey: .schema)
            var list = try c.nestedUnkeyedContainer(forKey: .runs)
            var runs: [MeasuredRun] = []
            while !list.isAtEnd {
                let index = list.currentIndex
                do {
                    runs.append(try list.decode(MeasuredRun.self))
                } catch let error as DecodingError {
                    // A failed decode does not advance the container: read the id (or skip the
                    // element) and keep a stub.
                    let reason = DecodingErrorDescription.describe(error)
                    if let stub = try? list.decode(IdentifierOnly.self) {
                        runs.append(MeasuredRun(stubID: stub.id ?? "runs[\(index)]", error: reason))
                    } else {
                        _ = try? list.decode(Skip.self)
                        runs.append(MeasuredRun(stubID: "runs[\(index)]", error: reason))
                    }
                }
            }
            self.runs = runs
        }
    }

    private struct IdentifierOnly: Decodable { var id: String? }
    private struct Skip: Decodable { init(from decoder: any Decoder) throws {} }
}

/// One measured run.
public struct MeasuredRun: Sendable, Decodable {
    public var id: String
    public var source: String?
    /// `training` or `inference`.
    public var kind: String?
    public var model: HuggingFaceConfig?
    public var hardware: Hardware?
    public var parallel: Parallel?
    public var training: Training?
    public var framework: String?
    /// The framework switches the run states (SCHEMA.md "Framework settings"); nil keys take
    /// the framework's defaults.
    public var settings: FrameworkSettings?
    public var measured: Measured?
    public var derivedFields: [String]?
    /// Every setting that decides speed and memory is known.
    public var complete: Bool?
    /// Set when the record itself did not decode.
    public var decodeError: String?

    public struct Hardware: Sendable, Decodable {
        public var gpu: String?
        public var numGPUs: Int?
        public var gpusPerNode: Int?
        enum CodingKeys: String, CodingKey {
            case gpu
            case numGPUs = "num_gpus"
            case gpusPerNode = "gpus_per_node"
        }
    }

    public struct Parallel: Sendable, Decodable {
        public var tp: Int?, pp: Int?, vpp: Int?, dp: Int?, cp: Int?, ep: Int?, etp: Int?
        public var sequenceParallel: Bool?
        public var zeroStage: Int?
        public var fsdp: Bool?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case tp, pp, vpp, dp, cp, ep, etp, fsdp
            case sequenceParallel = "sequence_parallel"
            case zeroStage = "zero_stage"
        }
    }

    public struct Training: Sendable, Decodable {
        public var seqLen: Int?
        public var microBatchSize: Int?
        public var globalBatchSize: Int?
        public var dtype: String?
        public var recompute: String?
        public var recomputeNumLayers: Int?
        public var recomputeModules: [String]?
        /// "pretrain" | "sft" | "lora" | "qlora" (SCHEMA.md); unstated = pretrain.
        public var method: String?
        public var loraRank: Int?
        /// Module names carrying adapters (Megatron or PEFT names); unstated = all four.
        public var loraTargets: [String]?
        /// Mean tokens per packed document (sequence packing); unstated = unpacked.
        public var packedDocumentTokens: Int?
        enum CodingKeys: String, CodingKey, CaseIterable {
            case seqLen = "seq_len"
            case microBatchSize = "micro_batch_size"
            case globalBatchSize = "global_batch_size"
            case dtype, recompute, method
            case recomputeNumLayers = "recompute_num_layers"
            case recomputeModules = "recompute_modules"
            case loraRank = "lora_rank"
            case loraTargets = "lora_targets"
            case packedDocumentTokens = "packed_document_tokens"
        }
    }

    public struct Measured: Sendable, Decodable {
        public var tokensPerSecondPerGPU: Double?
        public var stepTime: Double?
        public var peakAllocatedGiB: Double?
        public var peakReservedGiB: Double?
        public var peakMemoryGiB: Double?
        enum CodingKeys: String, CodingKey {
            case tokensPerSecondPerGPU = "tokens_per_s_per_gpu"
            case stepTime = "step_time_s"
            case peakAllocatedGiB = "peak_allocated_gib"
            case peakReservedGiB = "peak_reserved_gib"
            case peakMemoryGiB = "peak_memory_gib"
        }
    }

    enum CodingKeys: String, CodingKey {
        // `notes` is human-readable provenance and is never read: every switch is in `settings`.
        case id, source, kind, model, hardware, parallel, training, framework, settings, measured, complete
        case derivedFields = "derived_fields"
    }

    init(stubID: String, error: String) {
        id = stubID
        decodeError = error
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        source = try c.decodeIfPresent(String.self, forKey: .source)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        model = try c.decodeIfPresent(HuggingFaceConfig.self, forKey: .model)
        hardware = try c.decodeIfPresent(Hardware.self, forKey: .hardware)
        parallel = try c.decodeIfPresent(Parallel.self, forKey: .parallel)
        training = try c.decodeIfPresent(Training.self, forKey: .training)
        framework = try c.decodeIfPresent(String.self, forKey: .framework)
        settings = try c.decodeIfPresent(FrameworkSettings.self, forKey: .settings)
        measured = try c.decodeIfPresent(Measured.self, forKey: .measured)
        derivedFields = try c.decodeIfPresent([String].self, forKey: .derivedFields)
        complete = try c.decodeIfPresent(Bool.self, forKey: .complete)
    }

    /// The source repository (text before `@` in `source`), used to group runs by origin.
    public var sourceRepository: String {
        guard let source else { return "unknown" }
        if let at = source.firstIndex(of: "@") { return String(source[..<at]) }
        if let space = source.firstIndex(of: " ") { return String(source[..<space]) }
        return source
    }
}
