#!/usr/bin/env bash
# scripts/gpu-check.sh: the GPU checks of ebm4j in one go, on a lent GPU machine (or any machine
# with an NVIDIA driver). Needs .gpu/ from scripts/gpu-pack.sh; no Maven, no network.
#
#   bash scripts/gpu-pack.sh                  # here: build and pack
#   device run: carry [".gpu"], command "bash scripts/gpu-check.sh", timeout_s 590 (steps: at most ~560 s)
#
# Steps (each under its own time limit; a failing step does not stop the others):
#   env    nvidia-smi, the CUDA libraries the loader knows (libcuda, libcublas), the Java used
#   tests  the GPU-tagged JUnit tests (CudaBackendContractTest, CudaParityTest) via the console launcher
#   bench  ebm4j bench --device all --json (CPU and GPU side by side)
#   train  a short ebm4j train --device gpu on MNIST (a few hundred batches)
#   torch  the PyTorch reference (torch_ebm.py) with --device cuda, same batch/steps/alpha/sigma
# Every log goes to $OUT (default /tmp/ebm4j-gpu-check): at most 8 files, as the device tool
# returns no more. A summary table is printed last.
#
# Environment: OUT, EBM4J_TRAIN_BATCHES (default 300), EBM4J_BENCH_ITERS (default 5).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
pack=$root/.gpu
OUT=${OUT:-/tmp/ebm4j-gpu-check}
mkdir -p "$OUT"
work=$(mktemp -d /tmp/ebm4j-gpu.XXXXXX)
summary="$OUT/summary.txt"
: > "$summary"
[ -d "$pack" ] || { echo "gpu-check: $pack missing: run scripts/gpu-pack.sh first" | tee -a "$summary"; exit 1; }

# step NAME LIMIT_S CMD...: runs CMD with a time limit, output to the terminal and $OUT/NAME.log
step() {
  local name=$1 limit=$2
  shift 2
  local t0=$SECONDS
  echo "=== $name (limit ${limit}s): $*" | tee "$OUT/$name.log"
  if [ "$(type -t "$1")" = function ]; then
    "$@" 2>&1 | tee -a "$OUT/$name.log"      # shell functions run without a limit (keep them short)
  else
    timeout --kill-after=10 "$limit" "$@" 2>&1 | tee -a "$OUT/$name.log"
  fi
  local rc=${PIPESTATUS[0]}
  printf '%-6s rc=%-3s %4ss\n' "$name" "$rc" "$((SECONDS - t0))" | tee -a "$summary"
  return 0
}

# ---- env --------------------------------------------------------------------------------------
env_report() {
  timeout 30 nvidia-smi || echo "nvidia-smi failed"
  echo "--- CUDA libraries known to the loader"
  ldconfig -p | grep -E 'libcuda|libcublas' || echo "(none)"
  echo "--- java"
  echo "$java"
  "$java" -version 2>&1
  echo "--- python / torch"
  timeout 60 python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())' 2>&1 || true
}

java=
if command -v java >/dev/null 2>&1 && java -version 2>&1 | grep -qE 'version "(1[7-9]|[2-9][0-9])'; then
  java=$(command -v java)
else
  tar -C "$work" -xzf "$pack/jre.tar.gz"
  java=$work/gpu-jre/bin/java
fi
step env 60 env_report

# ---- classpath, data --------------------------------------------------------------------------
cp="$pack/ebm4j.jar"
for j in "$pack"/lib/*.jar; do cp="$cp:$j"; done
jvm=(--add-modules jdk.incubator.vector -Djava.io.tmpdir="$work" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Xss4m)
data="$work/mnist"
mkdir -p "$data"
for f in "$pack"/data/mnist/*.gz; do
  [ -e "$f" ] && gunzip -c "$f" > "$data/$(basename "$f" .gz)"
done

# ---- tests ------------------------------------------------------------------------------------
launcher=$(ls "$pack"/junit-platform-console-standalone-*.jar | head -1)
step tests 200 "$java" "${jvm[@]}" -jar "$launcher" execute \
  --class-path "$pack/test-classes:$cp" --scan-class-path "$pack/test-classes" \
  --include-tag gpu --details=tree --disable-banner

# ---- bench ------------------------------------------------------------------------------------
iters=${EBM4J_BENCH_ITERS:-5}
step bench 120 "$java" "${jvm[@]}" -cp "$cp" ebm4j.cli.Main bench --device all --json \
  --iters "$iters" --warmup 2 --data-dir "$data"

# ---- train ------------------------------------------------------------------------------------
batches=${EBM4J_TRAIN_BATCHES:-300}
step train 120 "$java" "${jvm[@]}" -cp "$cp" ebm4j.cli.Main train --device gpu --epochs 1 \
  --max-batches "$batches" --data-dir "$data" --no-fetch --out "$work/runs" --name gpu-check
grid=$(find "$work/runs" -name 'final_generated_images.png' 2>/dev/null | head -1)
[ -n "$grid" ] && cp "$grid" "$OUT/train_samples.png"

# ---- torch ------------------------------------------------------------------------------------
if [ -f "$pack/torch_ebm.py" ] && ls "$data"/*-ubyte >/dev/null 2>&1; then
  step torch 100 python3 "$pack/torch_ebm.py" --data-dir "$data" --device cuda --batch-size 64 \
    --steps 50 --alpha 0.1 --sigma 0.01 --max-batches 65 --infer-bench
else
  echo "torch  skipped (no torch_ebm.py or no MNIST in .gpu)" | tee -a "$summary"
fi

# ---- summary ----------------------------------------------------------------------------------
{
  echo
  echo "=== test totals"
  grep -E 'tests (successful|failed|skipped|aborted)' "$OUT/tests.log" || true
  echo "=== bench (JSON)"
  grep -E '^\{' "$OUT/bench.log" | tail -1 || true
  echo "=== train (last lines)"
  tail -5 "$OUT/train.log"
  echo "=== torch RESULT lines"
  grep -h '^RESULT' "$OUT/torch.log" 2>/dev/null || true
} >> "$summary"
echo
echo "=================== summary ($OUT)"
cat "$summary"
rm -rf "$work"
