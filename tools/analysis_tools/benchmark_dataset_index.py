"""Benchmark the SOT index on a GOT-10k-size annotation tree.

Writes (or reuses) a GOT-10k ``train`` tree of annotation files only (no images):
``list.txt`` and, per sequence, ``groundtruth.txt``, ``absence.label``, ``cover.label``,
``cut_by_image.label`` and ``meta_info.ini`` -- by default 10,000 sequences and 1,500,000 boxes.
Then it builds ``GOT10kDataset(split='train')`` in fresh processes:

1. first build: parse every file and write the index cache;
2. cached reload (``--reloads`` times): stat the files, load the cache.

and prints time, resident-memory increase over the process after imports (``VmRSS``) and its
peak (``VmHWM``), against the targets (reload < 2 s and < 300 MB).

Example::

    python tools/analysis_tools/benchmark_dataset_index.py
    python tools/analysis_tools/benchmark_dataset_index.py --root /tmp/got10k_fake --keep
"""
import argparse
import json
import os
import os.path as osp
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TARGET_RELOAD_S = 2.0
TARGET_RELOAD_MB = 300.0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--root', help='GOT-10k root to use; generated there if it has no '
                        'train/list.txt (default: a temporary directory)')
    parser.add_argument('--num-seqs', type=int, default=10000, help='sequences to generate')
    parser.add_argument('--num-boxes', type=int, default=1500000, help='boxes to generate')
    parser.add_argument('--reloads', type=int, default=3, help='cached reloads to time')
    parser.add_argument('--keep', action='store_true', help='keep a generated temporary tree')
    parser.add_argument('--measure', choices=['build', 'reload'], help=argparse.SUPPRESS)
    parser.add_argument('--cache-dir', help=argparse.SUPPRESS)
    return parser.parse_args()


# ---------------------------------------------------------------------- generation
def generate_tree(root: str, num_seqs: int, num_boxes: int, seed: int = 0) -> None:
    """Write a GOT-10k train split of ``num_seqs`` sequences with ``num_boxes`` boxes."""
    rng = np.random.default_rng(seed)
    # lengths around the mean (GOT-10k: 29..1418, mean ~150), summing to num_boxes exactly
    lengths = rng.integers(50, 2 * num_boxes // num_seqs - 50 + 1, num_seqs)
    lengths[-1] += num_boxes - lengths.sum()
    if lengths[-1] < 1:
        raise ValueError('--num-boxes too small for --num-seqs')
    split_dir = osp.join(root, 'train')
    names = [f'GOT-10k_Train_{i + 1:06d}' for i in range(num_seqs)]
    os.makedirs(split_dir, exist_ok=True)
    for name, length in zip(names, lengths):
        seq_dir = osp.join(split_dir, name)
        os.makedirs(seq_dir, exist_ok=True)
        width, height = 1280, 720
        wh = rng.uniform(20, 400, (length, 2))
        xy = rng.uniform(0, 1, (length, 2)) * ([width, height] - wh)
        boxes = np.concatenate([xy, wh], axis=1)
        with open(osp.join(seq_dir, 'groundtruth.txt'), 'w') as f:
            f.write('\n'.join(','.join(f'{v:.4f}' for v in box) for box in boxes) + '\n')
        absence = (rng.random(length) < 0.02).astype(int)
        cover = np.where(absence == 1, 0, rng.integers(1, 9, length))
        for file_name, values in (('absence.label', absence), ('cover.label', cover),
                                  ('cut_by_image.label', (rng.random(length) < 0.1).astype(int))):
            with open(osp.join(seq_dir, file_name), 'w') as f:
                f.write('\n'.join(map(str, values)) + '\n')
        with open(osp.join(seq_dir, 'meta_info.ini'), 'w') as f:
            f.write('[METAINFO]\nurl: https://youtu.be/xxxxxxxxxxx\nbegin: 00:00:01\n'
                    'end: 00:00:10\nanno_fps: 10Hz\nobject_class: object\n'
                    'motion_class: moving\nmajor_class: thing\nroot_class: object\n'
                    f'motion_adverb: slowly\nresolution: ({width}, {height})\n')
    with open(osp.join(split_dir, 'list.txt'), 'w') as f:
        f.write('\n'.join(names) + '\n')


# ---------------------------------------------------------------------- measuring
def _status_mb(field: str) -> float:
    """``VmRSS`` / ``VmHWM`` of this process in MB (``ru_maxrss`` if /proc is missing)."""
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(root: str, cache_dir: str) -> dict:
    """Build the dataset once in this process (run in a fresh process per measurement)."""
    from mmengine.logging import MMLogger

    from procontext_mm.datasets import GOT10kDataset
    MMLogger.get_instance('benchmark', log_level='WARNING')
    rss0 = _status_mb('VmRSS')
    start = time.perf_counter()
    dataset = GOT10kDataset(data_root=root, split='train', cache_dir=cache_dir)
    seconds = time.perf_counter() - start
    rss1 = _status_mb('VmRSS')
    peak = _status_mb('VmHWM')
    info = dataset.get_data_info(len(dataset) - 1)  # the data are usable
    assert info['bboxes_xywh'].shape == (info['num_frames'], 4)
    source = 'loaded' if dataset.index_source.startswith('loaded') else 'parsed'
    return dict(seconds=seconds, rss_mb=rss1 - rss0, peak_mb=peak - rss0, source=source,
                videos=len(dataset), frames=dataset.index.num_frames,
                index_mb=dataset.index.nbytes() / 2**20)


def run_child(phase: str, root: str, cache_dir: str) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [REPO_ROOT] + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p]))
    out = subprocess.run(
        [sys.executable, osp.abspath(__file__), '--measure', phase, '--root', root,
         '--cache-dir', cache_dir], env=env, check=True, capture_output=True, text=True)
    lines = [line for line in out.stdout.splitlines() if line.startswith('RESULT ')]
    if not lines:
        raise RuntimeError(f'measurement failed:\n{out.stdout}\n{out.stderr}')
    return json.loads(lines[-1][len('RESULT '):])


def main():
    args = parse_args()
    if args.measure:
        print('RESULT ' + json.dumps(measure(args.root, args.cache_dir)))
        return
    temp_root = None
    root = args.root
    if root is None:
        temp_root = root = tempfile.mkdtemp(prefix='got10k_index_bench_')
    cache_dir = tempfile.mkdtemp(prefix='sot_index_cache_')
    try:
        if not osp.exists(osp.join(root, 'train', 'list.txt')):
            start = time.perf_counter()
            generate_tree(root, args.num_seqs, args.num_boxes)
            print(f'generated {args.num_seqs} sequences / {args.num_boxes} boxes in {root} '
                  f'({time.perf_counter() - start:.1f} s)')
        build = run_child('build', root, cache_dir)
        reloads = [run_child('reload', root, cache_dir) for _ in range(args.reloads)]
        if build['source'] != 'parsed' or any(r['source'] != 'loaded' for r in reloads):
            raise RuntimeError(f'unexpected index sources: {build}, {reloads}')
        cache_mb = sum(osp.getsize(osp.join(cache_dir, f)) for f in os.listdir(cache_dir)) / 2**20
        reload_s = statistics.median(r['seconds'] for r in reloads)
        reload_mb = max(r['rss_mb'] for r in reloads)
        reload_peak = max(r['peak_mb'] for r in reloads)

        print(f'\nGOT10kDataset(split="train"): {build["videos"]} videos, {build["frames"]} '
              f'boxes; index arrays {build["index_mb"]:.1f} MB, cache files {cache_mb:.1f} MB')
        header = f'| {"phase":<36} | {"time (s)":>9} | {"RSS +MB":>8} | {"peak +MB":>8} | ' \
                 f'{"target":<22} |'
        print(header)
        print('|' + '|'.join('-' * (len(c) + 0) for c in header.split('|')[1:-1]) + '|')
        print(f'| {"first build (parse + write cache)":<36} | {build["seconds"]:>9.2f} | '
              f'{build["rss_mb"]:>8.1f} | {build["peak_mb"]:>8.1f} | {"-":<22} |')
        ok = reload_s < TARGET_RELOAD_S and reload_mb < TARGET_RELOAD_MB
        target = f'<{TARGET_RELOAD_S:g} s, <{TARGET_RELOAD_MB:g} MB: ' + ('PASS' if ok else 'FAIL')
        print(f'| {f"cached reload (median of {len(reloads)})":<36} | {reload_s:>9.2f} | '
              f'{reload_mb:>8.1f} | {reload_peak:>8.1f} | {target:<22} |')
        if not ok:
            sys.exit(1)
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
        if temp_root is not None and not args.keep:
            shutil.rmtree(temp_root, ignore_errors=True)
        elif temp_root is not None:
            print(f'kept the generated tree in {temp_root}')


if __name__ == '__main__':
    main()
