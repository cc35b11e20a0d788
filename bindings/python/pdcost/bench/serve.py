"""``python -m pdcost.bench serve``: static-batch generation in plain PyTorch with a KV cache.

One batch of ``batch_size`` random prompts of ``input_tokens`` tokens is prefilled, then
decoded greedily for ``output_tokens - 1`` more steps, every step on the whole batch (the
``static_batch`` scenario of shared/validation/SCHEMA.md; TensorRT-LLM's gptSessionBenchmark
measures the same thing). The model is :mod:`pdcost.bench.model`'s decoder with random
weights; this module only adds a cached forward pass over its modules.

Strategies (one process per device, launched with ``torchrun``; the ranks are laid out
tp-innermost, then pp, then dp, as Megatron-LM's ``initialize_model_parallel`` does):

* data-parallel replicas (``dp``): every replica holds the whole model and decodes its own
  batch; the aggregate throughput is the sum over replicas;
* tensor parallel (``tp``): q/k/v and gate/up are split by output columns, o_proj and
  down_proj by input rows, with one all-reduce after each row-split product (Shoeybi et al.
  2019, Megatron-LM §3); embedding, norms and LM head are replicated;
* pipeline parallel (``pp``): contiguous layer ranges per stage; every step the hidden states
  go stage to stage by ``send``/``recv`` and the last stage sends the sampled tokens back to
  the first. There is one batch in flight (no micro-batch interleaving), so a stage waits
  while the others work: pipeline parallelism here buys memory, not speed;
* TP × PP: both.

Timing: each step ends with the sampled tokens on the host (``.cpu()``, which synchronises,
as a server must before streaming a token), read with ``time.perf_counter``. TTFT is the
prefill step, ITL the gaps between the following steps, TPOT ``(e2e - TTFT) /
(output_tokens - 1)`` and the end-to-end latency the whole batch; all measured on the last
pipeline stage (where tokens appear). Memory: ``torch.cuda.max_memory_allocated`` /
``max_memory_reserved`` over the timed runs, maximum over ranks; not measured on the CPU
(torch has no allocator statistics there).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Callable

from ..errors import InfeasiblePlanError, InvalidArgumentError, UnsupportedError
from ._torch import require_device
from .serving_records import ServeConfig, ServeMeasurement

__all__ = ["run_serve", "generate", "Layout", "teardown"]


@dataclass(slots=True)
class Layout:
    """This process's place: replica ``d``, stage ``p``, TP rank ``t`` (rank = (d·pp + p)·tp + t)."""

    rank: int = 0
    world: int = 1
    tp: int = 1
    pp: int = 1
    dp: int = 1
    tp_group: Any = None

    @property
    def t(self) -> int:
        return self.rank % self.tp

    @property
    def p(self) -> int:
        return (self.rank // self.tp) % self.pp

    @property
    def d(self) -> int:
        return self.rank // (self.tp * self.pp)

    def stage_rank(self, stage: int) -> int:
        """Global rank of the same replica and TP rank on pipeline stage ``stage``."""
        return (self.d * self.pp + stage) * self.tp + self.t

    @property
    def first(self) -> bool:
        return self.p == 0

    @property
    def last(self) -> bool:
        return self.p == self.pp - 1


def _setup(config: ServeConfig, torch: Any) -> Layout:
    """Joins the process group (gloo on the CPU, NCCL on GPUs) and builds the TP groups."""
    world = int(os.environ.get("WORLD_SIZE", "1") or 1)
    if world != config.world_size:
        raise InvalidArgumentError(
            f"tp*pp*dp={config.world_size} processes are needed but WORLD_SIZE={world}; launch "
            f"with `torchrun --nproc-per-node {config.world_size} -m pdcost.bench serve ...`")
    if world == 1:
        return Layout()
    import torch.distributed as dist

    if config.device == "cuda":
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if config.device == "cuda" else "gloo")
    layout = Layout(rank=dist.get_rank(), world=world, tp=config.tp, pp=config.pp, dp=config.dp)
    # Every rank creates every group, in the same order (torch.distributed.new_group).
    for start in range(0, world, config.tp):
        group = dist.new_group(list(range(start, start + config.tp))) if config.tp > 1 else None
        if start <= layout.rank < start + config.tp:
            layout.tp_group = group
    return layout


def _check(model: Any, config: ServeConfig) -> None:
    m = model.config
    if config.tp > 1:
        if m.num_experts is not None:
            raise UnsupportedError("pdcost.bench serve: tensor parallelism of MoE models is not "
                                   "built (use dp or pp)")
        for name, count in (("num_attention_heads", m.num_attention_heads),
                            ("num_key_value_heads", m.num_key_value_heads),
                            ("intermediate_size", m.intermediate_size)):
            if not count or count % config.tp:
                raise InfeasiblePlanError(f"tp={config.tp} does not divide {name}={count}")
    if config.pp > m.num_hidden_layers:
        raise InfeasiblePlanError(f"pp={config.pp} > num_hidden_layers={m.num_hidden_layers}")


def _stage_layers(num_layers: int, pp: int, stage: int) -> range:
    """Contiguous layers of ``stage``: the first ``num_layers % pp`` stages take one more."""
    base, extra = divmod(num_layers, pp)
    start = stage * base + min(stage, extra)
    return range(start, start + base + (1 if stage < extra else 0))


def _shard(model: Any, layout: Layout, torch: Any) -> None:
    """Keeps this TP rank's columns/rows of every projection (Megatron's split)."""
    from torch import nn

    tp, t = layout.tp, layout.t

    def cols(linear: Any) -> None:  # split the output features
        n = linear.weight.shape[0] // tp
        linear.weight = nn.Parameter(linear.weight[t * n:(t + 1) * n].clone(), requires_grad=False)
        if linear.bias is not None:
            linear.bias = nn.Parameter(linear.bias[t * n:(t + 1) * n].clone(), requires_grad=False)

    def rows(linear: Any) -> None:  # split the input features; the bias is added after the sum
        n = linear.weight.shape[1] // tp
        linear.weight = nn.Parameter(linear.weight[:, t * n:(t + 1) * n].clone(), requires_grad=False)

    for layer in model.layers:
        if not hasattr(layer, "self_attn"):  # another stage's layer (an Identity)
            continue
        attn, mlp = layer.self_attn, layer.mlp
        for linear in (attn.q_proj, attn.k_proj, attn.v_proj):
            cols(linear)
        rows(attn.o_proj)
        for linear in (getattr(mlp, "gate_proj", None), mlp.up_proj):
            if linear is not None:
                cols(linear)
        rows(mlp.down_proj)


class _Runner:
    """The cached forward pass of one stage (and TP rank) over the model's own modules."""

    def __init__(self, model: Any, config: ServeConfig, layout: Layout, torch: Any,
                 device: Any, dtype: Any) -> None:
        import torch.nn.functional as F

        self.torch, self.F, self.model, self.layout = torch, F, model, layout
        self.config, self.device, self.dtype = config, device, dtype
        m = model.config
        self.layers = list(_stage_layers(m.num_hidden_layers, layout.pp, layout.p))
        self.rope = not m.n_positions  # learned positions (GPT-2) or RoPE, as model.py
        self.hd = m.head_dim or m.hidden_size // m.num_attention_heads
        kv_heads = (m.num_key_value_heads or m.num_attention_heads) // layout.tp
        length = config.input_tokens + config.output_tokens
        shape = (config.batch_size, kv_heads, length, self.hd)
        # The KV cache: one preallocated [batch, kv heads, input + output, head_dim] pair per
        # layer of this stage, in the compute dtype (vLLM kv_cache_dtype="auto").
        self.cache = {i: (torch.zeros(shape, device=device, dtype=dtype),
                          torch.zeros(shape, device=device, dtype=dtype)) for i in self.layers}

    def _all_reduce(self, x: Any) -> Any:
        if self.layout.tp > 1:
            import torch.distributed as dist

            dist.all_reduce(x, group=self.layout.tp_group)
        return x

    def _row(self, linear: Any, x: Any) -> Any:
        """A row-split product: partial sums, all-reduce, then the (replicated) bias."""
        y = self._all_reduce(self.F.linear(x, linear.weight))
        return y if linear.bias is None else y + linear.bias

    def _attention(self, attn: Any, x: Any, index: int, start: int) -> Any:
        torch, F = self.torch, self.F
        b, s, _ = x.shape
        hd = self.hd
        q = attn.q_proj(x).view(b, s, -1, hd)
        k = attn.k_proj(x).view(b, s, -1, hd)
        v = attn.v_proj(x).view(b, s, -1, hd)
        if attn.q_norm is not None and attn.k_norm is not None:
            q, k = attn.q_norm(q), attn.k_norm(k)      # Qwen3Attention: norm before RoPE
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        if self.rope:                                   # RoPE at the absolute positions
            cos = self.model.rope_cos[start:start + s].to(q.dtype)
            sin = self.model.rope_sin[start:start + s].to(q.dtype)
            q = q * cos + _rotate_half(torch, q) * sin
            k = k * cos + _rotate_half(torch, k) * sin
        keys, values = self.cache[index]
        keys[:, :, start:start + s] = k
        values[:, :, start:start + s] = v
        k, v = keys[:, :, :start + s], values[:, :, :start + s]
        groups = q.shape[1] // k.shape[1]
        if groups > 1:  # repeat_kv (transformers modeling_llama.py)
            k = k.repeat_interleave(groups, dim=1)
            v = v.repeat_interleave(groups, dim=1)
        # Prefill: causal over the prompt. Decode: the one new query sees every cached key.
        out = F.scaled_dot_product_attention(q, k, v, is_causal=s > 1)
        return self._row(attn.o_proj, out.transpose(1, 2).reshape(b, s, -1))

    def _mlp(self, mlp: Any, x: Any) -> Any:
        if not hasattr(mlp, "up_proj"):  # MoE block (dp/pp only): the model's own forward
            return mlp(x)
        if mlp.gate_proj is not None:
            return self._row(mlp.down_proj, mlp.act(mlp.gate_proj(x)) * mlp.up_proj(x))
        return self._row(mlp.down_proj, mlp.act(mlp.up_proj(x)))

    def embed(self, tokens: Any, start: int) -> Any:
        x = self.model.embed_tokens(tokens)
        if self.model.embed_positions is not None:
            positions = self.torch.arange(start, start + tokens.shape[1], device=tokens.device)
            x = x + self.model.embed_positions(positions)
        return x

    def layers_forward(self, x: Any, start: int) -> Any:
        for i in self.layers:
            layer = self.model.layers[i]
            x = x + self._attention(layer.self_attn, layer.input_layernorm(x), i, start)
            x = x + self._mlp(layer.mlp, layer.post_attention_layernorm(x))
        return x

    def sample(self, x: Any) -> Any:
        """Greedy next tokens of the last position, [batch, 1]."""
        logits = self.model.lm_head(self.model.norm(x[:, -1:, :]))
        return logits.argmax(dim=-1)


def _rotate_half(torch: Any, x: Any) -> Any:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def generate(runner: _Runner, prompts: Any) -> tuple[list[float], Any]:
    """One static batch: prefill, then decode to ``output_tokens``. Returns the host times
    (perf_counter) at which each step's tokens were on the host, the start time first, and
    the generated tokens [batch, output_tokens] (on the last stage; None elsewhere)."""
    torch, layout, config = runner.torch, runner.layout, runner.config
    import torch.distributed as dist

    b, hidden = config.batch_size, runner.model.config.hidden_size
    times = [time.perf_counter()]
    tokens = prompts
    produced = []
    start = 0
    for step in range(config.output_tokens):
        s = tokens.shape[1]
        if layout.first:
            x = runner.embed(tokens, start)
        else:
            x = torch.empty((b, s, hidden), device=runner.device, dtype=runner.dtype)
            dist.recv(x, src=layout.stage_rank(layout.p - 1))
        x = runner.layers_forward(x, start)
        if not layout.last:
            dist.send(x.contiguous(), dst=layout.stage_rank(layout.p + 1))
        next_tokens = runner.sample(x) if layout.last else \
            torch.empty((b, 1), device=runner.device, dtype=torch.long)
        if layout.pp > 1 and step < config.output_tokens - 1:
            # The sampled tokens go back to the first stage for the next step.
            if layout.last:
                dist.send(next_tokens, dst=layout.stage_rank(0))
            elif layout.first:
                dist.recv(next_tokens, src=layout.stage_rank(layout.pp - 1))
        if layout.last:
            produced.append(next_tokens.cpu())   # synchronises: the token is on the host
        elif runner.device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter())
        start += s
        tokens = next_tokens
    return times, (torch.cat(produced, dim=1) if produced else None)


def _build(config: ServeConfig, layout: Layout, torch: Any, device: Any, dtype: Any) -> _Runner:
    from .model import build_model, init_parameters
    from .serving_records import resolve_serve_model

    model = build_model(resolve_serve_model(config))
    _check(model, config)
    keep = set(_stage_layers(model.config.num_hidden_layers, layout.pp, layout.p))
    for i in range(len(model.layers)):
        if i not in keep:  # other stages' layers: never allocated
            model.layers[i] = torch.nn.Identity()
    # The same seed on every rank, and one seed per layer: every TP rank slices the same
    # full weights, and a stage's layers are the ones a single process would build.
    torch.manual_seed(config.seed)
    # Allocate in the compute dtype directly (the meta model casts for free): a rank holds the
    # full 16-bit weights only until TP slices them, never fp32 copies.
    model.to(dtype)
    model.to_empty(device=device)
    model.init_weights(config.input_tokens + config.output_tokens)
    seeded = [(i + 1, model.layers[i]) for i in sorted(keep)]
    seeded += [(-1, model.embed_tokens), (-2, model.embed_positions), (-3, model.lm_head),
               (-4, model.norm)]
    for offset, module in seeded:
        if module is not None:
            torch.manual_seed(config.seed * 1_000_003 + offset + 8)
            init_parameters(module)
    # Only the first stage embeds and only the last one samples (a tied head keeps the
    # embedding matrix on the last stage through lm_head.weight).
    if not layout.first:
        model.embed_tokens = None
        model.embed_positions = None
    if not layout.last:
        model.lm_head = None
    if layout.tp > 1:
        _shard(model, layout, torch)
    model.to(dtype)
    model.eval()
    model.requires_grad_(False)
    return _Runner(model, config, layout, torch, device, dtype)


def run_serve(config: ServeConfig, *, log: Callable[[str], None] | None = None) -> ServeMeasurement | None:
    """Measures one static-batch configuration; returns the measurement on rank 0, None on
    the others (every rank of a torchrun job must call it)."""
    torch = require_device(config.device)
    say = log or (lambda _m: None)
    layout = _setup(config, torch)
    device = torch.device("cuda", torch.cuda.current_device()) if config.device == "cuda" \
        else torch.device("cpu")
    # The CPU computes in fp32 (bf16 matmuls without AMX are slow; the CPU run measures the
    # code, not a GPU). On a GPU the weights and the cache are in the compute dtype.
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}[config.dtype] \
        if config.device == "cuda" else torch.float32
    runner = _build(config, layout, torch, device, dtype)
    vocab = runner.model.config.vocab_size
    generator = torch.Generator(device="cpu").manual_seed(config.seed + 1 + layout.d)
    prompts = torch.randint(0, vocab, (config.batch_size, config.input_tokens),
                            generator=generator).to(device)

    if device.type == "cuda":
        # The full weights TP sliced are free now; give their blocks back so that
        # max_memory_reserved shows what serving holds, not the construction.
        torch.cuda.synchronize()
        torch.cuda.empty_cache()
    all_times: list[list[float]] = []
    with torch.inference_mode():
        for i in range(config.warmup_runs + config.runs):
            if i == config.warmup_runs:
                if device.type == "cuda":
                    torch.cuda.synchronize()
                    torch.cuda.reset_peak_memory_stats()
                say(f"warm-up done; {config.runs} timed run(s)")
            if layout.world > 1:
                import torch.distributed as dist

                dist.barrier()  # every replica starts its batch together
            times, tokens = generate(runner, prompts)
            if i >= config.warmup_runs:
                all_times.append(times)

    allocated = reserved = None
    if device.type == "cuda":
        allocated = int(torch.cuda.max_memory_allocated())
        reserved = int(torch.cuda.max_memory_reserved())
    local = {"rank": layout.rank, "last": layout.last, "t": layout.t, "d": layout.d,
             "times": all_times, "allocated": allocated, "reserved": reserved,
             "tokens": None if tokens is None else tokens.tolist()}
    if layout.world > 1:
        import torch.distributed as dist

        gathered: list[Any] = [None] * layout.world
        dist.all_gather_object(gathered, local)
        dist.barrier()
    else:
        gathered = [local]
    if layout.rank != 0:
        return None
    from .harness import environment

    # One timing source per replica: its last stage, TP rank 0.
    per_replica = [g["times"] for g in gathered if g["last"] and g["t"] == 0]
    peaks = [g["allocated"] for g in gathered if g["allocated"] is not None]
    reserved_peaks = [g["reserved"] for g in gathered if g["reserved"] is not None]
    if device.type == "cuda":
        gpu_name = torch.cuda.get_device_name()
        per_node = min(int(os.environ.get("LOCAL_WORLD_SIZE", str(layout.world))),
                       torch.cuda.device_count()) or 1
    else:
        gpu_name, per_node = "cpu", int(os.environ.get("LOCAL_WORLD_SIZE", str(layout.world)))
    return ServeMeasurement(
        replica_step_times=per_replica, peak_allocated_bytes=max(peaks) if peaks else None,
        peak_reserved_bytes=max(reserved_peaks) if reserved_peaks else None,
        gpu_name=gpu_name, num_gpus=layout.world, gpus_per_node=per_node,
        environment=environment(torch, config.device),
        tokens=[g["tokens"] for g in gathered if g["last"] and g["t"] == 0])


def teardown() -> None:
    """Leaves the process group, if one was joined (the end of a torchrun process)."""
    import sys

    torch = sys.modules.get("torch")
    if torch is None:
        return
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        # Every rank leaves together: a rank that destroys its gloo pairs while a peer is still
        # between its last collective and its own teardown can abort that peer's gloo thread
        # ("terminate called without an active exception", seen on a loaded 2-core machine).
        try:
            dist.barrier()
        finally:
            dist.destroy_process_group()
