import cv2
import numpy as np
import pytest

from procontext_mm.datasets import UnreadableFrameError, VideoFrames


def _write_frames(folder, count):
    folder.mkdir()
    files = []
    for index in range(count):
        path = folder / f'{index:03d}.png'
        cv2.imwrite(str(path), np.full((6, 8, 3), 10 * index, np.uint8))
        files.append(str(path))
    return files


def test_folder_frames_sorted_with_numbers_as_numbers(tmp_path):
    for name, value in [('f10.png', 10), ('f2.png', 2), ('f1.jpg', 1), ('notes.txt', None)]:
        if value is None:
            (tmp_path / name).write_text('not a frame')
        else:
            cv2.imwrite(str(tmp_path / name), np.full((8, 8, 3), value, np.uint8))
    frames = VideoFrames(str(tmp_path))
    assert len(frames) == 3 and frames.fps is None
    assert [int(f[0, 0, 0]) for f in frames] == [1, 2, 10]


def test_random_access_equals_iteration_for_folders_files_and_videos(tmp_path):
    files = _write_frames(tmp_path / 'frames', 5)
    video = str(tmp_path / 'video.avi')
    writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'MJPG'), 10., (8, 6))
    for path in files:
        writer.write(cv2.imread(path))
    writer.release()
    for frames in (VideoFrames(str(tmp_path / 'frames')), VideoFrames.from_files(files[::-1]),
                   VideoFrames(video)):
        in_order = list(frames)
        assert len(in_order) == len(frames) == 5
        for index in (0, 3, -1):
            np.testing.assert_array_equal(frames[index], in_order[index])
    # a list of files keeps its own order
    assert [int(f[0, 0, 0]) for f in VideoFrames.from_files(files[::-1])] == [40, 30, 20, 10, 0]


def test_index_out_of_range_and_unreadable_file_are_named(tmp_path):
    files = _write_frames(tmp_path / 'frames', 2)
    frames = VideoFrames.from_files(files + [str(tmp_path / 'missing.png')], name='seq')
    with pytest.raises(IndexError, match='seq: frame 3 of a 3-frame video'):
        frames[3]
    with pytest.raises(FileNotFoundError, match='missing.png: no such frame file'):
        frames[2]
    (tmp_path / 'broken.png').write_bytes(b'\x89PNG truncated')
    with pytest.raises(UnreadableFrameError, match='broken.png'):
        VideoFrames.from_files([str(tmp_path / 'broken.png')])[0]
    assert frames.describe(2).endswith('missing.png')
