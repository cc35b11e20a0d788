"""Several GPUs under torchrun: process group, device mesh, TP, FSDP2 or DDP (small on purpose).

Launched as ``torchrun --nproc-per-node N -m pdcost.bench ...`` with ``N = tp × dp``. The plan
follows torchtitan's (torchtitan/models/llama3/infra/parallelize.py):

* tensor parallel: DTensor ``parallelize_module`` with ``ColwiseParallel`` on q/k/v and the
  gate/up projections and ``RowwiseParallel`` on o_proj and down_proj (Megatron's split,
  Shoeybi et al. 2019 §3); the embedding, the LM head and the norms stay replicated, and no
  sequence parallelism;
* data parallel: FSDP2 ``fully_shard`` per decoder layer and on the root, bf16 parameters and
  fp32 gradient reduction (``MixedPrecisionPolicy``), or DDP when ``fsdp=False``. FSDP1 is
  the fallback on torch releases without FSDP2.

Only rank 0 writes records; step times and memory peaks are the maximum over ranks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable

from ..errors import InfeasiblePlanError, InvalidArgumentError, UnsupportedError
from .config import BenchConfig

__all__ = ["Context", "launched_world_size", "setup", "parallelize", "reduce_max", "teardown"]


@dataclass(slots=True)
class Context:
    """The process's place in the job."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    local_world_size: int = 1
    mesh: Any = None
    """DeviceMesh with dims ("dp", "tp"), or None for one process."""

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def launched_world_size() -> int:
    """Processes torchrun started (WORLD_SIZE), 1 outside torchrun."""
    try:
        return max(int(os.environ.get("WORLD_SIZE", "1")), 1)
    except ValueError:
        return 1


def setup(config: BenchConfig, torch: Any) -> Context:
    """Joins the process group and builds the mesh when the run needs more than one process."""
    world = launched_world_size()
    if config.world_size != world:
        raise InvalidArgumentError(
            f"tp*dp={config.world_size} processes are needed but WORLD_SIZE={world}; launch with "
            f"`torchrun --nproc-per-node {config.world_size} -m pdcost.bench ...`")
    if world == 1:
        return Context()
    import torch.distributed as dist
    from torch.distributed.device_mesh import init_device_mesh

    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    local_world = int(os.environ.get("LOCAL_WORLD_SIZE", str(world)))
    if config.device == "cuda":
        torch.cuda.set_device(local_rank)
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if config.device == "cuda" else "gloo")
    mesh = init_device_mesh(config.device, (config.dp, config.tp), mesh_dim_names=("dp", "tp"))
    return Context(rank=dist.get_rank(), world_size=world, local_rank=local_rank,
                   local_world_size=local_world, mesh=mesh)


def _check_plan(model: Any, config: BenchConfig) -> None:
    m = model.config
    if config.tp > 1:
        if m.num_experts is not None:
            raise UnsupportedError("pdcost.bench: tensor parallelism of MoE models is not built "
                                   "(use dp/fsdp)")
        for name, count in (("num_attention_heads", m.num_attention_heads),
                            ("num_key_value_heads", m.num_key_value_heads),
                            ("intermediate_size", m.intermediate_size)):
            if count % config.tp:
                raise InfeasiblePlanError(f"tp={config.tp} does not divide {name}={count}")
    if config.tp > 1 and config.dp > 1 and not config.fsdp:
        raise UnsupportedError("pdcost.bench: tp>1 with dp>1 needs fsdp=True (DDP over DTensor "
                               "parameters is not supported)")
    if config.fsdp and config.dtype == "fp16":
        raise UnsupportedError("pdcost.bench: FSDP runs take dtype='bf16' (fp16 needs a sharded "
                               "gradient scaler)")


def _tensor_parallel(model: Any, mesh: Any) -> None:
    from torch.distributed.tensor.parallel import (ColwiseParallel, RowwiseParallel,
                                                   parallelize_module)

    for layer in model.layers:
        plan: dict[str, Any] = {
            "self_attn.q_proj": ColwiseParallel(), "self_attn.k_proj": ColwiseParallel(),
            "self_attn.v_proj": ColwiseParallel(), "self_attn.o_proj": RowwiseParallel(),
            "mlp.up_proj": ColwiseParallel(), "mlp.down_proj": RowwiseParallel(),
        }
        if getattr(layer.mlp, "gate_proj", None) is not None:
            plan["mlp.gate_proj"] = ColwiseParallel()
        parallelize_module(layer, mesh, plan)


def _fully_shard_api() -> tuple[Callable[..., Any], Any] | None:
    """(fully_shard, MixedPrecisionPolicy) of FSDP2: torch>=2.6 public, 2.4-2.5 _composable."""
    try:
        from torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard
        return fully_shard, MixedPrecisionPolicy
    except ImportError:
        pass
    try:
        from torch.distributed._composable.fsdp import MixedPrecisionPolicy, fully_shard
        return fully_shard, MixedPrecisionPolicy
    except ImportError:
        return None


def parallelize(model: Any, config: BenchConfig, ctx: Context, torch: Any,
                materialize: Callable[[Any], None]) -> Any:
    """Applies the plan to the model (built on the meta device) and materialises it.

    ``materialize(module)`` allocates and initialises the weights; it runs after TP and FSDP2
    (so each rank allocates its shard only) and before DDP or FSDP1 (which need real tensors).
    Returns the module to train (possibly a wrapper).
    """
    if ctx.mesh is None:
        materialize(model)
        return model
    _check_plan(model, config)
    if config.tp > 1:
        _tensor_parallel(model, ctx.mesh["tp"])
    if config.dp == 1:
        materialize(model)
        return model
    dtype = torch.bfloat16 if config.dtype == "bf16" else torch.float16
    if config.fsdp:
        api = _fully_shard_api()
        if api is not None:
            fully_shard, MixedPrecisionPolicy = api
            policy = MixedPrecisionPolicy(param_dtype=dtype, reduce_dtype=torch.float32)
            dp_mesh = ctx.mesh["dp"]
            for layer in model.layers:
                fully_shard(layer, mesh=dp_mesh, mp_policy=policy)
            fully_shard(model, mesh=dp_mesh, mp_policy=policy)
            materialize(model)
            return model
        # FSDP1 fallback (torch < 2.4).
        from torch.distributed.fsdp import FullyShardedDataParallel, MixedPrecision
        from torch.distributed.fsdp.wrap import ModuleWrapPolicy

        from .model import DecoderLayer

        materialize(model)
        return FullyShardedDataParallel(
            model, process_group=ctx.mesh["dp"].get_group(),
            auto_wrap_policy=ModuleWrapPolicy({DecoderLayer}),
            mixed_precision=MixedPrecision(param_dtype=dtype, reduce_dtype=torch.float32),
            device_id=ctx.local_rank if config.device == "cuda" else None, use_orig_params=True)
    from torch.nn.parallel import DistributedDataParallel

    materialize(model)
    return DistributedDataParallel(
        model, device_ids=[ctx.local_rank] if config.device == "cuda" else None,
        process_group=ctx.mesh["dp"].get_group())


def uses_mixed_precision_wrapper(config: BenchConfig, ctx: Context) -> bool:
    """FSDP casts parameters itself; the other plans compute under autocast."""
    return ctx.mesh is not None and config.dp > 1 and config.fsdp


def reduce_max(values: list[float], ctx: Context, torch: Any, device: Any) -> list[float]:
    """Element-wise maximum over ranks (the slowest rank sets the step; the fullest GPU the
    peak)."""
    if ctx.mesh is None:
        return values
    import torch.distributed as dist

    tensor = torch.tensor(values, dtype=torch.float64, device=device)
    dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
    return [float(v) for v in tensor.tolist()]


def teardown(ctx: Context) -> None:
    """Leaves the process group (end of the process)."""
    if ctx.mesh is None:
        return
    import torch.distributed as dist

    if dist.is_initialized():
        try:
            dist.barrier()  # leave together (see pdcost.bench.serve.teardown)
        finally:
            dist.destroy_process_group()
