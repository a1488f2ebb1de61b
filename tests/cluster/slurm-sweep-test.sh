#!/usr/bin/env bash
# Integration test of packaging/cluster/slurm-sweep.sh: brings up a one-node Slurm cluster on
# localhost (Debian's slurm-wlm + munge, private ports and state directory), submits a small
# sweep as a 3-task job array, merges the cells and compares the rows with a local run.
# Exit 77 (ctest: skipped) with the reason when Slurm cannot start here.
set -euo pipefail
cli="$(realpath "${1:?usage: slurm-sweep-test.sh GRAPHSQUEEZE_CLI SOURCE_DIR}")"
src="$(realpath "${2:?usage: slurm-sweep-test.sh GRAPHSQUEEZE_CLI SOURCE_DIR}")"
skip() { echo "SKIPPED: $*"; exit 77; }
for tool in munged slurmctld slurmd sbatch; do
    command -v "$tool" >/dev/null || skip "$tool not found (apt-get install slurm-wlm munge)"
done
[ "$(id -u)" = 0 ] || skip "slurmd needs root to start jobs; run the test as root"
[ -r /etc/munge/munge.key ] || skip "no munge key (/etc/munge/munge.key; created by the munge package)"

work="$(mktemp -d)"
host="$(hostname)"
export SLURM_CONF="$work/slurm.conf"
cleanup() {
    for pid in "$work"/slurmd.pid "$work"/slurmctld.pid; do
        [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
    done
    sleep 1
    rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT
mkdir -p "$work/state" "$work/spool" "$work/out"
cat >"$SLURM_CONF" <<CONF
ClusterName=gsqtest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
SlurmctldPort=26817
SlurmdPort=26818
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
if ! munge -n >/dev/null 2>&1; then
    mkdir -p /run/munge && chown munge:munge /run/munge 2>/dev/null || true
    munged --force >/dev/null 2>&1 || skip "munged does not start"
    sleep 1
fi
slurmctld -f "$SLURM_CONF" || skip "slurmctld does not start ($(tail -1 "$work/slurmctld.log" 2>/dev/null))"
slurmd -f "$SLURM_CONF" || skip "slurmd does not start ($(tail -1 "$work/slurmd.log" 2>/dev/null))"
for _ in $(seq 50); do
    sinfo -h -o %t 2>/dev/null | grep -q idle && break
    sleep 0.2
done
sinfo -h -o %t | grep -q idle || skip "the node never became idle ($(tail -1 "$work/slurmctld.log"))"

cat >"$work/sweep.yaml" <<YAML
name: slurm-sweep
train:
  epochs: 10
  seeds: [0, 1, 2, 3, 4]
  threads: 1
compression:
  - prune:
      method: finegrained
      sparsity: [0.5, 0.9]
      finetune_epochs: 3
YAML
"$cli" run "$work/sweep.yaml" --out "$work/local" --quiet >/dev/null
if ! GRAPHSQUEEZE_CLI="$cli" timeout 300 sbatch --wait --export=ALL --array=0-2 --cpus-per-task=1 --chdir="$work" \
    "$src/packaging/cluster/slurm-sweep.sh" "$work/sweep.yaml" "$work/out" >/dev/null; then
    echo "FAIL: the job array did not finish; slurmctld says: $(tail -3 "$work/slurmctld.log")"
    cat "$work"/graphsqueeze-*.log 2>/dev/null | tail -5
    exit 1
fi
"$cli" merge "$work/merged" "$work"/out/cell-* >/dev/null
# Rows must be identical apart from the timing columns (train_seconds, latency_ms, latency_masked_ms).
strip() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^(train_seconds|latency_ms|latency_masked_ms)$/) t[i] = 1 }
        { line = ""; for (i = 1; i <= NF; i++) if (!(i in t)) line = line $i ","; print line }' "$1"
}
for f in results.csv summary.csv layers.csv; do
    if ! diff <(strip "$work/local/$f") <(strip "$work/merged/$f") >/dev/null; then
        echo "FAIL: $f of the merged Slurm cells differs from the local run"
        diff <(strip "$work/local/$f") <(strip "$work/merged/$f") | head -5
        exit 1
    fi
done
rows=$(($(wc -l <"$work/merged/results.csv") - 1))
[ "$rows" = 25 ] || { echo "FAIL: expected 25 rows (5 jobs x 5 stages), got $rows"; exit 1; }
echo "PASS: 3 Slurm array tasks merged into the local run's 25 rows"
