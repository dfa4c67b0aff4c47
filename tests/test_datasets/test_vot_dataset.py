import os.path as osp

import numpy as np
import pytest
from _fakes import write_name_list, write_vot_sequence

from procontext_mm.datasets import AnnotationError, VOTDataset


def test_rectangles_polygons_and_absent_frames(tmp_path):
    root = str(tmp_path / 'vot2018')
    write_vot_sequence(root, 'ants1', [
        [10, 20, 30, 40],
        [10, 20, 50, 20, 50, 60, 10, 60],  # the same box as a polygon
        [20, 10, 40, 20, 30, 40, 10, 30],  # rotated
        [np.nan] * 4,  # absent (long-term)
    ])
    write_vot_sequence(root, 'bag', [[1, 2, 3, 4]], sequence_file=None, num_frames=1)
    write_name_list(osp.join(root, 'list.txt'), ['ants1', 'bag'])
    dataset = VOTDataset(data_root=root, test_mode=True)
    info = dataset.get_data_info(0)
    np.testing.assert_allclose(info['polygons'][:3], [
        [10, 20, 40, 20, 40, 60, 10, 60],
        [10, 20, 50, 20, 50, 60, 10, 60],
        [20, 10, 40, 20, 30, 40, 10, 30],
    ])
    np.testing.assert_allclose(info['bboxes_xywh'][:3], [
        [10, 20, 30, 40], [10, 20, 40, 40], [10, 10, 30, 30]])
    assert np.isnan(info['bboxes_xywh'][3]).all()
    assert info['visible'].tolist() == [True, True, True, False]
    assert dataset.get_frame_path(0, 2) == osp.join(root, 'ants1', 'color', '00000003.jpg')
    # no `sequence` file: color/ exists -> color/%08d.jpg
    assert dataset.get_frame_path(1, 0) == osp.join(root, 'bag', 'color', '00000001.jpg')
    item = dataset.get_test_item(0, [2])
    assert item['polygons'][0].shape == (1, 8)
    np.testing.assert_allclose(item['gt_bboxes'][0], [[10, 10, 40, 40]])


def test_unsupported_regions_name_the_line(tmp_path):
    root = str(tmp_path)
    write_vot_sequence(root, 'seq', [[1, 2, 3, 4], [1, 2, 3, 4, 5, 6]])
    write_name_list(osp.join(root, 'list.txt'), ['seq'])
    with pytest.raises(AnnotationError, match=r'groundtruth.txt, line 2: expected 4 or 8'):
        VOTDataset(data_root=root)
    with open(osp.join(root, 'seq', 'groundtruth.txt'), 'w') as f:
        f.write('1,2,3,4\nm10.0,20.0,5,5,1,0,1\n')
    with pytest.raises(AnnotationError, match=r'line 2: segmentation-mask'):
        VOTDataset(data_root=root)


def test_ground_truth_as_the_toolkit_reads_it_and_anchor_values(tmp_path):
    from procontext_mm.datasets import vot_anchor_values, vot_ground_truth
    root = str(tmp_path / 'vot2022')
    write_vot_sequence(root, 'ball', [[10, 20, 30, 40], [10, 20, 50, 20, 50, 60, 10, 60],
                                      [11, 21, 30, 40]])
    write_name_list(osp.join(root, 'list.txt'), ['ball'])
    dataset = VOTDataset(data_root=root, test_mode=True, use_cache=False)
    regions = vot_ground_truth(dataset, 0)
    assert [len(r) for r in regions] == [4, 8, 4]  # rectangles stay rectangles
    np.testing.assert_allclose(regions[1], [10, 20, 50, 20, 50, 60, 10, 60])
    with pytest.raises(FileNotFoundError, match=r'ball.anchor.value does not exist'):
        vot_anchor_values(dataset, 0)
    anchor_file = osp.join(root, 'ball', 'anchor.value')
    with open(anchor_file, 'w') as f:
        f.write('1\n0\n')  # shorter than the sequence: padded with 0, as the toolkit does
    np.testing.assert_array_equal(vot_anchor_values(dataset, 0), [1, 0, 0])
    with open(anchor_file, 'w') as f:
        f.write('1\nx\n-1\n')
    with pytest.raises(ValueError, match=r"anchor.value, line 2: 'x' is not a number"):
        vot_anchor_values(dataset, 0)
