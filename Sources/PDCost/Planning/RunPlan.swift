// Run planning: from a token budget and a cluster's throughput to wall-clock days, GPU-hours,
// cost and energy. The throughput comes from a prediction (or the best plan of a search); the
// rest is arithmetic on it, each input stated:
//
// - tokens to train: given, or compute-optimal for the model's parameter count: about 20 tokens
//   per parameter (Hoffmann et al. 2022, "Training Compute-Optimal Large Language Models",
//   arXiv 2203.15556, Table 3: 1.4 T tokens for 67 B ... 20.0 T for 1 T parameters); or, for a
//   compute budget C, N = sqrt(C / 120) and D = 20·N from C ≈ 6·N·D (Kaplan et al. 2020,
//   "Scaling Laws for Neural Language Models", arXiv 2001.08361, §2.1);
// - wall clock = tokens / (tokens/s of the job); GPU-hours = GPUs × hours; cost = GPU-hours ×
//   price per GPU-hour;
// - energy = GPUs × board power × average power fraction × PUE × hours. Defaults: a fraction of
//   1.0 of the board power (TDP) and a PUE of 1.2: BLOOM's 1.08 M A100-hours drew 433 MWh,
//   400 W per GPU-hour, the A100's TDP, in a data centre of PUE 1.2 (Luccioni et al. 2023,
//   "Estimating the Carbon Footprint of BLOOM", JMLR 24, §4 and Table 2);
// - with a target of days, the throughput that meets it: tokens / (days × 86,400 s).

/// What a run plan is priced from. Optional inputs are nil.
public struct RunPlanInputs: Sendable, Hashable {
    /// GPUs of the job.
    public var gpus: Int
    /// Sequence tokens per second of the whole job (a prediction's `tokensPerSecond`).
    public var tokensPerSecond: Double
    /// Tokens to train; nil = compute-optimal (for `computeBudgetFLOPs`, else `parameters`).
    public var tokens: Double?
    /// The model's parameters: the compute-optimal tokens without a budget, and the
    /// tokens-per-parameter figure; nil = not known (then `tokens` or a budget is needed).
    public var parameters: Double?
    /// Training FLOPs to spend compute-optimally (used only when `tokens` is nil).
    public var computeBudgetFLOPs: Double?
    /// Price of one GPU-hour; nil = no cost.
    public var pricePerGPUHour: Double?
    /// The GPU's board power (TDP), watts.
    public var boardPowerWatts: Double
    /// Average board power over `boardPowerWatts` while training.
    public var powerFraction: Double
    /// Power usage effectiveness of the data centre.
    public var pue: Double
    /// The wall-clock target, days; nil = none.
    public var targetDays: Double?

    public init(gpus: Int, tokensPerSecond: Double, tokens: Double? = nil, parameters: Double? = nil,
                computeBudgetFLOPs: Double? = nil, pricePerGPUHour: Double? = nil, boardPowerWatts: Double,
                powerFraction: Double = RunPlan.defaultPowerFraction, pue: Double = RunPlan.defaultPUE,
                targetDays: Double? = nil) {
        self.gpus = gpus
        self.tokensPerSecond = tokensPerSecond
        self.tokens = tokens
        self.parameters = parameters
        self.computeBudgetFLOPs = computeBudgetFLOPs
        self.pricePerGPUHour = pricePerGPUHour
        self.boardPowerWatts = boardPowerWatts
        self.powerFraction = powerFraction
        self.pue = pue
        self.targetDays = targetDays
    }
}

/// A training run priced end to end.
public struct RunPlan: Sendable, Hashable {
    /// Compute-optimal tokens per parameter (Hoffmann et al. 2022, Table 3).
    public static let chinchillaTokensPerParameter = 20.0
    /// Training FLOPs per parameter and token: C ≈ 6·N·D (Kaplan et al. 2020 §2.1).
    public static let flopsPerParameterToken = 6.0
    /// Average board power over the board's TDP during training (Luccioni et al. 2023: 400 W
    /// on the 400 W A100).
    public static let defaultPowerFraction = 1.0
    /// Power usage effectiveness (Luccioni et al. 2023: Jean Zay, 1.2).
    public static let defaultPUE = 1.2

    public var tokens: Double
    /// Parameters of the compute-optimal model for the budget, or the inputs' parameters.
    public var parameters: Double
    /// tokens / the inputs' parameters (0 when not known).
    public var tokensPerParameter: Double
    public var seconds: Double
    public var days: Double
    public var gpuHours: Double
    /// nil without a price.
    public var cost: Double?
    public var energyMWh: Double
    /// The job throughput that finishes in the target days (0 without a target).
    public var requiredTokensPerSecond: Double
    /// Whether the run finishes within the target (true without one).
    public var meetsTargetDays: Bool
    /// The power fraction and PUE the energy was priced at.
    public var powerFraction: Double
    public var pue: Double

    /// Compute-optimal (parameters, tokens) for a budget of `flops`: C = 6·N·D with D = 20·N,
    /// so N = sqrt(C / 120).
    public static func computeOptimal(flops: Double) -> (parameters: Double, tokens: Double) {
        let n = (flops / (flopsPerParameterToken * chinchillaTokensPerParameter)).squareRoot()
        return (n, chinchillaTokensPerParameter * n)
    }

    /// Prices `inputs`. Every number must be finite and > 0 where given, `gpus` within the
    /// limits table (a power fraction above 1 is allowed: boards can draw beyond their TDP).
    /// - Parameter prefix: put before each field name in messages ("inputs->").
    /// - Throws: `.invalidArgument` naming the field and value.
    public init(_ inputs: RunPlanInputs, prefix: String = "") throws(PDCostError) {
        func positive(_ name: String, _ value: Double?) throws(PDCostError) {
            guard let value else { return }
            guard value.isFinite, value > 0 else {
                throw .invalidArgument("\(prefix)\(name)=\(JSONWriter.describe(value)) must be a finite number > 0")
            }
        }
        try PDCostLimits.numGPUs.check(inputs.gpus, field: prefix + "gpus")
        try positive("tokens_per_second", inputs.tokensPerSecond)
        try positive("tokens", inputs.tokens)
        try positive("parameters", inputs.parameters)
        try positive("compute_budget_flops", inputs.computeBudgetFLOPs)
        try positive("price_per_gpu_hour", inputs.pricePerGPUHour)
        try positive("board_power_w", inputs.boardPowerWatts)
        try positive("power_fraction", inputs.powerFraction)
        try positive("pue", inputs.pue)
        try positive("target_days", inputs.targetDays)
        let tokens: Double, parameters: Double
        if let given = inputs.tokens {
            tokens = given
            parameters = inputs.parameters ?? 0
        } else if let budget = inputs.computeBudgetFLOPs {
            (parameters, tokens) = Self.computeOptimal(flops: budget)
        } else if let n = inputs.parameters {
            tokens = Self.chinchillaTokensPerParameter * n
            parameters = n
        } else {
            throw .invalidArgument("\(prefix)tokens, \(prefix)compute_budget_flops and \(prefix)parameters are all unset: "
                                   + "state one to know the tokens to train")
        }
        let gpus = Double(inputs.gpus)
        powerFraction = inputs.powerFraction
        pue = inputs.pue
        self.tokens = tokens
        self.parameters = parameters
        tokensPerParameter = inputs.parameters.map { tokens / $0 } ?? 0
        seconds = tokens / inputs.tokensPerSecond
        let hours = seconds / 3600
        days = hours / 24
        let gpuHours = gpus * hours
        self.gpuHours = gpuHours
        cost = inputs.pricePerGPUHour.map { gpuHours * $0 }
        energyMWh = gpus * inputs.boardPowerWatts * inputs.powerFraction * inputs.pue * hours / 1e6
        if let target = inputs.targetDays {
            requiredTokensPerSecond = tokens / (target * 86_400)
            meetsTargetDays = days <= target
        } else {
            requiredTokensPerSecond = 0
            meetsTargetDays = true
        }
        guard seconds.isFinite, energyMWh.isFinite, gpuHours.isFinite, (cost ?? 0).isFinite else {
            throw .invalidArgument("\(prefix)tokens=\(JSONWriter.describe(tokens)) over tokens_per_second="
                                   + "\(JSONWriter.describe(inputs.tokensPerSecond)) overflows a double")
        }
        // A vanishing target or parameter count makes the ratios overflow (found by the fuzz
        // target): refused naming the input, never an infinite result.
        guard requiredTokensPerSecond.isFinite else {
            throw .invalidArgument("\(prefix)target_days=\(JSONWriter.describe(inputs.targetDays ?? 0)) needs a throughput "
                                   + "of tokens=\(JSONWriter.describe(tokens)) per that time beyond a double")
        }
        guard tokensPerParameter.isFinite else {
            throw .invalidArgument("\(prefix)parameters=\(JSONWriter.describe(inputs.parameters ?? 0)) makes tokens="
                                   + "\(JSONWriter.describe(tokens)) per parameter overflow a double")
        }
    }
}
