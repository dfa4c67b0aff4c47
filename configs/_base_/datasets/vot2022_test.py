# VOT2022 short-term bounding-box challenge (VOT-STb2022, stack vot2022/shorttermbox), the
# `baseline` experiment: 62 sequences in the layout `vot initialize vot2022/shorttermbox`
# downloads (list.txt, <seq>/color/%08d.jpg, groundtruth.txt of rectangles x,y,w,h, sequence,
# anchor.value). The test loop runs the anchor-based (multi-start) protocol because the metric
# asks for it: from every anchor frame of anchor.value the tracker is initialised and tracks to
# the last frame (forward anchors) or back to frame 0 (backward anchors). Scored with EAO over
# [115, 755], accuracy and robustness, equal to vot-toolkit 0.7's multistart analyses
# (docs/vot.md). The raw records are written to `test_out_dir` in the toolkit's layout
# (<seq>/<seq>_<anchor:08d>.txt). VOT2020 short-term is not supported: its ground truth is
# segmentation masks.
_base_ = ['./sot_video_test.py']
data_root = 'data/VOT2022STb'
test_out_dir = 'work_dirs/results/vot2022'

test_dataloader = dict(dataset=dict(type='VOTDataset', data_root=data_root))
val_dataloader = test_dataloader
test_evaluator = dict(type='SOTMetric', benchmark='vot2022', out_dir=test_out_dir)
val_evaluator = dict(type='SOTMetric', benchmark='vot2022')
