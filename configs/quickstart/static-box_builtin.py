# Quickstart: the trivial baseline (the box stays where it was initialised), through the same
# test loop and metric.
_base_ = ['../_base_/datasets/builtin_benchmark.py', '../_base_/default_runtime.py']
model = dict(type='StaticBoxTracker')
env_cfg = dict(dist_cfg=dict(backend='gloo'))
