# UAV123 (Mueller et al., ECCV 2016): 123 aerial sequences (frame ranges of 91 recordings),
# scored with OPE success (AUC), precision (20 px) and normalised precision over the frames that
# have a box: NaN rows (target out of view) are invisible and not scored, as in the got10k
# toolkit's ExperimentUAV123 and pytracking. version='UAV20L' reads the 20 long sequences.
# UAV123 has no validation split.
_base_ = ['./sot_video_test.py']
data_root = 'data/UAV123'

test_dataloader = dict(dataset=dict(type='UAV123Dataset', data_root=data_root, version='UAV123'))
test_evaluator = dict(type='SOTMetric', benchmark='lasot',
                      metric_options=dict(exclude_invisible=True))
val_dataloader = None
val_cfg = None
