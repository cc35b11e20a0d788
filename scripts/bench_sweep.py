"""Sweep throughput: grid points/s in one process (1-thread and all-core searches), with the local
process pool, and with 1, 2, 4 local Ray workers; and Ray's per-task overhead (a no-op task's
round trip), for the README's scaling model. Each figure is the best of --repeat runs (the
machine may be shared); Ray runs after one warm-up sweep (worker start and pdcost import).

    python scripts/bench_sweep.py [GRID.yaml] [--workers 1 2 4] [--repeat 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from typing import Any, Callable

from pdcost.sweep import evaluate_point, grid_points, load_grid, sweep


def best(repeat: int, run: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("grid", nargs="?", default="examples/sweep.yaml")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    grid = load_grid(args.grid)
    points = grid_points(grid)
    n = len(points)

    per_point = []
    for p in points:
        per_point.append(best(args.repeat, lambda: evaluate_point(p, 1)))
    total = sum(per_point)
    print(f"{n} points; per point (1-thread search, best of {args.repeat}): mean {total / n * 1e3:.0f} ms, "
          f"median {statistics.median(per_point) * 1e3:.0f} ms, max {max(per_point) * 1e3:.0f} ms; "
          f"sum {total:.2f} s = {n / total:.2f} points/s")
    for label, threads in (("one process, 1-thread searches", 1), ("one process, all-core searches", 0)):
        before = resource.getrusage(resource.RUSAGE_SELF)
        elapsed = best(args.repeat, lambda: [evaluate_point(p, threads) for p in points])
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / args.repeat
        # On a shared machine wall > CPU: the share of a core this process got.
        print(f"{label}: {elapsed:.2f} s = {n / elapsed:.2f} points/s ({cpu:.2f} s CPU per sweep)")
    elapsed = best(args.repeat, lambda: sweep(grid))
    print(f"local process pool (sweep(), every core): {elapsed:.2f} s = {n / elapsed:.2f} points/s")

    import ray

    for workers in args.workers:
        t0 = time.perf_counter()
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        init = time.perf_counter() - t0

        @ray.remote(num_cpus=1)
        def noop() -> None:
            return None

        ray.get([noop.remote() for _ in range(workers)])
        t = time.perf_counter()
        ray.get([noop.remote() for _ in range(200)])
        overhead = (time.perf_counter() - t) / 200
        t = time.perf_counter()
        sweep(grid, ray=True)
        cold = time.perf_counter() - t
        elapsed = best(args.repeat, lambda: sweep(grid, ray=True))
        ray.shutdown()
        print(f"ray, {workers} worker(s): {elapsed:.2f} s = {n / elapsed:.2f} points/s (first sweep "
              f"{cold:.2f} s; ray.init {init:.1f} s; no-op task round trip {overhead * 1e3:.2f} ms)")


if __name__ == "__main__":
    main()
