"""procontext_apps.param_search without running trials: the space syntax, the grid and the
random draw, the ranking, the test-split rule, the ranking metric, key checks and the best
config file."""
import itertools
import math

import pytest
from mmengine.config import Config

from procontext_apps import param_search as ps
from procontext_mm.testing import tiny_tracker_cfg


# ------------------------------------------------------------------ the space
def test_space_values_are_python_literals_and_bare_words_are_strings():
    space = ps.parse_space([
        'model.test_cfg.search_factor=4.5,5.0,5',
        'model.test_cfg.window=hann,None',
        'model.template_memory.static_factors=[2.0,4.0],(2.0, 3.0, 4.0)',
        "name='a,b',c",
        'flag=True',
    ])
    assert list(space) == ['model.test_cfg.search_factor', 'model.test_cfg.window',
                           'model.template_memory.static_factors', 'name', 'flag']
    factors = space['model.test_cfg.search_factor']
    assert factors == [4.5, 5.0, 5] and [type(v) for v in factors] == [float, float, int]
    assert space['model.test_cfg.window'] == ['hann', None]
    assert space['model.template_memory.static_factors'] == [[2.0, 4.0], (2.0, 3.0, 4.0)]
    assert space['name'] == ['a,b', 'c']  # commas inside quotes do not split
    assert space['flag'] == [True]


@pytest.mark.parametrize('items,message', [
    ([], 'give the search space'),
    (['model.test_cfg.search_factor'], 'no "="'),
    (['model.0.x=1'], 'not a dotted config key'),
    (['a=1', 'a=2'], "key 'a' is given twice"),
    (['a=1,,2'], 'an empty value'),
    (['a=1,'], 'an empty value'),
    (['a=none'], "'none' is ambiguous"),
    (['a=True,false'], "'false' is ambiguous"),
    (['a=[1,2'], 'unbalanced'),
    (['a=1,1.0,1'], 'value(s) 1 given more than once'),
    (['a=4.5x'], "cannot read '4.5x'"),
])
def test_bad_space_items_are_refused_with_the_item_named(items, message):
    with pytest.raises(ps.SearchSpaceError) as error:
        ps.parse_space(items)
    assert message in str(error.value)


def test_grid_has_every_combination_once_with_the_first_key_slowest():
    space = {'a': [1, 2], 'b': ['x', 'y', 'z'], 'c': [None]}
    points = ps.grid_points(space)
    assert len(points) == 2 * 3 * 1
    assert [p.as_dict() for p in points] == [
        {'a': a, 'b': b, 'c': None} for a in (1, 2) for b in ('x', 'y', 'z')]
    assert len({p.trial_id for p in points}) == len(points)


def test_a_point_keeps_its_name_and_folder_when_the_keys_are_listed_in_another_order():
    one = ps.SearchPoint((('b', 2), ('a', 'hann')))
    other = ps.SearchPoint((('a', 'hann'), ('b', 2)))
    assert one.name == other.name == "a='hann' b=2"
    assert one.trial_id == other.trial_id


def test_random_points_are_distinct_grid_points_in_grid_order_and_repeat_with_the_seed():
    space = {'a': list(range(5)), 'b': list(range(4))}
    grid = ps.grid_points(space)
    drawn = ps.random_points(space, 6, seed=3)
    assert len(drawn) == 6 and len(set(drawn)) == 6
    indices = [grid.index(p) for p in drawn]
    assert indices == sorted(indices)
    assert ps.random_points(space, 6, seed=3) == drawn
    seeds = {tuple(ps.random_points(space, 6, seed=s)) for s in range(10)}
    assert len(seeds) > 1  # the seed matters
    assert ps.random_points(space, 100, seed=0) == grid  # more than the grid: all of it


# ------------------------------------------------------------------ ranking
def _trial(ao, **settings):
    return dict(point=ps.SearchPoint(tuple(settings.items())), settings=settings,
                metrics={} if ao is None else {'sot/AO': ao, 'sot/SR0.5': 100 - ao})


def test_trials_are_ranked_by_the_metric_higher_first_ties_in_planned_order():
    trials = [_trial(50.0, f=1), _trial(70.0, f=2), _trial(None, f=3), _trial(math.nan, f=4),
              _trial(70.0, f=5), _trial(10.0, f=6)]
    ranked = ps.rank_trials(trials, 'sot/AO')
    assert [t['settings']['f'] for t in ranked] == [2, 5, 1, 6, 3, 4]
    assert [t['rank'] for t in ranked] == [1, 2, 3, 4, 5, 6]
    by_sr = ps.rank_trials(trials[:2], 'sot/SR0.5')  # another metric, another order
    assert [t['settings']['f'] for t in by_sr] == [1, 2]
    lowest_first = ps.rank_trials(trials, 'sot/AO', 'less')  # e.g. VOT's failure counts
    assert [t['settings']['f'] for t in lowest_first] == [6, 1, 2, 5, 3, 4]


def test_ranking_table_lists_rank_short_setting_names_and_the_ranking_metric_first():
    trials = [_trial(40.0, **{'model.test_cfg.window': 'hann', 'a.search_factor': '4.0'}),
              _trial(60.0, **{'model.test_cfg.window': 'None', 'a.search_factor': '5.0'})]
    text = ps.format_ranking(ps.rank_trials(trials, 'sot/SR0.5'),
                             ['model.test_cfg.window', 'a.search_factor'], 'sot/SR0.5')
    header, _, first, second = text.splitlines()
    assert header.split(' | ')[:4] == ['rank', 'window', 'search_factor', 'sot/SR0.5']
    assert first.split('|')[1].strip() == 'hann' and first.split('|')[3].strip() == '60.00'
    assert second.split('|')[0].strip() == '2'


def test_short_labels_are_the_shortest_unique_suffixes():
    keys = ['model.test_cfg.window', 'model.a.update_interval', 'model.b.update_interval']
    assert ps.short_labels(keys) == {'model.test_cfg.window': 'window',
                                     'model.a.update_interval': 'a.update_interval',
                                     'model.b.update_interval': 'b.update_interval'}


# ------------------------------------------------------------------ the test-split rule
@pytest.mark.parametrize('dataset,refused_as', [
    (dict(type='GOT10kDataset', split='test'), 'GOT-10k test'),
    (dict(type='procontext_mm.GOT10kDataset', split='test'), 'GOT-10k test'),
    (dict(type='LaSOTDataset', split='test'), 'LaSOT test'),
    (dict(type='LaSOTDataset', split='all'), 'LaSOT all'),
    (dict(type='TrackingNetDataset', split='test'), 'TrackingNet test'),
    (dict(type='LaSOTDataset', split='extension'), 'LaSOT extension'),
    (dict(type='FolderSOTDataset'), 'an OTB-100-style folder of test sequences'),
    (dict(type='UAV123Dataset', version='UAV20L'), 'UAV123 / UAV20L'),
    (dict(type='NFSDataset', fps=240), 'NfS'),
    (dict(type='TNL2KDataset'), 'TNL2K'),
    (dict(type='VOTDataset'), 'VOT challenge sequences'),
    (dict(type='ConcatSOTDataset',
          datasets=[dict(type='GOT10kDataset', split='val'),
                    dict(type='LaSOTDataset', split='test')]), 'LaSOT test'),
])
def test_test_splits_are_refused_naming_dataset_split_and_the_way_out(dataset, refused_as):
    refusal = ps.test_split_refusal(dict(dataset, data_root='/d'), 'val_dataloader', 'cfg.py')
    assert refusal.startswith('cfg.py: val_dataloader is ' + refused_as)
    assert 'GOT-10k val' in refusal  # where to search instead
    assert refusal.endswith('pass --allow-test-split.')
    assert refusal.count('--allow-test-split') == 1


@pytest.mark.parametrize('dataset', [
    dict(type='GOT10kDataset', split='val'),
    dict(type='GOT10kDataset', split='vot-val', split_file='v.txt'),
    dict(type='GOT10kDataset'),  # the class default, train
    dict(type='LaSOTDataset', split='train'),
    dict(type='TrackingNetDataset', split='train'),
    dict(type='MyOwnValidationDataset'),
    dict(type='ConcatSOTDataset', datasets=[dict(type='GOT10kDataset', split='val')]),
])
def test_validation_and_training_splits_are_not_refused(dataset):
    assert ps.test_split_refusal(dataset, 'val_dataloader', 'cfg.py') is None


def test_the_got10k_hint_names_the_loader_to_change():
    refusal = ps.test_split_refusal(dict(type='GOT10kDataset', split='test'), 'test_dataloader',
                                    'cfg.py')
    assert '--cfg-options test_dataloader.dataset.split=val' in refusal


# ------------------------------------------------------------------ the ranking metric
@pytest.mark.parametrize('evaluator,metric,rule,expected', [
    (dict(type='SOTMetric', benchmark='got10k'), None, None, ('sot/AO', 'greater')),
    (dict(type='SOTMetric'), None, None, ('sot/AO', 'greater')),
    (dict(type='SOTMetric', benchmark='lasot'), None, None, ('sot/success', 'greater')),
    (dict(type='SOTMetric', benchmark='otb'), None, None, ('sot/success', 'greater')),
    ([dict(type='SOTMetric', benchmark='trackingnet', prefix='tn')], None, None,
     ('tn/success', 'greater')),
    (dict(type='SOTMetric', benchmark='vot2018'), None, None, ('sot/EAO', 'greater')),
    (dict(type='SOTMetric', benchmark='vot2022'), None, None, ('sot/EAO', 'greater')),
    (dict(type='SOTMetric', benchmark='got10k'), 'SR0.5', None, ('sot/SR0.5', 'greater')),
    (dict(type='SOTMetric', benchmark='got10k'), 'sot/SR0.75', None, ('sot/SR0.75', 'greater')),
    (dict(type='SOTMetric', benchmark='lasot'), 'norm_precision', None,
     ('sot/norm_precision', 'greater')),
    # VOT2016-2019 count failures (fewer is better); VOT2022's robustness is a tracked fraction
    (dict(type='SOTMetric', benchmark='vot2016'), 'robustness', None, ('sot/robustness', 'less')),
    (dict(type='SOTMetric', benchmark='vot2019'), 'num_failures', None,
     ('sot/num_failures', 'less')),
    (dict(type='SOTMetric', benchmark='vot2022'), 'robustness', None,
     ('sot/robustness', 'greater')),
    (dict(type='MyMetric'), 'my/score', None, ('my/score', 'greater')),
    (dict(type='MyMetric'), 'my/error', 'less', ('my/error', 'less')),
])
def test_ranking_metric_defaults_per_benchmark_and_can_be_chosen(evaluator, metric, rule,
                                                                 expected):
    assert ps.ranking_metric(evaluator, metric, 'val_evaluator', rule) == expected


@pytest.mark.parametrize('evaluator,metric,message', [
    (dict(type='SOTMetric', benchmark='got10k'), 'success', 'reports sot/AO, sot/SR0.5'),
    (dict(type='SOTMetric', benchmark='lasot'), 'AO', 'reports sot/success'),
    (dict(type='SOTMetric', benchmark='vot2022'), 'failure_rate', 'reports sot/EAO'),
    (dict(type='SOTMetric', format_only=True, out_dir='x'), None, 'format_only=True'),
    (dict(type='MyMetric'), None, 'has no SOTMetric'),
])
def test_bad_ranking_metrics_are_refused(evaluator, metric, message):
    with pytest.raises(ValueError, match=message):
        ps.ranking_metric(evaluator, metric, 'val_evaluator')


# ------------------------------------------------------------------ keys and the best config
def _tiny_config():
    return Config(dict(model=tiny_tracker_cfg(), val_dataloader=dict(dataset=dict(split='val'))))


def test_keys_of_the_config_pass_without_building_the_model():
    def build_model():
        raise AssertionError('the model is not needed for keys the config holds')

    ps.check_space_keys(_tiny_config(), ['model.test_cfg.search_factor',
                                         'model.template_memory.update_interval',
                                         'val_dataloader.dataset.split'], 'cfg.py', build_model)


def test_keys_the_model_defaults_pass_and_misspelt_keys_are_named_with_what_exists():
    from procontext_mm.registry import MODELS
    cfg = _tiny_config()
    builds = []

    def build_model():
        builds.append(1)
        return MODELS.build(cfg.model)

    # not in the config, but defaults of ProContEXT's test_cfg: known
    ps.check_space_keys(cfg, ['model.test_cfg.window', 'model.test_cfg.window_influence'],
                        'cfg.py', build_model)
    assert len(builds) == 1  # built once for both
    with pytest.raises(ps.SearchSpaceError) as error:
        ps.check_space_keys(cfg, ['model.test_cfg.serach_factor'], 'cfg.py', build_model)
    assert ("'model.test_cfg.serach_factor' is not a setting of cfg.py: model.test_cfg has no "
            "'serach_factor' (it has: clip_margin, precision, search_factor, search_size, "
            'window, window_influence)') in str(error.value)
    with pytest.raises(ps.SearchSpaceError, match="model.template_memory has no "
                       "'update_threshold' .*score_threshold"):
        ps.check_space_keys(cfg, ['model.template_memory.update_threshold'], 'cfg.py',
                            build_model)
    with pytest.raises(ps.SearchSpaceError, match=r'model.test_cfg.search_factor in cfg.py is a '
                       r'value \(4.0\), not a dict'):
        ps.check_space_keys(cfg, ['model.test_cfg.search_factor.x'], 'cfg.py', build_model)
    with pytest.raises(ps.SearchSpaceError, match="val_dataloader.dataset has no 'data_root'"):
        ps.check_space_keys(cfg, ['val_dataloader.dataset.data_root'], 'cfg.py', build_model)


def test_best_config_bases_the_searched_config_and_sets_only_the_searched_keys(tmp_path):
    base = tmp_path / 'base.py'
    base.write_text(f'model = {tiny_tracker_cfg()!r}\nwork_dir = "w"\n')
    point = ps.SearchPoint((('model.test_cfg.search_factor', 4.5),
                            ('model.test_cfg.window', None),
                            ('model.template_memory.static_factors', [2.0, 3.0]),
                            ('model.template_memory.update_interval', 25)))
    best = tmp_path / 'sub' / 'best.py'
    best.parent.mkdir()
    best.write_text(ps.best_config_text(str(base), point, ['a header line ' * 10]))
    text = best.read_text()
    assert text.startswith('# a header line')
    assert all(len(line) <= 100 for line in text.splitlines() if not line.startswith('_base_'))
    cfg, original = Config.fromfile(str(best)), Config.fromfile(str(base))
    for key, value in point.settings:
        node = cfg
        for part in key.split('.'):
            node = node[part]
        assert node == value, key
    # everything else is the base config's
    for key in ('search_size',):
        assert cfg.model.test_cfg[key] == original.model.test_cfg[key]
    assert cfg.model.backbone == original.model.backbone and cfg.work_dir == 'w'
    assert cfg.model.template_memory.dynamic_factors == (2.0, 4.0)
    assert text.count('\nmodel = ') == 1  # one nested override, no whole-config dump


def test_the_configs_own_point_comes_from_the_config_or_the_model_defaults():
    from procontext_mm.registry import MODELS
    cfg = _tiny_config()
    keys = ['model.test_cfg.search_factor', 'model.test_cfg.window']
    assert ps.config_point(cfg, keys) is None  # window is a default of the model
    own = ps.config_point(cfg, keys, MODELS.build(cfg.model))
    assert own.as_dict() == {'model.test_cfg.search_factor': 4.0, 'model.test_cfg.window': 'hann'}


def test_every_grid_point_gets_its_own_trial_folder():
    space = ps.parse_space(['a=1,2,3', 'b=[1,2],(1,2),None'])
    ids = [p.trial_id for p in ps.grid_points(space)]
    assert len(set(ids)) == len(ids) == len(list(itertools.product(range(3), range(3))))
