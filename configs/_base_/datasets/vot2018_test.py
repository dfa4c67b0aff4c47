# VOT2018 short-term (Kristan et al., ECCV 2018 workshops), the `baseline` experiment: 60
# sequences in the layout `vot initialize vot2018/shortterm` downloads (list.txt,
# <seq>/color/%08d.jpg, groundtruth.txt of rotated boxes, sequence). The test loop runs the
# supervised protocol because the metric asks for it: re-initialised 5 frames after each failure
# (zero overlap); scored with EAO over [100, 356], accuracy (burn-in 10) and robustness, equal
# to vot-toolkit 0.7's analysis (docs/vot.md). The raw records are written to `test_out_dir`
# in the toolkit's layout (<seq>/<seq>_001.txt). VOT has no validation split: val_evaluator
# is the same metric (validating a training run on VOT2018 works, see docs/vot.md).
_base_ = ['./sot_video_test.py']
data_root = 'data/VOT2018'
test_out_dir = 'work_dirs/results/vot2018'

test_dataloader = dict(dataset=dict(type='VOTDataset', data_root=data_root))
val_dataloader = test_dataloader
test_evaluator = dict(type='SOTMetric', benchmark='vot2018', out_dir=test_out_dir)
val_evaluator = dict(type='SOTMetric', benchmark='vot2018')
