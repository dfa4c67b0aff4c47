import os
import os.path as osp
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from _fakes import random_boxes, write_name_list, write_tnl2k_sequence
from mmengine.config import Config
from mmengine.registry import init_default_scope

from procontext_mm.datasets import AnnotationError, TNL2KDataset
from procontext_mm.registry import DATASETS

CONFIG = Path(__file__).resolve().parents[2] / 'configs' / '_base_' / 'datasets' / 'tnl2k_test.py'


def _boxes(num, seed, absent=()):
    boxes = np.round(random_boxes(num, seed=seed))
    boxes[list(absent)] = 0
    return boxes


@pytest.fixture
def test_root(tmp_path):
    root = str(tmp_path / 'TNL2K_test_subset')
    write_tnl2k_sequence(root, 'Assian_video_Z03_done', _boxes(4, 0, absent=[2]),
                         'the man in a black coat\n', range(1, 5))
    # other frame naming: not padded, from 0; a description over two lines with a BOM
    write_tnl2k_sequence(root, 'BF5_Blade_video_01-Done', _boxes(3, 1),
                         '\ufeffthe blade held\r\n by the knight  \n', range(0, 3), '{:d}.jpg')
    return root


def test_layout_language_and_absent_frames(test_root, sot_log):
    dataset = DATASETS.build(dict(type='TNL2KDataset', data_root=test_root, test_mode=True))
    first, second = dataset.get_data_info(0), dataset.get_data_info(1)
    assert first['video_name'] == 'Assian_video_Z03_done'
    assert first['language'] == 'the man in a black coat'
    assert second['language'] == 'the blade held by the knight'
    np.testing.assert_array_equal(first['bboxes_xywh'], _boxes(4, 0, absent=[2]))
    # 0,0,0,0 marks an absent target: invisible, and not reported as a bad box
    assert first['visible'].tolist() == [True, True, False, True]
    assert not sot_log.matching('unusable box')
    assert dataset.get_frame_path(0, 3) == osp.join(test_root, 'Assian_video_Z03_done', 'imgs',
                                                    '00004.png')
    assert dataset.get_frame_path(1, 0) == osp.join(test_root, 'BF5_Blade_video_01-Done',
                                                    'imgs', '0.jpg')
    item = dataset.get_test_item(1, [0, 2])
    assert item['language'] == ['the blade held by the knight'] * 2


def test_language_reaches_the_frames_metainfo(tmp_path):
    init_default_scope('procontext_mm')  # the test pipeline's transforms are ours
    root = str(tmp_path)
    write_tnl2k_sequence(root, 'INF_bike', _boxes(2, 0), 'the white bike', range(1, 3),
                         images=True)
    cfg = Config.fromfile(str(CONFIG))
    assert cfg.test_evaluator.benchmark == 'lasot'
    dataset = DATASETS.build(dict(cfg.test_dataloader.dataset, data_root=root))
    packed = dataset[(0, 1)]
    frame = packed['data_samples'].video_data_samples[0]
    assert frame.metainfo['language'] == 'the white bike'
    assert frame.metainfo['video_name'] == 'INF_bike' and frame.metainfo['frame_id'] == 1


def test_training_parts_and_list_file(tmp_path):
    root = str(tmp_path / 'train')
    write_tnl2k_sequence(root, 'TNL2K_train_subset_p1/INF_womanleft', _boxes(2, 0), 'a woman',
                         range(1, 3))
    write_tnl2k_sequence(root, 'TNL2K_train_subset_p2/Arrow_Video_ZZ04_done', _boxes(2, 1),
                         None, range(1, 3))
    write_tnl2k_sequence(root, 'revised_annotations/INF_womanleft', _boxes(2, 2), 'x',
                         range(1, 3))
    with mock.patch('procontext_mm.datasets.tnl2k_dataset.print_log') as print_log:
        dataset = TNL2KDataset(data_root=root)
    assert [dataset.get_data_info(i)['video_name'] for i in range(2)] == [
        'Arrow_Video_ZZ04_done', 'INF_womanleft']
    assert dataset.get_data_info(0)['language'] == ''  # no language.txt: logged
    message = print_log.call_args[0][0]
    assert 'no language description in 1 of 2 sequences' in message
    assert osp.join('Arrow_Video_ZZ04_done', 'language.txt') in message
    write_name_list(osp.join(root, 'mine.txt'), ['TNL2K_train_subset_p1/INF_womanleft'])
    mine = TNL2KDataset(data_root=root, list_file='mine.txt')
    assert len(mine) == 1 and mine.get_data_info(0)['language'] == 'a woman'


def test_malformed_inputs_are_named(tmp_path):
    root = str(tmp_path)
    seq_dir = write_tnl2k_sequence(root, 'Bird_28-Done', _boxes(3, 0), 'a bird', range(1, 4))
    os.remove(osp.join(seq_dir, 'imgs', '00003.png'))
    with pytest.raises(AnnotationError, match=r'Bird_28-Done/groundtruth.txt: 3 lines, but '
                       r'.*imgs holds 2 frames'):
        TNL2KDataset(data_root=root)
    os.remove(osp.join(seq_dir, 'imgs', '00001.png'))
    os.remove(osp.join(seq_dir, 'imgs', '00002.png'))
    with pytest.raises(AnnotationError, match=r'imgs: no frame'):
        TNL2KDataset(data_root=root)
    write_tnl2k_sequence(root, 'Bird_28-Done', _boxes(3, 0), 'a bird', range(1, 4))
    os.rename(osp.join(seq_dir, 'groundtruth.txt'), osp.join(root, 'moved.txt'))
    with pytest.raises(FileNotFoundError, match=r'not found: .*Bird_28-Done/groundtruth.txt'):
        TNL2KDataset(data_root=root)
    os.rename(osp.join(root, 'moved.txt'), osp.join(seq_dir, 'groundtruth.txt'))
    with open(osp.join(seq_dir, 'groundtruth.txt'), 'a') as f:
        f.write('1,2,3\n')
    with pytest.raises(AnnotationError, match=r'groundtruth.txt, line 4: expected 4 numbers'):
        TNL2KDataset(data_root=root)
    write_name_list(osp.join(root, 'list.txt'), ['Bird_31-Done'])
    with pytest.raises(FileNotFoundError, match=r'sequence folder not found: .*Bird_31-Done'):
        TNL2KDataset(data_root=root, list_file='list.txt')
    write_tnl2k_sequence(root, 'p1/Bird_31-Done', _boxes(2, 0), 'a bird', range(1, 3))
    write_tnl2k_sequence(root, 'p2/Bird_31-Done', _boxes(2, 0), 'a bird', range(1, 3))
    write_name_list(osp.join(root, 'list.txt'), ['p1/Bird_31-Done', 'p2/Bird_31-Done'])
    with pytest.raises(AnnotationError, match=r"two sequences are named 'Bird_31-Done'"):
        TNL2KDataset(data_root=root, list_file='list.txt')
