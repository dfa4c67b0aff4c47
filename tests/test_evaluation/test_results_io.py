"""Result files and submission archives: round trips, toolkit byte-compatibility, errors."""
import io
import os
import zipfile

import numpy as np
import pytest

from procontext_mm.evaluation import (import_tracking_results, load_tracking_results,
                                      make_got10k_submission,
                                      make_trackingnet_submission, read_bboxes_file,
                                      read_times_file, read_vot_results, result_paths,
                                      write_tracking_results, write_vot_results)

BOXES = np.array([[1.25, 2.5, 30.0, 40.125], [3.0, 4.0, 0.0, 5.0], [-7.5, 8.0, 9.0, 10.0]])
TIMES = np.array([0.01, np.nan, 0.025])


@pytest.mark.parametrize('benchmark', ['got10k', 'otb', 'lasot', 'trackingnet'])
def test_round_trip(benchmark, tmp_path):
    written = write_tracking_results(str(tmp_path), 'seq-1', BOXES, benchmark, TIMES)
    assert written == list(result_paths(str(tmp_path), 'seq-1', benchmark))
    loaded = load_tracking_results(str(tmp_path), ['seq-1'], benchmark, {'seq-1': 3})['seq-1']
    expected = BOXES[None] if benchmark == 'got10k' else BOXES  # got10k: (runs, L, 4)
    np.testing.assert_array_equal(loaded['bboxes_xywh'], expected)
    np.testing.assert_array_equal(loaded['times'], TIMES)


@pytest.mark.parametrize('benchmark, experiment', [('got10k', 'ExperimentGOT10k'),
                                                   ('otb', 'ExperimentOTB'),
                                                   ('vot', 'ExperimentVOT')])
def test_files_identical_to_toolkit_records(benchmark, experiment, tmp_path):
    experiments = pytest.importorskip('got10k.experiments')
    ours = write_tracking_results(str(tmp_path / 'ours'), 'seq', BOXES, benchmark, TIMES)
    theirs_box = result_paths(str(tmp_path / 'toolkit'), 'seq', benchmark)[0]
    records = [[1]] + list(BOXES[1:]) if benchmark == 'vot' else BOXES
    getattr(experiments, experiment)._record(None, theirs_box, records, TIMES)
    theirs = result_paths(str(tmp_path / 'toolkit'), 'seq', benchmark)
    for our_file, their_file in zip(ours, theirs):
        with open(our_file) as f1, open(their_file) as f2:
            assert f1.read() == f2.read(), our_file


def test_vot_round_trip(tmp_path):
    records = [1, np.array([1.0, 2.0, 3.0, 4.0]), 2, 0, 0, 1, np.arange(8, dtype=float)]
    box_file = write_vot_results(str(tmp_path), 'ball', records, np.arange(7) * 0.1)[0]
    assert box_file == os.path.join(str(tmp_path), 'ball', 'ball_001.txt')
    loaded = read_vot_results(box_file, 'ball', num_frames=7)
    assert [np.ndim(r) == 0 and r for r in loaded] == [1, False, 2, 0, 0, 1, False]
    np.testing.assert_array_equal(loaded[6], np.arange(8))
    with pytest.raises(ValueError, match='status 3'):
        write_vot_results(str(tmp_path), 'ball', [3])


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize('text, message', [
    ('1,2,3,4\n1,2,3\n', r'line 2: expected 4 numbers'),
    ('1,2,3,4\n1,2,3,4\nfoo,2,3,4\n', r'line 3: not numeric'),
    ('1,2,3,4\n1,NaN,3,4\n', r'line 2: non-finite'),
    ('1,2,3,4\n\n1,2,3,4\n', r'line 2: empty line'),
])
def test_bad_box_file_names_sequence_and_line(text, message, tmp_path):
    path = _write(tmp_path / 'GOT-10k_Val_000001.txt', text)
    with pytest.raises(ValueError, match=r'GOT-10k_Val_000001\.txt \(sequence v1\), ' + message):
        read_bboxes_file(path, 'v1')


def test_wrong_row_count_and_separators(tmp_path):
    path = _write(tmp_path / 'a.txt', '1\t2\t3\t4\n5 6 7 8\n\n')  # tabs, spaces, trailing blank
    np.testing.assert_array_equal(read_bboxes_file(path), [[1, 2, 3, 4], [5, 6, 7, 8]])
    with pytest.raises(ValueError, match=r'sequence a\): 2 rows but the sequence has 3 frames'):
        read_bboxes_file(path, 'a', num_frames=3)
    time_path = _write(tmp_path / 'a_time.txt', '0.1\nx\n')
    with pytest.raises(ValueError, match='line 2: not numeric'):
        read_times_file(time_path, 'a')


def test_missing_sequences_are_reported(tmp_path):
    write_tracking_results(str(tmp_path), 'present', BOXES, 'lasot')
    with pytest.raises(FileNotFoundError, match=r'2 of 3 sequences .*: absent-1, absent-2'):
        load_tracking_results(str(tmp_path), ['present', 'absent-1', 'absent-2'], 'lasot')
    with pytest.raises(FileNotFoundError, match='absent-1'):
        load_tracking_results(str(tmp_path), ['absent-1'], 'got10k')
    with pytest.raises(FileNotFoundError, match='No result file'):
        read_bboxes_file(str(tmp_path / 'nothing.txt'))


def test_got10k_submission_format(tmp_path):
    names = ['GOT-10k_Test_000001', 'GOT-10k_Test_000002']
    boxes = {names[0]: BOXES, names[1]: BOXES[:2]}
    times = {names[0]: TIMES, names[1]: np.array([0.1, 0.2])}
    zip_path = make_got10k_submission(str(tmp_path / 'sub.zip'), boxes, times)
    with zipfile.ZipFile(zip_path) as archive:
        # the archive root holds one folder per sequence, as the server expects
        assert sorted(archive.namelist()) == sorted(f'{n}/{n}_{suffix}.txt' for n in names
                                                    for suffix in ('001', 'time'))
        for name in names:
            content = archive.read(f'{name}/{name}_001.txt').decode()
            rows = np.loadtxt(io.StringIO(content), delimiter=',', ndmin=2)
            np.testing.assert_array_equal(rows, boxes[name])
            time_rows = np.loadtxt(io.StringIO(archive.read(f'{name}/{name}_time.txt').decode()),
                                   delimiter=',')
            np.testing.assert_array_equal(time_rows, times[name])


def test_trackingnet_submission_format(tmp_path):
    boxes = {'-3TIfnTSM6c_2': BOXES, 'a1qoB1eERn0_0': BOXES[:1]}
    zip_path = make_trackingnet_submission(str(tmp_path / 'sub.zip'), boxes)
    with zipfile.ZipFile(zip_path) as archive:
        assert sorted(archive.namelist()) == sorted(f'{n}.txt' for n in boxes)  # flat root
        for name, expected in boxes.items():
            content = archive.read(f'{name}.txt').decode()
            assert len(content.splitlines()) == len(expected)
            np.testing.assert_array_equal(np.loadtxt(io.StringIO(content), delimiter=',', ndmin=2),
                                          expected)


def _pytracking_files(folder, name, boxes, times):
    """What pytracking's / OSTrack's running.py writes: tab-separated integer boxes
    (astype(int)), '%f' times beside them."""
    os.makedirs(folder, exist_ok=True)
    np.savetxt(os.path.join(folder, f'{name}.txt'), np.asarray(boxes).astype(int),
               delimiter='\t', fmt='%d')
    np.savetxt(os.path.join(folder, f'{name}_time.txt'), times, delimiter='\t', fmt='%f')


@pytest.mark.parametrize('benchmark, dataset, subdir, prefix, source', [
    ('lasot', 'lasot', '', '', 'pytracking'),
    ('otb', 'uav123', '', 'uav_', 'pytracking'),  # pytracking names UAV123 uav_<seq>
    ('got10k', 'got10k', 'got10k', '', 'ostrack'),  # OSTrack: <config>/got10k/<seq>.txt
    ('trackingnet', 'trackingnet', 'trackingnet', '', 'ostrack'),
])
def test_import_pytracking_and_ostrack_folders(benchmark, dataset, subdir, prefix, source,
                                               tmp_path):
    names = ['seq-1', 'seq-2']
    for name in names:
        _pytracking_files(str(tmp_path / subdir), prefix + name, BOXES + 0.7, TIMES[[0, 0, 2]])
    imported = import_tracking_results(str(tmp_path), names, benchmark, dataset=dataset,
                                       num_frames={n: 3 for n in names})
    assert imported['source'] == source
    assert imported['folder'] == os.path.normpath(str(tmp_path / subdir))
    loaded = imported['sequences']['seq-2']
    np.testing.assert_array_equal(loaded['bboxes'], np.trunc(BOXES + 0.7))
    np.testing.assert_allclose(loaded['times'], TIMES[[0, 0, 2]], atol=1e-6)
    assert loaded['box_file'].endswith(f'{prefix}seq-2.txt')


def test_import_toolkit_folders_and_forced_source(tmp_path):
    for benchmark in ('got10k', 'lasot'):
        folder = str(tmp_path / benchmark)
        for repetition in (1, 2):
            write_tracking_results(folder, 'seq-1', BOXES * repetition, benchmark, TIMES,
                                   repetition=repetition)
        imported = import_tracking_results(folder, ['seq-1'], benchmark)
        assert imported['source'] == 'toolkit' and imported['folder'] == folder
        expected = np.stack([BOXES, 2 * BOXES]) if benchmark == 'got10k' else 2 * BOXES
        np.testing.assert_allclose(imported['sequences']['seq-1']['bboxes'], expected)
    # a flat folder without time files reads the same either way; a forced source is obeyed
    with pytest.raises(FileNotFoundError, match=r'in the pytracking layout .*seq-1\.txt'):
        import_tracking_results(str(tmp_path / 'got10k'), ['seq-1'], 'got10k',
                                source='pytracking')


def test_import_errors_name_the_file(tmp_path):
    _pytracking_files(str(tmp_path), 'a', BOXES, TIMES)
    _pytracking_files(str(tmp_path), 'b', BOXES[:2], TIMES[:2])
    with pytest.raises(ValueError, match=r'b\.txt \(sequence b\): 2 rows but the sequence '
                                         r'has 3 frames'):
        import_tracking_results(str(tmp_path), ['a', 'b'], 'lasot', num_frames={'a': 3, 'b': 3})
    with pytest.raises(FileNotFoundError, match=r'1 of 2 sequences .* pytracking layout'):
        import_tracking_results(str(tmp_path), ['a', 'c'], 'lasot')
    _write(tmp_path / 'bad' / 'a.txt', '1\t2\t3\t4\n1\t2\tx\t4\n')
    with pytest.raises(ValueError, match=r'a\.txt \(sequence a\), line 2: not numeric'):
        import_tracking_results(str(tmp_path / 'bad'), ['a'], 'otb')
    with pytest.raises(ValueError, match="Unknown result source 'mmtrack'"):
        import_tracking_results(str(tmp_path), ['a'], 'otb', source='mmtrack')
