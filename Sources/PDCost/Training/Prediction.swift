/// Per-GPU memory on one pipeline stage, bytes. All fields are scalars.
///
/// Accounting follows PyTorch's caching allocator:
/// `allocated = parameters + gradients + optimizer + activations + communicationBuffers +
/// temporaryBuffers` (what `max_memory_allocated` sees); `reserved = allocated +
/// activationBufferPool` (`max_memory_reserved`); `total = reserved + frameworkOverhead`
/// (CUDA context and library memory outside the allocator: what `nvidia-smi` shows).
public struct MemoryBreakdown: Sendable, Hashable {
    /// Model weights in their compute precision (and FSDP's unsharded working copies).
    public var parameters: Double = 0
    /// Gradient buffers (Megatron's fp32 main grads; sharded under ZeRO-2/3 and FSDP).
    public var gradients: Double = 0
    /// Optimizer states on the GPU: master weights and moments, after sharding and offload.
    public var optimizer: Double = 0
    /// Activations stored for the backward pass of all in-flight micro-batches.
    public var activations: Double = 0
    /// Communication buffers allocated through the allocator (pipeline send/recv, TP overlap).
    public var communicationBuffers: Double = 0
    /// Transient peak: the working set of one layer's backward, logits and loss buffers,
    /// library workspaces.
    public var temporaryBuffers: Double = 0
    /// CUDA context, library handles and NCCL buffers (outside the caching allocator).
    public var frameworkOverhead: Double = 0
    /// Peak `torch.cuda.max_memory_allocated()`.
    public var allocated: Double = 0
    /// Peak `torch.cuda.max_memory_reserved()`.
    public var reserved: Double = 0
    /// reserved − allocated: memory cached by the allocator for activation churn.
    public var activationBufferPool: Double = 0
    /// reserved + framework overhead: the device memory in use.
    public var total: Double = 0

    public init() {}
}

/// Communication time of one kind over a step, split into the part that lengthens the step and
/// the part hidden under computation.
public struct CommunicationTime: Sendable, Hashable {
    public var exposed: Double = 0
    public var overlapped: Double = 0
    public var total: Double { exposed + overlapped }
    public init(exposed: Double = 0, overlapped: Double = 0) {
        self.exposed = exposed
        self.overlapped = overlapped
    }
}

/// The host side of optimizer and parameter offload over one step (DeepSpeed ZeRO-Offload and
/// ZeRO-Infinity; see `ZeROOffload`). Seconds; each term's exposed part is in
/// `Prediction.offloadTime` or, for the CPU optimizer step, in `Prediction.optimizerTime`.
public struct OffloadBreakdown: Sendable, Hashable {
    /// 16-bit gradient partitions copied to the host over PCIe, every micro-batch, overlapped
    /// with the backward that produces them.
    public var gradientCopy = CommunicationTime()
    /// CPU Adam on the node's offloaded partitions (in `optimizerTime`).
    public var cpuOptimizerTime: Double = 0
    /// Updated 16-bit partitions copied back to the GPU after the step.
    public var parameterCopyTime: Double = 0
    /// Optimizer states read from and written to NVMe around the step (ZeRO-Infinity).
    public var nvmeOptimizerTime: Double = 0
    /// Offloaded parameter partitions fetched for every forward and backward (and written back
    /// to NVMe after the step), prefetched under computation.
    public var parameterFetch = CommunicationTime()
    public init() {}
}

/// What one plan costs: step time and its breakdown, throughput, utilisation and memory.
/// A plain value of scalars; times in seconds, memory in bytes.
public struct Prediction: Sendable, Hashable {
    /// Wall time of one optimizer step.
    public var stepTime: Double = 0
    /// Computation on the critical path (all micro-batches of the slowest stage: GEMMs, attention,
    /// memory-bound work, recomputation, host stalls), without bubble and exposed communication.
    public var computeTime: Double = 0
    /// Pipeline bubble (idle time of warm-up and cool-down).
    public var bubbleTime: Double = 0
    /// Extra forward work of activation recomputation, included in `computeTime`.
    public var recomputeTime: Double = 0
    public var tensorParallelComm = CommunicationTime()
    public var contextParallelComm = CommunicationTime()
    public var expertParallelComm = CommunicationTime()
    public var pipelineComm = CommunicationTime()
    /// Data-parallel gradient reduction, parameter gathers, ZeRO-3/FSDP gathers.
    public var dataParallelComm = CommunicationTime()
    /// Optimizer update (memory-bound), after gradient reduction.
    public var optimizerTime: Double = 0
    /// Host↔device traffic not hidden under compute: offloaded optimizer states and
    /// parameters, paged optimizer states, offloaded activations (`ActivationOffload`).
    public var offloadTime: Double = 0
    /// Fixed host work per step.
    public var hostOverheadTime: Double = 0

    /// Model FLOPs utilisation: model FLOPs (causal attention, no recomputation) per second and
    /// GPU over the dense peak of the run's precision.
    public var mfu: Double = 0
    /// Hardware FLOPs utilisation: as MFU, with recomputation FLOPs.
    public var hfu: Double = 0
    /// Sequence tokens per second for the whole job.
    public var tokensPerSecond: Double = 0
    public var tokensPerSecondPerGPU: Double = 0

    /// Gradient accumulation steps (micro-batches per step and replica).
    public var microBatches: Double = 0
    /// Memory of the stage with the highest peak.
    public var memory = MemoryBreakdown()
    /// Pipeline stage (0-based) whose memory is `memory`.
    public var peakStage: Int = 0
    public var firstStageAllocated: Double = 0
    public var firstStageReserved: Double = 0
    public var lastStageAllocated: Double = 0
    public var lastStageReserved: Double = 0
    /// GPU memory the allocator can use: capacity minus the framework overhead.
    public var usableMemory: Double = 0
    /// Whether every stage's allocated peak fits in `usableMemory` (the caching allocator frees
    /// its cache and retries before failing, so reserved above capacity is not an OOM), and the
    /// host memory per node fits in the host's.
    public var fitsMemory: Bool = false
    /// Host memory per node that offloaded model states need while training (optimizer states,
    /// fp32 gradients, offloaded parameters, pinned staging buffers), bytes: the busiest
    /// stage's rank times the job's GPUs per node. DeepSpeed's estimators
    /// (`estimate_zero2/3_model_states_mem_needs`) print this times their
    /// `additional_buffer_factor` 1.5; loading the model before partitioning (without
    /// `zero.Init`) can need more at start-up and is not counted.
    public var hostMemoryPerNode: Double = 0
    /// Host memory per node available (`HostSpec.memoryBytes`).
    public var hostMemoryCapacity: Double = 0
    /// The host side of offload.
    public var offload = OffloadBreakdown()

    public init() {}

    /// Sum of all communication time (exposed and overlapped).
    public var totalCommunicationTime: Double {
        tensorParallelComm.total + contextParallelComm.total + expertParallelComm.total
            + pipelineComm.total + dataParallelComm.total
    }

    /// Communication that lengthens the step.
    public var exposedCommunicationTime: Double {
        tensorParallelComm.exposed + contextParallelComm.exposed + expertParallelComm.exposed
            + pipelineComm.exposed + dataParallelComm.exposed
    }
}
