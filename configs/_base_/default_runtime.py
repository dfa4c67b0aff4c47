default_scope = 'procontext_mm'
custom_imports = dict(imports=['procontext_mm'], allow_failed_imports=False)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', interval=10),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # counts the samples the pipeline rejected (unreadable frames, targets lost by the crop)
    sample_rejection=dict(type='SampleRejectionHook', interval=50))

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))

vis_backends = [dict(type='LocalVisBackend')]
# no fixed name: the runner names it after the experiment, so several runs in one process
# (the quickstart trains two models) keep their own log folders
visualizer = dict(type='SOTLocalVisualizer', vis_backends=vis_backends)
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=True)
log_level = 'INFO'
load_from = None
resume = False
