/// Built-in GPU presets with their datasheet sources.
public enum GPUPresets {
    public static let all: [GPUSpec] = [
        // NVIDIA H100 Tensor Core GPU datasheet (SXM5): 989 TFLOPS BF16 dense, 3.35 TB/s HBM3,
        // NVLink 900 GB/s bidirectional; DGX H100: ConnectX-7 400 Gb/s per GPU.
        GPUSpec(name: "H100-SXM-80GB", aliases: ["H100-80GB-HBM3", "H100", "H100-SXM"],
                memoryBytes: 80 * gib, fp32Flops: 67e12, tf32Flops: 494.7e12, fp16Flops: 989.4e12,
                bf16Flops: 989.4e12, fp8Flops: 1978.9e12, hbmBandwidth: 3.35e12,
                nvlinkBandwidth: 450e9, networkBandwidth: 50e9, pcieBandwidth: 64e9, tdpWatts: 700,
                source: "NVIDIA H100 Tensor Core GPU datasheet (SXM5); DGX H100 user guide"),
    ]

    static let gib: Double = 1_073_741_824

    /// Looks a GPU up by canonical name or alias, ignoring case.
    public static func named(_ name: String) throws(PDCostError) -> GPUSpec {
        let key = name.lowercased()
        for gpu in all where gpu.name.lowercased() == key || gpu.aliases.contains(where: { $0.lowercased() == key }) {
            return gpu
        }
        throw .notFound("unknown GPU '\(name)'; known: " + all.map(\.name).joined(separator: ", "))
    }
}
