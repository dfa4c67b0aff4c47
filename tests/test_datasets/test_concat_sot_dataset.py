"""ConcatSOTDataset: one pipeline for the datasets that have none, a dataset's own kept."""
from _fakes import make_got10k
from mmengine.dataset import ConcatDataset

from procontext_mm.datasets import ConcatSOTDataset, GOT10kDataset, MixedVideoSampler
from procontext_mm.registry import DATASETS, build_in_scope


def _sampler(num_dynamic):
    return dict(type='TridentSampleFrames', num_dynamic=num_dynamic, min_num_frames=1)


def _got10k(root, split, **kwargs):
    return dict(type='GOT10kDataset', data_root=root, split=split, use_cache=False, **kwargs)


def test_datasets_without_a_pipeline_get_the_shared_one_and_others_keep_theirs(tmp_path):
    root = str(tmp_path)
    make_got10k(root, num_train=3, num_frames=12)  # long enough for 2 dynamic templates
    shared = dict(order=['sample_frames', 'pack'], sample_frames=_sampler(num_dynamic=2),
                  pack=None)
    concat = build_in_scope(
        DATASETS,
        dict(type='ConcatSOTDataset',
             pipeline=shared,
             datasets=[
                 _got10k(root, 'train'),
                 _got10k(root, 'val', pipeline=[_sampler(num_dynamic=1)]),
                 _got10k(root, 'train', pipeline=None),
             ]))
    assert isinstance(concat, ConcatSOTDataset) and isinstance(concat, ConcatDataset)
    first, own, last = concat.datasets
    for dataset, num_dynamic in ((first, 2), (own, 1), (last, 2)):
        (sampler, ) = dataset.pipeline.transforms  # the shared `pack=None` step is left out
        assert sampler.num_dynamic == num_dynamic
    assert first.pipeline.transforms[0] is not last.pipeline.transforms[0]  # one per dataset

    # a drawn index runs the pipeline of the dataset it falls in
    assert len(concat[1]['frame_id']) == 2 + 2  # static + 2 dynamic + search
    assert len(concat[3]['frame_id']) == 2 + 1  # a val video: its own pipeline


def test_built_datasets_keep_their_pipeline_and_the_sampler_sees_every_dataset(tmp_path):
    root = str(tmp_path)
    make_got10k(root, num_train=3)
    built = GOT10kDataset(data_root=root, split='val', use_cache=False)
    concat = ConcatSOTDataset(datasets=[_got10k(root, 'train'), built],
                              pipeline=dict(order=['sample_frames'],
                                            sample_frames=_sampler(num_dynamic=0)))
    assert concat.datasets[1] is built and built.pipeline.transforms == []
    assert concat.datasets[0].pipeline.transforms[0].num_dynamic == 0
    sampler = MixedVideoSampler(concat, ratios=[1, 1], samples_per_epoch=10, seed=0)
    assert sampler.sizes.tolist() == [3, 2]
