"""One-file reports of a job: ``pdcost report ... -o report.html`` and :func:`report`.

A report gathers what a person deciding on a plan reads: the plan, its step-time and memory
breakdown (tables and figures), the search's best plans and its Pareto front, every assumption
(model, cluster, batch) with the framework settings marked *set* (stated by the user) or
*default* (the framework's own value, as the library's settings table reports it), and the step
as a Perfetto timeline written next to the report (:meth:`PredictionResult.trace`).

Two formats:

* ``html`` — one self-contained page: the figures inline as SVG (text drawn as paths, so no
  font is fetched), styles inline, no script and no external asset; only the timeline is a
  separate file (``<name>.trace.json``, linked);
* ``md`` — Markdown with the figures as SVG files beside it (``<name>-step.svg``, ...).

The figures need matplotlib (``pip install 'pdcost[plots]'``); without it the report is
written with the tables only and says so.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any, Literal, Sequence

from .results import COMM_KINDS
from .search import equivalent_note, group_equivalent, split_label

__all__ = ["report", "Report"]

Format = Literal["html", "md"]


class Report(str):
    """The report's text (a ``str``), carrying ``files``: every file written, the report first."""

    files: list[str]

    def __new__(cls, text: str, files: Sequence[str] = ()) -> Report:
        self = super().__new__(cls, text)
        self.files = list(files)
        return self


def _duration(ms: float) -> str:
    """ms below 10 s, then s, then min (the CLI's reading, pdcost.cli._duration)."""
    if ms < 10_000:
        return f"{ms:,.0f} ms" if ms >= 100 else f"{ms:,.2f} ms"
    if ms < 120_000:
        return f"{ms / 1e3:,.1f} s"
    return f"{ms / 60e3:,.1f} min"


def _plan_text(plan: Any, training: Any, recompute_num_layers: int | None, offload: float) -> str:
    text = split_label(plan)
    if plan.first_stage_layers or plan.last_stage_layers:
        text += f" (first/last stage {plan.first_stage_layers or '='}/{plan.last_stage_layers or '='} layers)"
    if plan.ep > 1 or plan.etp > 1:
        text += f" etp{plan.etp}"
    text += " FSDP" if plan.fsdp else f" ZeRO-{ {'none': 0, 'stage1': 1, 'stage2': 2, 'stage3': 3}.get(plan.sharding, plan.sharding)}"
    if plan.sp:
        text += " sp"
    recompute = training.recompute_granularity + (f"({recompute_num_layers})" if recompute_num_layers else "")
    text += f", micro-batch {training.micro_batch_size}, recompute {recompute}"
    if offload:
        text += f", optimizer offload {offload:g}"
    return text


# --------------------------------------------------------------------------------------------
# Tables: (title, caption, header, rows); one builder feeds both formats.
# --------------------------------------------------------------------------------------------

Table = tuple[str, str, Sequence[str], Sequence[Sequence[str]]]


def _step_table(r: Any) -> Table:
    rows = [("step", _duration(r.step_time_ms), "100%"),
            ("compute (incl. recompute)", _duration(r.compute_time_ms), _pct(r.compute_time_ms, r.step_time_ms))]
    if r.recompute_time_ms:
        rows.append(("  recompute", _duration(r.recompute_time_ms), _pct(r.recompute_time_ms, r.step_time_ms)))
    if r.memory_breakdown.num_stages > 1:
        rows.append(("pipeline bubble", _duration(r.bubble_time_ms), _pct(r.bubble_time_ms, r.step_time_ms)))
    for kind in COMM_KINDS:
        if r.comm_exposed_ms[kind] or r.comm_overlapped_ms[kind]:
            hidden = r.comm_overlapped_ms[kind]
            rows.append((f"exposed {kind.upper()} comm" + (f" (+{_duration(hidden)} hidden)" if hidden else ""),
                         _duration(r.comm_exposed_ms[kind]), _pct(r.comm_exposed_ms[kind], r.step_time_ms)))
    rows.append(("optimizer step", _duration(r.optimizer_time_ms), _pct(r.optimizer_time_ms, r.step_time_ms)))
    for label, value in (("offload", r.offload_time_ms), ("host overhead", r.host_overhead_time_ms)):
        if value:
            rows.append((label, _duration(value), _pct(value, r.step_time_ms)))
    caption = ("Compute is the critical path: every micro-batch of the slowest pipeline stage. "
               "Exposed communication is what the step waits for; hidden communication overlaps compute."
               if r.memory_breakdown.num_stages > 1 else
               "Exposed communication is what the step waits for; hidden communication overlaps compute.")
    return ("Step time", caption, ("", "time", "share of step"), rows)


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole > 0 else "–"


def _throughput_table(r: Any) -> Table:
    return ("Throughput", "", ("", "value"),
            [("tokens/s (job)", f"{r.tokens_per_second:,.0f}"),
             ("tokens/s/GPU", f"{r.tokens_per_second_per_gpu:,.1f}"),
             ("MFU / HFU", f"{r.mfu:.1%} / {r.hfu:.1%}"),
             ("compute efficiency", f"{r.compute_efficiency:.1%} of peak while computing")])


def _memory_table(r: Any) -> Table:
    m = r.memory_breakdown
    rows = [("parameters", f"{m.parameter_memory_gb:.2f}"), ("gradients", f"{m.gradient_memory_gb:.2f}"),
            ("optimizer states", f"{m.optimizer_memory_gb:.2f}"), ("activations", f"{m.activation_memory_gb:.2f}"),
            ("communication buffers", f"{m.communication_buffer_gb:.2f}"),
            ("temporary buffers", f"{m.temporary_buffer_gb:.2f}"),
            ("allocated (max_memory_allocated)", f"{m.allocated_memory_gb:.2f}"),
            ("activation buffer pool", f"{m.activation_buffer_pool_gb:.2f}"),
            ("reserved (max_memory_reserved)", f"{m.reserved_memory_gb:.2f}"),
            ("framework overhead", f"{m.framework_overhead_gb:.2f}"),
            ("total (nvidia-smi)", f"{m.total_memory_gb:.2f}"),
            ("usable by the allocator", f"{m.usable_memory_gb:.2f}")]
    if m.num_stages > 1:
        rows += [("first stage allocated / reserved", f"{m.first_stage_allocated_gb:.2f} / {m.first_stage_reserved_gb:.2f}"),
                 ("last stage allocated / reserved", f"{m.last_stage_allocated_gb:.2f} / {m.last_stage_reserved_gb:.2f}")]
    if r.host_memory_gb:
        rows.append(("host memory per node (offload)", f"{r.host_memory_gb:.1f}"))
    rows.append(("fits", "yes" if r.fits_memory else "NO"))
    where = (f"The breakdown is pipeline stage {m.peak_stage}'s (stages 0–{m.num_stages - 1}; the busiest); "
             "the first and last stages' totals follow it." if m.num_stages > 1
             else "One pipeline stage: every GPU holds the same.")
    return ("Memory per GPU (GiB)", where, ("", "GiB"), rows)


def _search_table(search: Any, top: int) -> Table:
    rows = []
    for group in group_equivalent(search.results[:top]):
        e = group[0]
        r, p = e.prediction, e.parallel
        recompute = e.recompute_granularity + (f"({e.recompute_num_layers})" if e.recompute_num_layers else "")
        stages = (f" ({p.first_stage_layers or '='}/{p.last_stage_layers or '='})"
                  if p.first_stage_layers or p.last_stage_layers else "")
        rows.append((str(e.rank), split_label(p) + stages + equivalent_note(group),
                     "fsdp" if p.fsdp else str(e.plan.get("zero_stage", "")),
                     "yes" if p.sp else "", str(e.micro_batch_size), recompute,
                     f"{r.tokens_per_second_per_gpu:,.0f}", f"{r.mfu:.1%}", _duration(r.step_time_ms),
                     _duration(r.exposed_comm_time_ms), f"{e.peak_allocated_gb:.1f}"))
    s = search.stats
    caption = (f"{s.enumerated:,} candidates, {s.evaluated:,} priced, {s.feasible:,} fit "
               f"(memory limit {search.memory_limit_gb:.1f} GiB). Memory is the busiest pipeline "
               "stage's allocated peak; pp4 (a/b): uneven pipeline, a/b layers on the first/last stage; "
               "recompute full(N) recomputes N layers per model chunk; "
               "+N equivalent: N more ranked plans with the same numbers, differing only in the choices listed.")
    shown = min(top, len(search.results))
    return (f"Search: the {shown} best plans", caption,
            ("#", "split", "ZeRO", "SP", "mbs", "recompute", "tok/s/GPU", "MFU", "step", "exposed comm", "GiB"), rows)


def _pruned_table(search: Any) -> Table | None:
    if not search.stats.pruned:
        return None
    return ("Pruned candidates", "Each candidate that was not ranked, counted under the first reason it failed.",
            ("reason", "candidates"), [(k, f"{v:,}") for k, v in search.stats.pruned.items()])


def _assumptions_table(cm: Any, r: Any, plan: Any) -> Table:
    model, hw, tc = cm.model_config, cm.hardware_config, cm.training_config
    g = hw.gpu
    rows = [("model", f"{model.name}: {model.num_parameters() / 1e9:,.2f} B parameters, "
                      f"{model.num_hidden_layers} layers, hidden {model.hidden_size}"),
            ("cluster", f"{hw.num_nodes} node(s) × {hw.gpus_per_node} {g.name} = {hw.num_gpus} GPUs"),
            ("GPU", ", ".join(f"{value:g} {unit}" for value, unit in (
                (g.memory_gb, "GB"), (g.bf16_tflops, "dense BF16 TFLOP/s"), (g.hbm_gb_per_s, "GB/s HBM"),
                (g.nvlink_gb_per_s, "GB/s NVLink")) if value) or "as the preset states"),
            ("batch", f"sequence {r.seq_len:,} tokens, micro-batch {tc.micro_batch_size}, "
                      f"{r.gradient_accumulation_steps} micro-batches, global batch {r.global_batch_size} "
                      f"({r.global_batch_size * r.seq_len:,} tokens)"),
            ("precision", tc.dtype), ("framework", tc.framework),
            ("training method", tc.method + (f" (rank {tc.lora_rank})" if tc.method in ("lora", "qlora") else ""))]
    for f in r.gpu_filled_in:
        rows.append((f"GPU {f.field} (filled in)", f"{f.value} — {f.source}"))
    if getattr(cm, "profile", None) is not None:
        rows.append(("calibration profile", "applied"))
    return ("", "What the prediction was priced under.", ("", "value"), rows)


def _settings_table(r: Any) -> Table:
    """Every framework setting with its value and who chose it: the user (``given``) or the
    framework (``defaulted``: the framework's default, None where it has none), as the library
    reports them for this prediction (PredictionResult.settings)."""
    from .settings import settings_fields
    s = r.settings or {}
    given, defaulted = dict(s.get("given") or {}), dict(s.get("defaulted") or {})
    summary = {row["key"]: row["summary"] for row in settings_fields()}
    not_priced = {row["key"]: row.get("not_modelled") for row in settings_fields()}
    rows = []
    for key in [row["key"] for row in settings_fields()]:
        if key in given:
            value, who = given[key], "set"
        elif key in defaulted:
            value, who = defaulted[key], "default"
        else:
            continue
        text = "–" if value is None else json.dumps(value)
        note = summary.get(key, "") + (f" [not priced yet: {not_priced[key]}]" if not_priced.get(key) else "")
        rows.append((key, text, who, note))
    framework = s.get("framework") or ""
    caption = (f"set: stated by the user; default: {framework}'s own default as pdcost's settings table "
               "records it (– where it has none).")
    return ("Framework settings", caption, ("setting", "value", "set by", "what it is"), rows)


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------

_CSS = """
body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;max-width:1200px;margin:24px auto;
padding:0 16px;color:#1b1f23;line-height:1.4}
h1{font-size:1.5em;margin-bottom:4px}h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:3px;margin-top:28px}
.summary{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:140px}
.card b{display:block;font-size:1.3em}.card span{color:#586069;font-size:.85em}
table{border-collapse:collapse;margin:8px 0 4px;font-size:.9em}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}th{background:#f6f8fa}
tr.default td:nth-child(3){color:#586069}tr.set td:nth-child(3){font-weight:bold;color:#0b5394}
caption{caption-side:bottom;text-align:left;color:#586069;font-size:.85em;padding-top:3px}
.figure svg{max-width:100%;height:auto}
.pair{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:20px;align-items:start}
@media (max-width:900px){.pair{grid-template-columns:1fr}}.muted{color:#586069}code,pre{background:#f6f8fa;border-radius:4px}
pre{padding:8px;overflow-x:auto;white-space:pre-wrap}
"""


def _numeric(text: str) -> bool:
    t = text.replace(",", "").replace("%", "").replace(" ms", "").replace(" s", "").replace(" min", "")
    try:
        float(t.split(" / ")[0])
        return True
    except ValueError:
        return False


def _html_table(table: Table, row_class: int | None = None) -> str:
    title, caption, header, rows = table
    out = [f"<h3>{html.escape(title)}</h3>" if title else "", "<table>"]
    if caption:
        out.append(f"<caption>{html.escape(caption)}</caption>")
    out.append("<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>")
    for row in rows:
        cls = f' class="{html.escape(row[row_class])}"' if row_class is not None else ""
        out.append(f"<tr{cls}>" + "".join(
            f'<td class="num">{html.escape(c)}</td>' if i and _numeric(c) else f"<td>{html.escape(c)}</td>"
            for i, c in enumerate(row)) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _md_table(table: Table) -> str:
    title, caption, header, rows = table

    def cell(c: str) -> str:
        return c.replace("|", "\\|").replace("\n", " ") or " "
    out = [f"### {title}", ""] if title else []
    out.append("| " + " | ".join(cell(h) for h in header) + " |")
    out.append("|" + "|".join("---:" if i and rows and _numeric(rows[0][i]) else "---" for i in range(len(header))) + "|")
    out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    if caption:
        out += ["", f"*{caption}*"]
    return "\n".join(out)


def _figures(cm: Any, r: Any, search: Any) -> tuple[list[tuple[str, str, Any]], str | None]:
    """[(slug, title, Figure)] and, without matplotlib, why there are none."""
    try:
        from . import plots
        plots._matplotlib()
    except ImportError as error:
        return [], str(error)
    figures = [("step", "Step time", plots.step_time_breakdown({"plan": r})),
               ("memory", "Memory per GPU", plots.memory_breakdown(r))]
    if search is not None and search.results:
        figures.append(("pareto", "Throughput vs memory", plots.pareto_front(search)))
    return figures, None


def report(cost_model: Any, *, search: Any = None, parallel: Any = None, prediction: Any = None,
           out: str | os.PathLike[str] | None = None, format: Format | None = None, top: int = 10,
           title: str | None = None, commands: Sequence[str] = (), trace: bool = True) -> Report:
    """A report of one plan of ``cost_model``'s job (:class:`~pdcost.PDCostModel`), with the
    search that chose it when ``search`` is given.

    The plan is ``parallel`` (priced with ``cost_model.predict`` unless ``prediction`` is
    given), or else the search's best (priced again through :meth:`PDCostModel.predict` with
    :meth:`~pdcost.search.SearchEntry.predict_options`, under the profile the model uses, so the
    settings table has the library's report). ``format``: ``"html"`` or ``"md"`` (default: from
    ``out``'s suffix, else html). With ``out`` the report is written there, the timeline next to
    it (``<stem>.trace.json``, unless ``trace=False``) and, for Markdown, one SVG per figure;
    ``commands`` are shown under "Reproduce" (the CLI passes its own command line and the
    ``pdcost predict`` line of the plan). Returns the text, with ``.files`` listing what was
    written."""
    if format is None:
        format = "md" if out is not None and str(out).lower().endswith(".md") else "html"
    if format not in ("html", "md"):
        raise ValueError(f"format={format!r} must be 'html' or 'md'")
    if type(top) is not int or top < 1:
        raise ValueError(f"top={top!r} must be an int >= 1")
    options: dict[str, Any] = {}
    recompute_num_layers, offload = None, 0.0
    if parallel is None:
        if search is None or not search.results:
            why = "" if search is None else f": nothing fits ({search.explanation})"
            raise ValueError("report: give parallel= or a search with a plan that fits" + why)
        best = search.results[0]
        parallel, options = best.parallel, best.predict_options()
        # The search's sequence length and, with vary_settings, the settings this entry was
        # priced under (SearchEntry.settings) are predict arguments too.
        options["seq_len"] = best.prediction.seq_len
        if best.settings:
            options["settings"] = cost_model.settings.overridden(best.settings)
        recompute_num_layers, offload = best.recompute_num_layers, best.optimizer_offload_ratio
        # The search prices on the model's GPUs; _with_gpus keeps its profile and settings.
        cm = cost_model._with_gpus(parallel.tp * parallel.pp * parallel.cp * parallel.dp)
        prediction = (cm.predict_calibrated(parallel, **options) if getattr(cm, "profile", None) is not None
                      else cm.predict(parallel, **options))
        training = _training_with(cm.training_config, options)
    else:
        cm = cost_model
        if prediction is None:
            prediction = cm.predict(parallel)
        training = cm.training_config
    r = prediction
    hw = cm.hardware_config
    heading = title or (f"{cm.model_config.name} on {hw.num_gpus}× {hw.gpu.name} "
                        f"({training.framework}, {training.dtype})")
    plan_text = _plan_text(parallel, training, recompute_num_layers, offload)

    files: list[str] = []
    base = None if out is None else Path(out)
    trace_name = None
    if base is not None and trace:
        trace_path = base.with_name(base.stem + ".trace.json")
        with open(trace_path, "w", encoding="utf-8") as handle:
            json.dump(r.trace(parallel), handle)
        trace_name = trace_path.name
        files.append(str(trace_path))

    figures, no_figures = _figures(cm, r, search)
    tables = [_step_table(r), _throughput_table(r), _memory_table(r)]
    search_tables = [] if search is None or not search.results else [_search_table(search, top)]
    if search is not None and (pruned := _pruned_table(search)) is not None:
        search_tables.append(pruned)
    assumptions = [_assumptions_table(cm, r, parallel), _settings_table(r)]
    cards = [("step", _duration(r.step_time_ms)), ("tokens/s/GPU", f"{r.tokens_per_second_per_gpu:,.0f}"),
             ("MFU", f"{r.mfu:.1%}"), ("allocated / usable GiB",
                                      f"{r.memory_breakdown.allocated_memory_gb:.1f} / {r.memory_breakdown.usable_memory_gb:.1f}"),
             ("fits", "yes" if r.fits_memory else "NO")]
    from . import __version__

    if format == "html":
        text = _render_html(heading, plan_text, cards, figures, no_figures, tables, search, search_tables,
                            assumptions, trace_name, commands, __version__)
    else:
        svg_names = []
        if base is not None:
            from .plots import save
            for slug, _, fig in figures:
                path = base.with_name(f"{base.stem}-{slug}.svg")
                save(fig, str(path))
                files.append(str(path))
                svg_names.append(path.name)
        text = _render_md(heading, plan_text, cards, figures, svg_names, no_figures, tables, search,
                          search_tables, assumptions, trace_name, commands, __version__)
    if base is not None:
        base.write_text(text, encoding="utf-8")
        files.insert(0, str(base))
    return Report(text, files)


def _training_with(tc: Any, options: dict[str, Any]) -> Any:
    """The training config the search entry was priced with (its micro-batch, recompute)."""
    import dataclasses
    changes = {k: options[k] for k in ("micro_batch_size", "gradient_accumulation_steps",
                                       "recompute_granularity") if k in options}
    if "seq_len" in options:
        changes["sequence_length"] = options["seq_len"]
    return dataclasses.replace(tc, **changes)


def _render_html(heading: str, plan_text: str, cards: list[tuple[str, str]], figures: list[tuple[str, str, Any]],
                 no_figures: str | None, tables: list[Table], search: Any, search_tables: list[Table],
                 assumptions: list[Table], trace_name: str | None, commands: Sequence[str], version: str) -> str:
    from .plots import _svg
    e = html.escape
    svg = {slug: _svg(fig) for slug, _, fig in figures}
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{e(heading)} — pdcost report</title><style>{_CSS}</style></head><body>",
             f"<h1>{e(heading)}</h1>",
             f'<p class="muted">pdcost {e(version)} prediction. Plan: <b id="plan">{e(plan_text)}</b></p>',
             '<div class="summary">' + "".join(f'<div class="card"><b>{e(v)}</b><span>{e(k)}</span></div>'
                                               for k, v in cards) + "</div>"]
    if no_figures:
        parts.append(f'<p class="muted">No figures: {e(no_figures)}.</p>')
    def pair(slug: str, *blocks: str) -> str:
        figure = f'<div class="figure" id="figure-{slug}">{svg[slug]}</div>' if slug in svg else "<div></div>"
        return f'<div class="pair">{figure}<div>{"".join(blocks)}</div></div>'
    step, throughput, memory = tables
    parts += ["<h2>Step and throughput</h2>", pair("step", _html_table(step), _html_table(throughput)),
              "<h2>Memory</h2>", pair("memory", _html_table(memory))]
    if search is not None:
        parts.append("<h2>Search</h2>")
        if not search.results:
            parts.append(f"<p>Nothing fits: {e(search.explanation or '')}</p>")
        rest = search_tables
        if search.results:
            parts.append(_html_table(search_tables[0]))
            rest = search_tables[1:]
        parts.append(pair("pareto", *(_html_table(t) for t in rest)))
    parts.append("<h2>Assumptions</h2>")
    parts.append(_html_table(assumptions[0]))
    parts.append(_html_table(assumptions[1], row_class=2))
    if trace_name:
        parts += ["<h2>Timeline</h2>",
                  f'<p>The step as a Chrome/Perfetto trace: <a href="{e(trace_name)}" download>{e(trace_name)}</a> '
                  '(written next to this page). Open <a href="https://ui.perfetto.dev">ui.perfetto.dev</a> '
                  "and drop the file on it: a lane per pipeline rank with each micro-batch's forward and "
                  "backward, the communication the step could not hide, the optimizer.</p>"]
    if commands:
        parts += ["<h2>Reproduce</h2>", "<pre>" + "\n".join(e(c) for c in commands) + "</pre>"]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _render_md(heading: str, plan_text: str, cards: list[tuple[str, str]], figures: list[tuple[str, str, Any]],
               svg_names: list[str], no_figures: str | None, tables: list[Table], search: Any,
               search_tables: list[Table], assumptions: list[Table], trace_name: str | None,
               commands: Sequence[str], version: str) -> str:
    images = {slug: (name, title) for (slug, title, _), name in zip(figures, svg_names)}
    parts = [f"# {heading}", "", f"pdcost {version} prediction. Plan: **{plan_text}**", "",
             " · ".join(f"{k}: **{v}**" for k, v in cards), ""]
    if no_figures:
        parts += [f"_No figures: {no_figures}._", ""]
    parts += ["## Step and memory", ""]
    for slug in ("step", "memory"):
        if slug in images:
            parts += [f"![{images[slug][1]}]({images[slug][0]})", ""]
    for t in tables:
        parts += [_md_table(t), ""]
    if search is not None:
        parts += ["## Search", ""]
        if "pareto" in images:
            parts += [f"![{images['pareto'][1]}]({images['pareto'][0]})", ""]
        if not search.results:
            parts += [f"Nothing fits: {search.explanation or ''}", ""]
        for t in search_tables:
            parts += [_md_table(t), ""]
    parts += ["## Assumptions", ""] + [x for t in assumptions for x in (_md_table(t), "")]
    if trace_name:
        parts += ["## Timeline", "", f"The step as a Chrome/Perfetto trace: [{trace_name}]({trace_name}) — "
                  "open [ui.perfetto.dev](https://ui.perfetto.dev) and drop the file on it.", ""]
    if commands:
        parts += ["## Reproduce", "", "```sh", *commands, "```", ""]
    return "\n".join(parts)
