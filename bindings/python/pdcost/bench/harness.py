"""The step loop: build the model, warm up, time steps with CUDA events, read the peaks.

Train step: ``gradient_accumulation_steps`` micro-batches of forward + loss + backward on
random token ids, then ``optimizer.step()`` and ``zero_grad``. Inference step: one
forward-only prefill of a micro-batch. One GPU computes under ``torch.autocast`` with fp32
parameters and fused AdamW (torchtitan's single-device AMP path); FSDP2 runs cast through
``MixedPrecisionPolicy`` instead (distributed.py).

Timing: a CUDA event pair around each step, read after the last step, so host gaps inside a
step count and no synchronisation disturbs the loop; the record takes the median. Memory:
``reset_peak_memory_stats`` after the warm-up, then ``max_memory_allocated/reserved`` after the
timed steps (the optimizer states exist from the first warm-up step on).
"""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import subprocess
import sys
import time
from typing import Any, Callable

from .config import BenchConfig, resolve_model
from .records import Measurement, build_record
from ._torch import require_device
from . import distributed

__all__ = ["run", "measure", "environment", "is_out_of_memory"]


def environment(torch: Any, device: str) -> dict[str, str]:
    """Versions that decide speed: torch, CUDA, cuDNN, driver, Python, the allocator setting."""
    env = {"torch": str(torch.__version__), "python": platform.python_version()}
    if device == "cuda":
        env["CUDA"] = str(getattr(torch.version, "cuda", "") or "")
        try:
            env["cuDNN"] = str(torch.backends.cudnn.version() or "")
        except Exception:  # noqa: BLE001 - informational only
            pass
        env["GPU"] = torch.cuda.get_device_name()
        driver = _driver_version()
        if driver:
            env["driver"] = driver
        env["PYTORCH_CUDA_ALLOC_CONF"] = os.environ.get("PYTORCH_CUDA_ALLOC_CONF", "")
    else:
        env["device"] = "cpu (smoke test, not a measurement)"
    return env


def _driver_version() -> str:
    """The NVIDIA driver version from nvidia-smi, or "" when it is not there."""
    smi = shutil.which("nvidia-smi")
    if not smi:
        return ""
    try:
        out = subprocess.run([smi, "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout.strip() else ""


def is_out_of_memory(error: BaseException) -> bool:
    """torch.cuda.OutOfMemoryError, or a CUDA/cuBLAS allocation failure raised as RuntimeError."""
    if type(error).__name__ == "OutOfMemoryError":
        return True
    text = str(error)
    return isinstance(error, RuntimeError) and (
        "out of memory" in text.lower() or "CUBLAS_STATUS_ALLOC_FAILED" in text)


class _Timer:
    """CUDA events on a GPU, the wall clock (after a synchronising read) on the CPU."""

    def __init__(self, torch: Any, device: str, count: int) -> None:
        self.torch, self.cuda = torch, device == "cuda"
        if self.cuda:
            self.starts = [torch.cuda.Event(enable_timing=True) for _ in range(count)]
            self.ends = [torch.cuda.Event(enable_timing=True) for _ in range(count)]
        else:
            self.wall: list[tuple[float, float]] = [(0.0, 0.0)] * count

    def time(self, index: int, step: Callable[[], None]) -> None:
        if self.cuda:
            self.starts[index].record()
            step()
            self.ends[index].record()
        else:
            start = time.perf_counter()
            step()
            self.wall[index] = (start, time.perf_counter())

    def seconds(self) -> list[float]:
        if self.cuda:
            self.torch.cuda.synchronize()
            return [s.elapsed_time(e) / 1e3 for s, e in zip(self.starts, self.ends)]
        return [end - start for start, end in self.wall]


def measure(config: BenchConfig, *, log: Callable[[str], None] | None = None) -> tuple[Measurement, Any, bool]:
    """Runs one configuration; returns (measurement, resolved model config, is rank 0)."""
    torch = require_device(config.device)
    say = log or (lambda _msg: None)
    ctx = distributed.setup(config, torch)
    model_config = resolve_model(config)
    device = torch.device("cuda", torch.cuda.current_device()) if config.device == "cuda" \
        else torch.device("cpu")
    torch.manual_seed(config.seed + ctx.rank)
    dtype = torch.bfloat16 if config.dtype == "bf16" else torch.float16
    train = config.mode == "train"

    from .model import build_model

    model = build_model(model_config)
    model.recompute = config.recompute
    if config.compile:
        for layer in model.layers:
            layer.compile()

    def materialize(module: Any) -> None:
        module.to_empty(device=device)
        module.init_weights(config.seq_len)
        if not train:
            if config.device == "cuda":
                module.to(dtype)
            module.eval()

    if config.device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    net = distributed.parallelize(model, config, ctx, torch, materialize)
    # The CPU smoke mode computes in fp32: CPU bf16 matmuls without AMX are slow, and it
    # measures nothing anyway.
    autocast = (contextlib.nullcontext() if not train or config.device == "cpu"
                or distributed.uses_mixed_precision_wrapper(config, ctx)
                else torch.autocast(device_type=config.device, dtype=dtype))
    optimizer = None
    scaler = None
    if train:
        params = [p for p in net.parameters() if p.requires_grad]
        kinds = {type(p.data).__name__ == "DTensor" for p in params}
        # Fused AdamW on plain CUDA tensors (torchtitan's default implementation); foreach
        # kernels on DTensors; a per-parameter loop when TP leaves the norms as plain tensors
        # beside DTensor projections (foreach ops refuse the mix).
        if len(kinds) > 1:
            options: dict[str, bool] = {"foreach": False}
        elif config.device == "cuda" and kinds == {False}:
            options = {"fused": True}
        else:
            options = {"foreach": True}
        # lr does not change the cost; a small one keeps random-weight training finite.
        optimizer = torch.optim.AdamW(params, lr=1e-5, weight_decay=0.1, **options)
        if config.dtype == "fp16":
            scaler = torch.amp.GradScaler(config.device)

    vocab = model_config.vocab_size
    shape = (config.micro_batch_size, config.seq_len)
    batches = [torch.randint(0, vocab, shape, device=device)
               for _ in range(config.gradient_accumulation_steps)]
    labels = [torch.randint(0, vocab, shape, device=device)
              for _ in range(config.gradient_accumulation_steps)]
    no_sync = getattr(net, "no_sync", None)

    def train_step() -> None:
        assert optimizer is not None
        gas = config.gradient_accumulation_steps
        for i in range(gas):
            sync_ctx = no_sync() if no_sync is not None and i < gas - 1 else contextlib.nullcontext()
            with sync_ctx:
                with autocast:
                    loss = net(batches[i], labels[i]) / gas
                (scaler.scale(loss) if scaler is not None else loss).backward()
        if scaler is not None:
            scaler.step(optimizer)
            scaler.update()
        else:
            optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    def inference_step() -> None:
        with torch.inference_mode(), autocast:
            net(batches[0])

    step = train_step if train else inference_step
    say(f"warm-up: {config.warmup_steps} step(s)")
    for _ in range(config.warmup_steps):
        step()
    if config.device == "cuda":
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    timer = _Timer(torch, config.device, config.steps)
    for index in range(config.steps):
        timer.time(index, step)
    times = timer.seconds()
    allocated = reserved = None
    if config.device == "cuda":
        allocated = torch.cuda.max_memory_allocated()
        reserved = torch.cuda.max_memory_reserved()
        peaks = distributed.reduce_max([float(allocated), float(reserved)], ctx, torch, device)
        allocated, reserved = int(peaks[0]), int(peaks[1])
    times = distributed.reduce_max(times, ctx, torch, device)

    if config.device == "cuda":
        gpu_name = torch.cuda.get_device_name()
        per_node = min(ctx.local_world_size, torch.cuda.device_count()) or 1
    else:
        gpu_name, per_node = "cpu", ctx.local_world_size
    measurement = Measurement(step_times_s=times, peak_allocated_bytes=allocated,
                              peak_reserved_bytes=reserved, gpu_name=gpu_name,
                              num_gpus=ctx.world_size, gpus_per_node=per_node,
                              environment=environment(torch, config.device),
                              timer="CUDA events" if config.device == "cuda" else "wall clock")
    del net, model, optimizer, batches, labels
    return measurement, model_config, ctx.is_main


def release_memory() -> None:
    """Frees what a finished or failed run left in the caching allocator."""
    import gc

    gc.collect()
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.synchronize()
        torch.cuda.empty_cache()


def run(config: BenchConfig, *, log: Callable[[str], None] | None = None) -> dict[str, Any] | None:
    """Measures one configuration and returns its record (None on ranks other than 0)."""
    try:
        measurement, model_config, main = measure(config, log=log)
    finally:
        release_memory()
    return build_record(config, model_config, measurement) if main else None
