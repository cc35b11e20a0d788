/// Small internal accessors the serving search needs from `ServingCostModel`; no physics here.
extension ServingCostModel {
    /// The same cost model with another replica count: every per-GPU quantity (weights, KV
    /// layout, memory, rates) is independent of the replica count, which only divides the
    /// deployment's load (`ServingSteadyState`). Equal to building
    /// `ServingCostModel(model:cluster:deployment:)` with `deployment.replicas = replicas`
    /// (the search checks `tp·pp·replicas` against its budget itself), without repeating the
    /// checks and sizes.
    init(_ base: ServingCostModel, replicas r: Int) {
        self = base
        deployment.replicas = r
        replicas = Double(r)
    }
}
