/// One bounded integer input: its inclusive range, its unit and why the bound is where it is.
///
/// Every door into pdcost (the Swift API, the C thunks, the Python configs, the CLI) checks
/// against these values and quotes `range` in its message, e.g. `seq_len=0 must be in [1, 2^31]`.
/// The C header repeats the maxima that C callers need at compile time as `PDCOST_MAX_*`
/// macros; `pdcost_limits_json` returns the whole table and tests compare the two.
public struct Limit: Sendable, Hashable {
    /// The key in the table (`seq_len`, `parallel_degree` ...); also the field name quoted when
    /// a check names no other field.
    public let name: String
    public let minimum: Int
    public let maximum: Int
    /// What the value counts (`tokens`, `sequences`, `GPUs`, `bytes` ...).
    public let unit: String
    /// The fields the limit applies to, as the C struct / JSON / Hugging Face keys name them.
    public let fields: [String]
    /// One line: why the maximum is where it is.
    public let why: String

    /// `[minimum, maximum]`, powers of two from 2^10 up written as `2^k` (as messages quote it).
    public var range: String { "[\(Self.text(minimum)), \(Self.text(maximum))]" }

    /// Whether `value` lies in the range.
    public func contains(_ value: Int) -> Bool { value >= minimum && value <= maximum }

    /// `value` if it lies in the range; otherwise `.invalidArgument("<field>=<value> must be in
    /// [min, max]")`, naming `field` (default: the limit's name).
    @discardableResult
    public func check(_ value: Int, field: String? = nil) throws(PDCostError) -> Int {
        guard contains(value) else { throw .invalidArgument(message(value, field: field)) }
        return value
    }

    /// The same check for a value that arrives unsigned (a C `uint32_t`/`uint64_t`).
    public func check(_ value: UInt64, field: String? = nil) throws(PDCostError) -> Int {
        guard value <= UInt64(maximum), value >= UInt64(max(minimum, 0)) else {
            throw .invalidArgument("\(field ?? name)=\(value) must be in \(range)")
        }
        return Int(value)
    }

    /// The message for a value out of range.
    public func message(_ value: Int, field: String? = nil) -> String {
        "\(field ?? name)=\(value) must be in \(range)"
    }

    static func text(_ value: Int) -> String {
        guard value >= 1024, value & (value - 1) == 0 else { return String(value) }
        return "2^\(value.trailingZeroBitCount)"
    }
}

/// The limits table: every integer bound pdcost places on its inputs, in one place.
///
/// The bounds are chosen so that every product the model forms stays finite and, where it is an
/// integer, exact: doubles hold integers exactly up to 2^53, `Int` up to 2^63 − 1, and the C
/// ABI carries most sizes in `uint32_t`. Real jobs sit far inside every range (a 2^17-token
/// context, 2^15 sequences per step, 2^17 GPUs), so a value beyond a bound is a typo or an
/// attack, and rejecting it at the door keeps every later product finite.
public enum PDCostLimits {
    /// Raised when a limit changes or one is added; `pdcost_limits_json` reports it.
    public static let version = 1

    public static let seqLen = Limit(
        name: "seq_len", minimum: 1, maximum: 1 << 31, unit: "tokens",
        fields: ["seq_len", "sequence_length", "max_seq_len", "packed_document_tokens"],
        why: "fits the C uint32_t field; seq_len*micro_batch_size <= 2^51 stays exact in a double "
            + "and seq_len*global_batch_size <= 2^62 in an Int")
    public static let microBatchSize = Limit(
        name: "micro_batch_size", minimum: 1, maximum: 1 << 20, unit: "sequences",
        fields: ["micro_batch_size", "micro_batch_sizes"],
        why: "tokens per micro-batch seq_len*micro_batch_size <= 2^51 stay exact in a double (2^53)")
    public static let globalBatchSize = Limit(
        name: "global_batch_size", minimum: 1, maximum: 1 << 31, unit: "sequences",
        fields: ["global_batch_size", "gradient_accumulation_steps"],
        why: "gradient accumulation steps (<= global batch) fit the uint32_t of a search entry; "
            + "tokens per step seq_len*global_batch_size <= 2^62 fit an Int")
    public static let numGPUs = Limit(
        name: "num_gpus", minimum: 1, maximum: 1 << 24, unit: "GPUs",
        fields: ["num_gpus", "total_gpus"],
        why: "tp*pp*dp*cp equals it; 2^24 keeps it and its product with any degree below 2^48")
    public static let gpusPerNode = Limit(
        name: "gpus_per_node", minimum: 1, maximum: 1 << 24, unit: "GPUs",
        fields: ["gpus_per_node"],
        why: "one NVLink domain; no larger than the largest job (num_gpus)")
    public static let parallelDegree = Limit(
        name: "parallel_degree", minimum: 1, maximum: 1 << 24, unit: "ranks",
        fields: ["tp", "pp", "vpp", "dp", "cp", "ep", "etp", "max_tp", "max_pp", "max_vpp",
                 "max_cp", "max_ep", "max_etp"],
        why: "no degree exceeds num_gpus (vpp: num_hidden_layers); products of two stay below 2^48, "
            + "of four are checked")
    public static let zeroStage = Limit(
        name: "zero_stage", minimum: 0, maximum: 3, unit: "stage",
        fields: ["zero_stage", "zero_stages"],
        why: "ZeRO stages 0 (none) to 3 (parameters sharded) (Rajbhandari et al. 2020)")
    public static let numLayers = Limit(
        name: "num_hidden_layers", minimum: 1, maximum: 1 << 24, unit: "layers",
        fields: ["num_hidden_layers"],
        why: "model sizes below 2^24 keep products of two below 2^48; the 2^52-parameter cap bounds the rest")
    public static let hiddenSize = Limit(
        name: "hidden_size", minimum: 1, maximum: 1 << 24, unit: "elements",
        fields: ["hidden_size"],
        why: "as num_hidden_layers: products of two widths stay below 2^48")
    public static let numAttentionHeads = Limit(
        name: "num_attention_heads", minimum: 1, maximum: 1 << 24, unit: "heads",
        fields: ["num_attention_heads", "num_key_value_heads"],
        why: "as num_hidden_layers: products of two widths stay below 2^48")
    public static let numExperts = Limit(
        name: "num_experts", minimum: 1, maximum: 1 << 24, unit: "experts",
        fields: ["num_experts", "num_experts_per_tok"],
        why: "as num_hidden_layers: products of two widths stay below 2^48")
    public static let vocabSize = Limit(
        name: "vocab_size", minimum: 1, maximum: 1 << 24, unit: "tokens",
        fields: ["vocab_size"],
        why: "as num_hidden_layers: products of two widths stay below 2^48")
    public static let parameters = Limit(
        name: "parameters", minimum: 1, maximum: 1 << 52, unit: "parameters",
        fields: ["parameters"],
        why: "every parameter term is a summand of the total; below 2^52 no integer product in the "
            + "exact count overflows and the total is exact in a double")
    public static let modelDimension = Limit(
        name: "model_dimension", minimum: 0, maximum: 1 << 24, unit: "elements",
        fields: ["intermediate_size", "head_dim", "moe_intermediate_size", "n_shared_experts",
                 "shared_expert_intermediate_size", "first_k_dense_replace", "moe_layer_freq",
                 "q_lora_rank", "kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim",
                 "n_positions", "max_position_embeddings", "num_nextn_predict_layers"],
        why: "every other model width or count; products of two stay below 2^48 (minimum per "
            + "field: 1 for widths that cannot be empty)")
    public static let recomputeNumLayers = Limit(
        name: "recompute_num_layers", minimum: 1, maximum: 1 << 24, unit: "layers",
        fields: ["recompute_num_layers"],
        why: "at most num_hidden_layers (checked at creation) and the layers of one model chunk "
            + "(checked per plan)")
    public static let stageLayers = Limit(
        name: "stage_layers", minimum: 1, maximum: 1 << 24, unit: "layers",
        fields: ["first_stage_layers", "last_stage_layers"],
        why: "at most num_hidden_layers (checked per plan)")
    public static let jsonBytes = Limit(
        name: "json_bytes", minimum: 0, maximum: 64 << 20, unit: "bytes",
        fields: ["json", "settings_json", "runs_json", "profile_json"],
        why: "a config.json is kilobytes and a measured-runs file megabytes; 64 MiB bounds memory "
            + "before parsing")
    public static let jsonDepth = Limit(
        name: "json_depth", minimum: 0, maximum: 64, unit: "levels",
        fields: ["json"],
        why: "a config.json is a few levels deep; the bound keeps the decoder's recursion shallow")
    public static let searchList = Limit(
        name: "search_list", minimum: 1, maximum: 16, unit: "entries",
        fields: ["micro_batch_sizes", "optimizer_offload_ratios"],
        why: "the fixed arrays of pdcost_search_options (PDCOST_SEARCH_MAX_LIST); each entry "
            + "multiplies the plans priced")
    public static let searchTopK = Limit(
        name: "search_top_k", minimum: 1, maximum: 100_000, unit: "plans",
        fields: ["top_k"],
        why: "ranked plans kept in memory")
    public static let searchThreads = Limit(
        name: "search_threads", minimum: 0, maximum: 1024, unit: "threads",
        fields: ["threads"],
        why: "0 = every core; more threads than cores only adds overhead")
    public static let varySettingsKeys = Limit(
        name: "vary_settings_keys", minimum: 0, maximum: 4, unit: "keys",
        fields: ["vary_settings"],
        why: "each key doubles the searches: 2^4 = 16 at most")

    public static let servingSequences = Limit(
        name: "serving_sequences", minimum: 1, maximum: 1 << 20, unit: "sequences",
        fields: ["batch_size", "concurrency", "max_num_seqs", "cuda_graph_max_batch"],
        why: "sequences decoded together; tokens per iteration (sequences x context <= 2^51) stay "
            + "exact in a double")
    public static let servingRequests = Limit(
        name: "serving_requests", minimum: 1, maximum: 1 << 31, unit: "requests",
        fields: ["num_requests"],
        why: "requests of one benchmark run; fits the C uint32_t field")

    public static let traceBlocks = Limit(
        name: "trace_blocks", minimum: 1, maximum: 1 << 20, unit: "blocks",
        fields: ["micro_batches x pp x vpp x 2"],
        why: "forward and backward blocks one step trace draws (1.5): about 3 events of ~150 bytes "
            + "each, so the document stays under 0.5 GiB")

    /// The table in a stable order (training setup, cluster, plan, model, inputs, search).
    public static let loraRank = Limit(
        name: "lora_rank", minimum: 1, maximum: 1 << 16, unit: "rank",
        fields: ["lora_rank"],
        why: "far above any published recipe (PEFT and NeMo use 8-64); fits the C uint32_t field")

    public static let all: [Limit] = [
        seqLen, microBatchSize, globalBatchSize, numGPUs, gpusPerNode, parallelDegree, zeroStage,
        recomputeNumLayers, stageLayers, numLayers, hiddenSize, numAttentionHeads, numExperts,
        vocabSize, modelDimension, parameters, jsonBytes, jsonDepth, searchList, searchTopK, searchThreads,
        varySettingsKeys, servingSequences, servingRequests, loraRank, traceBlocks,
    ]

    /// A limit by its table name.
    public static func named(_ name: String) -> Limit? { all.first { $0.name == name } }

    /// The table as JSON: `{"version": 1, "limits": {name: {"minimum", "maximum", "range",
    /// "unit", "fields", "why"}}}`, keys in table order. Every string is plain ASCII without
    /// quotes or backslashes (a test holds this), so no escaping is needed.
    public static func json() -> String {
        func quoted(_ s: String) -> String { "\"" + s + "\"" }
        var out = "{\"version\": \(version), \"limits\": {"
        for (i, l) in all.enumerated() {
            if i > 0 { out += ", " }
            out += "\n  " + quoted(l.name) + ": {\"minimum\": \(l.minimum), \"maximum\": \(l.maximum), "
                + "\"range\": " + quoted(l.range) + ", \"unit\": " + quoted(l.unit) + ", \"fields\": ["
                + l.fields.map(quoted).joined(separator: ", ") + "], \"why\": " + quoted(l.why) + "}"
        }
        return out + "\n}}\n"
    }
}
