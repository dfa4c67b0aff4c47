"""tools/analysis_tools/benchmark.py, benchmark_train_step.py and the authors' network builder
(procontext_apps/reference_impl.py): end to end on tiny configs (no timing assertions)."""
import os
import re
import runpy
from types import SimpleNamespace

import pytest
from _tool_utils import REPO
from mmengine.config import Config

from procontext_apps.reference_impl import REFERENCE_FILES, check_reference_repo
from procontext_mm.testing import tiny_tracker_cfg

benchmark = SimpleNamespace(
    **runpy.run_path(str(REPO / 'tools/analysis_tools/benchmark.py'), run_name='benchmark'))
benchmark_train_step = SimpleNamespace(**runpy.run_path(
    str(REPO / 'tools/analysis_tools/benchmark_train_step.py'), run_name='benchmark_train_step'))
TINY_MODEL = str(REPO / 'configs/_base_/models/procontext_vit-tiny.py')
TINY_TRAINING = str(REPO / 'configs/quickstart/procontext_vit-tiny_1xb8-1500i_builtin.py')


def table_rows(output: str) -> dict:
    """The benchmark table's rows: mode -> {column: cell}."""
    lines = output.splitlines()
    header_index = next(i for i, line in enumerate(lines) if line.startswith('mode '))
    columns = [c.strip() for c in lines[header_index].split('|')]
    rows = {}
    for line in lines[header_index + 2:]:
        if '|' not in line:
            break
        cells = [c.strip() for c in line.split('|')]
        rows[cells[0]] = dict(zip(columns, cells))
    return rows


def test_benchmark_prints_every_mode_and_fp32_agrees_with_itself(capsys):
    benchmark.main([TINY_MODEL, '--frames', '1', '--rounds', '2', '--warmup', '0',
                    '--height', '120', '--width', '160'])
    out = capsys.readouterr().out
    rows = table_rows(out)
    for mode in benchmark.DEFAULT_MODES:
        if mode.startswith('ort-') and mode not in rows:  # deployment / onnxruntime missing
            assert f'{mode} skipped' in out
        else:
            assert mode in rows
    for row in rows.values():
        assert float(row['frame ms']) > 0 and float(row['FPS']) > 0
        assert row['fwd x authors'] == '-'  # no --reference-repo
    assert rows['fp32']['same arg-max'] == '2/2'
    assert float(rows['fp32']['d score']) == 0
    # explicit attention maps compute the same function as the fused kernel
    assert all(float(rows['fp32-explicit'][f'd {key}']) < 1e-4
               for key in ('score', 'offset', 'size'))
    assert rows['fp32-explicit']['same arg-max'] == '2/2'
    assert 'keep 0.7 vs 1.0 (fp32 forward)' in out and 'fused vs explicit attention' in out
    assert re.search(r'precision "auto" -> (fp32|bf16)', out)


def test_benchmark_refuses_bad_arguments():
    with pytest.raises(SystemExit):
        benchmark.parse_args([TINY_MODEL, '--modes', 'fp16'])
    with pytest.raises(SystemExit):
        benchmark.parse_args([TINY_MODEL, '--rounds', '0'])


def test_reference_builder_refuses_a_folder_that_is_not_the_authors_repo(tmp_path):
    (tmp_path / 'lib/models/procontext').mkdir(parents=True)
    (tmp_path / REFERENCE_FILES[0]).write_text('')
    with pytest.raises(ValueError, match=r"is not a checkout of the authors' ProContEXT "
                       r'repository .* it lacks lib/models/procontext/vit_ce.py'):
        check_reference_repo(tmp_path)
    with pytest.raises(ValueError, match='no such folder'):
        check_reference_repo(tmp_path / 'missing')
    with pytest.raises(ValueError, match='is not a checkout'):  # the tool refuses it too
        benchmark.main([TINY_MODEL, '--reference-repo', str(tmp_path)])


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get('PROCONTEXT_REFERENCE_REPO'),
                    reason='set PROCONTEXT_REFERENCE_REPO to a checkout of jp-lan/ProContEXT')
def test_benchmark_against_the_authors_code(tmp_path, capsys):
    # the authors' code defines candidate elimination for 8 x 8 template grids (128 / 16)
    config = tmp_path / 'tiny_128.py'
    Config(dict(model=tiny_tracker_cfg(embed_dims=64, num_layers=2, num_heads=2,
                                       template_size=128, search_size=256, ce_layers=(1, ),
                                       head_channels=32))).dump(str(config))
    benchmark.main([str(config), '--reference-repo', os.environ['PROCONTEXT_REFERENCE_REPO'],
                    '--modes', 'fp32', '--frames', '1', '--rounds', '2', '--warmup', '0',
                    '--height', '240', '--width', '320'])
    rows = table_rows(capsys.readouterr().out)
    assert rows['authors']['fwd x authors'] == '1.00'
    # the same weights give the same maps in both implementations
    assert all(float(rows['authors'][f'd {key}']) < 1e-4
               for key in ('score', 'offset', 'size'))
    assert rows['authors']['same arg-max'] == '2/2'


def test_train_step_benchmark_runs_both_wrappers(capsys):
    benchmark_train_step.main([TINY_TRAINING, '--batch-size', '2', '--steps', '1', '--rounds',
                               '1'])
    out = capsys.readouterr().out
    rows = {line.split('|')[0].strip(): [c.strip() for c in line.split('|')]
            for line in out.splitlines() if line.startswith(('fp32 (', 'bf16 ('))}
    assert set(rows) == {'fp32 (OptimWrapper)', 'bf16 (BF16OptimWrapper)'}
    losses = [float(cells[-1]) for cells in rows.values()]
    assert all(loss > 0 for loss in losses)
    assert abs(losses[0] - losses[1]) < 0.1 * losses[0]  # same weights and batch, bf16 rounding


def test_synthetic_batch_is_what_the_model_trains_on():
    from procontext_mm.apis import init_model
    model = init_model(TINY_TRAINING).train()
    data = model.data_preprocessor(benchmark_train_step.synthetic_batch(model, 3), True)
    assert data['inputs']['template'].shape == (3, 4, 3, 32, 32)
    assert data['inputs']['search'].shape == (3, 1, 3, 128, 128)
    boxes = [s[-1].gt_instances.bboxes for s in data['data_samples']]
    assert all(((b >= 0) & (b <= 128)).all() and (b[:, 2:] > b[:, :2]).all() for b in boxes)
    losses = model(**data, mode='loss')  # the template crops pass the memory's check
    assert set(losses) == {'loss_heatmap', 'loss_iou', 'loss_bbox', 'mean_iou'}
