#!/usr/bin/env bash
# scripts/gpu-check.sh: the first contact of ebm4j with a GPU, in one call of the device tool.
# Needs .gpu/ from scripts/gpu-pack.sh (run here first); uses no Maven and no network there.
#
#   bash scripts/gpu-pack.sh                          # here: build and pack (fails without MNIST)
#   device tool: run with carry [".gpu"], command "bash scripts/gpu-check.sh", timeout_s 540
#   bash scripts/gpu-check.sh --budget                # the step limits and their sum, nothing run
#
# Steps, in order, each in its own process under its own time limit (timeout, then SIGKILL after
# 5 s); a failing step does not stop the later ones:
#   env     the machine: nvidia-smi, glibc, the Java runtime (the carried jlinked one unless it
#           cannot run) and what it links against, JCuda's driver library, which python3 has torch
#   smoke   ebm4j.compute.cuda.GpuSmoke in a JVM of its own: open the device, one launch, capture
#           and replay a memset, a copy and kernels, events, a GEMM; every stage is printed before
#           it starts, so a crash inside the driver leaves the stage's name as the last line
#   tests   the gpu-tagged JUnit tests (Maven's -Dgroups=gpu) through the JUnit console launcher;
#           every comparison prints "PARITY ... max_abs=... max_rel=... ratio=..." (ratio = largest
#           error / tolerance), and the summary lists the largest
#   bench   ebm4j bench --device all beside the PyTorch reference on CUDA (same batch, steps,
#           algorithm), figures of each and the ratios; the GPU row names the GEMM path
#   train   ebm4j train --device gpu, the default recipe (persistent pool) on 1920 images: 30
#           batches an epoch, 2 epochs, a checkpoint every 15 batches, so the pool and the step
#           graph cross an epoch boundary
#   resume  the same run resumed from its mid-epoch checkpoint (batch 45): its final checkpoint
#           must equal the uninterrupted run's byte for byte (weights, Adam moments, pool)
# Without a usable GPU the smoke step reports SKIP with the driver's reason, the GPU tests skip,
# bench measures the CPU briefly (no PyTorch), and train/resume report SKIP; with
# EBM4J_REHEARSE=1 they run on the CPU instead, to rehearse the script itself. Where nvidia-smi
# sees a GPU (or EBM4J_EXPECT_GPU=1), a skip for want of a GPU counts as FAIL.
#
# What it leaves in $OUT (default /tmp/ebm4j-gpu-check), at most 8 files as the device tool
# returns no more: summary.txt (read it first: one line per step with PASS/FAIL/SKIP, time and
# limit, then the figures), env.txt, smoke.log, tests.log, bench.log, bench.json, train.log
# (both runs), samples.png (the training run's last Langevin samples). The summary is also
# printed last. Exit status: 1 if any step failed, else 0.
#
# Environment: OUT, EBM4J_PACK (default .gpu), EBM4J_BENCH_ITERS (default 10 where a GPU is
# expected, else 3), EBM4J_REHEARSE=1, EBM4J_EXPECT_GPU=0|1, EBM4J_KEEP_WORK=1 (keep the scratch
# folder under /tmp).
set -uo pipefail   # no -e: every step runs, and each failure is reported in the summary

# ---- the time budget --------------------------------------------------------------------------
# One device call runs at most 10 minutes; the check must end within 8, leaving the rest for the
# machine's start and a second try. The limits below plus each step's 5 s of grace add up to
# STEP_BUDGET_S; setup (unpacking the runtime and MNIST) and the summary take seconds.
STEPS=(env smoke tests bench train resume)
declare -A LIMIT=([env]=30 [smoke]=45 [tests]=150 [bench]=105 [train]=60 [resume]=45)
GRACE_S=5
STEP_BUDGET_S=465
CHECK_LIMIT_S=480   # 8 minutes: a hard deadline, each step's limit is cut to what is left of it

budget_total() {
  local s total=0
  for s in "${STEPS[@]}"; do total=$((total + LIMIT[$s] + GRACE_S)); done
  echo "$total"
}

if [ "${1:-}" = --budget ]; then
  for s in "${STEPS[@]}"; do printf '%-7s %4d s (+%d s grace)\n' "$s" "${LIMIT[$s]}" "$GRACE_S"; done
  total=$(budget_total)
  printf 'total   %4d s of %d s allowed (the check must end within %d s)\n' "$total" "$STEP_BUDGET_S" "$CHECK_LIMIT_S"
  [ "$total" -le "$STEP_BUDGET_S" ] && [ "$STEP_BUDGET_S" -lt "$CHECK_LIMIT_S" ]
  exit
fi
if [ $# -gt 0 ]; then
  echo "usage: bash scripts/gpu-check.sh [--budget]   (see the comments at the top)" >&2
  exit 2
fi

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
root=$(pwd)
pack=${EBM4J_PACK:-$root/.gpu}
OUT=${OUT:-/tmp/ebm4j-gpu-check}
mkdir -p "$OUT" || exit 1
summary=$OUT/summary.txt
: >"$summary"
start=$SECONDS
if [ ! -f "$pack/ebm4j.jar" ]; then
  echo "gpu-check: no $pack/ebm4j.jar: run scripts/gpu-pack.sh first (and carry .gpu)" | tee "$summary" >&2
  exit 1
fi

work=$(mktemp -d /tmp/ebm4j-gpu.XXXXXX) || exit 1
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  if [ "${EBM4J_KEEP_WORK:-0}" = 1 ]; then echo "gpu-check: scratch kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

declare -A STATUS NOTE TOOK
say() { echo "[gpu-check $((SECONDS - start))s] $*"; }

# record STEP STATUS NOTE: one step's outcome, printed at once and in the summary.
record() {
  STATUS[$1]=$2
  NOTE[$1]=$3
  say "$1: $2${3:+ - $3}"
}

# ---- the step runner --------------------------------------------------------------------------
# limit_for STEP: the step's limit, cut to what is left before the check's deadline.
limit_for() {
  local left=$((CHECK_LIMIT_S - 10 - (SECONDS - start) - GRACE_S))
  local lim=${LIMIT[$1]}
  [ "$left" -lt "$lim" ] && lim=$left
  echo "$lim"
}

# run_limited STEP LOG CMD...: CMD under the step's limit, stdout and stderr appended to LOG
# (after a header line naming CMD, or RUN_LABEL when set).
# Sets RC (124 or 137: timed out) and TOOK[STEP]. A JVM crash report (hs_err) is appended to LOG.
run_limited() {
  local step=$1 log=$2 lim t0 f
  shift 2
  lim=$(limit_for "$step")
  if [ "$lim" -lt 5 ]; then
    RC=125
    echo "gpu-check: no time left for $step" >>"$log"
    TOOK[$step]=0
    return
  fi
  echo "=== $step (limit ${lim}s): ${RUN_LABEL:-$*}" >>"$log"
  t0=$SECONDS
  timeout -k "$GRACE_S" "$lim" "$@" >>"$log" 2>&1
  RC=$?
  TOOK[$step]=$((SECONDS - t0))
  if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then
    echo "gpu-check: $step timed out after ${lim}s" >>"$log"
  fi
  for f in "$work"/hs_err_*.log; do
    [ -f "$f" ] || continue
    { echo "=== JVM crash report $f (first 60 lines)"; head -n 60 "$f"; } >>"$log"
    mv "$f" "$f.seen"
  done
}

# last_line PATTERN FILE: the last line of FILE matching PATTERN (grep -E), or nothing.
last_line() {
  local lines
  lines=$(grep -E -- "$1" "$2" 2>/dev/null) || return 0
  echo "${lines##*$'\n'}"
}

# why_failed LOG: "timed out" or "rc=N", and the last line of LOG that mentions an error.
why_failed() {
  local why="rc=$RC" err
  if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then why="timed out"; fi
  if [ "$RC" -eq 125 ]; then why="not run: no time left before the ${CHECK_LIMIT_S}s deadline"; fi
  err=$(last_line 'error|Error|Exception' "$1")
  echo "$why${err:+: ${err#*- }}"
}

# count_of KIND WORD FILE: N from the JUnit console's "[   N KIND WORD   ]" line (KIND: tests or
# containers), 0 if absent.
count_of() {
  awk -v k="$1" -v w="$2" '$3 == k && $4 == w { n = $2 } END { print n + 0 }' "$3" 2>/dev/null
}

# ---- env ---------------------------------------------------------------------------------------
# Runs in a shell of its own under the env limit (see step_env); prints "ENV key=value" lines
# that the other steps read back.
# shellcheck disable=SC2317  # run through `bash -c "$(declare -f env_report)"`
env_report() {
  local java=$1 pack=$2 work=$3 out glibc py seen="" libs natives
  echo "== pack"
  cat "$pack/pack-info.txt" 2>/dev/null || echo "(no pack-info.txt)"
  echo "== machine"
  uname -srm
  echo "cpus: $(nproc)"
  grep -m 1 'model name' /proc/cpuinfo 2>/dev/null
  grep -m 1 MemTotal /proc/meminfo 2>/dev/null
  echo "== nvidia-smi"
  if out=$(timeout 10 nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader 2>&1); then
    echo "$out"
    echo "ENV gpu=${out%%$'\n'*}"
    timeout 10 nvidia-smi 2>&1
  else
    echo "nvidia-smi: not available ($out)"
    echo "ENV gpu=none"
  fi
  echo "== glibc"
  out=$(ldd --version 2>&1) || true
  glibc=${out%%$'\n'*}
  echo "$glibc"
  echo "ENV glibc=${glibc##* }"
  echo "== java"
  if [ -z "$java" ]; then
    echo "ENV problem=no Java 17+ runtime could run"
  else
    echo "$java"
    "$java" -version 2>&1
    echo "== what the Java runtime links against"
    libs=$(ldd "$java" "$(dirname "$java")/../lib/server/libjvm.so" 2>&1)
    echo "$libs"
    if grep -q 'not found' <<<"$libs"; then
      echo "ENV problem=the Java runtime misses libraries: $(grep 'not found' <<<"$libs" | sort -u | tr -s ' \t\n' ' ')"
    fi
  fi
  echo "== JCuda's driver library"
  natives=$work/natives
  mkdir -p "$natives"
  if command -v unzip >/dev/null; then
    unzip -q -o -j "$pack"/lib/jcuda-natives-*.jar 'lib/libJCudaDriver-*' -d "$natives" 2>&1
  else
    python3 - "$natives" "$pack"/lib/jcuda-natives-*.jar <<'PY' 2>&1
import sys, zipfile, os
dest, jar = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(jar) as z:
    for n in z.namelist():
        if os.path.basename(n).startswith("libJCudaDriver-"):
            open(os.path.join(dest, os.path.basename(n)), "wb").write(z.read(n))
PY
  fi
  ldd "$natives"/libJCudaDriver-* 2>&1 || echo "(could not extract or inspect libJCudaDriver)"
  echo "== CUDA libraries known to the loader"
  out=$(ldconfig -p 2>&1) || true
  grep -E 'libcuda\.so|libcublas' <<<"$out" || echo "(no libcuda / libcublas in the loader cache)"
  echo "== python with torch"
  for py in "$(command -v python3 2>/dev/null)" /opt/torch/.venv/bin/python3 /usr/bin/python3; do
    if [ -z "$py" ] || [ ! -x "$py" ]; then continue; fi
    case " $seen " in *" $py "*) continue ;; esac
    seen="$seen $py"
    if out=$(timeout 12 "$py" -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())' 2>&1); then
      echo "$py: torch ${out##*$'\n'}"
      echo "ENV torch_python=$py"
      echo "ENV torch=${out##*$'\n'}"
      break
    fi
    echo "$py: no torch (${out##*$'\n'})"
  done
}

# ---- the Java runtime: the carried one unless it cannot run here -------------------------------
java=""
java_note=""
if [ -f "$pack/jre.tar.gz" ] && timeout 60 tar -C "$work" -xzf "$pack/jre.tar.gz" \
   && jv=$("$work/gpu-jre/bin/java" -version 2>&1); then
  java=$work/gpu-jre/bin/java
  java_note="carried runtime: ${jv%%$'\n'*}"
else
  java_note="the carried runtime did not run (${jv:-no jre.tar.gz})"
  if command -v java >/dev/null && jv=$(java -version 2>&1) && [[ $jv =~ version\ \"(1[7-9]|[2-9][0-9]) ]]; then
    java=$(command -v java)
    java_note="$java_note; using the machine's: ${jv%%$'\n'*}"
  fi
fi

# ---- classpath, JVM flags, MNIST ----------------------------------------------------------------
cp=$pack/ebm4j.jar
for j in "$pack"/lib/*.jar; do cp="$cp:$j"; done
jvm=(--add-modules jdk.incubator.vector -Xss4m -XX:+UseParallelGC -Djava.awt.headless=true
     -Djava.io.tmpdir="$work" -Dorg.bytedeco.javacpp.cachedir="$work/javacpp"
     -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -XX:ErrorFile="$work/hs_err_%p.log")
# As the ebm4j launcher does: the CPU backend splits work across cores itself.
export OPENBLAS_NUM_THREADS=1
data=$work/mnist
mkdir -p "$data"
for f in "$pack"/data/mnist/*.gz; do
  [ -f "$f" ] && timeout 60 gunzip -c "$f" >"$data/$(basename "$f" .gz)"
done
mnist_files=("$data"/*-ubyte)
if [ ! -f "${mnist_files[0]}" ] || [ "${#mnist_files[@]}" -ne 4 ]; then
  say "warning: MNIST is not in the pack (run gpu-pack.sh): the GPU training and PyTorch steps will fail"
fi

# GPU expected here? nvidia-smi listing a GPU says yes; EBM4J_EXPECT_GPU overrides.
if [ -n "${EBM4J_EXPECT_GPU:-}" ]; then
  expect_gpu=$EBM4J_EXPECT_GPU
elif gpus=$(timeout 10 nvidia-smi -L 2>/dev/null) && [[ $gpus == *GPU* ]]; then
  expect_gpu=1
else
  expect_gpu=0
fi
gpu_problem=""   # why no GPU can be used, once the smoke step has asked the driver

# skip_or_fail STEP REASON: SKIP for want of a GPU, or FAIL where a GPU is expected.
skip_or_fail() {
  if [ "$expect_gpu" = 1 ]; then record "$1" FAIL "a GPU is present but ebm4j cannot use it: $2"
  else record "$1" SKIP "no GPU ($2)"; fi
}

# ---- steps --------------------------------------------------------------------------------------
step_env() {
  local f=$OUT/env.txt problem
  : >"$f"
  RUN_LABEL="env_report (in bash -c)" run_limited env "$f" \
    bash -c "$(declare -f env_report); env_report \"\$@\"" env_report "$java" "$pack" "$work"
  echo "java: $java_note" >>"$f"
  torch_python=$(last_line '^ENV torch_python=' "$f")
  torch_python=${torch_python#ENV torch_python=}
  local gpu glibc torch
  gpu=$(last_line '^ENV gpu=' "$f"); gpu=${gpu#ENV gpu=}
  glibc=$(last_line '^ENV glibc=' "$f"); glibc=${glibc#ENV glibc=}
  torch=$(last_line '^ENV torch=' "$f"); torch=${torch#ENV torch=}
  problem=$(last_line '^ENV problem=' "$f"); problem=${problem#ENV problem=}
  local note="GPU: ${gpu:-?}; glibc ${glibc:-?}; ${java_note}; torch: ${torch:-none found}"
  if [ -z "$java" ]; then record env FAIL "no Java 17+ runtime runs here ($java_note)"
  elif [ -n "$problem" ]; then record env FAIL "$problem; $note"
  elif [ "$RC" -ne 0 ]; then record env FAIL "rc=$RC; $note"
  else record env PASS "$note"; fi
}

step_smoke() {
  local log=$OUT/smoke.log last
  : >"$log"
  if [ -z "$java" ]; then record smoke FAIL "no Java runtime"; return; fi
  run_limited smoke "$log" "$java" "${jvm[@]}" -cp "$cp" ebm4j.compute.cuda.GpuSmoke
  last=$(last_line '^smoke: ' "$log")
  case $RC in
    0) record smoke PASS "$(last_line 'open device 0 .* ok' "$log" | sed 's/^.*ok ([0-9.]* ms): //')" ;;
    3) gpu_problem=${last#smoke: skipped: no GPU (}
       gpu_problem=${gpu_problem%)}
       skip_or_fail smoke "$gpu_problem" ;;
    124|137) record smoke FAIL "timed out; last line: $last" ;;
    *) record smoke FAIL "rc=$RC; last line: $last" ;;
  esac
}

step_tests() {
  local log=$OUT/tests.log launcher ok failed aborted skipped classes_aborted reason
  : >"$log"
  if [ -z "$java" ]; then record tests FAIL "no Java runtime"; return; fi
  launcher=("$pack"/junit-platform-console-standalone-*.jar)
  run_limited tests "$log" "$java" "${jvm[@]}" -jar "${launcher[0]}" execute \
    --class-path "$pack/test-classes:$cp" --scan-class-path "$pack/test-classes" \
    --include-tag gpu --details=tree --disable-banner --disable-ansi-colors
  ok=$(count_of tests successful "$log")
  failed=$(count_of tests failed "$log")
  aborted=$(count_of tests aborted "$log")
  skipped=$(count_of tests skipped "$log")
  classes_aborted=$(count_of containers aborted "$log")
  local counts parity
  parity=$(grep -c '^PARITY ' "$log")
  counts="$ok passed, $failed failed, $aborted aborted, $skipped skipped; $parity PARITY lines"
  if [ "$RC" -ne 0 ] || [ "$failed" -gt 0 ]; then record tests FAIL "$(why_failed /dev/null); $counts"
  elif [ "$ok" -eq 0 ] && [ "$classes_aborted" -gt 0 ]; then
    # every gpu-tagged class stopped at its "is there a GPU" assumption; each printed why
    reason=$(last_line ' skipped: ' "$log")
    skip_or_fail tests "${reason#* skipped: }; $classes_aborted test classes skipped"
  elif [ "$ok" -eq 0 ]; then record tests FAIL "no gpu-tagged test ran: $counts"
  else record tests PASS "$counts"; fi
}

step_bench() {
  local log=$OUT/bench.log args gemm rows
  : >"$log"
  rm -f "$OUT/bench.json"
  if [ -z "$java" ]; then record bench FAIL "no Java runtime"; return; fi
  # Where a GPU is expected: figures, and PyTorch on CUDA beside them. Where none is (a dry run),
  # a few repetitions on the CPU show that the command works, and the PyTorch reference is left
  # out: on a CPU it measures nothing this check is for, and it can outlast the limit on a small
  # busy machine (its wiring is unit-tested with a stand-in interpreter).
  local iters=10 torch_note=""
  [ "$expect_gpu" = 1 ] || iters=3
  args=(bench --device all --iters "${EBM4J_BENCH_ITERS:-$iters}" --warmup 2 --data-dir "$data"
        --json-file "$OUT/bench.json")
  if [ -z "$torch_python" ] || [ ! -f "$pack/torch_ebm.py" ]; then
    torch_note="no PyTorch reference: no python3 with torch found"
  elif [ -n "$gpu_problem" ] && [ "$expect_gpu" != 1 ]; then
    torch_note="PyTorch reference not run without a GPU"
  else
    args+=(--torch "$pack/torch_ebm.py" --torch-python "$torch_python" --torch-device auto)
  fi
  run_limited bench "$log" "$java" "${jvm[@]}" -cp "$cp" ebm4j.cli.Main "${args[@]}"
  gemm=$(last_line '^gpu +cuda: ' "$log")
  gemm=${gemm##*, GEMM }
  rows=$(grep -oE '"name": ?"[a-z]+"' "$OUT/bench.json" 2>/dev/null | grep -oE '"[a-z]+"$' | tr -d '"' | paste -sd ',')
  local note="measured: ${rows:-nothing}"
  [ -n "$gemm" ] && note="$note; GPU GEMM: $gemm"
  [ -n "$torch_note" ] && note="$note; $torch_note"
  if [ "$RC" -ne 0 ]; then record bench FAIL "$(why_failed "$log"); $note"
  elif [ -n "$torch_note" ] && [ "$expect_gpu" = 1 ]; then record bench FAIL "$note"
  elif [[ ",$rows," != *,gpu,* ]]; then
    if [ "$expect_gpu" = 1 ]; then record bench FAIL "no GPU row: $(last_line 'no usable GPU' "$log"); $note"
    else record bench PASS "GPU part skipped: ${gpu_problem:-no usable GPU}; $note"; fi
  else record bench PASS "$note"; fi
}

# checkpoint_at RUN N: the folder of RUN's checkpoint after batch N (names are zero-padded).
checkpoint_at() {
  local d
  for d in "$1"/checkpoints/step-*; do
    [ -d "$d" ] && [ $((10#${d##*step-})) -eq "$2" ] && { echo "$d"; return; }
  done
}

train_device=gpu
# The default recipe plus 20 short-lived chains from noise (noise_chains, off by default), so that the
# GPU also runs the partly class-conditional chain, the second pool and its checkpoint; 1920 images
# make 30 full batches an epoch, so every step has them.
train_args=(--train-subset 1920 --epochs 2 --checkpoint-every 15 --keep 10 --log-every 5 --noise-chains 20
            --data-dir "$data" --no-fetch --out "$work/runs")

step_train() {
  local log=$OUT/train.log epochs last
  : >"$log"
  if [ -z "$java" ]; then record train FAIL "no Java runtime"; return; fi
  if [ -n "$gpu_problem" ]; then
    if [ "${EBM4J_REHEARSE:-0}" != 1 ]; then
      echo "train and resume: not run: no GPU ($gpu_problem); EBM4J_REHEARSE=1 runs them on the CPU" >>"$log"
      skip_or_fail train "$gpu_problem"
      return
    fi
    train_device=cpu
  fi
  run_limited train "$log" "$java" "${jvm[@]}" -cp "$cp" ebm4j.cli.Main train --device "$train_device" \
    "${train_args[@]}" --name full
  epochs=$(grep -c ' - Epoch [0-9]*/2:' "$log")
  last=$(last_line ' - Epoch 2/2:' "$log")
  local note="$epochs of 2 epochs${last:+; ${last#* - }}"
  [ "$train_device" = cpu ] && note="rehearsal on the CPU (no GPU: $gpu_problem); $note"
  if [ -f "$work/runs/full/figures/final_generated_images.png" ]; then
    cp "$work/runs/full/figures/final_generated_images.png" "$OUT/samples.png"
  fi
  if [ "$RC" -eq 0 ] && [ "$epochs" -eq 2 ] && [ -n "$(checkpoint_at "$work/runs/full" 60)" ]; then
    record train PASS "$note"
  else
    record train FAIL "$(why_failed "$log"); $note"
  fi
}

# Whether two safetensors files hold the same tensors, byte for byte, and the same header apart
# from the checkpoint_id: each save draws a fresh random id (it ties a state file to its model
# file), so two identical checkpoints never match with cmp.
same_checkpoint_file() {
  local a=$1 b=$2 na nb
  na=$(od -An -tu8 -N8 "$a" | tr -d ' ') && nb=$(od -An -tu8 -N8 "$b" | tr -d ' ') || return 1
  [ -n "$na" ] && [ -n "$nb" ] || return 1
  cmp -s <(head -c $((8 + na)) "$a" | tail -c +9 | sed -E 's/"checkpoint_id":"[0-9a-f]*"//') \
         <(head -c $((8 + nb)) "$b" | tail -c +9 | sed -E 's/"checkpoint_id":"[0-9a-f]*"//') \
    && cmp -s <(tail -c +$((9 + na)) "$a") <(tail -c +$((9 + nb)) "$b")
}

step_resume() {
  local log=$OUT/train.log mid a b f differ=""
  if [ "${STATUS[train]}" != PASS ]; then
    record resume SKIP "needs the training step's checkpoints (train: ${STATUS[train]})"
    return
  fi
  mid=$(checkpoint_at "$work/runs/full" 45)
  if [ -z "$mid" ]; then record resume FAIL "no checkpoint after batch 45"; return; fi
  run_limited resume "$log" "$java" "${jvm[@]}" -cp "$cp" ebm4j.cli.Main train --device "$train_device" \
    "${train_args[@]}" --resume "$mid" --name resumed
  a=$(checkpoint_at "$work/runs/full" 60)
  b=$(checkpoint_at "$work/runs/resumed" 60)
  if [ "$RC" -ne 0 ] || [ -z "$b" ]; then
    record resume FAIL "$(why_failed "$log"); the resumed run left no final checkpoint"
    return
  fi
  for f in model.safetensors train_state.safetensors; do
    same_checkpoint_file "$a/$f" "$b/$f" || differ="$differ $f"
  done
  if [ -z "$differ" ]; then
    record resume PASS "resumed at batch 45 of 60: final weights, Adam moments, pool and short-lived chains identical to the uninterrupted run"
  else
    record resume FAIL "resumed at batch 45 of 60: differs from the uninterrupted run in$differ"
  fi
}

say "pack $pack; results in $OUT; GPU expected: $([ "$expect_gpu" = 1 ] && echo yes || echo no); java: $java_note"
torch_python=""
for s in "${STEPS[@]}"; do TOOK[$s]=0; done
step_env
step_smoke
step_tests
step_bench
step_train
step_resume

# ---- summary ------------------------------------------------------------------------------------
failed=0
{
  echo "ebm4j gpu-check, $(date -u +%Y-%m-%dT%H:%M:%SZ), $(head -n 1 "$pack/pack-info.txt" 2>/dev/null)"
  printf '%-7s %-6s %6s %6s  %s\n' step result time limit note
  for s in "${STEPS[@]}"; do
    [ "${STATUS[$s]:-FAIL}" = FAIL ] && failed=1
    printf '%-7s %-6s %5ss %5ss  %s\n' "$s" "${STATUS[$s]:-FAIL}" "${TOOK[$s]}" "${LIMIT[$s]}" "${NOTE[$s]:-did not run}"
  done
  printf '%-7s %-6s %5ss %5ss  %s\n' total "" "$((SECONDS - start))" "$(budget_total)" \
    "whole check (limits incl. ${GRACE_S}s grace each; hard deadline ${CHECK_LIMIT_S}s)"
  echo
  echo "== smoke: the stages (smoke.log)"
  grep -E '^smoke: ' "$OUT/smoke.log" 2>/dev/null | grep -vE '\.\.\.$' || true
  echo
  echo "== GPU tests: the 12 largest errors relative to their tolerances (tests.log, ratio 1 = at the tolerance)"
  if grep -q '^PARITY ' "$OUT/tests.log" 2>/dev/null; then
    echo "$(grep -c '^PARITY .*| bit-exact | PASS' "$OUT/tests.log") bit-exact checks passed; tolerance checks:"
    grep '^PARITY ' "$OUT/tests.log" | grep -v '| bit-exact |' \
      | awk '{ r = 0; if (match($0, / ratio=[^ ]+/)) r = substr($0, RSTART + 7, RLENGTH - 7); printf "%s\t%s\n", r, $0 }' \
      | sort -t$'\t' -k1,1gr | awk -F'\t' 'NR <= 12 { print $2 }'
    grep '^PARITY .*| FAIL$' "$OUT/tests.log" || true
  else
    echo "(no PARITY lines: the GPU tests did not run)"
  fi
  grep -E '^(Test run finished|\[ +[0-9]+ (tests (successful|failed|aborted|skipped)|containers aborted))' "$OUT/tests.log" 2>/dev/null || true
  echo
  echo "== bench (bench.log, bench.json)"
  grep -vE '^(WARNING: |=== bench|benchmarking |running the PyTorch)' "$OUT/bench.log" 2>/dev/null || true
  echo
  echo "== training (train.log)"
  grep -E ' - (ebm4j training on|model |Epoch [0-9]+/|timing epoch|run took|resum)|error' "$OUT/train.log" 2>/dev/null \
    | sed 's/^.*\r//; s/\x1b\[[0-9;]*[A-Za-z]//g' || true
  echo
  echo "== files in $OUT"
  ls -l "$OUT"
} >>"$summary"
echo
echo "=================== gpu-check summary ($summary)"
cat "$summary"
n=$(find "$OUT" -type f | wc -l)
[ "$n" -le 8 ] || echo "gpu-check: warning: $n files in $OUT; the device tool returns only 8"
exit "$failed"
