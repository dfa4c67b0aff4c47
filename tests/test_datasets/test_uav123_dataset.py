import json
import os
import os.path as osp
from pathlib import Path

import numpy as np
import pytest
from _fakes import random_boxes, write_uav123_frames, write_uav123_sequence
from mmengine.config import Config
from mmengine.registry import init_default_scope

from procontext_mm.datasets import AnnotationError, UAV123Dataset
from procontext_mm.datasets.uav123_sequences import (UAV20L_SEQUENCES, UAV123_ATTRIBUTE_NAMES,
                                                     UAV123_SEQUENCES)
from procontext_mm.registry import DATASETS

CONFIG = Path(__file__).resolve().parents[2] / 'configs' / '_base_' / 'datasets' / 'uav123_test.py'


def _boxes(num, seed, nan_rows=()):
    boxes = random_boxes(num, seed=seed).astype(np.float64)
    boxes[list(nan_rows)] = np.nan
    return boxes


def _write_sequence(root, name, version='UAV123', nan_rows=(), attributes=None):
    """The annotation of ``name`` with the length of its official range, and the range's first
    and last frames (the dataset only checks the last one)."""
    folder, first, last = UAV123Dataset.VERSIONS[version][name]
    boxes = _boxes(last - first + 1, seed=first, nan_rows=nan_rows)
    write_uav123_sequence(root, name, boxes, version, attributes)
    write_uav123_frames(root, folder, [first, last])
    return boxes


@pytest.fixture
def uav_root(tmp_path):
    root = str(tmp_path / 'UAV123')
    # two sub-sequences of the recording bird1 (frames 1..253 and 775..1477) and a whole one
    _write_sequence(root, 'bird1_1', nan_rows=[5, 6, 7], attributes=[1] * 6 + [0] * 6)
    _write_sequence(root, 'bird1_2')
    _write_sequence(root, 'car1_s', attributes=[0, 1] * 6)
    return root


SEQUENCES = ['bird1_1', 'bird1_2', 'car1_s']


def test_sub_sequences_are_frame_ranges_of_their_recording(uav_root, sot_log):
    dataset = UAV123Dataset(data_root=uav_root, sequences=SEQUENCES, test_mode=True)
    assert [dataset.get_data_info(i)['video_name'] for i in range(3)] == SEQUENCES
    frames = osp.join(uav_root, 'data_seq', 'UAV123', 'bird1')
    assert dataset.get_len_per_video(1) == 1477 - 775 + 1
    assert dataset.get_frame_path(1, 0) == osp.join(frames, '000775.jpg')
    assert dataset.get_frame_path(1, 702) == osp.join(frames, '001477.jpg')
    assert dataset.get_frame_path(0, 252) == osp.join(frames, '000253.jpg')
    # NaN rows (out of view) are invisible frames, not bad boxes
    info = dataset.get_data_info(0)
    assert np.flatnonzero(~info['visible']).tolist() == [5, 6, 7]
    assert np.isnan(info['bboxes_xywh'][5]).all()
    assert not sot_log.matching('unusable box')
    item = dataset.get_test_item(0, [4, 5])
    assert [v.tolist() for v in item['visible']] == [[True], [False]]
    assert item['gt_bboxes'][1].tolist() == [[0, 0, 0, 0]]


def test_attributes_and_metainfo(uav_root):
    dataset = DATASETS.build(dict(type='UAV123Dataset', data_root=uav_root, sequences=SEQUENCES))
    assert dataset.metainfo['attribute_names'] == UAV123_ATTRIBUTE_NAMES
    assert len(dataset.metainfo['attribute_descriptions']) == 12
    assert dataset.get_data_info(0)['attributes'].tolist() == [1] * 6 + [0] * 6
    assert dataset.get_data_info(1)['attributes'].tolist() == [-1] * 12  # no att file
    assert dataset.get_data_info(2)['attributes'].tolist() == [0, 1] * 6


@pytest.mark.parametrize('version, sequences', [('UAV123', SEQUENCES), ('UAV20L', ['bird1'])])
def test_equals_the_got10k_toolkit(tmp_path, version, sequences):
    got10k_datasets = pytest.importorskip('got10k.datasets')
    root = str(tmp_path / 'UAV123')
    for name in sequences:
        _write_sequence(root, name, version, nan_rows=[3])
    os.makedirs(osp.join(root, 'extra'))  # the toolkit wants more than 3 entries in the root
    open(osp.join(root, 'readme.txt'), 'w').close()
    theirs = got10k_datasets.UAV123(root, version=version)
    ours = UAV123Dataset(data_root=root, version=version, sequences=sequences, test_mode=True)
    assert len(ours) == len(theirs) == len(sequences)
    for video_id in range(len(ours)):
        img_files, anno = theirs[ours.get_data_info(video_id)['video_name']]
        assert [ours.get_frame_path(video_id, k) for k in range(len(img_files))] == img_files
        assert ours.get_len_per_video(video_id) == len(img_files)
        np.testing.assert_allclose(ours.get_data_info(video_id)['bboxes_xywh'], anno, rtol=1e-6)


def test_sequence_table_equals_the_got10k_toolkit():
    got10k = pytest.importorskip('got10k')
    path = osp.join(osp.dirname(got10k.__file__), 'datasets', 'uav123.json')
    with open(path) as f:
        theirs = json.load(f)
    for version, ours in (('UAV123', UAV123_SEQUENCES), ('UAV20L', UAV20L_SEQUENCES)):
        assert {name: dict(folder_name=folder, start_frame=first, end_frame=last)
                for name, (folder, first, last) in ours.items()} == theirs[version]
    assert len(UAV123_SEQUENCES) == 123 and len(UAV20L_SEQUENCES) == 20


def test_malformed_inputs_are_named(tmp_path):
    root = str(tmp_path)
    with pytest.raises(ValueError, match=r"\['bird9'\] are not UAV123 sequences"):
        UAV123Dataset(data_root=root, sequences=['bird9'])
    with pytest.raises(ValueError, match='unknown version'):
        UAV123Dataset(data_root=root, version='UAV10')
    with pytest.raises(FileNotFoundError, match=r'anno/UAV123/bike2.txt'):
        UAV123Dataset(data_root=root, sequences=['bike2'])
    # one line too few for frames 1..553
    write_uav123_sequence(root, 'bike2', random_boxes(552))
    with pytest.raises(AnnotationError, match=r'bike2.txt: 552 lines, but UAV123 sequence bike2 '
                       r'is frames 1..553 of .*bike2 \(553 frames\)'):
        UAV123Dataset(data_root=root, sequences=['bike2'])
    write_uav123_sequence(root, 'bike2', random_boxes(553))
    with pytest.raises(FileNotFoundError, match='frame folder of sequence bike2 not found'):
        UAV123Dataset(data_root=root, sequences=['bike2'])
    write_uav123_frames(root, 'bike2', [1, 552])
    with pytest.raises(AnnotationError, match=r'000553.jpg not found: sequence bike2 needs '
                       r'frames 1..553'):
        UAV123Dataset(data_root=root, sequences=['bike2'])
    write_uav123_frames(root, 'bike2', [553])
    ann_file = osp.join(root, 'anno', 'UAV123', 'bike2.txt')
    with open(ann_file, 'a') as f:
        f.write('1,2,x,4\n')
    with pytest.raises(AnnotationError, match=r"bike2.txt, line 554: 'x' is not a number"):
        UAV123Dataset(data_root=root, sequences=['bike2'])
    write_uav123_sequence(root, 'bike2', random_boxes(553), attributes=[1, 0, 2] + [0] * 9)
    with pytest.raises(AnnotationError, match=r"att/bike2.txt, line 1: attribute flag '2'"):
        UAV123Dataset(data_root=root, sequences=['bike2'])
    write_uav123_sequence(root, 'bike2', random_boxes(553), attributes=[1] * 11)
    with pytest.raises(AnnotationError, match=r'11 values, expected 12 attribute flags \(SV, '):
        UAV123Dataset(data_root=root, sequences=['bike2'])


def test_index_is_cached_and_the_test_config_builds(uav_root):
    init_default_scope('procontext_mm')  # the test pipeline's transforms are ours
    cfg = Config.fromfile(str(CONFIG))
    dataset_cfg = dict(cfg.test_dataloader.dataset, data_root=uav_root, sequences=SEQUENCES)
    first = DATASETS.build(dataset_cfg)
    assert first.index_source.startswith('parsed')
    second = DATASETS.build(dataset_cfg)
    assert second.index_source.startswith('loaded from cache')
    np.testing.assert_array_equal(second.index.video_extras['attributes'],
                                  first.index.video_extras['attributes'])
    assert second.test_mode and len(second) == 3
    # the UAV123 protocol drops the out-of-view frames
    assert cfg.test_evaluator.metric_options == dict(exclude_invisible=True)
