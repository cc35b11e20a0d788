import FoundationEssentials

/// A run-overrides document (`pdcost.run-overrides/1`): switches a measured-runs file leaves
/// unstated (its `null` settings, recompute modules, packing, LoRA targets), stated for named
/// runs with the source they were read from — a launch script, a recipe at a tag — so that a
/// runs file can be validated or fitted "as the runs were launched" while the file itself keeps
/// only what its own source published.
///
/// ```json
/// {"schema": "pdcost.run-overrides/1",
///  "overrides": [{"ids": ["run-a", "run-b"],
///                 "source": "NVIDIA-NeMo/Megatron-Bridge@v0.4.0:scripts/performance/...",
///                 "settings": {"moe_token_dispatcher": "alltoall"},
///                 "training": {"recompute": "selective", "recompute_modules": ["mlp"]},
///                 "parallel": {"ep": 8}}]}
/// ```
///
/// The sections read like a run's own: `settings` by `FrameworkSettings.fields` (an unknown key
/// or a bad value is an error naming it), `training` and `parallel` by the runs file's field
/// names, which are the only keys accepted (a misspelt key would otherwise be dropped). A
/// stated value replaces the run's; `null` leaves it. Every id must name a training run of the
/// file, and each run at most one entry, so no two sources argue over a run.
public struct RunOverrides: Sendable {
    public static let schema = "pdcost.run-overrides/1"

    public struct Entry: Sendable {
        public var ids: [String]
        /// Where the stated values come from (required: an override without provenance is
        /// indistinguishable from a fitted constant).
        public var source: String
        public var settings: FrameworkSettings?
        public var training: MeasuredRun.Training?
        public var parallel: MeasuredRun.Parallel?
    }

    public var entries: [Entry]

    /// What applying a document did, for the report (and a fitted profile's provenance).
    public struct Applied: Codable, Sendable, Equatable {
        public var entries: Int
        public var runs: Int
        public init(entries: Int, runs: Int) {
            self.entries = entries
            self.runs = runs
        }
    }

    /// Decodes and checks a document; the message names the entry and field at fault.
    public static func decode(_ bytes: some Collection<UInt8>) throws(PDCostError) -> RunOverrides {
        try JSONReader.check(bytes, what: "run-overrides document")
        let document: RawDocument
        do {
            document = try JSONDecoder().decode(RawDocument.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw .parse("run-overrides document: " + DecodingErrorDescription.describe(error))
        } catch let error as PDCostError {
            throw error
        } catch {
            throw .parse("run-overrides document: \(error)")
        }
        guard document.schema == schema else {
            throw .parse("run-overrides document: schema='\(document.schema)' is not \(schema)")
        }
        guard !document.overrides.isEmpty else {
            throw .invalidArgument("run-overrides document: overrides is empty")
        }
        return RunOverrides(entries: document.overrides)
    }

    /// Restates the named runs of `file`. Errors: an id no run has, an inference record, a run
    /// that did not decode, a run named by two entries.
    @discardableResult
    public func apply(to file: inout MeasuredRunsFile) throws(PDCostError) -> Applied {
        var positions: [String: [Int]] = [:]
        for (i, run) in file.runs.enumerated() { positions[run.id, default: []].append(i) }
        var namedBy: [String: Int] = [:]
        var restated = 0
        for (e, entry) in entries.enumerated() {
            for id in entry.ids {
                guard let found = positions[id] else {
                    throw .invalidArgument("overrides[\(e)].ids: no run in the runs file has id '\(id)'")
                }
                if let earlier = namedBy[id] {
                    throw .invalidArgument("run '\(id)' is named by overrides[\(earlier)] and overrides[\(e)]; name each run once")
                }
                namedBy[id] = e
                for i in found {
                    if file.runs[i].kind == "inference" {
                        throw .invalidArgument("overrides[\(e)]: run '\(id)' is an inference record; overrides restate training runs")
                    }
                    if let reason = file.runs[i].decodeError {
                        throw .invalidArgument("overrides[\(e)]: run '\(id)' did not decode (\(reason))")
                    }
                    entry.restate(&file.runs[i])
                    restated += 1
                }
            }
        }
        return Applied(entries: entries.count, runs: restated)
    }

    private struct RawDocument: Decodable {
        var schema: String
        var overrides: [Entry]
    }
}

extension RunOverrides.Entry: Decodable {
    private enum Member: String, CaseIterable {
        case ids, source, settings, training, parallel
        var key: AnyKey { AnyKey(stringValue: rawValue) }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        for key in c.allKeys where Member(rawValue: key.stringValue) == nil {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: c,
                debugDescription: "'\(key.stringValue)' is not an entry member (known: \(Member.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        ids = try c.decode([String].self, forKey: Member.ids.key)
        if ids.isEmpty || ids.contains(where: \.isEmpty) {
            throw DecodingError.dataCorruptedError(forKey: Member.ids.key, in: c,
                                                   debugDescription: "must list at least one run id, none empty")
        }
        source = try c.decode(String.self, forKey: Member.source.key)
        if source.allSatisfy(\.isWhitespace) {
            throw DecodingError.dataCorruptedError(forKey: Member.source.key, in: c,
                                                   debugDescription: "must say where the values come from")
        }
        settings = try c.decodeIfPresent(FrameworkSettings.self, forKey: Member.settings.key)
        training = try Self.strict(MeasuredRun.Training.self, keys: MeasuredRun.Training.CodingKeys.self,
                                   member: .training, in: c)
        parallel = try Self.strict(MeasuredRun.Parallel.self, keys: MeasuredRun.Parallel.CodingKeys.self,
                                   member: .parallel, in: c)
        if settings == nil && training == nil && parallel == nil {
            throw DecodingError.dataCorruptedError(forKey: Member.ids.key, in: c,
                                                   debugDescription: "the entry states no settings, training or parallel values")
        }
    }

    /// Decodes a runs-file section whose `Decodable` would skip unknown keys, rejecting them.
    private static func strict<T: Decodable, K: CodingKey & CaseIterable>(
        _ type: T.Type, keys: K.Type, member: Member, in c: KeyedDecodingContainer<AnyKey>
    ) throws -> T? {
        let key = member.key
        guard c.contains(key), try !c.decodeNil(forKey: key) else { return nil }
        let section = try c.nestedContainer(keyedBy: AnyKey.self, forKey: key)
        let known = K.allCases.map(\.stringValue)
        for k in section.allKeys where !known.contains(k.stringValue) {
            throw DecodingError.dataCorruptedError(
                forKey: k, in: section,
                debugDescription: "'\(member.rawValue).\(k.stringValue)' is not a runs-file \(member.rawValue) field (known: \(known.joined(separator: ", ")))")
        }
        return try c.decode(T.self, forKey: key)
    }

    /// The run with this entry's stated values in place of its own.
    func restate(_ run: inout MeasuredRun) {
        if let settings { run.settings = (run.settings ?? FrameworkSettings()).overridden(by: settings) }
        if let training { run.training = (run.training ?? MeasuredRun.Training()).overridden(by: training) }
        if let parallel { run.parallel = (run.parallel ?? MeasuredRun.Parallel()).overridden(by: parallel) }
    }
}

extension MeasuredRun.Training {
    /// The stated (non-nil) fields of `other` in place of these.
    func overridden(by other: Self) -> Self {
        var r = self
        if let v = other.seqLen { r.seqLen = v }
        if let v = other.microBatchSize { r.microBatchSize = v }
        if let v = other.globalBatchSize { r.globalBatchSize = v }
        if let v = other.dtype { r.dtype = v }
        if let v = other.recompute { r.recompute = v }
        if let v = other.recomputeNumLayers { r.recomputeNumLayers = v }
        if let v = other.recomputeModules { r.recomputeModules = v }
        if let v = other.method { r.method = v }
        if let v = other.loraRank { r.loraRank = v }
        if let v = other.loraTargets { r.loraTargets = v }
        if let v = other.packedDocumentTokens { r.packedDocumentTokens = v }
        return r
    }
}

extension MeasuredRun.Parallel {
    /// The stated (non-nil) fields of `other` in place of these.
    func overridden(by other: Self) -> Self {
        var r = self
        if let v = other.tp { r.tp = v }
        if let v = other.pp { r.pp = v }
        if let v = other.vpp { r.vpp = v }
        if let v = other.dp { r.dp = v }
        if let v = other.cp { r.cp = v }
        if let v = other.ep { r.ep = v }
        if let v = other.etp { r.etp = v }
        if let v = other.sequenceParallel { r.sequenceParallel = v }
        if let v = other.zeroStage { r.zeroStage = v }
        if let v = other.fsdp { r.fsdp = v }
        return r
    }
}
