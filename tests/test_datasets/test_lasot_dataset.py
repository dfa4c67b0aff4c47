import os.path as osp
import shutil
from pathlib import Path

import numpy as np
import pytest
from _fakes import random_boxes, write_lasot_sequence, write_name_list
from mmengine.config import Config
from mmengine.registry import init_default_scope

from procontext_mm.datasets import LASOT_EXTENSION_CLASSES, AnnotationError, LaSOTDataset
from procontext_mm.registry import DATASETS

CONFIG_ROOT = Path(__file__).resolve().parents[2] / 'configs' / '_base_' / 'datasets'


@pytest.fixture
def lasot_root(tmp_path):
    root = str(tmp_path / 'LaSOT')
    for name in ('airplane-1', 'airplane-2', 'bear-1', 'bear-3'):
        write_lasot_sequence(root, name, random_boxes(4, seed=len(name)),
                             full_occlusion=[0, 1, 0, 0], out_of_view=[0, 0, 0, 1])
    write_name_list(osp.join(root, 'testing_set.txt'), ['airplane-2', 'bear-3'])
    return root


def test_splits_from_official_lists(lasot_root):
    test = LaSOTDataset(data_root=lasot_root, split='test', test_mode=True)
    assert [test.get_data_info(i)['video_name'] for i in range(2)] == ['airplane-2', 'bear-3']
    # no training_set.txt: train = every sequence not in testing_set.txt
    train = LaSOTDataset(data_root=lasot_root, split='train')
    assert [train.get_data_info(i)['video_name'] for i in range(2)] == ['airplane-1', 'bear-1']
    write_name_list(osp.join(lasot_root, 'training_set.txt'), ['bear-1'])
    train = LaSOTDataset(data_root=lasot_root, split='train')
    assert len(train) == 1 and train.get_data_info(0)['video_name'] == 'bear-1'
    assert len(LaSOTDataset(data_root=lasot_root, split='all')) == 4
    write_name_list(osp.join(lasot_root, 'mine.txt'), ['bear-3'])
    mine = LaSOTDataset(data_root=lasot_root, split='all', split_file='mine.txt')
    assert len(mine) == 1 and mine.get_data_info(0)['video_name'] == 'bear-3'


def test_visibility_and_paths(lasot_root):
    dataset = LaSOTDataset(data_root=lasot_root, split='all')
    info = dataset.get_data_info(2)
    assert info['video_name'] == 'bear-1'
    # full occlusion at frame 1, out of view at frame 3
    assert info['visible'].tolist() == [True, False, True, False]
    np.testing.assert_allclose(info['bboxes_xywh'], np.round(random_boxes(4, seed=6)))
    assert dataset.get_frame_path(2, 0) == osp.join(lasot_root, 'bear', 'bear-1', 'img',
                                                    '00000001.jpg')
    assert info['first_frame_index'] == 1


def test_missing_flag_files_mean_visible(tmp_path):
    root = str(tmp_path)
    write_lasot_sequence(root, 'cat-1', random_boxes(3))
    info = LaSOTDataset(data_root=root, split='all').get_data_info(0)
    assert info['visible'].all()


def test_bad_flags_and_missing_lists(tmp_path):
    root = str(tmp_path)
    write_lasot_sequence(root, 'cat-1', random_boxes(3), full_occlusion=[0, 0])
    with pytest.raises(AnnotationError, match=r'full_occlusion.txt: 2 values, but the ground '
                       r'truth has 3 frames'):
        LaSOTDataset(data_root=root, split='all')
    with pytest.raises(FileNotFoundError, match='testing_set.txt'):
        LaSOTDataset(data_root=root, split='train')
    with pytest.raises(FileNotFoundError, match='testing_set.txt'):
        LaSOTDataset(data_root=root, split='test')


def test_extension_split_reads_the_150_sequences_of_its_15_classes(tmp_path):
    init_default_scope('procontext_mm')  # the test pipeline's transforms are ours
    root = str(tmp_path / 'LaSOT')
    names = [f'{cls_name}-{n}' for cls_name in LASOT_EXTENSION_CLASSES for n in range(1, 11)]
    for name in names + ['airplane-1']:  # a LaSOT class in the same root is not read
        write_lasot_sequence(root, name, random_boxes(2, seed=len(name)), [0, 1], [0, 0])
    cfg = Config.fromfile(str(CONFIG_ROOT / 'lasot_ext_test.py'))
    dataset = DATASETS.build(dict(cfg.test_dataloader.dataset, data_root=root))
    assert len(LASOT_EXTENSION_CLASSES) == 15
    assert [dataset.get_data_info(i)['video_name'] for i in range(len(dataset))] == names
    assert dataset.metainfo['categories'] == LASOT_EXTENSION_CLASSES
    assert dataset.get_data_info(0)['visible'].tolist() == [True, False]
    assert 'categories' not in LaSOTDataset(data_root=root, split='all').metainfo
    shutil.rmtree(osp.join(root, 'wingsuit', 'wingsuit-7'))
    with pytest.raises(FileNotFoundError, match=r"sequence wingsuit-7 \(split 'extension'\) not "
                       r'found: .*wingsuit/wingsuit-7'):
        LaSOTDataset(data_root=root, split='extension')
