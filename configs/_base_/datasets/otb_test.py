# OTB-100 (Wu et al., TPAMI 2015) or any folder of sequences in its layout
# (<seq>/img/0001.jpg ..., <seq>/groundtruth_rect.txt), scored with OPE success (AUC) and
# precision (20 px). FolderSOTDataset takes every frame on disk and one box per frame: the OTB
# sequences whose boxes start later than their first frame (e.g. David) or that have two
# targets (Jogging, Skating2: groundtruth_rect.1/2.txt) need their usual per-sequence set-up.
_base_ = ['./sot_video_test.py']
data_root = 'data/OTB100'

test_dataloader = dict(
    dataset=dict(type='FolderSOTDataset', data_root=data_root, img_dir='img',
                 ann_name='groundtruth_rect.txt'))
val_dataloader = test_dataloader
test_evaluator = dict(type='SOTMetric', benchmark='otb')
val_evaluator = test_evaluator
