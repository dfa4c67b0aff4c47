"""Every config loads, builds its model, and its training crops agree with its model; variants
override named pipeline steps instead of restating lists."""
import ast
import re
from pathlib import Path

import pytest
from mmengine.config import Config

from procontext_apps.paper_tables import CROP_STEP, SAMPLE_FRAMES_STEP, train_step
from procontext_mm.registry import MODELS

CONFIG_ROOT = Path(__file__).resolve().parents[2] / 'configs'
CONFIGS = sorted(p for p in CONFIG_ROOT.rglob('*.py') if '_base_' not in p.parts)
# {algo}_{backbone}_{gpus}x{batch}-{schedule}_{train data}[_test-{test data}] (mmtracking's names)
NAME = re.compile(r'^[a-z0-9.\-]+_[a-z0-9.\-]+_\d+xb\d+-\d+[ei]_[a-z0-9\-]+'
                  r'(_test-[a-z0-9\-]+)?\.py$')
#: ``<training config>_test-<benchmark>.py``: the model of the training config on a benchmark.
TEST_SUFFIX = re.compile(r'_test-[a-z0-9\-]+\.py$')
TEST_CONFIGS = [p for p in CONFIGS if TEST_SUFFIX.search(p.name)]


def _restated_lists(path):
    """Where a config file writes a pipeline or a dataset list as a list literal."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List):
            found += [
                f'line {node.lineno}: {t.id} = [...]' for t in node.targets
                if isinstance(t, ast.Name) and t.id.endswith('pipeline')
            ]
        elif (isinstance(node, ast.keyword) and node.arg in ('pipeline', 'datasets')
              and isinstance(node.value, ast.List)):
            found.append(f'line {node.value.lineno}: {node.arg}=[...]')
    return found


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.name)
def test_config_builds_and_its_crops_match_the_model(path):
    cfg = Config.fromfile(str(path))
    if cfg.model.type == 'StaticBoxTracker':
        assert MODELS.build(cfg.model) is not None
        return
    assert NAME.match(path.name), f'{path.name} does not follow algo_backbone_NxB-schedule_data.py'
    model_cfg = cfg.model.copy()
    model_cfg.backbone.pop('init_cfg', None)
    model = MODELS.build(model_cfg)
    memory = model.template_memory
    if not cfg.get('train_dataloader'):
        return
    # a ConcatSOTDataset's datasets all train with its one pipeline
    for child in cfg.train_dataloader.dataset.get('datasets', []):
        assert child.get('pipeline') is None, f'{child.type} has a pipeline of its own'
    crops, sampler = train_step(cfg, CROP_STEP), train_step(cfg, SAMPLE_FRAMES_STEP)
    assert crops['type'] == 'SOTCropRegions' and sampler['type'] == 'TridentSampleFrames'
    assert tuple(crops['template_factors']) == memory.static_factors
    assert sampler['num_dynamic'] == (1 if memory.dynamic_factors else 0)
    assert crops['template_size'] == model.backbone.template_size == memory.template_size
    assert crops['search_size'] == model.backbone.search_size
    assert crops['search_factor'] == model.test_cfg['search_factor']
    assert train_step(cfg, 'check')['stride'] == model.backbone.patch_size


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.name)
def test_config_overrides_named_steps_instead_of_restating_lists(path):
    assert _restated_lists(path) == [], f'{path.name} restates a list: override the named step'


def test_restated_lists_are_found(tmp_path):
    config = tmp_path / 'variant.py'
    config.write_text("train_pipeline = [dict(type='LoadSOTFrames')]\n"
                      "train_dataloader = dict(dataset=dict(\n"
                      "    pipeline=[dict(type='PackSOTInputs')], datasets=[]))\n"
                      "val_dataloader = dict(dataset=dict(pipeline=dict(load=None)))\n")
    assert _restated_lists(config) == [
        'line 1: train_pipeline = [...]', 'line 3: pipeline=[...]', 'line 3: datasets=[...]'
    ]


def test_there_are_benchmark_test_configs():
    assert {TEST_SUFFIX.search(p.name).group() for p in TEST_CONFIGS} >= {
        '_test-uav123.py', '_test-nfs.py', '_test-tnl2k.py', '_test-lasot-ext.py'}


@pytest.mark.parametrize('path', TEST_CONFIGS, ids=lambda p: p.name)
def test_benchmark_test_config_tests_the_model_of_its_training_config(path):
    training = path.with_name(TEST_SUFFIX.sub('.py', path.name))
    assert training.is_file(), f'{path.name}: no training config {training.name}'
    cfg, training_cfg = Config.fromfile(str(path)), Config.fromfile(str(training))
    assert cfg.model.to_dict() == training_cfg.model.to_dict()
    assert cfg.test_cfg == training_cfg.test_cfg
    assert cfg.test_dataloader.dataset.test_mode and not cfg.get('train_dataloader')
