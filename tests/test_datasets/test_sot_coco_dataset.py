import os.path as osp

import pytest
from _fakes import write_coco

from procontext_mm.datasets import AnnotationError, SOTCocoDataset


@pytest.fixture
def coco_root(tmp_path):
    root = str(tmp_path / 'coco')
    images = [dict(id=1, file_name='000000000001.jpg', width=100, height=80),
              dict(id=2, file_name='000000000002.jpg', width=200, height=100)]
    annotations = [
        dict(id=10, image_id=1, category_id=1, bbox=[10, 10, 60, 55], area=3300, iscrowd=0),
        dict(id=11, image_id=1, category_id=18, bbox=[0, 0, 20, 20], area=400, iscrowd=0),
        dict(id=12, image_id=2, category_id=1, bbox=[5, 5, 100, 80], area=1, iscrowd=1),
        dict(id=13, image_id=2, category_id=1, bbox=[250, 5, 10, 10], area=100, iscrowd=0),
        dict(id=14, image_id=2, category_id=18, bbox=[20, 30, 90, 60], area=5400, iscrowd=0),
    ]
    write_coco(osp.join(root, 'annotations', 'instances_train2017.json'), images, annotations)
    return root


def test_instances_become_one_frame_videos(coco_root, sot_log):
    dataset = SOTCocoDataset(data_root=coco_root)
    # crowd (12) skipped; 13 lies outside its 200-px-wide image: reported and dropped
    assert len(dataset) == 3
    names = [dataset.get_data_info(i)['video_name'] for i in range(3)]
    assert names == ['000000000001_10', '000000000001_11', '000000000002_14']
    info = dataset.get_data_info(2)
    assert info['num_frames'] == 1 and info['first_frame_index'] == 0
    assert info['bboxes_xywh'].tolist() == [[20, 30, 90, 60]]
    assert info['visible'].tolist() == [True]
    assert dataset.get_frame_path(2, 0) == osp.join(coco_root, 'train2017', '000000000002.jpg')
    assert info['frame_path_template'].format(0) == dataset.get_frame_path(2, 0)
    assert [dataset.get_data_info(i)['category_id'] for i in range(3)] == [1, 18, 18]
    assert info['ann_id'] == 14 and info['image_id'] == 2
    [report] = sot_log.matching('unusable box')
    assert 'outside the image: 1' in report and '000000000002_13' in report
    assert 'instances_train2017.json' in report


def test_min_size_as_the_authors(coco_root):
    dataset = SOTCocoDataset(data_root=coco_root, bbox_min_size=50)
    assert [dataset.get_data_info(i)['video_name'] for i in range(len(dataset))] == [
        '000000000001_10', '000000000002_14']  # 11 is 20 x 20 px


def test_malformed_bbox(tmp_path):
    root = str(tmp_path)
    write_coco(osp.join(root, 'ann.json'),
               [dict(id=1, file_name='a.jpg', width=10, height=10)],
               [dict(id=5, image_id=1, category_id=1, bbox=[1, 2, 3], area=1, iscrowd=0)])
    with pytest.raises(AnnotationError, match=r'ann.json: annotation id 5'):
        SOTCocoDataset(data_root=root, ann_file='ann.json', data_prefix=dict(img_path=''))
