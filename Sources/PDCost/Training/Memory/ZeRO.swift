/// Model-state memory under the Zero Redundancy Optimizer (Rajbhandari et al. 2020, "ZeRO:
/// Memory Optimizations Toward Training Trillion Parameter Models", §5.1 and Figure 1).
public enum ZeRO {
    /// Bytes per GPU of weights, gradients and optimizer states for `Ψ` parameters replicated
    /// over `N` data-parallel ranks:
    /// stage 0: (w + g + K)Ψ; stage 1: (w + g)Ψ + KΨ/N; stage 2: wΨ + (g + K)Ψ/N;
    /// stage 3: (w + g + K)Ψ/N. The paper's mixed-precision Adam has w = g = 2 and K = 12.
    public static func modelStateBytes(parameters psi: Double, stage: Int, ranks n: Double,
                                       weightBytes w: Double = 2, gradientBytes g: Double = 2,
                                       optimizerBytes k: Double = 12)
        -> (weights: Double, gradients: Double, optimizer: Double) {
        let n = max(n, 1)
        switch stage {
        case ..<1: return (w * psi, g * psi, k * psi)
        case 1: return (w * psi, g * psi, k * psi / n)
        case 2: return (w * psi, g * psi / n, k * psi / n)
        default: return (w * psi / n, g * psi / n, k * psi / n)
        }
    }
}
