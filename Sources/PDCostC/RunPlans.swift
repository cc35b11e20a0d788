import CPDCost
import PDCost

// Run planning (1.5): `pdcost_plan_run` prices a run with the core's `RunPlan`. A C double of 0
// is "not stated" where the header shows a default; the rest must be finite and > 0.

@_cdecl("pdcost_plan_run")
public func pdcost_plan_run(_ out: UnsafeMutablePointer<pdcost_run_plan>?,
                            _ inputs: UnsafePointer<pdcost_run_plan_inputs>?) -> pdcost_status {
    withStatus {
        let i = try readVersioned(inputs, "inputs", type: "pdcost_run_plan_inputs",
                                  latestVersion: PDCOST_RUN_PLAN_INPUTS_VERSION)
        let destination = try VersionedOutput(out, "out", type: "pdcost_run_plan",
                                              minimumSize: MemoryLayout<pdcost_run_plan>.size,
                                              latestVersion: PDCOST_RUN_PLAN_VERSION)
        /// nil for 0; a negative or non-finite value is an error naming the field.
        func optional(_ name: String, _ value: Double) throws -> Double? {
            guard value.isFinite, value >= 0 else {
                throw PDCostError.invalidArgument("inputs->\(name)=\(JSONWriter.describe(value)) must be a finite number >= 0 (0 = not stated)")
            }
            return value == 0 ? nil : value
        }
        let gpus = try PDCostLimits.numGPUs.check(UInt64(i.gpus), field: "inputs->gpus")
        let plan = try RunPlan(RunPlanInputs(
            gpus: gpus, tokensPerSecond: i.tokens_per_second, tokens: try optional("tokens", i.tokens),
            parameters: try optional("parameters", i.parameters),
            computeBudgetFLOPs: try optional("compute_budget_flops", i.compute_budget_flops),
            pricePerGPUHour: try optional("price_per_gpu_hour", i.price_per_gpu_hour),
            boardPowerWatts: i.board_power_w,
            powerFraction: try optional("power_fraction", i.power_fraction) ?? RunPlan.defaultPowerFraction,
            pue: try optional("pue", i.pue) ?? RunPlan.defaultPUE,
            targetDays: try optional("target_days", i.target_days)), prefix: "inputs->")
        var c = pdcost_run_plan()
        c.size = UInt32(MemoryLayout<pdcost_run_plan>.size)
        c.version = UInt32(PDCOST_RUN_PLAN_VERSION)
        c.tokens = plan.tokens
        c.parameters = plan.parameters
        c.tokens_per_parameter = plan.tokensPerParameter
        c.seconds = plan.seconds
        c.days = plan.days
        c.gpu_hours = plan.gpuHours
        c.cost = plan.cost ?? 0
        c.energy_mwh = plan.energyMWh
        c.required_tokens_per_second = plan.requiredTokensPerSecond
        c.power_fraction = plan.powerFraction
        c.pue = plan.pue
        c.has_cost = plan.cost == nil ? 0 : 1
        c.meets_target_days = plan.meetsTargetDays ? 1 : 0
        destination.write(c)
    }
}
