#!/usr/bin/env python3
"""The README's fine-tuning table: Llama-3-8B and 70B, full fine-tuning / LoRA / QLoRA, on one
24, 48 or 80 GB GPU and on eight 80 GB GPUs — does it fit, with which plan, how fast.

    python scripts/fine_tuning_table.py            print the table
    python scripts/fine_tuning_table.py --write    replace it in README.md

Each cell is `pdcost search` at 4,096-token sequences and a 32-sequence global batch: the
fastest plan that fits (micro-batch, recomputation, parallel split), or "no" with the search's
reason. Tests/python/test_fine_tuning_table.py renders it again and fails when the README
differs, so the published answers are always the code's.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- fine-tuning:begin (scripts/fine_tuning_table.py) -->"
END = "<!-- fine-tuning:end -->"

MODELS = ("llama3-8b", "llama3-70b")
METHODS = (("sft", "full"), ("lora", "LoRA r16"), ("qlora", "QLoRA r16"))
#: Full fine-tuning again under DeepSpeed, the search free to move the optimizer states to the
#: host (ZeRO-Offload: `offload_optimizer: cpu`, ratio 0 or 1).
OFFLOAD_ROW = ("sft", "full, ZeRO-Offload")
#: (label, GPU preset, GPUs)
MACHINES = (("1× RTX 4090 24 GB", "RTX-4090", 1), ("1× L40S 48 GB", "L40S", 1),
            ("1× H100 80 GB", "H100-SXM-80GB", 1), ("8× H100 80 GB", "H100-SXM-80GB", 8))
SEQ_LEN = 4096
GLOBAL_BATCH = 32


def cell(model: str, method: str, gpu: str, gpus: int, offload: bool = False) -> str:
    from pdcost import HardwareConfig, ModelConfig, NoPlanFitsWarning, PDCostModel, TrainingConfig

    framework = "deepspeed" if offload else "megatron"
    cm = PDCostModel(ModelConfig.from_name(model),
                     HardwareConfig(gpu=gpu, num_nodes=1, gpus_per_node=gpus),
                     TrainingConfig(sequence_length=SEQ_LEN, method=method,  # type: ignore[arg-type]
                                    framework=framework),
                     settings={"offload_optimizer": "cpu"} if offload else None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NoPlanFitsWarning)
        result = cm.search(total_gpus=gpus, global_batch_size=GLOBAL_BATCH, top_k=1, threads=1,
                           optimizer_offload_ratios=(0.0, 1.0) if offload else (0.0,))
    if not result.results:
        return "no"
    best = result.results[0]
    p = best.parallel
    split = "" if gpus == 1 else f" tp{p.tp} pp{p.pp} dp{p.dp}"
    recompute = "" if best.recompute_granularity == "none" else f" {best.recompute_granularity} recompute"
    if offload:
        split += f" zero{best.plan['zero_stage']}"
        if best.prediction.host_memory_gb > 0:
            split += f", host {best.prediction.host_memory_gb:,.0f} GiB"
    return (f"yes: mbs {best.micro_batch_size}{recompute}{split}, "
            f"{best.prediction.tokens_per_second_per_gpu:,.0f} tok/s/GPU")


def render() -> str:
    header = "| model | method | " + " | ".join(label for label, _, _ in MACHINES) + " |"
    lines = [f"Fits and fastest plan at {SEQ_LEN:,}-token sequences, {GLOBAL_BATCH} sequences per step "
             "(bf16 compute, AdamW, Megatron profile; `pdcost search --method ...`; the ZeRO-Offload rows "
             "under DeepSpeed with `--offload-optimizer cpu --offload-ratios 0 1`, host memory per node):", "",
             header, "|---|---|" + "---|" * len(MACHINES)]
    for model in MODELS:
        for method, label in METHODS:
            cells = [cell(model, method, gpu, n) for _, gpu, n in MACHINES]
            lines.append(f"| {model} | {label} | " + " | ".join(cells) + " |")
        method, label = OFFLOAD_ROW
        cells = [cell(model, method, gpu, n, offload=True) for _, gpu, n in MACHINES]
        lines.append(f"| {model} | {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def replace_in(readme: str, table: str) -> str:
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return readme[:start] + "\n" + table + "\n" + readme[end:]


def current_table(readme: str) -> str:
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return readme[start:end].strip("\n")


def main(argv: list[str]) -> int:
    table = render()
    if "--write" in argv:
        path = ROOT / "README.md"
        path.write_text(replace_in(path.read_text(encoding="utf-8"), table), encoding="utf-8")
    else:
        print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
