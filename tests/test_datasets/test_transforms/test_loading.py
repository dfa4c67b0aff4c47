import logging
from unittest import mock

import cv2
import numpy as np
import pytest
from _sot_frames import paint_frame

from procontext_mm.datasets.transforms import LoadSOTFrames
from procontext_mm.registry import TRANSFORMS


@pytest.fixture
def two_frames(tmp_path):
    paths = []
    for i, box in enumerate([(10, 20, 30, 40), (50, 60, 20, 10)]):
        path = tmp_path / f'{i}.png'
        cv2.imwrite(str(path), paint_frame(100, 120, box))
        paths.append(str(path))
    return paths


def test_reads_each_distinct_frame_once(two_frames):
    loader = TRANSFORMS.build(dict(type='LoadSOTFrames'))
    first, second = two_frames
    results = loader(dict(img_path=[first, second, first]))
    assert len(results['img']) == 3
    np.testing.assert_array_equal(results['img'][0], paint_frame(100, 120, (10, 20, 30, 40)))
    np.testing.assert_array_equal(results['img'][1], paint_frame(100, 120, (50, 60, 20, 10)))
    assert results['img'][2] is results['img'][0]  # decoded once, shared
    assert results['img'][0].dtype == np.uint8 and results['img'][0].shape == (100, 120, 3)
    assert results['ori_shape'] == [(100, 120)] * 3


def test_missing_frame_resamples_and_logs_the_file(two_frames, tmp_path):
    missing = str(tmp_path / 'missing.png')
    with mock.patch('procontext_mm.datasets.transforms.loading.print_log') as log:
        results = LoadSOTFrames()(dict(img_path=[two_frames[0], missing], video_name='vid'))
    assert results is None
    (message, ), kwargs = log.call_args
    assert missing in message and 'vid' in message
    assert kwargs['level'] == logging.WARNING


def test_corrupt_frame(tmp_path):
    corrupt = tmp_path / 'corrupt.jpg'
    corrupt.write_bytes(b'this is not a jpeg')
    with mock.patch('procontext_mm.datasets.transforms.loading.print_log') as log:
        assert LoadSOTFrames()(dict(img_path=[str(corrupt)])) is None
    assert str(corrupt) in log.call_args[0][0]
    with pytest.raises(OSError, match='corrupt.jpg'):
        LoadSOTFrames(on_error='raise')(dict(img_path=[str(corrupt)]))


def test_arguments_and_keys_are_checked():
    with pytest.raises(ValueError, match='on_error'):
        LoadSOTFrames(on_error='ignore')
    with pytest.raises(KeyError, match='img_path'):
        LoadSOTFrames()(dict())


def test_frame_cache_decodes_once_and_keeps_its_budget(two_frames, tmp_path):
    first, second = two_frames
    frame_mib = paint_frame(100, 120, (10, 20, 30, 40)).nbytes / 2**20
    loader = TRANSFORMS.build(dict(type='LoadSOTFrames', cache_mb=1.5 * frame_mib))
    cached = loader(dict(img_path=[first]))['img'][0]
    with mock.patch('mmcv.transforms.LoadImageFromFile.transform',
                    side_effect=AssertionError('decoded again')):
        again = loader(dict(img_path=[first]))['img'][0]
    assert again is cached and not cached.flags.writeable  # shared, so read-only
    # a second frame does not fit beside the first: the least recently used one goes
    loader(dict(img_path=[second]))
    assert list(loader._cache) == [second]
    np.testing.assert_array_equal(loader(dict(img_path=[first]))['img'][0], cached)
    with pytest.raises(ValueError, match='cache_mb'):
        TRANSFORMS.build(dict(type='LoadSOTFrames', cache_mb=-1))


def test_without_cache_frames_are_decoded_every_time(two_frames):
    loader = TRANSFORMS.build(dict(type='LoadSOTFrames'))
    one = loader(dict(img_path=[two_frames[0]]))['img'][0]
    other = loader(dict(img_path=[two_frames[0]]))['img'][0]
    assert one is not other and one.flags.writeable
