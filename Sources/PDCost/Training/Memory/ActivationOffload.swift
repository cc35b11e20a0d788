/// Megatron-Core's layer activation offload (`cpu_offloading` with `cpu_offloading_num_layers`
/// = N; `FrameworkProfile.activationOffloadLayers`).
///
/// `get_cpu_offload_context` (megatron/core/cpu_offload.py) wraps the first N decoder layers of
/// the model: the tensors each saves for its backward are copied to pinned host memory on a
/// side stream as the layer's forward ends and freed on the device, and copied back one layer
/// ahead of the backward (`AsyncDoubleBufferGroupOffloadHandler`: one group offloading or
/// reloading while the next computes). So
///   - the device holds, at the peak (the start of the backward), the activations of the
///     L − N layers that stay plus the one offloaded layer being reloaded;
///   - a copy overlaps one layer's forward (offload) or backward (reload); what it takes longer
///     than that layer stalls the next one;
///   - the host holds N layers' activations per rank.
/// Megatron-Core allows it only with pp = 1, no activation recomputation, N below the layer
/// count, and without CUDA graphs (transformer_config.py `__post_init__`; Megatron-Bridge
/// docs/training/cpu-offloading.md); `TrainingSetup.validated` and `ParallelPlan.validate`
/// refuse the rest.
struct ActivationOffload: Sendable {
    /// Layers offloaded on the stage (0 when none).
    let layers: Double
    /// Layers' worth of offloaded activations not on the device at the peak.
    let residentReduction: Double
    /// Bytes of one offloaded layer's saved activations.
    let bytesPerLayer: Double

    init(offloadLayers: Int, stageLayers: Double, storedBytesPerLayer: Double) {
        let n = min(Double(max(offloadLayers, 0)), max(stageLayers - 1, 0))
        layers = n
        residentReduction = max(n - 1, 0)
        bytesPerLayer = max(storedBytesPerLayer, 0)
    }

    /// Host bytes per rank.
    var hostBytes: Double { layers * bytesPerLayer }

    /// Stall per micro-batch: each layer's copy beyond the layer compute it overlaps, forward
    /// (device to host) and backward (host to device).
    func exposedTime(copy: Double, forwardPerLayer: Double, backwardPerLayer: Double) -> Double {
        guard layers > 0 else { return 0 }
        return layers * (max(copy - forwardPerLayer, 0) + max(copy - backwardPerLayer, 0))
    }
}
