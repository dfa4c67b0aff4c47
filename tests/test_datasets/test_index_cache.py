import json
import os

import numpy as np
import pytest

from procontext_mm.datasets.index_cache import (IndexCache, SOTIndex, SOTIndexBuilder, StringTable,
                                                default_cache_dir, files_fingerprint)


def _small_index(root='/data'):
    builder = SOTIndexBuilder(root=root)
    builder.add_video('vidéo-1', 'a/{:08d}.jpg', 'a/groundtruth.txt',
                      np.arange(12, dtype=np.float32).reshape(3, 4), [True, False, True],
                      first_frame_index=1, img_size_wh=(640, 480),
                      cover=np.array([8, 0, 3], np.int8))
    builder.add_video('b', 'b/{:d}.jpg', 'b/gt.txt', np.full((2, 4), np.nan), [True, True],
                      num_annotated=1, cover=np.array([-1, -1], np.int8))
    return builder.build()


def test_string_table_roundtrip():
    strings = ['', 'GOT-10k_Train_000001', 'ünïcödé/{:08d}.jpg', 'x' * 300]
    table = StringTable.from_list(strings)
    assert len(table) == 4 and table.to_list() == strings and table[2] == strings[2]
    assert table.data.dtype == np.uint8 and table.offsets.dtype == np.int64


def test_index_layout_and_save_load(tmp_path):
    index = _small_index()
    assert index.num_videos == 2 and index.num_frames == 5
    assert index.frame_offsets.tolist() == [0, 3, 5]
    assert index.video_rows(1) == slice(3, 5)
    assert index.frame_video_ids().tolist() == [0, 0, 0, 1, 1]
    assert index.num_annotated.tolist() == [3, 1]
    assert index.img_size_wh.tolist() == [[640, 480], [-1, -1]]
    assert index.ann_file(1) == '/data/b/gt.txt'
    path = str(tmp_path / 'index.npz')
    index.save(path)
    loaded = SOTIndex.load(path)
    for name in ('frame_offsets', 'visible', 'first_frame_index', 'num_annotated',
                 'img_size_wh'):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(index, name))
    np.testing.assert_array_equal(loaded.bboxes_xywh, index.bboxes_xywh)  # NaN == NaN here
    assert loaded.video_names.to_list() == ['vidéo-1', 'b']
    assert loaded.frame_templates[1] == 'b/{:d}.jpg' and loaded.root == '/data'
    assert loaded.frame_extras['cover'].tolist() == [8, 0, 3, -1, -1]
    assert loaded.line_based


def test_builder_rejects_inconsistent_extras():
    builder = SOTIndexBuilder(root='')
    builder.add_video('a', 'a', 'a', np.zeros((1, 4)), [True], cover=np.zeros(1, np.int8))
    with pytest.raises(KeyError, match='extras'):
        builder.add_video('b', 'b', 'b', np.zeros((1, 4)), [True])


def test_fingerprint_tracks_size_mtime_and_existence(tmp_path):
    a, b = tmp_path / 'a.txt', tmp_path / 'b.txt'
    a.write_text('1,2,3,4\n')
    digest, count = files_fingerprint([str(a), str(b)])
    assert count == 2
    assert files_fingerprint([str(a), str(b)])[0] == digest
    b.write_text('0\n')  # a missing file appears
    with_b = files_fingerprint([str(a), str(b)])[0]
    assert with_b != digest
    stat = os.stat(a)
    os.utime(a, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1000))  # touched
    assert files_fingerprint([str(a), str(b)])[0] != with_b


def test_index_cache_load_save(tmp_path):
    cache = IndexCache('Fake', '/data', dict(split='train'), cache_dir=str(tmp_path))
    assert cache.load('f1') is None
    cache.save(_small_index(), 'f1', num_files=7)
    record = json.loads(open(cache.json_path).read())
    assert record['num_files'] == 7 and record['num_frames'] == 5
    assert cache.load('f1').num_frames == 5
    assert cache.load('f2') is None  # files changed
    other = IndexCache('Fake', '/data', dict(split='val'), cache_dir=str(tmp_path))
    assert other.npz_path != cache.npz_path and other.load('f1') is None
    with open(cache.npz_path, 'wb') as f:  # a truncated cache is rebuilt, not an error
        f.write(b'garbage')
    assert cache.load('f1') is None


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv('PROCONTEXT_MM_CACHE_DIR', str(tmp_path))
    assert default_cache_dir() == str(tmp_path)
    monkeypatch.delenv('PROCONTEXT_MM_CACHE_DIR')
    monkeypatch.setenv('XDG_CACHE_HOME', '/xdg')
    assert default_cache_dir() == '/xdg/procontext_mm/sot_index'


def test_video_extras_of_any_fixed_shape_survive_the_cache(tmp_path):
    builder = SOTIndexBuilder(root='')
    builder.add_video('a', 'a', 'a', np.zeros((2, 4)), [True, True],
                      video_extras=dict(language='un vélo blanc', attributes=np.ones(3, np.int8)))
    builder.add_video('b', 'b', 'b', np.zeros((1, 4)), [True],
                      video_extras=dict(language='', attributes=np.zeros(3, np.int8)))
    with pytest.raises(KeyError, match=r"video c: video extras \['language'\] differ"):
        builder.add_video('c', 'c', 'c', np.zeros((1, 4)), [True],
                          video_extras=dict(language='x'))
    path = str(tmp_path / 'index.npz')
    builder.build().save(path)
    loaded = SOTIndex.load(path)  # no pickling: strings are a fixed-width unicode array
    assert loaded.video_extras['language'].tolist() == ['un vélo blanc', '']
    assert loaded.video_extras['attributes'].tolist() == [[1, 1, 1], [0, 0, 0]]
