/// The host side of a node: what optimizer and parameter offload (DeepSpeed ZeRO-Offload,
/// ZeRO-Infinity) run on and store into. Per node (one NVLink domain's host), shared by the
/// node's GPUs.
///
/// Defaults are an NVIDIA DGX H100 (the reference system of the Hopper presets), each with
/// its source. Host↔device copies run over each GPU's own PCIe link (`GPUSpec.pcieBandwidth`).
public struct HostSpec: Sendable, Hashable {
    /// Host DRAM per node, bytes. DGX H100 datasheet: "System memory 2TB".
    public var memoryBytes: Double
    /// Host DRAM bandwidth per node, bytes/s: what bounds the CPU optimizer step. DGX H100: two
    /// Xeon Platinum 8480C, 8 DDR5-4800 channels each: 2 × 8 × 38.4 GB/s = 614.4 GB/s peak.
    public var memoryBandwidth: Double
    /// NVMe bandwidth per node, bytes/s, all drives striped (ZeRO-Infinity reads and writes
    /// each rank's partition over its own drive/link in parallel: bandwidth-centric
    /// partitioning, Rajbhandari et al. SC'21 §6.1). DGX H100: 8 × 3.84 TB U.2 NVMe
    /// (datasheet, "Internal storage"); ~25 GB/s is the aggregate the ZeRO-Infinity paper
    /// works with for a DGX node's NVMe, below the drives' ~6.9 GB/s × 8 sequential read peak
    /// (writes are slower than reads on these drives).
    public var nvmeBandwidth: Double
    /// Parameters the node's CPUs update per second with DeepSpeed's CPU Adam
    /// (`deepspeed/ops/csrc/adam/cpu_adam_impl.cpp`, AVX-512/AVX2), all cores: 4e9/s, the
    /// order of the CPU-Adam step latencies Ren et al. 2021 (ZeRO-Offload, USENIX ATC, §4.3 and
    /// the CPU-Adam evaluation) measure on a two-socket host for 1–10 B parameters (a few
    /// seconds per 10 B; 5.1×–6.5× PyTorch's CPU Adam: DeepSpeed docs/_pages/training.md,
    /// "CPU-Adam"). An approximate default: state the measured rate of your host. The step is
    /// also bounded by `memoryBandwidth`.
    public var cpuAdamParametersPerSecond: Double

    public init(memoryBytes: Double, memoryBandwidth: Double, nvmeBandwidth: Double,
                cpuAdamParametersPerSecond: Double) {
        self.memoryBytes = memoryBytes
        self.memoryBandwidth = memoryBandwidth
        self.nvmeBandwidth = nvmeBandwidth
        self.cpuAdamParametersPerSecond = cpuAdamParametersPerSecond
    }

    /// An NVIDIA DGX H100 node (see each field's source).
    public static let dgxH100 = HostSpec(memoryBytes: 2 * 1_099_511_627_776, memoryBandwidth: 614.4e9,
                                         nvmeBandwidth: 25e9, cpuAdamParametersPerSecond: 4e9)

    /// The fields by their JSON/C/CLI names, for messages and documents.
    public static let fieldNames = ["host_memory_bytes", "host_memory_bandwidth", "nvme_bandwidth",
                                    "cpu_adam_params_per_second"]

    /// `self` with every field that is 0 (unknown) taken from `defaults`.
    public func completed(from defaults: HostSpec = .dgxH100) -> HostSpec {
        HostSpec(memoryBytes: memoryBytes == 0 ? defaults.memoryBytes : memoryBytes,
                 memoryBandwidth: memoryBandwidth == 0 ? defaults.memoryBandwidth : memoryBandwidth,
                 nvmeBandwidth: nvmeBandwidth == 0 ? defaults.nvmeBandwidth : nvmeBandwidth,
                 cpuAdamParametersPerSecond: cpuAdamParametersPerSecond == 0
                     ? defaults.cpuAdamParametersPerSecond : cpuAdamParametersPerSecond)
    }

    /// Checks every number is finite and positive; the error names the field as `prefix` + name.
    public func validated(prefix: String = "host.") throws(PDCostError) -> HostSpec {
        let values = [memoryBytes, memoryBandwidth, nvmeBandwidth, cpuAdamParametersPerSecond]
        for (name, value) in zip(Self.fieldNames, values) where !(value.isFinite && value > 0 && value < 1e30) {
            throw .invalidArgument("\(prefix)\(name)=\(JSONWriter.describe(value)) must be a positive finite number")
        }
        return self
    }
}
