import FoundationEssentials

/// A serving (`kind: "inference"`) record of a measured-runs file (shared/validation/SCHEMA.md,
/// "Inference (serving) records"). Structured fields only: `notes` is never read.
public struct ServingRun: Sendable, Decodable {
    public var id: String
    public var sourceGroup: String?
    public var framework: String?
    public var frameworkVersion: String?
    public var model: HuggingFaceConfig?
    public var hardware: MeasuredRun.Hardware?
    public var parallel: Parallel?
    public var dtype: String?
    public var precision: Precisions?
    public var serving: Serving?
    public var measured: Measured?
    public var complete: Bool?
    public var decodeError: String?

    public struct Parallel: Sendable, Decodable {
        public var tp: Int?, pp: Int?, dp: Int?, ep: Int?
        public var attentionDP: Int?
        enum CodingKeys: String, CodingKey {
            case tp, pp, dp, ep
            case attentionDP = "attention_dp"
        }
    }

    public struct Precisions: Sendable, Decodable {
        public var weights: String?, activations: String?, kvCache: String?
        enum CodingKeys: String, CodingKey {
            case weights, activations
            case kvCache = "kv_cache"
        }
    }

    /// The engine settings as published. Values some sources write as text ("0.95 (0.90
    /// fallback)") are read by their leading number.
    public struct Serving: Sendable, Decodable {
        public var scenario: String?
        public var numRequests: Int?
        public var maxBatchSize: Int?
        public var maxNumTokens: Int?
        public var kvCacheFreeGPUMemFraction: Double?
        public var gpuMemoryUtilization: Double?
        public var cudaGraphConfig: String?
        public var customAllReduce: Bool?
        public var pagedKVMaxTokensSet: Bool?
        public var offeredQPS: Double?
        public var inputStdev: Double?
        public var outputStdev: Double?
        public var enableChunkedPrefill: Bool?
        public var maxNumSeqs: Int?
        public var fakeWeights: Bool?
        enum CodingKeys: String, CodingKey {
            case scenario
            case numRequests = "num_requests"
            case maxBatchSize = "max_batch_size"
            case maxNumTokens = "max_num_tokens"
            case kvCacheFreeGPUMemFraction = "kv_cache_free_gpu_mem_fraction"
            case gpuMemoryUtilization = "gpu_memory_utilization"
            case cudaGraphConfig = "cuda_graph_config"
            case customAllReduce = "custom_all_reduce"
            case pagedKVMaxTokensSet = "paged_kv_max_tokens_set"
            case offeredQPS = "offered_qps"
            case inputStdev = "input_stdev"
            case outputStdev = "output_stdev"
            case enableChunkedPrefill = "enable_chunked_prefill"
            case maxNumSeqs = "max_num_seqs"
            case fakeWeights = "fake_weights"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            scenario = try c.decodeIfPresent(String.self, forKey: .scenario)
            numRequests = try c.decodeIfPresent(Int.self, forKey: .numRequests)
            maxBatchSize = try c.decodeIfPresent(Int.self, forKey: .maxBatchSize)
            maxNumTokens = try c.decodeIfPresent(Int.self, forKey: .maxNumTokens)
            kvCacheFreeGPUMemFraction = Self.leadingNumber(c, .kvCacheFreeGPUMemFraction)
            gpuMemoryUtilization = Self.leadingNumber(c, .gpuMemoryUtilization)
            cudaGraphConfig = try? c.decodeIfPresent(String.self, forKey: .cudaGraphConfig)
            customAllReduce = try c.decodeIfPresent(Bool.self, forKey: .customAllReduce)
            pagedKVMaxTokensSet = try c.decodeIfPresent(Bool.self, forKey: .pagedKVMaxTokensSet)
            offeredQPS = Self.leadingNumber(c, .offeredQPS)
            inputStdev = Self.leadingNumber(c, .inputStdev)
            outputStdev = Self.leadingNumber(c, .outputStdev)
            enableChunkedPrefill = try c.decodeIfPresent(Bool.self, forKey: .enableChunkedPrefill)
            maxNumSeqs = try c.decodeIfPresent(Int.self, forKey: .maxNumSeqs)
            fakeWeights = try c.decodeIfPresent(Bool.self, forKey: .fakeWeights)
        }

        /// A number, or the number a text value starts with ("0.95 (0.90 fallback)" → 0.95).
        static func leadingNumber(_ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) -> Double? {
            if let x = try? c.decodeIfPresent(Double.self, forKey: key) { return x }
            guard let text = try? c.decodeIfPresent(String.self, forKey: key) else { return nil }
            let head = text.prefix { $0.isNumber || $0 == "." }
            return Double(String(head))
        }
    }

    public struct Measured: Sendable, Decodable {
        public var inputTokens: Int?, outputTokens: Int?
        public var batchSize: Int?, concurrency: Int?
        public var requestRate: Double?
        public var ttftMs: Double?, itlMs: Double?, tpotMs: Double?, e2eLatencyMs: Double?
        public var outputTokensPerSecondPerGPU: Double?
        public var requestsPerSecond: Double?
        public var kvCacheDtype: String?
        public var peakMemoryGiB: Double?
        public var latencyStatistic: String?
        enum CodingKeys: String, CodingKey {
            case inputTokens = "input_tokens", outputTokens = "output_tokens"
            case batchSize = "batch_size", concurrency
            case requestRate = "request_rate"
            case ttftMs = "ttft_ms", itlMs = "itl_ms", tpotMs = "tpot_ms", e2eLatencyMs = "e2e_latency_ms"
            case outputTokensPerSecondPerGPU = "output_tokens_per_s_per_gpu"
            case requestsPerSecond = "requests_per_s"
            case kvCacheDtype = "kv_cache_dtype"
            case peakMemoryGiB = "peak_memory_gib"
            case latencyStatistic = "latency_statistic"
        }
    }

    enum CodingKeys: String, CodingKey {
        // `notes` is provenance for people and is never read.
        case id, framework, model, hardware, parallel, training, precision, serving, measured, complete
        case sourceGroup = "source_group"
        case frameworkVersion = "framework_version"
    }

    private struct Training: Decodable { var dtype: String? }

    init(stubID: String, error: String) {
        id = stubID
        decodeError = error
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        sourceGroup = try c.decodeIfPresent(String.self, forKey: .sourceGroup)
        framework = try c.decodeIfPresent(String.self, forKey: .framework)
        frameworkVersion = try c.decodeIfPresent(String.self, forKey: .frameworkVersion)
        model = try c.decodeIfPresent(HuggingFaceConfig.self, forKey: .model)
        hardware = try c.decodeIfPresent(MeasuredRun.Hardware.self, forKey: .hardware)
        parallel = try c.decodeIfPresent(Parallel.self, forKey: .parallel)
        dtype = try c.decodeIfPresent(Training.self, forKey: .training)?.dtype
        precision = try c.decodeIfPresent(Precisions.self, forKey: .precision)
        serving = try c.decodeIfPresent(Serving.self, forKey: .serving)
        measured = try c.decodeIfPresent(Measured.self, forKey: .measured)
        complete = try c.decodeIfPresent(Bool.self, forKey: .complete)
    }
}

/// A file of serving records.
public struct ServingRunsFile: Sendable {
    public var runs: [ServingRun]

    /// Decodes every `kind: "inference"` record of a `pdcost.runs/1` file; a record that does
    /// not decode is kept as a stub that says why.
    public static func decode(_ bytes: some Collection<UInt8>) throws(PDCostError) -> ServingRunsFile {
        try JSONReader.check(bytes, what: "measured-runs file")
        do {
            return ServingRunsFile(runs: try JSONDecoder().decode(Raw.self, from: Data(bytes)).runs)
        } catch let error as DecodingError {
            throw .parse("measured-runs file: " + DecodingErrorDescription.describe(error))
        } catch {
            throw .parse("measured-runs file: \(error)")
        }
    }

    private struct Raw: Decodable {
        var runs: [ServingRun]
        enum CodingKeys: String, CodingKey { case runs }
        private struct Kind: Decodable { var id: String?; var kind: String? }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            // Two passes over the array: the kinds, then the inference records.
            var kinds = try c.nestedUnkeyedContainer(forKey: .runs)
            var list = try c.nestedUnkeyedContainer(forKey: .runs)
            var runs: [ServingRun] = []
            while !kinds.isAtEnd {
                let index = kinds.currentIndex
                let head = (try? kinds.decode(Kind.self)) ?? Kind(id: nil, kind: nil)
                guard head.kind == "inference" else { _ = try? list.decode(Kind.self); continue }
                do {
                    runs.append(try list.decode(ServingRun.self))
                } catch let error as DecodingError {
                    _ = try? list.decode(Kind.self)
                    runs.append(ServingRun(stubID: head.id ?? "runs[\(index)]", error: DecodingErrorDescription.describe(error)))
                }
            }
            self.runs = runs
        }
    }
}
