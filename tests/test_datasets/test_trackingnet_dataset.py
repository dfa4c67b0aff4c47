import os.path as osp

import numpy as np
import pytest
from _fakes import random_boxes, write_trackingnet_video

from procontext_mm.datasets import TrackingNetDataset


@pytest.fixture
def trackingnet_root(tmp_path):
    root = str(tmp_path / 'TrackingNet')
    write_trackingnet_video(root, 'TRAIN_0', 'b_video_1', random_boxes(5, seed=1))
    write_trackingnet_video(root, 'TRAIN_0', 'a_video_0', random_boxes(3, seed=0))
    write_trackingnet_video(root, 'TRAIN_1', 'c_video_2', random_boxes(4, seed=2))
    write_trackingnet_video(root, 'TEST', 't_video', random_boxes(1, seed=3), num_frames=12)
    return root


def test_train_chunks(trackingnet_root):
    dataset = TrackingNetDataset(data_root=trackingnet_root, chunks=[0, 1])
    assert [dataset.get_data_info(i)['video_name'] for i in range(3)] == [
        'a_video_0', 'b_video_1', 'c_video_2']
    info = dataset.get_data_info(1)
    np.testing.assert_allclose(info['bboxes_xywh'], random_boxes(5, seed=1), atol=0.01)
    assert info['visible'].all() and info['first_frame_index'] == 0
    assert dataset.get_frame_path(1, 4) == osp.join(trackingnet_root, 'TRAIN_0', 'frames',
                                                    'b_video_1', '4.jpg')
    assert len(TrackingNetDataset(data_root=trackingnet_root, chunks=[1])) == 1
    with pytest.raises(FileNotFoundError, match='TRAIN_2/anno'):
        TrackingNetDataset(data_root=trackingnet_root)  # default: all 12 chunks
    with pytest.raises(ValueError, match='chunks'):
        TrackingNetDataset(data_root=trackingnet_root, chunks=[12])


def test_test_split_counts_frames_on_disk(trackingnet_root):
    dataset = TrackingNetDataset(data_root=trackingnet_root, split='test', test_mode=True)
    assert len(dataset) == 1 and dataset.get_len_per_video(0) == 12
    item = dataset.get_test_item(0, [0, 11])
    assert item['img_path'][1].endswith('TEST/frames/t_video/11.jpg')
    assert item['gt_bboxes'][0].any() and not item['gt_bboxes'][1].any()
    assert [v.tolist() for v in item['visible']] == [[True], [False]]
