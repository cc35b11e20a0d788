// A timeline as a Chrome / Perfetto trace-event document (the "JSON Object Format" of the
// Trace Event Format, Google, docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU):
// {"traceEvents": [...], "displayTimeUnit": "ms", "otherData": {...}}. Complete events
// ("ph": "X") carry "ts" and "dur" in microseconds, as the format requires; metadata events
// ("ph": "M") name the process and every lane (thread). Open it in ui.perfetto.dev or
// chrome://tracing.

extension Timeline {
    /// The trace-event document: one process (pid 0) named `process`, lane i as tid i named
    /// `lanes[i]`, one "X" event per slice (args in milliseconds), and `otherData` holding the
    /// summary (time entries as `<key>_ms`, milliseconds) and the note.
    package var traceJSONValue: JSONValue {
        let us = 1e6, ms = 1e3
        var events: [JSONValue] = [.object([("ph", "M"), ("pid", 0), ("name", "process_name"),
                                            ("args", .object([("name", .string(process))]))])]
        events.reserveCapacity(events.count + lanes.count + self.events.count)
        for (tid, lane) in lanes.enumerated() {
            events.append(.object([("ph", "M"), ("pid", 0), ("tid", .int(tid)), ("name", "thread_name"),
                                   ("args", .object([("name", .string(lane))]))]))
        }
        for e in self.events {
            var members: [(key: String, value: JSONValue)] = [
                ("ph", "X"), ("pid", 0), ("tid", .int(e.lane)), ("name", .string(e.name)),
                ("cat", .string(e.category)), ("ts", .number(e.start * us)), ("dur", .number(e.duration * us))]
            if !e.args.isEmpty {
                members.append(("args", .object(e.args.sorted { $0.key < $1.key }.map { ($0.key, .number($0.value * ms)) })))
            }
            events.append(.object(members))
        }
        var other: [(key: String, value: JSONValue)] = summary.map {
            $0.time ? ($0.key + "_ms", .number($0.value * ms)) : ($0.key, .number($0.value))
        }
        other.append(("note", .string(note)))
        return .object([("traceEvents", .array(events)), ("displayTimeUnit", "ms"), ("otherData", .object(other))])
    }

    /// `traceJSONValue` as compact JSON. A non-finite number is written as null and named in a
    /// top-level "warnings" array (`JSONWriter.document`).
    public func traceJSON() -> String {
        JSONWriter.document(traceJSONValue, layout: .compact, newline: false)
    }
}
