// Training cost model — design notes (kept as a comment-only Swift file so that the target has
// no unhandled resources; the coordinator may move it to docs/).
//
// # Training cost model — design notes
//
// `CostModel(model:cluster:setup:)` precomputes everything plan-independent (`Workload`: shapes,
// per-layer parameter counts split into TP-sharded and replicated parts, FLOPs per token, achieved
// rates). `evaluate(plan)` then prices a plan with a few hundred floating-point operations: no
// allocation, no throwing, no `pow`/`exp` (≈ 0.4–0.65 µs on the 2-core dev machine; see
// `pdcost-bench time`, which also counts heap allocations under an LD_PRELOAD shim).
//
// ## Files, one idea each
// | file | what |
// |---|---|
// | `Workload.swift` | plan-independent quantities; `Rates` (GEMM roofline with shape penalty, flash attention, memory-bound ops) |
// | `PlanContext.swift` | one plan's degrees, tokens per rank, layers per stage, group placement (rank order tp-cp-ep-dp-pp) |
// | `Compute/LayerCompute.swift` | GPU time of a dense and an MoE layer for one micro-batch; embedding / output layer / loss |
// | `Communication/LayerCommunication.swift` | TP (AR or AG/RS with SP), CP ring, EP all-to-all per layer, exposed vs overlapped |
// | `Communication/DataParallelCommunication.swift` | gradient reduce-scatter / all-reduce, parameter all-gather, ZeRO-2/3 and FSDP gathers |
// | `Pipeline/PipelineSchedule.swift` | 1F1B / interleaved: in-flight micro-batches, bubble, step assembly |
// | `Memory/ActivationMemory.swift` | Korthikanti Table 2 generalised (GQA, SwiGLU, flash attention, SP, CP, MoE, MLA, FP8, recompute) |
// | `Memory/ModelStateMemory.swift`, `Memory/ZeRO.swift` | weights, gradients, optimizer states per stage (ZeRO 0–3, distributed optimizer, FSDP2) |
// | `Prediction.swift` | the result: scalars only |
// | `CostModel.swift` | orchestration |
//
// Constants live in two places only: `Hardware/EfficiencyProfile.swift` (tunable rates, per GPU
// generation, each with its public source) and `Plan/FrameworkProfile.swift` (framework behaviour and
// defaults, each with the file/flag it comes from).
//
// ## Why these choices
// - **Sustained, not burst, rates.** GEMMs run at datasheet peak × MAMF (best-shape burst) ×
//   MSMF/MAMF (power-saturated, all GPUs busy) × a shape penalty `1/(1 + c/m + c/n + c/k)`, bounded
//   below by HBM traffic (roofline). Using MAMF alone over-predicted every tuned H100/B200 run by
//   10–40 %; the sustained ratio comes from the same public benchmark, not from the runs.
// - **Attention is its own kernel class.** Vendor fused attention (cuDNN/FA3 via TE) and portable
//   FlashAttention-2 (PyTorch SDPA) differ by ~1.7× on Hopper; the framework profile chooses.
//   Backward = 2.5× forward FLOPs. Releases before flash attention use batched GEMMs over s×s
//   scores plus a memory-bound softmax.
// - **Backward GEMMs = 2× forward** at the same shape efficiency (dgrad and wgrad have the forward's
//   dimensions permuted, and the shape penalty is symmetric), plus the fp32 main-grad
//   read-modify-write of gradient-accumulation fusion.
// - **Communication overlap is framework behaviour.** Megatron hides the SP re-gather and the
//   data-gradient reduce-scatter under backward GEMMs; TE userbuffers / AsyncTP hide a share of the
//   rest; DP reduction hides under the last micro-batch's backward and the parameter gather under
//   the next first forward, minus one bucket; FSDP per layer under the neighbouring layer's compute.
//   Overlapped time still slows computation (`overlapInterference`: NCCL takes SMs and HBM).
// - **Pipelines** use `T = m·t_max + (Σ t_i − t_max)/v`, which handles unequal first/last stages
//   (embedding, output layer and loss) and reduces to the (p−1)/(v·m) bubble when balanced.
// - **Memory is accounted as the caching allocator sees it**: allocated = states + stored
//   activations of the in-flight micro-batches + the transient working set (one layer's backward,
//   the fp32 logits at the loss, workspaces); reserved adds allocator fragmentation of the churning
//   part (much less with `expandable_segments`); the device total adds CUDA context and NCCL
//   buffers, which `max_memory_*` never sees. Each framework says which number its logs print.
// - **Host time** bounds a layer when its kernels are shorter than the Python/dispatcher time that
//   issues them (eager PyTorch ~8 µs per op); CUDA graphs remove it for capturable parts; MoE token
//   dispatch stays eager.
//
// ## What it leaves out (known weak spots)
// - MoE: routing imbalance of dropless runs is not modelled (balanced routing is assumed); the
//   host/launch overheads of fine-grained experts are estimated from op counts.
// - Long-context CP at cp ≥ 4 in torchtitan runs ~30 % slower than the ring model predicts.
// - Functional-test / third-party Megatron runs (Megatron-LM CI, SimuMax on B200) run 20–100 %
//   slower than tuned NVIDIA recipes on the same hardware; the model follows the tuned recipes.
// - Newer torchtitan releases that compile the loss avoid the fp32 logits; the torchtitan profile
//   models the 2024 behaviour.
