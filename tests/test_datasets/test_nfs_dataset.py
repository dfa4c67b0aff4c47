import os.path as osp
from pathlib import Path

import numpy as np
import pytest
from _fakes import nfs_vatic_text, random_boxes, write_name_list, write_nfs_sequence
from mmengine.config import Config
from mmengine.registry import init_default_scope

from procontext_mm.datasets import AnnotationError, NFSDataset
from procontext_mm.registry import DATASETS

CONFIG = Path(__file__).resolve().parents[2] / 'configs' / '_base_' / 'datasets' / 'nfs_test.py'


def _corners(num, seed):
    """(num, 4) integer xmin, ymin, xmax, ymax."""
    boxes = np.round(random_boxes(num, seed=seed))
    return np.concatenate([boxes[:, :2], boxes[:, :2] + boxes[:, 2:]], axis=1)


#: sequence -> (annotation lines, 30 fps frames on disk, first number of the frame column):
#: a 240 fps annotation (8 lines per frame; 8 * 12 - 5 lines -> 12 frames), a 30 fps one,
#: a 240 fps one whose subsampling gives one line more than frames, and one line fewer.
CASES = {
    'Gymnastics': (8 * 12 - 5, 12, 1),
    'bee': (7, 7, 1),
    'bottle': (8 * 10 + 1, 10, 0),
    'car_side': (8 * 10, 11, 1),
}


@pytest.fixture
def nfs_root(tmp_path):
    root = str(tmp_path / 'NFS')
    for i, (name, (num_lines, num_frames, first_number)) in enumerate(CASES.items()):
        lost = np.zeros(num_lines, int)
        occluded = np.zeros(num_lines, int)
        if num_lines > num_frames:  # 240 fps lines
            lost[8] = occluded[16] = 1  # 30 fps frames 1 and 2 (lines 9 and 17)
            occluded[3] = 1  # a 240 fps frame that the 30 fps version skips
        text = nfs_vatic_text(_corners(num_lines, seed=i), lost, occluded, first_number,
                              label=f'label{i}')
        write_nfs_sequence(root, name, text, num_frames)
    return root


def test_subsampling_equals_the_got10k_toolkit(nfs_root):
    got10k_datasets = pytest.importorskip('got10k.datasets')
    theirs = got10k_datasets.NfS(nfs_root, fps=30)
    ours = NFSDataset(data_root=nfs_root, test_mode=True)
    assert len(ours) == len(theirs) == len(CASES)
    lengths = {}
    for video_id in range(len(ours)):
        name = ours.get_data_info(video_id)['video_name']
        img_files, anno = theirs[name]
        lengths[name] = len(img_files)
        assert [ours.get_frame_path(video_id, k) for k in range(len(img_files))] == img_files
        assert ours.get_len_per_video(video_id) == len(img_files)
        np.testing.assert_allclose(ours.get_data_info(video_id)['bboxes_xywh'], anno)
    # the last two lose a line or a frame
    assert lengths == {'Gymnastics': 12, 'bee': 7, 'bottle': 10, 'car_side': 10}


def test_boxes_flags_and_label_of_the_subsampled_lines(nfs_root):
    dataset = DATASETS.build(dict(type='NFSDataset', data_root=nfs_root))
    info = dataset.get_data_info(0)
    assert info['video_name'] == 'Gymnastics' and info['object_class'] == 'label0'
    corners = _corners(8 * 12 - 5, seed=0)[::8]  # lines 1, 9, 17, ...
    expected = np.concatenate([corners[:, :2], corners[:, 2:] - corners[:, :2]], axis=1)
    np.testing.assert_array_equal(info['bboxes_xywh'], expected)
    assert np.flatnonzero(info['out_of_view']).tolist() == [1]
    assert np.flatnonzero(info['occluded']).tolist() == [2]  # line 4 (occluded) is skipped
    assert np.flatnonzero(~info['visible']).tolist() == [1, 2]
    assert dataset.get_frame_path(0, 0) == osp.join(nfs_root, 'Gymnastics', '30', 'Gymnastics',
                                                    '00001.jpg')
    # bee: already one line per 30 fps frame
    bee = dataset.get_data_info(1)
    np.testing.assert_array_equal(bee['bboxes_xywh'][:, 2:],
                                  np.diff(_corners(7, seed=1).reshape(7, 2, 2), axis=1)[:, 0])


def test_240_fps_and_list_file(tmp_path):
    root = str(tmp_path)
    write_nfs_sequence(root, 'dog', nfs_vatic_text(_corners(9, 0)), 9, fps=240)
    write_nfs_sequence(root, 'cup', nfs_vatic_text(_corners(3, 1)), 3, fps=240)
    write_nfs_sequence(root, 'cup', nfs_vatic_text(_corners(3 * 8, 1)), 3, fps=30)
    assert len(NFSDataset(data_root=root, fps=30)) == 1  # only cup has a 30 fps folder
    dataset = NFSDataset(data_root=root, fps=240)
    assert [dataset.get_data_info(i)['video_name'] for i in range(2)] == ['cup', 'dog']
    assert dataset.get_frame_path(1, 8) == osp.join(root, 'dog', '240', 'dog', '00009.jpg')
    write_name_list(osp.join(root, 'mine.txt'), ['dog'])
    assert len(NFSDataset(data_root=root, fps=240, list_file='mine.txt')) == 1


def test_malformed_inputs_are_named(tmp_path):
    root = str(tmp_path)
    with pytest.raises(ValueError, match='fps must be one of'):
        NFSDataset(data_root=root, fps=60)
    version_dir = write_nfs_sequence(root, 'yoyo', nfs_vatic_text(_corners(8 * 5, 0)), 3)
    with pytest.raises(AnnotationError, match=r'yoyo.txt: 40 lines for 3 frames in .*yoyo: '
                       r'expected one line per frame or one per 240 fps frame'):
        NFSDataset(data_root=root)
    ann_file = osp.join(version_dir, 'yoyo.txt')
    bad_lines = {
        '1 10 10 20 20 1 0 0 0\n': r'line 1: expected 9 numbers .* and a "label"',
        '1 10 1O 20 20 1 0 0 0 "ball"\n': r"line 1: '1O' is not a number",
        '1 10 10 20 20 1 0 2 0 "ball"\n': r"line 1: occluded flag '2' is not 0 or 1",
        '1 10 10 20 20 1 0 0 0 "ball"\n2 10 10 20 20 2 0 0 0 "ball"\n':
            r'line 2: track id 2 differs from the first line\'s 1',
    }
    for text, message in bad_lines.items():
        with open(ann_file, 'w') as f:
            f.write(text)
        with pytest.raises(AnnotationError, match=message):
            NFSDataset(data_root=root, use_cache=False)
    write_name_list(osp.join(root, 'list.txt'), ['kite'])
    with pytest.raises(FileNotFoundError, match='sequence folder not found: .*kite'):
        NFSDataset(data_root=root, list_file='list.txt')


def test_the_test_config_builds(nfs_root):
    init_default_scope('procontext_mm')  # the test pipeline's transforms are ours
    cfg = Config.fromfile(str(CONFIG))
    dataset = DATASETS.build(dict(cfg.test_dataloader.dataset, data_root=nfs_root))
    assert dataset.test_mode and dataset.fps == 30 and len(dataset) == len(CASES)
    assert cfg.test_evaluator.benchmark == 'otb'  # every frame is scored
