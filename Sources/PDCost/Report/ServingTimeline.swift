// One request's life in a serving prediction, laid out in time: the wait and the prefill that
// end at the first token, then one decode iteration per further token, each split into the
// iteration's parts. Written as a Chrome / Perfetto trace by `TraceJSON`.
//
// Every duration is a term of the prediction (`ServingSteadyState.prediction`): the request
// lane runs TTFT, then (output − 1) tokens of TPOT, so it ends at TTFT + (output − 1)·TPOT,
// the prediction's mean end-to-end latency by its definition. Within TTFT, the prefill of the
// prompt on an idle replica (`prefill_s`) ends at the first token and the rest is queueing and
// the co-scheduled work of other requests. Within a token, the engine lane draws the decode
// iteration's compute, memory-bound, communication and overhead parts (`iteration_*_s`, which
// sum to `iteration_s`) and, where TPOT is longer, the other requests' prompt work that the
// iteration carried (chunked prefill; vLLM `--enable-chunked-prefill`).

public enum ServingTimeline {
    /// Decode iterations drawn one by one; the rest of a longer request is one slice per lane.
    public static let drawnIterations = 1024

    /// The timeline of one request of `outputTokens` tokens under `prediction`.
    /// - Throws: `.invalidArgument` naming `output_tokens` outside `PDCostLimits.seqLen`.
    public static func timeline(_ prediction: ServingPrediction, outputTokens: Int) throws(PDCostError) -> Timeline {
        let p = prediction
        let n = try PDCostLimits.seqLen.check(outputTokens, field: "output_tokens")
        let ttft = max(p.ttft, 0), tpot = max(p.tpot, 0)
        let prefill = min(max(p.prefillSeconds, 0), ttft)
        var events: [TimelineEvent] = []
        if ttft - prefill > 0 {
            events.append(TimelineEvent(lane: 0, name: "queue and co-scheduled work", category: "queue",
                                        start: 0, duration: ttft - prefill))
        }
        events.append(TimelineEvent(lane: 0, name: "prefill (first token)", category: "prefill",
                                    start: ttft - prefill, duration: prefill,
                                    args: ["ttft": p.ttft, "prefill_idle": p.prefillSeconds]))
        let iteration = max(p.iterationSeconds, 0)
        // The iteration's parts, scaled into TPOT should the token gap be the shorter.
        let scale = iteration > tpot && iteration > 0 ? tpot / iteration : 1
        let parts: [(String, Double)] = [
            ("compute", p.iterationComputeSeconds), ("memory", p.iterationMemorySeconds),
            ("communication", p.iterationCommunicationSeconds), ("overhead", p.iterationOverheadSeconds)]
        let decodes = n - 1
        let drawn = min(decodes, drawnIterations)
        for k in 0..<drawn {
            let start = ttft + Double(k) * tpot
            events.append(TimelineEvent(lane: 0, name: "token \(k + 2)", category: "decode",
                                        start: start, duration: tpot))
            var t = start
            for (name, seconds) in parts where seconds > 0 {
                events.append(TimelineEvent(lane: 1, name: name, category: "iteration:" + name,
                                            start: t, duration: seconds * scale))
                t += seconds * scale
            }
            if tpot - iteration > 0 {
                events.append(TimelineEvent(lane: 1, name: "other requests' prompts", category: "iteration:prefill",
                                            start: start + iteration, duration: tpot - iteration))
            }
        }
        if decodes > drawn {
            let start = ttft + Double(drawn) * tpot
            let duration = Double(decodes - drawn) * tpot
            events.append(TimelineEvent(lane: 0, name: "tokens \(drawn + 2)-\(n)", category: "decode",
                                        start: start, duration: duration))
            events.append(TimelineEvent(lane: 1, name: "\(decodes - drawn) decode iterations", category: "iteration",
                                        start: start, duration: duration))
        }
        let makespan = ttft + Double(decodes) * tpot
        return Timeline(process: "serving request", lanes: ["request", "engine iteration"], events: events,
                        makespan: makespan,
                        summary: [("predicted_e2e", p.endToEnd, true), ("traced_e2e", makespan, true),
                                  ("ttft", p.ttft, true), ("tpot", p.tpot, true), ("itl", p.itl, true),
                                  ("iteration", p.iterationSeconds, true), ("prefill", p.prefillSeconds, true),
                                  ("output_tokens", Double(n), false), ("drawn_iterations", Double(drawn), false),
                                  ("running_batch", p.runningBatch, false)],
                        note: "request: TTFT then (output - 1) x TPOT; engine: the decode iteration's parts")
    }
}
