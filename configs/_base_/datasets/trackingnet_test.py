# TrackingNet (Muller et al., ECCV 2018): the 511 test videos (only the first box is public).
# The results and the archive for the evaluation server are written to `test_out_dir`.
# TrackingNet has no validation split (validate on GOT-10k val instead).
_base_ = ['./sot_video_test.py']
data_root = 'data/TrackingNet'
test_out_dir = 'work_dirs/results/trackingnet_test'

test_dataloader = dict(
    dataset=dict(type='TrackingNetDataset', data_root=data_root, split='test'))
test_evaluator = dict(type='SOTMetric', benchmark='trackingnet', format_only=True,
                      out_dir=test_out_dir)
val_dataloader = None
val_cfg = None
