"""The ``pdcost`` command line.

::

    pdcost model NAME|path/to/config.json [--seq-len N] [--json]
    pdcost gpu [NAME|GPU.json] [--explain NAME|GPU.json] [--json]
    pdcost predict --model NAME|config.json [--gpu NAME|GPU.json] [--gpus N] [--tp N --pp N ...] [--json]
    pdcost validate FILE [--json] [--only-complete] [--profile profile.json] [--overrides FILE]
    pdcost calibrate --gpu [--device N] [--gemm-size N] [--quick] [--out profile.json]
    pdcost calibrate --runs FILE [--params a,b] [--cv auto|none|leave-one-source-out|k-fold|leave-one-model-out] [--overrides DOC] [--out P]
    pdcost serve predict --model NAME [--gpu NAME] [--tp N] [--engine E] --input-tokens N --output-tokens N
                         [--concurrency N | --request-rate X | --batch-size N] [--<setting> ...] [--json]
    pdcost serve settings [--json]
    pdcost serve search MODEL [--gpu NAME] [--max-gpus N] --input-tokens N --output-tokens N
                        [--concurrency N] [--max-ttft-ms MS] [--max-tpot-ms MS] [--json]
    pdcost sweep GRID.yaml [-o OUT.parquet] [--workers N] [--ray [ADDRESS]]
    pdcost --version

Each subcommand is a ``(name, register)`` entry of :data:`COMMANDS`: ``register`` adds its
parser to the subparsers and sets ``handler`` to a function ``(args) -> int``. Later commands
(``search``, ``calibrate``) are added the same way.

Errors in what the user typed (unknown names, unreadable or invalid files, bad values) print
one line on stderr and exit with status 2; a failure inside pdcost exits with status 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import warnings
from typing import Any, Callable, Mapping, Sequence, get_args

from . import __version__, library_version
from . import _validate as check
from ._files import read_regular_file
from .config import (GIB, LORA_TARGETS, RECOMPUTE_MODULES, GPUSpec, HardwareConfig, Method, ModelConfig, Optimizer, ParallelConfig,
                     TrainingConfig, loads_strict)
from .costmodel import COMM_KINDS, FRAMEWORKS, PDCostModel, PredictionResult, validate_runs
from .errors import NotFoundError, ParseError, PDCostError
from .settings import VARIABLE_SETTINGS, FrameworkSettings, settings_fields
from .search import NoPlanFitsWarning, equivalent_note, group_equivalent, split_label
from .sweep import register_cli as register_sweep
from .serving import (ENGINES, KV_CACHE_PRECISIONS, SCENARIOS, WEIGHT_PRECISIONS, ServingDeployment,
                      ServingModel, ServingPrediction, ServingSettings, ServingWorkload,
                      serving_settings_fields)

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
        "warnings": config.warnings(),
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
        if config.moe_latent_size:
            moe += f" on a {config.moe_latent_size} latent"
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
    if report["warnings"]:
        lines += ["", "Warnings (read from the config but not priced)"]
        lines += [f"  {w}" for w in report["warnings"]]
    return "\n".join(lines)


def _run_model(args: argparse.Namespace) -> int:
    config = _load_model(args.model)
    report = model_report(config, args.seq_len)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(_model_text(config, report))
    return EXIT_OK


def _bounded(limit: str, what: str = "N") -> Callable[[str], int]:
    """An argparse type: an int within the library's limits-table entry ``limit``, the
    message quoting the table's range."""
    entry = check.LIMITS[limit]

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
        if not entry["minimum"] <= value <= entry["maximum"]:
            raise argparse.ArgumentTypeError(f"{what}={value} must be in {entry['range']}")
        return value

    parse.__name__ = limit  # argparse names the type in its "invalid ... value" errors
    return parse


_seq_len = _bounded("seq_len", "seq_len")


def _positive(text: str) -> int:
    """An argparse type: an int >= 1 with no table bound (counts such as steps; pdcost.bench)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be >= 1")
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


def _load_gpu(text: str) -> GPUSpec:
    """--gpu / `pdcost gpu` argument: a GPU JSON file (GPUSpec field names; unknown numbers are
    completed, unknown keys rejected) or a preset name/alias."""
    if text.endswith(".json") or os.path.isfile(text):
        return GPUSpec.from_json(os.fspath(text))
    return GPUSpec.from_name(text)


def _gpu_explain(gpu: GPUSpec) -> str:
    """Every value of the GPU with where it came from (stated or filled in, and from what)."""
    rows = [("field", "value", "source")]
    for name, value, source in gpu.explain():
        shown = value if isinstance(value, (str, bool)) or value is None else f"{value:g}"
        rows.append((name, str(shown), source))
    filled = len(gpu.filled_in)
    lines = [gpu.name] + _table(rows, "<><")
    lines.append("")
    lines.append(f"  {filled} value(s) filled in" if filled else "  every value stated")
    if gpu.source:
        lines.append(f"  source: {gpu.source}")
    return "\n".join(lines)


def _gpu_text_one(gpu: GPUSpec) -> str:
    rows = [
        ("architecture", f"{gpu.architecture} (FP8: {'yes' if gpu.supports_fp8 else 'no'}, "
                         f"FP4: {'yes' if gpu.supports_fp4 else 'no'})"),
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
    if args.explain is not None:
        gpu = _load_gpu(args.explain)
        if args.json:
            print(json.dumps({"gpu": gpu.to_dict(),
                              "filled_in": [dataclasses.asdict(f) for f in gpu.filled_in]},
                             indent=2))
        else:
            print(_gpu_explain(gpu))
    elif args.name is not None:
        gpu = _load_gpu(args.name)
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
    parser.add_argument("name", nargs="?", metavar="NAME|GPU.json",
                        help="a GPU name or alias, e.g. H100-80GB-HBM3, or a GPU JSON file "
                             "(default: list all)")
    parser.add_argument("--explain", metavar="NAME|GPU.json", default=None,
                        help="print every number of the GPU with its source, marking the ones "
                             "filled in (a custom GPU's unknown numbers come from the preset "
                             "its name matches or its architecture's reference part)")
    parser.add_argument("--json", action="store_true", help="print as JSON")
    parser.set_defaults(handler=_run_gpu)


# ------------------------------------------------------------------------------------------------
# pdcost settings
# ------------------------------------------------------------------------------------------------


def _run_settings(args: argparse.Namespace) -> int:
    rows = settings_fields()
    if args.json:
        print(json.dumps(list(rows), indent=2))
        return EXIT_OK
    frameworks = [args.framework] if args.framework else list(FRAMEWORKS)
    table = [["setting", "values"] + frameworks]
    for row in rows:
        kind = row["type"]
        values = ("|".join(row["choices"]) if kind == "choice"
                  else f"{row['minimum']}..{row['maximum']}" if kind == "integer"
                  else f"{row['minimum']:g}..{row['maximum']:g}" if kind == "number"
                  else "on/off" if kind == "bool" else "text")
        defaults = [json.dumps(row["defaults"].get(f)) for f in frameworks]
        table.append([row["key"] + (" *" if row.get("not_modelled") else ""), values] + defaults)
    lines = ["Framework settings and each framework's default (null: the framework has no such "
             "switch; it matters only when stated). Set them with --<setting> on predict and "
             "search, FrameworkSettings in Python, settings_json in C.", ""]
    lines += _table(table, "<<" + "<" * len(frameworks))
    lines += ["", "* accepted and reported, not priced yet: "
              + "; ".join(f"{r['key']}: {r['not_modelled']}" for r in rows if r.get("not_modelled"))]
    print("\n".join(lines))
    return EXIT_OK


def _register_settings(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "settings", help="list the framework settings and each framework's defaults",
        description="The framework switches a job can state (TP comm overlap, CUDA graphs, FP8 "
                    "recipe, MoE dispatch, ...), their values, and the default each framework "
                    "preset uses when a job does not state them.")
    parser.add_argument("--framework", choices=tuple(FRAMEWORKS), default=None,
                        help="show one framework's defaults only")
    parser.add_argument("--json", action="store_true", help="print the library's table as JSON")
    parser.set_defaults(handler=_run_settings)


# ------------------------------------------------------------------------------------------------
# pdcost predict
# ------------------------------------------------------------------------------------------------

#: CLI dtype names → TrainingConfig dtypes.
CLI_DTYPES = {"bf16": "bfloat16", "fp16": "float16", "fp8": "fp8"}
ZERO_SHARDING = ("none", "stage1", "stage2", "stage3")


def _add_job_arguments(parser: argparse.ArgumentParser) -> None:
    """--model, --gpu, --gpus, --gpus-per-node: what predict and search share."""
    parser.add_argument("--model", required=True, metavar="NAME|CONFIG.json",
                        help="a preset name or a config.json path")
    parser.add_argument("--gpu", default="H100-SXM-80GB", metavar="NAME|GPU.json",
                        help="GPU preset, or a GPU JSON file with GPUSpec fields (name, "
                             "architecture, memory_gb, bf16_tflops, ...; unknown numbers are "
                             "completed) (default: H100-SXM-80GB)")
    parser.add_argument("--gpus", type=_bounded("num_gpus", "--gpus"), default=8, metavar="N",
                        help="GPUs in the job (default: 8)")
    parser.add_argument("--gpus-per-node", type=_bounded("gpus_per_node", "--gpus-per-node"), default=None, metavar="N",
                        help="GPUs per NVLink domain (default: the GPU's usual node size)")
    parser.add_argument("--profile", metavar="FILE", default=None,
                        help="price with this calibration profile (from pdcost calibrate; default: none)")
    host = parser.add_argument_group(
        "host", "each node's host, for optimizer/parameter offload (DeepSpeed ZeRO-Offload, "
        "ZeRO-Infinity) and the host memory a plan needs; default: a DGX H100 node")
    host.add_argument("--host-memory-gib", type=_nonnegative("--host-memory-gib"), default=0.0, metavar="X",
                      help="host memory per node, GiB (default: 2048)")
    host.add_argument("--host-memory-gb-per-s", type=_nonnegative("--host-memory-gb-per-s"), default=0.0, metavar="X",
                      help="host memory bandwidth per node, GB/s (default: 614.4)")
    host.add_argument("--nvme-gb-per-s", type=_nonnegative("--nvme-gb-per-s"), default=0.0, metavar="X",
                      help="NVMe bandwidth per node, all drives, GB/s (default: 25)")
    host.add_argument("--cpu-adam-params-per-s", type=_nonnegative("--cpu-adam-params-per-s"), default=0.0,
                      metavar="X", help="CPU Adam parameter updates per second per node (default: 4e9)")


def _finite(flag: str, *, positive: bool) -> Callable[[str], float]:
    """A finite number, > 0 when `positive`, else >= 0."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag}={text!r} is not a number") from None
        if not ((value > 0 if positive else value >= 0) and value < float("inf")):
            raise argparse.ArgumentTypeError(f"{flag}={text} must be a finite number {'>' if positive else '>='} 0")
        return value
    return parse


def _nonnegative(flag: str) -> Callable[[str], float]:
    """A finite number >= 0 (0: the default)."""
    return _finite(flag, positive=False)


def _positive_float(flag: str) -> Callable[[str], float]:
    """A finite number > 0."""
    return _finite(flag, positive=True)


def _fraction(flag: str) -> Callable[[str], float]:
    """A number in [0, 1]."""
    base = _finite(flag, positive=False)

    def parse(text: str) -> float:
        value = base(text)
        if value > 1:
            raise argparse.ArgumentTypeError(f"{flag}={text} must be in [0, 1]")
        return value
    return parse


def _plot_path(text: str) -> str:
    """--plot FILE: an .svg, .png or .pdf path (checked before any work is done)."""
    if not text.lower().endswith((".svg", ".png", ".pdf")):
        raise argparse.ArgumentTypeError(f"--plot={text!r}: the file must end in .svg, .png or .pdf")
    return text


def _add_plot_argument(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--plot", type=_plot_path, default=None, metavar="FILE.svg|png",
                        help=f"also draw {what} to FILE (needs matplotlib: pip install 'pdcost[plots]')")


def _write_plot(path: str | None, draw: Callable[[Any], Any]) -> None:
    """Draw with pdcost.plots (imported here: matplotlib is optional) and save to `path`."""
    if path is None:
        return
    from . import plots
    try:
        plots._matplotlib()
    except ImportError as error:
        raise ValueError(f"--plot {path}: {error}") from None
    plots.save(draw(plots), path)
    print(f"plot written to {path}", file=sys.stderr)


def _add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    """One flag per framework setting, built from the library's settings table
    (``--tp-comm-overlap/--no-tp-comm-overlap``, ``--fp8-recipe {delayed,...}``, ...), plus
    ``--settings`` for a JSON object or file of them. Unset flags leave the framework's
    default."""
    group = parser.add_argument_group(
        "framework settings", "switches of the training framework; unset = the framework's own "
        "default (see `pdcost predict --json`, settings.defaulted)")
    group.add_argument("--settings", metavar="JSON|FILE", default=None,
                       help="a settings object ({\"tp_comm_overlap\": true, ...}) or a JSON "
                            "file of one; the flags below override it")
    for row in settings_fields():
        key = row["key"]
        flag = "--" + key.replace("_", "-")
        summary = row["summary"] + (f" [not priced yet: {row['not_modelled']}]"
                                    if row.get("not_modelled") else "")
        summary = summary.replace("%", "%%")
        kind = row["type"]
        dest = "setting_" + key
        if kind == "bool":
            group.add_argument(flag, dest=dest, action=argparse.BooleanOptionalAction,
                               default=None, help=summary)
        elif kind == "choice":
            group.add_argument(flag, dest=dest, choices=row["choices"], default=None,
                               help=summary)
        elif kind == "number":
            group.add_argument(flag, dest=dest, type=float, default=None, metavar="X",
                               help=summary)
        elif kind == "integer":
            group.add_argument(flag, dest=dest, type=int, default=None, metavar="N",
                               help=summary)
        else:
            group.add_argument(flag, dest=dest, default=None, metavar="TEXT", help=summary)


def _settings(args: argparse.Namespace) -> FrameworkSettings:
    """The settings of --settings, overridden by the individual flags."""
    base = FrameworkSettings()
    if args.settings is not None:
        text = args.settings
        if not text.lstrip().startswith("{"):
            text = read_regular_file(text).decode("utf-8")
        try:
            data = loads_strict(text)
        except ValueError as error:  # json.JSONDecodeError included
            raise ValueError(f"--settings: invalid JSON: {error}") from None
        base = FrameworkSettings.from_dict(data)
    flags = {row["key"]: getattr(args, "setting_" + row["key"]) for row in settings_fields()}
    return base.overridden({k: v for k, v in flags.items() if v is not None})


def _hardware(args: argparse.Namespace) -> HardwareConfig:
    """The cluster of --gpu/--gpus/--gpus-per-node (a job smaller than a node is one node of
    that many GPUs)."""
    host = {"host_memory_gb": args.host_memory_gib, "host_memory_gb_per_s": args.host_memory_gb_per_s,
            "nvme_gb_per_s": args.nvme_gb_per_s, "cpu_adam_params_per_s": args.cpu_adam_params_per_s}
    return HardwareConfig.for_job(_load_gpu(args.gpu), args.gpus, args.gpus_per_node, **host)


def _predict_inputs(args: argparse.Namespace) -> tuple[PDCostModel, ParallelConfig, int]:
    """The cost model, the plan and the gradient accumulation steps the flags describe."""
    model = _load_model(args.model)
    hardware = _hardware(args)
    model_ranks = args.tp * args.pp * args.cp
    dp = args.dp
    if dp is None:
        if args.gpus % model_ranks:
            raise ValueError(f"tp*pp*cp={model_ranks} does not divide --gpus={args.gpus}")
        dp = args.gpus // model_ranks
    per_step = args.mbs * dp
    global_batch = args.global_batch if args.global_batch is not None else per_step
    if global_batch % per_step:
        raise ValueError(f"--global-batch={global_batch} is not a multiple of "
                         f"mbs*dp={args.mbs}*{dp}={per_step}")
    training = TrainingConfig(micro_batch_size=args.mbs, sequence_length=args.seq_len,
                              gradient_accumulation_steps=global_batch // per_step,
                              dtype=CLI_DTYPES[args.dtype], recompute_granularity=args.recompute,
                              framework=args.framework,
                              tensorwise_offload_optimizer=args.optimizer_offload_ratio > 0,
                              tensorwise_offload_ratio=args.optimizer_offload_ratio or 0.95,
                              **_method_options(args))
    plan = ParallelConfig(tp=args.tp, pp=args.pp, vpp=args.vpp, dp=dp, cp=args.cp, ep=args.ep,
                          etp=args.etp, sp=args.sp, sharding=ZERO_SHARDING[args.zero],
                          fsdp=args.fsdp, first_stage_layers=args.first_stage_layers,
                          last_stage_layers=args.last_stage_layers)
    return PDCostModel(model, hardware, training, settings=_settings(args)), plan, \
        global_batch // per_step


def _ms(value: float) -> str:
    return f"{value:,.2f} ms"


def _predict_text(cm: PDCostModel, plan: ParallelConfig, r: PredictionResult) -> str:
    hw, tc = cm.hardware_config, cm.training_config
    lines = [f"{cm.model_config.name} on {hw.num_gpus}x {hw.gpu.name} ({tc.framework}, {tc.dtype}, "
             f"recompute {tc.recompute_granularity})",
             f"  plan: tp={plan.tp} pp={plan.pp} vpp={plan.vpp} dp={plan.dp} cp={plan.cp} "
             f"ep={plan.ep} etp={plan.etp} sp={int(plan.sp)} sharding={plan.sharding}"
             f"{' fsdp' if plan.fsdp else ''}",
             f"  batch: seq_len {r.seq_len}, micro-batch {tc.micro_batch_size}, "
             f"{r.gradient_accumulation_steps} micro-batches, global batch {r.global_batch_size} "
             f"({r.global_batch_size * r.seq_len:,} tokens)"]
    given = r.settings.get("given") or {}
    lines.append("  settings: " + (", ".join(f"{k}={json.dumps(v)}" for k, v in given.items())
                                   if given else f"{tc.framework} defaults")
                 + " (all values: --json, prediction.settings)")
    if r.gpu_filled_in:
        lines.append(f"  gpu: {len(r.gpu_filled_in)} value(s) filled in ("
                     + ", ".join(f.field for f in r.gpu_filled_in)
                     + f"); `pdcost gpu --explain` shows their sources")
    lines += ["", "Step time"]
    lines += _table([
        ("step", _ms(r.step_time_ms)),
        ("compute (incl. recompute)", _ms(r.compute_time_ms)),
        ("  recompute", _ms(r.recompute_time_ms)),
        ("pipeline bubble", _ms(r.bubble_time_ms)),
        ("optimizer step", _ms(r.optimizer_time_ms)),
        ("offload", _ms(r.offload_time_ms)),
        ("communication exposed", _ms(r.exposed_comm_time_ms)),
        ("communication total", _ms(r.total_comm_time_ms)),
    ], "<>")
    lines += ["", "Communication per kind"]
    rows = [("", "exposed", "overlapped")]
    rows += [(kind.upper(), _ms(r.comm_exposed_ms[kind]), _ms(r.comm_overlapped_ms[kind]))
             for kind in COMM_KINDS]
    lines += _table(rows, "<>>")
    lines += ["", "Throughput"]
    lines += _table([
        ("MFU / HFU", f"{100 * r.mfu:.1f}% / {100 * r.hfu:.1f}%"),
        ("compute efficiency", f"{100 * r.compute_efficiency:.1f}% of peak while computing"),
        ("tokens/s", f"{r.tokens_per_second:,.0f}"),
        ("tokens/s/GPU", f"{r.tokens_per_second_per_gpu:,.1f}"),
    ], "<>")
    m = r.memory_breakdown
    lines += ["", f"Memory per GPU, GiB (pipeline stage {m.peak_stage} of {m.num_stages}, the peak)"]
    lines += _table([
        ("parameters", f"{m.parameter_memory_gb:.2f}"),
        ("gradients", f"{m.gradient_memory_gb:.2f}"),
        ("optimizer states", f"{m.optimizer_memory_gb:.2f}"),
        ("activations", f"{m.activation_memory_gb:.2f}"),
        ("communication buffers", f"{m.communication_buffer_gb:.2f}"),
        ("temporary buffers", f"{m.temporary_buffer_gb:.2f}"),
        ("allocated", f"{m.allocated_memory_gb:.2f}"),
        ("activation buffer pool", f"{m.activation_buffer_pool_gb:.2f}"),
        ("reserved", f"{m.reserved_memory_gb:.2f}"),
        ("framework overhead", f"{m.framework_overhead_gb:.2f}"),
        ("total (nvidia-smi)", f"{m.total_memory_gb:.2f}"),
        ("usable", f"{m.usable_memory_gb:.2f}"),
    ], "<>")
    h = r.host
    if h and h.get("host_memory_per_node_bytes"):
        lines += ["", "Host (offload), per node"]
        lines += _table([
            ("host memory, GiB", f"{r.host_memory_gb:.1f} of {h['host_memory_capacity_bytes'] / 2**30:.0f}"),
            ("gradients to host (exposed / hidden)",
             f"{_ms(1e3 * h['gradient_copy_exposed_s'])} / {_ms(1e3 * h['gradient_copy_overlapped_s'])}"),
            ("CPU optimizer step", _ms(1e3 * h["cpu_optimizer_s"])),
            ("parameters to GPU", _ms(1e3 * h["parameter_copy_s"])),
            ("NVMe optimizer states", _ms(1e3 * h["nvme_optimizer_s"])),
            ("parameter fetch (exposed / hidden)",
             f"{_ms(1e3 * h['parameter_fetch_exposed_s'])} / {_ms(1e3 * h['parameter_fetch_overlapped_s'])}"),
        ], "<>")
        if not h.get("fits_host_memory", True):
            lines.append("  host memory: does NOT fit")
    lines.append(f"  fits: {'yes' if r.fits_memory else 'NO (reserved > usable, or host memory)'}")
    return "\n".join(lines)


def _price(args: argparse.Namespace) -> tuple[PDCostModel, ParallelConfig, PredictionResult]:
    """The cost model, plan and prediction of predict's options (under --profile if given)."""
    cm, plan, _ = _predict_inputs(args)
    if args.recompute_num_layers is not None and args.recompute != "full":
        raise ValueError(f"--recompute-num-layers={args.recompute_num_layers} needs --recompute full")
    options = {"recompute_num_layers": args.recompute_num_layers}
    if args.profile:
        cm.use_profile(args.profile)
        return cm, plan, cm.predict_calibrated(plan, **options)
    return cm, plan, cm.predict(plan, **options)


def _run_predict(args: argparse.Namespace) -> int:
    cm, plan, result = _price(args)
    if args.trace:
        from .trace import write_trace
        write_trace(args.trace, result, plan)
    _write_plot(args.plot, lambda plots: plots.prediction_overview(
        result, f"{cm.model_config.name} on {cm.hardware_config.num_gpus}x {cm.hardware_config.gpu.name}: "
                f"{split_label(plan)}"))
    if args.json:
        report = {"model": cm.model_config.name, "gpu": cm.hardware_config.gpu.name,
                  "num_gpus": cm.hardware_config.num_gpus, "plan": plan.to_dict(),
                  "training": cm.training_config.to_dict(), "prediction": result.to_dict()}
        print(json.dumps(report, indent=2))
    else:
        print(_predict_text(cm, plan, result))
    return EXIT_OK


def _add_method_arguments(parser: argparse.ArgumentParser) -> None:
    """What is trained (TrainingConfig.method, lora_rank, lora_targets)."""
    parser.add_argument("--method", choices=get_args(Method), default="pretrain",
                        help="what is trained: every parameter (pretrain, sft) or adapters on a "
                             "frozen base (lora, qlora) (default: pretrain)")
    parser.add_argument("--lora-rank", type=_bounded("lora_rank", "--lora-rank"), default=16, metavar="R",
                        help="adapter rank with --method lora/qlora (default: 16)")
    parser.add_argument("--lora-targets", default=",".join(LORA_TARGETS), metavar="NAME,NAME",
                        help="linear layers carrying adapters (default: " + ",".join(LORA_TARGETS) + ")")
    parser.add_argument("--recompute-modules", default="", metavar="NAME,NAME",
                        help="what selective recomputation recomputes, Megatron-Core names: "
                             + ",".join(RECOMPUTE_MODULES) + " (default: core_attn)")
    # Named as Hugging Face's `optim`: `--optimizer` is the settings row for the Adam
    # implementation (adam, apex_distributed_adam).
    parser.add_argument("--optim", choices=get_args(Optimizer), default="adamw",
                        help="optimizer algorithm: adamw, adam, sgd, adamw_8bit (bitsandbytes 8-bit "
                             "moments), paged_adamw / paged_adamw_8bit (states in unified memory, "
                             "paged to the host when the GPU is full) (default: adamw)")
    parser.add_argument("--packed-document-tokens", type=_bounded("seq_len", "--packed-document-tokens"),
                        default=None, metavar="N",
                        help="sequence packing: mean tokens per packed document; attention runs "
                             "within each document (default: unpacked)")


def _method_options(args: argparse.Namespace) -> dict[str, Any]:
    targets = tuple(t for t in args.lora_targets.split(",") if t)
    modules = tuple(m for m in args.recompute_modules.split(",") if m)
    if modules and getattr(args, "recompute", "selective") != "selective":
        raise ValueError(f"--recompute-modules={args.recompute_modules} needs --recompute selective")
    return {"method": args.method, "lora_rank": args.lora_rank, "lora_targets": targets,
            "packed_document_tokens": args.packed_document_tokens, "optimizer": args.optim,
            "recompute_modules": modules}


def _register_predict(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "predict", help="predict step time, MFU and memory of a parallel plan",
        description="Predict one training step of a parallel plan: time (compute, bubble, "
                    "communication per kind), MFU/HFU, tokens/s and memory per GPU.")
    _add_predict_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the prediction as JSON")
    parser.add_argument("--trace", metavar="FILE.json", default=None,
                        help="also write the step as a Chrome/Perfetto trace (open in ui.perfetto.dev)")
    _add_plot_argument(parser, "the step-time and memory breakdown")
    parser.set_defaults(handler=_run_predict)


def _add_predict_arguments(parser: argparse.ArgumentParser) -> None:
    """Every option of one priced plan (predict; compare's base job and its --plan overrides)."""
    _add_job_arguments(parser)
    for flag, what in (("tp", "tensor parallel"), ("pp", "pipeline stages"),
                       ("vpp", "virtual stages per pipeline rank"), ("cp", "context parallel"),
                       ("ep", "expert parallel"), ("etp", "expert tensor parallel")):
        parser.add_argument(f"--{flag}", type=_bounded("parallel_degree", f"--{flag}"), default=1,
                            metavar="N",
                            help=f"{what} (default: 1)")
    parser.add_argument("--dp", type=_bounded("parallel_degree", "--dp"), default=None, metavar="N",
                        help="data parallel (default: gpus / (tp*pp*cp))")
    parser.add_argument("--sp", action="store_true", help="sequence parallelism (with tp > 1)")
    parser.add_argument("--zero", type=int, choices=(0, 1, 2, 3), default=1,
                        help="ZeRO stage over data parallel (default: 1, distributed optimizer)")
    parser.add_argument("--fsdp", action="store_true", help="FSDP full sharding (FSDP2)")
    parser.add_argument("--first-stage-layers", type=_bounded("stage_layers", "--first-stage-layers"), default=None, metavar="N",
                        help="uneven pipeline: layers on the first stage (Megatron "
                             "--decoder-first-pipeline-num-layers; default: even split)")
    parser.add_argument("--last-stage-layers", type=_bounded("stage_layers", "--last-stage-layers"), default=None, metavar="N",
                        help="uneven pipeline: layers on the last stage (default: even split)")
    parser.add_argument("--seq-len", type=_seq_len, default=8192, metavar="N",
                        help="tokens per sequence (default: 8192)")
    parser.add_argument("--mbs", type=_bounded("micro_batch_size", "--mbs"), default=1, metavar="N",
                        help="micro-batch size (default: 1)")
    parser.add_argument("--global-batch", type=_bounded("global_batch_size", "--global-batch"), default=None, metavar="N",
                        help="sequences per step (default: mbs*dp, no accumulation)")
    parser.add_argument("--dtype", choices=tuple(CLI_DTYPES), default="bf16",
                        help="compute precision (default: bf16)")
    parser.add_argument("--recompute", choices=("none", "selective", "full"), default="none",
                        help="activation recomputation (default: none)")
    parser.add_argument("--recompute-num-layers", type=_bounded("recompute_num_layers", "--recompute-num-layers"),
                        default=None, metavar="N",
                        help="with --recompute full: recompute N layers per model chunk (Megatron "
                             "--recompute-method block --recompute-num-layers N; default: all)")
    parser.add_argument("--framework", choices=tuple(FRAMEWORKS), default="megatron",
                        help="framework profile (default: megatron)")
    parser.add_argument("--optimizer-offload-ratio", type=_fraction("--optimizer-offload-ratio"), default=0.0,
                        metavar="R", help="share of the optimizer states offloaded to the host, 0..1 "
                                          "(TrainingConfig.tensorwise_offload_ratio; what search's "
                                          "offload=D:R column prints; default: 0, none)")
    _add_method_arguments(parser)
    _add_settings_arguments(parser)


# ------------------------------------------------------------------------------------------------
# pdcost compare: plans, GPUs or settings side by side
# ------------------------------------------------------------------------------------------------


def _register_compare(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "compare", help="price several plans, GPUs or settings side by side",
        description="Price the base job (every predict option) once per --plan, each a list of "
                    "predict options written key=value (tp=4 pp=2 sp gpu=B200 "
                    "tp_comm_overlap=true), and print them side by side.")
    _add_predict_arguments(parser)
    parser.add_argument("--plan", action="append", required=True, metavar="'KEY=VALUE ...'",
                        help="one column: predict options overriding the base job (repeat)")
    parser.add_argument("--json", action="store_true", help="print the columns as JSON")
    parser.set_defaults(handler=_run_compare)


def _plan_argv(text: str) -> list[str]:
    """'tp=4 pp=2 sp gpu=B200' → ['--tp', '4', '--pp', '2', '--sp', '--gpu', 'B200']."""
    argv: list[str] = []
    for word in text.replace(",", " ").split():
        key, sep, value = word.partition("=")
        flag = "--" + key.strip().replace("_", "-")
        if not sep:
            argv.append(flag)
        elif value.lower() in ("true", "on", "yes"):
            argv.append(flag)
        elif value.lower() in ("false", "off", "no"):
            argv.append("--no-" + flag[2:])
        else:
            argv += [flag, value]
    return argv


def _run_compare(args: argparse.Namespace) -> int:
    parser = argparse.ArgumentParser(prog="pdcost compare --plan", add_help=False, exit_on_error=False)
    _add_predict_arguments(parser)
    # The base job is the command line less the --plan pairs and --json.
    base, skip = [], False
    for word in args.argv[1:]:
        if skip:
            skip = False
        elif word == "--plan":
            skip = True
        elif not word.startswith("--plan=") and word != "--json":
            base.append(word)
    columns = []
    for text in args.plan:
        try:
            plan_args, unknown = parser.parse_known_args(base + _plan_argv(text))
        except argparse.ArgumentError as error:
            raise ValueError(f"--plan {text!r}: {error}") from None
        if unknown:
            raise ValueError(f"--plan {text!r}: {' '.join(unknown)} is not a predict option")
        columns.append((text, *_price(plan_args)))
    if args.json:
        print(json.dumps({"columns": [{"plan": text, "gpu": cm.hardware_config.gpu.name,
                                       "num_gpus": cm.hardware_config.num_gpus, "parallel": plan.to_dict(),
                                       "prediction": r.to_dict()} for text, cm, plan, r in columns]}, indent=2))
        return EXIT_OK
    rows: list[tuple[str, ...]] = [("", *(text for text, *_ in columns))]
    def row(label: str, cell: Callable[[Any, Any, Any], str]) -> None:
        rows.append((label, *(cell(cm, plan, r) for _, cm, plan, r in columns)))
    row("GPUs", lambda cm, p, r: f"{cm.hardware_config.num_gpus}× {cm.hardware_config.gpu.name}")
    row("split", lambda cm, p, r: split_label(p))
    row("step", lambda cm, p, r: _duration(r.step_time_ms))
    row("tokens/s/GPU", lambda cm, p, r: f"{r.tokens_per_second_per_gpu:,.0f}")
    row("MFU", lambda cm, p, r: f"{r.mfu:.1%}")
    row("compute", lambda cm, p, r: _duration(r.compute_time_ms))
    row("pipeline bubble", lambda cm, p, r: _duration(r.bubble_time_ms))
    row("exposed comm", lambda cm, p, r: _duration(r.exposed_comm_time_ms))
    row("allocated GiB", lambda cm, p, r: f"{r.memory_breakdown.allocated_memory_gb:.1f}")
    row("fits", lambda cm, p, r: "yes" if r.fits_memory else "no")
    print("\n".join(_table(rows, "<" + ">" * len(columns))))
    return EXIT_OK


# ------------------------------------------------------------------------------------------------
# pdcost validate
# ------------------------------------------------------------------------------------------------


def _read_overrides(paths: Sequence[str]) -> bytes:
    """One run-overrides document from the --overrides files: one file as it is, several with
    their entries concatenated in order (the library checks every entry and that no run is
    named twice; an entry's index then counts across the files)."""
    documents = [read_regular_file(path) for path in paths]
    if len(documents) == 1:
        return documents[0]
    entries: list[Any] = []
    schema = None
    for path, data in zip(paths, documents):
        try:
            document = json.loads(data)
        except ValueError as error:
            raise ParseError(f"--overrides {path}: not JSON ({error})") from None
        if not isinstance(document, dict) or not isinstance(document.get("overrides"), list):
            raise ParseError(f"--overrides {path}: not a run-overrides document (no \"overrides\" list)")
        schema = schema or document.get("schema")
        if document.get("schema") != schema:
            raise ParseError(f"--overrides {path}: schema={document.get('schema')!r} differs from {schema!r}")
        entries.extend(document["overrides"])
    return json.dumps({"schema": schema, "overrides": entries}).encode("utf-8")


def _run_validate(args: argparse.Namespace) -> int:
    data = read_regular_file(args.file)
    profile = None
    if getattr(args, "profile", None):
        from .profile import CalibrationProfile
        profile = CalibrationProfile.load(args.profile)
    overrides = _read_overrides(args.overrides) if args.overrides else None
    report = validate_runs(data, text=not args.json, only_complete=args.only_complete,
                           profile=profile, overrides=overrides)
    print(report)
    if args.plot:
        document = report if args.json else validate_runs(data, profile=profile, overrides=overrides)
        _write_plot(args.plot, lambda plots: plots.validation_scatter(document, args.plot_metric))
    return EXIT_OK


def _register_validate(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate", help="compare predictions with measured runs",
        description="Predict every record of a measured-runs file (schema pdcost.runs/1) and "
                    "print predicted vs measured with the error, then MAPE per metric; kind: "
                    "inference records get the serving MAPE table per source group.")
    parser.add_argument("file", metavar="FILE", help="a measured-runs JSON file")
    parser.add_argument("--json", action="store_true",
                        help="print the JSON report (keys runs, summary and serving)")
    parser.add_argument("--only-complete", action="store_true",
                        help="text table: list only records marked complete")
    parser.add_argument("--profile", metavar="FILE",
                        help="predict with this calibration profile (e.g. from pdcost calibrate)")
    parser.add_argument("--overrides", metavar="FILE", action="append",
                        help="a run-overrides document (schema pdcost.run-overrides/1): switches the "
                             "runs file leaves unstated, restated per run id with their source "
                             "(repeatable: the documents' entries are combined)")
    _add_plot_argument(parser, "predicted vs measured per source")
    parser.add_argument("--plot-metric", default="tokens_per_s_per_gpu", metavar="METRIC",
                        help="the metric --plot draws: tokens_per_s_per_gpu, step_time_s, "
                             "peak_allocated_gib, peak_reserved_gib, peak_memory_gib, or a serving "
                             "metric (ttft_ms, tpot_ms, itl_ms, output_tokens_per_s_per_gpu, ...) "
                             "(default: tokens_per_s_per_gpu)")
    parser.set_defaults(handler=_run_validate)


# ------------------------------------------------------------------------------------------------
# calibrate: --gpu (micro-benchmarks of the local GPUs) and --runs (fit to measured runs)
# ------------------------------------------------------------------------------------------------

#: Exit status of ``calibrate --gpu`` when there is no usable GPU, driver or CUDA library.
EXIT_NO_DEVICE = 3


def _calibrate_gpu(args: argparse.Namespace) -> int:
    from .calibration import HardwareCalibrator
    from .errors import NoDeviceError

    dtypes = [d.strip() for d in args.dtypes.split(",") if d.strip()] if args.dtypes else None
    if args.device < 0:
        return _fail(f"--device={args.device} must be >= 0", EXIT_USAGE)

    def progress(stage: str, done: int, total: int) -> None:
        if not args.quiet:
            print(f"[{done}/{total}] {stage}", file=sys.stderr, flush=True)

    try:
        result = HardwareCalibrator(args.device).calibrate(
            gemm_size=args.gemm_size, quick=args.quick, dtypes=dtypes, verbose=False,
            progress=progress)
    except NoDeviceError as error:
        return _fail(str(error), EXIT_NO_DEVICE)
    print(result)
    for note in result.notes:
        print(f"  note: {note}")
    if args.out:
        result.profile.save(args.out)
        print(f"profile written to {args.out}")
    return EXIT_OK


def _run_calibrate(args: argparse.Namespace) -> int:
    if args.gpu == bool(args.runs):
        return _fail("calibrate: give exactly one of --gpu or --runs FILE", EXIT_USAGE)
    return _calibrate_gpu(args) if args.gpu else _calibrate_runs(args)


def _register_calibrate(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "calibrate", help="calibrate the cost model: GPU micro-benchmarks or a fit to runs",
        description="--gpu: measure the local GPUs (GEMM sweep per precision, HBM and host "
                    "copies, NCCL collectives with 2+ GPUs) and write a profile; --runs FILE: "
                    "fit the efficiency parameters to a measured-runs file. Exit status "
                    f"{EXIT_NO_DEVICE} when --gpu finds no usable GPU.")
    parser.add_argument("--gpu", action="store_true", help="run the GPU micro-benchmarks")
    parser.add_argument("--runs", metavar="FILE", help="fit to a measured-runs file (pdcost.runs/1)")
    parser.add_argument("--out", metavar="FILE", help="write the profile JSON here")
    gpu = parser.add_argument_group("--gpu options")
    gpu.add_argument("--device", type=int, default=0, help="GPU measured (default 0)")
    gpu.add_argument("--gemm-size", type=int, default=8192,
                     help="largest GEMM dimension of the sweep (default 8192)")
    gpu.add_argument("--quick", action="store_true",
                     help="fewer repetitions, no soak, collectives up to 256 MiB")
    gpu.add_argument("--dtypes", metavar="LIST",
                     help="comma-separated precisions: fp32,tf32,fp16,bf16,fp8 (default all)")
    gpu.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    runs = parser.add_argument_group("--runs options")
    runs.add_argument("--params", metavar="LIST",
                      help="comma-separated parameters to fit (efficiency constants or 'attention'; "
                           "default: the documented set, see pdcost.fitting)")
    runs.add_argument("--cv", default="auto",
                      choices=("auto", "none", "leave-one-source-out", "k-fold", "leave-one-model-out"),
                      help="cross-validation (default auto: leave-one-source-out with 3+ sources, "
                           "else leave-one-model-out, which is leave-one-run-out for one model)")
    runs.add_argument("--folds", type=int, default=5, help="k of k-fold (default 5)")
    runs.add_argument("--select", default="forward", choices=("forward", "all"),
                      help="forward: fit only parameters that lower the cross-validated error "
                           "(default); all: every parameter the runs support")
    runs.add_argument("--complete-only", action="store_true",
                      help="fit only records marked complete")
    runs.add_argument("--overrides", metavar="FILE", action="append",
                      help="a run-overrides document (schema pdcost.run-overrides/1): switches the "
                           "runs file leaves unstated, restated per run id with their source, as "
                           "validate applies them (repeatable: the entries are combined)")
    parser.set_defaults(handler=_run_calibrate)


def _calibrate_runs(args: argparse.Namespace) -> int:
    """calibrate --runs FILE: fit, print the figures, write the profile."""
    from .fitting import fit

    def progress(fraction: float, message: str) -> None:
        if not getattr(args, "quiet", False) and sys.stderr.isatty():
            print(f"\r[{100 * fraction:5.1f}%] {message[:100]:<100}", end="", file=sys.stderr,
                  flush=True)

    overrides = _read_overrides(args.overrides) if args.overrides else None
    profile = fit(args.runs, parameters=args.params, cv=args.cv, folds=args.folds,
                  select=args.select, complete_only=args.complete_only, progress=progress,
                  overrides=overrides)
    if not getattr(args, "quiet", False) and sys.stderr.isatty():
        print(file=sys.stderr)
    summary = profile.fit or {}
    print(f"fit to {summary.get('runs')} runs of {args.runs}")
    if summary.get("overrides"):
        restated = summary["overrides"]
        print(f"run overrides: {restated['runs']} runs restated by {restated['entries']} entries")
    print(f"tokens/s/GPU MAPE: {summary.get('mape_before', 0):.1f}% before, "
          f"{summary.get('mape_after', 0):.1f}% after (the runs fitted)")
    if summary.get("memory_mape_before") is not None:
        print(f"memory MAPE (allocated/reserved/device): {summary['memory_mape_before']:.1f}% before, "
              f"{summary.get('memory_mape_after', 0):.1f}% after (the runs fitted)")
    if summary.get("cv_method"):
        print(f"cross-validated ({summary['cv_method']}), tokens/s/GPU: {summary.get('cv_mape_before', 0):.1f}% "
              f"with the defaults, {summary.get('cv_mape', 0):.1f}% fitted without the held-out runs")
        if summary.get("cv_memory_mape_before") is not None:
            print(f"cross-validated ({summary['cv_method']}), memory: {summary['cv_memory_mape_before']:.1f}% "
                  f"with the defaults, {summary.get('cv_memory_mape', 0):.1f}% fitted without the held-out runs")
    scales = profile.efficiency_scale
    if scales:
        print("fitted scales (factor on each GPU generation's default):")
        for name, factor in sorted(scales.items()):
            print(f"  {name:<40} x {factor:.4f}")
    else:
        print("no scale fitted: the runs do not support changing the defaults")
    for name, reason in sorted((summary.get("kept") or {}).items()):
        print(f"  kept: {name}: {reason}")
    for name, reason in sorted((summary.get("dropped") or {}).items()):
        print(f"  not fitted: {name}: {reason}")
    if args.out:
        profile.save(args.out)
        print(f"profile written to {args.out}")
    return EXIT_OK


# ------------------------------------------------------------------------------------------------
# pdcost search
# ------------------------------------------------------------------------------------------------


def _duration(ms: float) -> str:
    """A duration a person reads at a glance: ms below 10 s, then s, then min."""
    if ms < 10_000:
        return f"{ms:,.0f} ms" if ms >= 100 else f"{ms:,.2f} ms"
    if ms < 120_000:
        return f"{ms / 1e3:,.1f} s"
    return f"{ms / 60e3:,.1f} min"


#: What the search table's notation means (printed under it).
SEARCH_LEGEND = (
    "Legend: pp=P (a/b): uneven pipeline, the first/last stage holds a/b layers ('=' like the "
    "middle ones); zero=Z: ZeRO stage (1 = distributed optimizer); sp: sequence parallel; "
    "recompute=full(N): N layers per model chunk recomputed (all when no N); offload=D:R: share R "
    "of the optimizer states on device D; exposed comm: communication per step the step waits for "
    "(not hidden behind compute); mem GiB: the busiest pipeline stage's allocated peak; "
    "+N equivalent: N more ranked plans with the same predicted step time and memory that differ "
    "only in the choices listed.")


def _setting_flags(settings: Mapping[str, Any]) -> list[str]:
    """Framework settings as predict flags (--tp-comm-overlap, --no-cuda-graphs, --fp8-recipe X),
    built from the library's settings table like the flags themselves."""
    kinds = {row["key"]: row["type"] for row in settings_fields()}
    words = []
    for key, value in settings.items():
        if value is None or key not in kinds:
            continue
        flag = "--" + key.replace("_", "-")
        if kinds[key] == "bool":
            words.append(flag if value else "--no-" + flag[2:])
        else:
            text = str(value)
            words.append(f"{flag} {text if text.replace('.', '').replace('_', '').isalnum() else json.dumps(text)}")
    return words


def _predict_command(cm: PDCostModel, args: argparse.Namespace, e: Any) -> str:
    """A `pdcost predict` line that prices search entry `e` again: every choice of the entry
    and every option of the search that predict also takes."""
    import shlex
    p = e.parallel
    words = ["pdcost predict", f"--model {shlex.quote(args.model)}", f"--gpu {shlex.quote(args.gpu)}",
             f"--gpus {cm.hardware_config.num_gpus}"]
    if args.gpus_per_node:
        words.append(f"--gpus-per-node {args.gpus_per_node}")
    for flag in ("host_memory_gib", "host_memory_gb_per_s", "nvme_gb_per_s", "cpu_adam_params_per_s"):
        if getattr(args, flag, 0.0):
            words.append(f"--{flag.replace('_', '-')} {getattr(args, flag):g}")
    words += [f"--tp {p.tp}", f"--pp {p.pp}", f"--vpp {p.vpp}", f"--cp {p.cp}"]
    if p.ep > 1 or p.etp > 1:
        words += [f"--ep {p.ep}", f"--etp {p.etp}"]
    if p.first_stage_layers:
        words.append(f"--first-stage-layers {p.first_stage_layers}")
    if p.last_stage_layers:
        words.append(f"--last-stage-layers {p.last_stage_layers}")
    words.append("--fsdp" if p.fsdp else f"--zero {e.plan.get('zero_stage', 1)}")
    if p.sp:
        words.append("--sp")
    words += [f"--mbs {e.micro_batch_size}", f"--seq-len {cm.training_config.sequence_length}",
              f"--global-batch {args.global_batch}", f"--recompute {e.recompute_granularity}"]
    if e.recompute_num_layers:
        words.append(f"--recompute-num-layers {e.recompute_num_layers}")
    if e.recompute_granularity == "selective" and args.recompute_modules:
        words.append(f"--recompute-modules {args.recompute_modules}")
    if e.optimizer_offload_ratio:
        words.append(f"--optimizer-offload-ratio {e.optimizer_offload_ratio:g}")
    if args.dtype != "bf16":
        words.append(f"--dtype {args.dtype}")
    if args.framework != "megatron":
        words.append(f"--framework {args.framework}")
    if args.method != "pretrain":
        words.append(f"--method {args.method}")
        if args.method in ("lora", "qlora"):
            words += [f"--lora-rank {args.lora_rank}", f"--lora-targets {args.lora_targets}"]
    if args.optim != "adamw":
        words.append(f"--optim {args.optim}")
    if args.packed_document_tokens:
        words.append(f"--packed-document-tokens {args.packed_document_tokens}")
    # The search's settings, with the values this entry was priced under when they were varied.
    words += _setting_flags({**cm.settings.to_dict(), **(e.settings or {})})
    if args.profile:
        words.append(f"--profile {shlex.quote(args.profile)}")
    return " ".join(words)


def _entry_detail(e: Any) -> list[str]:
    """Where the entry's step goes and which pipeline stage the figures are for."""
    r = e.prediction
    m = r.memory_breakdown
    stages = int(m.num_stages)
    comm = ", ".join(f"{kind} {_duration(v)}" for kind, v in r.comm_exposed_ms.items() if v > 0)
    parts = [f"compute {_duration(r.compute_time_ms)}"]
    if r.recompute_time_ms:
        parts[0] += f" (recompute {_duration(r.recompute_time_ms)})"
    if r.bubble_time_ms:
        parts.append(f"bubble {_duration(r.bubble_time_ms)}")
    if r.exposed_comm_time_ms:
        parts.append(f"exposed comm {_duration(r.exposed_comm_time_ms)}" + (f" ({comm})" if comm else ""))
    parts.append(f"optimizer {_duration(r.optimizer_time_ms)}")
    for label, value in (("offload", r.offload_time_ms), ("host", r.host_overhead_time_ms)):
        if value:
            parts.append(f"{label} {_duration(value)}")
    lines = [f"step {_duration(r.step_time_ms)} = " + " + ".join(parts)]
    if stages > 1:
        # Prediction.computeTime is the critical path: the slowest stage's micro-batches
        # (Sources/PDCost/Training/Prediction.swift); memory is the stage with the highest peak.
        lines.append(f"compute: the slowest of {stages} stages, {r.gradient_accumulation_steps} micro-batches; "
                     f"memory: stage {m.peak_stage} of stages 0-{stages - 1} (the busiest) {m.allocated_memory_gb:.1f} GiB "
                     f"allocated (first stage {m.first_stage_allocated_gb:.1f}, last {m.last_stage_allocated_gb:.1f})")
    else:
        lines.append(f"memory: {m.allocated_memory_gb:.1f} GiB allocated, {m.reserved_memory_gb:.1f} reserved "
                     f"of {m.usable_memory_gb:.1f} usable")
    return lines


def _search_text(cm: PDCostModel, result: Any, top: int, args: argparse.Namespace | None = None) -> str:
    hw, tc = cm.hardware_config, cm.training_config
    s = result.stats
    lines = [f"{cm.model_config.name} on {hw.num_gpus}x {hw.gpu.name} ({tc.framework}, {tc.dtype}), "
             f"seq_len {tc.sequence_length}: {s.enumerated:,} candidates, {s.evaluated:,} priced, "
             f"{s.feasible:,} fit (memory limit {result.memory_limit_gb:.1f} GiB), "
             f"{_duration(s.elapsed_s * 1e3)} on {s.threads} thread{'s' if s.threads != 1 else ''}"
             + (" (cancelled)" if s.cancelled else ""), ""]
    # DeepSpeed's engine (DeepSpeed, the Trainer's ZeRO plans) offloads to a device
    # (offload_optimizer; cpu when only a ratio is given).
    offload_device = ""
    if tc.framework in ("deepspeed", "hf-trainer"):
        offload_device = f"{cm.settings.offload_optimizer or 'cpu'}:"
    if result.results:
        groups = group_equivalent(result.results[:top])
        rows = [("#", "tok/s/GPU", "MFU", "step", "mem GiB", "exposed comm", "plan")]
        for group in groups:
            e = group[0]
            r, p = e.prediction, e.parallel
            split = ""
            if p.first_stage_layers or p.last_stage_layers:
                split = f" ({p.first_stage_layers or '='}/{p.last_stage_layers or '='})"
            recompute = e.recompute_granularity + (f"({e.recompute_num_layers})"
                                                   if e.recompute_num_layers else "")
            plan = (f"tp={p.tp} pp={p.pp}{split} vpp={p.vpp} cp={p.cp} dp={p.dp}"
                    + (f" ep={p.ep} etp={p.etp}" if p.ep > 1 or p.etp > 1 else "")
                    + (" fsdp" if p.fsdp else f" zero={e.plan.get('zero_stage')}")
                    + (" sp" if p.sp else "") + f" mbs={e.micro_batch_size} recompute={recompute}"
                    + (f" offload={offload_device}{e.optimizer_offload_ratio:g}" if e.optimizer_offload_ratio else "")
                    + "".join(f" {k}={'on' if v is True else 'off' if v is False else v}"
                              for k, v in (e.settings or {}).items())
                    + equivalent_note(group))
            rows.append((str(e.rank), f"{r.tokens_per_second_per_gpu:,.0f}", f"{100 * r.mfu:.1f}%",
                         _duration(r.step_time_ms), f"{e.peak_allocated_gb:.1f}",
                         _duration(r.exposed_comm_time_ms), plan))
        lines += _table(rows, ">>>>>><")
        lines += ["", SEARCH_LEGEND]
        lines += ["", "Each plan: where the step goes, and the `pdcost predict` line that prices it again"]
        for group in groups:
            e = group[0]
            lines.append(f"#{e.rank}  " + "\n    ".join(_entry_detail(e)))
            if args is not None:
                lines.append("    " + _predict_command(cm, args, e))
    else:
        lines.append(f"nothing fits: {result.explanation}")
    if s.pruned:
        lines += ["", "Pruned (candidates per reason)"]
        lines += _table([(reason, f"{count:,}") for reason, count in s.pruned.items()], "<>")
    return "\n".join(lines)


def _search(args: argparse.Namespace) -> tuple[PDCostModel, Any]:
    """The cost model of search's options and the search result (search, report)."""
    model = _load_model(args.model)
    hardware = _hardware(args)
    training = TrainingConfig(sequence_length=args.seq_len, dtype=CLI_DTYPES[args.dtype],
                              framework=args.framework, **_method_options(args))
    cm = PDCostModel(model, hardware, training, settings=_settings(args))
    if args.profile:
        cm.use_profile(args.profile)
    vary = tuple(k for k in (args.vary_settings or "").split(",") if k)
    with warnings.catch_warnings():
        # The explanation of an empty result is printed below, not as a Python warning.
        warnings.simplefilter("ignore", NoPlanFitsWarning)
        result = cm.search(global_batch_size=args.global_batch, top_k=args.top,
                           threads=args.threads, max_tp=args.max_tp, max_pp=args.max_pp,
                           max_cp=args.max_cp, micro_batch_sizes=tuple(args.mbs),
                           memory_safety_margin=args.memory_margin,
                           progress=args.progress and not getattr(args, "json", False), vary_settings=vary,
                           optimizer_offload_ratios=tuple(args.offload_ratios))
    return cm, result


def _run_search(args: argparse.Namespace) -> int:
    cm, result = _search(args)
    if args.json:
        data = result.to_dict()
        print(json.dumps({"results": data["results"], "pareto": data["pareto"],
                          "stats": data["stats"], "explanation": data["explanation"]},
                         indent=2))
        if not result.results:
            # The JSON carries it too; a person reading the terminal sees it at once.
            print(f"nothing fits: {result.explanation}", file=sys.stderr)
    else:
        print(_search_text(cm, result, args.top, args))
    if result.results:
        _write_plot(args.plot, lambda plots: plots.pareto_front(result))
    return EXIT_OK


def _register_search(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "search", help="search the parallel plans and rank those that fit",
        description="Enumerate every valid parallel plan (tp, pp with uneven splits, vpp, cp, "
                    "dp, ep, ZeRO, recomputation, micro-batch size) for a model on a cluster at "
                    "a fixed global batch, drop those that do not fit in memory, and rank the "
                    "rest by throughput. Prints the pruning summary too.")
    _add_search_arguments(parser)
    parser.add_argument("--json", action="store_true",
                        help='print {"results", "pareto", "stats"} as JSON')
    _add_plot_argument(parser, "the Pareto front (throughput vs memory)")
    parser.set_defaults(handler=_run_search)


def _add_search_arguments(parser: argparse.ArgumentParser) -> None:
    """The job and the search space (search and report)."""
    _add_job_arguments(parser)
    parser.add_argument("--seq-len", type=_seq_len, default=8192, metavar="N",
                        help="tokens per sequence (default: 8192)")
    parser.add_argument("--global-batch", type=_bounded("global_batch_size", "--global-batch"), required=True, metavar="N",
                        help="sequences per optimizer step")
    parser.add_argument("--mbs", type=_bounded("micro_batch_size", "--mbs"), nargs="+", default=[1, 2, 4, 8], metavar="N",
                        help="micro-batch sizes to try (default: 1 2 4 8)")
    parser.add_argument("--max-tp", type=_bounded("parallel_degree", "--max-tp"), default=None, metavar="N",
                        help="largest tensor parallel (default: GPUs per node)")
    parser.add_argument("--max-pp", type=_bounded("parallel_degree", "--max-pp"), default=None, metavar="N",
                        help="largest pipeline parallel (default: layers)")
    parser.add_argument("--max-cp", type=_bounded("parallel_degree", "--max-cp"), default=32, metavar="N",
                        help="largest context parallel (default: 32)")
    parser.add_argument("--dtype", choices=tuple(CLI_DTYPES), default="bf16",
                        help="compute precision (default: bf16)")
    parser.add_argument("--framework", choices=tuple(FRAMEWORKS), default="megatron",
                        help="framework profile and its constraints (default: megatron)")
    _add_method_arguments(parser)
    parser.add_argument("--memory-margin", type=float, default=0.0, metavar="F",
                        help="share of usable GPU memory to keep free, 0..1 (default: 0)")
    parser.add_argument("--top", type=_bounded("search_top_k", "--top"), default=10, metavar="K",
                        help="plans to show (default: 10)")
    parser.add_argument("--threads", type=int, default=0, metavar="N",
                        help="worker threads (default: 0 = every core)")
    parser.add_argument("--progress", action="store_true", help="a progress bar on stderr")
    parser.add_argument("--offload-ratios", type=float, nargs="+", default=[0.0], metavar="R",
                        help="optimizer-state offload ratios to try, 0..1 (default: 0). DeepSpeed: "
                             "0 = none, 1 = ZeRO-Offload of all states (to --offload-optimizer's "
                             "device, cpu when unset), below 1 ZeRO-3 only")
    parser.add_argument("--vary-settings", metavar="KEY,KEY", default=None,
                        help="try these settings both off and on and rank every plan together "
                             "(at most 4 of: " + ", ".join(VARIABLE_SETTINGS) + ")")
    _add_settings_arguments(parser)


# ------------------------------------------------------------------------------------------------
# pdcost report: one HTML (or Markdown) file of the search's best plan
# ------------------------------------------------------------------------------------------------


def _run_report(args: argparse.Namespace) -> int:
    from .report import report
    out = args.out
    fmt = args.format or ("md" if out.lower().endswith(".md") else "html")
    cm, result = _search(args)
    if not result.results:
        raise ValueError(f"report: nothing fits, so there is no plan to report: {result.explanation}")
    import shlex
    command = "pdcost " + " ".join(shlex.quote(w) for w in args.argv)
    written = report(cm, search=result, out=out, format=fmt, top=args.top,
                     commands=[command, _predict_command(cm, args, result.results[0])])
    for path in written.files:
        print(path)
    return EXIT_OK


def _register_report(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report", help="search a job and write its best plan as one HTML or Markdown report",
        description="Search like `pdcost search` (same options), then write one report of the best "
                    "plan: its step-time and memory breakdown (figures and tables), the search's top "
                    "plans and Pareto front, the assumptions and which framework settings were set "
                    "or defaulted, and the step as a Perfetto timeline next to it "
                    "(<name>.trace.json). HTML is self-contained (figures inline as SVG); Markdown "
                    "writes the figures as SVG files beside it. Figures need matplotlib "
                    "(pip install 'pdcost[plots]'); without it the tables are written alone.")
    _add_search_arguments(parser)
    parser.add_argument("-o", "--out", required=True, metavar="FILE.html|FILE.md",
                        help="the report to write; the timeline and (Markdown) figures go beside it")
    parser.add_argument("--format", choices=("html", "md"), default=None,
                        help="html or md (default: from the file's suffix, else html)")
    parser.set_defaults(handler=_run_report)


# ------------------------------------------------------------------------------------------------
# pdcost serve (predict; search is added as another entry of SERVE_COMMANDS)
# ------------------------------------------------------------------------------------------------


def _add_serving_settings_arguments(parser: argparse.ArgumentParser) -> None:
    """One flag per serving-engine setting, from the library's table (``--max-num-seqs N``,
    ``--cuda-graphs/--no-cuda-graphs``, ...), plus ``--settings`` for a JSON object or file."""
    group = parser.add_argument_group(
        "engine settings", "switches of the serving engine; unset = the engine's own default "
        "(`pdcost serve settings` lists them; `--json` shows the ones used)")
    group.add_argument("--settings", metavar="JSON|FILE", default=None,
                       help="a settings object ({\"max_num_seqs\": 256, ...}) or a JSON file of "
                            "one; the flags below override it")
    for row in serving_settings_fields():
        key = row["key"]
        flag = "--" + key.replace("_", "-")
        summary = (row["summary"] + (f" [not priced: {row['not_modelled']}]"
                                     if row.get("not_modelled") else "")).replace("%", "%%")
        dest = "serving_" + key
        kind = row["type"]
        if kind == "bool":
            group.add_argument(flag, dest=dest, action=argparse.BooleanOptionalAction, default=None,
                               help=summary)
        elif kind == "choice":
            group.add_argument(flag, dest=dest, choices=row["choices"], default=None, help=summary)
        elif kind == "number":
            group.add_argument(flag, dest=dest, type=float, default=None, metavar="X", help=summary)
        else:
            group.add_argument(flag, dest=dest, type=int, default=None, metavar="N", help=summary)


def _serving_settings(args: argparse.Namespace) -> ServingSettings:
    base = ServingSettings()
    if args.settings is not None:
        text = args.settings
        if not text.lstrip().startswith("{"):
            text = read_regular_file(text).decode("utf-8")
        try:
            data = loads_strict(text)
        except ValueError as error:
            raise ValueError(f"--settings: invalid JSON: {error}") from None
        base = ServingSettings.from_dict(data)
    flags = {row["key"]: getattr(args, "serving_" + row["key"]) for row in serving_settings_fields()}
    return base.overridden({k: v for k, v in flags.items() if v is not None})


def _add_deployment_arguments(parser: argparse.ArgumentParser) -> None:
    """--model, --gpu, the deployment (parallelism, precisions, engine) and the engine settings:
    what `serve predict` and `serve search` share."""
    parser.add_argument("--model", required=True, metavar="NAME|CONFIG.json",
                        help="a preset name or a config.json path")
    parser.add_argument("--gpu", default="H100-SXM-80GB", metavar="NAME|GPU.json",
                        help="GPU preset or GPU JSON file (default: H100-SXM-80GB)")
    parser.add_argument("--gpus", type=_bounded("num_gpus", "--gpus"), default=None, metavar="N",
                        help="GPUs in the cluster (default: tp*pp*replicas)")
    parser.add_argument("--gpus-per-node", type=_bounded("gpus_per_node", "--gpus-per-node"), default=None,
                        metavar="N", help="GPUs per NVLink domain (default: the GPU's usual node size)")
    group = parser.add_argument_group("deployment")
    for flag, what in (("tp", "tensor parallel (inside one node)"), ("pp", "pipeline stages"),
                       ("replicas", "independent engine replicas")):
        group.add_argument(f"--{flag}", type=_bounded("parallel_degree", f"--{flag}"), default=1,
                           metavar="N", help=f"{what} (default: 1)")
    group.add_argument("--expert-parallel", action="store_true",
                       help="MoE experts whole on the TP ranks (EP = tp)")
    group.add_argument("--attention-data-parallel", action="store_true",
                       help="attention replicated over the TP ranks (SGLang --enable-dp-attention)")
    group.add_argument("--weight-precision", choices=WEIGHT_PRECISIONS, default="bf16",
                       help="weight storage (default: bf16)")
    group.add_argument("--kv-cache-precision", choices=KV_CACHE_PRECISIONS, default="bf16",
                       help="KV cache element format (default: bf16)")
    group.add_argument("--engine", choices=ENGINES, default="vllm", help="serving engine (default: vllm)")
    _add_serving_settings_arguments(parser)


def _serving_inputs(args: argparse.Namespace) -> tuple[ServingModel, ServingDeployment]:
    model = ServingModel(_load_model(args.model), _load_gpu(args.gpu), num_gpus=args.gpus,
                         gpus_per_node=args.gpus_per_node)
    deployment = ServingDeployment(tp=args.tp, pp=args.pp, replicas=args.replicas,
                                   expert_parallel=args.expert_parallel,
                                   attention_data_parallel=args.attention_data_parallel,
                                   weight_precision=args.weight_precision,
                                   kv_cache_precision=args.kv_cache_precision, engine=args.engine,
                                   settings=_serving_settings(args))
    return model, deployment


def _serve_workload(args: argparse.Namespace) -> ServingWorkload:
    return ServingWorkload(input_tokens=args.input_tokens, output_tokens=args.output_tokens,
                           scenario=args.scenario, batch_size=args.batch_size,
                           concurrency=args.concurrency, request_rate=args.request_rate,
                           num_requests=args.num_requests, prefix_hit_ratio=args.prefix_hit_ratio)


def _serve_text(model: ServingModel, d: ServingDeployment, w: ServingWorkload, r: ServingPrediction,
                settings: Mapping[str, Any]) -> str:
    def ms(seconds: float) -> str:
        return f"{seconds * 1e3:,.2f} ms"

    def gib(value: float) -> str:
        return f"{value / GIB:.2f}"

    scenario = w.scenario or "static_batch"
    load = (f"batch {w.batch_size}" if scenario == "static_batch"
            else f"concurrency {w.concurrency}" if scenario == "online_fixed_concurrency"
            else f"{w.request_rate or 1:g} requests/s" if scenario == "online_request_rate"
            else f"{w.num_requests} requests at once" if scenario == "burst_all_at_once"
            else f"{w.num_requests or 'unbounded'} requests queued")
    given = settings.get("given") or {}
    lines = [f"{model.model_config.name} on {d.num_gpus}x {model.gpu.name}: {d.engine}, tp={d.tp} pp={d.pp} "
             f"replicas={d.replicas}{' ep' if d.expert_parallel else ''}{' attention-dp' if d.attention_data_parallel else ''}, "
             f"weights {d.weight_precision}, KV {d.kv_cache_precision}",
             f"  workload: {w.scenario}, {load}, {w.input_tokens} in / {w.output_tokens} out tokens"
             + (f", prefix hit {w.prefix_hit_ratio:g}" if w.prefix_hit_ratio else ""),
             "  settings: " + (", ".join(f"{k}={json.dumps(v)}" for k, v in given.items()) if given
                               else f"{d.engine} defaults") + " (all values: --json, settings)",
             "", "Latency"]
    lines += _table([
        ("TTFT (mean / p90 / p99)", f"{ms(r.ttft_s)} / {ms(r.ttft_p90_s)} / {ms(r.ttft_p99_s)}"),
        ("TPOT", ms(r.tpot_s)),
        ("ITL", ms(r.itl_s)),
        ("end-to-end (mean / p99)", f"{ms(r.e2e_s)} / {ms(r.e2e_p99_s)}"),
        ("prefill (one prompt, idle)", ms(r.prefill_s)),
    ], "<>")
    lines += ["", "Throughput"]
    lines += _table([
        ("output tokens/s", f"{r.output_tokens_per_s:,.1f}"),
        ("total tokens/s", f"{r.total_tokens_per_s:,.1f}"),
        ("output tokens/s per GPU", f"{r.output_tokens_per_s_per_gpu:,.1f}"),
        ("output tokens/s per user", f"{r.output_tokens_per_s_per_user:,.1f}"),
        ("requests/s", f"{r.requests_per_s:,.3f}"),
        ("running batch (per replica)", f"{r.running_batch:,.1f}"),
        ("max concurrency (KV cache)", f"{r.max_concurrency:,.0f}"),
        ("utilization", f"{100 * r.utilization:.1f}%" + (" SATURATED" if r.saturated else "")),
        ("MBU / MFU", f"{100 * r.mbu:.1f}% / {100 * r.mfu:.1f}%"),
    ], "<>")
    lines += ["", "Iteration"]
    lines += _table([
        ("iteration", ms(r.iteration_s)),
        ("  compute", ms(r.iteration_compute_s)),
        ("  memory beyond compute", ms(r.iteration_memory_s)),
        ("  communication", ms(r.iteration_communication_s)),
        ("  launch and host overhead", ms(r.iteration_overhead_s)),
    ], "<>")
    lines += ["", "Memory per GPU, GiB"]
    lines += _table([
        ("weights", gib(r.weights_bytes)),
        ("KV cache pool", gib(r.kv_cache_bytes)),
        ("  used by the running batch", gib(r.kv_used_bytes)),
        ("activations", gib(r.activation_bytes)),
        ("CUDA graphs", gib(r.cuda_graph_bytes)),
        ("runtime (context, workspaces)", gib(r.runtime_bytes)),
        ("peak", gib(r.peak_memory_bytes)),
        ("KV bytes per token", f"{r.kv_bytes_per_token:,.0f} B"),
    ], "<>")
    lines.append(f"  fits: {'yes' if r.fits_memory else 'NO'}")
    return "\n".join(lines)


def _run_serve_predict(args: argparse.Namespace) -> int:
    model, deployment = _serving_inputs(args)
    workload = _serve_workload(args)
    document = model.predict_json(deployment, workload)
    if args.trace:
        with open(args.trace, "w", encoding="utf-8") as out:
            json.dump(model.trace(deployment, workload), out)
    if args.json:
        report = {"model": model.model_config.name, "gpu": model.gpu.name, **document}
        print(json.dumps(report, indent=2))
    else:
        prediction = model.predict(deployment, workload)
        print(_serve_text(model, deployment, workload, prediction, document.get("settings", {})))
    return EXIT_OK


def _register_serve_predict(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "predict", help="predict TTFT, TPOT, tokens/s and memory of a deployment",
        description="Predict one serving deployment under one load: latency (TTFT, TPOT, ITL, "
                    "end-to-end), throughput (total, per GPU, per user), the running batch, the "
                    "KV cache's capacity and memory per GPU.")
    _add_deployment_arguments(parser)
    group = parser.add_argument_group("workload")
    group.add_argument("--input-tokens", type=_bounded("seq_len", "--input-tokens"), required=True,
                       metavar="N", help="prompt tokens per request")
    group.add_argument("--output-tokens", type=_bounded("seq_len", "--output-tokens"), required=True,
                       metavar="N", help="generated tokens per request")
    group.add_argument("--scenario", choices=SCENARIOS, default=None,
                       help="load scenario (default: from the load given: --concurrency, "
                            "--request-rate, else static_batch)")
    group.add_argument("--batch-size", type=_bounded("serving_sequences", "--batch-size"), default=1,
                       metavar="N", help="static_batch: sequences per replica (default: 1)")
    group.add_argument("--concurrency", type=_bounded("serving_sequences", "--concurrency"), default=None,
                       metavar="N", help="requests in flight (closed loop)")
    group.add_argument("--request-rate", type=float, default=None, metavar="X",
                       help="Poisson arrivals, requests/s (open loop)")
    group.add_argument("--num-requests", type=int, default=0, metavar="N",
                       help="burst / offline: requests in the run (default: 0)")
    group.add_argument("--prefix-hit-ratio", type=float, default=0.0, metavar="X",
                       help="share of each prompt found in the prefix cache (default: 0)")
    parser.add_argument("--json", action="store_true",
                        help="print the library's document (deployment, workload, prediction, settings)")
    parser.add_argument("--trace", metavar="FILE.json", default=None,
                        help="also write one request's life as a Chrome/Perfetto trace (open in ui.perfetto.dev)")
    parser.set_defaults(handler=_run_serve_predict)


def _run_serve_settings(args: argparse.Namespace) -> int:
    rows = serving_settings_fields()
    if args.json:
        print(json.dumps(list(rows), indent=2))
        return EXIT_OK
    table = [["setting", "values"] + list(ENGINES)]
    for row in rows:
        kind = row["type"]
        values = ("|".join(row["choices"]) if kind == "choice"
                  else f"{row['minimum']}..{row['maximum']}" if kind in ("integer", "number")
                  else "on/off")
        table.append([row["key"] + (" *" if row.get("not_modelled") else ""), values]
                     + [json.dumps(row["defaults"].get(e)) for e in ENGINES])
    lines = ["Serving-engine settings and each engine's default on an H100-SXM-80GB (null: no "
             "cap). Set them with --<setting> on `serve predict`, ServingSettings in Python, "
             "settings_json in C.", ""]
    lines += _table(table, "<<" + "<" * len(ENGINES))
    notes = [f"{r['key']}: {r['not_modelled']}" for r in rows if r.get("not_modelled")]
    if notes:
        lines += ["", "* accepted and reported, not priced: " + "; ".join(notes)]
    print("\n".join(lines))
    return EXIT_OK


def _register_serve_settings(subparsers: Any) -> None:
    parser = subparsers.add_parser("settings", help="list the serving-engine settings and defaults")
    parser.add_argument("--json", action="store_true", help="print the library's table as JSON")
    parser.set_defaults(handler=_run_serve_settings)


def _entry_row(e: Any, targets: Mapping[str, Any]) -> list[str]:
    d = e.deployment
    layout = f"tp={d.tp} pp={d.pp} x{d.replicas}"
    if d.expert_parallel:
        layout += " ep"
    if d.attention_data_parallel:
        layout += " adp"
    if e.prefill_pool is not None:
        q = e.prefill_pool
        layout = f"P tp={q.tp} pp={q.pp} x{q.replicas} + D " + layout
    percentile = targets.get("percentile") or "p50"
    load = (str(e.batch_per_replica) if e.batch_per_replica else
            str(e.workload.concurrency) if e.workload.scenario == "online_fixed_concurrency" else "-")
    return [str(e.rank or ""), str(e.num_gpus), layout, d.engine, f"{d.weight_precision}/{d.kv_cache_precision}",
            load, f"{e.ttft_at(percentile) * 1e3:,.1f}", f"{e.tpot_ms:,.2f}",
            f"{e.output_tokens_per_s_per_gpu:,.1f}", f"{e.prediction.output_tokens_per_s_per_user:,.1f}",
            f"{e.prediction.peak_memory_bytes / GIB:.1f}"]


def _serve_search_text(result: Any, model: str, gpu: str, args: argparse.Namespace) -> str:
    t = result.targets
    percentile = t.get("percentile") or "p50"
    wanted = []
    if t.get("max_ttft_s"):
        wanted.append(f"TTFT {percentile} <= {t['max_ttft_s'] * 1e3:g} ms")
    if t.get("max_tpot_s"):
        wanted.append(f"TPOT <= {t['max_tpot_s'] * 1e3:g} ms")
    load = (f"{args.concurrency} concurrent requests" if args.concurrency is not None
            else f"batch {args.batch_size} per replica" if args.batch_size is not None
            else f"{args.request_rate:g} requests/s" if args.request_rate is not None
            else f"{args.scenario or 'online_fixed_concurrency'}, load per replica swept")
    lines = [f"{model} on up to {result.budget_gpus}x {gpu}: {args.input_tokens} in / {args.output_tokens} out "
             f"tokens, {load}; targets: {', '.join(wanted) or 'none'}"]
    header = ["#", "GPUs", "layout", "engine", "weights/KV", "load", f"TTFT {percentile} ms", "TPOT ms",
              "tok/s/GPU", "tok/s/user", "GiB/GPU"]
    if result.best is not None:
        b = result.best
        lines.append(f"Best: {b.num_gpus} GPUs, tp={b.tp} pp={b.pp} replicas={b.replicas}, {b.engine}, "
                     f"{b.deployment.weight_precision} weights / {b.deployment.kv_cache_precision} KV: "
                     f"TTFT {percentile} {b.ttft_at(percentile) * 1e3:,.1f} ms, TPOT {b.tpot_ms:,.2f} ms, "
                     f"{b.output_tokens_per_s_per_gpu:,.1f} output tok/s/GPU")
        lines += ["", f"Top {len(result.top)} (ranked by output tokens/s per GPU)"]
        lines += _table([header] + [_entry_row(e, t) for e in result.top], "<><<<>>>>>>")
        lines += ["", f"Pareto front, tokens/s/GPU vs tokens/s/user ({len(result.pareto)} points)"]
        lines += _table([header] + [_entry_row(e, t) for e in result.pareto], "<><<<>>>>>>")
    else:
        lines.append("Nothing meets the targets.")
        if result.closest is not None:
            c = result.closest
            lines.append(f"Closest: {c.describe()}: TTFT {percentile} {c.ttft_at(percentile) * 1e3:,.1f} ms, "
                         f"TPOT {c.tpot_ms:,.2f} ms (misses by x{result.closest_miss:.2f})")
        if result.explanation:
            lines.append(f"({result.explanation.split('; closest:')[0]})")
    s = result.stats
    lines += ["", f"Searched {s.layouts} replica layouts, {s.evaluated:,} points priced, {s.feasible:,} feasible "
                  f"in {s.elapsed_s:.2f} s ({s.threads} threads)" + (" - CANCELLED" if s.cancelled else "")]
    if s.pruned:
        lines.append("Pruned: " + ", ".join(f"{k}={v:,}" for k, v in s.pruned.items()))
    return "\n".join(lines)


def _run_serve_search(args: argparse.Namespace) -> int:
    from .serving_search import search_serving

    name = args.model_name or args.model
    if name is None:
        raise ValueError("serve search: give the model (a preset name or config.json path)")
    model = _load_model(name)
    gpu = _load_gpu(args.gpu)
    progress = None
    if args.progress:
        def progress(stage: str, done: int, total: int) -> bool:
            print(f"\r{stage} {done}/{total}", end="", file=sys.stderr, flush=True)
            return False
    result = search_serving(
        model, gpu=gpu, num_gpus=args.gpus, max_gpus=args.max_gpus, gpus_per_node=args.gpus_per_node,
        input_tokens=args.input_tokens, output_tokens=args.output_tokens, scenario=args.scenario,
        concurrency=args.concurrency, batch_size=args.batch_size, request_rate=args.request_rate,
        num_requests=args.num_requests, prefix_hit_ratio=args.prefix_hit_ratio,
        max_ttft_ms=args.max_ttft_ms, max_tpot_ms=args.max_tpot_ms, percentile=args.percentile,
        engines=args.engines, weight_precisions=args.weight_precisions,
        kv_cache_precisions=args.kv_cache_precisions, max_tp=args.max_tp, max_pp=args.max_pp,
        max_batch=args.max_batch, try_expert_parallel=not args.no_expert_parallel,
        try_attention_data_parallel=not args.no_attention_data_parallel, disaggregated=args.disaggregated,
        settings=_serving_settings(args), top_k=args.top, threads=args.threads, progress=progress)
    if args.progress:
        print(file=sys.stderr)
    if args.json:
        print(json.dumps({"model": model.name, "gpu": gpu.name, **result.to_dict()}, indent=2))
    else:
        print(_serve_search_text(result, model.name, gpu.name, args))
    if result.top or result.pareto:
        _write_plot(args.plot, lambda plots: plots.pareto_front(result))
    return EXIT_OK


def _register_serve_search(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "search", help="find the deployments that serve a load under latency targets",
        description="Search the serving deployments of a model on up to --max-gpus GPUs (tp, pp, "
                    "replicas, engines, weight and KV precisions, optionally disaggregated "
                    "prefill/decode pools), keep those that fit and meet the TTFT/TPOT targets, and "
                    "rank them by output tokens/s per GPU. With --concurrency (or --batch-size) the "
                    "load is kept as given and the replica count varies; without a load the "
                    "concurrency per replica is swept. When nothing meets the targets the closest "
                    "deployment and the pruned candidates per reason are printed.")
    parser.add_argument("model_name", nargs="?", metavar="MODEL",
                        help="a preset name (llama3-70b) or a config.json path (or --model)")
    parser.add_argument("--model", default=None, metavar="NAME|CONFIG.json", help=argparse.SUPPRESS)
    parser.add_argument("--gpu", default="H100-SXM-80GB", metavar="NAME|GPU.json",
                        help="GPU preset or GPU JSON file (default: H100-SXM-80GB)")
    parser.add_argument("--max-gpus", type=_bounded("num_gpus", "--max-gpus"), default=None, metavar="N",
                        help="GPU budget (default: --gpus, else one node)")
    parser.add_argument("--gpus", type=_bounded("num_gpus", "--gpus"), default=None, metavar="N",
                        help="GPUs in the cluster (default: --max-gpus)")
    parser.add_argument("--gpus-per-node", type=_bounded("gpus_per_node", "--gpus-per-node"), default=None,
                        metavar="N", help="GPUs per NVLink domain (default: the GPU's usual node size)")
    group = parser.add_argument_group("workload")
    group.add_argument("--input-tokens", type=_bounded("seq_len", "--input-tokens"), required=True,
                       metavar="N", help="prompt tokens per request")
    group.add_argument("--output-tokens", type=_bounded("seq_len", "--output-tokens"), required=True,
                       metavar="N", help="generated tokens per request")
    group.add_argument("--scenario", choices=SCENARIOS, default=None,
                       help="load scenario (default: from the load given; none: "
                            "online_fixed_concurrency swept per replica)")
    group.add_argument("--concurrency", type=_bounded("serving_sequences", "--concurrency"), default=None,
                       metavar="N", help="requests in flight over the whole deployment (kept; replicas vary)")
    group.add_argument("--batch-size", type=_bounded("serving_sequences", "--batch-size"), default=None,
                       metavar="N", help="static batch per replica (kept; replicas vary)")
    group.add_argument("--request-rate", type=float, default=None, metavar="X",
                       help="Poisson arrivals, requests/s, whole deployment")
    group.add_argument("--num-requests", type=int, default=0, metavar="N",
                       help="burst / offline: requests in the run (default: 0)")
    group.add_argument("--prefix-hit-ratio", type=float, default=0.0, metavar="X",
                       help="share of each prompt found in the prefix cache (default: 0)")
    group.add_argument("--max-batch", type=_bounded("serving_sequences", "--max-batch"), default=None,
                       metavar="N", help="largest batch/concurrency per replica swept (default: 1024)")
    group = parser.add_argument_group("targets")
    group.add_argument("--max-ttft-ms", type=float, default=None, metavar="MS", help="time-to-first-token target")
    group.add_argument("--max-tpot-ms", type=float, default=None, metavar="MS", help="time-per-output-token target")
    group.add_argument("--percentile", choices=("p50", "p90", "p99"), default="p50",
                       help="which TTFT the target applies to (p50: the mean; default)")
    group = parser.add_argument_group("search space")
    group.add_argument("--engines", nargs="+", choices=ENGINES, default=None, metavar="ENGINE",
                       help=f"engines to try (default: {', '.join(e for e in ENGINES if e != 'pytorch')}; "
                       "pytorch, the eager bench loop, only when named and for static_batch)")
    group.add_argument("--weight-precisions", nargs="+", choices=WEIGHT_PRECISIONS, default=None,
                       metavar="P", help="weight precisions (default: bf16, plus fp8/fp4 where the GPU has them)")
    group.add_argument("--kv-cache-precisions", nargs="+", choices=KV_CACHE_PRECISIONS, default=None,
                       metavar="P", help="KV cache precisions (default: bf16, plus fp8 where supported)")
    group.add_argument("--max-tp", type=_bounded("parallel_degree", "--max-tp"), default=None, metavar="N",
                       help="largest tensor parallel degree (default: the node)")
    group.add_argument("--max-pp", type=_bounded("parallel_degree", "--max-pp"), default=None, metavar="N",
                       help="largest pipeline degree (default: as the budget and layers allow)")
    group.add_argument("--no-expert-parallel", action="store_true", help="MoE: do not try expert parallel")
    group.add_argument("--no-attention-data-parallel", action="store_true",
                       help="MoE: do not try attention data parallel")
    group.add_argument("--disaggregated", action="store_true",
                       help="also try disaggregated prefill/decode pools (load swept)")
    group.add_argument("--top", type=int, default=10, metavar="K", help="deployments listed (default: 10)")
    group.add_argument("--threads", type=int, default=0, metavar="N", help="worker threads (default: all cores)")
    _add_serving_settings_arguments(parser)
    parser.add_argument("--progress", action="store_true", help="show progress on stderr")
    parser.add_argument("--json", action="store_true", help="print the library's search document")
    _add_plot_argument(parser, "the Pareto front (tokens/s/GPU vs tokens/s/user)")
    parser.set_defaults(handler=_run_serve_search)


#: `pdcost serve` subcommands: (name, register(subparsers)).
def _register_plan(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "plan", help="price a whole training run: days, GPU-hours, cost, energy",
        description="From the tokens to train (given, or compute-optimal: about 20 per parameter, "
                    "Hoffmann et al. 2022) to wall-clock days, GPU-hours, cost and energy, with "
                    "the fastest plan that fits at each GPU count; or the fewest GPUs (doubling "
                    "from one node) that finish within --days.")
    _add_job_arguments(parser)
    parser.add_argument("--gpu-counts", default=None, metavar="N,N",
                        help="GPU counts to compare (default: --gpus)")
    parser.add_argument("--seq-len", type=_seq_len, default=4096, metavar="N",
                        help="tokens per sequence (default: 4096)")
    parser.add_argument("--global-batch", type=_bounded("global_batch_size", "--global-batch"), required=True,
                        metavar="N", help="sequences per optimizer step")
    parser.add_argument("--dtype", choices=tuple(CLI_DTYPES), default="bf16",
                        help="compute precision (default: bf16)")
    parser.add_argument("--framework", choices=tuple(FRAMEWORKS), default="megatron",
                        help="framework profile (default: megatron)")
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--tokens", type=_positive_float("--tokens"), default=None, metavar="X",
                        help="tokens to train, e.g. 2e12 (default: 20 per parameter)")
    budget.add_argument("--compute-flops", type=_positive_float("--compute-flops"), default=None, metavar="X",
                        help="a compute budget: train the compute-optimal token count for it")
    parser.add_argument("--days", type=_positive_float("--days"), default=None, metavar="D",
                        help="find the fewest GPUs that finish within D days")
    parser.add_argument("--price", type=_positive_float("--price"), default=None, metavar="USD",
                        help="price per GPU-hour (default: no cost shown)")
    from .planner import DEFAULT_POWER_FRACTION, DEFAULT_PUE
    parser.add_argument("--pue", type=_positive_float("--pue"), default=None, metavar="X",
                        help=f"data-centre power usage effectiveness (default: {DEFAULT_PUE}, BLOOM's)")
    parser.add_argument("--power-fraction", type=_positive_float("--power-fraction"), default=None, metavar="X",
                        help=f"average board power over TDP (default: {DEFAULT_POWER_FRACTION}, BLOOM's A100s)")
    parser.add_argument("--json", action="store_true", help="print as JSON")
    _add_plot_argument(parser, "tokens/s/GPU and MFU against the GPU count (scaling curves)")
    parser.set_defaults(handler=_run_plan)


def _run_plan(args: argparse.Namespace) -> int:
    from .planner import plan_run
    model = _load_model(args.model)
    hardware = _hardware(args)
    training = TrainingConfig(sequence_length=args.seq_len, dtype=CLI_DTYPES[args.dtype],
                              framework=args.framework)
    cm = PDCostModel(model, hardware, training)
    if args.profile:
        cm.use_profile(args.profile)
    counts = None
    if args.gpu_counts:
        try:
            counts = [int(x) for x in args.gpu_counts.split(",") if x]
        except ValueError:
            raise ValueError(f"--gpu-counts={args.gpu_counts!r} is not a list of integers") from None
    runs = plan_run(cm, global_batch_size=args.global_batch, tokens=args.tokens,
                    compute_budget_flops=args.compute_flops, gpus=counts, days=args.days,
                    price_per_gpu_hour=args.price, power_fraction=args.power_fraction, pue=args.pue)
    if runs:
        _write_plot(args.plot, lambda plots: plots.scaling_curves(runs))
    if args.json:
        print(json.dumps({"runs": [r.to_dict() for r in runs]}, indent=2))
        return EXIT_OK
    if not runs:
        print("no GPU count has a plan that fits")
        return EXIT_OK
    first = runs[0]
    print(f"{model.name}: {first.tokens:.4g} tokens "
          f"({first.assumptions['tokens_per_parameter']:.1f} per parameter), "
          f"{args.seq_len:,}-token sequences, {args.global_batch} per step")
    rows = [("GPUs", "plan", "tok/s/GPU", "MFU", "days", "GPU-hours", "cost (USD)", "energy (MWh)")]
    for r in runs:
        rows.append((f"{r.gpus:,}", r.plan, f"{r.tokens_per_second_per_gpu:,.0f}", f"{r.mfu:.1%}",
                     f"{r.days:,.1f}", f"{r.gpu_hours:,.0f}", "–" if r.cost is None else f"{r.cost:,.0f}",
                     f"{r.energy_mwh:,.1f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.rjust(w) if i != 1 else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))))
    a = first.assumptions
    print(f"energy: {a['board_power_w']:.0f} W board power × {a['power_fraction']} × PUE {a['pue']}")
    return EXIT_OK


SERVE_COMMANDS: list[tuple[str, Callable[[Any], None]]] = [
    ("predict", _register_serve_predict),
    ("search", _register_serve_search),
    ("settings", _register_serve_settings),
]


def _register_serve(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve", help="serving (inference): predict or search deployments",
        description="The serving cost model: TTFT, TPOT, throughput and memory of a deployment "
                    "(tp, pp, replicas, precisions, engine and its settings) under a load.")
    serve = parser.add_subparsers(title="serve commands", metavar="COMMAND")
    serve.required = True
    for _, register in SERVE_COMMANDS:
        register(serve)


# ------------------------------------------------------------------------------------------------
# Entry point
# ------------------------------------------------------------------------------------------------

#: Subcommands in help order: (name, register(subparsers)).
COMMANDS: list[tuple[str, Callable[[Any], None]]] = [
    ("model", _register_model),
    ("gpu", _register_gpu),
    ("settings", _register_settings),
    ("predict", _register_predict),
    ("validate", _register_validate),
    ("calibrate", _register_calibrate),
    ("search", _register_search),
    ("report", _register_report),
    ("compare", _register_compare),
    ("plan", _register_plan),
    ("serve", _register_serve),
    ("sweep", register_sweep),
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
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.argv = argv  # compare re-reads its base job from it
    try:
        status: int = args.handler(args)
        return status
    except NotFoundError as error:
        hint = ("; or pass a path to a config.json"
                if args.handler in (_run_model, _run_predict, _run_serve_predict) else "")
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
