# VOT2017 (60 sequences): the same supervised protocol and scores as vot2018_test.py, EAO over
# [100, 356] (SOTMetric picks the year's interval from the benchmark name).
_base_ = ['./vot2018_test.py']
data_root = 'data/VOT2017'
test_out_dir = 'work_dirs/results/vot2017'

test_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = test_dataloader
test_evaluator = dict(benchmark='vot2017', out_dir=test_out_dir)
val_evaluator = dict(benchmark='vot2017')
