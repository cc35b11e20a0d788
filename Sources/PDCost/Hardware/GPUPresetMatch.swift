/// Which preset a custom GPU's name refers to, for `GPUCompletion`.
///
/// The rule, in order (never a guess from a letter of the name):
/// 1. Exact: the name is a preset's canonical name or alias (`GPUPresets.named`: case, spaces
///    and underscores ignored, a leading "NVIDIA"/"Tesla" dropped). "H800" → H800-SXM-80GB.
/// 2. Family: the name's model token — its first hyphen-separated token after dropping
///    system/product-line prefixes (HGX, DGX, GeForce, RTX) — equals the model token of a
///    preset's name or alias ("a100", "h100", "l40s", "4090"...). Among that family the preset sharing the most tokens
///    with the name wins ("A100-80GB-SXM4" shares `80gb` and `sxm4` with A100-SXM-80GB), ties
///    going to the first in `GPUPresets.all` order, the family's reference part.
///    "HGX-A100-80GB" → A100-SXM-80GB; "H100-SXM5-64GB" → H100-SXM-80GB.
/// 3. Otherwise none: "Baseline-A100" matches nothing (its model token is "baseline"); such a
///    GPU is completed from its stated architecture or rejected.
public enum GPUPresetMatch {
    /// How the preset was found.
    public enum Kind: String, Sendable { case exact, family }

    /// Prefixes naming a system or product line rather than the GPU model.
    static let systemPrefixes: Set<String> = ["hgx", "dgx", "geforce", "rtx"]

    public static func preset(for name: String) -> (gpu: GPUSpec, kind: Kind)? {
        if let exact = try? GPUPresets.named(name) { return (exact, .exact) }
        let tokens = modelTokens(of: name)
        guard let model = tokens.first, !model.isEmpty else { return nil }
        let wanted = Set(tokens)
        var best: (gpu: GPUSpec, score: Int)?
        for gpu in GPUPresets.all {
            let names = [gpu.name] + gpu.aliases
            let models = Set(names.compactMap { Self.modelTokens(of: $0).first })
            guard models.contains(model) else { continue }
            let presetTokens = Set(names.flatMap { Self.tokens(of: $0) })
            let score = wanted.intersection(presetTokens).count
            if best == nil || score > (best?.score ?? 0) { best = (gpu, score) }
        }
        return best.map { ($0.gpu, .family) }
    }

    /// The tokens from the model token on (system prefixes dropped, at least one token kept).
    static func modelTokens(of name: String) -> [String] {
        var result = tokens(of: name)
        while let first = result.first, systemPrefixes.contains(first), result.count > 1 {
            result.removeFirst()
        }
        return result
    }

    /// The lookup key split at hyphens ("NVIDIA H100 80GB HBM3" → h100, 80gb, hbm3).
    static func tokens(of name: String) -> [String] {
        GPUPresets.lookupKey(name).split(separator: "-").map(String.init)
    }
}
