"""``python -m pdcost.bench``: measure runs on this machine's GPUs.

    python -m pdcost.bench --model qwen2.5-0.5b --seq-len 2048 --mbs 2 --out runs.json
    python -m pdcost.bench grid --preset single-gpu --out measured/h100.json
    python -m pdcost.bench compare measured/h100.json
    python -m pdcost.bench serve --model qwen2.5-0.5b --batch-size 8 --input-tokens 512 --out serve.json
    python -m pdcost.bench client --url http://localhost:8000 --served-model Qwen/Qwen2.5-0.5B \
        --model qwen2.5-0.5b --gpu H100-SXM-80GB --concurrency 16 --out serve.json
    python -m pdcost.bench report serve.json --out report/
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
from .serving_records import SERVING_ENGINES

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NO_DEVICE = 0, 1, 2, 3
_COMMANDS = ("run", "grid", "compare", "presets", "serve", "client", "report")


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


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pdcost.bench serve",
        description="Static-batch greedy generation with a KV cache in eager PyTorch (random "
                    "weights): TTFT, ITL, TPOT, end-to-end latency, output tokens/s and peak "
                    "memory, written as a kind='inference' record (scenario static_batch).",
        epilog="Several GPUs: torchrun --nproc-per-node TP*PP*DP -m pdcost.bench serve ... "
               "(dp: replicas with a batch each; tp: column/row-split linears with all-reduce; "
               "pp: layer ranges with send/recv every step).")
    parser.add_argument("--model", required=True,
                        help="pdcost preset, bench model or path to a config.json")
    parser.add_argument("--layers", type=_positive, default=None)
    parser.add_argument("--batch-size", type=_positive, default=1, help="sequences per replica")
    parser.add_argument("--input-tokens", type=_positive, default=128)
    parser.add_argument("--output-tokens", type=_positive, default=128)
    parser.add_argument("--dtype", choices=("bf16", "fp16"), default="bf16")
    parser.add_argument("--tp", type=_positive, default=1)
    parser.add_argument("--pp", type=_positive, default=1)
    parser.add_argument("--dp", type=_positive, default=1, help="data-parallel replicas")
    parser.add_argument("--runs", type=_positive, default=3, help="timed batches (default 3)")
    parser.add_argument("--warmup-runs", type=_count, default=1)
    parser.add_argument("--device", choices=("cuda", "cpu"), default="cuda",
                        help="cuda (default) or cpu: fp32, a test of the code, not a GPU number")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--name", default=None, help="record id")
    parser.add_argument("--out", default=None, help="runs file to add the record to")
    parser.add_argument("--quiet", action="store_true")
    return parser


def _client_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pdcost.bench client",
        description="Drive a running OpenAI-compatible server (vLLM, SGLang, trtllm-serve) "
                    "with streamed requests at a fixed concurrency (closed loop) or request "
                    "rate (open loop, Poisson) and record TTFT, ITL, TPOT and end-to-end "
                    "latency as vLLM's benchmarks/benchmark_serving.py defines them. The "
                    "server's hardware, plan and precision are what you state here.")
    parser.add_argument("--url", required=True, help="server base URL, e.g. http://localhost:8000")
    parser.add_argument("--endpoint", default="/v1/completions",
                        help="/v1/completions (default) or /v1/chat/completions")
    parser.add_argument("--served-model", required=True, help="the API's model name")
    parser.add_argument("--model", required=True,
                        help="architecture for the record: pdcost preset, bench model or config.json")
    parser.add_argument("--framework", choices=SERVING_ENGINES, default="vllm")
    parser.add_argument("--framework-version", default=None)
    parser.add_argument("--gpu", required=True, help="pdcost GPU preset the server runs on")
    parser.add_argument("--num-gpus", type=_positive, default=None,
                        help="default tp*pp*dp")
    parser.add_argument("--tp", type=_positive, default=1)
    parser.add_argument("--pp", type=_positive, default=1)
    parser.add_argument("--dp", type=_positive, default=1, help="server replicas")
    parser.add_argument("--weights", choices=("bf16", "fp16", "fp8", "fp4", "int4_wo"),
                        default="bf16")
    parser.add_argument("--kv-cache", choices=("bf16", "fp16", "fp8"), default=None)
    parser.add_argument("--input-tokens", type=_positive, default=128)
    parser.add_argument("--output-tokens", type=_positive, default=128)
    parser.add_argument("--num-requests", type=_positive, default=100)
    parser.add_argument("--concurrency", type=_positive, default=None,
                        help="requests in flight (closed loop)")
    parser.add_argument("--request-rate", type=float, default=None,
                        help="requests/s, Poisson arrivals (open loop)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--name", default=None, help="record id")
    parser.add_argument("--out", default=None, help="runs file to add the record to")
    parser.add_argument("--quiet", action="store_true")
    return parser


def _report_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pdcost.bench report",
        description="Charts (throughput vs GPUs and strategy, latency vs throughput, parallel "
                    "efficiency, predicted vs measured) and a Markdown and a self-contained "
                    "HTML report of measured-runs files. Charts need matplotlib (optional).")
    parser.add_argument("files", nargs="+", help="measured-runs files")
    parser.add_argument("--out", required=True, help="folder for report.md, report.html, charts")
    parser.add_argument("--no-predictions", action="store_true",
                        help="do not run pdcost's predictions")
    return parser


def _add_record(record: dict[str, Any], out: str | None, quiet: bool) -> None:
    from .records import read_runs_file, write_runs_file

    if out:
        records = [r for r in read_runs_file(out) if r.get("id") != record["id"]]
        write_runs_file(out, records + [record])
        _say(quiet)(f"wrote {record['id']} to {out}")
    else:
        print(json.dumps(record, indent=2))


def _command_serve(argv: Sequence[str]) -> int:
    args = _serve_parser().parse_args(argv)
    from .serving_records import ServeConfig, build_serve_record, resolve_serve_model

    config = ServeConfig(model=args.model, num_layers=args.layers, batch_size=args.batch_size,
                         input_tokens=args.input_tokens, output_tokens=args.output_tokens,
                         dtype=args.dtype, tp=args.tp, pp=args.pp, dp=args.dp,
                         device=args.device, warmup_runs=args.warmup_runs, runs=args.runs,
                         seed=args.seed, name=args.name)
    from .serve import run_serve, teardown

    try:
        measurement = run_serve(config, log=_say(args.quiet))
    finally:
        teardown()
    if measurement is None:  # a rank other than 0
        return EXIT_OK
    _add_record(build_serve_record(config, resolve_serve_model(config), measurement),
                args.out, args.quiet)
    return EXIT_OK


def _command_client(argv: Sequence[str]) -> int:
    args = _client_parser().parse_args(argv)
    from .client import run_client
    from .serving_records import ClientSettings

    settings = ClientSettings(
        url=args.url, endpoint=args.endpoint, served_model=args.served_model, model=args.model,
        framework=args.framework, framework_version=args.framework_version, gpu=args.gpu,
        num_gpus=args.num_gpus, tp=args.tp, pp=args.pp, dp=args.dp, weights=args.weights,
        kv_cache=args.kv_cache, input_tokens=args.input_tokens, output_tokens=args.output_tokens,
        num_requests=args.num_requests, concurrency=args.concurrency,
        request_rate=args.request_rate, seed=args.seed, name=args.name)
    _add_record(run_client(settings, log=_say(args.quiet)), args.out, args.quiet)
    return EXIT_OK


def _command_report(argv: Sequence[str]) -> int:
    args = _report_parser().parse_args(argv)
    from .report import write_report

    written = write_report(args.files, args.out, predictions=not args.no_predictions)
    for path in written:
        print(path)
    return EXIT_OK


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
               "presets": _command_presets, "serve": _command_serve,
               "client": _command_client, "report": _command_report}[command]
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
