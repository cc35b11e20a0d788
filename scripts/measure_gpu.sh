#!/usr/bin/env bash
# One pass of every GPU measurement pdcost uses, on one idle machine with an NVIDIA GPU, PyTorch
# and pdcost installed (the wheel: no Swift needed). Each part has its own time limit and a part
# that fails leaves the others running; every part's output goes to OUT_DIR:
#   profile.json          pdcost calibrate --gpu --quick   (GEMM sweep, HBM, host copies, NCCL)
#   moe_kernels.json      scripts/moe_kernel_bench.py      (grouped GEMM vs tokens per expert,
#                                                           per-expert issue, host sync, eager op)
#   train.json            bench grid single-gpu-quick      (measured training steps, torchtitan-style)
#   prefill.json          bench grid single-gpu-inference  (measured prefill)
#   serve.json            bench serve                      (static-batch generation, eager engine)
#   validate_*.txt        pdcost validate of each runs file (predicted vs measured)
#
#   scripts/measure_gpu.sh OUT_DIR [SECONDS_SCALE]
# SECONDS_SCALE (default 1) stretches every part's limit.
set -uo pipefail
out=${1:?usage: scripts/measure_gpu.sh OUT_DIR [SECONDS_SCALE]}
scale=${2:-1}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
export PYTHONUNBUFFERED=1
python=${PYTHON:-python3}

part() {  # part NAME SECONDS COMMAND...
    local name=$1 seconds=$2; shift 2
    local limit; limit=$(awk -v s="$seconds" -v k="$scale" 'BEGIN { printf "%d", s * k }')
    printf '\n==> %s (limit %s s)\n' "$name" "$limit"
    local t0=$SECONDS
    timeout --signal=INT --kill-after=10 "$limit" "$@" > "$out/$name.log" 2>&1
    local rc=$?
    tail -n 25 "$out/$name.log"
    printf '<== %s rc=%s in %s s\n' "$name" "$rc" "$((SECONDS - t0))"
}

nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv > "$out/gpu.txt" 2>&1
cat "$out/gpu.txt"
part calibrate 120 "$python" -m pdcost calibrate --gpu --quick --out "$out/profile.json"
part moe_kernels 75 "$python" "$here/moe_kernel_bench.py" --out "$out/moe_kernels.json"
part train 140 "$python" -m pdcost.bench grid --preset single-gpu-quick --out "$out/train.json"
part prefill 45 "$python" -m pdcost.bench grid --preset single-gpu-inference --out "$out/prefill.json"
serve() {
    local model=$1 batch=$2 input=$3 output=$4
    "$python" -m pdcost.bench serve --model "$model" --batch-size "$batch" --input-tokens "$input" \
        --output-tokens "$output" --runs 3 --out "$out/serve.json" --quiet
}
serve_all() {
    serve llama3.2-1b 1 1024 128 && serve llama3.2-1b 16 1024 128 && serve llama3.2-1b 64 512 128 \
        && serve qwen2.5-1.5b 8 2048 128 && serve qwen3-1.7b 32 1024 128
}
export -f serve serve_all
export out python
part serve 75 bash -c serve_all
for runs in train prefill serve; do
    if [ -f "$out/$runs.json" ]; then
        "$python" -m pdcost validate "$out/$runs.json" > "$out/validate_$runs.txt" 2>&1
        printf '\n==> validate %s\n' "$runs"; tail -n 30 "$out/validate_$runs.txt"
    fi
done
