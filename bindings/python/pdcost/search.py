"""Plan search results: typed views of ``pdcost_search_result_to_json``.

:meth:`pdcost.PDCostModel.search` runs the native search (``pdcost_search_run``, GIL released)
and returns a :class:`SearchResult`: the best plans that fit (:class:`SearchEntry`), the
Pareto front of throughput vs memory, and :class:`SearchStats` saying how many plans were
enumerated, priced and dropped, per reason. Units as in :mod:`pdcost.costmodel`: times in ms,
memory in GiB.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from .config import GIB, ParallelConfig

__all__ = ["SearchResult", "SearchEntry", "SearchStats", "RankedPlans", "NoPlanFitsWarning",
           "RECOMPUTE_CHOICES", "progress_bar", "group_equivalent", "equivalent_note"]

#: Recomputation modes a search can try (bits of pdcost_search_options.recompute).
RECOMPUTE_CHOICES = {"none": 1, "selective": 2, "full": 4, "partial": 8}
#: Sequence parallelism choices (pdcost_search_options.sequence_parallel).
SEQUENCE_PARALLEL = {"on": 0, "off": 1, "both": 2}
#: Flags of pdcost_search_options.
FLAG_ALLOW_TP_ACROSS_NODES = 1
FLAG_EVEN_PIPELINE_ONLY = 2

_SHARDING = {0: "none", 1: "stage1", 2: "stage2", 3: "stage3"}


@dataclass(slots=True, frozen=True)
class SearchStats:
    """Counts of one search. ``enumerated = feasible + sum(pruned.values())``: every candidate
    either fits or was dropped for one reason (``out_of_memory`` for priced plans that do not
    fit; the others are constraints, counted where they are decided)."""

    enumerated: int
    evaluated: int
    feasible: int
    pruned: dict[str, int]
    elapsed_s: float
    threads: int
    work_units: int = 0
    work_units_done: int = 0
    cancelled: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"enumerated": self.enumerated, "evaluated": self.evaluated,
                "feasible": self.feasible, "pruned": dict(self.pruned),
                "elapsed_s": self.elapsed_s, "threads": self.threads,
                "work_units": self.work_units, "work_units_done": self.work_units_done,
                "cancelled": self.cancelled}



def split_label(p: Any) -> str:
    """A parallel split in a few characters: ``tp4 pp2 dp8``, with vpp, cp and ep where they
    are above 1 (tables: the planner, ``pdcost compare``, notebook reprs)."""
    text = f"tp{p.tp} pp{p.pp}" + (f" vpp{p.vpp}" if p.vpp > 1 else "") + f" dp{p.dp}"
    return text + "".join(f" {name}{getattr(p, name)}" for name in ("cp", "ep") if getattr(p, name) > 1)

#: Plan fields that may differ between two entries of one equivalence group, as printed.
_CHOICES = (("zero", lambda e: "fsdp" if e.parallel.fsdp else str(e.plan.get("zero_stage"))),
            ("sp", lambda e: "on" if e.parallel.sp else "off"),
            ("vpp", lambda e: str(e.parallel.vpp)), ("etp", lambda e: str(e.parallel.etp)),
            ("mbs", lambda e: str(e.micro_batch_size)),
            ("recompute", lambda e: e.recompute_granularity + (f"({e.recompute_num_layers})" if e.recompute_num_layers else "")),
            ("stages", lambda e: f"{e.parallel.first_stage_layers or '='}/{e.parallel.last_stage_layers or '='}"),
            ("offload", lambda e: f"{e.optimizer_offload_ratio:g}"))


def same_numbers(a: Any, b: Any) -> bool:
    """Two entries whose predicted step, throughput and memory agree (to 1e-9 relative: the
    same arithmetic on different but immaterial choices), and with the same split."""
    pa, pb = a.parallel, b.parallel
    if (pa.tp, pa.pp, pa.dp, pa.cp, pa.ep) != (pb.tp, pb.pp, pb.dp, pb.cp, pb.ep):
        return False
    if (a.settings or {}) != (b.settings or {}):
        return False
    ra, rb = a.prediction, b.prediction

    def close(x: float, y: float) -> bool:
        return abs(x - y) <= 1e-9 * max(abs(x), abs(y), 1e-30)
    return (close(ra.step_time_ms, rb.step_time_ms) and close(a.peak_allocated_gb, b.peak_allocated_gb)
            and close(ra.memory_breakdown.reserved_memory_gb, rb.memory_breakdown.reserved_memory_gb))


def group_equivalent(entries: Sequence[Any]) -> list[list[Any]]:
    """Ranked entries grouped with the earlier entry they equal (:func:`same_numbers`), in rank
    order: plans that differ only in a choice that changes no number (ZeRO 0 or 1 over one
    data-parallel rank, ...) show as one row with "+N equivalent" (:func:`equivalent_note`)."""
    groups: list[list[Any]] = []
    for e in entries:
        for g in groups:
            if same_numbers(g[0], e):
                g.append(e)
                break
        else:
            groups.append([e])
    return groups


def equivalent_note(group: Sequence[Any]) -> str:
    """'+2 equivalent (zero 1|2|3)': how many more, and which choices differ."""
    if len(group) < 2:
        return ""
    differ = []
    for name, value in _CHOICES:
        values = list(dict.fromkeys(value(e) for e in group))
        if len(values) > 1:
            differ.append(f"{name} {'|'.join(values)}")
    return f" (+{len(group) - 1} equivalent: {', '.join(differ) or 'same plan'})"



@dataclass(slots=True, frozen=True)
class SearchEntry:
    """One ranked plan: the split, the training knobs the search chose, and its prediction."""

    rank: int | None
    """1-based rank among the results; None on the Pareto front."""
    parallel: ParallelConfig
    micro_batch_size: int
    gradient_accumulation_steps: int
    recompute_granularity: str
    recompute_num_layers: int | None
    """Full recomputation of this many layers per model chunk; None = all."""
    optimizer_offload_ratio: float
    peak_allocated_gb: float
    """Highest allocated memory over the pipeline stages (what decides an OOM)."""
    prediction: Any
    """A :class:`pdcost.costmodel.PredictionResult`."""
    plan: dict[str, Any] = field(default_factory=dict)
    """The plan as the library writes it (tp, pp, vpp, dp, cp, ep, etp, sequence_parallel,
    zero_stage, fsdp, first_stage_layers, last_stage_layers)."""
    settings: dict[str, Any] | None = None
    """With ``vary_settings``: the values of the varied settings this plan was priced
    under (e.g. ``{"tp_comm_overlap": True}``); None otherwise."""

    @property
    def throughput(self) -> float:
        """Tokens per second per GPU."""
        return float(self.prediction.tokens_per_second_per_gpu)

    def predict_options(self) -> dict[str, Any]:
        """The training knobs this entry was priced with, as keyword arguments of
        :meth:`pdcost.PDCostModel.predict`: ``model.predict(entry.parallel,
        **entry.predict_options())`` returns the same numbers as ``entry.prediction`` (on the
        searched GPU count and without a calibration profile, which :meth:`search` uses when
        one is set; then use ``predict_calibrated``)."""
        offload = self.optimizer_offload_ratio > 0
        options: dict[str, Any] = {
            "micro_batch_size": self.micro_batch_size,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
            "recompute_granularity": self.recompute_granularity,
            "recompute_num_layers": self.recompute_num_layers,
            "tensorwise_offload_optimizer": offload}
        if offload:
            options["tensorwise_offload_ratio"] = self.optimizer_offload_ratio
        return options

    def row(self) -> dict[str, Any]:
        """One flat row: rank, the plan's fields, the knobs, the varied settings and the main
        predicted figures (what :meth:`SearchResult.to_dataframe` tabulates)."""
        r = self.prediction
        row: dict[str, Any] = {"rank": self.rank}
        row.update(self.plan)
        row.update({"sharding": self.parallel.sharding, "micro_batch_size": self.micro_batch_size,
                    "gradient_accumulation_steps": self.gradient_accumulation_steps,
                    "recompute": self.recompute_granularity,
                    "recompute_num_layers": self.recompute_num_layers,
                    "optimizer_offload_ratio": self.optimizer_offload_ratio})
        for key, value in (self.settings or {}).items():
            row[f"settings.{key}"] = value
        row.update({"tokens_per_second_per_gpu": r.tokens_per_second_per_gpu,
                    "step_time_ms": r.step_time_ms, "mfu": r.mfu,
                    "peak_allocated_gb": self.peak_allocated_gb,
                    "reserved_memory_gb": r.memory_breakdown.reserved_memory_gb})
        return row

    def __repr__(self) -> str:
        p = self.parallel
        return (f"SearchEntry(rank={self.rank}, tokens_per_second_per_gpu={self.throughput:.4g}, "
                f"tp={p.tp}, pp={p.pp}, vpp={p.vpp}, dp={p.dp}, cp={p.cp}, ep={p.ep}, "
                f"sharding={p.sharding!r}, micro_batch_size={self.micro_batch_size}, "
                f"recompute={self.recompute_granularity!r}"
                + (f", settings={self.settings}" if self.settings else "") + ")")

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        if self.rank is not None:
            result["rank"] = self.rank
        result.update({"plan": dict(self.plan, sharding=self.parallel.sharding),
                       "micro_batch_size": self.micro_batch_size,
                       "gradient_accumulation_steps": self.gradient_accumulation_steps,
                       "recompute": self.recompute_granularity,
                       "recompute_num_layers": self.recompute_num_layers,
                       "optimizer_offload_ratio": self.optimizer_offload_ratio,
                       "peak_allocated_gb": self.peak_allocated_gb})
        if self.settings is not None:
            result["settings"] = dict(self.settings)
        result["prediction"] = self.prediction.to_dict()
        return result


@dataclass(slots=True, frozen=True)
class SearchResult:
    """What a search found. ``results`` are best first: higher tokens/s, then fewer GPUs per
    model replica (tp·pp·cp), then less peak memory, then smaller degrees (a total order, so
    the ranking does not depend on the thread count)."""

    results: list[SearchEntry]
    pareto: list[SearchEntry]
    """Plans that fit and that no other beats on both throughput and memory, by memory."""
    stats: SearchStats
    memory_limit_gb: float
    explanation: str | None
    """Why nothing fits (the closest plan and by how much it misses), or None."""

    def __len__(self) -> int:
        return len(self.results)

    def __repr__(self) -> str:
        best = (f"best {self.results[0].throughput:.4g} tok/s/GPU" if self.results
                else f"nothing fits: {self.explanation}")
        return (f"SearchResult({len(self.results)} results, {len(self.pareto)} on the Pareto "
                f"front, {best}; enumerated={self.stats.enumerated}, "
                f"evaluated={self.stats.evaluated}, feasible={self.stats.feasible})")

    def _repr_html_(self) -> str:
        """The ten best plans as an HTML table (Jupyter)."""
        from .results import _html_table
        if not self.results:
            return _html_table("pdcost search", None, [("nothing fits", self.explanation or "")])
        rows = []
        for e in self.results[:10]:
            p, r = e.parallel, e.prediction
            rows.append((e.rank, split_label(p), e.micro_batch_size, e.recompute_granularity, f"{r.tokens_per_second_per_gpu:,.0f}",
                         f"{r.mfu:.1%}", f"{r.step_time_ms:,.0f} ms", f"{e.peak_allocated_gb:.1f}"))
        return _html_table(f"pdcost search: {self.stats.feasible:,} of {self.stats.enumerated:,} plans fit",
                           ("#", "split", "mbs", "recompute", "tok/s/GPU", "MFU", "step", "GiB"), rows)

    def to_dataframe(self, *, pareto: bool = False) -> Any:
        """The ranked results (or the Pareto front) as a pandas DataFrame, one row per plan
        (:meth:`SearchEntry.row`). Needs pandas (``pip install pandas``)."""
        from .results import _dataframe
        return _dataframe([e.row() for e in (self.pareto if pareto else self.results)])

    def to_dict(self) -> dict[str, Any]:
        """``{"results": [...], "pareto": [...], "stats": {...}, "memory_limit_gb",
        "explanation"}`` (the layout of ``pdcost search --json``)."""
        return {"results": [e.to_dict() for e in self.results],
                "pareto": [e.to_dict() for e in self.pareto],
                "stats": self.stats.to_dict(), "memory_limit_gb": self.memory_limit_gb,
                "explanation": self.explanation}

    @classmethod
    def from_native(cls, data: dict[str, Any], seq_len: int,
                    make_prediction: Callable[..., Any]) -> SearchResult:
        """From the library's JSON (``pdcost_search_result_to_json``) as parsed by ``json``."""
        def entry(e: dict[str, Any]) -> SearchEntry:
            p = e["plan"]
            parallel = ParallelConfig(
                tp=p["tp"], pp=p["pp"], dp=p["dp"], ep=p["ep"], cp=p["cp"], vpp=p["vpp"],
                etp=p["etp"], sp=bool(p["sequence_parallel"]),
                sharding=_SHARDING.get(p["zero_stage"], "stage1"), fsdp=bool(p["fsdp"]),
                first_stage_layers=p["first_stage_layers"], last_stage_layers=p["last_stage_layers"])
            gas = int(e["gradient_accumulation_steps"])
            gbs = int(e["micro_batch_size"]) * gas * int(p["dp"])
            return SearchEntry(
                rank=e.get("rank"), parallel=parallel, micro_batch_size=int(e["micro_batch_size"]),
                gradient_accumulation_steps=gas, recompute_granularity=e["recompute"],
                recompute_num_layers=e["recompute_num_layers"],
                optimizer_offload_ratio=float(e["optimizer_offload_ratio"]),
                peak_allocated_gb=float(e["peak_allocated_bytes"]) / GIB,
                prediction=make_prediction(e["prediction"], int(p["pp"]), gas, gbs, seq_len),
                plan=dict(p), settings=e.get("settings"))

        s = data["stats"]
        stats = SearchStats(enumerated=s["enumerated"], evaluated=s["evaluated"],
                            feasible=s["feasible"], pruned=dict(s["pruned"]),
                            elapsed_s=float(s["elapsed_s"]), threads=s["threads"],
                            work_units=s.get("work_units", 0),
                            work_units_done=s.get("work_units_done", 0),
                            cancelled=bool(s.get("cancelled", False)))
        return cls(results=[entry(e) for e in data["results"]],
                   pareto=[entry(e) for e in data["pareto"]], stats=stats,
                   memory_limit_gb=float(data.get("memory_limit_bytes") or 0.0) / GIB,
                   explanation=data.get("explanation"))


class NoPlanFitsWarning(UserWarning):
    """Emitted (``warnings.warn``) when a search or a ranking returns no plan; the message is
    the explanation (why nothing fits, or which constraint every candidate breaks). Silence it
    with ``warnings.simplefilter("ignore", NoPlanFitsWarning)``."""


class RankedPlans(list):  # type: ignore[type-arg]
    """The result of :meth:`pdcost.PDCostModel.rank_configurations` and
    :meth:`~pdcost.PDCostModel.search_best_throughput`: a plain list of the ranked plan dicts
    (best first), carrying

    * ``rejected``: one dict per configuration that was not ranked, ``{"config": the
      configuration as given, "parallel": its ParallelConfig or None, "reason": why}``; the
      reason is the library's message for a plan that breaks a constraint (it names the field
      and the value), or ``"does not fit: needs X GiB of Y GiB usable"``;
    * ``explanation``: None when the list is not empty; otherwise why it is (how many
      configurations were infeasible or out of memory, and the closest miss).
    """

    rejected: list[dict[str, Any]]
    explanation: str | None

    def __init__(self, ranked: Any = (), rejected: Any = (),
                 explanation: str | None = None) -> None:
        super().__init__(ranked)
        self.rejected = list(rejected)
        self.explanation = explanation


def progress_bar(stream: Any = None) -> Callable[[int, int], bool]:
    """A progress callback drawing ``search [#####.....] 45/120`` on stderr."""
    out = sys.stderr if stream is None else stream

    def draw(done: int, total: int) -> bool:
        width = 30
        filled = width * done // total if total else width
        out.write(f"\rsearch [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        if done >= total:
            out.write("\n")
        out.flush()
        return False

    return draw
