from unittest import mock

import numpy as np
import pytest
from _fakes import make_got10k, random_boxes, write_lasot_sequence
from mmengine.dataset import ConcatDataset

from procontext_mm.datasets import GOT10kDataset, LaSOTDataset
from procontext_mm.datasets import MixedVideoSampler
from procontext_mm.registry import DATA_SAMPLERS

PATCH_DIST = 'procontext_mm.datasets.samplers.mixed_video_sampler.get_dist_info'


@pytest.fixture
def concat(tmp_path):
    got_root = str(tmp_path / 'got10k')
    make_got10k(got_root, num_train=6, num_frames=3)
    lasot_root = str(tmp_path / 'lasot')
    for name in ('cat-1', 'cat-2'):
        write_lasot_sequence(lasot_root, name, random_boxes(3))
    return ConcatDataset([
        GOT10kDataset(data_root=got_root, split='train'),  # 6 videos: 0..5
        LaSOTDataset(data_root=lasot_root, split='all'),  # 2 videos: 6..7
        GOT10kDataset(data_root=got_root, split='val'),  # 2 videos: 8..9
    ])


def test_ratios_and_uniform_videos(concat):
    sampler = MixedVideoSampler(concat, ratios=[1, 2, 1], samples_per_epoch=20000, seed=3)
    indices = np.array(list(sampler))
    assert len(sampler) == len(indices) == 20000
    counts = np.bincount(indices, minlength=10)
    per_dataset = np.array([counts[:6].sum(), counts[6:8].sum(), counts[8:].sum()]) / 20000
    np.testing.assert_allclose(per_dataset, [0.25, 0.5, 0.25], atol=0.02)
    # videos uniform inside a dataset
    np.testing.assert_allclose(counts[:6] / counts[:6].sum(), 1 / 6, atol=0.02)
    np.testing.assert_allclose(counts[6:8] / counts[6:8].sum(), 1 / 2, atol=0.02)


def test_deterministic_per_seed_and_epoch(concat):
    a = MixedVideoSampler(concat, samples_per_epoch=100, seed=7)
    b = MixedVideoSampler(concat, samples_per_epoch=100, seed=7)
    assert list(a) == list(b)
    epoch0 = list(a)
    a.set_epoch(1)
    assert list(a) != epoch0
    b.set_epoch(1)
    assert list(a) == list(b)
    assert list(MixedVideoSampler(concat, samples_per_epoch=100, seed=8)) != epoch0
    zero = MixedVideoSampler(concat, ratios=[0, 1, 0], samples_per_epoch=50, seed=0)
    assert set(zero) <= {6, 7}


def test_ranks_get_disjoint_shares(concat):
    full = MixedVideoSampler(concat, samples_per_epoch=101, seed=5).epoch_indices(0)
    shards = []
    for rank in range(4):
        with mock.patch(PATCH_DIST, return_value=(rank, 4)):
            sampler = MixedVideoSampler(concat, samples_per_epoch=101, seed=5)
        assert len(sampler) == 26  # ceil(101 / 4)
        shards.append(list(sampler))
    assert len(full) == 101  # one rank: exactly samples_per_epoch
    interleaved = [shards[r][i] for i in range(26) for r in range(4)]
    with mock.patch(PATCH_DIST, return_value=(0, 4)):
        all_draws = MixedVideoSampler(concat, samples_per_epoch=101, seed=5).epoch_indices(0)
    assert interleaved == all_draws.tolist()  # every draw of the epoch goes to one rank


def test_built_from_config_and_single_dataset(concat):
    sampler = DATA_SAMPLERS.build(
        dict(type='MixedVideoSampler', samples_per_epoch=10, seed=0),
        default_args=dict(dataset=concat.datasets[1]))
    assert set(sampler) <= {0, 1} and len(sampler) == 10


def test_bad_arguments(concat):
    with pytest.raises(ValueError, match='3 datasets'):
        MixedVideoSampler(concat, ratios=[1, 1])
    with pytest.raises(ValueError, match='positive sum'):
        MixedVideoSampler(concat, ratios=[0, 0, 0])
    with pytest.raises(ValueError, match='samples_per_epoch'):
        MixedVideoSampler(concat, samples_per_epoch=0)
    empty = concat.datasets[2].get_subset(0)
    with pytest.raises(ValueError, match='no video'):
        MixedVideoSampler(ConcatDataset([concat.datasets[0], empty]), ratios=[1, 1])


def _keep_name(results):
    """Stand-in training pipeline (the data infos of GOT-10k and LaSOT differ in extras)."""
    return dict(video_name=results['video_name'])


def test_runner_builds_mixed_training_dataloader(tmp_path):
    """The config form: ConcatDataset + MixedVideoSampler + reseed_worker, 2 workers."""
    from mmengine.runner import Runner
    got_root = str(tmp_path / 'got10k')
    make_got10k(got_root, num_train=3, num_frames=3)
    lasot_root = str(tmp_path / 'lasot')
    write_lasot_sequence(lasot_root, 'cat-1', random_boxes(3))
    loader = Runner.build_dataloader(
        dict(
            batch_size=4,
            num_workers=2,
            persistent_workers=False,
            worker_init_fn=dict(
                type='procontext_mm.datasets.worker_init.reseed_worker'),
            sampler=dict(type='procontext_mm.MixedVideoSampler', ratios=[1, 1],
                         samples_per_epoch=8),
            dataset=dict(
                type='ConcatDataset',
                datasets=[
                    dict(type='procontext_mm.GOT10kDataset', data_root=got_root,
                         pipeline=[_keep_name]),
                    dict(type='procontext_mm.LaSOTDataset', data_root=lasot_root,
                         split='all', pipeline=[_keep_name]),
                ])),
        seed=1)
    assert isinstance(loader.sampler, MixedVideoSampler) and loader.sampler.seed == 1
    batches = list(loader)
    assert len(batches) == 2
    names = [name for batch in batches for name in batch['video_name']]
    assert len(names) == 8 and set(names) <= {
        'GOT-10k_Train_000001', 'GOT-10k_Train_000002', 'GOT-10k_Train_000003', 'cat-1'}
