// A predicted training step laid out in time: the pipeline schedule each rank runs, the
// communication the step could not hide and the step's tail, as slices on lanes. Written as a
// Chrome / Perfetto trace by `TraceJSON`; not on the hot path (it allocates freely).
//
// The prediction gives each rank's busy time per micro-batch; within it the forward takes a
// third and the backward two thirds of the non-recomputed work (two GEMMs per linear backward
// for one forward: Narayanan et al. 2021, "Efficient Large-Scale Language Model Training on GPU
// Clusters Using Megatron-LM", SC'21, §3.1), and recomputation runs just before its backward.
// Each rank runs Megatron-Core's one-forward-one-backward sequence (interleaved over `vpp`
// model chunks), every block as soon as its neighbour stage hands it on; the drawn bubble is
// that schedule's, reported next to the prediction's. A sequence that cannot complete (no
// valid order) draws the blocks it could place.

/// One slice of a timeline: on lane `lane`, from `start` for `duration` seconds.
public struct TimelineEvent: Sendable, Hashable {
    public var lane: Int
    public var name: String
    /// The trace-event category: "forward", "backward", "recompute", "communication", "dp",
    /// "optimizer", "offload", "host"; serving: "queue", "prefill", "decode", "iteration:*".
    public var category: String
    public var start: Double
    public var duration: Double
    /// Times shown with the slice, seconds (the trace writes them in milliseconds).
    public var args: [String: Double]

    public init(lane: Int, name: String, category: String, start: Double, duration: Double,
                args: [String: Double] = [:]) {
        self.lane = lane
        self.name = name
        self.category = category
        self.start = start
        self.duration = duration
        self.args = args
    }
}

/// Slices on named lanes, and the numbers that describe the whole (`summary`, in the order
/// given; a `time` entry is seconds, written as `<key>_ms` in milliseconds by the trace).
/// `makespan` is the end of the last slice.
public struct Timeline: Sendable {
    public var process: String
    public var lanes: [String]
    public var events: [TimelineEvent]
    public var makespan: Double
    public var summary: [(key: String, value: Double, time: Bool)]
    /// One line on how the durations were split.
    public var note: String
}

/// A block of the pipeline schedule: rank `rank` runs the `kind` pass of micro-batch
/// `microBatch` through its model chunk `chunk` from `start` to `end`.
public struct ScheduleBlock: Sendable, Hashable {
    public enum Kind: String, Sendable { case forward, backward }
    public var rank: Int
    public var kind: Kind
    public var microBatch: Int
    public var chunk: Int
    public var start: Double
    public var end: Double
}

public enum StepTimeline {
    /// Forward share of a micro-batch's non-recomputed work: backward = 2 × forward
    /// (Narayanan et al. 2021 §3.1).
    public static let forwardShare = 1.0 / 3.0

    /// Rank `r`'s forward and backward (micro-batch, virtual stage) order. Interleaved
    /// (Megatron-Core `forward_backward_pipelining_with_interleaving`): groups of `pp`
    /// micro-batches, each through chunk 0, 1, … forward and the last chunk first backward.
    static func orders(pp: Int, vpp: Int, m: Int, rank r: Int) -> (forward: [(Int, Int)], backward: [(Int, Int)]) {
        if vpp == 1 { return ((0..<m).map { ($0, r) }, (0..<m).map { ($0, r) }) }
        var forward: [(Int, Int)] = [], backward: [(Int, Int)] = []
        for g in stride(from: 0, to: m, by: pp) {
            let group = g..<min(g + pp, m)
            for c in 0..<vpp { for i in group { forward.append((i, c * pp + r)) } }
            for c in (0..<vpp).reversed() { for i in group { backward.append((i, c * pp + r)) } }
        }
        return (forward, backward)
    }

    /// Every block of the schedule, in the order it is placed.
    ///
    /// Each rank runs its fixed 1F1B sequence — warm-up forwards, then one forward and one
    /// backward in turn, then the remaining backwards — with Megatron-Core's warm-up depth
    /// pp − r − 1, or (pp − r − 1)·2 + (vpp − 1)·pp when interleaved
    /// (megatron/core/pipeline_parallel/schedules.py, `num_warmup_microbatches`). Virtual stage
    /// s runs on rank s % pp; a forward of (i, s) waits for (i, s − 1), a backward of (i, s) for
    /// the backward of (i, s + 1), or on the last stage for its own forward. `forward` and
    /// `backward` are one micro-batch's time over all of a rank's chunks.
    public static func schedule(pp: Int, vpp: Int, microBatches m: Int, forward: Double,
                                backward: Double) -> [ScheduleBlock] {
        let pp = max(pp, 1), vpp = max(vpp, 1), m = max(m, 1)
        let stages = pp * vpp
        let f = forward / Double(vpp), b = backward / Double(vpp)
        struct Step { var kind: ScheduleBlock.Kind; var microBatch: Int; var stage: Int }
        var sequences: [[Step]] = []
        for r in 0..<pp {
            let (orderF, orderB) = orders(pp: pp, vpp: vpp, m: m, rank: r)
            let n = orderF.count
            let warm = min(vpp > 1 ? (pp - r - 1) * 2 + (vpp - 1) * pp : pp - r - 1, n)
            var seq: [Step] = []
            seq.reserveCapacity(2 * n)
            for k in 0..<warm { seq.append(Step(kind: .forward, microBatch: orderF[k].0, stage: orderF[k].1)) }
            for k in 0..<(n - warm) {
                seq.append(Step(kind: .forward, microBatch: orderF[warm + k].0, stage: orderF[warm + k].1))
                seq.append(Step(kind: .backward, microBatch: orderB[k].0, stage: orderB[k].1))
            }
            for k in (n - warm)..<n { seq.append(Step(kind: .backward, microBatch: orderB[k].0, stage: orderB[k].1)) }
            sequences.append(seq)
        }
        // End times by (micro-batch, stage), NaN = not yet placed.
        var forwardDone = [Double](repeating: .nan, count: m * stages)
        var backwardDone = [Double](repeating: .nan, count: m * stages)
        var free = [Double](repeating: 0, count: pp)
        var position = [Int](repeating: 0, count: pp)
        var blocks: [ScheduleBlock] = []
        blocks.reserveCapacity(2 * m * stages)
        var progress = true
        while progress {
            progress = false
            for r in 0..<pp {
                while position[r] < sequences[r].count {
                    let step = sequences[r][position[r]]
                    let i = step.microBatch, s = step.stage
                    let dependency: Double
                    switch step.kind {
                    case .forward: dependency = s > 0 ? forwardDone[i * stages + s - 1] : 0
                    case .backward: dependency = s + 1 < stages ? backwardDone[i * stages + s + 1] : forwardDone[i * stages + s]
                    }
                    if dependency.isNaN { break }
                    let start = max(free[r], dependency)
                    let end = start + (step.kind == .forward ? f : b)
                    if step.kind == .forward { forwardDone[i * stages + s] = end } else { backwardDone[i * stages + s] = end }
                    free[r] = end
                    position[r] += 1
                    blocks.append(ScheduleBlock(rank: r, kind: step.kind, microBatch: i, chunk: s / pp,
                                                start: start, end: end))
                    progress = true
                }
            }
        }
        return blocks
    }

    /// Blocks a trace of `pp` ranks, `vpp` chunks and `microBatches` draws (2 per micro-batch,
    /// rank and chunk), or nil when the count overflows.
    public static func blockCount(pp: Int, vpp: Int, microBatches: Int) -> Int? {
        let (a, o1) = max(pp, 1).multipliedReportingOverflow(by: max(vpp, 1))
        let (b, o2) = a.multipliedReportingOverflow(by: max(microBatches, 1))
        let (c, o3) = b.multipliedReportingOverflow(by: 2)
        return o1 || o2 || o3 ? nil : c
    }

    /// The timeline of `prediction` for a plan of `pp` ranks and `vpp` chunks per rank.
    ///
    /// Lanes: `2r` is pipeline rank r (forward, recompute, backward, then the optimizer,
    /// offload and host work), `2r + 1` its exposed communication (the TP/CP/EP/PP share of
    /// each block, drawn at its end, and the data-parallel reduction after the last block).
    /// The busy time per micro-batch is the step less the prediction's bubble and tail; the
    /// makespan is the schedule's end plus the tail, so it equals the predicted step time
    /// wherever the drawn bubble equals the predicted one (balanced stages: (pp − 1)/vpp of a
    /// micro-batch, Narayanan et al. 2021 §2.2).
    /// - Throws: `.invalidArgument` naming `micro_batches` when the schedule would draw more
    ///   blocks than `PDCostLimits.traceBlocks` allows.
    public static func timeline(_ prediction: Prediction, pp: Int, vpp: Int) throws(PDCostError) -> Timeline {
        let p = prediction
        let pp = max(pp, 1), vpp = max(vpp, 1)
        let mb = p.microBatches
        guard mb.isFinite, mb >= 0, mb <= Double(PDCostLimits.traceBlocks.maximum) else {
            throw .invalidArgument("micro_batches=\(JSONWriter.describe(mb)) must be a finite count <= trace_blocks maximum \(PDCostLimits.traceBlocks.maximum)")
        }
        let m = max(Int(mb), 1)
        let count = blockCount(pp: pp, vpp: vpp, microBatches: m)
        guard let count, PDCostLimits.traceBlocks.contains(count) else {
            throw .invalidArgument("micro_batches=\(m) x pp=\(pp) x vpp=\(vpp) x 2 blocks exceed trace_blocks: "
                                   + PDCostLimits.traceBlocks.message(count ?? Int.max, field: "blocks"))
        }
        let exposed = CommunicationKind.allCases.map { $0.of(p).exposed }
        let tail: [(name: String, category: String, time: Double)] = [
            ("data-parallel reduction (exposed)", "dp", exposed[CommunicationKind.dp.rawValue]),
            ("optimizer step", "optimizer", p.optimizerTime),
            ("offload", "offload", p.offloadTime),
            ("host overhead", "host", p.hostOverheadTime)]
        let busy = max(p.stepTime - p.bubbleTime - tail.reduce(0) { $0 + $1.time }, 0)
        let perMicroBatch = busy / Double(m)
        let recompute = p.recomputeTime / Double(m)
        let fwd = (perMicroBatch - recompute) * forwardShare
        let bwd = perMicroBatch - fwd
        let layerKinds: [CommunicationKind] = [.tp, .cp, .ep, .pp]
        let layerComm = layerKinds.reduce(0) { $0 + exposed[$1.rawValue] }
        let commShare = busy > 0 ? min(layerComm / busy, 1) : 0
        var commArgs: [String: Double] = [:]
        for kind in layerKinds { commArgs[kind.name] = exposed[kind.rawValue] / Double(m) }

        var lanes: [String] = []
        for r in 0..<pp { lanes += ["pipeline rank \(r)", "rank \(r) exposed communication"] }
        let blocks = schedule(pp: pp, vpp: vpp, microBatches: m, forward: fwd, backward: bwd)
        var events: [TimelineEvent] = []
        events.reserveCapacity(blocks.count * 3 + 4 * pp)
        var end = 0.0
        for block in blocks {
            let name = "\(block.kind.rawValue) mb\(block.microBatch)" + (vpp > 1 ? " chunk\(block.chunk)" : "")
            let lane = 2 * block.rank
            if block.kind == .backward && recompute > 0 {
                let rc = recompute / Double(vpp)
                events.append(TimelineEvent(lane: lane, name: "recompute mb\(block.microBatch)", category: "recompute",
                                            start: block.start, duration: rc))
                events.append(TimelineEvent(lane: lane, name: name, category: "backward",
                                            start: block.start + rc, duration: block.end - block.start - rc))
            } else {
                events.append(TimelineEvent(lane: lane, name: name, category: block.kind.rawValue,
                                            start: block.start, duration: block.end - block.start))
            }
            if commShare > 0 {
                let c = (block.end - block.start) * commShare
                events.append(TimelineEvent(lane: lane + 1, name: "tp/cp/ep/pp (exposed)", category: "communication",
                                            start: block.end - c, duration: c, args: commArgs))
            }
            end = max(end, block.end)
        }
        var t = end
        for item in tail where item.time > 0 {
            for r in 0..<pp {
                events.append(TimelineEvent(lane: 2 * r + (item.category == "dp" ? 1 : 0), name: item.name,
                                            category: item.category, start: t, duration: item.time))
            }
            t += item.time
        }
        return Timeline(process: "training step", lanes: lanes, events: events, makespan: t,
                        summary: [("predicted_step", p.stepTime, true), ("traced_step", t, true),
                                  ("predicted_bubble", p.bubbleTime, true), ("traced_bubble", max(end - busy, 0), true),
                                  ("pp", Double(pp), false), ("vpp", Double(vpp), false),
                                  ("micro_batches", Double(m), false),
                                  ("forward_ms_per_micro_batch", fwd * 1e3, false),
                                  ("backward_ms_per_micro_batch", bwd * 1e3, false)],
                        note: "forward:backward = 1:2 of the non-recomputed work (Narayanan et al. 2021 §3.1)")
    }
}

