#!/usr/bin/env python3
"""The README's accuracy tables, from `pdcost validate` on the published measured runs.

    python scripts/accuracy_table.py [RUNS.json [SERVING_RUNS.json]]          print the tables
    python scripts/accuracy_table.py [RUNS.json [SERVING_RUNS.json]] --write  replace them in README.md

The training table (dev_runs.json) and the serving table (inference_dev_runs.json) sit in
README.md between the markers below; Tests/python/test_accuracy_table.py renders them from the
same validation runs and fails when the README differs, so the published figures are always
the code's.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RUNS = ROOT.parent / "shared" / "validation" / "dev_runs.json"
DEFAULT_SERVING_RUNS = ROOT.parent / "shared" / "validation" / "inference_dev_runs.json"
BEGIN = "<!-- accuracy:begin (scripts/accuracy_table.py) -->"
END = "<!-- accuracy:end -->"
SERVING_BEGIN = "<!-- serving-accuracy:begin (scripts/accuracy_table.py) -->"
SERVING_END = "<!-- serving-accuracy:end -->"

SERVING_METRICS = (("ttft_ms", "TTFT"), ("itl_ms", "ITL"), ("tpot_ms", "TPOT"),
                   ("e2e_latency_ms", "end to end"), ("output_tokens_per_s_per_gpu", "output tok/s/GPU"),
                   ("peak_memory_gib", "peak memory"))

METRICS = (("tokens_per_s_per_gpu", "tokens/s/GPU"), ("step_time_s", "step time"),
           ("peak_allocated_gib", "peak allocated memory"),
           ("peak_reserved_gib", "peak reserved memory"),
           ("peak_memory_gib", "peak memory, torchtitan (reserved)"))


def report(runs_path: Path) -> dict[str, Any]:
    import pdcost
    return json.loads(pdcost.validate_runs(runs_path.read_bytes()))


def _repository(source: str | None) -> str:
    if not source:
        return "unknown"
    return source.split("@", 1)[0].split(" ", 1)[0]


def render(data: dict[str, Any]) -> str:
    """Markdown: per metric over complete records, then tokens/s/GPU per source."""
    runs = data["runs"]
    predicted = sum(1 for r in runs if r.get("status") == "ok")
    lines = [f"{len(runs)} published runs, {predicted} predicted, "
             f"{len(runs) - predicted} skipped with the missing field named.", "",
             "| metric (complete records) | n | MAPE | worst |", "|---|---|---|---|"]
    for key, label in METRICS:
        errors = [abs(r[key]["error_pct"]) for r in runs
                  if r.get("complete") and isinstance(r.get(key), dict)
                  and r[key].get("error_pct") is not None]
        if errors:
            lines.append(f"| {label} | {len(errors)} | {sum(errors) / len(errors):.1f} % | "
                         f"{max(errors):.1f} % |")
    per_source: dict[str, list[float]] = defaultdict(list)
    for r in runs:
        m = r.get("tokens_per_s_per_gpu")
        if r.get("complete") and isinstance(m, dict) and m.get("error_pct") is not None:
            per_source[_repository(r.get("source"))].append(abs(m["error_pct"]))
    lines += ["", "| source (complete records) | n | tokens/s/GPU MAPE |", "|---|---|---|"]
    for source in sorted(per_source):
        errors = per_source[source]
        lines.append(f"| {source} | {len(errors)} | {sum(errors) / len(errors):.1f} % |")
    return "\n".join(lines)


def render_serving(data: dict[str, Any]) -> str:
    """Markdown: MAPE per source group and metric (n records), then the group-weighted row."""
    serving = data["serving"]
    metrics = [(key, label) for key, label in SERVING_METRICS if key in serving["metrics"]
               and any(g["metrics"].get(key) for g in serving["groups"])]

    def cell(c: dict[str, Any] | None) -> str:
        return f"{c['mape']:.1f} % (n {c['n']})" if c else "–"

    lines = [f"{serving['records']} published serving measurements, {serving['predicted']} predicted, "
             f"{serving['skipped']} skipped with the missing field named.", "",
             "| source group | " + " | ".join(label for _, label in metrics) + " |",
             "|---|" + "---|" * len(metrics)]
    for group in serving["groups"]:
        if any(group["metrics"].get(key) for key, _ in metrics):
            lines.append(f"| {group['source_group']} | "
                         + " | ".join(cell(group["metrics"].get(key)) for key, _ in metrics) + " |")
    weighted = serving["group_weighted"]
    lines.append("| **each group weighted equally** | "
                 + " | ".join(f"**{weighted[key]:.1f} %**" if weighted.get(key) is not None else "–"
                              for key, _ in metrics) + " |")
    return "\n".join(lines)


def replace_in(readme: str, table: str, begin: str = BEGIN, end_marker: str = END) -> str:
    start, end = readme.index(begin) + len(begin), readme.index(end_marker)
    return readme[:start] + "\n" + table + "\n" + readme[end:]


def current_table(readme: str, begin: str = BEGIN, end_marker: str = END) -> str:
    start, end = readme.index(begin) + len(begin), readme.index(end_marker)
    return readme[start:end].strip("\n")


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    runs = Path(args[0]) if args else DEFAULT_RUNS
    serving_runs = Path(args[1]) if len(args) > 1 else DEFAULT_SERVING_RUNS
    table = render(report(runs))
    serving_table = render_serving(report(serving_runs))
    if "--write" in argv:
        path = ROOT / "README.md"
        readme = replace_in(path.read_text(encoding="utf-8"), table)
        readme = replace_in(readme, serving_table, SERVING_BEGIN, SERVING_END)
        path.write_text(readme, encoding="utf-8")
    else:
        print(table + "\n\n" + serving_table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
