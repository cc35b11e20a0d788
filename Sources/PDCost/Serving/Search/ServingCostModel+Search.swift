/// Small internal accessors the serving search needs from `ServingCostModel`; no physics here.
extension ServingCostModel {
    /// The same cost model with another replica count: every per-GPU quantity (weights, KV
    /// layout, memory, rates) is independent of the replica count, which only divides the
    /// deployment's load (`ServingSteadyState`). Equal to building
    /// `ServingCostModel(model:cluster:deployment:)` with `deployment.replicas = replicas`
    /// (the search checks `tp·pp·replicas` against its budget itself), without repeating the
    /// checks and sizes. Lists every stored property: a property added to the cost model
    /// breaks the build here until it is copied too.
    init(_ base: ServingCostModel, replicas r: Int) {
        model = base.model
        cluster = base.cluster
        var d = base.deployment
        d.replicas = r
        deployment = d
        settings = base.settings
        weights = base.weights
        kvCache = base.kvCache
        kernels = base.kernels
        tp = base.tp
        pp = base.pp
        replicas = Double(r)
        stageLayers = base.stageLayers
        stageMoELayers = base.stageMoELayers
        stageNonExpertBytes = base.stageNonExpertBytes
        kvBytesPerToken = base.kvBytesPerToken
        gemmRate = base.gemmRate
        gemmHalfDimension = base.gemmHalfDimension
        attentionRate = base.attentionRate
        attentionHalfSequence = base.attentionHalfSequence
        hbmRate = base.hbmRate
        interconnect = base.interconnect
        matmulFlopsPerToken = base.matmulFlopsPerToken
        attentionWidth = base.attentionWidth
        hidden = base.hidden
        elementwiseBytesPerTokenLayer = base.elementwiseBytesPerTokenLayer
        peakFlops = base.peakFlops
        memoryPlan = base.memoryPlan
    }
}
