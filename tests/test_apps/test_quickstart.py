"""The quickstart job end to end on a tiny benchmark (a few training iterations)."""
import sys
from pathlib import Path

import cv2
import pytest
import torch

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def quickstart_module():
    sys.path.insert(0, str(REPO / 'tools'))
    import quickstart
    yield quickstart
    sys.path.remove(str(REPO / 'tools'))


def test_quickstart_runs_end_to_end_and_resumes(tmp_path, quickstart_module, monkeypatch, capsys):
    from procontext_apps import quickstart as library
    from procontext_apps.builtin_benchmark import BenchmarkSpec
    tiny = BenchmarkSpec(seed=2, num_train_videos=3, num_val_videos=2, train_frames=(30, 30),
                         val_frames=(20, 20))
    original = library.run_quickstart
    out = tmp_path / 'qs'
    threads_before = torch.get_num_threads()
    seen_threads = []

    def spy(*args, **kwargs):
        seen_threads.append(torch.get_num_threads())
        return original(*args, **{**kwargs, 'spec': tiny})

    monkeypatch.setattr(quickstart_module, 'run_quickstart', spy)
    result = quickstart_module.main(['--out-dir', str(out), '--iters', '3'])
    # the job runs with one intra-op thread (its numbers depend on it); the caller's is restored
    assert seen_threads == [2] and torch.get_num_threads() == threads_before
    assert set(result['metrics']) == {'ProContEXT-tiny', 'OSTrack-tiny',
                                      'ProContEXT-tiny, no refresh', 'static box'}
    for metrics in result['metrics'].values():
        assert 0 <= metrics['sot/AO'] <= 100
        assert 0 <= metrics['drift/AO_half1'] <= 100 and metrics['drift/area_ratio'] > 0
    assert (out / 'success_plot.png').stat().st_size > 10_000
    video = cv2.VideoCapture(str(out / 'demo.mp4'))
    assert int(video.get(cv2.CAP_PROP_FRAME_COUNT)) == 20
    summary = (out / 'summary.txt').read_text()
    assert 'static box baseline' in summary and 'Multi-scale static + dynamic templates' in summary
    assert 'Refreshing the dynamic templates vs never refreshing them' in summary
    assert 'median predicted / true area' in summary and 'Ran on: ' in summary
    static_row = next(line for line in summary.splitlines() if line.startswith('static box'))
    assert static_row.split('|')[-1].strip() == '-'  # no FPS for a tracker that does no work
    # a second run finds every step done and reports the same numbers without recomputing
    monkeypatch.setattr(library, 'train_tracker', lambda *a, **k: pytest.fail('retrained'))
    monkeypatch.setattr(library, 'test_tracker', lambda *a, **k: pytest.fail('retested'))
    again = quickstart_module.main(['--out-dir', str(out), '--iters', '3'])
    assert again['metrics'] == result['metrics']
