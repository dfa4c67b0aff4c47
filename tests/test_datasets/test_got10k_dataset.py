import os
import os.path as osp

import numpy as np
import pytest
from _fakes import make_got10k, random_boxes, write_got10k_split, write_name_list

from procontext_mm.datasets import AnnotationError, GOT10kDataset
from procontext_mm.registry import DATASETS


def test_train_split_parses_boxes_and_visibility(tmp_path):
    root = str(tmp_path / 'got10k')
    boxes = random_boxes(5)
    write_got10k_split(root, 'train', {
        'GOT-10k_Train_000001': dict(bboxes=boxes, absence=[0, 1, 0, 0, 0],
                                     cover=[8, 8, 0, 3, 8], cut=[0, 0, 0, 1, 0]),
        'GOT-10k_Train_000002': dict(bboxes=random_boxes(3, seed=1), absence=[0] * 3,
                                     cover=[8] * 3, cut=[0] * 3),
    })
    dataset = DATASETS.build(dict(type='GOT10kDataset', data_root=root, split='train_full'))
    assert len(dataset) == 2
    assert dataset.num_all_imgs == 8
    info = dataset.get_data_info(0)
    assert info['video_id'] == 0 and info['video_name'] == 'GOT-10k_Train_000001'
    assert info['num_frames'] == 5 and info['first_frame_index'] == 1
    assert info['bboxes_xywh'].dtype == np.float32 and info['bboxes_xywh'].shape == (5, 4)
    np.testing.assert_allclose(info['bboxes_xywh'], boxes, atol=1e-3)
    # absent (frame 1) and cover 0 (frame 2) are invisible
    assert info['visible'].tolist() == [True, False, False, True, True]
    assert info['cover'].tolist() == [8, 8, 0, 3, 8]
    assert info['cut_by_image'].tolist() == [False, False, False, True, False]
    assert info['frame_path_template'] == osp.join(root, 'train', 'GOT-10k_Train_000001',
                                                   '{:08d}.jpg')
    assert dataset.get_frame_path(0, 0) == osp.join(root, 'train', 'GOT-10k_Train_000001',
                                                    '00000001.jpg')
    assert dataset.get_frame_path(1, 2).endswith('GOT-10k_Train_000002/00000003.jpg')
    with pytest.raises(IndexError):
        dataset.get_frame_path(1, 3)


def test_missing_optional_files_use_defaults(tmp_path):
    root = str(tmp_path)
    write_got10k_split(root, 'val', {
        'GOT-10k_Val_000001': dict(bboxes=random_boxes(4), resolution=None)})
    info = GOT10kDataset(data_root=root, split='val').get_data_info(0)
    assert info['visible'].all()
    assert info['cover'].tolist() == [-1] * 4  # unknown
    assert not info['cut_by_image'].any()


def test_missing_list_falls_back_to_folders(tmp_path):
    root = str(tmp_path)
    write_got10k_split(root, 'train', {
        'GOT-10k_Train_000002': dict(bboxes=random_boxes(2)),
        'GOT-10k_Train_000001': dict(bboxes=random_boxes(2))}, with_list=False)
    dataset = GOT10kDataset(data_root=root)
    assert [dataset.get_data_info(i)['video_name'] for i in range(2)] == [
        'GOT-10k_Train_000001', 'GOT-10k_Train_000002']


def test_split_files_select_sequences(tmp_path):
    root = str(tmp_path)
    train, _, _ = make_got10k(root, num_train=4)
    names = list(train)
    # pytracking format: 0-based indices into train/list.txt
    write_name_list(osp.join(root, 'vot_train.txt'), ['3', '0'])
    write_name_list(osp.join(root, 'vot_val.txt'), [names[1]])
    vot_train = GOT10kDataset(data_root=root, split='vot-train', split_file='vot_train.txt')
    assert [vot_train.get_data_info(i)['video_name'] for i in range(2)] == [names[3], names[0]]
    vot_val = GOT10kDataset(data_root=root, split='vot-val', split_file='vot_val.txt')
    assert len(vot_val) == 1 and vot_val.get_data_info(0)['video_name'] == names[1]
    with pytest.raises(ValueError, match='split_file'):
        GOT10kDataset(data_root=root, split='vot-train')
    write_name_list(osp.join(root, 'bad_split.txt'), ['0', '17'])
    with pytest.raises(AnnotationError, match=r'bad_split.txt, line 2: index 17'):
        GOT10kDataset(data_root=root, split='vot-train', split_file='bad_split.txt')


def test_test_split_hides_boxes_after_first_frame(tmp_path):
    root = str(tmp_path)
    _, _, test = make_got10k(root, num_frames=6)
    dataset = GOT10kDataset(data_root=root, split='test', test_mode=True)
    assert len(dataset) == 2
    assert [dataset.get_len_per_video(i) for i in range(2)] == [6, 7]  # frames on disk
    info = dataset.get_data_info(1)
    assert np.isfinite(info['bboxes_xywh'][0]).all() and np.isnan(info['bboxes_xywh'][1:]).all()
    assert info['visible'].tolist() == [True] + [False] * 6
    item = dataset.get_test_item(1, [0, 3])
    first_box = test['GOT-10k_Test_000002']['bboxes'][0]
    np.testing.assert_allclose(item['gt_bboxes'][0],
                               [[*first_box[:2], *(first_box[:2] + first_box[2:])]], atol=1e-3)
    assert item['gt_bboxes'][1].tolist() == [[0, 0, 0, 0]]
    assert item['img_path'][1].endswith('GOT-10k_Test_000002/00000004.jpg')


@pytest.mark.parametrize('file_name, content, error, message', [
    ('groundtruth.txt', '1,2,3,4\n1,2,x,4\n1,2,3,4\n', AnnotationError,
     r"groundtruth.txt, line 2: 'x' is not a number"),
    ('groundtruth.txt', '1,2,3,4\n1,2,3\n', AnnotationError,
     r'groundtruth.txt, line 2: expected 4 numbers'),
    ('groundtruth.txt', '1,2,3,4\n\n1,2,3,4\n', AnnotationError,
     r'groundtruth.txt, line 2: blank line'),
    ('groundtruth.txt', '', AnnotationError, r'groundtruth.txt: empty'),
    ('groundtruth.txt', None, FileNotFoundError, r'GOT-10k_Train_000001/groundtruth.txt'),
    ('cover.label', '8\n9\n', AnnotationError, r'cover.label, line 2: value 9 is outside'),
    ('absence.label', '0\nyes\n', AnnotationError, r"absence.label, line 2: 'yes' is not"),
    ('cover.label', '8\n8\n8\n', AnnotationError,
     r'cover.label: 3 values, but the ground truth has 2 frames'),
    ('meta_info.ini', '[METAINFO]\nresolution: 1280x720\n', AnnotationError,
     r'meta_info.ini, line 2: expected "resolution: \(W, H\)"'),
])
def test_malformed_files_name_file_and_line(tmp_path, file_name, content, error, message):
    root = str(tmp_path)
    split_dir = write_got10k_split(root, 'train', {
        'GOT-10k_Train_000001': dict(bboxes=random_boxes(2), absence=[0, 0], cover=[8, 8])})
    path = osp.join(split_dir, 'GOT-10k_Train_000001', file_name)
    if content is None:
        os.remove(path)
    else:
        with open(path, 'w') as f:
            f.write(content)
    with pytest.raises(error, match=message):
        GOT10kDataset(data_root=root, use_cache=False)


def test_bad_boxes_are_reported_and_videos_without_visible_frame_dropped(tmp_path, sot_log):
    root = str(tmp_path)
    good = random_boxes(4)
    bad = good.copy()
    bad[0] = np.nan  # NaN
    bad[1, 2] = -5  # negative width
    bad[2, :2] = [700, 10]  # starts right of the 640-wide image
    write_got10k_split(root, 'train', {
        'GOT-10k_Train_000001': dict(bboxes=bad),
        'GOT-10k_Train_000002': dict(bboxes=good[:2] * [1, 1, 0, 1]),  # zero width: no frame
        'GOT-10k_Train_000003': dict(bboxes=good),
    })
    train = GOT10kDataset(data_root=root)
    assert len(train) == 2  # the video without a usable box is dropped
    info = train.get_data_info(0)
    assert info['video_name'] == 'GOT-10k_Train_000001'
    assert info['visible'].tolist() == [False, False, False, True]
    assert info['bbox_valid'].tolist() == [False, False, False, True]
    assert train.get_data_info(1)['video_name'] == 'GOT-10k_Train_000003'
    [report] = sot_log.matching('unusable box')
    assert 'NaN/inf: 1' in report and 'non-positive size: 3' in report
    assert 'outside the image: 1' in report
    assert 'GOT-10k_Train_000001/groundtruth.txt (lines 1, 2, 3)' in report
    [dropped] = sot_log.matching('no visible frame')
    assert '1 of 3 videos' in dropped and 'GOT-10k_Train_000002' in dropped
    assert 'dropped from training' in dropped

    test = GOT10kDataset(data_root=root, test_mode=True)
    assert len(test) == 3  # test mode keeps every video and does not crash on it
    item = test.get_test_item(1, [0])
    assert item['visible'][0].tolist() == [False]


def test_bbox_min_size_makes_small_boxes_invisible(tmp_path):
    root = str(tmp_path)
    boxes = np.array([[10, 10, 60, 60], [10, 10, 40, 60], [10, 10, 60, 60]], np.float32)
    write_got10k_split(root, 'train', {'GOT-10k_Train_000001': dict(bboxes=boxes)})
    info = GOT10kDataset(data_root=root, bbox_min_size=50).get_data_info(0)
    assert info['visible'].tolist() == [True, False, True]
    assert info['bbox_valid'].all()


def test_index_is_cached_and_invalidated_by_file_changes(tmp_path, isolated_cache):
    root = str(tmp_path / 'data')
    make_got10k(root, num_train=3)
    first = GOT10kDataset(data_root=root)
    assert first.index_source.startswith('parsed, cached to ')
    assert len(list(isolated_cache.glob('GOT10kDataset_*.npz'))) == 1
    second = GOT10kDataset(data_root=root)
    assert second.index_source.startswith('loaded from cache')
    np.testing.assert_array_equal(first.index.bboxes_xywh, second.index.bboxes_xywh)
    assert second.get_data_info(2).keys() == first.get_data_info(2).keys()

    # editing an annotation file (size / mtime change) rebuilds the index
    gt_file = osp.join(root, 'train', 'GOT-10k_Train_000002', 'groundtruth.txt')
    with open(gt_file, 'a') as f:
        f.write('1,2,3,4\n')
    with open(osp.join(root, 'train', 'GOT-10k_Train_000002', 'absence.label'), 'a') as f:
        f.write('0\n')
    with open(osp.join(root, 'train', 'GOT-10k_Train_000002', 'cover.label'), 'a') as f:
        f.write('8\n')
    with open(osp.join(root, 'train', 'GOT-10k_Train_000002', 'cut_by_image.label'), 'a') as f:
        f.write('0\n')
    third = GOT10kDataset(data_root=root)
    assert third.index_source.startswith('parsed')
    assert third.get_len_per_video(1) == first.get_len_per_video(1) + 1
    # adding a missing optional file also invalidates it
    os.remove(osp.join(root, 'train', 'GOT-10k_Train_000001', 'absence.label'))
    assert GOT10kDataset(data_root=root).index_source.startswith('parsed')
    assert GOT10kDataset(data_root=root).index_source.startswith('loaded')
    # another split is another cache entry
    assert GOT10kDataset(data_root=root, split='val').index_source.startswith('parsed')
    assert not GOT10kDataset(data_root=root, use_cache=False).index_source.startswith('loaded')


def test_unknown_split_is_an_error(tmp_path):
    with pytest.raises(ValueError, match='unknown split'):
        GOT10kDataset(data_root=str(tmp_path), split='training')


def test_training_getitem_runs_pipeline_on_video_info(tmp_path):
    root = str(tmp_path)
    make_got10k(root)
    seen = []
    dataset = GOT10kDataset(data_root=root, pipeline=[lambda r: seen.append(r) or r])
    out = dataset[2]
    assert out['video_id'] == 2 and out['sample_idx'] == 2 and len(seen) == 1
    assert dataset[(1, 3)]['key_frame_id'] == 3
    sub = dataset.get_subset([3, 1])
    assert len(sub) == 2 and sub.get_data_info(0)['video_name'] == 'GOT-10k_Train_000004'
    assert sub.index is dataset.index  # the index is shared, not copied


def test_lazy_init(tmp_path):
    root = str(tmp_path)
    make_got10k(root, num_train=2, num_frames=4)
    dataset = GOT10kDataset(data_root=root, lazy_init=True)
    assert dataset.index is None
    assert dataset.get_len_per_video(1) == 5 and len(dataset) == 2
