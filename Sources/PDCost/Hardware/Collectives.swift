/// Times of NCCL collectives on a cluster, from bus-bandwidth algebra and per-step latencies.
///
/// Conventions (NCCL, doc/PERFORMANCE.md in nccl-tests, "Bus bandwidth"): for a collective over
/// `n` ranks on a buffer of `S` bytes,
/// - all-reduce moves `2(n−1)/n · S` per rank (ring: reduce-scatter then all-gather),
/// - all-gather and reduce-scatter move `(n−1)/n · S` per rank, where `S` is the full
///   (gathered) buffer,
/// - all-to-all moves `(n−1)/n · S` per rank, where `S` is what each rank sends in total,
/// and the time is bytes-per-rank / bus bandwidth + latency.
///
/// Topology: a group of `n` ranks with `g` of them per node (NVLink domain) spans `n/g` nodes.
/// Inside a node the bus bandwidth is the NVLink rate; across nodes NCCL runs one ring per
/// NIC rail, so a node's `g` NICs carry the group's inter-node traffic in parallel and the
/// per-rank bandwidth is `min(NVLink, g · NIC)` (one NIC per GPU, as in DGX/HGX systems).
/// Latency: a ring over `n` ranks takes `n − 1` steps per phase; once the ring leaves the node
/// every step waits for its slowest (network) hop. Each call also pays a fixed latency once
/// (NCCL's cost model: `baseLat + nsteps · hwLat`, src/graph/tuning.cc).
public struct Interconnect: Sendable, Hashable {
    /// Achieved NVLink bus bandwidth per GPU, bytes/s.
    public let nvlinkBandwidth: Double
    /// Achieved network bandwidth per GPU (one NIC), bytes/s.
    public let networkBandwidth: Double
    public let nvlinkStepLatency: Double
    public let networkStepLatency: Double
    /// Fixed latency of one collective call (launch, channel setup), seconds.
    public let callLatency: Double
    public let allToAllFraction: Double
    /// Achieved host↔device bandwidth, bytes/s.
    public let pcieBandwidth: Double
    public let gpusPerNode: Double

    public init(cluster: Cluster) {
        let e = cluster.efficiency
        let gpu = cluster.gpu
        nvlinkBandwidth = max(gpu.nvlinkBandwidth * e.nvlinkFraction, 1)
        // A GPU without a NIC still reaches other nodes through a shared one; never zero.
        networkBandwidth = max(gpu.networkBandwidth * e.networkFraction, 1)
        nvlinkStepLatency = e.nvlinkStepLatency
        networkStepLatency = e.networkStepLatency
        callLatency = e.collectiveBaseLatency
        allToAllFraction = e.allToAllFraction
        pcieBandwidth = max(gpu.pcieBandwidth * e.pcieFraction, 1)
        gpusPerNode = Double(max(cluster.gpusPerNode, 1))
    }

    /// Members of a group of `n` ranks whose consecutive members are `stride` ranks apart that
    /// share a node (ranks fill nodes in order).
    @inline(__always)
    public func membersPerNode(ranks n: Double, stride: Double) -> Double {
        let perNode = gpusPerNode / max(stride, 1)
        return min(max(perNode.rounded(.down), 1), n)
    }

    /// Bus bandwidth and per-phase ring latency for `n` ranks, `g` per node.
    @inline(__always)
    func ring(_ n: Double, _ g: Double) -> (bandwidth: Double, latency: Double) {
        let nodes = max(n / g, 1)
        if nodes <= 1 {
            return (nvlinkBandwidth, (n - 1) * nvlinkStepLatency)
        }
        let bandwidth = min(nvlinkBandwidth, g * networkBandwidth)
        return (bandwidth, (n - 1) * networkStepLatency)
    }

    /// All-gather (or reduce-scatter) of a gathered buffer of `bytes` over `n` ranks.
    @inline(__always)
    public func allGather(bytes: Double, ranks n: Double, perNode g: Double) -> Double {
        if n <= 1 || bytes <= 0 { return 0 }
        let r = ring(n, g)
        return bytes * (n - 1) / n / r.bandwidth + r.latency + callLatency
    }

    @inline(__always)
    public func reduceScatter(bytes: Double, ranks n: Double, perNode g: Double) -> Double {
        allGather(bytes: bytes, ranks: n, perNode: g)
    }

    /// All-reduce of `bytes` over `n` ranks: the faster of a flat ring and the hierarchical
    /// scheme (reduce-scatter in the node, all-reduce of 1/g of the data across nodes per rail,
    /// all-gather in the node), as NCCL's tuner picks between ring and tree algorithms.
    @inline(__always)
    public func allReduce(bytes: Double, ranks n: Double, perNode g: Double) -> Double {
        if n <= 1 || bytes <= 0 { return 0 }
        let r = ring(n, g)
        let flat = 2 * (bytes * (n - 1) / n / r.bandwidth + r.latency) + callLatency
        let nodes = n / g
        if nodes <= 1 || g <= 1 { return flat }
        let intra = 2 * (bytes * (g - 1) / g / nvlinkBandwidth + (g - 1) * nvlinkStepLatency)
        let inter = 2 * ((bytes / g) * (nodes - 1) / nodes / networkBandwidth
                         + (nodes - 1) * networkStepLatency)
        return min(flat, intra + inter + callLatency)
    }

    /// All-to-all where each rank sends `bytesPerRank` spread evenly over the `n` ranks: the
    /// part for peers in the node crosses NVLink, the rest the rank's NIC, concurrently.
    @inline(__always)
    public func allToAll(bytesPerRank: Double, ranks n: Double, perNode g: Double) -> Double {
        if n <= 1 || bytesPerRank <= 0 { return 0 }
        let intra = bytesPerRank * (g - 1) / n / nvlinkBandwidth
        let inter = bytesPerRank * (n - g) / n / networkBandwidth
        let latency = n > g ? networkStepLatency + nvlinkStepLatency : 2 * nvlinkStepLatency
        return max(intra, inter) / allToAllFraction + latency + callLatency
    }

    /// One point-to-point transfer.
    @inline(__always)
    public func sendRecv(bytes: Double, acrossNodes: Bool) -> Double {
        if bytes <= 0 { return 0 }
        return acrossNodes ? bytes / networkBandwidth + networkStepLatency
                           : bytes / nvlinkBandwidth + nvlinkStepLatency
    }

    /// Host↔device copy.
    @inline(__always)
    public func hostCopy(bytes: Double) -> Double { bytes > 0 ? bytes / pcieBandwidth : 0 }
}
