"""Every config loads, builds its model, and its training crops agree with its model."""
import re
from pathlib import Path

import pytest
from mmengine.config import Config

from procontext_mm.registry import MODELS

CONFIGS = sorted(p for p in (Path(__file__).resolve().parents[2] / 'configs').rglob('*.py')
                 if '_base_' not in p.parts)
NAME = re.compile(r'^[a-z0-9.\-]+_[a-z0-9.\-]+_\d+xb\d+-\d+[ei]_[a-z0-9\-]+\.py$')


def _transform(pipeline, name):
    return next((t for t in pipeline if t['type'] == name), None)


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
    loader = cfg.get('train_dataloader')
    if not loader:
        return
    dataset = loader['dataset']
    pipelines = [d['pipeline'] for d in dataset.get('datasets', [dataset])]
    for pipeline in pipelines:
        crops = _transform(pipeline, 'SOTCropRegions')
        sampler = _transform(pipeline, 'TridentSampleFrames')
        assert tuple(crops['template_factors']) == memory.static_factors
        assert sampler['num_dynamic'] == (1 if memory.dynamic_factors else 0)
        assert crops['template_size'] == model.backbone.template_size == memory.template_size
        assert crops['search_size'] == model.backbone.search_size
        assert crops['search_factor'] == model.test_cfg['search_factor']
