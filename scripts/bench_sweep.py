"""Sweep throughput: grid points/s locally and with 1, 2, 4 local Ray workers, and Ray's
per-task overhead (a no-op task's round trip), for the README's scaling model.

    python scripts/bench_sweep.py [GRID.yaml] [--workers 1 2 4]
"""

from __future__ import annotations

import argparse
import statistics
import time

from pdcost.sweep import evaluate_point, grid_points, load_grid, sweep


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("grid", nargs="?", default="examples/sweep.yaml")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    grid = load_grid(args.grid)
    points = grid_points(grid)
    n = len(points)

    start = time.perf_counter()
    per_point = []
    for p in points:
        t = time.perf_counter()
        evaluate_point(p, 1)
        per_point.append(time.perf_counter() - t)
    serial = time.perf_counter() - start
    print(f"{n} points; serial, 1-thread searches: {serial:.2f} s = {n / serial:.2f} points/s "
          f"(per point: median {statistics.median(per_point) * 1e3:.0f} ms, "
          f"max {max(per_point) * 1e3:.0f} ms)")
    t = time.perf_counter()
    sweep(grid)
    local = time.perf_counter() - t
    print(f"local pool (every core): {local:.2f} s = {n / local:.2f} points/s")

    import ray

    for workers in args.workers:
        t0 = time.perf_counter()
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
        init = time.perf_counter() - t0

        @ray.remote(num_cpus=1)
        def noop() -> None:
            return None

        ray.get([noop.remote() for _ in range(workers)])  # start the workers
        t = time.perf_counter()
        ray.get([noop.remote() for _ in range(200)])
        overhead = (time.perf_counter() - t) / 200
        t = time.perf_counter()
        sweep(grid, ray=True)
        elapsed = time.perf_counter() - t
        ray.shutdown()
        print(f"ray, {workers} worker(s): {elapsed:.2f} s = {n / elapsed:.2f} points/s "
              f"(ray.init {init:.1f} s; no-op task round trip {overhead * 1e3:.2f} ms)")


if __name__ == "__main__":
    main()
