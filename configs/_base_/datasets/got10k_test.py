# GOT-10k (Huang et al., TPAMI 2019): validate on `val` (scored with the GOT-10k protocol: AO,
# SR0.5, SR0.75), test on `test` (boxes after the first frame are hidden: the results and the
# archive for the evaluation server are written to `test_out_dir`).
_base_ = ['./sot_video_test.py']
data_root = 'data/GOT10k'
test_out_dir = 'work_dirs/results/got10k_test'

val_dataloader = dict(dataset=dict(type='GOT10kDataset', data_root=data_root, split='val'))
test_dataloader = dict(dataset=dict(type='GOT10kDataset', data_root=data_root, split='test'))
val_evaluator = dict(type='SOTMetric', benchmark='got10k')
test_evaluator = dict(type='SOTMetric', benchmark='got10k', format_only=True,
                      out_dir=test_out_dir)
