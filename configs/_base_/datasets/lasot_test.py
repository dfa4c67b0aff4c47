# LaSOT (Fan et al., CVPR 2019), protocol II: the 280 sequences of testing_set.txt, scored with
# OPE success (AUC), precision (20 px) and normalised precision. LaSOT has no validation split;
# validating during training on the test set (690k frames) is slow: prefer GOT-10k val.
_base_ = ['./sot_video_test.py']
data_root = 'data/LaSOT/LaSOTBenchmark'

test_dataloader = dict(dataset=dict(type='LaSOTDataset', data_root=data_root, split='test'))
val_dataloader = test_dataloader
test_evaluator = dict(type='SOTMetric', benchmark='lasot')
val_evaluator = test_evaluator
