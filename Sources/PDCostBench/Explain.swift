import PDCost

/// Prints every field of one run's prediction (development aid).
enum Explain {
    static func print(_ run: MeasuredRun) {
        Swift.print("== \(run.id)")
        let v = Validator.validate(run)
        guard let p = v.prediction, case .success(let m) = run.mapped() else {
            Swift.print("skipped: \(v.reason ?? "?")")
            return
        }
        let gib = 1_073_741_824.0
        Swift.print("plan: tp\(m.plan.tp) pp\(m.plan.pp) vpp\(m.plan.vpp) dp\(m.plan.dp) cp\(m.plan.cp) ep\(m.plan.ep) sp=\(m.plan.sequenceParallel) zero\(m.plan.zeroStage) fsdp=\(m.plan.fsdp)")
        Swift.print("setup: seq \(m.setup.seqLen) mbs \(m.setup.microBatchSize) gbs \(m.setup.globalBatchSize) \(m.setup.dtype) recompute \(m.setup.recompute.granularity) framework \(m.setup.framework.kind) settings \(m.setup.framework.settings.json())")
        Swift.print("step \(p.stepTime) s  compute \(p.computeTime)  bubble \(p.bubbleTime)  recompute \(p.recomputeTime)  optimizer \(p.optimizerTime)  host \(p.hostOverheadTime)  m=\(p.microBatches)")
        Swift.print("comm exposed/overlapped: TP \(p.tensorParallelComm.exposed)/\(p.tensorParallelComm.overlapped)  CP \(p.contextParallelComm.exposed)/\(p.contextParallelComm.overlapped)  EP \(p.expertParallelComm.exposed)/\(p.expertParallelComm.overlapped)  PP \(p.pipelineComm.exposed)/\(p.pipelineComm.overlapped)  DP \(p.dataParallelComm.exposed)/\(p.dataParallelComm.overlapped)")
        Swift.print("tok/s/GPU \(p.tokensPerSecondPerGPU)  MFU \(p.mfu)  HFU \(p.hfu)")
        let mem = p.memory
        Swift.print("memory (stage \(p.peakStage)) GiB: params \(mem.parameters / gib) grads \(mem.gradients / gib) optim \(mem.optimizer / gib) acts \(mem.activations / gib) comm \(mem.communicationBuffers / gib) temp \(mem.temporaryBuffers / gib) alloc \(mem.allocated / gib) reserved \(mem.reserved / gib) total \(mem.total / gib)")
        Swift.print("first stage alloc/resv \(p.firstStageAllocated / gib)/\(p.firstStageReserved / gib)  last \(p.lastStageAllocated / gib)/\(p.lastStageReserved / gib)  fits \(p.fitsMemory)")
        for (metric, c) in v.comparisons {
            Swift.print("  \(metric.rawValue): measured \(c.measured) predicted \(c.predicted) error \(c.errorPercent)%")
        }
    }
}
