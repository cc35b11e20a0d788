import CPDCost
import PDCost

// pdcost_model_analysis_json: everything the library knows about a model in one JSON document.
//
//   {
//     "name": "llama3-8b",
//     "config": { canonical model JSON, as pdcost_model_to_json },
//     "parameters": { "total": N, "active": N, "total_with_mtp": N,
//                     "components": { "embedding": N, "position_embedding": N, "attention": N,
//                                     "dense_mlp": N, "routed_experts": N, "shared_experts": N,
//                                     "router": N, "norms": N, "lm_head": N, "mtp": N } },
//     "flops_per_token": { "sequence_length": s,
//                          "causal": { FLOPs }, "full": { FLOPs } }
//   }
// where { FLOPs } = { "matmul_parameters", "matmul_forward", "attention_forward", "forward",
// "training" }, the fields of pdcost_flops.

struct AnalysisDocument: Encodable {
    struct Parameters: Encodable {
        var total: Int
        var active: Int
        var totalWithMTP: Int
        var components: [String: Int]

        enum CodingKeys: String, CodingKey {
            case total, active, components
            case totalWithMTP = "total_with_mtp"
        }
    }

    struct Flops: Encodable {
        var matmulParameters: Int
        var matmulForward: Double
        var attentionForward: Double
        var forward: Double
        var training: Double

        init(_ f: FlopsPerToken) {
            matmulParameters = f.matmulParameters
            matmulForward = f.matmulForward
            attentionForward = f.attentionForward
            forward = f.forward
            training = f.training
        }

        enum CodingKeys: String, CodingKey {
            case forward, training
            case matmulParameters = "matmul_parameters"
            case matmulForward = "matmul_forward"
            case attentionForward = "attention_forward"
        }
    }

    struct FlopsPerTokenSection: Encodable {
        var sequenceLength: Int
        var causal: Flops
        var full: Flops

        enum CodingKeys: String, CodingKey {
            case causal, full
            case sequenceLength = "sequence_length"
        }
    }

    var name: String
    var config: HuggingFaceConfig
    var parameters: Parameters
    var flopsPerToken: FlopsPerTokenSection
    /// Config keys the loader read but could not price (never dropped silently).
    var warnings: [String]

    enum CodingKeys: String, CodingKey {
        case name, config, parameters, warnings
        case flopsPerToken = "flops_per_token"
    }

    init(_ model: ModelHandle, sequenceLength s: Int) {
        let b = model.breakdown
        name = model.spec.name
        config = ModelLoader.canonicalConfig(for: model.spec)
        parameters = Parameters(
            total: b.total, active: model.active, totalWithMTP: b.totalWithMTP,
            components: Dictionary(b.components.map { ($0.name, $0.count) }, uniquingKeysWith: { first, _ in first }))
        flopsPerToken = FlopsPerTokenSection(
            sequenceLength: s,
            causal: Flops(ParameterCounter.flopsPerToken(model.spec, sequenceLength: s, mask: .causal)),
            full: Flops(ParameterCounter.flopsPerToken(model.spec, sequenceLength: s, mask: .full)))
        warnings = model.warnings
    }
}

@_cdecl("pdcost_model_analysis_json")
public func pdcost_model_analysis_json(_ out_json: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                                       _ model: OpaquePointer?, _ sequence_length: UInt64) -> pdcost_status {
    withStatus {
        let handle = try ModelHandle.borrow(model)
        let length = try sequenceLength(sequence_length)
        let out = try outString(out_json, "out_json")
        try store(try encodeJSON(AnalysisDocument(handle, sequenceLength: length), nonFinite: .nullWithWarning), in: out)
    }
}
