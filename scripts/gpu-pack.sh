#!/usr/bin/env bash
# scripts/gpu-pack.sh: build and pack, here, everything scripts/gpu-check.sh needs on a lent GPU
# machine, which has no Maven, no network and perhaps no JDK (see ../shared/GPU-CHECK.md).
#
#   bash scripts/gpu-pack.sh              # here, in the checkout the device tool will send
#   device tool: run with carry [".gpu"], command "bash scripts/gpu-check.sh", timeout_s 540
#
# It fails, with one line saying why, before building anything when an input is missing: MNIST
# (the GPU training, the benchmark and the PyTorch reference read it), the PyTorch reference
# script, or a tool. It fails after packing when the checkout plus .gpu/ would exceed the 64 MiB
# the device tool carries.
#
# What lands in .gpu/ (git-ignored):
#   ebm4j.jar, lib/*.jar       the application (nvcc kernels inside the jar: checked) and its runtime
#                              dependencies, slimmed: OpenBLAS without its LAPACK JNI libraries and
#                              headers (20 MB -> 12 MB; the GEMMs never load them), JCuda
#                              without NVRTC and the PTX compiler (24 MB, never loaded). Should the
#                              pack not fit, OpenBLAS is dropped (the CPU backend then uses its Java
#                              GEMM, and the bench says so); EBM4J_PACK_OPENBLAS=0 drops it always.
#   test-classes/              the compiled tests (the GPU ones are tagged "gpu")
#   junit-platform-console-standalone-*.jar   the JUnit console launcher (Maven's -Dgroups=gpu)
#   jre.tar.gz                 a jlinked Java 17 runtime (gpu-check.sh prefers it to the machine's)
#   data/mnist/*.gz            the four MNIST files, gzipped (gpu-check.sh unpacks them)
#   torch_ebm.py               the PyTorch reference, from ../shared/bench (or $EBM4J_SHARED/bench)
#   pack-info.txt              what was packed: commit, date, tool versions, sizes
#
# Environment: EBM4J_BUILD_DIR (Maven build dir, default target), EBM4J_MNIST_DIR (default
# data/mnist), EBM4J_SHARED (default ../shared beside the checkout), EBM4J_PACK_OPENBLAS=0.
#
# Sourcing this file (`source scripts/gpu-pack.sh`) only defines the helper functions below; the
# tests use that to check them.

# Bytes the device tool carries in all: the working tree plus the carried .gpu/.
CARRY_LIMIT_BYTES=$((64 * 1048576))

# The four MNIST files and their sizes once unpacked (IDX header + data).
MNIST_FILES=(train-images-idx3-ubyte:47040016 train-labels-idx1-ubyte:60008
             t10k-images-idx3-ubyte:7840016 t10k-labels-idx1-ubyte:10008)

# jar_has JAR ENTRY: true when the zip file JAR holds ENTRY (an exact path).
# The listing is read whole before grep sees it. `unzip -l JAR | grep -q ENTRY` under pipefail
# fails at random: grep -q exits at the first match, unzip is still writing, dies of SIGPIPE
# (exit 141), and pipefail reports the pipeline as failed although the entry is there.
jar_has() {
  local listing
  listing=$(unzip -Z1 "$1") || return 1
  grep -qxF -- "$2" <<<"$listing"
}

# mnist_problems DIR: one line per MNIST file that is missing or has the wrong size in DIR
# (raw or .gz); prints nothing when all four are fine.
mnist_problems() {
  local dir=$1 entry name size got
  for entry in "${MNIST_FILES[@]}"; do
    name=${entry%%:*}
    size=${entry##*:}
    if [ -f "$dir/$name" ]; then
      got=$(stat -c %s -- "$dir/$name")
    elif [ -f "$dir/$name.gz" ]; then
      got=$(gzip -cd -- "$dir/$name.gz" | wc -c) || got="unreadable"
    else
      echo "$name missing"
      continue
    fi
    [ "$got" = "$size" ] || echo "$name has $got bytes, expected $size"
  done
}

# tree_bytes: bytes of the working tree as the device tool sends it (tracked files and untracked
# ones git does not ignore; a symbolic link counts as the link). Files deleted but still tracked
# are skipped.
tree_bytes() {
  git ls-files -co --exclude-standard -z \
    | { xargs -0 -r stat -c %s -- 2>/dev/null || true; } \
    | awk '{ s += $1 } END { print s + 0 }'
}

# dir_bytes DIR: bytes of the files under DIR.
dir_bytes() {
  find "$1" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'
}

mib() {
  awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'
}

die() {
  echo "gpu-pack: $*" >&2
  exit 1
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  return 0   # sourced: functions only
fi

set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
root=$(pwd)
build=${EBM4J_BUILD_DIR:-target}
mnist=${EBM4J_MNIST_DIR:-data/mnist}
shared=${EBM4J_SHARED:-$root/../shared}
torch_script=$shared/bench/torch_ebm.py
junit=org.junit.platform:junit-platform-console-standalone:1.14.1
pack=$root/.gpu

# ---- inputs first: a missing one fails in a second, not after the build ------------------------
problems=$(mnist_problems "$mnist")
if [ -n "$problems" ]; then
  die "MNIST is not complete in $mnist ($(paste -sd ';' <<<"$problems")); the GPU training, the benchmark and the PyTorch reference need it: run ./ebm4j data fetch --data-dir $mnist (or set EBM4J_MNIST_DIR)"
fi
[ -f "$torch_script" ] \
  || die "no PyTorch reference at $torch_script; the check compares against it on CUDA: set EBM4J_SHARED to the folder holding bench/torch_ebm.py"
for tool in mvn jlink jdeps zip unzip gzip tar git awk; do
  command -v "$tool" >/dev/null || die "$tool not found on PATH"
done
command -v nvcc >/dev/null || [ -x /usr/local/bin/nvcc ] || [ -x /usr/local/cuda/bin/nvcc ] \
  || die "nvcc not found: the jar would carry no CUDA kernels"
git check-ignore -q .gpu/ || die ".gpu/ is not git-ignored: it would travel twice (add /.gpu/ to .gitignore)"

# ---- build ------------------------------------------------------------------------------------
echo "== mvn package (build dir $build)"
mvn -B -q -Debm4j.build.dir="$root/$build" package -DskipTests
[ -f "$build/ebm4j.jar" ] || die "$build/ebm4j.jar missing after the build"
jar_has "$build/ebm4j.jar" ebm4j/kernels.fatbin || die "the jar holds no ebm4j/kernels.fatbin (did nvcc run?)"
jar_has "$build/ebm4j.jar" ebm4j/compute/cuda/GpuSmoke.class || die "the jar holds no GpuSmoke (stale build?)"
[ -f "$build/test-classes/ebm4j/compute/cuda/CudaParityTest.class" ] || die "no compiled GPU tests in $build/test-classes"

rm -rf "$pack"
mkdir -p "$pack/lib" "$pack/data/mnist"

cp "$build/ebm4j.jar" "$pack/"
cp "$build"/lib/*.jar "$pack/lib/"
# zip -d exits 12 when nothing matched (a jar without those entries): that is fine.
strip_jar() {
  local jar=$1
  shift
  zip -q -d "$jar" "$@" || [ $? -eq 12 ]
}
# JCuda's natives jar carries NVRTC and the PTX compiler (24 MB), which ebm4j never loads.
for jar in "$pack"/lib/jcuda-natives-*.jar; do
  strip_jar "$jar" 'lib/libJNvPTXCompiler-*' 'lib/libJNvrtc-*'
done
# OpenBLAS: ebm4j's GEMMs load libjniopenblas_nolapack (and libopenblas.so.0 under it). The two
# LAPACK JNI libraries (48 MB, 7.5 MB zipped) serve only the backend's description, which asks
# them for OpenBLAS's version and kernel names: without them it reads "OpenBLAS ? (unknown
# kernels)" (env.txt names the CPU). They and the C headers stay here.
openblas=("$pack"/lib/openblas-*-linux-x86_64.jar)
if [ "${EBM4J_PACK_OPENBLAS:-1}" = 0 ]; then
  echo "   dropping OpenBLAS (EBM4J_PACK_OPENBLAS=0): the CPU backend uses its Java GEMM"
  rm -f "${openblas[@]}"
elif [ -f "${openblas[0]}" ]; then
  strip_jar "${openblas[0]}" 'org/bytedeco/openblas/linux-x86_64/libjniopenblas.so' \
    'org/bytedeco/openblas/linux-x86_64/libjniopenblas_full.so' 'org/bytedeco/openblas/linux-x86_64/include/*'
fi

cp -r "$build/test-classes" "$pack/test-classes"

echo "== JUnit console launcher ($junit)"
mvn -B -q dependency:copy -Dartifact="$junit" -DoutputDirectory="$pack" -Dmdep.overWriteReleases=true
launchers=("$pack"/junit-platform-console-standalone-*.jar)
[ -f "${launchers[0]}" ] || die "the JUnit console launcher was not copied"

echo "== jlink a Java runtime"
# The modules that the application, its libraries, the test classes (the launcher loads every
# class it scans, the non-GPU ones too) and the launcher reference, as jdeps finds them at pack
# time: a hand-kept list once missed jdk.management, and the training step then died of a
# ClassNotFoundException in the carried runtime. Added by hand: what is reached only by name,
# java.logging (the JUnit platform logs through it) and java.scripting (JUnit's conditions).
deps=$(jdeps --multi-release 17 --ignore-missing-deps --print-module-deps -q --class-path "$pack/lib/*" \
  "$pack/ebm4j.jar" "$pack"/lib/*.jar "$pack/test-classes" "${launchers[0]}" 2>/dev/null | tail -n 1)
[[ "$deps" =~ ^[a-z.]+(,[a-z.]+)*$ ]] || die "jdeps gave no module list for the runtime (got: ${deps:-nothing})"
modules=$deps,java.logging,java.scripting
echo "   modules: $modules"
rm -rf "$build/gpu-jre"
# --compress=1 (shared strings), not 2: zip-compressed modules do not gzip again, and 1 + gzip
# is the smaller pack (25 MB against 33 MB).
jlink --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=1 \
  --output "$build/gpu-jre"
tar -C "$build" -czf "$pack/jre.tar.gz" gpu-jre

echo "== MNIST and the PyTorch reference"
for entry in "${MNIST_FILES[@]}"; do
  name=${entry%%:*}
  if [ -f "$mnist/$name" ]; then
    gzip -9 -c "$mnist/$name" > "$pack/data/mnist/$name.gz"
  else
    cp "$mnist/$name.gz" "$pack/data/mnist/"
  fi
done
cp "$torch_script" "$pack/"

# ---- what was packed, and the size the device tool will carry ----------------------------------
tree_size=$(tree_bytes)
pack_size=$(dir_bytes "$pack")
if [ $((pack_size + tree_size)) -ge "$CARRY_LIMIT_BYTES" ] && [ -f "${openblas[0]}" ]; then
  echo "   dropping OpenBLAS to fit the carry limit: the CPU backend will use its Java GEMM"
  rm -f "${openblas[@]}"
  pack_size=$(dir_bytes "$pack")
fi
total=$((pack_size + tree_size))
java_version=$(java -version 2>&1) || true
nvcc_bin=$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)
nvcc_version=$("$nvcc_bin" --version 2>&1) || true
{
  echo "packed $(date -u +%Y-%m-%dT%H:%M:%SZ) from commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src kernels pom.xml || echo ' (with uncommitted changes)')"
  echo "java for jlink: ${java_version%%$'\n'*}"
  echo "nvcc: ${nvcc_version##*$'\n'}"
  if [ -f "${openblas[0]}" ]; then
    echo "CPU GEMM: OpenBLAS, packed without its LAPACK JNI libraries (so named 'OpenBLAS ? (unknown kernels)')"
  else
    echo "CPU GEMM: the Java Vector API one (OpenBLAS not packed)"
  fi
  echo ".gpu $(mib "$pack_size") + working tree $(mib "$tree_size") = $(mib "$total") of the $(mib "$CARRY_LIMIT_BYTES") carried"
} > "$pack/pack-info.txt"
cat "$pack/pack-info.txt"
du -sh "$pack"/* | sort -h
if [ "$total" -ge "$CARRY_LIMIT_BYTES" ]; then
  die "over the carry limit: .gpu $(mib "$pack_size") + working tree $(mib "$tree_size") = $(mib "$total") >= $(mib "$CARRY_LIMIT_BYTES")"
fi
echo "gpu-pack: ready: $(mib "$total") to carry; run with the device tool: carry [\".gpu\"], command \"bash scripts/gpu-check.sh\", timeout_s 540"
