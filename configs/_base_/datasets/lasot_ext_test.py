# LaSOT extension, "LaSOT-ext" (Fan et al., IJCV 2021): the 150 sequences of its 15 new classes
# (10 each, the per-sequence layout of LaSOT), scored like LaSOT with OPE success (AUC),
# precision (20 px) and normalised precision. data_root holds the 15 class folders (or is a
# LaSOT root they were unpacked into). It has no validation split.
_base_ = ['./sot_video_test.py']
data_root = 'data/LaSOT_extension_subset'

test_dataloader = dict(
    dataset=dict(type='LaSOTDataset', data_root=data_root, split='extension'))
test_evaluator = dict(type='SOTMetric', benchmark='lasot')
val_dataloader = None
val_cfg = None
