"""Tests of the built-in benchmark generator (GOT-10k layout from scikit-image's photos)."""
import ast
import json
import os
import os.path as osp
import runpy
import sys

import cv2
import numpy as np
import pytest

from procontext_apps.builtin_benchmark import (MANIFEST_NAME, PHOTO_SOURCES, BenchmarkSpec,
                                               PhotoLibrary, benchmark_fingerprint,
                                               content_hashes, cover_level,
                                               generate_builtin_benchmark, label_frame,
                                               load_manifest, plan_video, render_frame)
from procontext_apps.builtin_benchmark.photos import skimage_data_dir
from procontext_mm.datasets import GOT10kDataset

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
LABEL_FILES = ('groundtruth.txt', 'absence.label', 'cover.label', 'cut_by_image.label')
META_KEYS = ['url', 'begin_time', 'end_time', 'anno_fps', 'object_class', 'motion_class',
             'major_class', 'root_class', 'motion_adverb', 'resolution']

#: Small and short, with every event switched on; seed 1 has videos that leave the view and
#: videos where the occluder hides the target completely (checked below).
TINY = BenchmarkSpec(seed=1, num_train_videos=2, num_val_videos=2, train_frames=(60, 60),
                     val_frames=(60, 60), image_size=(160, 120), object_size=(20, 40),
                     occlusion_prob=1.0, out_of_view_prob=0.5, distractor_prob=1.0)


@pytest.fixture(scope='module')
def library():
    return PhotoLibrary()


@pytest.fixture(scope='module')
def tiny_root(tmp_path_factory):
    return generate_builtin_benchmark(str(tmp_path_factory.mktemp('bench') / 'tiny'), TINY,
                                      show_progress=False)


def read_lines(path):
    with open(path) as f:
        text = f.read()
    assert text.endswith('\n') and '\r' not in text
    return text.splitlines()


def read_sequence(root, split, name):
    """Labels of one sequence as numpy arrays, parsed from the files."""
    seq_dir = osp.join(root, split, name)
    boxes = np.array([[float(v) for v in line.split(',')]
                      for line in read_lines(osp.join(seq_dir, 'groundtruth.txt'))])
    flags = {f: np.array([int(v) for v in read_lines(osp.join(seq_dir, f))])
             for f in LABEL_FILES[1:]}
    return boxes, flags['absence.label'], flags['cover.label'], flags['cut_by_image.label']


def sequences(root):
    manifest = load_manifest(root)
    return [(split, i, name) for split, info in manifest['splits'].items()
            for i, name in enumerate(info['sequences'])]


# ---------------------------------------------------------------------- layout
def test_layout_is_got10k(tiny_root):
    assert sorted(os.listdir(tiny_root)) == [MANIFEST_NAME, 'train', 'val']
    for split, prefix in (('train', 'GOT-10k_Train_'), ('val', 'GOT-10k_Val_')):
        names = read_lines(osp.join(tiny_root, split, 'list.txt'))
        assert names == [f'{prefix}{i:06d}' for i in (1, 2)]
        assert sorted(os.listdir(osp.join(tiny_root, split))) == sorted(names + ['list.txt'])
        for name in names:
            seq_dir = osp.join(tiny_root, split, name)
            frames = sorted(f for f in os.listdir(seq_dir) if f.endswith('.jpg'))
            assert frames == [f'{i:08d}.jpg' for i in range(1, 61)]
            assert sorted(set(os.listdir(seq_dir)) - set(frames)) == sorted(
                LABEL_FILES + ('meta_info.ini', ))
            image = cv2.imread(osp.join(seq_dir, frames[0]))
            assert image.shape == (120, 160, 3)
            for line in read_lines(osp.join(seq_dir, 'groundtruth.txt')):
                values = line.split(',')
                assert len(values) == 4 and all(len(v.split('.')[1]) == 4 for v in values)
            boxes, absence, cover, cut = read_sequence(tiny_root, split, name)
            assert len(boxes) == len(absence) == len(cover) == len(cut) == 60
            assert set(absence) <= {0, 1} and set(cut) <= {0, 1} and set(cover) <= set(range(9))
            # the first frame shows the whole target, as GOT-10k's initialisation frames do
            assert absence[0] == 0 and cover[0] == 8 and cut[0] == 0
            meta = read_lines(osp.join(seq_dir, 'meta_info.ini'))
            assert meta[0] == '[METAINFO]'
            assert [line.split(': ')[0] for line in meta[1:]] == META_KEYS
            assert meta[-1] == 'resolution: (160, 120)'


def test_absent_frames_and_labels_are_consistent(tiny_root):
    seen_absent = seen_cut = seen_partial = False
    for split, _, name in sequences(tiny_root):
        boxes, absence, cover, cut = read_sequence(tiny_root, split, name)
        absent = absence == 1
        # GOT-10k writes -1,-1,-1,-1 for a target that is not there
        assert (boxes[absent] == -1).all()
        assert (boxes[~absent, 2:] >= 1).all()
        assert (boxes[~absent, :2] >= 0).all()
        assert (boxes[~absent, 0] + boxes[~absent, 2] <= 160).all()
        assert (boxes[~absent, 1] + boxes[~absent, 3] <= 120).all()
        assert ((cover == 0) == absent).all()
        assert not cut[absent].any()
        # a box touching the border with cover 8 would be a cut target labelled whole
        touching = ~absent & ((boxes[:, 0] == 0) | (boxes[:, 1] == 0) |
                              (boxes[:, 0] + boxes[:, 2] == 160) |
                              (boxes[:, 1] + boxes[:, 3] == 120))
        assert (cover[cut == 1] < 8).all()
        seen_absent |= absent.any()
        seen_cut |= bool(cut.any()) and bool(touching[cut == 1].all())
        seen_partial |= bool(((cover > 0) & (cover < 8)).any())
    assert seen_absent and seen_cut and seen_partial


def test_official_toolkit_reads_it(tiny_root):
    got10k = pytest.importorskip('got10k.datasets')
    dataset = got10k.GOT10k(tiny_root, subset='val', return_meta=True)
    assert len(dataset) == 2
    img_files, anno, meta = dataset[0]
    assert len(img_files) == 60 and anno.shape == (60, 4)
    assert ast.literal_eval(meta['resolution']) == (160, 120)
    assert meta['cover'].shape == meta['absence'].shape == meta['cut_by_image'].shape == (60, )
    assert meta['anno_fps'] == '10Hz'


def test_project_got10k_dataset_reads_it(tiny_root):
    for split in ('train', 'val'):
        dataset = GOT10kDataset(data_root=tiny_root, split=split)
        assert len(dataset) == 2 and dataset.num_all_imgs == 120
        for video_id in range(2):
            info = dataset.get_data_info(video_id)
            boxes, absence, cover, _ = read_sequence(tiny_root, split, info['video_name'])
            assert info['num_frames'] == 60 and info['first_frame_index'] == 1
            np.testing.assert_array_equal(info['visible'], absence == 0)
            np.testing.assert_array_equal(info['cover'], cover)
            np.testing.assert_allclose(info['bboxes_xywh'][absence == 0], boxes[absence == 0])
            assert osp.isfile(dataset.get_frame_path(video_id, 59))


# ---------------------------------------------------------------------- labels vs pixels
def test_boxes_and_flags_match_the_rendered_target(tiny_root, library):
    """Re-render every frame and derive the labels from the target's alpha independently."""
    kinds = set()
    for split, index, name in sequences(tiny_root):
        plan = plan_video(TINY, split, index, library)
        boxes, absence, cover, cut = read_sequence(tiny_root, split, name)
        for frame in range(plan.num_frames):
            rendered = render_frame(plan, frame, library)
            mask = rendered.target_alpha >= 0.5
            visible = np.count_nonzero(mask & (rendered.occluder_alpha < 0.5))
            if visible == 0:
                assert absence[frame] == 1, (name, frame)
                kinds.add('occluded' if mask.any() else 'out of view')
                continue
            assert absence[frame] == 0, (name, frame)
            rows, cols = np.nonzero(mask)
            expected = [cols.min(), rows.min(), cols.max() + 1 - cols.min(),
                        rows.max() + 1 - rows.min()]
            np.testing.assert_array_equal(boxes[frame], expected, err_msg=f'{name} {frame}')
            fraction = visible / rendered.target_pixels
            edges = [0.0, 0.15, 0.30, 0.45, 0.60, 0.75, 0.90]
            level = 8 if visible == rendered.target_pixels else 1 + sum(
                fraction > e + 1e-12 for e in edges[1:])
            assert cover[frame] == level, (name, frame, fraction)
            assert cut[frame] == int(np.count_nonzero(mask) < rendered.target_pixels)
        # what is written is what was rendered
        last = cv2.imread(osp.join(tiny_root, split, name, f'{plan.num_frames:08d}.jpg'))
        assert cv2.PSNR(last, rendered.image) > 30
    assert kinds == {'occluded', 'out of view'}


def test_pixels_changed_by_the_target_lie_in_its_box(tiny_root, library):
    """Render with and without the target: what it changes is what the box encloses."""
    checked = 0
    for split, index, name in sequences(tiny_root):
        plan = plan_video(TINY, split, index, library)
        boxes, absence, cover, _ = read_sequence(tiny_root, split, name)
        for frame in range(0, plan.num_frames, 3):
            with_target = render_frame(plan, frame, library).image.astype(int)
            without = render_frame(plan, frame, library, with_target=False).image.astype(int)
            changed = np.abs(with_target - without).max(axis=2) > 24
            if absence[frame]:
                assert not changed.any() or plan.occluder is not None
                continue
            if cover[frame] < 8:
                continue
            x, y, w, h = boxes[frame].astype(int)
            inside = np.zeros_like(changed)
            inside[max(y - 2, 0):y + h + 2, max(x - 2, 0):x + w + 2] = True  # 2 px soft edge
            assert not (changed & ~inside).any(), (name, frame)
            rows, cols = np.nonzero(changed)
            cx1, cy1, cx2, cy2 = cols.min(), rows.min(), cols.max() + 1, rows.max() + 1
            inter = max(0, min(cx2, x + w) - max(cx1, x)) * max(0, min(cy2, y + h) - max(cy1, y))
            union = (cx2 - cx1) * (cy2 - cy1) + w * h - inter
            assert inter / union > 0.7, (name, frame)
            checked += 1
    assert checked > 20


@pytest.mark.parametrize('visible,total,level', [(0, 100, 0), (1, 100, 1), (15, 100, 1),
                                                 (16, 100, 2), (30, 100, 2), (31, 100, 3),
                                                 (90, 100, 6), (91, 100, 7), (99, 100, 7),
                                                 (100, 100, 8), (1, 1, 8)])
def test_cover_levels_follow_got10k(visible, total, level):
    # GOT-10k: 0 %, (0, 15 %], (15, 30 %], ..., (75, 90 %], (90, 100 %), 100 %
    assert cover_level(visible, total) == level


def test_cover_level_rejects_bad_counts():
    with pytest.raises(ValueError):
        cover_level(5, 4)
    with pytest.raises(ValueError):
        cover_level(0, 0)


# ---------------------------------------------------------------------- determinism, manifest
def test_same_spec_same_files(tiny_root, tmp_path):
    again = generate_builtin_benchmark(str(tmp_path / 'again'), TINY, show_progress=False)
    for split, _, name in sequences(tiny_root):
        for filename in LABEL_FILES + ('meta_info.ini', ):
            with open(osp.join(tiny_root, split, name, filename), 'rb') as a, \
                    open(osp.join(again, split, name, filename), 'rb') as b:
                assert a.read() == b.read(), (name, filename)
        for frame in (1, 30, 60):
            a = cv2.imread(osp.join(tiny_root, split, name, f'{frame:08d}.jpg'))
            b = cv2.imread(osp.join(again, split, name, f'{frame:08d}.jpg'))
            np.testing.assert_array_equal(a, b)
    first, second = load_manifest(tiny_root), load_manifest(again)
    for key in ('fingerprint', 'labels_sha256', 'images_sha256', 'spec'):
        assert first[key] == second[key]


def test_video_does_not_depend_on_other_videos(library):
    small = BenchmarkSpec(seed=1, num_train_videos=1, num_val_videos=1)
    large = BenchmarkSpec(seed=1, num_train_videos=5, num_val_videos=3)
    a, b = plan_video(small, 'val', 0, library), plan_video(large, 'val', 0, library)
    np.testing.assert_array_equal(a.target.centre_xy, b.target.centre_xy)
    other = plan_video(BenchmarkSpec(seed=2), 'val', 0, library)
    assert not np.array_equal(a.target.centre_xy[:10], other.target.centre_xy[:10])


def test_manifest_records_spec_photos_and_hashes(tiny_root):
    manifest = load_manifest(tiny_root)
    assert manifest['layout'] == 'GOT-10k'
    assert BenchmarkSpec.from_dict(manifest['spec']) == TINY
    assert manifest['fingerprint'] == benchmark_fingerprint(TINY)
    names = {split: info['sequences'] for split, info in manifest['splits'].items()}
    assert content_hashes(tiny_root, names) == (manifest['labels_sha256'],
                                                manifest['images_sha256'])
    assert set(manifest['photos']) == set(PHOTO_SOURCES)
    assert all(p['licence'] and len(p['sha256']) == 64 for p in manifest['photos'].values())


def test_existing_benchmark_is_reused_or_refused(tiny_root, tmp_path):
    manifest_path = osp.join(tiny_root, MANIFEST_NAME)
    stamp = os.stat(manifest_path).st_mtime_ns
    assert generate_builtin_benchmark(tiny_root, TINY, show_progress=False) == tiny_root
    assert os.stat(manifest_path).st_mtime_ns == stamp  # reused, not regenerated

    root = str(tmp_path / 'bench')
    generate_builtin_benchmark(root, TINY, show_progress=False)
    other = BenchmarkSpec(seed=2, num_train_videos=1, num_val_videos=1, train_frames=(20, 20),
                          val_frames=(20, 20), image_size=(128, 96), object_size=(16, 32))
    with pytest.raises(FileExistsError, match='another spec'):
        generate_builtin_benchmark(root, other, show_progress=False)
    generate_builtin_benchmark(root, other, overwrite=True, show_progress=False)
    assert load_manifest(root)['fingerprint'] == benchmark_fingerprint(other)
    assert read_lines(osp.join(root, 'val', 'list.txt')) == ['GOT-10k_Val_000001']

    foreign = tmp_path / 'foreign'
    foreign.mkdir()
    (foreign / 'notes.txt').write_text('not a benchmark')
    with pytest.raises(FileExistsError, match='not a built-in benchmark'):
        generate_builtin_benchmark(str(foreign), other, overwrite=True, show_progress=False)
    assert (foreign / 'notes.txt').exists()


# ---------------------------------------------------------------------- spec, photos, CLI
@pytest.mark.parametrize('kwargs', [dict(seed=-1), dict(num_val_videos=-1),
                                    dict(train_frames=(10, 20)), dict(val_frames=(50, 40)),
                                    dict(image_size=(64, 240)), dict(object_size=(30, 20)),
                                    dict(object_size=(20, 200)), dict(occlusion_prob=1.5),
                                    dict(max_distractors=0), dict(jpeg_quality=0),
                                    dict(num_train_videos=2.5)])
def test_spec_rejects_bad_values(kwargs):
    with pytest.raises(ValueError, match='BenchmarkSpec'):
        BenchmarkSpec(**kwargs)


def test_spec_round_trips_through_json():
    spec = BenchmarkSpec(seed=7, train_frames=[30, 40], image_size=[200, 150])
    assert spec.train_frames == (30, 40)
    assert BenchmarkSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
    with pytest.raises(ValueError, match='Unknown BenchmarkSpec field'):
        BenchmarkSpec.from_dict(dict(seed=1, colour=True))


def test_photos_ship_with_scikit_image(library):
    data_dir = skimage_data_dir()
    for name, source in PHOTO_SOURCES.items():
        assert osp.isfile(osp.join(data_dir, source.filename)), name
        assert source.licence and source.credit and source.url
        image = library.photo(name)
        assert image.ndim == 3 and image.dtype == np.uint8 and min(image.shape[:2]) >= 200


def test_cli_writes_a_benchmark(tmp_path, monkeypatch, capsys):
    root = str(tmp_path / 'cli')
    argv = ['make_builtin_benchmark.py', root, '--seed', '3', '--num-train', '1', '--num-val',
            '1', '--frames', '20', '--image-size', '128', '96']
    monkeypatch.setattr(sys, 'argv', argv)
    runpy.run_path(osp.join(REPO_ROOT, 'tools', 'misc', 'make_builtin_benchmark.py'),
                   run_name='__main__')
    assert 'labels_sha256' in capsys.readouterr().out
    spec = BenchmarkSpec.from_dict(load_manifest(root)['spec'])
    assert (spec.seed, spec.val_frames, spec.image_size) == (3, (20, 20), (128, 96))
    boxes, *_ = read_sequence(root, 'train', 'GOT-10k_Train_000001')
    assert len(boxes) == 20
    # the same command again is refused with other arguments
    monkeypatch.setattr(sys, 'argv', argv[:3] + ['4'] + argv[4:])
    with pytest.raises(SystemExit, match='another spec'):
        runpy.run_path(osp.join(REPO_ROOT, 'tools', 'misc', 'make_builtin_benchmark.py'),
                       run_name='__main__')


def test_label_frame_of_a_frame_without_target(library):
    plan = plan_video(TINY, 'val', 0, library)
    label = label_frame(render_frame(plan, 0, library, with_target=False))
    assert label.absent and label.cover == 0 and label.bbox_xywh == (-1.0, -1.0, -1.0, -1.0)
