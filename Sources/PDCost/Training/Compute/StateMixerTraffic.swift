/// HBM traffic of a Mamba-2 mixer's non-GEMM work in training.
///
/// The SSD scan is memory-bound, not FLOP-bound: its chunked algorithm does a few MFLOP per
/// token but writes and re-reads fp32 chunk states (H·P·N values per 128-token chunk). Pricing
/// its FLOPs at an attention kernel's rate would make it nearly free; its bytes do not.
/// Megatron-Core's training path (core_v0.17 ssm/mamba_mixer.py `_ssm_training`) runs, per
/// forward: a contiguous copy of the in_proj output, `mamba_split_conv1d_scan_combined`
/// (mamba_ssm ops/triton/ssd_combined.py: causal_conv1d, then chunk_cumsum, chunk_state,
/// state_passing, bmm_chunk and chunk_scan), a copy of the scan output and the gated RMSNorm
/// (ops/triton/layernorm_gated.py) before out_proj.
enum StateMixerTraffic {
    /// SSD chunk length of the mamba_ssm kernels (`chunk_size`, 128 in every Nemotron-H config).
    static let chunk = 128.0

    /// Forward bytes per token of one Mamba-2 mixer on one rank (16-bit activations, fp32
    /// states and chunk products), with I = H·P inner, X = I + 2·G·N conv channels and
    /// Z = 2·I + 2·G·N + H in_proj outputs:
    /// copy of the in_proj output 2·2Z; conv1d reads and writes X (4X); chunk_state reads x and
    /// B (2I + 2GN) and writes the chunk states (4·HPN/Q); state_passing reads and writes them
    /// (8·HPN/Q); bmm_chunk writes C·Bᵀ per group (4·G·Q); chunk_scan reads x, C, the states,
    /// C·Bᵀ and z and writes y (6I + 2GN + 4·HPN/Q + 4GQ); the gated norm reads y and z and
    /// writes its output (6I); the copies around it 4I.
    static func mamba2ForwardBytesPerToken(_ s: Mamba2Spec) -> Double {
        let H = Double(s.numHeads), P = Double(s.headDim), N = Double(s.stateSize), G = Double(s.groups)
        let I = H * P, GN = G * N, X = I + 2 * GN, Z = 2 * I + 2 * GN + H, Q = chunk
        let states = 4 * H * P * N / Q
        return 4 * Z + 4 * X + (2 * I + 2 * GN + states) + 2 * states + 4 * G * Q
            + (6 * I + 2 * GN + states + 4 * G * Q) + 6 * I + 4 * I
    }

    /// Backward over forward bytes: the backward recomputes the conv and four forward SSD kernels
    /// (chunk_cumsum, chunk_state, state_passing, bmm_chunk) and runs the backward kernels, each
    /// reading the forward inputs with the output gradients and writing input gradients
    /// (ssd_combined.py `_mamba_chunk_scan_combined_bwd`: chunk_scan_bwd_dstates,
    /// state_passing_bwd, chunk_scan_chunk_state_bwd_dx, chunk_scan_bwd_dC/dcb, chunk_state_bwd_db,
    /// the dt/dA cumsum backward; causal_conv1d_bwd; layernorm_gated backward): one forward's
    /// bytes recomputed plus about 1.5× for the gradients' reads and writes.
    static let backwardOverForward = 2.5
}
