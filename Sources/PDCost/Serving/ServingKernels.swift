/// Serving-specific kernel constants: launch gaps and the one-shot all-reduce. Each is a
/// property of the GPU runtime, not of a model or a table; the serving benchmark sources check
/// them (README "Serving accuracy").
public struct ServingKernels: Sendable, Hashable {
    /// Kernels one decoder layer launches in a decode iteration: input norm, QKV GEMM, rotary,
    /// KV-cache write, attention, output GEMM, residual add, norm, gate/up GEMM, activation,
    /// down GEMM, residual add — 12 (vLLM's Llama forward, vllm/model_executor/models/llama.py;
    /// TensorRT-LLM's plugin graph launches about as many, its FP8 path adds activation
    /// quantisation but fuses the rotary and cache write into the attention plugin). MoE
    /// layers add the router, top-k, permute and unpermute: 4 more.
    public var kernelsPerLayer: Double = 12
    public var extraKernelsPerMoELayer: Double = 4
    /// GPU idle time between two kernels replayed from a CUDA graph: the drain of one grid and
    /// the ramp of the next (~1–2 µs; NVIDIA, "Getting Started with CUDA Graphs", 2019:
    /// graph launch of 20 short kernels saves ~2 µs per kernel against stream launch, 3.8 →
    /// ~1.8 µs per kernel).
    public var graphKernelGap: Double = 1.8e-6
    /// Same when the host launches each kernel (eager PyTorch or a TensorRT engine enqueue):
    /// the CUDA launch API costs ~3–5 µs per kernel and small decode kernels run shorter than
    /// that, so the GPU waits on the host (same source: 3.8 µs per kernel stream-launched).
    /// Batch-1 decode on TensorRT-LLM 0.9 (DLI static sweeps) shows 57–78 µs per Llama layer
    /// beyond the weight streaming on A100/H100/H200, ~5 µs for each of the 12 kernels.
    public var eagerKernelGap: Double = 5e-6
    /// Host time of one op dispatched from Python in eager PyTorch (argument parsing, the
    /// dispatcher, the allocator, cudaLaunchKernel when the op launches one): 10.0 µs per
    /// in-place add issued in a Python loop, measured on the H200 machine's host with torch
    /// 2.11 (scripts/moe_kernel_bench.py `host_per_op`, measured/h200-sxm-141gb/moe_kernels.json;
    /// 13.9 µs with autograd recording); the PyTorch blog gives 5–10 µs ("Accelerating PyTorch
    /// with CUDA Graphs", 2021). It scales with the host CPU's single-thread speed.
    public var eagerHostSecondsPerOp: Double = 10e-6
    /// Fixed latency of a one-shot NVLink all-reduce (vLLM `custom_all_reduce.cuh`
    /// `cross_device_reduce_1stage`, TensorRT-LLM `customAllReduceKernels`): one barrier over
    /// peer flags plus one read of every peer's buffer, ~5 µs at 8 GPUs on H100 against NCCL's
    /// ~15–20 µs ring (vLLM PR #2192 benchmark: custom all-reduce 2–3× faster than NCCL below
    /// 512 KB on 8×A100/H100).
    public var customAllReduceLatency: Double = 3e-6
    /// Added per peer: the one-shot kernel polls one flag and reads one buffer per peer, so
    /// its latency grows with the ranks (TensorRT-LLM 0.9 batch-1 decode on H100/H200: the
    /// step grows ~9 µs per all-reduce at TP 2 and ~10 µs at TP 4 beyond the weight
    /// streaming, launch gap included).
    public var customAllReducePeerLatency: Double = 1e-6
    /// Largest message the one-shot kernel takes; NCCL beyond it (vLLM `CustomAllreduce`
    /// `max_size` 8 MiB, vllm/distributed/device_communicators/custom_all_reduce.py).
    public var customAllReduceMaxBytes: Double = 8 * 1_048_576

    public init() {}
}
