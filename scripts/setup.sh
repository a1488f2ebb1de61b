#!/usr/bin/env bash
# Installs GraphSqueeze's build and run dependencies from Debian 12's archive.
# Idempotent: only packages that are missing are installed; nothing else is downloaded.
set -euo pipefail

packages=(
  cmake g++ make ccache
  libtorch-dev libopenblas0-openmp          # LibTorch + a real BLAS (reference BLAS is ~15x slower)
  libyaml-cpp-dev
  librdkit-dev libboost-dev                 # RDKit headers need Boost
  qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev libqt6sql6-sqlite
  xvfb xauth
  slurm-wlm munge                           # the one-node Slurm of tests/cluster/slurm-sweep-test.sh
  python3-torch                             # tests/interop: exported models run in plain PyTorch
)
if [ "${GSQ_WITH_BENCH:-0}" = 1 ]; then
  packages+=(time bc)                       # timing for bench/ only (plain-PyTorch references)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
