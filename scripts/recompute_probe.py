#!/usr/bin/env python3
"""Why does recomputation cost ~100 ms a step on small models in pdcost.bench? Step times with
torch.utils.checkpoint's default preserve_rng_state=True (the bench) and False (torchtitan's
checkpoint wrapper), and the torch profiler's CPU/CUDA table of a full-recompute step.

    python3 scripts/recompute_probe.py OUT.json      (one CUDA GPU, pdcost and torch installed)
"""
import functools, sys, time, json
import torch
import torch.utils.checkpoint as ckpt
from pdcost.bench import BenchConfig, run

orig = ckpt.checkpoint
def cfg(model, rec, layers=None, seq=2048, mbs=2):
    return BenchConfig(model=model, num_layers=layers, seq_len=seq, micro_batch_size=mbs, recompute=rec, steps=6, warmup_steps=2)
out = {}
for preserve in (True, False):
    ckpt.checkpoint = functools.partial(orig, preserve_rng_state=preserve)
    for model in ("qwen2.5-0.5b", "qwen3-1.7b"):
        for rec in ("none", "full", "selective"):
            if rec == "none" and not preserve: continue
            r = run(cfg(model, rec))
            m = r["measured"]
            out[f"{model} {rec} preserve={preserve}"] = m["step_time_s"]
            print(model, rec, "preserve_rng_state", preserve, "step", round(m["step_time_s"], 4), flush=True)
ckpt.checkpoint = orig
# profile one step of qwen2.5-0.5b full (default) with the torch profiler: top CPU self time
from torch.profiler import profile, ProfilerActivity
import pdcost.bench.harness as H
r = None
with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
    run(BenchConfig(model="qwen2.5-0.5b", seq_len=2048, micro_batch_size=2, recompute="full", steps=1, warmup_steps=1))
print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))
json.dump(out, open(sys.argv[1], "w"), indent=1)
