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

    /// Chunk length of flash-linear-attention's chunked gated delta rule (`chunk_size = 64`,
    /// fla/ops/gated_delta_rule/chunk.py).
    static let deltaChunk = 64.0

    /// Forward bytes per token of one Gated DeltaNet mixer (Qwen3-Next, Qwen3.5) on one rank, with
    /// H value heads (queries and keys repeated to them before the kernel, transformers
    /// Qwen3NextGatedDeltaNet), key and value head widths K and V, chunk BT = 64, 16-bit
    /// activations: the kernels of `chunk_gated_delta_rule_fwd` — the gate cumsum (8·H, fp32),
    /// `chunk_scaled_dot_kkt_fwd` (reads k, writes the fp32 BT-wide A), `solve_tril` (reads A,
    /// writes its 16-bit inverse), `recompute_w_u_fwd` (reads k, v and A, writes w and u),
    /// `chunk_gated_delta_rule_fwd_h` (reads k, w, u; writes the 16-bit chunk states H·K·V per
    /// chunk and the new values) and `chunk_fwd_o` (reads q, k, the new values and the states,
    /// writes o): 8H + 14HK + 12HV + 12H·BT + 4·HKV/BT; plus the causal conv over q, k and v
    /// (read and write, 4·C for C conv channels), the gated norm (reads o and z, writes its output:
    /// 6HV) and the split of the in-projection output (read and write: 4·P for P projected
    /// channels).
    static func gatedDeltaNetForwardBytesPerToken(_ s: DeltaNetSpec) -> Double {
        let H = Double(s.numValueHeads), K = Double(s.keyHeadDim), V = Double(s.valueHeadDim), BT = deltaChunk
        let channels = Double(2 * s.keyWidth + s.valueWidth)
        let projected = Double(2 * s.keyWidth + 2 * s.valueWidth + 2 * s.numValueHeads)
        let scan = 8 * H + 14 * H * K + 12 * H * V + 12 * H * BT + 4 * H * K * V / BT
        return scan + 4 * channels + 6 * H * V + 4 * projected
    }

    /// Backward over forward bytes: the backward recomputes the conv and four forward SSD kernels
    /// (chunk_cumsum, chunk_state, state_passing, bmm_chunk) and runs the backward kernels, each
    /// reading the forward inputs with the output gradients and writing input gradients
    /// (ssd_combined.py `_mamba_chunk_scan_combined_bwd`: chunk_scan_bwd_dstates,
    /// state_passing_bwd, chunk_scan_chunk_state_bwd_dx, chunk_scan_bwd_dC/dcb, chunk_state_bwd_db,
    /// the dt/dA cumsum backward; causal_conv1d_bwd; layernorm_gated backward): one forward's
    /// bytes recomputed plus about 1.5× for the gradients' reads and writes. The chunked delta
    /// rule's backward has the same shape (it recomputes the chunk states and runs the dh, dv and
    /// dq/dk/dw/dg kernels, fla/ops/gated_delta_rule/chunk.py `chunk_gated_delta_rule_bwd`).
    static let backwardOverForward = 2.5
}
