import os.path as osp

import numpy as np
import pytest
from _fakes import boxes_text, random_boxes, write_frames, write_name_list

from procontext_mm.datasets import AnnotationError, FolderSOTDataset


def _write_seq(root, name, boxes, numbers, name_format='{:04d}.jpg', sep=',',
               ann_name='groundtruth.txt', img_dir='img'):
    write_frames(osp.join(root, name, img_dir), numbers, name_format)
    with open(osp.join(root, name, ann_name), 'w') as f:
        f.write(boxes_text(boxes, sep=sep, fmt='{:.0f}'))


def test_otb_layout(tmp_path):
    root = str(tmp_path / 'OTB100')
    boxes = np.round(random_boxes(4))
    _write_seq(root, 'Basketball', boxes, range(1, 5), sep='\t', ann_name='groundtruth_rect.txt')
    _write_seq(root, 'Car4', boxes[:3], range(1, 4), sep=',', ann_name='groundtruth_rect.txt')
    dataset = FolderSOTDataset(data_root=root, ann_name='groundtruth_rect.txt', test_mode=True)
    assert len(dataset) == 2
    info = dataset.get_data_info(0)
    assert info['video_name'] == 'Basketball'
    np.testing.assert_array_equal(info['bboxes_xywh'], boxes)
    assert dataset.get_frame_path(0, 3) == osp.join(root, 'Basketball', 'img', '0004.jpg')
    assert dataset.get_len_per_video(1) == 3


def test_list_file_frame_naming_and_partial_gt(tmp_path):
    root = str(tmp_path)
    _write_seq(root, 'clip_{a}', random_boxes(1), range(5, 9), name_format='{:d}.png',
               img_dir='')
    _write_seq(root, 'unused', random_boxes(2), range(1, 3))
    write_name_list(osp.join(root, 'list.txt'), ['clip_{a}'])
    with pytest.raises(AnnotationError, match=r'1 boxes for 4 frames'):
        FolderSOTDataset(data_root=root, img_dir='')
    dataset = FolderSOTDataset(data_root=root, img_dir='', allow_partial_gt=True,
                               test_mode=True)
    assert len(dataset) == 1
    # braces in a folder name are kept literally; frames numbered from 5, not padded
    assert dataset.get_frame_path(0, 3) == osp.join(root, 'clip_{a}', '8.png')
    assert dataset.get_data_info(0)['first_frame_index'] == 5
    assert dataset.get_test_item(0, [1])['gt_bboxes'][0].tolist() == [[0, 0, 0, 0]]


def test_frame_gaps_are_an_error(tmp_path):
    root = str(tmp_path)
    _write_seq(root, 'seq', random_boxes(3), [1, 2, 4])
    with pytest.raises(AnnotationError, match=r'gaps \(missing e.g. \[3\]\)'):
        FolderSOTDataset(data_root=root)
