import CPDCost
import PDCost

// Traces (1.5): a predicted training step or one served request as a Chrome / Perfetto
// trace-event document, built by the core's `StepTimeline` / `ServingTimeline` and written by
// `Timeline.traceJSON`.

@_cdecl("pdcost_cost_model_trace")
public func pdcost_cost_model_trace(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                    _ cost_model: OpaquePointer?,
                                    _ plan: UnsafePointer<pdcost_plan>?) -> pdcost_status {
    planDocument(out_json, cost_model, plan) { cost, p in
        try StepTimeline.timeline(cost.evaluate(p), pp: p.pp, vpp: p.vpp).traceJSON()
    }
}

@_cdecl("pdcost_prediction_trace")
public func pdcost_prediction_trace(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                    _ prediction: UnsafePointer<pdcost_prediction>?,
                                    _ plan: UnsafePointer<pdcost_plan>?) -> pdcost_status {
    withStatus {
        let given = try readVersioned(prediction, "prediction", type: "pdcost_prediction",
                                      latestVersion: PDCOST_PREDICTION_VERSION)
        let c = try readVersioned(plan, "plan", type: "pdcost_plan", latestVersion: PDCOST_PLAN_VERSION)
        let out = try outString(out_json, "out_json")
        let pp = try PDCostLimits.parallelDegree.check(UInt64(max(c.pp, 1)), field: "plan->pp")
        let vpp = try PDCostLimits.parallelDegree.check(UInt64(max(c.vpp, 1)), field: "plan->vpp")
        func time(_ name: String, _ value: Double) throws -> Double {
            guard value.isFinite, value >= 0 else {
                throw PDCostError.invalidArgument("prediction->\(name)=\(JSONWriter.describe(value)) must be a finite number >= 0")
            }
            return value
        }
        var p = Prediction()
        p.stepTime = try time("step_time_s", given.step_time_s)
        p.bubbleTime = try time("bubble_time_s", given.bubble_time_s)
        p.recomputeTime = try time("recompute_time_s", given.recompute_time_s)
        p.optimizerTime = try time("optimizer_time_s", given.optimizer_time_s)
        p.offloadTime = try time("offload_time_s", given.offload_time_s)
        p.hostOverheadTime = try time("host_overhead_time_s", given.host_overhead_time_s)
        p.microBatches = try time("micro_batches", given.micro_batches)
        let exposed = withUnsafeBytes(of: given.comm_exposed_s) { Array($0.bindMemory(to: Double.self)) }
        for kind in CommunicationKind.allCases {
            let value = try time("comm_exposed_s[\(kind.rawValue)]", kind.rawValue < exposed.count ? exposed[kind.rawValue] : 0)
            switch kind {
            case .tp: p.tensorParallelComm.exposed = value
            case .cp: p.contextParallelComm.exposed = value
            case .ep: p.expertParallelComm.exposed = value
            case .pp: p.pipelineComm.exposed = value
            case .dp: p.dataParallelComm.exposed = value
            }
        }
        try store(try StepTimeline.timeline(p, pp: pp, vpp: vpp).traceJSON(), in: out)
    }
}

@_cdecl("pdcost_serving_trace")
public func pdcost_serving_trace(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                 _ model: OpaquePointer?,
                                 _ cluster: UnsafePointer<pdcost_cluster>?,
                                 _ deployment: UnsafePointer<pdcost_serving_deployment>?,
                                 _ workload: UnsafePointer<pdcost_serving_workload>?) -> pdcost_status {
    servingDocument(out_json, model, cluster, deployment, workload) { cost, w in
        try ServingTimeline.timeline(try cost.evaluate(w), outputTokens: w.outputTokens).traceJSON()
    }
}
