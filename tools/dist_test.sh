#!/usr/bin/env bash
# Test with NUM_PROCESSES processes on this machine (torchrun); every process runs its share
# of the videos and the metric gathers them. CPU-only machines use gloo.
#   bash tools/dist_test.sh CONFIG CHECKPOINT NUM_PROCESSES [tools/test.py args]
# CHECKPOINT 'none': a tracker without parameters (e.g. configs/quickstart/static-box_builtin.py).
# Environment: NNODES, NODE_RANK, MASTER_ADDR, PORT (multi-node); PYTHON (interpreter).
set -euo pipefail
CONFIG=$1
CHECKPOINT=()
[ "$2" = none ] || CHECKPOINT=("$2")
NPROC=$3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
PORT=${PORT:-29500}
PYTHONPATH="$(dirname "$0")/..${PYTHONPATH:+:$PYTHONPATH}" \
"${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$NPROC" --master_port="$PORT" \
    "$(dirname "$0")/test.py" "$CONFIG" ${CHECKPOINT[@]+"${CHECKPOINT[@]}"} \
    --launcher pytorch "${@:4}"
