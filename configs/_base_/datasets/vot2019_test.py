# VOT2019 short-term (60 sequences): the same supervised protocol and scores as vot2018_test.py, EAO
# over [46, 291] (SOTMetric picks the year's interval from the benchmark name).
_base_ = ['./vot2018_test.py']
data_root = 'data/VOT2019'
test_out_dir = 'work_dirs/results/vot2019'

test_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = test_dataloader
test_evaluator = dict(benchmark='vot2019', out_dir=test_out_dir)
val_evaluator = dict(benchmark='vot2019')
