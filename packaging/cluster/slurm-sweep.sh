#!/usr/bin/env bash
# One GraphSqueeze experiment spread over a Slurm job array: task I of N runs slice I of the
# job grid (fold-major, then seed) into its own directory; a dependent job merges the slices.
#
#   sbatch --array=0-7 packaging/cluster/slurm-sweep.sh resources/experiments/proteins-gin.yaml runs/gin
#   # when all tasks are done (or submit the merge with --dependency=afterok:<array job id>):
#   graphsqueeze-cli merge runs/gin runs/gin/cell-*
#
# The experiment file and graphsqueeze-cli must be reachable from every node (shared file
# system); each task uses the cores Slurm gives it. A task that was pre-empted or killed can be
# requeued as is: --resume continues it from its own jobs.journal.
#SBATCH --job-name=graphsqueeze
#SBATCH --cpus-per-task=2
#SBATCH --output=graphsqueeze-%A_%a.log
set -euo pipefail
experiment="${1:?usage: slurm-sweep.sh EXPERIMENT.yaml OUT_DIR}"
out="${2:?usage: slurm-sweep.sh EXPERIMENT.yaml OUT_DIR}"
cli="${GRAPHSQUEEZE_CLI:-graphsqueeze-cli}"
index="${SLURM_ARRAY_TASK_ID:?run through sbatch --array}"
count="${SLURM_ARRAY_TASK_COUNT:?run through sbatch --array}"
exec "$cli" run "$experiment" --out "$out/cell-$index" --cell "$index/$count" \
    --threads "${SLURM_CPUS_PER_TASK:-1}" --resume --quiet
