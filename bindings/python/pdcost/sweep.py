"""Grid sweeps: the best plan(s) for every point of a declarative grid, as one table.

A grid is models × GPUs × cluster sizes × workloads (training and/or serving)::

    models: [llama3-8b, path/to/config.json]      # presets or config.json paths
    gpus:
      - H100-SXM-80GB                             # a preset, or a GPU.json path
      - {name: what-if, architecture: hopper,     # a what-if GPU: GPUSpec fields (as in
         memory_gb: 96, bf16_tflops: 1200}        # GPU.json; unknowns completed as there)
    num_gpus: [8, 64]
    training:                                     # PDCostModel.search per point
      - {seq_len: 4096, global_batch: 256}
    serving:                                      # search_serving per point
      - {input_tokens: 2048, output_tokens: 256, concurrency: 64, max_ttft_ms: 1000}
    top_k: 1                                      # plans kept per point (default 1)

Each point runs the existing searches (:meth:`pdcost.PDCostModel.search`,
:func:`pdcost.search_serving`); :func:`sweep` returns one row per kept plan (a point where
nothing fits gives one row with ``rank`` null and the ``explanation``), ordered by point and
rank, and :func:`write_parquet` writes them (pyarrow, ``pip install 'pdcost[sweep]'``).

Where the points run:

* locally (default): a process pool. The searches are multi-threaded in the library, but a
  sweep has many points, each a few to a few hundred ms, and a part of every point runs in
  Python under the GIL (loading the model, parsing the search's JSON into entries), which
  threads do not overlap. So the pool runs ``min(cores, points)`` processes and each search
  gets ``cores // processes`` threads (1 for a grid of many points; all cores for a grid of
  one point), never more threads than cores in all. The processes are spawned, not forked (a
  fork of a process whose Swift runtime runs threads can deadlock), so a script calling
  :func:`sweep` needs the ``if __name__ == "__main__":`` guard, as any multiprocessing code.
* ``ray=True`` / ``ray="ADDRESS"``: Ray tasks of a few points each (1 CPU, 1-thread searches;
  about four tasks per CPU of the cluster, ``ray_chunk`` to choose),
  ``ray.init(address=...)`` (local when no address). Every worker needs pdcost installed (the
  binary wheel). Models and GPUs are resolved on the driver and sent as their fields, so
  workers need none of the grid's files.

The rows do not depend on where or on how many threads a point ran (the searches rank by a
total order; no timings are in the table), so a Ray run writes the same table as a local run.
"""

from __future__ import annotations

import dataclasses
import inspect
import itertools
import json
import os
import sys
import time
import warnings
from typing import Any, Iterable, Mapping, Sequence

from . import _validate as check
from .config import GPUSpec, HardwareConfig, ModelConfig, TrainingConfig
from .costmodel import PDCostModel
from .search import NoPlanFitsWarning

__all__ = ["sweep", "load_grid", "grid_points", "write_parquet", "to_table", "GRID_KEYS"]

#: The keys a grid may have.
GRID_KEYS = ("models", "gpus", "num_gpus", "training", "serving", "top_k")

# Training workload keys: the short names of `pdcost search`, then TrainingConfig's fields, then
# PDCostModel.search's keyword arguments (threads/progress/top_k belong to the sweep).
_TRAINING_ALIASES = {"seq_len": "sequence_length", "global_batch": "global_batch_size"}
_TRAINING_CONFIG_KEYS = frozenset(f.name for f in dataclasses.fields(TrainingConfig)
                                  if not f.name.startswith("_"))
_SWEEP_OWNED = frozenset({"threads", "progress", "top_k", "total_gpus"})
_SEARCH_KEYS = frozenset(inspect.signature(PDCostModel.search).parameters) - _SWEEP_OWNED - {"self", "seq_len"}
_SERVING_OWNED = _SWEEP_OWNED | {"model", "gpu", "num_gpus", "max_gpus"}


def _serving_keys() -> frozenset[str]:
    from .serving_search import search_serving
    return frozenset(inspect.signature(search_serving).parameters) - _SERVING_OWNED


# ------------------------------------------------------------------------------------------------
# The grid
# ------------------------------------------------------------------------------------------------


def load_grid(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A grid from a YAML (needs PyYAML) or JSON file; relative model and GPU paths in it are
    taken relative to the file's directory."""
    path = os.fspath(path)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".json"):
        grid = json.loads(text)
    else:
        try:
            import yaml  # noqa: PLC0415 - optional dependency
        except ImportError:
            raise ImportError(f"{path}: reading a YAML grid needs PyYAML "
                              "(pip install 'pdcost[sweep]'), or write the grid as .json") from None
        grid = yaml.safe_load(text)
    if not isinstance(grid, Mapping):
        raise ValueError(f"{path}: a grid is a mapping with keys {', '.join(GRID_KEYS)}, "
                         f"not {type(grid).__name__}")
    grid = dict(grid)
    base = os.path.dirname(os.path.abspath(path))

    def rebase(entry: Any) -> Any:
        if isinstance(entry, str) and (entry.endswith(".json") or os.sep in entry) \
                and not os.path.isabs(entry):
            return os.path.join(base, entry)
        return entry

    for key in ("models", "gpus"):
        if isinstance(grid.get(key), list):
            grid[key] = [rebase(e) for e in grid[key]]
    return grid


def _as_list(grid: Mapping[str, Any], key: str, *, required: bool = True) -> list[Any]:
    value = grid.get(key)
    if value is None:
        if required:
            raise ValueError(f"grid: {key!r} is missing (a list)")
        return []
    if not isinstance(value, (list, tuple)):
        value = [value]
    if required and not value:
        raise ValueError(f"grid: {key!r} is empty")
    return list(value)


def _model(entry: Any) -> ModelConfig:
    if isinstance(entry, ModelConfig):
        return entry
    if not isinstance(entry, str):
        raise ValueError(f"grid: models entry {entry!r} must be a preset name or a config.json path")
    if os.path.isdir(entry):
        return ModelConfig.from_json(os.path.join(entry, "config.json"))
    if os.path.exists(entry) or entry.endswith(".json") or os.sep in entry:
        return ModelConfig.from_json(entry)
    return ModelConfig.from_name(entry)


def _gpu(entry: Any) -> GPUSpec:
    """As `--gpu` reads it (a preset or a GPU.json path), or a mapping of GPUSpec fields (a
    what-if GPU, completed as a GPU.json is)."""
    if isinstance(entry, GPUSpec):
        return entry
    if isinstance(entry, Mapping):
        return GPUSpec.from_dict(entry)
    if not isinstance(entry, str):
        raise ValueError(f"grid: gpus entry {entry!r} must be a preset name, a GPU.json path or "
                         "a mapping of GPU fields")
    if entry.endswith(".json") or os.path.isfile(entry):
        return GPUSpec.from_json(entry)
    return GPUSpec.from_name(entry)


def _workload(kind: str, entry: Any, index: int) -> dict[str, Any]:
    if not isinstance(entry, Mapping):
        raise ValueError(f"grid: {kind}[{index}] must be a mapping, not {entry!r}")
    known = (set(_TRAINING_ALIASES) | _TRAINING_CONFIG_KEYS | _SEARCH_KEYS) if kind == "training" \
        else _serving_keys()
    unknown = sorted(str(k) for k in entry if k not in known)
    if unknown:
        raise ValueError(f"grid: {kind}[{index}]: unknown key(s) {', '.join(map(repr, unknown))}; "
                         f"known: {', '.join(sorted(known))}")
    if kind == "training" and "global_batch" not in entry and "global_batch_size" not in entry \
            and "global_batch_tokens" not in entry:
        raise ValueError(f"grid: training[{index}]: give global_batch (sequences per step) or "
                         "global_batch_tokens")
    return dict(entry)


def grid_points(grid: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The grid's points in order (models, then GPUs, then cluster sizes, then the training and
    the serving workloads), each a plain dict (picklable, no file paths): ``point``, ``kind``,
    ``model`` (ModelConfig fields), ``gpu`` (GPUSpec fields), ``num_gpus``, ``workload``,
    ``top_k``. Raises ValueError naming the key for a malformed grid."""
    unknown = sorted(str(k) for k in grid if k not in GRID_KEYS)
    if unknown:
        raise ValueError(f"grid: unknown key(s) {', '.join(map(repr, unknown))}; "
                         f"known: {', '.join(GRID_KEYS)}")
    models = [_model(e) for e in _as_list(grid, "models")]
    gpus = [_gpu(e) for e in _as_list(grid, "gpus")]
    sizes = _as_list(grid, "num_gpus")
    for n in sizes:
        if type(n) is not int:
            raise ValueError(f"grid: num_gpus entry {n!r} must be an int")
        check.in_limit("grid: num_gpus entry", n, "num_gpus")
    workloads = [("training", _workload("training", w, i))
                 for i, w in enumerate(_as_list(grid, "training", required=False))]
    workloads += [("serving", _workload("serving", w, i))
                  for i, w in enumerate(_as_list(grid, "serving", required=False))]
    if not workloads:
        raise ValueError("grid: give at least one workload under 'training' or 'serving'")
    top_k = grid.get("top_k", 1)
    if type(top_k) is not int:
        raise ValueError(f"grid: top_k={top_k!r} must be an int")
    check.in_limit("grid: top_k", top_k, "search_top_k")
    for gpu, n in itertools.product(gpus, sizes):
        _hardware(gpu, n)  # a size that is no whole number of nodes fails here, naming both
    points = []
    for model, gpu, n, (kind, workload) in itertools.product(models, gpus, sizes, workloads):
        points.append({"point": len(points), "kind": kind, "model": model.to_dict(),
                       "gpu": gpu.to_dict(), "num_gpus": n, "workload": workload, "top_k": top_k})
    return points


# ------------------------------------------------------------------------------------------------
# One point
# ------------------------------------------------------------------------------------------------


def _hardware(gpu: GPUSpec, num_gpus: int) -> HardwareConfig:
    """As `pdcost search --gpus N`: a job smaller than a node is one node of that many GPUs."""
    try:
        return HardwareConfig.for_job(gpu, num_gpus)
    except ValueError as e:
        raise ValueError(f"grid: {e}") from None


def _training_rows(model: ModelConfig, gpu: GPUSpec, point: Mapping[str, Any],
                   threads: int) -> tuple[list[dict[str, Any]], str | None]:
    workload = {_TRAINING_ALIASES.get(k, k): v for k, v in point["workload"].items()}
    training = {k: workload.pop(k) for k in list(workload) if k in _TRAINING_CONFIG_KEYS}
    for key in ("micro_batch_sizes", "recompute", "zero_stages", "optimizer_offload_ratios",
                "vary_settings"):
        if isinstance(workload.get(key), list):
            workload[key] = tuple(workload[key])
    cm = PDCostModel(model, _hardware(gpu, point["num_gpus"]), TrainingConfig(**training))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NoPlanFitsWarning)  # the explanation is in the row
        result = cm.search(top_k=point["top_k"], threads=threads, **workload)
    return [e.row() for e in result.results], result.explanation


def _serving_rows(model: ModelConfig, gpu: GPUSpec, point: Mapping[str, Any],
                  threads: int) -> tuple[list[dict[str, Any]], str | None]:
    from .serving_search import search_serving

    workload = dict(point["workload"])
    n = point["num_gpus"]
    result = search_serving(model, gpu=gpu, num_gpus=n, max_gpus=n, top_k=point["top_k"],
                            threads=threads, **workload)
    rows = []
    for e in result.top:
        row = e.to_dict()
        # The GPUs the deployment uses; the point's num_gpus is the budget it was searched in.
        row["deployment_gpus"] = row.pop("num_gpus")
        rows.append(row)
    return rows, result.explanation


def evaluate_point(point: Mapping[str, Any], threads: int = 1) -> list[dict[str, Any]]:
    """The rows of one point of :func:`grid_points`: one per kept plan, or one with ``rank``
    None and the ``explanation`` when nothing fits. ``threads`` goes to the search (0 = all
    cores); the rows do not depend on it."""
    model = ModelConfig.from_dict(point["model"])
    gpu = GPUSpec.from_dict(point["gpu"])
    head = {"point": point["point"], "kind": point["kind"], "model": model.name, "gpu": gpu.name,
            "num_gpus": point["num_gpus"],
            "workload": json.dumps(point["workload"], sort_keys=True)}
    run = _training_rows if point["kind"] == "training" else _serving_rows
    try:
        rows, explanation = run(model, gpu, point, threads)
    except (ValueError, LookupError) as error:  # a bad workload value: say which point
        raise ValueError(f"grid point {point['point']} ({point['kind']} {head['workload']} of "
                         f"{model.name} on {point['num_gpus']}x {gpu.name}): {error}") from error
    # rank and explanation come first in every row, so every table has both columns.
    if not rows:
        return [{**head, "rank": None, "explanation": explanation or "nothing fits"}]
    out = []
    for row in rows:
        clash = sorted(set(row) & set(head))
        if clash:  # a search's column may not overwrite the point's
            raise AssertionError(f"sweep: result columns {clash} clash with the point's columns")
        out.append({**head, "rank": row.pop("rank"), "explanation": None, **row})
    return out


def _evaluate_chunk(points: Sequence[Mapping[str, Any]], threads: int) -> list[list[dict[str, Any]]]:
    return [evaluate_point(p, threads) for p in points]


# ------------------------------------------------------------------------------------------------
# Progress
# ------------------------------------------------------------------------------------------------


class _Progress:
    """tqdm when it is installed, else one `sweep 12/40 points` line redrawn on stderr."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.done, self.bar = total, 0, None
        self.enabled = enabled
        if enabled:
            try:
                from tqdm import tqdm  # noqa: PLC0415 - optional dependency
                self.bar = tqdm(total=total, unit="point", desc="sweep", file=sys.stderr)
            except ImportError:
                self._draw()

    def _draw(self) -> None:
        sys.stderr.write(f"\rsweep {self.done}/{self.total} points")
        sys.stderr.flush()

    def update(self, n: int = 1) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif self.enabled:
            self._draw()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.enabled:
            sys.stderr.write("\n")


# ------------------------------------------------------------------------------------------------
# Running the grid
# ------------------------------------------------------------------------------------------------


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _run_local(points: list[dict[str, Any]], workers: int | None, bar: _Progress) -> list[list[dict[str, Any]]]:
    cores = _cores()
    workers = min(workers or cores, len(points))
    threads = max(1, cores // workers)
    if workers <= 1:
        out = []
        for p in points:
            out.append(evaluate_point(p, threads))
            bar.update()
        return out
    import concurrent.futures  # noqa: PLC0415 - only a pool needs them (import pdcost stays light)
    import multiprocessing  # noqa: PLC0415

    # spawn, not fork: forking a process whose Swift runtime has started threads is unsafe.
    context = multiprocessing.get_context("spawn")
    results: list[list[dict[str, Any]] | None] = [None] * len(points)
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(evaluate_point, p, threads): i for i, p in enumerate(points)}
        for future in concurrent.futures.as_completed(futures):
            results[futures[future]] = future.result()
            bar.update()
    return [r for r in results if r is not None]


def _run_ray(points: list[dict[str, Any]], address: str | None, bar: _Progress,
             chunk: int | None) -> list[list[dict[str, Any]]]:
    try:
        import ray  # noqa: PLC0415 - optional dependency
    except ImportError:
        raise ImportError("--ray needs Ray: pip install 'ray[default]'") from None
    started = False
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
        started = True
    try:
        # One CPU per task and a one-thread search in it: Ray places as many tasks as there are
        # CPUs in the cluster.
        remote = ray.remote(num_cpus=1)(_evaluate_chunk)
        if chunk is None:
            # About four tasks per CPU: enough to even out points of different cost, few enough
            # that the driver (~1,000 tasks/s measured, README "Sweeps") is not the bottleneck.
            cpus = int(ray.cluster_resources().get("CPU", 1)) or 1
            chunk = max(1, -(-len(points) // (4 * cpus)))
        chunks = [points[i:i + chunk] for i in range(0, len(points), chunk)]
        pending = {remote.remote(c, 1): i for i, c in enumerate(chunks)}
        done_chunks: list[list[list[dict[str, Any]]] | None] = [None] * len(chunks)
        waiting = list(pending)
        while waiting:
            ready, waiting = ray.wait(waiting, num_returns=1)
            for ref in ready:
                i = pending[ref]
                done_chunks[i] = ray.get(ref)
                bar.update(len(chunks[i]))
        return [rows for c in done_chunks if c is not None for rows in c]
    finally:
        if started:
            ray.shutdown()


def sweep(grid: Mapping[str, Any] | str | os.PathLike[str], *, workers: int | None = None,
          ray: bool | str = False, ray_chunk: int | None = None, progress: bool = False) -> list[dict[str, Any]]:
    """Runs every point of ``grid`` (a mapping as described in this module, or a YAML/JSON
    file) and returns the rows, by point then rank.

    ``workers``: local processes (default: every core; the searches share the cores left).
    ``ray``: True for Ray (a local instance, or the one ``ray.init`` already connected to), or
    a cluster address; ``ray_chunk`` points per Ray task (default: about four tasks per CPU of
    the Ray cluster). ``progress``: a bar on stderr."""
    if not isinstance(grid, Mapping):
        grid = load_grid(grid)
    points = grid_points(grid)
    if workers is not None and (type(workers) is not int or workers < 1):
        raise ValueError(f"workers={workers!r} must be an int >= 1")
    if ray_chunk is not None and (type(ray_chunk) is not int or ray_chunk < 1):
        raise ValueError(f"ray_chunk={ray_chunk!r} must be an int >= 1")
    bar = _Progress(len(points), progress)
    try:
        if ray:
            per_point = _run_ray(points, ray if isinstance(ray, str) else None, bar, ray_chunk)
        else:
            per_point = _run_local(points, workers, bar)
    finally:
        bar.close()
    return [row for rows in per_point for row in rows]


def to_table(rows: Iterable[Mapping[str, Any]]) -> Any:
    """The rows as a pyarrow Table: every key any row has, in order of first appearance
    (training and serving rows share the point columns; the others are null where a row has
    none)."""
    try:
        import pyarrow as pa  # noqa: PLC0415 - optional dependency
    except ImportError:
        raise ImportError("writing Parquet needs pyarrow: pip install 'pdcost[sweep]'") from None
    rows = list(rows)
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return pa.table({c: [row.get(c) for row in rows] for c in columns})


def write_parquet(rows: Iterable[Mapping[str, Any]], path: str | os.PathLike[str]) -> Any:
    """Writes the rows (:func:`to_table`) to a Parquet file; returns the table."""
    import pyarrow.parquet as pq  # noqa: PLC0415 - optional dependency

    table = to_table(rows)
    pq.write_table(table, os.fspath(path))
    return table


# ------------------------------------------------------------------------------------------------
# pdcost sweep
# ------------------------------------------------------------------------------------------------


def run_cli(args: Any) -> int:
    """The handler of `pdcost sweep GRID.yaml`."""
    grid = load_grid(args.grid)
    start = time.perf_counter()
    ray: bool | str = False
    if args.ray is not None:
        ray = args.ray or True
    rows = sweep(grid, workers=args.workers, ray=ray, ray_chunk=args.ray_chunk,
                 progress=not args.no_progress)
    table = write_parquet(rows, args.out)
    elapsed = time.perf_counter() - start
    points = len({row["point"] for row in rows})
    empty = sum(1 for row in rows if row.get("rank") is None)
    print(f"{points} points ({empty} with nothing that fits), {table.num_rows} rows -> {args.out} "
          f"in {elapsed:.1f} s ({points / elapsed:.2f} points/s)")
    return 0


def register_cli(subparsers: Any) -> None:
    """Adds `pdcost sweep` to the CLI's subparsers."""
    parser = subparsers.add_parser(
        "sweep", help="search every point of a grid and write the best plans to Parquet",
        description="Run the training and serving searches for every point of a grid (models x "
                    "GPUs, what-if GPUs too, x cluster sizes x workloads, from a YAML or JSON "
                    "file; see examples/sweep.yaml) and write the best plan(s) of each point to a "
                    "Parquet file (needs pyarrow, and PyYAML for YAML: pip install "
                    "'pdcost[sweep]'). Runs on every local core, or as Ray tasks with --ray.")
    parser.add_argument("grid", metavar="GRID.yaml", help="the grid (YAML or .json)")
    parser.add_argument("-o", "--out", default="sweep.parquet", metavar="FILE.parquet",
                        help="output file (default: sweep.parquet)")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="local processes (default: every core)")
    parser.add_argument("--ray", nargs="?", const="", default=None, metavar="ADDRESS",
                        help="run the points as Ray tasks: on the cluster at ADDRESS (e.g. "
                             "ray://head:10001 or auto), or a local Ray instance when no address")
    parser.add_argument("--ray-chunk", type=int, default=None, metavar="N",
                        help="grid points per Ray task (default: about 4 tasks per CPU of the cluster)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    parser.set_defaults(handler=run_cli)
