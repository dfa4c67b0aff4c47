#!/usr/bin/env bash
# Train with NUM_PROCESSES processes on this machine (torchrun): one per GPU (nccl), or CPU
# processes (gloo) on a machine without CUDA.
#   bash tools/dist_train.sh CONFIG NUM_PROCESSES [tools/train.py args]
# Environment: NNODES, NODE_RANK, MASTER_ADDR, PORT (multi-node); PYTHON (interpreter).
set -euo pipefail
CONFIG=$1
NPROC=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
PORT=${PORT:-29500}
PYTHONPATH="$(dirname "$0")/..${PYTHONPATH:+:$PYTHONPATH}" \
"${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$NPROC" --master_port="$PORT" \
    "$(dirname "$0")/train.py" "$CONFIG" --launcher pytorch "${@:3}"
