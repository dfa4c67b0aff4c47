# TNL2K (Wang et al., CVPR 2021): the 700 test videos (TNL2K_test_subset), scored with OPE
# success (AUC), precision (20 px) and normalised precision. Absent frames (box 0,0,0,0) are
# invisible but scored (IoU 0), as the TNL2K toolkit divides the successes by every frame.
# Each frame's metainfo carries the video's language description ('language'), for
# vision-language trackers (ProContEXT ignores it). TNL2K has no validation split.
_base_ = ['./sot_video_test.py']
data_root = 'data/TNL2K/TNL2K_test_subset'

test_dataloader = dict(
    dataset=dict(
        type='TNL2KDataset',
        data_root=data_root,
        pipeline=[
            dict(type='LoadSOTFrames', on_error='raise'),
            dict(type='PackSOTTestInputs', meta_keys=('video_name', 'language')),
        ]))
test_evaluator = dict(type='SOTMetric', benchmark='lasot')
val_dataloader = None
val_cfg = None
