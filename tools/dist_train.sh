#!/usr/bin/env bash
# bash tools/dist_train.sh CONFIG NUM_PROCESSES [train.py args]
# One process per GPU (nccl), or NUM_PROCESSES CPU processes (gloo) on a machine without CUDA.
set -euo pipefail
CONFIG=$1
NPROC=$2
PORT=${PORT:-29500}
python -m torch.distributed.run --nproc_per_node="$NPROC" --master_port="$PORT" \
    "$(dirname "$0")/train.py" "$CONFIG" --launcher pytorch "${@:3}"
