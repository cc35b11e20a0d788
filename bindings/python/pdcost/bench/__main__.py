"""``python -m pdcost.bench``: measure runs on this machine's GPUs.

    python -m pdcost.bench --model qwen2.5-0.5b --seq-len 2048 --mbs 2 --out runs.json
    python -m pdcost.bench grid --preset single-gpu --out measured/h100.json
    python -m pdcost.bench compare measured/h100.json
    torchrun --nproc-per-node 8 -m pdcost.bench --model llama3-8b --dp 8 --fsdp --out runs.json

Exit status: 0 ok, 2 bad arguments, 3 no torch or no GPU, 1 anything else.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Sequence

from ..cli import _positive  # the CLI's int >= 1 argument type; torch-free
from ..errors import NoDeviceError, PDCostError
from ._torch import TorchUnavailableError
from .config import BENCH_MODELS, BenchConfig

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NO_DEVICE = 0, 1, 2, 3
_COMMANDS = ("run", "grid", "compare", "presets")


def _count(text: str) -> int:
    """An int >= 0 (argparse type)."""
    return _positive(text) if text != "0" else 0


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--steps", type=_positive, default=None,
                        help="timed steps (default: 10)")
    parser.add_argument("--warmup-steps", type=_count, default=None,
                        help="untimed warm-up steps (default: 3)")
    parser.add_argument("--device", choices=("cuda", "cpu"), default=None,
                        help="cuda (default) or cpu: a smoke test of the loop, not a measurement")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _run_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pdcost.bench",
        description="Measure real training (or prefill) steps of a Hugging Face-architecture "
                    "model with random weights, and write a measured-runs record "
                    "(pdcost.runs/1). Other commands: `grid` (a built-in grid of runs), "
                    "`compare` (pdcost's predictions vs a measured file), `presets`.",
        epilog="Several GPUs: torchrun --nproc-per-node TP*DP -m pdcost.bench ... "
               "Bench models: " + ", ".join(BENCH_MODELS) + " (plus pdcost's model presets).")
    parser.add_argument("--model", required=True,
                        help="pdcost preset, bench model or path to a config.json")
    parser.add_argument("--layers", type=_positive, default=None,
                        help="override num_hidden_layers (a short version of a big model)")
    parser.add_argument("--seq-len", type=_positive, default=2048)
    parser.add_argument("--mbs", type=_positive, default=1, help="micro-batch size")
    parser.add_argument("--gas", type=_positive, default=1, help="gradient accumulation steps")
    parser.add_argument("--dtype", choices=("bf16", "fp16"), default="bf16")
    parser.add_argument("--recompute", choices=("none", "full", "selective"), default="none")
    parser.add_argument("--tp", type=_positive, default=1)
    parser.add_argument("--dp", type=_positive, default=1)
    parser.add_argument("--fsdp", action="store_true", help="FSDP2 full sharding over dp")
    parser.add_argument("--mode", choices=("train", "inference"), default="train")
    parser.add_argument("--compile", action="store_true", help="torch.compile each layer")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--name", default=None, help="record id (default: from the settings)")
    parser.add_argument("--out", default=None,
                        help="measured-runs file to add the record to (default: print it)")
    _add_common(parser)
    return parser


def _grid_parser() -> argparse.ArgumentParser:
    from .grid import PRESETS

    parser = argparse.ArgumentParser(
        prog="python -m pdcost.bench grid",
        description="Run a built-in grid into a measured-runs file, rewritten after each run "
                    "(a stopped grid resumes where it stopped). Out-of-memory runs are skipped "
                    "and listed in FILE.skipped.json.",
        epilog="Presets: " + "; ".join(f"{k}: {v[0]}" for k, v in PRESETS.items()))
    parser.add_argument("--preset", required=True, choices=tuple(PRESETS))
    parser.add_argument("--out", required=True, help="measured-runs file to write")
    parser.add_argument("--no-resume", action="store_true",
                        help="measure every run again even if the file has it")
    _add_common(parser)
    return parser


def _compare_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pdcost.bench compare",
        description="Predict every record of a measured-runs file with pdcost (the records' "
                    "framework profile, torchtitan for this harness) and print predicted vs "
                    "measured with MAPE per metric (the same as `pdcost validate FILE`).")
    parser.add_argument("file")
    parser.add_argument("--json", action="store_true", help="print the JSON report")
    parser.add_argument("--profile", default=None, help="a calibrated profile file")
    return parser


def _config_from(args: argparse.Namespace) -> BenchConfig:
    options: dict[str, Any] = dict(
        model=args.model, num_layers=args.layers, seq_len=args.seq_len,
        micro_batch_size=args.mbs, gradient_accumulation_steps=args.gas, dtype=args.dtype,
        recompute=args.recompute, tp=args.tp, dp=args.dp, fsdp=args.fsdp, mode=args.mode,
        compile=args.compile, seed=args.seed, name=args.name)
    for key, value in (("steps", args.steps), ("warmup_steps", args.warmup_steps),
                       ("device", args.device)):
        if value is not None:
            options[key] = value
    return BenchConfig(**options)


def _say(quiet: bool) -> Any:
    return (lambda _m: None) if quiet else (lambda m: print(m, file=sys.stderr, flush=True))


def _command_run(argv: Sequence[str]) -> int:
    args = _run_parser().parse_args(argv)
    config = _config_from(args)
    from . import run
    from .records import read_runs_file, write_runs_file

    record = run(config, log=_say(args.quiet))
    if not record:  # a rank other than 0 under torchrun
        return EXIT_OK
    if args.out:
        records = [r for r in read_runs_file(args.out) if r.get("id") != record["id"]]
        write_runs_file(args.out, records + [record])
        _say(args.quiet)(f"wrote {record['id']} to {args.out}")
    else:
        print(json.dumps(record, indent=2))
    return EXIT_OK


def _command_grid(argv: Sequence[str]) -> int:
    args = _grid_parser().parse_args(argv)
    from .grid import preset, run_grid, skipped_path

    configs = preset(args.preset, steps=args.steps, warmup_steps=args.warmup_steps,
                     device=args.device)
    # Fail early (not once per run) when torch or the GPU is missing.
    from ._torch import require_device

    require_device(args.device or "cuda")
    result = run_grid(configs, args.out, progress=not args.quiet, resume=not args.no_resume)
    _say(args.quiet)(f"{result['runs']} run(s) in {args.out}; {len(result['skipped'])} skipped"
                     + (f" (see {skipped_path(args.out)})" if result["skipped"] else ""))
    return EXIT_OK


def _command_compare(argv: Sequence[str]) -> int:
    args = _compare_parser().parse_args(argv)
    from .compare import compare

    print(compare(args.file, text=not args.json, profile=args.profile))
    return EXIT_OK


def _command_presets(argv: Sequence[str]) -> int:
    from .grid import PRESETS

    argparse.ArgumentParser(prog="python -m pdcost.bench presets",
                            description="List the built-in grids.").parse_args(argv)
    for name, (description, _) in PRESETS.items():
        print(f"{name:22} {description}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the bench command line; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args and args[0] in _COMMANDS else "run"
    if args and args[0] in _COMMANDS:
        args = args[1:]
    handler = {"run": _command_run, "grid": _command_grid, "compare": _command_compare,
               "presets": _command_presets}[command]
    try:
        return handler(args)
    except (TorchUnavailableError, NoDeviceError) as error:
        print(f"pdcost.bench: error: {error}", file=sys.stderr)
        return EXIT_NO_DEVICE
    except (ValueError, LookupError, TypeError) as error:
        print(f"pdcost.bench: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:
        print(f"pdcost.bench: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (PDCostError, NotImplementedError, RuntimeError) as error:
        print(f"pdcost.bench: error: {error}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
