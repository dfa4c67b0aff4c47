# The built-in benchmark (procontext_apps.builtin_benchmark, GOT-10k layout): train on its train
# split with got10k_train.py's pipeline at the tiny models' crop sizes (32 px templates at
# K = [2, 4], 128 px search at factor 4, 8 px patches: configs/quickstart), validate / test on
# its val split with the GOT-10k protocol. The search scale jitter is the 384 px recipe's 0.5,
# not the 256 px recipe's 0.25 (docs/quickstart_recipe.md).
_base_ = ['./got10k_train.py']
data_root = 'outputs/quickstart/benchmark'

train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    sampler=dict(samples_per_epoch=8000),
    dataset=dict(
        data_root=data_root,
        split='train',
        use_cache=False,
        pipeline=dict(
            crop=dict(template_size=32, search_factor=4.0, search_size=128,
                      search_center_jitter=3.0, search_scale_jitter=0.5),
            check=dict(stride=8))))
val_dataloader = dict(
    num_workers=1,
    persistent_workers=False,
    dataset=dict(data_root=data_root, split='val', use_cache=False))
test_dataloader = val_dataloader
val_evaluator = dict(type='SOTMetric', benchmark='got10k')
test_evaluator = dict(_delete_=True, type='SOTMetric', benchmark='got10k')
