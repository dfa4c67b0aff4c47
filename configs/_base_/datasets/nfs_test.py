# Need for Speed, NfS (Kiani Galoogahi et al., ICCV 2017): the 100 videos at 30 fps (the frames
# of <seq>/30/<seq>/, the boxes of every 8th line of the 240 fps annotation), scored with OPE
# success (AUC) and precision (20 px) over every frame, as the got10k toolkit's ExperimentNfS
# (OTB protocol). fps=240 reads the 240 fps version. NfS has no validation split.
_base_ = ['./sot_video_test.py']
data_root = 'data/NFS'

test_dataloader = dict(dataset=dict(type='NFSDataset', data_root=data_root, fps=30))
test_evaluator = dict(type='SOTMetric', benchmark='otb')
val_dataloader = None
val_cfg = None
