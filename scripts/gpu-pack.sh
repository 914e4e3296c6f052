#!/usr/bin/env bash
# scripts/gpu-pack.sh: build everything the GPU check needs into .gpu/ (git-ignored), for a lent
# GPU machine that has no Maven, no network and perhaps no JDK (see ../shared/GPU-CHECK.md).
#
#   bash scripts/gpu-pack.sh          then, on the device:  bash scripts/gpu-check.sh
#   (with the device tool: run with carry [".gpu"], command "bash scripts/gpu-check.sh")
#
# What lands in .gpu/ (budget: the whole carried tree must stay under 64 MiB):
#   ebm4j.jar, lib/*.jar       the application (mvn package, nvcc kernels inside the jar) and its
#                              runtime dependencies, minus OpenBLAS's 20 MB natives (the CPU
#                              backend falls back to its Java GEMM; EBM4J_PACK_OPENBLAS=1 keeps
#                              them) and minus JCuda's unused NVRTC/PTX-compiler natives (24 MB)
#   test-classes/              the compiled tests (the GPU ones are tagged "gpu")
#   junit-platform-console-standalone-1.14.1.jar   the JUnit console launcher
#   jre.tar.gz                 a jlinked Java 17 runtime (used only if the device has no java 17+)
#   data/mnist/*.gz            MNIST from data/mnist (gzipped; gpu-check.sh unpacks it)
#   torch_ebm.py               the PyTorch reference, from ../shared/bench (or $EBM4J_SHARED/bench)
#
# Environment: EBM4J_BUILD_DIR (Maven build dir, default target), EBM4J_PACK_OPENBLAS=1,
# EBM4J_SHARED (default: ../shared beside the checkout).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
build=${EBM4J_BUILD_DIR:-target}
shared=${EBM4J_SHARED:-$root/../shared}
junit=org.junit.platform:junit-platform-console-standalone:1.14.1
pack=$root/.gpu

command -v nvcc >/dev/null || [ -x /usr/local/bin/nvcc ] || [ -x /usr/local/cuda/bin/nvcc ] \
  || { echo "gpu-pack: nvcc not found: the jar would carry no CUDA kernels" >&2; exit 1; }

echo "== mvn package (build dir $build)"
mvn -B -q -Debm4j.build.dir="$root/$build" package -DskipTests
[ -f "$build/ebm4j.jar" ] || { echo "gpu-pack: $build/ebm4j.jar missing" >&2; exit 1; }
unzip -l "$build/ebm4j.jar" | grep -q 'ebm4j/kernels.fatbin' \
  || { echo "gpu-pack: the jar holds no ebm4j/kernels.fatbin" >&2; exit 1; }

rm -rf "$pack"
mkdir -p "$pack/lib" "$pack/data/mnist"
grep -qx '/.gpu/' .gitignore 2>/dev/null || grep -qx '.gpu/' .git/info/exclude 2>/dev/null \
  || echo '.gpu/' >> .git/info/exclude

cp "$build/ebm4j.jar" "$pack/"
for jar in "$build"/lib/*.jar; do
  name=$(basename "$jar")
  case "$name" in
    openblas-*-linux-*.jar)
      if [ "${EBM4J_PACK_OPENBLAS:-0}" != 1 ]; then echo "   dropping $name (CPU backend uses its Java GEMM)"; continue; fi ;;
  esac
  cp "$jar" "$pack/lib/"
done
# JCuda's natives jar carries NVRTC and the PTX compiler (24 MB), which ebm4j never loads.
for jar in "$pack"/lib/jcuda-natives-*.jar; do
  zip -q -d "$jar" 'lib/libJNvPTXCompiler-*' 'lib/libJNvrtc-*' || true
done

cp -r "$build/test-classes" "$pack/test-classes"

echo "== JUnit console launcher ($junit)"
mvn -B -q dependency:copy -Dartifact="$junit" -DoutputDirectory="$pack" -Dmdep.overWriteReleases=true
ls "$pack"/junit-platform-console-standalone-*.jar >/dev/null

echo "== jlink a Java runtime"
modules=java.base,java.desktop,java.logging,java.management,java.net.http,java.scripting,jdk.incubator.vector,jdk.unsupported
rm -rf "$build/gpu-jre"
jlink --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=2 \
  --output "$build/gpu-jre"
tar -C "$build" -czf "$pack/jre.tar.gz" gpu-jre

echo "== MNIST and the PyTorch reference"
if ls data/mnist/*-ubyte >/dev/null 2>&1; then
  for f in data/mnist/*-ubyte; do gzip -9 -c "$f" > "$pack/data/mnist/$(basename "$f").gz"; done
elif ls data/mnist/*-ubyte.gz >/dev/null 2>&1; then
  cp data/mnist/*-ubyte.gz "$pack/data/mnist/"
else
  echo "gpu-pack: no MNIST in data/mnist (run: java -jar $build/ebm4j.jar data fetch); the check will use noise" >&2
fi
if [ -f "$shared/bench/torch_ebm.py" ]; then
  cp "$shared/bench/torch_ebm.py" "$pack/"
else
  echo "gpu-pack: $shared/bench/torch_ebm.py not found; the check skips the PyTorch comparison" >&2
fi

total=$(du -sb "$pack" | cut -f1)
tree=$(git ls-files -co --exclude-standard -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
echo "== .gpu is $((total / 1048576)) MiB; with the rest of the working tree $(((total + tree) / 1048576)) MiB (limit 64)"
du -sh "$pack"/* | sort -h | tail -8
if [ $((total + tree)) -gt $((64 * 1048576)) ]; then
  echo "gpu-pack: over the 64 MiB carry limit" >&2
  exit 1
fi
