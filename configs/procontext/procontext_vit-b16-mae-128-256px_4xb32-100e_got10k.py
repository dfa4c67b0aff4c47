# ProContEXT ablation model (paper Sec. 3.4; Table 3 row 3 = Table 4 rho = 0.7): 128 px
# templates at K = [2, 4] static + dynamic, 256 px search at factor 4 (the largest template
# factor equals the search factor), CE keep 0.7; GOT-10k train, 100 epochs, scored on GOT-10k
# val. Search jitter 3 / 0.25 as OSTrack's 256 px recipe.
_base_ = [
    '../_base_/models/procontext_vit-b16.py', '../_base_/datasets/got10k_train.py',
    '../_base_/schedules/sot_100e.py', '../_base_/default_runtime.py'
]
# keep the best checkpoint by GOT-10k val AO (validated every 20 epochs)
default_hooks = dict(checkpoint=dict(interval=10, max_keep_ckpts=3, save_best='sot/AO',
                                     rule='greater'))
template_size = 128
search_size = 256
model = dict(
    backbone=dict(template_size=template_size, search_size=search_size),
    head=dict(search_size=search_size),
    template_memory=dict(static_factors=(2.0, 4.0), dynamic_factors=(2.0, 4.0),
                         template_size=template_size),
    test_cfg=dict(search_factor=4.0, search_size=search_size))
train_dataloader = dict(
    dataset=dict(
        split='train',
        pipeline=dict(
            crop=dict(template_size=template_size, search_factor=4.0, search_size=search_size,
                      search_center_jitter=3.0, search_scale_jitter=0.25))))
