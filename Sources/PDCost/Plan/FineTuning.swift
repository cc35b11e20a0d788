/// What a training job trains: the whole model (pre-training, supervised fine-tuning) or
/// low-rank adapters on a frozen base (LoRA, QLoRA). The method decides which parameters keep
/// gradients and optimizer states, which GEMMs the backward runs and how the base is stored.
public struct FineTuning: Sendable, Hashable {
    public enum Method: String, Sendable, Hashable, CaseIterable {
        /// Every parameter trained (pre-training).
        case pretrain
        /// Supervised fine-tuning: every parameter trained, as pre-training.
        case sft
        /// LoRA (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models"): the base
        /// is frozen; each target linear W gains a trainable B·A of rank r.
        case lora
        /// QLoRA (Dettmers et al. 2023, "QLoRA: Efficient Finetuning of Quantized LLMs"): LoRA
        /// over a base stored in 4-bit NormalFloat, dequantised to bf16 for each GEMM.
        case qlora
    }

    /// The linear layers of a decoder layer an adapter can target, under Megatron's names
    /// (Hugging Face PEFT's in parentheses).
    public struct Targets: OptionSet, Sendable, Hashable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// linear_qkv (q_proj, k_proj, v_proj).
        public static let qkv = Targets(rawValue: 1 << 0)
        /// linear_proj (o_proj).
        public static let attentionOut = Targets(rawValue: 1 << 1)
        /// linear_fc1 (gate_proj, up_proj).
        public static let mlpIn = Targets(rawValue: 1 << 2)
        /// linear_fc2 (down_proj).
        public static let mlpOut = Targets(rawValue: 1 << 3)
        /// NeMo 2.0's LoRA default (nemo/collections/llm/peft/lora.py `target_modules`:
        /// linear_qkv, linear_proj, linear_fc1, linear_fc2).
        public static let all: Targets = [.qkv, .attentionOut, .mlpIn, .mlpOut]

        /// Every accepted name, Megatron's and Hugging Face PEFT's, and what it targets.
        public static let names: [(name: String, target: Targets)] = [
            ("linear_qkv", .qkv), ("q_proj", .qkv), ("k_proj", .qkv), ("v_proj", .qkv), ("qkv_proj", .qkv),
            ("linear_proj", .attentionOut), ("o_proj", .attentionOut),
            ("linear_fc1", .mlpIn), ("gate_proj", .mlpIn), ("up_proj", .mlpIn), ("gate_up_proj", .mlpIn),
            ("linear_fc2", .mlpOut), ("down_proj", .mlpOut),
            ("all", .all), ("all-linear", .all),
        ]

        /// Targets from a list of module names; an unknown name is an error naming it.
        public static func parse(_ list: some Sequence<some StringProtocol>, field: String) throws(PDCostError) -> Targets {
            var t: Targets = []
            for raw in list {
                let name = String(raw)
                guard let hit = names.first(where: { $0.name == name }) else {
                    throw .invalidArgument("\(field)='\(name)' is not one of \(names.map(\.name).joined(separator: ", "))")
                }
                t.formUnion(hit.target)
            }
            guard !t.isEmpty else { throw .invalidArgument("\(field) names no module") }
            return t
        }

        /// Megatron names of the targets, in layer order.
        public var megatronNames: [String] {
            [(Targets.qkv, "linear_qkv"), (.attentionOut, "linear_proj"), (.mlpIn, "linear_fc1"), (.mlpOut, "linear_fc2")]
                .filter { contains($0.0) }.map(\.1)
        }
    }

    public var method: Method
    /// Adapter rank r (LoRA, QLoRA).
    public var loraRank: Int
    /// Linear layers carrying adapters (LoRA, QLoRA).
    public var loraTargets: Targets

    /// Bits per base weight under QLoRA: 4-bit NF4 plus its quantisation constants — one fp32
    /// absmax per 64 weights, double-quantised to 8 bits with an fp32 constant per 256 blocks:
    /// 8/64 + 32/(64·256) = 0.127 bits (Dettmers et al. 2023 §3, "Double Quantization").
    public static let nf4BitsPerWeight = 4.0 + 8.0 / 64 + 32.0 / (64 * 256)

    /// Mean length, in tokens, of one SQuAD example as the fine-tuning recipes format it
    /// (context, question and answer in one prompt; Megatron-Bridge `process_squad_example`):
    /// the dataset's train split holds 79,346,108 bytes over 87,599 examples (Hugging Face
    /// `rajpurkar/squad` card, `dataset_info`), 906 B each, of which ~40 are the id and title;
    /// English prose runs ~4 characters per token under the 100k–128k BPE vocabularies
    /// (Llama 3, cl100k), so ≈ 215 tokens, ≈ 220 with the prompt's template words.
    public static let squadDocumentTokens = 220

    /// Pre-training: every parameter trained.
    public static let pretrain = FineTuning(method: .pretrain)

    /// The adapter rank when none is stated: Hugging Face PEFT `LoraConfig.r` is 8, NeMo 2.0
    /// `LoRA.dim` 32; 16 is the middle of the recipes that state one (dgxc-benchmarking's 70B
    /// LoRA). The C ABI's `lora_rank = 0` means this.
    public static let defaultLoRARank = 16

    public init(method: Method = .pretrain, loraRank: Int = FineTuning.defaultLoRARank, loraTargets: Targets = .all) {
        self.method = method
        self.loraRank = loraRank
        self.loraTargets = loraTargets
    }

    /// Whether the base weights are frozen (no gradients, no optimizer states, no weight
    /// gradients in the backward).
    public var freezesBase: Bool { method == .lora || method == .qlora }

    /// The setting checked: a rank in range when adapters are trained.
    func validated() throws(PDCostError) -> FineTuning {
        if freezesBase {
            try PDCostLimits.loraRank.check(loraRank, field: "lora_rank")
            guard !loraTargets.isEmpty else { throw .invalidArgument("lora_targets names no module") }
        }
        return self
    }
}
