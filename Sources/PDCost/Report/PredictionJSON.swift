// JSON forms of a plan and of a prediction, shared by the C ABI
// (`pdcost_cost_model_predict_json`, `pdcost_search_result_to_json`) and the CLI. Field names
// are those of `pdcost_plan` / `pdcost_prediction` in pdcost.h; times in seconds, memory in
// bytes. Keys may be added, never removed.

extension ParallelPlan {
    /// `{"tp", "pp", "vpp", "dp", "cp", "ep", "etp", "sequence_parallel", "zero_stage", "fsdp",
    /// "first_stage_layers", "last_stage_layers"}` (null = even split).
    public func json() -> String {
        func opt(_ x: Int?) -> String { x.map(String.init) ?? "null" }
        return "{\"tp\": \(tp), \"pp\": \(pp), \"vpp\": \(vpp), \"dp\": \(dp), \"cp\": \(cp), "
            + "\"ep\": \(ep), \"etp\": \(expertTP), \"sequence_parallel\": \(effectiveSequenceParallel), "
            + "\"zero_stage\": \(zeroStage), \"fsdp\": \(fsdp), \"first_stage_layers\": \(opt(firstStageLayers)), "
            + "\"last_stage_layers\": \(opt(lastStageLayers))}"
    }
}

extension Prediction {
    /// Every field of `pdcost_prediction`, communication per kind as `{"tp", "cp", "ep", "pp",
    /// "dp"}` objects, plus the allocated/reserved peaks of the first and last pipeline stage.
    public func json() -> String {
        func n(_ x: Double) -> String { JSONText.exactNumber(x) }
        func kinds(_ f: (CommunicationTime) -> Double) -> String {
            "{\"tp\": \(n(f(tensorParallelComm))), \"cp\": \(n(f(contextParallelComm))), "
                + "\"ep\": \(n(f(expertParallelComm))), \"pp\": \(n(f(pipelineComm))), \"dp\": \(n(f(dataParallelComm)))}"
        }
        let m = memory
        var out = "{\"step_time_s\": \(n(stepTime)), \"compute_time_s\": \(n(computeTime)), "
        out += "\"bubble_time_s\": \(n(bubbleTime)), \"recompute_time_s\": \(n(recomputeTime)), "
        out += "\"optimizer_time_s\": \(n(optimizerTime)), \"offload_time_s\": \(n(offloadTime)), "
        out += "\"host_overhead_time_s\": \(n(hostOverheadTime)), "
        out += "\"comm_exposed_s\": " + kinds(\.exposed) + ", \"comm_overlapped_s\": " + kinds(\.overlapped) + ", "
        out += "\"total_comm_time_s\": \(n(totalCommunicationTime)), \"exposed_comm_time_s\": \(n(exposedCommunicationTime)), "
        out += "\"mfu\": \(n(mfu)), \"hfu\": \(n(hfu)), \"tokens_per_second\": \(n(tokensPerSecond)), "
        out += "\"tokens_per_second_per_gpu\": \(n(tokensPerSecondPerGPU)), \"micro_batches\": \(n(microBatches)), "
        out += "\"parameter_bytes\": \(n(m.parameters)), \"gradient_bytes\": \(n(m.gradients)), "
        out += "\"optimizer_bytes\": \(n(m.optimizer)), \"activation_bytes\": \(n(m.activations)), "
        out += "\"communication_buffer_bytes\": \(n(m.communicationBuffers)), \"temporary_buffer_bytes\": \(n(m.temporaryBuffers)), "
        out += "\"framework_overhead_bytes\": \(n(m.frameworkOverhead)), \"allocated_bytes\": \(n(m.allocated)), "
        out += "\"reserved_bytes\": \(n(m.reserved)), \"activation_buffer_pool_bytes\": \(n(m.activationBufferPool)), "
        out += "\"total_bytes\": \(n(m.total)), \"usable_memory_bytes\": \(n(usableMemory)), "
        out += "\"first_stage_allocated_bytes\": \(n(firstStageAllocated)), \"first_stage_reserved_bytes\": \(n(firstStageReserved)), "
        out += "\"last_stage_allocated_bytes\": \(n(lastStageAllocated)), \"last_stage_reserved_bytes\": \(n(lastStageReserved)), "
        out += "\"peak_stage\": \(peakStage), \"fits_memory\": \(fitsMemory)}"
        return out
    }
}
