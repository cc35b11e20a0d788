/// Model-state placement under DeepSpeed ZeRO-Offload (Ren et al. 2021, "ZeRO-Offload:
/// Democratizing Billion-Scale Model Training", USENIX ATC, §4) and ZeRO-Infinity (Rajbhandari
/// et al. 2021, SC'21), per data-parallel rank.
///
/// ZeRO-Offload keeps the 16-bit parameters and the forward/backward on the GPU; each rank's
/// reduced 16-bit gradient partition is copied to the host during the backward, CPU Adam updates
/// the fp32 master copy and moments there, and the updated 16-bit partition is copied back
/// (deepspeed/runtime/zero/stage_1_and_2.py: `async_accumulate_grad_in_cpu_via_gpu`,
/// `bit16_partitions[partition_id].data.copy_(fp32_partition.data)`). ZeRO-Infinity (ZeRO-3)
/// can also keep the 16-bit parameter partitions on the host or NVMe (`offload_param`) and the
/// optimizer states on NVMe (`offload_optimizer.device = nvme`), staged through pinned buffers.
public enum ZeROOffload {
    public typealias Device = FrameworkSettings.OffloadDevice

    /// The fp32 gradient partition DeepSpeed keeps on the host beside master weights and
    /// moments: "16b for fp32: 4b params, 4b grads, 4b momentum and 4b variance per parameter"
    /// (DeepSpeed docs/code-docs/source/memory.rst, "General RAM").
    public static let hostGradientBytes: Double = 4
    /// Pinned swap buffers of NVMe optimizer offload: `offload_optimizer.buffer_count` = 4
    /// (offload_config.py), each one optimizer sub-group of at most `sub_group_size` = 1e9
    /// elements (zero/config.py) in fp32 (stage3.py: `OptimizerSwapper(largest_numel=...)`).
    public static let optimizerSwapBuffers: Double = 4
    public static let subGroupSize: Double = 1e9
    /// Pinned buffers of NVMe parameter offload: `offload_param.buffer_count` = 5 of
    /// `buffer_size` = 1e8 elements (offload_config.py, `DeepSpeedZeroOffloadParamConfig`).
    public static let parameterSwapBuffers: Double = 5
    public static let parameterSwapBufferElements: Double = 1e8
    /// CPU Adam's host-memory traffic per parameter: read fp32 master, gradient, two moments
    /// (16 B), write master and moments (12 B) and the 16-bit copy sent back to the GPU (2 B):
    /// 30 B, as the GPU step in `CostModel` counts it.
    public static let cpuAdamBytesPerParameter: Double = 30

    /// Weights, gradients and optimizer states one GPU keeps for `psi` parameters replicated
    /// over `n` data-parallel ranks at ZeRO `stage`, with `ratio` of the optimizer states
    /// offloaded (DeepSpeed `offload_optimizer`) and, at stage 3, the 16-bit parameter
    /// partitions offloaded when `parametersOffloaded` (`offload_param`).
    ///
    /// - Stages 1–2: as `ZeRO.modelStateBytes` with the offloaded states gone; at stage 2 the
    ///   gradient partition lives on the host too (stage 1 keeps the full 16-bit gradient
    ///   buffer of the accumulation on the GPU). DeepSpeed's estimator: "ZeRO-2,
    ///   offload_optimizer cpu: 2 * params" of GPU memory (memory.rst, "GPU RAM").
    /// - Stage 3: the partitions (none when offloaded) plus `gatheredLayers` of the largest
    ///   layer gathered in 16 bits and its 16-bit gradient: with one gathered layer this is
    ///   DeepSpeed's `largest_layer_memory = 4 * largest_layer_params`, plus `2 * params /
    ///   total_gpus` without parameter offload (stage3.py `estimate_zero3_model_states_mem_needs`).
    public static func gpuModelStateBytes(parameters psi: Double, largestLayer: Double, stage: Int, ranks n: Double,
                                          optimizerRatio r: Double, parametersOffloaded: Bool,
                                          weightBytes w: Double = 2, gradientBytes g: Double = 2,
                                          optimizerBytes k: Double = 12, gatheredLayers: Double = 1)
        -> (weights: Double, gradients: Double, optimizer: Double) {
        let n = max(n, 1), r = min(max(r, 0), 1)
        if stage >= 3 {
            let shard = psi / n
            return ((parametersOffloaded ? 0 : w * shard) + w * largestLayer * gatheredLayers,
                    g * shard * (1 - r) + g * largestLayer,
                    k * shard * (1 - r))
        }
        let b = ZeRO.modelStateBytes(parameters: psi, stage: stage, ranks: n, weightBytes: w, gradientBytes: g,
                                     optimizerBytes: k * (1 - r))
        return (b.weights, stage == 2 ? b.gradients * (1 - r) : b.gradients, b.optimizer)
    }

    /// Host memory one rank keeps for its `sharded` parameters (its optimizer partition).
    ///
    /// - Optimizer states in host memory (`cpu`, and `nvme` below ZeRO-3, which DeepSpeed's
    ///   stage 1/2 optimizer also keeps in host memory: stage_1_and_2.py sets `cpu_offload`
    ///   for any device but none): `ratio` × (master + moments + fp32 gradient) per parameter,
    ///   plus the pinned staging buffer of the largest parameter's 16-bit gradient (stage 1/2:
    ///   `temp_grad_buffer_for_cpu_offload`, `largest_param_numel`).
    /// - Optimizer states on NVMe (ZeRO-3): the pinned swap buffers only.
    /// - Parameters in host memory (ZeRO-3 `offload_param = cpu`): their 16-bit partition
    ///   (DeepSpeed's 18 = 16 + 2 bytes per parameter, memory.rst); on NVMe: the swap buffers.
    public static func hostBytesPerRank(sharded s: Double, stage: Int, optimizer: Device, ratio r: Double,
                                        parameters: Device, weightBytes w: Double = 2,
                                        masterBytes: Double = 4, momentBytes: Double = 8,
                                        largestTensor: Double = 0) -> Double {
        let r = min(max(r, 0), 1)
        var bytes = 0.0
        switch (optimizer, stage >= 3) {
        case (.none, _): break
        case (.nvme, true):
            bytes += optimizerSwapBuffers * min(subGroupSize, r * s) * 4
        default:
            bytes += r * s * (masterBytes + momentBytes + hostGradientBytes)
            if stage < 3 { bytes += w * largestTensor }
        }
        if stage >= 3 {
            switch parameters {
            case .none: break
            case .cpu: bytes += w * s
            case .nvme: bytes += parameterSwapBuffers * min(parameterSwapBufferElements, s) * w
            }
        }
        return bytes
    }
}
