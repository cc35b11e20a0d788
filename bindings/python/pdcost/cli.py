"""The ``pdcost`` command line.

::

    pdcost model NAME|path/to/config.json [--seq-len N] [--json]
    pdcost gpu [NAME] [--json]
    pdcost --version

Each subcommand is a ``(name, register)`` entry of :data:`COMMANDS`: ``register`` adds its
parser to the subparsers and sets ``handler`` to a function ``(args) -> int``. Later commands
(``predict``, ``search``, ``validate``, ``calibrate``) are added the same way.

Errors in what the user typed (unknown names, unreadable or invalid files, bad values) print
one line on stderr and exit with status 2; a failure inside pdcost exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Callable, Sequence

from . import __version__, library_version
from .config import GPUSpec, ModelConfig
from .errors import NotFoundError, PDCostError

__all__ = ["main", "COMMANDS"]

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2

#: The attention-mask column names, in output order.
MASKS = (("causal", True), ("full", False))


# ------------------------------------------------------------------------------------------------
# Formatting helpers
# ------------------------------------------------------------------------------------------------


def _billions(count: int) -> str:
    return f"{count / 1e9:,.2f} B"


def _share(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:6.2f}%" if whole else "     -"


def _gflop(flops: float) -> str:
    return f"{flops / 1e9:,.2f} GFLOP"


def _table(rows: Sequence[Sequence[str]], align: str) -> list[str]:
    """Rows of cells as aligned text; align is one of '<' or '>' per column."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(align))]
    lines = []
    for row in rows:
        cells = [f"{cell:{a}{w}}" for cell, a, w in zip(row, align, widths)]
        lines.append("  " + "  ".join(cells).rstrip())
    return lines


# ------------------------------------------------------------------------------------------------
# pdcost model
# ------------------------------------------------------------------------------------------------


def _load_model(source: str) -> ModelConfig:
    """A preset name, a config.json path, or a directory holding a config.json."""
    if os.path.isdir(source):
        return ModelConfig.from_json(os.path.join(source, "config.json"))
    if os.path.exists(source) or source.endswith(".json") or os.sep in source:
        return ModelConfig.from_json(source)
    return ModelConfig.from_name(source)


def model_report(config: ModelConfig, seq_len: int) -> dict[str, Any]:
    """The analysis `pdcost model` prints, as plain data (the --json output)."""
    breakdown = config.parameter_breakdown()
    flops = {mask: config.flops_per_token(seq_len, causal=causal) for mask, causal in MASKS}
    return {
        "name": config.name,
        "model_type": config.model_type,
        "config": config.to_dict(),
        "parameters": {
            "total": config.num_parameters(),
            "active": config.num_active_parameters(),
            "components": breakdown,
        },
        "flops_per_token": {
            "seq_len": seq_len,
            **{mask: {"training": f.training, "forward": f.forward,
                      "matmul_forward": f.matmul_forward,
                      "attention_forward": f.attention_forward,
                      "matmul_parameters": f.matmul_parameters}
               for mask, f in flops.items()},
        },
    }


def _describe(config: ModelConfig) -> list[str]:
    kv = config.num_key_value_heads
    lines = [f"{config.name}  ({config.model_type})",
             f"  {config.num_hidden_layers} layers, hidden {config.hidden_size}, "
             f"{config.num_attention_heads} heads (kv {kv}, head_dim {config.head_dim}), "
             f"vocab {config.vocab_size}"]
    if config.kv_lora_rank is not None:
        lines.append(f"  MLA: q_lora_rank {config.q_lora_rank}, kv_lora_rank {config.kv_lora_rank}, "
                     f"qk {config.qk_nope_head_dim}+{config.qk_rope_head_dim}, v {config.v_head_dim}")
    if config.num_experts is not None:
        moe = (f"  MoE: {config.num_experts} experts, top-{config.num_experts_per_tok}, "
               f"expert FFN {config.moe_intermediate_size}")
        if config.n_shared_experts:
            moe += f", {config.n_shared_experts} shared"
        if config.first_k_dense_replace:
            moe += f", first {config.first_k_dense_replace} layers dense"
        lines.append(moe)
    elif config.intermediate_size:
        lines.append(f"  FFN {config.intermediate_size} ({config.mlp_type})")
    return lines


def _model_text(config: ModelConfig, report: dict[str, Any]) -> str:
    params = report["parameters"]
    total, active = params["total"], params["active"]
    lines = _describe(config)
    lines += ["", "Parameters"]
    lines += _table([
        ("total", _billions(total), f"{total:,}", ""),
        ("active", _billions(active), f"{active:,}", _share(active, total) + " of total"),
    ], "<>><")
    lines += ["", "Components (exact; share of total)"]
    rows: list[tuple[str, ...]] = [(name, f"{count:,}", _billions(count), _share(count, total))
            for name, count in params["components"].items() if count and name != "mtp"]
    mtp = params["components"].get("mtp", 0)
    if mtp:
        rows.append(("mtp (not in total)", f"{mtp:,}", _billions(mtp), ""))
    lines += _table(rows, "<>>>")

    fpt = report["flops_per_token"]
    lines += ["", f"FLOPs per token at seq_len {fpt['seq_len']:,} "
                  "(training = 3 x forward; causal = attention halved)"]
    rows = [("", "causal mask", "full mask")]
    for key, label in (("training", "training (fwd+bwd)"), ("forward", "forward"),
                       ("matmul_forward", "  matmuls"), ("attention_forward", "  attention core")):
        rows.append((label, _gflop(fpt["causal"][key]), _gflop(fpt["full"][key])))
    lines += _table(rows, "<>>")
    lines.append(f"  matmul weights per token: {fpt['causal']['matmul_parameters']:,} "
                 f"(rule of thumb 6 x active params: {_gflop(6.0 * active)})")
    return "\n".join(lines)


def _run_model(args: argparse.Namespace) -> int:
    config = _load_model(args.model)
    report = model_report(config, args.seq_len)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(_model_text(config, report))
    return EXIT_OK


def _seq_len(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if not 1 <= value <= 2**31:
        raise argparse.ArgumentTypeError(f"{value} is not in 1..2**31")
    return value


def _register_model(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "model", help="parameter counts and FLOPs of a model",
        description="Exact parameter counts per component and FLOPs per token of a preset "
                    "model or a Hugging Face config.json.")
    parser.add_argument("model", metavar="NAME|CONFIG.json",
                        help="a preset name (see the error for the list) or a config.json path")
    parser.add_argument("--seq-len", type=_seq_len, default=8192, metavar="N",
                        help="sequence length for the attention FLOPs (default: 8192)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(handler=_run_model)


# ------------------------------------------------------------------------------------------------
# pdcost gpu
# ------------------------------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:,.1f}" if value else "-"


def _gpu_text_one(gpu: GPUSpec) -> str:
    rows = [
        ("memory", f"{gpu.memory_gb:g} GiB"),
        ("BF16 / FP16", f"{_number(gpu.bf16_tflops)} / {_number(gpu.fp16_tflops)} TFLOP/s"),
        ("FP8", f"{_number(gpu.fp8_tflops)} TFLOP/s"),
        ("TF32 / FP32", f"{_number(gpu.tf32_tflops)} / {_number(gpu.fp32_tflops)} TFLOP/s"),
        ("HBM", f"{_number(gpu.hbm_gb_per_s)} GB/s"),
        ("NVLink (per GPU, one way)", f"{_number(gpu.nvlink_gb_per_s)} GB/s"),
        ("network (per GPU, one way)", f"{_number(gpu.network_gb_per_s)} GB/s"),
        ("PCIe (one way)", f"{_number(gpu.pcie_gb_per_s)} GB/s"),
        ("TDP", f"{gpu.tdp_watts:g} W"),
        ("GPUs per NVLink domain", str(gpu.gpus_per_node)),
    ]
    lines = [gpu.name] + _table(rows, "<<")
    if gpu.source:
        lines.append(f"  source: {gpu.source}")
    return "\n".join(lines)


def _gpu_text_all(gpus: Sequence[GPUSpec]) -> str:
    rows = [("GPU", "GiB", "BF16 TF/s", "FP8 TF/s", "HBM GB/s", "NVLink GB/s", "NIC GB/s")]
    rows += [(g.name, f"{g.memory_gb:g}", _number(g.bf16_tflops), _number(g.fp8_tflops),
              _number(g.hbm_gb_per_s), _number(g.nvlink_gb_per_s), _number(g.network_gb_per_s))
             for g in gpus]
    return "\n".join(_table(rows, "<>>>>>>")
                     + ["", "  dense peaks; bandwidths per GPU, one direction. "
                            "`pdcost gpu NAME` shows one GPU with its sources."])


def _run_gpu(args: argparse.Namespace) -> int:
    if args.name is not None:
        gpu = GPUSpec.from_name(args.name)
        print(json.dumps(gpu.to_dict(), indent=2) if args.json else _gpu_text_one(gpu))
    else:
        gpus = list(GPUSpec.presets().values())
        print(json.dumps([g.to_dict() for g in gpus], indent=2) if args.json
              else _gpu_text_all(gpus))
    return EXIT_OK


def _register_gpu(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "gpu", help="list the GPU presets or show one",
        description="GPU presets: memory, dense peak TFLOP/s per dtype and bandwidths, with "
                    "their datasheet sources.")
    parser.add_argument("name", nargs="?", metavar="NAME",
                        help="a GPU name or alias, e.g. H100-80GB-HBM3 (default: list all)")
    parser.add_argument("--json", action="store_true", help="print as JSON")
    parser.set_defaults(handler=_run_gpu)


# ------------------------------------------------------------------------------------------------
# Entry point
# ------------------------------------------------------------------------------------------------

#: Subcommands in help order: (name, register(subparsers)).
COMMANDS: list[tuple[str, Callable[[Any], None]]] = [
    ("model", _register_model),
    ("gpu", _register_gpu),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pdcost", description="Predict the performance of distributed LLM training.")
    parser.add_argument("--version", action="version",
                        version=f"pdcost {__version__} (libpdcost {library_version()})")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    subparsers.required = True
    for _, register in COMMANDS:
        register(subparsers)
    return parser


def _fail(message: str, status: int) -> int:
    print(f"pdcost: error: {message}", file=sys.stderr)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.handler(args)
        return status
    except NotFoundError as error:
        hint = "; or pass a path to a config.json" if args.handler is _run_model else ""
        return _fail(f"{error}{hint}", EXIT_USAGE)
    except (ValueError, LookupError) as error:  # includes the bad-input PDCostErrors
        return _fail(str(error), EXIT_USAGE)
    except BrokenPipeError:  # `pdcost gpu | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_INTERNAL
    except OSError as error:  # PDCostIOError and unreadable paths
        return _fail(str(error) if not error.filename else f"{error.filename}: {error.strerror}",
                     EXIT_USAGE)
    except PDCostError as error:
        return _fail(f"{error} ({error.status}; please report this)", EXIT_INTERNAL)


if __name__ == "__main__":
    sys.exit(main())
