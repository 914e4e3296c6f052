#!/usr/bin/env bash
# scripts/experiments.sh: the recipe comparison behind the README's quality table.
# Each recipe trains on the full training set, then `ebm4j eval` measures test accuracy, ECE,
# energies and OOD AUROC; one summary line per recipe goes to $OUT/summary.tsv.
#   bash scripts/experiments.sh [OUT]        (default runs/experiments; ~4 min per recipe-epoch on 2 cores)
# Environment: EXPERIMENTS="name:flags;name:flags" overrides the list; EPOCHS (default 1) and SEED
# (default 0) set the run length and seed; EBM4J the launcher (default ./ebm4j; point it at a
# copied jar to keep editing sources while it runs); JUDGE a classifier checkpoint for
# `eval --judge`, EVAL_FLAGS more eval options (e.g. "--steps 60").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${1:-runs/experiments}
mkdir -p "$out"
# the README's recipe-search table, first rows: the original recipe and the first fixes tried on it
default_list="seed:--config seed;seed-code:--config seed-code;jem-l2:--config seed --energy-sign jem --energy-l2 0.1;\
pool-a1:--config seed --energy-sign jem --energy-l2 0.01 --replay-size 10000 --langevin_steps 20 --langevin_alpha 1;\
pool-a1-gw01:--config seed --energy-sign jem --energy-l2 0.01 --replay-size 10000 --langevin_steps 20 \
--langevin_alpha 1 --gen-weight 0.1 --lr-schedule linear;recommended:"
IFS=';' read -ra recipes <<< "${EXPERIMENTS:-$default_list}"
summary="$out/summary.tsv"
ebm=${EBM4J:-./ebm4j}
epochs=${EPOCHS:-1}
seed=${SEED:-0}
judge=()
[[ -n "${JUDGE:-}" ]] && judge=(--judge "$JUDGE")
printf 'recipe\tflags\tseed\tepochs\ttrain_min\timages_per_s\ttest_acc\ttest_ece\te_real\te_sample\tauroc_fashion_energy\tauroc_noise_energy\tjudge_conditional_acc\tjudge_unconditional_conf\n' > "$summary"
for r in "${recipes[@]}"; do
  name=${r%%:*}; flags=${r#*:}
  rm -rf "${out:?}/$name"
  # shellcheck disable=SC2086
  # a recipe that trips the divergence guard still gets its line (from the epoch's partial metrics, if any)
  "$ebm" train --epochs "$epochs" --seed "$seed" --out "$out" --name "$name" $flags > "$out/$name.train.log" 2>&1 \
    || echo "$name: training stopped: $(grep -o -m 1 'error: .*' "$out/$name.train.log")"
  # shellcheck disable=SC2086
  "$ebm" eval -c "$out/$name" --samples 200 --out "$out/$name/eval" "${judge[@]}" ${EVAL_FLAGS:-} \
    > "$out/$name.eval.log" 2>&1 || true
  python3 - "$out/$name" "$name" "$flags" "$seed" >> "$summary" <<'PY'
import json, sys
run, name, flags, seed = sys.argv[1:5]
try:
    epochs = [json.loads(l) for l in open(run + "/metrics.jsonl") if l.strip()]
    m = epochs[-1]
except (OSError, IndexError):
    print("\t".join([name, flags, "diverged (see %s.train.log)" % name])); sys.exit(0)
try:
    e = json.load(open(run + "/eval/eval.json"))
except OSError:
    e = {}
print("\t".join(str(x) for x in [name, flags or "(defaults)", seed, m["epoch"],
      round(sum(ep["seconds"] for ep in epochs) / 60, 1), round(m["images_per_s"], 1),
      round(m["test_acc"], 4), round(m["test_ece"], 4), round(m["e_real"], 2), round(m["e_sample"], 2),
      round(e.get("auroc_fashion_energy", float("nan")), 4), round(e.get("auroc_uniform_energy", float("nan")), 4),
      round(e.get("judge_conditional_accuracy", float("nan")), 3),
      round(e.get("judge_unconditional_confidence", float("nan")), 3)]))
PY
  tail -1 "$summary"
done
