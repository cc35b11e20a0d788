/// A serving record turned into serving cost-model inputs.
public struct MappedServingRun: Sendable {
    public var model: ModelSpec
    public var cluster: Cluster
    public var deployment: ServingDeployment
    public var workload: ServingWorkload
}

extension ServingRun {
    /// The engine a record's `framework` names (a serving front end such as Triton in front of
    /// TensorRT-LLM — "tensorrt-llm+triton" — runs that engine).
    /// The front end a `framework` of the form "engine+front-end" names ("tensorrt-llm+triton").
    static func frontEnd(_ framework: String?) -> FrontEnd? {
        guard let framework, let plus = framework.firstIndex(of: "+") else { return nil }
        return FrontEnd(rawValue: String(framework[framework.index(after: plus)...]))
    }

    static func engine(_ framework: String?) -> Result<ServingEngine, PDCostError> {
        guard let framework else { return .failure(.invalidArgument("framework is not stated")) }
        let base = framework.split(separator: "+").first.map(String.init) ?? framework
        guard let e = ServingEngine(rawValue: base) else {
            return .failure(.unsupported("framework='\(framework)' is not one of \(ServingEngine.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        return .success(e)
    }

    static func weightPrecision(_ name: String) -> WeightPrecision? {
        switch name.lowercased() {
        case "bf16", "bfloat16": .bf16
        case "fp16", "float16": .fp16
        case "fp8", "float8": .fp8
        case "fp4", "nvfp4": .fp4
        case "int4", "int4_wo", "w4a16": .int4WeightOnly
        default: nil
        }
    }

    /// Bytes per unit of the record's peak memory. TensorRT-LLM's static-batch benchmark
    /// prints `gpu_peak_mem(gb)` as bytes / 1e9 (benchmarks/cpp/gptSessionBenchmark.cpp:
    /// "convert to GB", `peakMem / 1e9`); other harnesses report GiB.
    func memoryUnitBytes(_ mapped: MappedServingRun) -> Double {
        mapped.deployment.engine == .tensorrtLLM && mapped.workload.scenario == .staticBatch ? 1e9 : 1_073_741_824
    }

    /// Maps the record, or says which field is missing or unsupported.
    public func mapped() -> Result<MappedServingRun, PDCostError> {
        if let decodeError { return .failure(.parse("record does not decode: \(decodeError)")) }
        guard let config = model else { return .failure(.invalidArgument("missing field 'model'")) }
        let spec: ModelSpec
        do { spec = try ModelLoader.spec(from: config) } catch { return .failure(error) }
        guard let gpuName = hardware?.gpu else { return .failure(.invalidArgument("hardware.gpu is not stated")) }
        // `pdcost.bench serve --device cpu` writes hardware.gpu "cpu" (serving_records.py
        // `build_serve_record`): a check of the harness, not a device the model prices.
        if gpuName.lowercased() == "cpu" {
            return .failure(.unsupported("hardware.gpu='\(gpuName)': the serving model prices GPUs; a CPU run (pdcost.bench serve --device cpu) is not predicted"))
        }
        let gpu: GPUSpec
        do { gpu = try GPUPresets.named(gpuName) } catch { return .failure(error) }
        let engine: ServingEngine
        switch Self.engine(framework) {
        case .failure(let e): return .failure(e)
        case .success(let e): engine = e
        }
        let tp = parallel?.tp ?? 1
        let pp = parallel?.pp ?? 1
        let replicas = parallel?.dp ?? 1
        let numGPUs = hardware?.numGPUs ?? tp * pp * replicas
        let cluster = Cluster(gpu: gpu, numGPUs: numGPUs, gpusPerNode: max(hardware?.gpusPerNode ?? gpu.gpusPerNode, tp))

        // Precisions: the record's, else the training dtype (the checkpoint's), else 16-bit.
        // An unstated KV cache is the engine's "auto" (`ServingEngine.autoKVCache`).
        guard let weightName = precision?.weights ?? dtype else {
            return .failure(.invalidArgument("precision.weights is not stated"))
        }
        guard let weights = Self.weightPrecision(weightName) else {
            return .failure(.invalidArgument("precision.weights='\(weightName)' is not one of bf16, fp16, fp8, fp4, int4_wo"))
        }
        let kvName = precision?.kvCache ?? measured?.kvCacheDtype
        let kv: KVCachePrecision
        if let kvName {
            guard let k = KVCachePrecision(rawValue: kvName.lowercased()) else {
                return .failure(.invalidArgument("precision.kv_cache='\(kvName)' is not one of bf16, fp16, fp8"))
            }
            kv = k
        } else {
            kv = engine.autoKVCache(weights: weights)
        }

        guard let input = measured?.inputTokens else {
            return .failure(.invalidArgument("measured.input_tokens is not stated (variable-length dataset)"))
        }
        guard let output = measured?.outputTokens else {
            return .failure(.invalidArgument("measured.output_tokens is not stated (variable-length dataset)"))
        }
        guard let scenarioName = serving?.scenario else { return .failure(.invalidArgument("serving.scenario is not stated")) }
        guard let scenario = ServingScenario(rawValue: scenarioName) else {
            return .failure(.unsupported("serving.scenario='\(scenarioName)' is not one of \(ServingScenario.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        var workload = ServingWorkload(scenario: scenario, inputTokens: input, outputTokens: output)
        switch scenario {
        case .staticBatch:
            guard let b = measured?.batchSize ?? measured?.concurrency else {
                return .failure(.invalidArgument("measured.batch_size is not stated"))
            }
            workload.batchSize = b
        case .fixedConcurrency:
            guard let c = measured?.concurrency else { return .failure(.invalidArgument("measured.concurrency is not stated")) }
            workload.concurrency = c
        case .requestRate:
            guard let r = measured?.requestRate ?? serving?.offeredQPS else {
                return .failure(.invalidArgument("measured.request_rate is not stated"))
            }
            workload.requestRate = r
            workload.numRequests = serving?.numRequests ?? 0
        case .burst:
            guard let n = serving?.numRequests else { return .failure(.invalidArgument("serving.num_requests is not stated")) }
            workload.numRequests = n
        case .offlineMaxThroughput:
            workload.numRequests = serving?.numRequests ?? 0
        }

        // Engine settings the record states.
        var settings = ServingSettings()
        settings.engineRelease = frameworkVersion
        settings.frontEnd = Self.frontEnd(framework)
        let s = serving
        settings.maxNumSeqs = s?.maxBatchSize ?? s?.maxNumSeqs
        settings.maxNumBatchedTokens = s?.maxNumTokens
        settings.gpuMemoryFraction = s?.kvCacheFreeGPUMemFraction ?? s?.gpuMemoryUtilization
        settings.customAllReduce = s?.customAllReduce
        settings.chunkedPrefill = s?.enableChunkedPrefill
        if s?.cudaGraphConfig != nil { settings.cudaGraphs = true }
        if s?.fakeWeights == true { settings.moeRouting = .concentrated }
        if s?.pagedKVMaxTokensSet == true, scenario == .staticBatch {
            // The static sweeps cap the paged KV pool at what the batch needs
            // (`max_tokens_in_paged_kv_cache` = batch × (input + output)).
            settings.kvCacheMaxTokens = workload.batchSize * (input + output)
            // The engine is built for exactly this batch: max batch = batch, max tokens = the
            // batch's prompts (TensorRT-LLM 0.9 `trtllm-build --max_batch_size
            // --max_input_len`, remove-input-padding packs them).
            settings.maxNumSeqs = settings.maxNumSeqs ?? workload.batchSize
            settings.maxNumBatchedTokens = settings.maxNumBatchedTokens ?? min(workload.batchSize * input, PDCostLimits.seqLen.maximum)
        }
        if engine == .tensorrtLLM, scenario == .offlineMaxThroughput,
           settings.maxNumSeqs == nil || settings.maxNumBatchedTokens == nil {
            // `trtllm-bench throughput` without limits sizes the engine from the dataset.
            let tuned = TRTLLMBenchTuning.engineSetting(
                model: spec, gpu: gpu, tp: tp, pp: pp, weightBytes: weights.bytesPerElement,
                kvBytes: kv.bytesPerElement, input: input, output: output,
                chunkedPrefill: settings.chunkedPrefill ?? false,
                memoryFraction: settings.gpuMemoryFraction ?? 0.95)
            settings.maxNumSeqs = settings.maxNumSeqs ?? tuned.maxBatchSize
            settings.maxNumBatchedTokens = settings.maxNumBatchedTokens ?? tuned.maxNumTokens
        }
        let deployment = ServingDeployment(tp: tp, pp: pp, replicas: replicas,
                                           expertParallel: (parallel?.ep ?? 1) > 1,
                                           attentionDataParallel: (parallel?.attentionDP ?? 1) > 1,
                                           weightPrecision: weights, kvCachePrecision: kv,
                                           engine: engine, settings: settings)
        return .success(MappedServingRun(model: spec, cluster: cluster, deployment: deployment, workload: workload))
    }
}
