/// Built-in GPU presets with their datasheet sources.
///
/// Conventions, shared by every entry (see `GPUSpec` for the fields):
/// - Peaks are dense (no 2:4 sparsity). NVIDIA datasheets print Tensor Core peaks "with
///   sparsity" (footnoted `*`); the dense peak is half of the printed number. Where the
///   architecture whitepaper gives the dense number to more digits (A100, H100) it is used.
/// - `fp32Flops` is the non-tensor (CUDA core) FP32 peak; `tf32Flops` the TF32 Tensor Core peak.
///   0 means the part has no such unit (V100: no BF16/TF32/FP8; A100: no FP8).
/// - Memory: NVIDIA's "NN GB" is the capacity of the HBM stacks, which are GiB-sized (an 80GB
///   H100 has five 16 GiB HBM3 stacks), so an "NN GB" part stores NN·2^30 bytes. The driver
///   reserves a little of it; `nvidia-smi` shows ~0.3–1 GiB less.
/// - Bandwidths are bytes/s, per GPU, one direction. NVLink and PCIe are quoted bidirectional
///   in datasheets (H100: "NVLink 900GB/s", "PCIe Gen5 128GB/s"), so they are halved here.
///   Parts without an all-to-all NVLink fabric (PCIe cards) carry their PCIe one-way rate in
///   `nvlinkBandwidth`: that is what peer traffic inside a node runs at.
/// - `networkBandwidth` is the compute-fabric NIC per GPU of the reference DGX/HGX system
///   (one ConnectX NIC per GPU since DGX A100), converted from Gb/s to bytes/s (÷ 8).
/// - `tdpWatts` is the configured power limit of the reference system.
public enum GPUPresets {
    public static let all: [GPUSpec] = [
        v100SXM32GB, a100SXM80GB, a100SXM40GB, a100PCIe80GB, a800SXM80GB, l40s, rtx4090,
        h100SXM80GB, h100SXM96GB, h100PCIe80GB, h100NVL, h800SXM80GB, h20, h200SXM141GB,
        b200, gb200, b300, gb300,
    ]

    // MARK: - Volta

    /// NVIDIA Tesla V100 datasheet (Jan 2020), "V100 for NVLink" (SXM2) column: FP32 15.7
    /// TFLOPS, Tensor (FP16) 125 TFLOPS, 32 GB HBM2 at 900 GB/s, NVLink 300 GB/s, PCIe Gen3
    /// 32 GB/s (both bidirectional), 300 W. Volta has no BF16, TF32 or FP8 units (Volta
    /// whitepaper, "Tensor Cores": FP16 multiply, FP16/FP32 accumulate only).
    /// Network: DGX-1 (V100) datasheet, 4× 100 Gb/s EDR InfiniBand for 8 GPUs = 50 Gb/s per GPU.
    static let v100SXM32GB = GPUSpec(
        name: "V100-SXM-32GB", aliases: ["V100", "V100-SXM", "V100-32GB", "V100-SXM2-32GB"],
        architecture: .volta,
        memoryBytes: 32 * gib,
        fp32Flops: 15.7e12, tf32Flops: 0, fp16Flops: 125e12, bf16Flops: 0, fp8Flops: 0,
        hbmBandwidth: 900e9,
        nvlinkBandwidth: 150e9,        // NVLink2, 6 links, 300 GB/s bidirectional
        networkBandwidth: 6.25e9,      // 400 Gb/s EDR per 8 GPUs
        pcieBandwidth: 16e9,           // PCIe Gen3 x16, 32 GB/s bidirectional
        tdpWatts: 300, gpusPerNode: 8,
        source: "NVIDIA Tesla V100 datasheet (SXM2 column); NVIDIA Tesla V100 GPU Architecture "
            + "whitepaper (Tensor Cores); NVIDIA DGX-1 with V100 datasheet (4x EDR InfiniBand)")

    // MARK: - Ampere

    /// NVIDIA A100 Tensor Core GPU datasheet (2021), "A100 80GB SXM" column: FP32 19.5 TFLOPS,
    /// TF32 156 TFLOPS, BF16/FP16 312 TFLOPS (dense; 312/624 with sparsity), 80GB HBM2e at
    /// 2,039 GB/s, 400 W, NVLink 600 GB/s, PCIe Gen4 64 GB/s (bidirectional). No FP8 units
    /// (A100 whitepaper, Table 1: 108 SMs at 1410 MHz). Network: DGX A100 datasheet, 8×
    /// single-port ConnectX-6 HDR 200 Gb/s for the compute fabric, one per GPU.
    static let a100SXM80GB = GPUSpec(
        name: "A100-SXM-80GB",
        aliases: ["A100", "A100-SXM", "A100-80GB", "A100-SXM4-80GB", "A100-80GB-SXM"],
        architecture: .ampere,
        memoryBytes: 80 * gib,
        fp32Flops: 19.5e12, tf32Flops: 156e12, fp16Flops: 312e12, bf16Flops: 312e12, fp8Flops: 0,
        hbmBandwidth: 2.039e12,
        nvlinkBandwidth: 300e9,        // NVLink3, 12 links, 600 GB/s bidirectional
        networkBandwidth: 25e9,        // 200 Gb/s HDR per GPU
        pcieBandwidth: 32e9,           // PCIe Gen4 x16, 64 GB/s bidirectional
        tdpWatts: 400, gpusPerNode: 8,
        source: "NVIDIA A100 Tensor Core GPU datasheet (80GB SXM column); NVIDIA A100 Tensor Core "
            + "GPU Architecture whitepaper, Table 1; NVIDIA DGX A100 datasheet (8x ConnectX-6 HDR)")

    /// NVIDIA A100 Tensor Core GPU datasheet (2020/2021), "A100 40GB SXM" column: the A100 peaks
    /// (FP32 19.5, TF32 156, BF16/FP16 312 TFLOPS dense; 312/624 with sparsity), 40GB HBM2 at
    /// 1,555 GB/s, 400 W, NVLink 600 GB/s, PCIe Gen4 64 GB/s (bidirectional). Network: the
    /// original DGX A100 (40GB) datasheet, 8× single-port ConnectX-6 HDR 200 Gb/s, one per GPU.
    static let a100SXM40GB = GPUSpec(
        name: "A100-SXM-40GB",
        aliases: ["A100-40GB", "A100-SXM4-40GB", "A100-40GB-SXM", "A100-SXM-40G"],
        architecture: .ampere,
        memoryBytes: 40 * gib,
        fp32Flops: 19.5e12, tf32Flops: 156e12, fp16Flops: 312e12, bf16Flops: 312e12, fp8Flops: 0,
        hbmBandwidth: 1.555e12,
        nvlinkBandwidth: 300e9,        // NVLink3, 12 links, 600 GB/s bidirectional
        networkBandwidth: 25e9,        // 200 Gb/s HDR per GPU
        pcieBandwidth: 32e9,           // PCIe Gen4 x16, 64 GB/s bidirectional
        tdpWatts: 400, gpusPerNode: 8,
        source: "NVIDIA A100 Tensor Core GPU datasheet (40GB SXM column: 1,555 GB/s HBM2, 400 W, "
            + "NVLink 600 GB/s); NVIDIA DGX A100 datasheet (8x ConnectX-6 HDR 200 Gb/s)")

    /// Same datasheet, "A100 80GB PCIe" column: the SXM part's peaks, 1,935 GB/s, 300 W, PCIe
    /// Gen4 64 GB/s. Its NVLink bridge joins only pairs of cards (600 GB/s per pair), so peer
    /// traffic across an 8-GPU server runs over PCIe: `nvlinkBandwidth` is the PCIe rate.
    /// Network: no DGX uses this card; assumed the DGX A100 rail of one 200 Gb/s HDR NIC per
    /// GPU (an assumption, not a datasheet number).
    static let a100PCIe80GB = GPUSpec(
        name: "A100-PCIe-80GB", aliases: ["A100-PCIe", "A100-80GB-PCIe", "A100-PCIE-80GB"],
        architecture: .ampere,
        memoryBytes: 80 * gib,
        fp32Flops: 19.5e12, tf32Flops: 156e12, fp16Flops: 312e12, bf16Flops: 312e12, fp8Flops: 0,
        hbmBandwidth: 1.935e12,
        nvlinkBandwidth: 32e9,         // PCIe Gen4 x16 one way (no all-to-all NVLink)
        networkBandwidth: 25e9,        // assumed 200 Gb/s HDR per GPU
        pcieBandwidth: 32e9,           // PCIe Gen4 x16, 64 GB/s bidirectional
        tdpWatts: 300, gpusPerNode: 8,
        source: "NVIDIA A100 Tensor Core GPU datasheet (80GB PCIe column); network assumed "
            + "as DGX A100 (200 Gb/s HDR per GPU)")

    /// NVIDIA A800 Tensor Core GPU datasheet, "A800 80GB SXM" column: the A100 80GB SXM part with
    /// NVLink cut to 400 GB/s bidirectional (the China export variant): FP32 19.5, TF32 156,
    /// BF16/FP16 312 TFLOPS dense (624 with sparsity), 80GB HBM2e at 2,039 GB/s, 400 W, PCIe Gen4
    /// 64 GB/s. Network: assumed as the DGX A100 rail (one 200 Gb/s HDR NIC per GPU).
    static let a800SXM80GB = GPUSpec(
        name: "A800-SXM-80GB", aliases: ["A800", "A800-SXM", "A800-80GB", "A800-SXM4-80GB"],
        architecture: .ampere,
        memoryBytes: 80 * gib,
        fp32Flops: 19.5e12, tf32Flops: 156e12, fp16Flops: 312e12, bf16Flops: 312e12, fp8Flops: 0,
        hbmBandwidth: 2.039e12,
        nvlinkBandwidth: 200e9,        // NVLink3, 8 links, 400 GB/s bidirectional
        networkBandwidth: 25e9,        // assumed 200 Gb/s HDR per GPU
        pcieBandwidth: 32e9,           // PCIe Gen4 x16, 64 GB/s bidirectional
        tdpWatts: 400, gpusPerNode: 8,
        source: "NVIDIA A800 Tensor Core GPU datasheet (80GB SXM column: A100 80GB SXM peaks, "
            + "NVLink 400 GB/s); network assumed as DGX A100 (200 Gb/s HDR per GPU)")

    // MARK: - Ada Lovelace

    /// NVIDIA L40S datasheet: FP32 91.6 TFLOPS; TF32 183, BF16/FP16 362.05, FP8 733 TFLOPS dense
    /// (366 / 733 / 1,466 with sparsity); 48GB GDDR6 at 864 GB/s; 350 W; PCIe Gen4 x16 64 GB/s
    /// bidirectional; no NVLink, so peer traffic runs over PCIe (`nvlinkBandwidth` is the PCIe
    /// rate, as for the A100 PCIe). Network: no DGX carries it; assumed one 200 Gb/s NIC per GPU
    /// (an assumption, not a datasheet number).
    static let l40s = GPUSpec(
        name: "L40S", aliases: ["L40S-48GB", "L40S-PCIe", "L40S-PCIE-48GB"],
        architecture: .ada,
        memoryBytes: 48 * gib,
        fp32Flops: 91.6e12, tf32Flops: 183e12, fp16Flops: 362.05e12, bf16Flops: 362.05e12,
        fp8Flops: 733e12,
        hbmBandwidth: 864e9,           // GDDR6, 384-bit
        nvlinkBandwidth: 32e9,         // PCIe Gen4 x16 one way (no NVLink)
        networkBandwidth: 25e9,        // assumed 200 Gb/s per GPU
        pcieBandwidth: 32e9,           // PCIe Gen4 x16, 64 GB/s bidirectional
        tdpWatts: 350, gpusPerNode: 8,
        source: "NVIDIA L40S datasheet (FP32 91.6, TF32 183, BF16 362.05, FP8 733 TFLOPS dense; "
            + "48GB GDDR6 864 GB/s; 350 W; PCIe Gen4 x16); network assumed 200 Gb/s per GPU")

    /// NVIDIA Ada GPU Architecture whitepaper, Appendix A, "GeForce RTX 4090" column: FP32 82.6
    /// TFLOPS; tensor peaks with FP32 accumulate, the mode training uses (GeForce parts run it at
    /// half the FP16-accumulate rate): TF32 82.6, BF16 165.2, FP16 165.2, FP8 330.3 TFLOPS dense
    /// (double with sparsity); 24GB GDDR6X at 1,008 GB/s; 450 W total graphics power; PCIe Gen4
    /// x16; no NVLink. Network: assumed one 200 Gb/s NIC per GPU (not a datasheet number).
    static let rtx4090 = GPUSpec(
        name: "RTX-4090", aliases: ["GeForce-RTX-4090", "RTX4090", "RTX-4090-24GB"],
        architecture: .ada,
        memoryBytes: 24 * gib,
        fp32Flops: 82.6e12, tf32Flops: 82.6e12, fp16Flops: 165.2e12, bf16Flops: 165.2e12,
        fp8Flops: 330.3e12,
        hbmBandwidth: 1.008e12,        // GDDR6X, 384-bit
        nvlinkBandwidth: 32e9,         // PCIe Gen4 x16 one way (no NVLink)
        networkBandwidth: 25e9,        // assumed 200 Gb/s per GPU
        pcieBandwidth: 32e9,           // PCIe Gen4 x16, 64 GB/s bidirectional
        tdpWatts: 450, gpusPerNode: 8,
        source: "NVIDIA Ada GPU Architecture whitepaper, Appendix A (GeForce RTX 4090: FP32 82.6, "
            + "BF16 165.2, FP8 330.3 TFLOPS dense with FP32 accumulate; 24GB GDDR6X 1,008 GB/s; "
            + "450 W; PCIe Gen4); network assumed 200 Gb/s per GPU")

    // MARK: - Hopper

    /// The dense peaks of an H100 SXM5 (GH100, 132 SMs). NVIDIA H100 Tensor Core GPU
    /// Architecture whitepaper, table "Comparison of NVIDIA A100 and H100 Data Center GPUs",
    /// column "H100 SXM5": FP32 66.9, TF32 Tensor 494.7,
    /// FP16/BF16 Tensor 989.4, FP8 Tensor 1978.9 TFLOPS (dense; the datasheet prints 989 / 1,979
    /// / 3,958 with sparsity and FP32 as 67). H800 and H200 use the same die and clocks.
    static let hopperSXMPeaks = (fp32: 67e12, tf32: 494.7e12, fp16: 989.4e12, bf16: 989.4e12,
                                 fp8: 1978.9e12)

    /// NVIDIA H100 Tensor Core GPU datasheet, "H100 SXM" column: 80GB HBM3 at 3.35 TB/s, up to
    /// 700 W, NVLink 900 GB/s, PCIe Gen5 128 GB/s (bidirectional). Network: DGX H100 user guide,
    /// 8× single-port ConnectX-7 400 Gb/s for the compute fabric, one per GPU.
    static let h100SXM80GB = GPUSpec(
        name: "H100-SXM-80GB",
        aliases: ["H100-80GB-HBM3", "H100", "H100-SXM", "H100-SXM5-80GB", "H100-80GB"],
        architecture: .hopper,
        memoryBytes: 80 * gib,
        fp32Flops: hopperSXMPeaks.fp32, tf32Flops: hopperSXMPeaks.tf32,
        fp16Flops: hopperSXMPeaks.fp16, bf16Flops: hopperSXMPeaks.bf16,
        fp8Flops: hopperSXMPeaks.fp8,
        hbmBandwidth: 3.35e12,
        nvlinkBandwidth: 450e9,        // NVLink4, 18 links, 900 GB/s bidirectional
        networkBandwidth: 50e9,        // 400 Gb/s NDR per GPU
        pcieBandwidth: 64e9,           // PCIe Gen5 x16, 128 GB/s bidirectional
        tdpWatts: 700, gpusPerNode: 8,
        source: "NVIDIA H100 Tensor Core GPU datasheet (SXM column); NVIDIA H100 Tensor Core GPU "
            + "Architecture whitepaper (A100/H100 comparison table); NVIDIA DGX H100 user guide "
            + "(8x ConnectX-7)")

    /// The HBM2e H100 SXM with 96 GB that Meta's Grand Teton hosts carry, run at a 500 W power
    /// limit: torchtitan benchmarks/llama3_h100_202412_torchtitan.md, "Hardware": "96GB HBM2e
    /// with 2.4 TB/sec peak memory bandwidth", "400 Gb/s per GPU", "default 500W power limit",
    /// 8 GPUs per host fully connected with NVLink. No NVIDIA datasheet exists for this part;
    /// its die is the SXM5 GH100, so the peaks are the H100 SXM5 ones (torchtitan also uses the
    /// SXM peak for MFU, noting the sustained peak at 500 W is lower, between SXM and NVL).
    static let h100SXM96GB = GPUSpec(
        name: "H100-SXM-96GB",
        aliases: ["H100-96GB", "H100-96GB-HBM2e", "H100-SXM-96GB-HBM2e", "H100-HBM2e"],
        architecture: .hopper,
        memoryBytes: 96 * gib,
        fp32Flops: hopperSXMPeaks.fp32, tf32Flops: hopperSXMPeaks.tf32,
        fp16Flops: hopperSXMPeaks.fp16, bf16Flops: hopperSXMPeaks.bf16,
        fp8Flops: hopperSXMPeaks.fp8,
        hbmBandwidth: 2.4e12,
        nvlinkBandwidth: 450e9,        // NVLink4, as H100 SXM
        networkBandwidth: 50e9,        // 400 Gb/s RDMA per GPU
        pcieBandwidth: 64e9,           // PCIe Gen5 x16, as H100 SXM
        tdpWatts: 500, gpusPerNode: 8,
        source: "pytorch/torchtitan benchmarks/llama3_h100_202412_torchtitan.md (Grand Teton "
            + "H100 96GB HBM2e, 2.4 TB/s, 500 W, 400 Gb/s per GPU); peaks of the H100 SXM5 "
            + "(H100 whitepaper, A100/H100 comparison table)")

    /// NVIDIA H100 Tensor Core GPU datasheet, "H100 PCIe" column: FP32 51 TFLOPS; TF32 756,
    /// BF16/FP16 1,513, FP8 3,026 TFLOPS with sparsity (dense: 378 / 756.5 / 1,513); 80GB HBM2e
    /// at 2 TB/s; 300–350 W (350 used, the unconstrained limit of the H100 PCIe product brief
    /// PB-11133-001); PCIe Gen5 128 GB/s. Its NVLink bridge (600 GB/s) joins only pairs of
    /// cards, so peer traffic across an 8-GPU server runs over PCIe: `nvlinkBandwidth` is the
    /// PCIe rate. Network: assumed one 400 Gb/s NIC per GPU (not a datasheet number).
    static let h100PCIe80GB = GPUSpec(
        name: "H100-PCIe-80GB", aliases: ["H100-PCIe", "H100-80GB-PCIe", "H100-PCIE-80GB"],
        architecture: .hopper,
        memoryBytes: 80 * gib,
        fp32Flops: 51e12, tf32Flops: 378e12, fp16Flops: 756.5e12, bf16Flops: 756.5e12,
        fp8Flops: 1513e12,
        hbmBandwidth: 2.0e12,
        nvlinkBandwidth: 64e9,         // PCIe Gen5 x16 one way (bridge joins pairs only)
        networkBandwidth: 50e9,        // assumed 400 Gb/s per GPU
        pcieBandwidth: 64e9,           // PCIe Gen5 x16, 128 GB/s bidirectional
        tdpWatts: 350, gpusPerNode: 8,
        source: "NVIDIA H100 Tensor Core GPU datasheet (H100 PCIe column: FP32 51, BF16 1,513* / "
            + "FP8 3,026* TFLOPS with sparsity, 80GB 2 TB/s, 300-350 W, PCIe Gen5 128 GB/s); "
            + "NVIDIA H100 PCIe product brief PB-11133-001 (350 W); network assumed 400 Gb/s")

    /// NVIDIA H100 Tensor Core GPU datasheet, "H100 NVL" column (per GPU): FP32 60 TFLOPS; TF32
    /// 835, BF16/FP16 1,671, FP8 3,341 TFLOPS with sparsity (dense: 417.5 / 835.5 / 1,670.5);
    /// 94GB HBM3 at 3.9 TB/s; 350–400 W (400 used); NVLink bridge 600 GB/s between card pairs;
    /// PCIe Gen5 128 GB/s. As for the H100 PCIe, an 8-card server's peer traffic runs over PCIe.
    /// Network: assumed one 400 Gb/s NIC per GPU (not a datasheet number).
    static let h100NVL = GPUSpec(
        name: "H100-NVL", aliases: ["H100-NVL-94GB", "H100NVL", "H100-94GB"],
        architecture: .hopper,
        memoryBytes: 94 * gib,
        fp32Flops: 60e12, tf32Flops: 417.5e12, fp16Flops: 835.5e12, bf16Flops: 835.5e12,
        fp8Flops: 1670.5e12,
        hbmBandwidth: 3.9e12,
        nvlinkBandwidth: 64e9,         // PCIe Gen5 x16 one way (bridge joins pairs only)
        networkBandwidth: 50e9,        // assumed 400 Gb/s per GPU
        pcieBandwidth: 64e9,           // PCIe Gen5 x16, 128 GB/s bidirectional
        tdpWatts: 400, gpusPerNode: 8,
        source: "NVIDIA H100 Tensor Core GPU datasheet (H100 NVL column: FP32 60, BF16 1,671* / "
            + "FP8 3,341* TFLOPS with sparsity, 94GB 3.9 TB/s, 350-400 W, NVLink bridge 600 GB/s, "
            + "PCIe Gen5 128 GB/s); network assumed 400 Gb/s")

    /// NVIDIA H800 Tensor Core GPU datasheet (SXM): the H100 SXM compute (FP64 cut, not used
    /// here), 80GB HBM3 at 3.35 TB/s, 700 W, NVLink 400 GB/s bidirectional (8 links), PCIe Gen5
    /// 128 GB/s. Network: DeepSeek-V3 technical report (arXiv 2412.19437) §3.1 and §3.2.2: one
    /// 400 Gb/s InfiniBand NIC per H800, "IB (50 GB/s)".
    static let h800SXM80GB = GPUSpec(
        name: "H800-SXM-80GB", aliases: ["H800", "H800-SXM", "H800-80GB", "H800-SXM5-80GB"],
        architecture: .hopper,
        memoryBytes: 80 * gib,
        fp32Flops: hopperSXMPeaks.fp32, tf32Flops: hopperSXMPeaks.tf32,
        fp16Flops: hopperSXMPeaks.fp16, bf16Flops: hopperSXMPeaks.bf16,
        fp8Flops: hopperSXMPeaks.fp8,
        hbmBandwidth: 3.35e12,
        nvlinkBandwidth: 200e9,        // NVLink4, 8 links, 400 GB/s bidirectional
        networkBandwidth: 50e9,        // 400 Gb/s InfiniBand per GPU
        pcieBandwidth: 64e9,           // PCIe Gen5 x16, 128 GB/s bidirectional
        tdpWatts: 700, gpusPerNode: 8,
        source: "NVIDIA H800 Tensor Core GPU datasheet (SXM); DeepSeek-V3 technical report "
            + "(arXiv 2412.19437) §3.1-3.2 (400 Gb/s IB per GPU)")

    /// NVIDIA H20 (HGX H20, the 2023 China export Hopper; NVIDIA publishes no public datasheet,
    /// the figures are NVIDIA's partner specification as reported by SemiAnalysis, "Nvidia's
    /// New China AI Chips Circumvent US Restrictions", Nov 2023): FP8 296, BF16/FP16 148, TF32
    /// 74 TFLOPS dense, FP32 44 TFLOPS; 96GB HBM3 at 4.0 TB/s; NVLink 900 GB/s; PCIe Gen5
    /// 128 GB/s; 400 W. Network: assumed the HGX H100 rail, one 400 Gb/s NIC per GPU.
    static let h20 = GPUSpec(
        name: "H20", aliases: ["H20-96GB", "HGX-H20", "H20-SXM"],
        architecture: .hopper,
        memoryBytes: 96 * gib,
        fp32Flops: 44e12, tf32Flops: 74e12, fp16Flops: 148e12, bf16Flops: 148e12, fp8Flops: 296e12,
        hbmBandwidth: 4.0e12,
        nvlinkBandwidth: 450e9,        // NVLink4, 900 GB/s bidirectional
        networkBandwidth: 50e9,        // assumed 400 Gb/s per GPU
        pcieBandwidth: 64e9,           // PCIe Gen5 x16, 128 GB/s bidirectional
        tdpWatts: 400, gpusPerNode: 8,
        source: "NVIDIA HGX H20 specification as reported by SemiAnalysis (Nov 2023): FP8 296, "
            + "BF16 148, TF32 74, FP32 44 TFLOPS dense; 96GB HBM3 4.0 TB/s; NVLink 900 GB/s; "
            + "PCIe Gen5; 400 W; network assumed 400 Gb/s per GPU")

    /// NVIDIA H200 Tensor Core GPU datasheet, "H200 SXM" column: the H100 SXM peaks (3,958 FP8 /
    /// 1,979 BF16 / 989 TF32 with sparsity, 67 FP32), 141GB HBM3e at 4.8 TB/s, up to 700 W,
    /// NVLink 900 GB/s, PCIe Gen5 128 GB/s. Network: DGX H200 (DGX BasePOD reference
    /// architecture, core components): 8× single-port ConnectX-7 up to 400 Gb/s.
    static let h200SXM141GB = GPUSpec(
        name: "H200-SXM-141GB", aliases: ["H200", "H200-SXM", "H200-141GB", "H200-SXM5-141GB"],
        architecture: .hopper,
        memoryBytes: 141 * gib,
        fp32Flops: hopperSXMPeaks.fp32, tf32Flops: hopperSXMPeaks.tf32,
        fp16Flops: hopperSXMPeaks.fp16, bf16Flops: hopperSXMPeaks.bf16,
        fp8Flops: hopperSXMPeaks.fp8,
        hbmBandwidth: 4.8e12,
        nvlinkBandwidth: 450e9,        // NVLink4, 900 GB/s bidirectional
        networkBandwidth: 50e9,        // 400 Gb/s NDR per GPU
        pcieBandwidth: 64e9,           // PCIe Gen5 x16, 128 GB/s bidirectional
        tdpWatts: 700, gpusPerNode: 8,
        source: "NVIDIA H200 Tensor Core GPU datasheet (SXM column); NVIDIA DGX H200 "
            + "(DGX BasePOD reference architecture: 8x ConnectX-7 400 Gb/s)")

    // MARK: - Blackwell

    /// NVIDIA HGX B200 datasheet, per-GPU column (HGX B200, configurable up to 1,000 W; the
    /// DGX B200 is this baseboard): FP8 9, FP16/BF16 4.5, TF32 2.2 PFLOPS with sparsity (dense:
    /// 4.5 / 2.25 / 1.1), FP32 75 TFLOPS, 180GB HBM3e at 7.7 TB/s, NVLink5 1.8 TB/s, PCIe Gen5
    /// 128 GB/s. (The earlier DGX B200 datasheet lists 64 TB/s for 8 GPUs, 8 TB/s each; the
    /// per-GPU HGX figure is used.) Network: DGX B200, 8× single-port ConnectX-7 400 Gb/s.
    static let b200 = GPUSpec(
        name: "B200", aliases: ["B200-SXM", "B200-180GB", "HGX-B200", "DGX-B200", "B200-SXM6"],
        architecture: .blackwell,
        memoryBytes: 180 * gib,
        fp32Flops: 75e12, tf32Flops: 1.1e15, fp16Flops: 2.25e15, bf16Flops: 2.25e15,
        fp8Flops: 4.5e15,
        hbmBandwidth: 7.7e12,
        nvlinkBandwidth: 900e9,        // NVLink5, 18 links, 1.8 TB/s bidirectional
        networkBandwidth: 50e9,        // 400 Gb/s per GPU
        pcieBandwidth: 64e9,           // PCIe Gen5 x16, 128 GB/s bidirectional
        tdpWatts: 1000, gpusPerNode: 8,
        source: "NVIDIA HGX B200 datasheet (per-GPU column, 1000 W); NVIDIA DGX B200 "
            + "(DGX BasePOD reference architecture: 8x ConnectX-7 400 Gb/s)")

    /// NVIDIA GB200 NVL72 datasheet, per-GPU column (configurable up to 1,200 W): FP8 10,
    /// FP16/BF16 5, TF32 2.5 PFLOPS with sparsity (dense: 5 / 2.5 / 1.25), FP32 80 TFLOPS,
    /// 186GB HBM3e at 8 TB/s, NVLink5 1.8 TB/s; 72 GPUs in one NVLink domain (130 TB/s / 72).
    /// Host link: NVLink-C2C, 900 GB/s bidirectional between the Grace CPU and the superchip's
    /// two GPUs: 225 GB/s per GPU and direction. Network: DGX GB200 user guide, compute tray:
    /// 4 InfiniBand OSFP ports (ConnectX-7, 400 Gb/s) for its 4 GPUs.
    static let gb200 = GPUSpec(
        name: "GB200", aliases: ["GB200-NVL72", "GB200-NVL", "B200-GB200", "GB200-186GB"],
        architecture: .blackwell,
        memoryBytes: 186 * gib,
        fp32Flops: 80e12, tf32Flops: 1.25e15, fp16Flops: 2.5e15, bf16Flops: 2.5e15,
        fp8Flops: 5e15,
        hbmBandwidth: 8e12,
        nvlinkBandwidth: 900e9,        // NVLink5, 1.8 TB/s bidirectional
        networkBandwidth: 50e9,        // 400 Gb/s per GPU
        pcieBandwidth: 225e9,          // NVLink-C2C 900 GB/s bidirectional shared by 2 GPUs
        tdpWatts: 1200, gpusPerNode: 72,
        source: "NVIDIA GB200 NVL72 datasheet (per-GPU column, 1200 W); NVIDIA DGX GB200 user "
            + "guide (compute tray: 4x ConnectX-7 400 Gb/s per 4 GPUs)")

    /// NVIDIA HGX B300 (Blackwell Ultra), per GPU: FP8 4.5, FP16/BF16 2.25, TF32 1.1 PFLOPS dense
    /// (the datasheet's 72 / 36 PFLOPS per 8 GPUs with sparsity, halved), FP32 75 TFLOPS, HBM3e
    /// 288 GB (270 GiB as the driver reports it) at 7.7 TB/s, NVLink5 1.8 TB/s, PCIe Gen6 x16,
    /// 1,100 W (Verda, "NVIDIA GB300 NVL72: GPU Architecture & Performance", per-GPU table;
    /// glennklockwood.com, B300). Network: one ConnectX-8 SuperNIC, 800 Gb/s, per GPU.
    static let b300 = GPUSpec(
        name: "B300", aliases: ["B300-SXM", "HGX-B300", "DGX-B300", "B300-288GB", "Blackwell-Ultra"],
        architecture: .blackwellUltra,
        memoryBytes: 270 * gib,
        fp32Flops: 75e12, tf32Flops: 1.1e15, fp16Flops: 2.25e15, bf16Flops: 2.25e15,
        fp8Flops: 4.5e15,
        hbmBandwidth: 7.7e12,
        nvlinkBandwidth: 900e9,        // NVLink5, 1.8 TB/s bidirectional
        networkBandwidth: 100e9,       // ConnectX-8, 800 Gb/s per GPU
        pcieBandwidth: 128e9,          // PCIe Gen6 x16, 256 GB/s bidirectional
        tdpWatts: 1100, gpusPerNode: 8,
        source: "NVIDIA HGX B300 (per GPU: 2.25 PF BF16 / 4.5 PF FP8 dense, 288 GB HBM3e, 1100 W); "
            + "Verda GB300 NVL72 architecture note (per-GPU table); ConnectX-8 800 Gb/s per GPU")

    /// NVIDIA GB300 NVL72 (Blackwell Ultra), per GPU: FP8 5, FP16/BF16 2.5, TF32 1.25 PFLOPS dense
    /// (360 / 180 PFLOPS FP8 / BF16 per 72-GPU rack), FP32 80 TFLOPS, HBM3e 288 GB (279 GiB as the
    /// driver reports it) at 8 TB/s, NVLink5 1.8 TB/s in one 72-GPU domain, 1,400 W. Host link:
    /// NVLink-C2C as GB200 (one Grace per two GPUs). Network: 72 ConnectX-8, 800 Gb/s per GPU.
    static let gb300 = GPUSpec(
        name: "GB300", aliases: ["GB300-NVL72", "GB300-NVL", "B300-GB300", "GB300-288GB"],
        architecture: .blackwellUltra,
        memoryBytes: 279 * gib,
        fp32Flops: 80e12, tf32Flops: 1.25e15, fp16Flops: 2.5e15, bf16Flops: 2.5e15,
        fp8Flops: 5e15,
        hbmBandwidth: 8e12,
        nvlinkBandwidth: 900e9,        // NVLink5, 1.8 TB/s bidirectional
        networkBandwidth: 100e9,       // ConnectX-8, 800 Gb/s per GPU
        pcieBandwidth: 225e9,          // NVLink-C2C 900 GB/s bidirectional shared by 2 GPUs
        tdpWatts: 1400, gpusPerNode: 72,
        source: "NVIDIA GB300 NVL72 (rack: 360 PF FP8, 180 PF BF16 dense, 20 TB HBM3e at 576 TB/s, "
            + "72x ConnectX-8); Verda GB300 NVL72 architecture note (per-GPU table, 1.4 kW)")

    static let gib: Double = 1_073_741_824

    /// Canonical preset names, in table order.
    public static var names: [String] { all.map(\.name) }

    /// Looks a GPU up by canonical name or alias. Matching ignores case, treats spaces and
    /// underscores as hyphens and drops a leading "NVIDIA"/"Tesla", so the names `nvidia-smi`
    /// prints ("NVIDIA H100 80GB HBM3", "Tesla V100-SXM2-32GB") find their preset.
    public static func named(_ name: String) throws(PDCostError) -> GPUSpec {
        let key = lookupKey(name)
        for gpu in all where lookupKey(gpu.name) == key || gpu.aliases.contains(where: { lookupKey($0) == key }) {
            return gpu
        }
        throw .notFound("unknown GPU '\(name)'; known: " + names.joined(separator: ", "))
    }

    /// The normalised form `named(_:)` compares.
    static func lookupKey(_ name: String) -> String {
        var key = ""
        for ch in name.lowercased() {
            key.append(ch == " " || ch == "_" ? "-" : ch)
        }
        while key.contains("--") { key = key.replacing("--", with: "-") }
        while key.hasPrefix("-") { key.removeFirst() }
        while key.hasSuffix("-") { key.removeLast() }
        for prefix in ["nvidia-", "tesla-"] where key.hasPrefix(prefix) {
            key.removeFirst(prefix.count)
        }
        return key
    }
}
