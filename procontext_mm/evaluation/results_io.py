"""Tracker result files of the SOT benchmarks: readers, writers and submission archives.

Layouts (relative to a result directory; boxes are ``x1,y1,w,h`` in pixels, one frame a line,
the first frame included):

=============================  =====================================  ==============================
benchmark                      boxes                                   times (seconds, one per line)
=============================  =====================================  ==============================
``got10k``                     ``<seq>/<seq>_001.txt`` (``_002``...    ``<seq>/<seq>_time.txt``
                               for repetitions), comma-separated       (one column per repetition)
``otb`` / ``lasot`` /          ``<seq>.txt``                           ``times/<seq>_time.txt``
``trackingnet``
``vot`` (raw, VOT toolkit)     ``<seq>/<seq>_001.txt``: a line is      ``<seq>/<seq>_time.txt``
                               ``1`` (initialised), ``2`` (failure),
                               ``0`` (skipped) or a box ``x,y,w,h``
=============================  =====================================  ==============================

These are the layouts the ``got10k`` toolkit writes and reads (``ExperimentGOT10k``,
``ExperimentOTB`` and its LaSOT / TrackingNet children, ``ExperimentVOT``). Submission archives:

* GOT-10k test server: a zip whose root holds one folder per sequence with
  ``<seq>_001.txt`` and ``<seq>_time.txt`` (what the toolkit's ``report`` zips).
* TrackingNet test server: a zip whose root holds ``<seq>.txt`` for every sequence.

Other codebases' result folders (:func:`import_tracking_results`, :data:`RESULT_SOURCES`):

* ``toolkit``: the layouts above (the got10k toolkit's, this project's).
* ``pytracking``: ``<seq>.txt`` (``x, y, w, h`` per frame, tab-separated integers as
  pytracking's ``running.py`` writes them; commas also read) and ``<seq>_time.txt`` beside it,
  in ``<results>/<tracker>/<parameter>[_<run>]/``. UAV123 / NfS sequences carry pytracking's
  prefixes (``uav_bike1``, ``nfs_Gymnastics``, :data:`PYTRACKING_NAME_PREFIXES`). OSTrack
  (``output/test/tracking_results/<tracker>/<config>/``) writes the same files.
* ``ostrack``: OSTrack puts GOT-10k and TrackingNet results one folder deeper,
  ``<config>/got10k/<seq>.txt``, ``<config>/trackingnet/<seq>.txt``; any dataset sub-folder
  named as in pytracking / OSTrack (:data:`PYTRACKING_DATASETS`) is read the same way.

Imported boxes are the files' rows as they are: their convention (``xywh`` / ``xyxy``, origin)
is checked against the ground truth by
:func:`~procontext_mm.evaluation.functional.detect_box_format`.

Readers accept commas, tabs or spaces between numbers. Every malformed file is a
``ValueError`` naming the file, the sequence and the 1-based line; a missing result is a
``FileNotFoundError`` naming the sequence(s).
"""
import io
import os.path as osp
import re
import zipfile
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.fileio import exists, get_text, list_dir_or_file, put, put_text

#: Benchmarks whose raw result layout is known.
RESULT_LAYOUTS = ('got10k', 'otb', 'lasot', 'trackingnet', 'vot')
#: Codebases whose result folders :func:`import_tracking_results` reads (module docstring).
RESULT_SOURCES = ('toolkit', 'pytracking', 'ostrack')
#: Dataset names of pytracking / OSTrack (``lib/test/evaluation/datasets.py``), by the
#: benchmark names of this project; OSTrack's result sub-folder has this name.
PYTRACKING_DATASETS = dict(got10k='got10k', trackingnet='trackingnet', lasot='lasot',
                           lasot_ext='lasot_extension_subset', otb='otb', uav123='uav',
                           nfs='nfs', tnl2k='tnl2k')
#: Prefixes pytracking / OSTrack add to the sequence names of some datasets.
PYTRACKING_NAME_PREFIXES = dict(uav='uav_', nfs='nfs_')
#: VOT status lines: initialised, skipped (after a failure), failure.
VOT_INIT, VOT_SKIP, VOT_FAILURE = 1, 0, 2

_SPLIT = re.compile(r'[,\s]+')
VOTRecord = Union[int, np.ndarray]


def result_paths(result_dir: str,
                 seq_name: str,
                 benchmark: str,
                 repetition: int = 1) -> Tuple[str, str]:
    """Paths of a sequence's box file and time file in a benchmark's layout.

    Args:
        result_dir (str): Result directory of one tracker.
        seq_name (str): Official sequence name.
        benchmark (str): One of :data:`RESULT_LAYOUTS`.
        repetition (int): 1-based run index (``got10k`` / ``vot`` only). Defaults to 1.

    Returns:
        tuple[str, str]: (box file, time file).
    """
    _check_layout(benchmark)
    if benchmark in ('got10k', 'vot'):
        return (osp.join(result_dir, seq_name, f'{seq_name}_{repetition:03d}.txt'),
                osp.join(result_dir, seq_name, f'{seq_name}_time.txt'))
    return (osp.join(result_dir,
                     f'{seq_name}.txt'), osp.join(result_dir, 'times', f'{seq_name}_time.txt'))


def read_bboxes_file(path: str,
                     seq_name: Optional[str] = None,
                     num_frames: Optional[int] = None) -> np.ndarray:
    """Read a box file: one ``x1,y1,w,h`` line per frame.

    Args:
        path (str): File to read.
        seq_name (str, optional): Sequence name for error messages. Defaults to the file name.
        num_frames (int, optional): Expected number of rows (the sequence length).

    Returns:
        np.ndarray: (L, 4) float64 boxes xywh in pixels.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: On a row that is empty, has not 4 numbers, or a non-finite number, or a
            wrong row count.
    """
    rows = _read_rows(path, seq_name)
    where = _where(path, seq_name)
    for line_no, values in rows:
        if len(values) != 4:
            raise ValueError(f'{where}, line {line_no}: expected 4 numbers x,y,w,h, '
                             f'got {len(values)}.')
        _check_finite(values, where, line_no)
    _check_num_rows(len(rows), num_frames, where)
    return np.array([values for _, values in rows], dtype=np.float64).reshape(-1, 4)


def read_times_file(path: str,
                    seq_name: Optional[str] = None,
                    num_frames: Optional[int] = None) -> np.ndarray:
    """Read a time file: per frame, one time in seconds per repetition (NaN allowed).

    Args:
        path (str): File to read.
        seq_name (str, optional): Sequence name for error messages.
        num_frames (int, optional): Expected number of rows.

    Returns:
        np.ndarray: (L,) float64 times, or (L, R) for R repetitions.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: On a non-numeric value, ragged rows or a wrong row count.
    """
    rows = _read_rows(path, seq_name)
    where = _where(path, seq_name)
    width = len(rows[0][1]) if rows else 1
    for line_no, values in rows:
        if len(values) != width:
            raise ValueError(f'{where}, line {line_no}: expected {width} time(s), '
                             f'got {len(values)}.')
    _check_num_rows(len(rows), num_frames, where)
    times = np.array([values for _, values in rows], dtype=np.float64).reshape(-1, width)
    return times[:, 0] if width == 1 else times


def write_bboxes_file(path: str, bboxes_xywh: np.ndarray, fmt: str = '%.3f') -> None:
    """Write (L, 4) boxes xywh as comma-separated lines (the toolkits' ``%.3f``)."""
    bboxes_xywh = np.asarray(bboxes_xywh, dtype=np.float64).reshape(-1, 4)
    put_text(_format_rows(bboxes_xywh, fmt), path)


def write_times_file(path: str, times: np.ndarray, fmt: str = '%.8f') -> None:
    """Write (L,) or (L, R) times in seconds, one frame a line (the toolkits' ``%.8f``)."""
    times = np.asarray(times, dtype=np.float64)
    put_text(_format_rows(times.reshape(len(times), -1), fmt), path)


def write_tracking_results(out_dir: str,
                           seq_name: str,
                           bboxes_xywh: np.ndarray,
                           benchmark: str,
                           times: Optional[np.ndarray] = None,
                           repetition: int = 1) -> List[str]:
    """Write one sequence's results in a benchmark's raw layout (see the module docstring).

    Args:
        out_dir (str): Result directory of one tracker.
        seq_name (str): Official sequence name.
        bboxes_xywh (np.ndarray): (L, 4) predicted boxes xywh in pixels, first frame included.
        benchmark (str): One of :data:`RESULT_LAYOUTS`; ``vot`` writes the OPE-style raw
            file (``1`` on the first frame, then boxes).
        times (np.ndarray, optional): (L,) frame times in seconds, or (L, R) for all R runs
            (the time file holds one column per run and is rewritten).
        repetition (int): 1-based run index for ``got10k`` / ``vot``. Defaults to 1.

    Returns:
        list[str]: Paths written.
    """
    if benchmark == 'vot':
        return write_vot_results(out_dir, seq_name, vot_records_from_bboxes(bboxes_xywh), times,
                                 repetition)
    bbox_path, time_path = result_paths(out_dir, seq_name, benchmark, repetition)
    write_bboxes_file(bbox_path, bboxes_xywh)
    if times is None:
        return [bbox_path]
    write_times_file(time_path, times)
    return [bbox_path, time_path]


def load_tracking_results(result_dir: str,
                          seq_names: Sequence[str],
                          benchmark: str,
                          num_frames: Optional[Mapping[str, int]] = None) -> Dict[str, dict]:
    """Read a tracker's result directory for a list of sequences.

    Args:
        result_dir (str): Result directory of one tracker, in ``benchmark``'s layout.
        seq_names (Sequence[str]): Sequences to read; every one must have results.
        benchmark (str): ``got10k``, ``otb``, ``lasot`` or ``trackingnet``.
        num_frames (Mapping[str, int], optional): Expected length of each sequence.

    Returns:
        dict: sequence name -> ``dict(bboxes_xywh=..., times=...)``; boxes are (L, 4) float64,
        or (R, L, 4) for ``got10k`` (all repetitions ``_001``, ``_002``, ...); ``times`` is
        the time file's content or None when there is none.

    Raises:
        FileNotFoundError: Naming every sequence without a result file.
        ValueError: On a malformed file (naming file, sequence and line).
    """
    if benchmark == 'vot':
        raise ValueError('VOT raw results are read per file with read_vot_results().')
    _check_layout(benchmark)
    num_frames = num_frames or {}
    box_files = {name: _box_files(result_dir, name, benchmark) for name in seq_names}
    missing = [name for name, files in box_files.items() if not files]
    if missing:
        expected = result_paths(result_dir, missing[0], benchmark)[0]
        shown = ', '.join(missing[:10]) + (', ...' if len(missing) > 10 else '')
        raise FileNotFoundError(f'{len(missing)} of {len(seq_names)} sequences have no '
                                f'{benchmark} results in {result_dir}: {shown} '
                                f'(expected e.g. {expected}).')
    results = {}
    for name, files in box_files.items():
        bboxes, times = _read_sequence(files, result_paths(result_dir, name, benchmark)[1],
                                       name, num_frames.get(name), result_dir)
        results[name] = dict(bboxes_xywh=bboxes if benchmark == 'got10k' else bboxes[0],
                             times=times)
    return results


def import_tracking_results(result_dir: str,
                            seq_names: Sequence[str],
                            benchmark: str,
                            source: str = 'auto',
                            num_frames: Optional[Mapping[str, int]] = None,
                            dataset: Optional[str] = None) -> dict:
    """Read a tracker's result folder written by this project or by another codebase.

    Args:
        result_dir (str): Result folder of one tracker: the toolkit's ``<tracker>`` folder,
            pytracking's ``<tracker>/<parameter>`` or OSTrack's ``<tracker>/<config>``.
        seq_names (Sequence[str]): Sequences to read (official names); every one must have
            results.
        benchmark (str): Toolkit layout of the benchmark: ``got10k``, ``otb``, ``lasot`` or
            ``trackingnet``.
        source (str): One of :data:`RESULT_SOURCES`, or ``'auto'``: the source whose layout
            holds the most of the sequences (toolkit first on ties; for one-file-per-sequence
            folders, pytracking if ``<seq>_time.txt`` files are there). Defaults to 'auto'.
        num_frames (Mapping[str, int], optional): Expected length of each sequence.
        dataset (str, optional): Benchmark name in :data:`PYTRACKING_DATASETS` (e.g.
            ``uav123``): enables pytracking's name prefixes and OSTrack's sub-folder.

    Returns:
        dict: ``source`` (the layout read), ``folder`` (where the box files are) and
        ``sequences``: name -> ``dict(bboxes=..., times=..., box_file=...)``; ``bboxes`` are
        the files' rows as written, (L, 4) float64, or (R, L, 4) for toolkit GOT-10k
        repetitions; ``times`` the time file's content or None.

    Raises:
        FileNotFoundError: Naming the sequences without results, the layout and the path
            expected.
        ValueError: On an unknown source / benchmark, or a malformed file (naming file,
            sequence and line, or the row counts).
    """
    if benchmark not in RESULT_LAYOUTS or benchmark == 'vot':
        raise ValueError(f'Cannot import {benchmark!r} results; expected one of '
                         f'{RESULT_LAYOUTS[:-1]}.')
    if source != 'auto' and source not in RESULT_SOURCES:
        raise ValueError(f'Unknown result source {source!r}; expected auto or one of '
                         f'{RESULT_SOURCES}.')
    pytracking_name = PYTRACKING_DATASETS.get(dataset) if dataset else None
    found = {src: {name: _source_files(result_dir, name, benchmark, src, pytracking_name)
                   for name in seq_names}
             for src in (RESULT_SOURCES if source == 'auto' else (source, ))}
    if source == 'auto':
        counts = {src: sum(bool(f[0]) for f in files.values()) for src, files in found.items()}
        source = max(RESULT_SOURCES, key=lambda src: counts[src])  # the first on ties
        if source == 'toolkit' and benchmark != 'got10k' and counts['pytracking'] == counts[
                'toolkit'] and any(f[1] and exists(f[1]) for f in found['pytracking'].values()):
            source = 'pytracking'  # the same box files; the time files tell
    files = found[source]
    missing = [name for name, (boxes, _) in files.items() if not boxes]
    if missing:
        expected = _source_paths(result_dir, missing[0], benchmark, source, pytracking_name)
        shown = ', '.join(missing[:10]) + (', ...' if len(missing) > 10 else '')
        raise FileNotFoundError(f'{len(missing)} of {len(seq_names)} sequences have no '
                                f'{benchmark} results in the {source} layout in {result_dir}: '
                                f'{shown} (expected e.g. {expected[0][0]}).')
    sequences, num_frames = {}, num_frames or {}
    for name, (box_files, time_path) in files.items():
        bboxes, times = _read_sequence(box_files, time_path, name, num_frames.get(name),
                                       result_dir)
        sequences[name] = dict(bboxes=bboxes if len(bboxes) > 1 else bboxes[0], times=times,
                               box_file=box_files[0])
    folder = osp.dirname(next(iter(files.values()))[0][0]) if files else result_dir
    if source == 'toolkit' and benchmark == 'got10k':
        folder = osp.dirname(folder)
    return dict(source=source, folder=folder, sequences=sequences)


def vot_records_from_bboxes(bboxes_xywh: np.ndarray) -> List[VOTRecord]:
    """VOT raw records of a tracker that never reinitialises: ``1`` then the boxes.

    Args:
        bboxes_xywh (np.ndarray): (L, 4) boxes xywh in pixels.

    Returns:
        list: ``[1, box_1, ..., box_{L-1}]`` with (4,) float64 boxes.
    """
    bboxes_xywh = np.asarray(bboxes_xywh, dtype=np.float64).reshape(-1, 4)
    return [VOT_INIT] + list(bboxes_xywh[1:])


def write_vot_results(out_dir: str,
                      seq_name: str,
                      records: Sequence[VOTRecord],
                      times: Optional[np.ndarray] = None,
                      repetition: int = 1,
                      run_id: Optional[str] = None) -> List[str]:
    """Write VOT raw records, byte for byte as the toolkits' ``ExperimentVOT`` records them.

    Args:
        out_dir (str): Result directory of one tracker and experiment (e.g. ``baseline``).
        seq_name (str): Sequence name.
        records (Sequence): per frame, an int status (1 init, 2 failure, 0 skipped) or a
            (4,) xywh / (8,) polygon region, pixels.
        times (np.ndarray, optional): (L,) frame times in seconds (NaN allowed).
        repetition (int): 1-based run index. Defaults to 1.
        run_id (str, optional): Another run name instead of the repetition: the multi-start
            experiment names its runs by their anchor frame, ``'%08d' % anchor`` (then only
            the ``.value`` time file is written). Defaults to None.

    Returns:
        list[str]: Paths written: ``<seq>/<seq>_NNN.txt``, and with ``times``
        ``<seq>/<seq>_time.txt`` (the got10k toolkit's / pysot's name) and
        ``<seq>/<seq>_NNN_time.value`` (``vot-toolkit`` >= 0.3's per-run frame property,
        an empty line where a frame has no time).
    """
    bbox_path, time_path = result_paths(out_dir, seq_name, 'vot', repetition)
    if run_id is not None:
        bbox_path, time_path = osp.join(out_dir, seq_name, f'{seq_name}_{run_id}.txt'), None
    lines = []
    for index, record in enumerate(records):
        if np.ndim(record) == 0:
            if int(record) not in (VOT_INIT, VOT_SKIP, VOT_FAILURE):
                raise ValueError(f'{bbox_path}: frame {index} has status {record}, '
                                 'expected 0, 1 or 2.')
            lines.append('%d' % int(record))
        else:
            lines.append(','.join('%.4f' % v for v in np.asarray(record, dtype=np.float64)))
    put_text('\n'.join(lines), bbox_path)
    if times is None:
        return [bbox_path]
    times = np.asarray(times, dtype=np.float64).reshape(-1)
    value_path = f'{bbox_path[:-len(".txt")]}_time.value'
    put_text(''.join(('%.6f' % t if np.isfinite(t) else '') + '\n' for t in times), value_path)
    if time_path is None:
        return [bbox_path, value_path]
    put_text('\n'.join(('%.4f' % t).replace('nan', 'NaN') for t in times), time_path)
    return [bbox_path, time_path, value_path]


def read_vot_results(path: str,
                     seq_name: Optional[str] = None,
                     num_frames: Optional[int] = None) -> List[VOTRecord]:
    """Read VOT raw records (inverse of :func:`write_vot_results`).

    Returns:
        list: per frame, an int status (0, 1, 2) or a (4,) / (8,) float64 region.

    Raises:
        ValueError: On a status other than 0 / 1 / 2, a region of another size, a non-finite
            number or a wrong row count (naming file, sequence and line).
    """
    rows = _read_rows(path, seq_name)
    where = _where(path, seq_name)
    records: List[VOTRecord] = []
    for line_no, values in rows:
        if len(values) == 1:
            if values[0] not in (VOT_INIT, VOT_SKIP, VOT_FAILURE):
                raise ValueError(f'{where}, line {line_no}: status {values[0]} is not 0, 1 '
                                 'or 2.')
            records.append(int(values[0]))
        elif len(values) in (4, 8):
            _check_finite(values, where, line_no)
            records.append(np.array(values, dtype=np.float64))
        else:
            raise ValueError(f'{where}, line {line_no}: expected a status or 4 / 8 numbers, '
                             f'got {len(values)} numbers.')
    _check_num_rows(len(records), num_frames, where)
    return records


def make_got10k_submission(zip_path: str,
                           bboxes_xywh: Mapping[str, np.ndarray],
                           times: Optional[Mapping[str, np.ndarray]] = None) -> str:
    """Write the GOT-10k test-server archive.

    Args:
        zip_path (str): Output ``.zip`` path.
        bboxes_xywh (Mapping[str, np.ndarray]): sequence name -> (L, 4) boxes xywh, pixels.
        times (Mapping[str, np.ndarray], optional): sequence name -> (L,) frame times in
            seconds. A sequence without times gets no ``_time.txt`` (the server then reports
            no speed).

    Returns:
        str: ``zip_path``.
    """
    times = times or {}
    files = {}
    for name, bboxes in bboxes_xywh.items():
        files[f'{name}/{name}_001.txt'] = _format_rows(np.asarray(bboxes).reshape(-1, 4), '%.3f')
        if times.get(name) is not None:
            files[f'{name}/{name}_time.txt'] = _format_rows(
                np.asarray(times[name], dtype=np.float64).reshape(-1, 1), '%.8f')
    return _write_zip(zip_path, files)


def make_trackingnet_submission(zip_path: str, bboxes_xywh: Mapping[str, np.ndarray]) -> str:
    """Write the TrackingNet test-server archive: ``<seq>.txt`` files at the zip root.

    Args:
        zip_path (str): Output ``.zip`` path.
        bboxes_xywh (Mapping[str, np.ndarray]): sequence name -> (L, 4) boxes xywh, pixels.

    Returns:
        str: ``zip_path``.
    """
    files = {
        f'{name}.txt': _format_rows(np.asarray(bboxes).reshape(-1, 4), '%.3f')
        for name, bboxes in bboxes_xywh.items()
    }
    return _write_zip(zip_path, files)


def _check_layout(benchmark: str) -> None:
    if benchmark not in RESULT_LAYOUTS:
        raise ValueError(f'Unknown result layout {benchmark!r}; expected one of '
                         f'{RESULT_LAYOUTS}.')


def _box_files(result_dir: str, seq_name: str, benchmark: str) -> List[str]:
    """Existing box files of a sequence (all repetitions for ``got10k``), sorted."""
    if benchmark != 'got10k':
        path = result_paths(result_dir, seq_name, benchmark)[0]
        return [path] if exists(path) else []
    seq_dir = osp.join(result_dir, seq_name)
    if not exists(seq_dir):
        return []
    pattern = re.compile(re.escape(seq_name) + r'_(\d+)\.txt$')
    matches = [(int(m.group(1)), name)
               for name in list_dir_or_file(seq_dir, list_dir=False, suffix='.txt')
               if (m := pattern.match(name))]
    return [osp.join(seq_dir, name) for _, name in sorted(matches)]


def _source_paths(result_dir: str, seq_name: str, benchmark: str, source: str,
                  pytracking_name: Optional[str]) -> List[Tuple[List[str], Optional[str]]]:
    """Candidate ``([box files], time file)`` of a sequence in a source's layout."""
    if source == 'toolkit':
        box_path, time_path = result_paths(result_dir, seq_name, benchmark)
        return [([box_path], time_path)]
    folder = result_dir
    if source == 'ostrack':
        folder = osp.join(result_dir, pytracking_name or benchmark)
    prefix = PYTRACKING_NAME_PREFIXES.get(pytracking_name, '')
    names = [seq_name] + ([prefix + seq_name] if prefix and not seq_name.startswith(prefix)
                          else [])
    return [([osp.join(folder, f'{name}.txt')], osp.join(folder, f'{name}_time.txt'))
            for name in names]


def _source_files(result_dir: str, seq_name: str, benchmark: str, source: str,
                  pytracking_name: Optional[str]) -> Tuple[List[str], Optional[str]]:
    """Existing box files (all toolkit GOT-10k repetitions) and the time file path of a
    sequence in a source's layout; ``([], None)`` without results."""
    if source == 'toolkit':
        files = _box_files(result_dir, seq_name, benchmark)
        return (files, result_paths(result_dir, seq_name, benchmark)[1]) if files else ([], None)
    for box_files, time_path in _source_paths(result_dir, seq_name, benchmark, source,
                                              pytracking_name):
        if exists(box_files[0]):
            return box_files, time_path
    return [], None


def _read_sequence(box_files: List[str], time_path: Optional[str], seq_name: str,
                   num_frames: Optional[int], result_dir: str):
    """(R, L, 4) rows of a sequence's box files and its times (None without a time file)."""
    runs = [read_bboxes_file(path, seq_name, num_frames) for path in box_files]
    if len({len(run) for run in runs}) > 1:
        raise ValueError(f'Sequence {seq_name}: repetitions in {result_dir} have different '
                         f'lengths {[len(run) for run in runs]}.')
    times = (read_times_file(time_path, seq_name, len(runs[0]))
             if time_path is not None and exists(time_path) else None)
    return np.stack(runs), times


def _where(path: str, seq_name: Optional[str]) -> str:
    return f'{path} (sequence {seq_name})' if seq_name else path


def _read_rows(path: str, seq_name: Optional[str]) -> List[Tuple[int, List[float]]]:
    """Numbers of every line, with 1-based line numbers; trailing blank lines ignored."""
    if not exists(path):
        raise FileNotFoundError(f'No result file {_where(path, seq_name)}.')
    lines = get_text(path).rstrip().splitlines()
    rows = []
    for line_no, line in enumerate(lines, start=1):
        fields = [f for f in _SPLIT.split(line.strip()) if f]
        if not fields:
            raise ValueError(f'{_where(path, seq_name)}, line {line_no}: empty line.')
        try:
            rows.append((line_no, [float(f) for f in fields]))
        except ValueError:
            raise ValueError(f'{_where(path, seq_name)}, line {line_no}: not numeric: '
                             f'{line.strip()!r}.') from None
    return rows


def _check_finite(values: List[float], where: str, line_no: int) -> None:
    if not np.all(np.isfinite(values)):
        raise ValueError(f'{where}, line {line_no}: non-finite value in {values}.')


def _check_num_rows(num_rows: int, num_frames: Optional[int], where: str) -> None:
    if num_frames is not None and num_rows != num_frames:
        raise ValueError(f'{where}: {num_rows} rows but the sequence has {num_frames} frames.')


def _format_rows(array: np.ndarray, fmt: str) -> str:
    buffer = io.StringIO()
    np.savetxt(buffer, array, fmt=fmt, delimiter=',')
    return buffer.getvalue()


def _write_zip(zip_path: str, files: Dict[str, str]) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            archive.writestr(name, files[name])
    put(buffer.getvalue(), zip_path)
    return zip_path
