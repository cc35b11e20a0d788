/// The machines a job runs on: one GPU model, how many, how they group into NVLink domains, and
/// the efficiency constants that turn datasheet peaks into achieved rates.
public struct Cluster: Sendable, Hashable {
    public var gpu: GPUSpec
    /// GPUs in the job.
    public var numGPUs: Int
    /// GPUs that share one NVLink domain (a node; 72 for a GB200 NVL72 rack). Traffic between
    /// domains runs over each GPU's NIC.
    public var gpusPerNode: Int
    public var efficiency: EfficiencyProfile
    /// Each node's host: memory, NVMe and CPU optimizer rate (used by optimizer and parameter
    /// offload, and for the host memory a plan needs).
    public var host: HostSpec

    /// `gpusPerNode` defaults to the GPU's reference system; `efficiency` to its generation's
    /// defaults; `host` to a DGX H100 node.
    public init(gpu: GPUSpec, numGPUs: Int, gpusPerNode: Int? = nil,
                efficiency: EfficiencyProfile? = nil, host: HostSpec = .dgxH100) {
        self.gpu = gpu
        self.numGPUs = numGPUs
        self.gpusPerNode = gpusPerNode ?? gpu.gpusPerNode
        self.efficiency = efficiency ?? EfficiencyProfile.defaults(for: gpu)
        self.host = host
    }

    /// GPUs of the job on one node: the node size, or all GPUs on a single partial node.
    public var gpusPerNodeUsed: Int { max(min(gpusPerNode, numGPUs), 1) }

    /// Nodes (NVLink domains), rounded up.
    public var numNodes: Int { gpusPerNode > 0 ? (numGPUs + gpusPerNode - 1) / gpusPerNode : 0 }

    /// Checks the sizes; the error names the field.
    public func validated() throws(PDCostError) -> Cluster {
        try PDCostLimits.numGPUs.check(numGPUs, field: "num_gpus")
        try PDCostLimits.gpusPerNode.check(gpusPerNode, field: "gpus_per_node")
        if !(gpu.memoryBytes > 0) { throw .invalidArgument("gpu.memory_bytes=\(gpu.memoryBytes) must be > 0") }
        if !(gpu.hbmBandwidth > 0) { throw .invalidArgument("gpu.hbm_bandwidth=\(gpu.hbmBandwidth) must be > 0") }
        if !(gpu.bf16Flops > 0 || gpu.fp16Flops > 0) {
            throw .invalidArgument("gpu '\(gpu.name)' has no fp16/bf16 tensor peak")
        }
        _ = try host.validated()
        return self
    }
}
