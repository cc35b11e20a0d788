import Testing
import PDCost

@Suite("GPU presets")
struct GPUPresetsTests {
    static let required = [
        "A100-SXM-80GB", "A100-PCIe-80GB", "H100-SXM-80GB", "H100-SXM-96GB", "H800-SXM-80GB",
        "H200-SXM-141GB", "B200", "GB200", "B300", "GB300", "V100-SXM-32GB",
        "A100-SXM-40GB", "A800-SXM-80GB", "H20", "L40S", "RTX-4090", "H100-PCIe-80GB", "H100-NVL",
    ]

    static let gib = 1_073_741_824.0

    func gpu(_ name: String) throws -> GPUSpec { try GPUPresets.named(name) }

    func close(_ a: Double, _ b: Double, within tolerance: Double) -> Bool {
        abs(a - b) <= tolerance * max(abs(a), abs(b))
    }

    // MARK: - Lookup

    @Test("every required preset exists under its canonical name")
    func requiredPresets() throws {
        #expect(Set(GPUPresets.all.map(\.name)) == Set(Self.required))
        for name in Self.required {
            #expect(try gpu(name).name == name)
        }
    }

    @Test("aliases and case", arguments: [
        ("H100-80GB-HBM3", "H100-SXM-80GB"), ("h100", "H100-SXM-80GB"), ("H100-SXM", "H100-SXM-80GB"),
        ("h100-sxm-80gb", "H100-SXM-80GB"), ("A100", "A100-SXM-80GB"), ("a100-pcie", "A100-PCIe-80GB"),
        ("H800", "H800-SXM-80GB"), ("h200", "H200-SXM-141GB"), ("V100", "V100-SXM-32GB"),
        ("B200-SXM", "B200"), ("b200", "B200"), ("GB200-NVL72", "GB200"), ("gb200", "GB200"),
        ("H100-96GB", "H100-SXM-96GB"), ("GB300-NVL72", "GB300"), ("b300", "B300"),
        // nvidia-smi names
        ("NVIDIA H100 80GB HBM3", "H100-SXM-80GB"), ("NVIDIA A100-SXM4-80GB", "A100-SXM-80GB"),
        ("NVIDIA A100 80GB PCIe", "A100-PCIe-80GB"), ("Tesla V100-SXM2-32GB", "V100-SXM-32GB"),
        ("NVIDIA H200", "H200-SXM-141GB"), ("NVIDIA B200", "B200"), ("  h100_sxm ", "H100-SXM-80GB"),
    ])
    func lookup(_ query: String, _ expected: String) throws {
        #expect(try gpu(query).name == expected)
    }

    @Test("no two presets share a name or alias")
    func aliasesUnique() throws {
        for preset in GPUPresets.all {
            for alias in [preset.name] + preset.aliases {
                #expect(try gpu(alias).name == preset.name, "\(alias) should find \(preset.name)")
            }
        }
    }

    @Test("an unknown name is notFound and lists the known names")
    func unknownName() {
        for query in ["H300", "", "A100-SXM-20GB", "h100-sxm-80gbx"] {
            do {
                _ = try GPUPresets.named(query)
                Issue.record("'\(query)' should not resolve")
            } catch {
                #expect(error.kind == "notFound")
                #expect(error.message.contains("'\(query)'"))
                for name in Self.required {
                    #expect(error.message.contains(name), "message lists \(name)")
                }
            }
        }
    }

    // MARK: - Physics, not copies

    @Test("bf16 and fp16 Tensor Core peaks are equal where both exist")
    func bf16EqualsFP16() {
        for g in GPUPresets.all where g.bf16Flops > 0 && g.fp16Flops > 0 {
            #expect(g.bf16Flops == g.fp16Flops, "\(g.name)")
        }
    }

    @Test("fp8 is twice bf16 on Hopper and Blackwell")
    func fp8Doubles() throws {
        for name in ["H100-SXM-80GB", "H100-SXM-96GB", "H800-SXM-80GB", "H200-SXM-141GB", "B200", "GB200"] {
            let g = try gpu(name)
            #expect(close(g.fp8Flops, 2 * g.bf16Flops, within: 1e-3), "\(name)")
        }
    }

    @Test("tf32 is half of bf16 on A100 and H100 (dense)")
    func tf32Halves() throws {
        for name in ["A100-SXM-80GB", "A100-PCIe-80GB", "H100-SXM-80GB", "H100-SXM-96GB",
                     "H800-SXM-80GB", "H200-SXM-141GB"] {
            let g = try gpu(name)
            #expect(close(g.tf32Flops, g.bf16Flops / 2, within: 1e-3), "\(name)")
        }
        // Blackwell's datasheet prints TF32 rounded to 2 digits (2.2 PF sparse for 2.25).
        for name in ["B200", "GB200"] {
            let g = try gpu(name)
            #expect(close(g.tf32Flops, g.bf16Flops / 2, within: 0.03), "\(name)")
        }
    }

    @Test("units a part lacks are 0: V100 has no bf16/tf32/fp8, A100 no fp8")
    func missingUnits() throws {
        let v100 = try gpu("V100-SXM-32GB")
        #expect(v100.bf16Flops == 0 && v100.tf32Flops == 0 && v100.fp8Flops == 0)
        #expect(v100.fp16Flops > 0)
        for name in ["A100-SXM-80GB", "A100-PCIe-80GB"] {
            let a100 = try gpu(name)
            #expect(a100.fp8Flops == 0)
            #expect(a100.peakFlops(.fp8) == 0)
        }
    }

    @Test("peaks follow SM count × per-SM rate × clock (architecture whitepapers)")
    func peaksFromClocks() throws {
        // V100: 80 SMs × 8 Tensor Cores × 64 FP16 FMA/clk × 2 × 1530 MHz; 5120 FP32 cores.
        let v100 = try gpu("V100")
        #expect(close(v100.fp16Flops, 80 * 8 * 64 * 2 * 1.53e9, within: 0.01))
        #expect(close(v100.fp32Flops, 5120 * 2 * 1.53e9, within: 0.01))
        // A100: 108 SMs × 4 Tensor Cores × 256 FP16 FMA/clk × 2 × 1410 MHz; 6912 FP32 cores.
        let a100 = try gpu("A100")
        #expect(close(a100.bf16Flops, 108 * 4 * 256 * 2 * 1.41e9, within: 0.01))
        #expect(close(a100.fp32Flops, 6912 * 2 * 1.41e9, within: 0.01))
        // H100 SXM5: 132 SMs × 4 Tensor Cores × 512 FP16 FMA/clk × 2 × 1830 MHz;
        // 16896 FP32 cores × 2 × 1980 MHz.
        let h100 = try gpu("H100")
        #expect(close(h100.bf16Flops, 132 * 4 * 512 * 2 * 1.83e9, within: 0.01))
        #expect(close(h100.fp32Flops, 16896 * 2 * 1.98e9, within: 0.01))
    }

    @Test("dense peaks are half the datasheets' sparse figures", arguments: [
        // (name, datasheet BF16 (or FP16 for V100) Tensor TFLOPS as printed, printed with sparsity?)
        ("V100-SXM-32GB", 125.0, false), ("A100-SXM-80GB", 624.0, true),
        ("H100-SXM-80GB", 1979.0, true), ("H200-SXM-141GB", 1979.0, true),
        ("H800-SXM-80GB", 1979.0, true), ("B200", 4500.0, true), ("GB200", 5000.0, true),
        // Rack and baseboard totals: HGX B300 36 PF BF16 / 8 GPUs, GB300 NVL72 360 PF / 72.
        ("B300", 36_000.0 / 8, true), ("GB300", 360_000.0 / 72, true),
    ])
    func denseFromSparse(_ name: String, _ printedTFLOPS: Double, _ sparse: Bool) throws {
        let dense = printedTFLOPS * 1e12 / (sparse ? 2 : 1)
        #expect(close(try gpu(name).fp16Flops, dense, within: 0.005))
    }

    @Test("memory: NN-GB parts hold NN GiB; generations grow")
    func memory() throws {
        for g in GPUPresets.all {
            // The number before "GB" in the canonical name, where there is one.
            guard let match = g.name.firstMatch(of: #/-([0-9]+)GB$/#), let nn = Double(match.output.1) else { continue }
            #expect(g.memoryBytes == nn * Self.gib, "\(g.name)")
        }
        let h100 = try gpu("H100-SXM-80GB"), h200 = try gpu("H200-SXM-141GB")
        let b200 = try gpu("B200"), gb200 = try gpu("GB200"), h96 = try gpu("H100-SXM-96GB")
        #expect(h200.memoryBytes > h100.memoryBytes)
        #expect(h96.memoryBytes > h100.memoryBytes)
        #expect(b200.memoryBytes > h200.memoryBytes)
        #expect(gb200.memoryBytes >= b200.memoryBytes)
        #expect(b200.memoryBytes >= 180e9 && gb200.memoryBytes >= 186e9)  // datasheet "180GB"/"186GB"
    }

    @Test("HBM bandwidth grows by generation; the HBM2e H100 is slower than the HBM3 one")
    func hbmBandwidth() throws {
        let order = ["V100-SXM-32GB", "A100-PCIe-80GB", "A100-SXM-80GB", "H100-SXM-80GB",
                     "H200-SXM-141GB", "B200"]
        let bandwidths = try order.map { try gpu($0).hbmBandwidth }
        #expect(bandwidths == bandwidths.sorted() && Set(bandwidths).count == bandwidths.count)
        #expect(try gpu("H100-SXM-96GB").hbmBandwidth < gpu("H100-SXM-80GB").hbmBandwidth)
        #expect(try gpu("H800-SXM-80GB").hbmBandwidth == gpu("H100-SXM-80GB").hbmBandwidth)
        #expect(try gpu("GB200").hbmBandwidth >= gpu("B200").hbmBandwidth)
    }

    @Test("NVLink per direction = links × per-link rate")
    func nvlink() throws {
        // NVLink2/3/4 links carry 25 GB/s per direction, NVLink5 links 50 GB/s.
        #expect(try gpu("V100").nvlinkBandwidth == 6 * 25e9)     // 6 NVLink2 links
        #expect(try gpu("A100").nvlinkBandwidth == 12 * 25e9)    // 12 NVLink3 links
        #expect(try gpu("H100").nvlinkBandwidth == 18 * 25e9)    // 18 NVLink4 links
        #expect(try gpu("H200").nvlinkBandwidth == 18 * 25e9)
        #expect(try gpu("H100-SXM-96GB").nvlinkBandwidth == 18 * 25e9)
        #expect(try gpu("H800").nvlinkBandwidth == 8 * 25e9)     // export part: 8 links
        #expect(try gpu("B200").nvlinkBandwidth == 18 * 50e9)    // 18 NVLink5 links
        #expect(try gpu("GB200").nvlinkBandwidth == 18 * 50e9)
        // Without an NVLink fabric, peers talk over PCIe.
        let pcie = try gpu("A100-PCIe-80GB")
        #expect(pcie.nvlinkBandwidth == pcie.pcieBandwidth)
    }

    @Test("PCIe one direction from lanes × transfer rate × 128b/130b")
    func pcie() throws {
        func x16(gigatransfers: Double) -> Double { 16 * gigatransfers * 1e9 * 128 / 130 / 8 }
        #expect(close(try gpu("V100").pcieBandwidth, x16(gigatransfers: 8), within: 0.03))
        #expect(close(try gpu("A100").pcieBandwidth, x16(gigatransfers: 16), within: 0.03))
        #expect(close(try gpu("A100-PCIe-80GB").pcieBandwidth, x16(gigatransfers: 16), within: 0.03))
        for name in ["H100", "H100-SXM-96GB", "H800", "H200", "B200"] {
            #expect(close(try gpu(name).pcieBandwidth, x16(gigatransfers: 32), within: 0.03), "\(name)")
        }
        #expect(close(try gpu("B300").pcieBandwidth, x16(gigatransfers: 64), within: 0.03))  // Gen6
    }

    @Test("network per GPU: the reference system's NIC in Gb/s ÷ 8")
    func network() throws {
        #expect(try gpu("A100").networkBandwidth == 200e9 / 8)    // HDR 200 Gb/s
        for name in ["H100", "H100-SXM-96GB", "H800", "H200", "B200", "GB200"] {
            #expect(try gpu(name).networkBandwidth == 400e9 / 8, "\(name)")  // NDR 400 Gb/s
        }
        for name in ["B300", "GB300"] {
            #expect(try gpu(name).networkBandwidth == 800e9 / 8, "\(name)")  // ConnectX-8 XDR 800 Gb/s
        }
        #expect(try gpu("V100").networkBandwidth == 4 * 100e9 / 8 / 8)  // 4× EDR per 8 GPUs
    }

    @Test("node sizes, power, sources")
    func misc() throws {
        for g in GPUPresets.all {
            #expect(g.gpusPerNode == (g.name.hasPrefix("GB") ? 72 : 8), "\(g.name)")  // NVL72 racks
            #expect(!g.source.isEmpty, "\(g.name)")
            #expect(g.tdpWatts > 0)
            #expect(g.fp32Flops > 0 && g.hbmBandwidth > 0 && g.nvlinkBandwidth > 0)
            #expect(g.networkBandwidth > 0 && g.pcieBandwidth > 0)
            // Tensor Cores beat the CUDA cores wherever they exist (GeForce TF32 with FP32
            // accumulate only matches them: Ada whitepaper, RTX 4090 TF32 82.6 = FP32 82.6).
            for p in [Precision.tf32, .fp16, .bf16, .fp8] where g.peakFlops(p) > 0 {
                #expect(g.peakFlops(p) >= g.fp32Flops, "\(g.name) \(p)")
            }
            #expect(g.peakFlops(.bf16) == g.bf16Flops && g.peakFlops(.fp32) == g.fp32Flops)
        }
        #expect(try gpu("H100-SXM-96GB").tdpWatts < gpu("H100-SXM-80GB").tdpWatts)  // 500 W limit
        #expect(try gpu("GB200").tdpWatts > gpu("B200").tdpWatts)
        #expect(try gpu("GB300").tdpWatts > gpu("B300").tdpWatts)
        #expect(try gpu("B300").tdpWatts > gpu("B200").tdpWatts)
    }

    @Test("every preset states its architecture and capabilities")
    func architectures() throws {
        let expected: [String: GPUArchitecture] = [
            "V100-SXM-32GB": .volta, "A100-SXM-80GB": .ampere, "A100-SXM-40GB": .ampere,
            "A100-PCIe-80GB": .ampere, "A800-SXM-80GB": .ampere, "L40S": .ada, "RTX-4090": .ada,
            "H100-SXM-80GB": .hopper, "H100-SXM-96GB": .hopper, "H100-PCIe-80GB": .hopper,
            "H100-NVL": .hopper, "H800-SXM-80GB": .hopper, "H20": .hopper, "H200-SXM-141GB": .hopper,
            "B200": .blackwell, "GB200": .blackwell, "B300": .blackwellUltra, "GB300": .blackwellUltra,
        ]
        #expect(Set(expected.keys) == Set(GPUPresets.names))
        for g in GPUPresets.all {
            #expect(g.architecture == expected[g.name], "\(g.name)")
            // FP8 tensor cores exactly where the datasheet lists an FP8 peak.
            #expect(g.supportsFP8 == (g.fp8Flops > 0), "\(g.name)")
            #expect(g.supportsFP4 == g.architecture.isBlackwellFamily, "\(g.name)")
        }
    }

    @Test("new presets: datasheet numbers (dense = sparse / 2)")
    func newPresets() throws {
        // NVIDIA A100 datasheet, 40GB SXM: 1,555 GB/s HBM2, 400 W, NVLink 600 GB/s.
        let a40 = try gpu("A100-40GB")
        #expect(a40.memoryBytes == 40 * Self.gib && a40.hbmBandwidth == 1555e9 && a40.bf16Flops == 624e12 / 2)
        #expect(a40.nvlinkBandwidth == 600e9 / 2 && a40.tdpWatts == 400)
        // NVIDIA A800 datasheet, 80GB SXM: NVLink 400 GB/s, A100 80GB compute and memory.
        let a800 = try gpu("A800")
        #expect(a800.nvlinkBandwidth == 400e9 / 2 && a800.hbmBandwidth == 2039e9 && a800.bf16Flops == 312e12)
        // H20 (SemiAnalysis, Nov 2023): BF16 148, FP8 296 dense, 96GB at 4.0 TB/s, NVLink 900 GB/s, 400 W.
        let h20 = try gpu("H20")
        #expect(h20.bf16Flops == 148e12 && h20.fp8Flops == 296e12 && h20.memoryBytes == 96 * Self.gib)
        #expect(h20.hbmBandwidth == 4.0e12 && h20.nvlinkBandwidth == 900e9 / 2 && h20.tdpWatts == 400)
        // NVIDIA L40S datasheet: BF16 733*/2 ≈ 362.05... the dense column 362.05, FP8 1,466*/2,
        // 48GB GDDR6 at 864 GB/s, 350 W, PCIe Gen4 64 GB/s bidirectional, no NVLink.
        let l40s = try gpu("L40S")
        #expect(l40s.bf16Flops == 362.05e12 && l40s.fp8Flops == 1466e12 / 2 && l40s.hbmBandwidth == 864e9)
        #expect(l40s.memoryBytes == 48 * Self.gib && l40s.tdpWatts == 350 && l40s.nvlinkBandwidth == 64e9 / 2)
        // Ada whitepaper, RTX 4090: BF16 330.4*/2 with FP32 accumulate, FP8 660.6*/2, 1,008 GB/s, 450 W.
        let rtx = try gpu("NVIDIA GeForce RTX 4090")
        #expect(rtx.bf16Flops == 165.2e12 && rtx.fp8Flops == 330.3e12 && rtx.hbmBandwidth == 1008e9)
        #expect(rtx.memoryBytes == 24 * Self.gib && rtx.tdpWatts == 450)
        // NVIDIA H100 datasheet, PCIe: BF16 1,513*, FP8 3,026*, FP32 51, 80GB at 2 TB/s, 350 W.
        let pcie = try gpu("H100-PCIe")
        #expect(pcie.bf16Flops == 1513e12 / 2 && pcie.fp8Flops == 3026e12 / 2 && pcie.fp32Flops == 51e12)
        #expect(pcie.hbmBandwidth == 2e12 && pcie.tdpWatts == 350 && pcie.pcieBandwidth == 128e9 / 2)
        // NVIDIA H100 datasheet, NVL: BF16 1,671*, FP8 3,341*, FP32 60, 94GB at 3.9 TB/s, 400 W.
        let nvl = try gpu("H100-NVL")
        #expect(nvl.bf16Flops == 1671e12 / 2 && nvl.fp8Flops == 3341e12 / 2 && nvl.fp32Flops == 60e12)
        #expect(nvl.memoryBytes == 94 * Self.gib && nvl.hbmBandwidth == 3.9e12 && nvl.tdpWatts == 400)
    }
}
