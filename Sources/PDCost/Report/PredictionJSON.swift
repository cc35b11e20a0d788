// JSON forms of a plan and of a prediction, shared by the C ABI
// (`pdcost_cost_model_predict_json`, `pdcost_search_result_to_json`) and the CLI. Field names
// are those of `pdcost_plan` / `pdcost_prediction` in pdcost.h; times in seconds, memory in
// bytes. Keys may be added, never removed. Numbers are exact (shortest round-trip text), so a
// prediction read back from JSON is bit-identical to the struct; one that overflowed is `null`
// and named in the document's `warnings` (JSONWriter).

extension ParallelPlan {
    /// `{"tp", "pp", "vpp", "dp", "cp", "ep", "etp", "sequence_parallel", "zero_stage", "fsdp",
    /// "first_stage_layers", "last_stage_layers"}` (null = even split).
    public func json() -> String {
        JSONWriter.document(jsonValue, layout: .compact, newline: false)
    }

    package var jsonValue: JSONValue {
        .object([("tp", .int(tp)), ("pp", .int(pp)), ("vpp", .int(vpp)), ("dp", .int(dp)), ("cp", .int(cp)),
                 ("ep", .int(ep)), ("etp", .int(expertTP)), ("sequence_parallel", .bool(effectiveSequenceParallel)),
                 ("zero_stage", .int(zeroStage)), ("fsdp", .bool(fsdp)),
                 ("first_stage_layers", .optional(firstStageLayers) { .int($0) }),
                 ("last_stage_layers", .optional(lastStageLayers) { .int($0) })])
    }
}

extension Prediction {
    /// Every field of `pdcost_prediction`, communication per kind as `{"tp", "cp", "ep", "pp",
    /// "dp"}` objects, plus the allocated/reserved peaks of the first and last pipeline stage.
    public func json() -> String {
        JSONWriter.document(jsonValue, layout: .compact, newline: false)
    }

    package var jsonValue: JSONValue {
        func kinds(_ f: (CommunicationTime) -> Double) -> JSONValue {
            .object([("tp", .number(f(tensorParallelComm))), ("cp", .number(f(contextParallelComm))),
                     ("ep", .number(f(expertParallelComm))), ("pp", .number(f(pipelineComm))),
                     ("dp", .number(f(dataParallelComm)))])
        }
        let m = memory
        return .object([
            ("step_time_s", .number(stepTime)), ("compute_time_s", .number(computeTime)),
            ("bubble_time_s", .number(bubbleTime)), ("recompute_time_s", .number(recomputeTime)),
            ("optimizer_time_s", .number(optimizerTime)), ("offload_time_s", .number(offloadTime)),
            ("host_overhead_time_s", .number(hostOverheadTime)),
            ("comm_exposed_s", kinds(\.exposed)), ("comm_overlapped_s", kinds(\.overlapped)),
            ("total_comm_time_s", .number(totalCommunicationTime)), ("exposed_comm_time_s", .number(exposedCommunicationTime)),
            ("mfu", .number(mfu)), ("hfu", .number(hfu)), ("tokens_per_second", .number(tokensPerSecond)),
            ("tokens_per_second_per_gpu", .number(tokensPerSecondPerGPU)), ("micro_batches", .number(microBatches)),
            ("parameter_bytes", .number(m.parameters)), ("gradient_bytes", .number(m.gradients)),
            ("optimizer_bytes", .number(m.optimizer)), ("activation_bytes", .number(m.activations)),
            ("communication_buffer_bytes", .number(m.communicationBuffers)), ("temporary_buffer_bytes", .number(m.temporaryBuffers)),
            ("framework_overhead_bytes", .number(m.frameworkOverhead)), ("allocated_bytes", .number(m.allocated)),
            ("reserved_bytes", .number(m.reserved)), ("activation_buffer_pool_bytes", .number(m.activationBufferPool)),
            ("total_bytes", .number(m.total)), ("usable_memory_bytes", .number(usableMemory)),
            ("first_stage_allocated_bytes", .number(firstStageAllocated)), ("first_stage_reserved_bytes", .number(firstStageReserved)),
            ("last_stage_allocated_bytes", .number(lastStageAllocated)), ("last_stage_reserved_bytes", .number(lastStageReserved)),
            ("peak_stage", .int(peakStage)), ("fits_memory", .bool(fitsMemory)),
        ])
    }
}
