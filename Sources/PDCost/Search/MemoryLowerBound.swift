extension CostModel {
    /// A lower bound of the peak allocated memory of any plan that differs from `plan` only
    /// in micro-batch size, recomputation, virtual stages and sequence parallelism: the
    /// weights, gradients and optimizer states of the first and the last pipeline stage, as
    /// `evaluate` computes them (`Workload.stageParameters` and `Workload.modelState`, the
    /// same functions). `evaluate`'s allocated memory adds non-negative activations and
    /// buffers to exactly these bytes, so a plan whose bound exceeds the limit cannot fit and
    /// the search skips all its variants unpriced. (MTP blocks on the last stage only add.)
    func modelStateLowerBound(_ plan: ParallelPlan, optimizerOffloadRatio: Double) -> Double {
        let c = context(plan, microBatchSize: 1, recompute: .none, optimizerOffloadRatio: optimizerOffloadRatio)
        let single = c.pp <= 1
        let first = w.modelState(c, stage: w.stageParameters(c, layers: c.layersFirst, first: true, last: single),
                                 framework: fw)
        var bound = first.parameters + first.gradients + w.allocatorOptimizerBytes(first.optimizer)
        if !single {
            let last = w.modelState(c, stage: w.stageParameters(c, layers: c.layersLast, first: false, last: true),
                                    framework: fw)
            bound = max(bound, last.parameters + last.gradients + w.allocatorOptimizerBytes(last.optimizer))
        }
        return bound
    }
}
