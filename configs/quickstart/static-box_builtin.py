# Quickstart: the trivial baseline (the box stays where it was initialised), through the same
# test loop and metric.
_base_ = ['../_base_/datasets/builtin_benchmark.py', '../_base_/default_runtime.py']
model = dict(type='StaticBoxTracker')
# DDP refuses a model without parameters; this wrapper only wraps submodules that have some,
# so that tools/dist_test.sh shards the videos of this tracker too.
model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel')
env_cfg = dict(dist_cfg=dict(backend='gloo'))
