/// Every tunable constant of the cost model, in one place, each with a physical meaning and the
/// public measurement its default comes from. Calibration fits these; nothing else in the model
/// is a free parameter.
///
/// Defaults are per GPU architecture (`defaults(for:)`, keyed on `GPUSpec.architecture`, never on
/// a name), never per run or per published table.
public struct EfficiencyProfile: Sendable, Hashable {
    // MARK: GEMMs
    /// Largest fraction of the dense BF16/FP16 tensor peak a large, well-shaped GEMM reaches
    /// (the "maximum achievable matmul FLOPS", MAMF: S. Bekman, ml-engineering,
    /// compute/accelerator/README.md, MAMF table: A100 SXM 267.9/312 = 85.9 %, H100 SXM
    /// 792.1/989 = 80.1 %, B200 1745/2250 = 77.6 %).
    public var gemmPeakFraction16: Double
    /// Same for FP8 GEMMs (ml-engineering MAMF, FP8: H200 SXM 1453.4/1979 = 73.4 %, B200
    /// 3432.5/4500 = 76.3 %).
    public var gemmPeakFraction8: Double
    /// Size at which a GEMM dimension costs half of its tiles to quantization and pipeline
    /// fill: efficiency = peak fraction / (1 + c/m + c/n + c/k). With c = 160, 4096³ runs at 89 %
    /// of the large-GEMM rate and 2048³ at 81 %, the shape dependence cuBLAS shows on A100/H100
    /// (Anthony et al. 2024, "The Case for Co-Designing Model Architectures with Hardware",
    /// arXiv 2401.14489, Figs. 4–7).
    public var gemmHalfDimension: Double
    /// Sustained share of the burst rates above once the GPU runs at its power limit: the
    /// "maximum sustainable matmul FLOPS" (MSMF, thermally soaked, all GPUs of the node busy)
    /// over MAMF (boost burst), which ml-engineering's mamf-finder reports as the rate that
    /// "matches real training throughput" (compute/accelerator/benchmarks/README.md:
    /// H200 bf16 698.6/823.9 = 0.848, B200 bf16 1426.4/1751.2 = 0.815). A100: NVIDIA rates
    /// HPL at the clock sustained at the power limit, 1305 of 1410 MHz (0.926; G. Lockwood,
    /// "peak FLOPS" notes). Applies to all tensor-core work (GEMMs and attention): a training
    /// step keeps the board at its power limit whatever kernel runs.
    public var sustainedFraction: Double
    /// Board power at which the generation's datasheet peak is sustained. Parts run at a lower
    /// power limit clock lower; dynamic power ∝ f·V² with V ∝ f near the top of the DVFS curve,
    /// so the sustained clock scales as (P/P_ref)^(1/3) (never above 1).
    public var referencePowerWatts: Double

    // MARK: Attention
    /// Fraction of the BF16 peak the fused attention forward reaches at long sequences
    /// (FlashAttention-2 on A100 ~ 60 %: Dao 2023, arXiv 2307.08691, Fig. 5; FlashAttention-3 /
    /// cuDNN on H100 ~ 60–65 % causal, head dim 128: Shah et al. 2024, arXiv 2407.08608, Fig. 5).
    public var attentionForwardFraction: Double
    /// Same for the backward pass, which does 2.5× the forward FLOPs (5 GEMMs against 2) at a
    /// lower rate (FA2 A100 ~ 45–50 %; FA3 H100 ~ 45–55 %: same sources).
    public var attentionBackwardFraction: Double
    /// Forward/backward fractions of portable fused attention kernels (FlashAttention-2, which
    /// PyTorch SDPA and flash-attn use) on this generation. On A100 FA2 is the vendor-grade
    /// kernel; on H100 it reaches ~350–370 TFLOPS forward and ~300 backward at long sequences
    /// against FA3/cuDNN's ~600+ (Shah et al. 2024, arXiv 2407.08608, Figs. 5–6).
    public var portableAttentionForwardFraction: Double
    public var portableAttentionBackwardFraction: Double
    /// Softmax exponentials the GPU's special-function units issue per dense 16-bit tensor FLOP
    /// at the same clock (MUFU.EX2 results per SM per clock over tensor FLOPs per SM per clock).
    /// A fused attention kernel computes one exponential per score forward and again backward
    /// (P recomputed from the log-sum-exp), against 2·(d_qk + d_v) tensor FLOPs per score
    /// forward: at narrow heads or in FP8 the exponentials, not the matrix products, can bound
    /// it. Volta/Ada 16 per clock against 1,024 FP16/BF16 FLOPs per SM, Ampere 16 against 2,048,
    /// Hopper 16 against 4,096 (CUDA C++ Programming Guide, "Arithmetic Instructions" throughput
    /// table: 16 base-2 exponentials per clock per SM from compute capability 5.x to 9.0; the
    /// tensor rates from the A100/H100 whitepapers); Blackwell 5 TeraExponentials/s on B200's
    /// 2.25 PFLOPS (1/450), Blackwell Ultra 10.7 on B300's 2.25 (1/210): NVIDIA doubled the SFU
    /// rate for attention (Verda, "NVIDIA GB300 NVL72: GPU Architecture & Performance", per-GPU
    /// table; NVIDIA Technical Blog, "Making Softmax More Efficient with NVIDIA Blackwell Ultra").
    public var attentionExponentialsPerFlop: Double = 1.0 / 256
    /// Share of that exponential rate a fused attention kernel sustains while it overlaps the
    /// softmax with the matrix products. 0.75 reproduces NVIDIA's measured ~35 % faster FP8
    /// forward of DeepSeek-V3's attention (d_qk 192, d_v 128) on GB300 over GB200, where GB200 is
    /// exponential-bound and GB300 is not (same blog); it leaves B200's 16-bit, 128-wide heads and
    /// every Hopper 16-bit case bound by the matrix products, as measured (FlashAttention-4 and
    /// FlashAttention-3 rates above).
    public var attentionExponentialFraction: Double = 0.75
    /// Local sequence length at which the attention kernel runs at half its long-sequence rate
    /// (tile setup and the causal diagonal dominate short sequences; same figures: s = 512 runs
    /// at roughly half the s = 16k rate).
    public var attentionHalfSequence: Double
    /// Fused-attention time (forward + backward) with attention dropout on, relative to none:
    /// the kernel draws a Philox number per score element in the forward and regenerates the
    /// mask in the backward. cuDNN through Transformer Engine, `sbhd` layout (Megatron's), bf16,
    /// head dim 128, p = 0.1: H200 0.594 → 0.614 ms (1.034), B300 0.480 → 0.525 ms (1.094)
    /// (NVIDIA/TransformerEngine issue #3312). A measured kernel ratio, not a fitted constant.
    public var attentionDropoutSlowdown: Double = 1.034
    /// Same for FlashAttention-2: 0.695 → 0.728 ms (1.047) at p = 0.1 on GB200 with flash-attn
    /// 2.7.4 (TransformerEngine PR #3313, maintainer's measurement); its sm80 code path is the
    /// one every generation runs.
    public var portableAttentionDropoutSlowdown: Double = 1.047
    /// FlashAttention-2 backward time in deterministic mode over the default (atomic dQ
    /// accumulation): head dim 128, causal, s = 8192 on H100, 166 TFLOPS deterministic
    /// (Dao-AILab/flash-attention PR #1893, maintainer's table) against 280–300 without
    /// (Shah et al. 2024, arXiv 2407.08608, Fig. 6): 1.75. The deterministic path runs one
    /// thread block per (batch, head) along the keys, so the slowdown is a property of the
    /// kernel's schedule, not of the GPU.
    public var portableAttentionDeterministicBackwardSlowdown: Double = 1.75
    /// Same for the vendor kernels: head dim 128, causal, s = 8192, cuDNN's deterministic
    /// backward 470 TFLOPS on H100 against FlashAttention-3's non-deterministic 575 (flash-
    /// attention PR #1893), and FlashAttention-4 on B200 933 deterministic against 1118
    /// (PR #2280): 1.2 on both generations.
    public var attentionDeterministicBackwardSlowdown: Double = 1.2

    // MARK: Memory-bound work
    /// Fraction of the HBM bandwidth that fused elementwise kernels (norms, activations, casts,
    /// optimizer) sustain (STREAM-like copies reach ~90 % on A100/H100; framework kernels less).
    public var hbmFraction: Double
    /// Fraction of the HBM bandwidth a long sequential read sustains: the weight and KV-cache
    /// streaming of a decode step (GEMV-shaped GEMMs, paged attention). Batch-1 decode on
    /// TensorRT-LLM 0.9 (NVIDIA DLI static sweeps, shared/validation/inference_dev_runs.json:
    /// step time against weight bytes over Llama-2-7B/13B/70B, separating the per-layer launch
    /// cost) streams at 0.91–0.93 of the datasheet bandwidth on H100 and 0.90 on H200, 0.78 on
    /// A100 — the same order as STREAM-copy measurements on these parts (~90 % Hopper, ~80 %
    /// A100 SXM at 1.6 of 2.0 TB/s).
    public var hbmStreamFraction: Double = 0.91
    /// Rate of a grouped (per-expert) GEMM relative to a dense GEMM of the same token count per
    /// matrix: the grouped kernel walks a ragged list of problems, with a tile tail per expert
    /// and a scheduler in front. SimuMax's measured B200 table (MooreThreads/SimuMax
    /// configs/system, grouped-GEMM `accurate_efficient_factor`): 0.46–0.51 of peak near
    /// 1,000 tokens per expert, against 0.60 for the dense TE GEMMs of the same runs: ~0.8.
    public var groupedGemmFraction: Double = 0.8
    /// Tokens per expert at which a training grouped GEMM (forward and data gradient) runs at
    /// half the large-GEMM rate: efficiency = m / (m + m½) of it (`ExpertPhysics.
    /// groupedSaturation`). Through SimuMax's measured B200 points (configs/system/
    /// b200_bf16_ceperm.json, grouped-GEMM `accurate_efficient_factor`): 0.20–0.23 of peak at
    /// 128–154 tokens per expert, 0.46–0.51 near 1,000, dense 0.60 → m½ ≈ 257.
    public var groupedGemmHalfTokens: Double = 257
    /// Same for the weight gradient, whose reduction runs over the expert's tokens: 0.08–0.09 of
    /// peak at 128–154 tokens per expert in the same table → m½ ≈ 865.
    public var groupedGemmWgradHalfTokens: Double = 865
    /// Shortest time of one expert's low-precision (FP8, MXFP8, NVFP4) GEMM inside Transformer
    /// Engine's GroupedLinear, which runs one cuBLASLt GEMM per expert over four streams (TE PR
    /// #853, "Grouped GEMM via multi-stream cuBLAS"; common/util/multi_stream.cpp
    /// `num_compute_streams = 4`): the streams overlap the GEMMs, so a grouped GEMM takes the
    /// longer of its compute and experts × this. SM100, 8 experts × 128 tokens, N = K = 2048,
    /// per-tensor NVFP4: the multi-stream path takes 0.267 ms where one single-launch grouped
    /// kernel computes the same in 0.069 ms (NVIDIA/TransformerEngine PR #3134, "pure" kernel
    /// times), ≈ 33 µs per expert GEMM — the scaled GEMM, its per-expert scale handling and
    /// quantisation. 16-bit GEMMs have their own, shorter floor (`groupedGemmPerExpertSeconds16`).
    public var groupedGemmPerExpertSeconds: Double = 33e-6
    /// Same for a 16-bit (BF16/FP16) expert GEMM, which needs no scales. SimuMax's measured
    /// B200 table of TE's multi-stream grouped GEMM in BF16 (MooreThreads/SimuMax
    /// configs/system/b200_bf16_ceperm.json, `group_matmul`): the smallest per-expert GEMMs take
    /// 8.6–11 µs whatever their size (N 5120 K 1536 at 154 and 308 tokens per expert: 8.8, 8.6,
    /// 9.3, 9.2 µs; N 7168 K 2048 at 128: 9.4 µs), so the floor is ≈ 10 µs. With it the grouped
    /// model meets the table's 60 fp32-main-grad points within 15.6 % (33 µs: 75 %).
    public var groupedGemmPerExpertSeconds16: Double = 10e-6
    /// Bandwidth a hierarchical expert dispatcher (DeepEP normal kernels, HybridEP) reaches over
    /// NVLink, as a share of the one-direction NVLink rate: DeepEP V1 on H800 153–158 GB/s of
    /// ~200 (0.77–0.79; deepseek-ai/DeepEP README.md, intranode EP8), HybridEP on GB200 up to
    /// 569 GB/s of 900 (0.63; HybridEP's published GB200 figures, 215–569 GB/s, DeepEP
    /// `hybrid-ep` branch README). Its
    /// network leg runs at the NIC rate of `networkFraction` (DeepEP: 43–58 GB/s "RDMA
    /// bandwidth" at EP16–64 on 50 GB/s CX7 NICs).
    public var expertDispatchNVLinkFraction: Double = 0.7
    /// Device-to-host round trip of a host synchronisation (a few-byte D2H copy of the
    /// per-expert token counts, then `cudaStreamSynchronize` and the host thread waking): the
    /// CUDA launch-plus-sync latency of ~10–20 µs (PyTorch blog, "Accelerating PyTorch with CUDA
    /// Graphs", 2021: launch and synchronisation overheads of order 10 µs).
    public var hostSyncRoundTripSeconds: Double = 20e-6
    /// Shortest GPU time of any kernel, launch gap included (~3–5 µs on current GPUs).
    public var kernelFloorSeconds: Double

    // MARK: Collectives (NCCL)
    /// NCCL bus bandwidth over NVLink as a fraction of the one-direction NVLink bandwidth
    /// (nccl-tests all_reduce on DGX A100 ~ 230/300 GB/s, DGX H100 ~ 360–480/450 GB/s).
    public var nvlinkFraction: Double
    /// NCCL bus bandwidth across nodes as a fraction of the per-GPU NIC rate (nccl-tests over
    /// 200 Gb/s HDR ~ 23/25 GB/s, 400 Gb/s NDR ~ 42–46/50 GB/s).
    public var networkFraction: Double
    /// Extra efficiency factor of all-to-all (many peer messages, no pipelining across steps):
    /// nccl-tests alltoall reaches ~ 70–80 % of the all-gather bus bandwidth.
    public var allToAllFraction: Double
    /// Latency per ring step inside a node, seconds (NCCL LL/LL128 protocols, ~ 1–3 µs).
    public var nvlinkStepLatency: Double
    /// Latency per ring step across nodes, seconds (InfiniBand/RoCE RDMA ~ 4–8 µs with NCCL's
    /// proxy thread).
    public var networkStepLatency: Double
    /// Fixed latency of one collective call on top of its ring steps, seconds: kernel launch,
    /// channel setup and the proxy handshake NCCL's own cost model charges once per call
    /// (src/graph/tuning.cc, `baseLat` for Ring/Simple, the protocol of MB-sized messages:
    /// 8.4 µs).
    public var collectiveBaseLatency: Double
    /// Host↔device copy efficiency (pinned-memory cudaMemcpy reaches ~ 80–90 % of PCIe).
    public var pcieFraction: Double

    // MARK: Overlap
    /// Slow-down of computation per second of communication overlapped with it: NCCL kernels
    /// occupy 8–32 SMs (of 108–148) and share HBM bandwidth (Rashidi et al. 2021; NVIDIA TE
    /// userbuffers docs recommend reserving SMs for communication).
    public var overlapInterference: Double
    /// Fraction of tensor-parallel communication left exposed when it is overlapped with GEMMs
    /// by chunking (TE userbuffers / AsyncTP): the first and last chunk of each pipelined GEMM
    /// (Wang et al. 2023, "Overlap communication with dependent computation", ASPLOS).
    public var tpOverlapExposedFraction: Double

    // MARK: Allocator
    /// Reserved-but-free memory of PyTorch's caching allocator as a fraction of the memory that
    /// churns (activations, temporaries): freed blocks are cached and split, and large requests
    /// round to 2 MiB (PyTorch docs, "CUDA memory management"; c10/cuda/CUDACachingAllocator.cpp).
    public var allocatorFragmentation: Double
    /// Same with `expandable_segments:True`, which maps pages into one growing segment instead
    /// of caching fixed blocks.
    public var expandableFragmentation: Double
    /// Factor on the framework's allocator-visible workspaces (`FrameworkProfile.allocatorWorkspaceBytes`:
    /// cuBLAS/cuBLASLt workspaces, TE/NCCL staging), which depend on the library versions and
    /// the cluster's NCCL settings rather than on the model. 1 = the framework's figure; a runs
    /// fit (`RunsFitter`, issue 14 item 6) moves it against measured `peak_allocated`.
    public var allocatorWorkspaceScale: Double = 1
    /// Factor on the device memory outside the caching allocator (`FrameworkProfile.runtimeBytes`:
    /// CUDA context, library handles, NCCL channel buffers). 1 = the framework's figure; a runs
    /// fit moves it against measured device memory (`peak_memory_gib` of a framework that reports
    /// device memory), the only measurement that sees it.
    public var runtimeMemoryScale: Double = 1

    public init(gemmPeakFraction16: Double, gemmPeakFraction8: Double, gemmHalfDimension: Double,
                sustainedFraction: Double, referencePowerWatts: Double,
                attentionForwardFraction: Double, attentionBackwardFraction: Double,
                portableAttentionForwardFraction: Double, portableAttentionBackwardFraction: Double,
                attentionHalfSequence: Double,
                hbmFraction: Double, kernelFloorSeconds: Double, nvlinkFraction: Double,
                networkFraction: Double, allToAllFraction: Double, nvlinkStepLatency: Double,
                networkStepLatency: Double, pcieFraction: Double, overlapInterference: Double,
                tpOverlapExposedFraction: Double, allocatorFragmentation: Double,
                expandableFragmentation: Double, collectiveBaseLatency: Double = 8.4e-6) {
        self.collectiveBaseLatency = collectiveBaseLatency
        self.gemmPeakFraction16 = gemmPeakFraction16
        self.gemmPeakFraction8 = gemmPeakFraction8
        self.gemmHalfDimension = gemmHalfDimension
        self.sustainedFraction = sustainedFraction
        self.referencePowerWatts = referencePowerWatts
        self.attentionForwardFraction = attentionForwardFraction
        self.attentionBackwardFraction = attentionBackwardFraction
        self.portableAttentionForwardFraction = portableAttentionForwardFraction
        self.portableAttentionBackwardFraction = portableAttentionBackwardFraction
        self.attentionHalfSequence = attentionHalfSequence
        self.hbmFraction = hbmFraction
        self.kernelFloorSeconds = kernelFloorSeconds
        self.nvlinkFraction = nvlinkFraction
        self.networkFraction = networkFraction
        self.allToAllFraction = allToAllFraction
        self.nvlinkStepLatency = nvlinkStepLatency
        self.networkStepLatency = networkStepLatency
        self.pcieFraction = pcieFraction
        self.overlapInterference = overlapInterference
        self.tpOverlapExposedFraction = tpOverlapExposedFraction
        self.allocatorFragmentation = allocatorFragmentation
        self.expandableFragmentation = expandableFragmentation
    }

    /// The defaults for a GPU's architecture, the `GPUSpec.architecture` field (see each field
    /// for its source).
    public static func defaults(for gpu: GPUSpec) -> EfficiencyProfile {
        defaults(for: gpu.architecture)
    }

    public static func defaults(for generation: GPUArchitecture) -> EfficiencyProfile {
        var p = EfficiencyProfile(
            gemmPeakFraction16: 0.80, gemmPeakFraction8: 0.734, gemmHalfDimension: 160,
            sustainedFraction: 0.848, referencePowerWatts: 700, attentionForwardFraction: 0.62,
            attentionBackwardFraction: 0.48, portableAttentionForwardFraction: 0.37,
            portableAttentionBackwardFraction: 0.30, attentionHalfSequence: 512, hbmFraction: 0.80,
            kernelFloorSeconds: 4e-6, nvlinkFraction: 0.80, networkFraction: 0.85,
            allToAllFraction: 0.75, nvlinkStepLatency: 2e-6, networkStepLatency: 6e-6,
            pcieFraction: 0.80, overlapInterference: 0.12, tpOverlapExposedFraction: 0.2,
            allocatorFragmentation: 0.25, expandableFragmentation: 0.05)
        switch generation {
        case .volta:
            p.attentionExponentialsPerFlop = 1.0 / 64
            // V100: ~ 90–100 of 125 TFLOPS in large cuBLAS FP16 GEMMs; no flash attention kernels
            // beyond FA1 (which supports sm70 only partially): attention runs unfused-rate.
            p.gemmPeakFraction16 = 0.75
            p.gemmPeakFraction8 = 0
            p.sustainedFraction = 0.926
            p.referencePowerWatts = 300
            p.attentionForwardFraction = 0.40
            p.attentionBackwardFraction = 0.30
            p.portableAttentionForwardFraction = 0.40
            p.portableAttentionBackwardFraction = 0.30
            p.attentionDropoutSlowdown = p.portableAttentionDropoutSlowdown
        case .ampere, .ada:
            p.attentionExponentialsPerFlop = 1.0 / 128
            p.hbmStreamFraction = 0.78
            p.gemmPeakFraction16 = 0.859
            p.gemmPeakFraction8 = 0
            p.sustainedFraction = 0.926
            p.referencePowerWatts = 400
            p.attentionForwardFraction = 0.60
            p.attentionBackwardFraction = 0.48
            p.portableAttentionForwardFraction = 0.60
            p.portableAttentionBackwardFraction = 0.48
            // Below sm90 Transformer Engine prefers FlashAttention-2 over cuDNN when both are
            // eligible (get_attention_backend gives FusedAttention preference only on Hopper+),
            // so the vendor kernel's dropout cost is FA2's.
            p.attentionDropoutSlowdown = p.portableAttentionDropoutSlowdown
            if generation == .ada {
                // Ada (sm_89) runs Ampere's kernel family: its tensor cores take the sm_80
                // `mma.sync` instructions and it has neither Hopper's `wgmma` nor TMA, so
                // FlashAttention-3, cuDNN's sm90 attention and CUTLASS's sm90 GEMMs do not run
                // on it (Shah et al. 2024, arXiv 2407.08608, §3: FA3 is built on wgmma/TMA) and
                // FlashAttention-2 is its fused attention, as on A100. Hence the Ampere
                // fractions above. Two differences: FP8 tensor cores (no public MAMF figure
                // for Ada FP8 exists, so FP8 GEMMs take the 16-bit share of their own peak:
                // the same mma.sync pipeline at twice the rate per instruction), and the
                // reference board power, the L40S's 350 W (NVIDIA L40S datasheet).
                p.gemmPeakFraction8 = p.gemmPeakFraction16
                p.referencePowerWatts = 350
                p.attentionExponentialsPerFlop = 1.0 / 64  // 16 per clock against 1,024 FLOPs
            }
        case .hopper:
            break
        case .blackwell, .blackwellUltra:
            // BF16 GEMMs as Transformer Engine issues them on B200 inside a Megatron step (TE
            // cuBLASLt, fp32 wgrad accumulation): 0.45–0.52 of the 2.25 PFLOPS dense peak for the
            // Llama-70B/405B shapes, mean 0.488 (MooreThreads/SimuMax, configs/system/
            // b200_bf16_ceperm.json, `matmul.accurate_efficient_factor`, measured on 8×B200 with
            // TE 2.11 / CUDA 13.1). That is the sustained rate, so the peak fraction is
            // 0.488 / 0.815 = 0.60 — well below the best-shape MAMF burst (1745/2250 = 0.776).
            p.gemmPeakFraction16 = 0.60
            p.gemmPeakFraction8 = 0.763
            p.sustainedFraction = 0.815
            // NCCL all-gather/reduce-scatter bus bandwidth over NVLink5 on the same B200 node:
            // 0.673 of 900 GB/s (all-reduce 0.742; SimuMax b200_bf16_ceperm.json, `networks.
            // high_intra_node.op`), below Hopper's ~0.8 of 450 GB/s: NVLink5 doubles the links
            // but NCCL's ring kernels run on the same few SMs.
            p.nvlinkFraction = 0.673
            // Latency of those collectives on the same node, fitted there by SimuMax as
            // fixed + per-ring-step: all-gather 23.1 + 9.18 µs/step, reduce-scatter 25.6 +
            // 8.03 µs/step (b200_bf16_ceperm.json, `networks.high_intra_node.op`): NVLink5 ring
            // steps cost ~ 2.5× NCCL's Hopper-era Simple figure (3.4 µs) and each call ~ 3×
            // its base latency.
            p.nvlinkStepLatency = 8.6e-6
            p.collectiveBaseLatency = 24e-6
            p.referencePowerWatts = 1000
            // cuDNN / FlashAttention-4 on B200: ~ 1.4–1.6 PFLOPS forward of 2.25 (Tri Dao,
            // FA4 talk, Hot Chips 2025; NVIDIA cuDNN 9.x release notes).
            p.attentionForwardFraction = 0.62
            p.attentionBackwardFraction = 0.45
            // FlashAttention-2 has no Blackwell-specific path (no tcgen05/TMEM use): its sm80
            // code runs at about the Hopper kernel's rate. On B200, head dim 128, 352–362 TFLOPS
            // forward at s = 2k–8k (meta-pytorch/tritonbench PR #171) and 314–334 backward at
            // s = 4k–16k (Dao-AILab/flash-attention issue #1589): 0.16 and 0.145 of 2.25 PF.
            p.portableAttentionForwardFraction = 0.16
            p.portableAttentionBackwardFraction = 0.145
            // cuDNN's dropout path on Blackwell (B300, sbhd: TE issue #3312, see the field).
            p.attentionDropoutSlowdown = 1.094
            p.attentionExponentialsPerFlop = 1.0 / 450
            if generation == .blackwellUltra {
                p.attentionExponentialsPerFlop = 1.0 / 210  // twice the SFU rate (see the field)
                // Same kernels, but a GEMM-bound step is power-limited, and Blackwell Ultra
                // spends its power on more SMs at a lower clock. Dynamic power goes as SMs · f³,
                // so the sustained clock share under a power limit P is
                // s = s_B200 · (P / 1000 W)^(1/3) · (148 / SMs)^(1/3) · (f_B200 / f), with the
                // datasheet clock f ∝ peak / SMs. B300: 160 SMs, 2.25 PFLOPS BF16 dense as B200
                // (so f/f_B200 = 148/160), 1,100 W (NVIDIA HGX B300; Verda's per-GPU table):
                // s = 0.815 · 1.032 · 0.974 · 1.081 = 0.886. GB300 (1,400 W) states its higher
                // clock in its 2.5 PFLOPS peak and sustains the same share (the power ratio
                // against the 1,100 W reference is capped at 1). Checks outside the fit, same
                // layout and release in Megatron-Bridge's tables (26.02–26.08): B300/B200 measure
                // 1.10–1.16× (this gives 1.09×), GB300/GB200 1.15–1.27× (1.09×; 1.00× before).
                p.sustainedFraction = 0.886
                p.referencePowerWatts = 1100
            }
        }
        return p
    }
}
