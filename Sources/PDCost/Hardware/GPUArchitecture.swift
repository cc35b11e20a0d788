/// NVIDIA GPU architectures. A GPU's architecture is a field of its `GPUSpec` (set by every
/// preset, stated by the user for a custom part), never read from its name. It decides the
/// default efficiencies (`EfficiencyProfile.defaults(for:)`: kernel libraries mature per
/// architecture, not per SKU), the tensor-core capabilities a part of that architecture has,
/// and the reference part a custom GPU is completed from (`GPUCompletion`).
public enum GPUArchitecture: String, Sendable, Hashable, CaseIterable {
    /// sm_70 (V100).
    case volta
    /// sm_80 / sm_86 (A100, A800, A10, RTX 30xx).
    case ampere
    /// sm_89 (L4, L40, L40S, RTX 40xx).
    case ada
    /// sm_90 (H100, H800, H20, H200).
    case hopper
    /// sm_100 / sm_120 (B200, GB200, RTX 50xx).
    case blackwell
    /// sm_103, Blackwell Ultra (B300, GB300): Blackwell's tensor cores and kernels on a die with
    /// 160 SMs instead of 148, twice the SFU exponent rate and a higher power limit (NVIDIA,
    /// "Inside NVIDIA Blackwell Ultra", 2025; Verda, "NVIDIA GB300 NVL72: GPU Architecture &
    /// Performance", per-GPU table). Its own default efficiencies (`EfficiencyProfile.defaults`).
    case blackwellUltra = "blackwell_ultra"

    /// The architecture of a CUDA compute capability (CUDA C++ Programming Guide, "Compute
    /// Capabilities": 7.0 Volta, 8.0/8.6/8.7 Ampere, 8.9 Ada, 9.0 Hopper, 10.x/12.x Blackwell,
    /// 10.3 Blackwell Ultra; 7.5 is Turing, which pdcost does not model). Nil for anything else.
    public init?(computeCapabilityMajor major: Int, minor: Int) {
        switch (major, minor) {
        case (7, 0), (7, 2): self = .volta
        case (8, 9): self = .ada
        case (8, _): self = .ampere
        case (9, _): self = .hopper
        case (10, 3): self = .blackwellUltra
        case (10, _), (11, _), (12, _): self = .blackwell
        default: return nil
        }
    }

    /// Whether parts of this architecture have FP8 tensor cores: Ada (4th-generation tensor
    /// cores, "FP8 Tensor Core" rows of the L40S/RTX 4090 datasheets), Hopper and Blackwell
    /// (Transformer Engine). Volta and Ampere have none (A100 whitepaper, Table 1).
    public var hasFP8: Bool { self == .ada || self == .hopper || isBlackwellFamily }

    /// Whether parts of this architecture have FP4 tensor cores: Blackwell only (NVIDIA
    /// Blackwell architecture technical brief, "second-generation Transformer Engine ... FP4").
    public var hasFP4: Bool { isBlackwellFamily }

    /// Blackwell or Blackwell Ultra: the same tensor-core generation and kernel libraries.
    public var isBlackwellFamily: Bool { self == .blackwell || self == .blackwellUltra }

    /// The canonical name of the preset a custom GPU of this architecture is completed from when
    /// no preset matches its name: the architecture's flagship training part.
    public var referencePresetName: String {
        switch self {
        case .volta: "V100-SXM-32GB"
        case .ampere: "A100-SXM-80GB"
        case .ada: "L40S"
        case .hopper: "H100-SXM-80GB"
        case .blackwell: "B200"
        case .blackwellUltra: "B300"
        }
    }
}
