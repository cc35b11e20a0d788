#!/usr/bin/env python3
"""Write a measured-runs file (pdcost.runs/1) from Megatron-Bridge's published performance
tables (pre-training, SFT, LoRA), with only what the tables state, to check pdcost on runs
outside the dev set.

Megatron-Bridge publishes one table per NeMo container release (docs/performance-summary.md
for the newest, docs/performance-summary-archive.md for the rest): system, GPU count,
precision, global and micro batch, sequence length, FSDP degree (some releases), TP/PP/CP/VP/EP
and tokens/s/GPU. Each row of a model named in MODELS becomes a run of that model's Hugging Face
config (from --configs), with the table's method (pretrain, sft, lora); an MoE run's settings
state what every MoE table says in its footnote (force-balanced routing, dropless), and every
run the FP8 recipe its precision names (MXFP8; "FP8" names none); everything the launch recipe sets and the table does
not print (dispatcher, CUDA graphs, recomputation, overlap) stays null, as a user who only read
the table would leave it. Rows already in --exclude (same release, model and row) are left out,
so the output holds only runs the exclude file does not.

    python3 scripts/megatron_bridge_tables.py --bridge PATH/TO/Megatron-Bridge \\
        --exclude ../shared/validation/dev_runs.json --out /tmp/bridge-tables.json
    pdcost validate /tmp/bridge-tables.json

Reads the Markdown tables by their header row (columns moved between releases: some add FSDP).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from pathlib import Path
from typing import Any

# Table model name → Hugging Face config file (Tests/PDCostTests/Fixtures/hf_configs; sources
# in SOURCES.md there), for the pre-training, SFT and LoRA tables alike.
MODELS = {
    "LLAMA3_70B": "meta-llama__Meta-Llama-3-70B.json",
    "LLAMA3.1_405B": "meta-llama__Llama-3.1-405B.json",
    "DeepSeekV3": "deepseek-ai__DeepSeek-V3.json",
    "GPT OSS 120B": "openai__gpt-oss-120b.json",
    "Qwen3_30B_a3B": "Qwen__Qwen3-30B-A3B.json",
    "Qwen3_235B_a22B": "Qwen__Qwen3-235B-A22B.json",
    "Nemotron_3_Nano": "nvidia__NVIDIA-Nemotron-3-Nano-30B-A3B-BF16.json",
    "Nemotron_3_Super": "nvidia__NVIDIA-Nemotron-3-Super-120B-A12B-NVFP4.json",
    "Nemotron_3_Ultra": "nvidia__NVIDIA-Nemotron-3-Ultra-550B-A55B-BF16.json",
}

# Table system → (pdcost GPU name, GPUs per node): DGX B200/B300/H100 are 8-GPU nodes; GB200
# and GB300 NVL72 racks are 4-GPU trays in one NVLink domain.
SYSTEMS = {"DGX-GB300": ("GB300", 4), "DGX-GB200": ("GB200", 4), "DGX-B300": ("B300", 8),
           "DGX-B200": ("B200", 8), "DGX-H100": ("H100-SXM-80GB", 8)}

# Table precision → (training.dtype, settings.fp8_recipe). NVFP4 has no runs-file dtype.
PRECISIONS = {"BF16": ("bf16", None), "FP8": ("fp8", None), "MXFP8": ("fp8", "mxfp8")}

FILES = ("docs/performance-summary.md", "docs/performance-summary-archive.md")

# Table section → training.method.
SECTIONS = {"Pre-Training Performance": "pretrain", "SFT Performance": "sft", "LoRA Performance": "lora"}


def git_show(repo: str, ref: str, path: str) -> str:
    result = subprocess.run(["git", "-C", repo, "show", f"{ref}:{path}"], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{repo}: cannot read {ref}:{path}: {result.stderr.strip()}")
    return result.stdout


def config(directory: Path, name: str) -> dict[str, Any]:
    """A Hugging Face config as a runs file carries it: the weight-quantization block (the
    tables state the training precision) and the non-JSON `Infinity` of a Mamba time-step
    limit (not a cost input) dropped."""
    text = (directory / name).read_text()
    model = json.loads(text)
    model.pop("quantization_config", None)
    model.pop("time_step_limit", None)
    return model


def table_rows(text: str, path: str):
    """(release, section, model, row cells by header, row text, line) of each table row."""
    release = section = model = None
    header: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if m := re.match(r"## (\S+) NeMo Container", line):
            release = m.group(1)
        elif m := re.match(r"### (.*)", line):
            section = m.group(1).strip()
        elif m := re.match(r"#### Model: (.*)", line):
            model = m.group(1).strip()
        elif line.startswith("| System"):
            header = [cell.strip() for cell in line.strip().strip("|").split("|")]
        elif line.startswith("| DGX") and section in SECTIONS and release and model:
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            yield release, section, model, dict(zip(header, cells)), line.strip(), f"{path}:{number}"


def run(release: str, section: str, model_name: str, row: dict[str, str], row_text: str, where: str,
        ref: str, model: dict[str, Any]) -> dict[str, Any] | None:
    if row["System"] not in SYSTEMS or row["Precision"] not in PRECISIONS:
        return None
    gpu, per_node = SYSTEMS[row["System"]]
    dtype, recipe = PRECISIONS[row["Precision"]]
    # "n/a" (no virtual stages, no experts) is a degree of 1; the FSDP column, where a table
    # has it, is Megatron-FSDP's degree (0: not used).
    gpus, tp, pp, cp, ep, vp = (1 if row[k] in ("n/a", "") else int(row[k])
                                for k in ("#-GPUs", "TP", "PP", "CP", "EP", "VP"))
    fsdp = row.get("FSDP", "0") not in ("0", "n/a", "")
    mbs, gbs, seq = int(row["MBS"]), int(row["GBS"]), int(row["Sequence Length"])
    method = SECTIONS[section]
    tag = (f"{release}_{row['System']}_{method}_{model_name.replace(' ', '')}_{row['Precision']}_{gpus}g"
           f"_mbs{mbs}_gbs{gbs}")
    return {
        "id": "mbridge_table_" + tag.replace(".", "p"),
        "source": f"NVIDIA-NeMo/Megatron-Bridge@{ref}:{where} -- '{release} NeMo Container' {section} table, "
                  f"Model: {model_name} (row: {row_text})",
        "kind": "training",
        "model": model,
        "hardware": {"gpu": gpu, "num_gpus": gpus, "gpus_per_node": per_node},
        "parallel": {"tp": tp, "pp": pp, "vpp": vp, "dp": gpus // (tp * pp * cp), "cp": cp, "ep": ep,
                     "etp": None, "sequence_parallel": tp > 1, "zero_stage": 3 if fsdp else None, "fsdp": fsdp},
        "training": {"seq_len": seq, "micro_batch_size": mbs, "global_batch_size": gbs, "dtype": dtype,
                     "recompute": None, "method": method},
        "framework": "megatron-bridge",
        # The tables' MoE footnote: "we force-balance the token distribution among experts and
        # all benchmarks are token-dropless".
        "settings": {"fp8_recipe": recipe, "moe_router_force_balance": True if model.get("num_experts")
                     or model.get("n_routed_experts") or model.get("num_local_experts") else None,
                     "framework_release": f"NeMo {release}"},
        "measured": {"tokens_per_s_per_gpu": float(row["Tokens / sec / GPU"])},
        "complete": False,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bridge", required=True, help="a Megatron-Bridge git checkout")
    parser.add_argument("--ref", default="HEAD", help="the commit or tag whose tables to read")
    parser.add_argument("--configs", type=Path,
                        default=Path(__file__).resolve().parent.parent / "Tests/PDCostTests/Fixtures/hf_configs")
    parser.add_argument("--exclude", help="a runs file whose table rows to leave out (e.g. dev_runs.json)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    ref = subprocess.run(["git", "-C", args.bridge, "rev-parse", args.ref], capture_output=True, text=True,
                         check=True).stdout.strip()
    excluded: set[tuple[str, str, str]] = set()
    if args.exclude:
        for r in json.loads(Path(args.exclude).read_text())["runs"]:
            m = re.search(r"'(\S+) NeMo Container'.*Model: (.+?) \(row: (\|.*\|)\)", r.get("source", ""))
            if m:
                excluded.add(m.groups())
    models = {name: config(args.configs, file) for name, file in MODELS.items()}
    runs, seen, left_out = [], set(), 0
    for path in FILES:
        for release, section, name, row, text, where in table_rows(git_show(args.bridge, ref, path), path):
            if name not in models or (release, name, text) in excluded:
                left_out += name in models
                continue
            record = run(release, section, name, row, text, where, ref, models[name])
            if record and record["id"] not in seen:
                seen.add(record["id"])
                runs.append(record)
    Path(args.out).write_text(json.dumps({"schema": "pdcost.runs/1", "runs": runs}, indent=1) + "\n")
    print(f"{len(runs)} runs written to {args.out}; {left_out} rows already in {args.exclude}")


if __name__ == "__main__":
    main()
