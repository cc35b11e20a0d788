/// The one table of a prediction's fields: name, unit, kind and meaning, in the order of the C
/// struct `pdcost_prediction`. The C conversion (which fills the struct's doubles in this
/// order), the JSON writer, `pdcost_prediction_fields_json` and the Python result types all
/// follow from it; a test parses the header's declaration and compares it with this table.
public struct PredictionField: Sendable {
    public enum Unit: String, Sendable {
        case seconds = "s"
        case bytes
        case ratio = "1"
        case tokensPerSecond = "tokens/s"
        case count
    }

    public enum Kind: String, Sendable {
        case time, communication, ratio, throughput, memory
    }

    /// The name in C, JSON and Python's SI form (`step_time_s`).
    public let name: String
    public let unit: Unit
    public let kind: Kind
    /// Values: 1, or `CommunicationKind.allCases.count` for the per-kind arrays.
    public let count: Int
    public let summary: String
    /// The value (element `index` of an array field).
    public let value: @Sendable (Prediction, Int) -> Double

    init(_ name: String, _ unit: Unit, _ kind: Kind, count: Int = 1, _ summary: String,
         _ value: @escaping @Sendable (Prediction, Int) -> Double) {
        self.name = name
        self.unit = unit
        self.kind = kind
        self.count = count
        self.summary = summary
        self.value = value
    }
}

/// Communication kinds, the index of the per-kind arrays (`pdcost_comm_kind`).
public enum CommunicationKind: Int, Sendable, CaseIterable {
    case tp, cp, ep, pp, dp

    public var name: String { "\(self)" }

    func of(_ p: Prediction) -> CommunicationTime {
        switch self {
        case .tp: p.tensorParallelComm
        case .cp: p.contextParallelComm
        case .ep: p.expertParallelComm
        case .pp: p.pipelineComm
        case .dp: p.dataParallelComm
        }
    }
}

extension Prediction {
    /// Every double of `pdcost_prediction`, in struct order; `peak_stage` and `fits_memory`
    /// (the integers after them) are `peakStage` and `fitsMemory`.
    public static let fields: [PredictionField] = [
        .init("step_time_s", .seconds, .time, "one optimizer step") { p, _ in p.stepTime },
        .init("compute_time_s", .seconds, .time, "computation on the critical path, recomputation included") { p, _ in p.computeTime },
        .init("bubble_time_s", .seconds, .time, "pipeline warm-up and cool-down") { p, _ in p.bubbleTime },
        .init("recompute_time_s", .seconds, .time, "recomputation (part of compute)") { p, _ in p.recomputeTime },
        .init("optimizer_time_s", .seconds, .time, "optimizer step") { p, _ in p.optimizerTime },
        .init("offload_time_s", .seconds, .time, "host offload traffic not hidden (optimizer states, parameters, paged states, activations)") { p, _ in p.offloadTime },
        .init("host_overhead_time_s", .seconds, .time, "host work not hidden under GPU work") { p, _ in p.hostOverheadTime },
        .init("comm_exposed_s", .seconds, .communication, count: CommunicationKind.allCases.count,
              "communication that lengthens the step, per kind (tp, cp, ep, pp, dp)") { p, i in
            CommunicationKind(rawValue: i)?.of(p).exposed ?? 0
        },
        .init("comm_overlapped_s", .seconds, .communication, count: CommunicationKind.allCases.count,
              "communication hidden under computation, per kind") { p, i in
            CommunicationKind(rawValue: i)?.of(p).overlapped ?? 0
        },
        .init("total_comm_time_s", .seconds, .communication, "all communication, exposed and overlapped") { p, _ in p.totalCommunicationTime },
        .init("exposed_comm_time_s", .seconds, .communication, "communication that lengthens the step") { p, _ in p.exposedCommunicationTime },
        .init("mfu", .ratio, .ratio, "model FLOPs (causal attention, no recompute) over the peak") { p, _ in p.mfu },
        .init("hfu", .ratio, .ratio, "hardware FLOPs (with recompute) over the peak") { p, _ in p.hfu },
        .init("tokens_per_second", .tokensPerSecond, .throughput, "tokens per second, all GPUs") { p, _ in p.tokensPerSecond },
        .init("tokens_per_second_per_gpu", .tokensPerSecond, .throughput, "tokens per second per GPU") { p, _ in p.tokensPerSecondPerGPU },
        .init("micro_batches", .count, .throughput, "gradient accumulation steps") { p, _ in p.microBatches },
        .init("parameter_bytes", .bytes, .memory, "weights") { p, _ in p.memory.parameters },
        .init("gradient_bytes", .bytes, .memory, "gradient buffers") { p, _ in p.memory.gradients },
        .init("optimizer_bytes", .bytes, .memory, "optimizer states and master weights") { p, _ in p.memory.optimizer },
        .init("activation_bytes", .bytes, .memory, "stored activations of the in-flight micro-batches") { p, _ in p.memory.activations },
        .init("communication_buffer_bytes", .bytes, .memory, "pipeline and TP-overlap buffers") { p, _ in p.memory.communicationBuffers },
        .init("temporary_buffer_bytes", .bytes, .memory, "transient working set (backward, logits, workspaces)") { p, _ in p.memory.temporaryBuffers },
        .init("framework_overhead_bytes", .bytes, .memory, "CUDA context and libraries outside the caching allocator") { p, _ in p.memory.frameworkOverhead },
        .init("allocated_bytes", .bytes, .memory, "peak allocated (torch.cuda.max_memory_allocated)") { p, _ in p.memory.allocated },
        .init("reserved_bytes", .bytes, .memory, "peak reserved (max_memory_reserved)") { p, _ in p.memory.reserved },
        .init("activation_buffer_pool_bytes", .bytes, .memory, "reserved minus allocated") { p, _ in p.memory.activationBufferPool },
        .init("total_bytes", .bytes, .memory, "reserved plus framework overhead (nvidia-smi)") { p, _ in p.memory.total },
        .init("usable_memory_bytes", .bytes, .memory, "what the caching allocator can use on this GPU") { p, _ in p.usableMemory },
        .init("first_stage_allocated_bytes", .bytes, .memory, "the first pipeline stage's allocated peak") { p, _ in p.firstStageAllocated },
        .init("first_stage_reserved_bytes", .bytes, .memory, "the first pipeline stage's reserved peak") { p, _ in p.firstStageReserved },
        .init("last_stage_allocated_bytes", .bytes, .memory, "the last pipeline stage's allocated peak") { p, _ in p.lastStageAllocated },
        .init("last_stage_reserved_bytes", .bytes, .memory, "the last pipeline stage's reserved peak") { p, _ in p.lastStageReserved },
    ]

    /// The doubles of `pdcost_prediction` (arrays flattened), for the C conversion.
    public static let doubleCount = fields.reduce(0) { $0 + $1.count }

    /// Writes the doubles in struct order through `write(index, value)`; allocation-free.
    @inline(__always)
    public func forEachDouble(_ write: (Int, Double) -> Void) {
        var index = 0
        for field in Self.fields {
            for element in 0..<field.count {
                write(index, field.value(self, element))
                index += 1
            }
        }
    }

    /// `[{"name", "unit", "kind", "count", "summary"}]` plus the two integers.
    public static func fieldsJSON() -> String {
        func row(_ name: String, _ unit: String, _ kind: String, _ count: Int, _ summary: String) -> JSONValue {
            .object([("name", .string(name)), ("unit", .string(unit)), ("kind", .string(kind)),
                     ("count", .int(count)), ("summary", .string(summary))])
        }
        var rows = fields.map { f in row(f.name, f.unit.rawValue, f.kind.rawValue, f.count, f.summary) }
        rows.append(row("peak_stage", "count", "stage", 1, "0-based pipeline stage of the memory figures"))
        rows.append(row("fits_memory", "1", "flag", 1, "the highest allocated peak over the stages fits in usable memory, and the host memory per node in the host's"))
        return JSONWriter.document(.array(rows))
    }
}

extension Prediction {
    /// The host side of a prediction (offload and host memory), in the order of the C struct
    /// `pdcost_host_prediction`'s doubles; `fits_host_memory` follows them. The JSON "host"
    /// object and the Python result read these names.
    public static let hostFields: [PredictionField] = [
        .init("host_memory_per_node_bytes", .bytes, .memory,
              "host memory per node for offloaded states, fp32 gradients, offloaded parameters and pinned buffers") { p, _ in p.hostMemoryPerNode },
        .init("host_memory_capacity_bytes", .bytes, .memory, "host memory per node (cluster host)") { p, _ in p.hostMemoryCapacity },
        .init("gradient_copy_exposed_s", .seconds, .time, "16-bit gradients to the host, beyond the backward") { p, _ in p.offload.gradientCopy.exposed },
        .init("gradient_copy_overlapped_s", .seconds, .time, "16-bit gradients to the host, under the backward") { p, _ in p.offload.gradientCopy.overlapped },
        .init("cpu_optimizer_s", .seconds, .time, "CPU Adam on the node's offloaded partitions (in optimizer_time_s)") { p, _ in p.offload.cpuOptimizerTime },
        .init("parameter_copy_s", .seconds, .time, "updated 16-bit partitions back to the GPU") { p, _ in p.offload.parameterCopyTime },
        .init("nvme_optimizer_s", .seconds, .time, "optimizer states read from and written to NVMe") { p, _ in p.offload.nvmeOptimizerTime },
        .init("parameter_fetch_exposed_s", .seconds, .time, "offloaded parameters fetched, beyond the compute") { p, _ in p.offload.parameterFetch.exposed },
        .init("parameter_fetch_overlapped_s", .seconds, .time, "offloaded parameters fetched under the compute") { p, _ in p.offload.parameterFetch.overlapped },
    ]

    /// Whether the host memory per node fits the host's.
    public var fitsHostMemory: Bool { hostMemoryPerNode <= hostMemoryCapacity }
}
