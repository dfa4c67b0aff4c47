"""Generate the built-in SOT benchmark (GOT-10k layout) from photos shipped with scikit-image.

Examples::

    python tools/misc/make_builtin_benchmark.py data/builtin_sot
    python tools/misc/make_builtin_benchmark.py data/builtin_sot --seed 1 --num-train 48 \\
        --num-val 16 --frames 80 120

Re-running with the same arguments reuses the folder; other arguments on an existing
benchmark are refused unless ``--overwrite`` is given. See ``docs/builtin_benchmark.md``.
"""
import argparse
import time

from procontext_apps.builtin_benchmark import (BenchmarkSpec, generate_builtin_benchmark,
                                               load_manifest)


def parse_args():
    defaults = BenchmarkSpec()
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('out_dir', help='root of the benchmark (<out_dir>/train, <out_dir>/val)')
    parser.add_argument('--seed', type=int, default=defaults.seed, help='benchmark seed')
    parser.add_argument('--num-train', type=int, default=defaults.num_train_videos,
                        help='train videos')
    parser.add_argument('--num-val', type=int, default=defaults.num_val_videos,
                        help='val videos')
    parser.add_argument('--frames', type=int, nargs='+', metavar='F',
                        help='frames per video, for both splits: F, or MIN MAX '
                        f'(default: train {defaults.train_frames}, val {defaults.val_frames})')
    parser.add_argument('--image-size', type=int, nargs=2, metavar=('W', 'H'),
                        default=defaults.image_size, help='frame width and height')
    parser.add_argument('--object-size', type=float, nargs=2, metavar=('MIN', 'MAX'),
                        help='range of the target size sqrt(w * h) in the first frame, pixels '
                        f'(default: {defaults.object_size} scaled with the image size)')
    parser.add_argument('--nproc', type=int, default=1, help='worker processes')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace a benchmark of another spec found in OUT_DIR')
    return parser.parse_args()


def main():
    args = parse_args()
    overrides = {}
    if args.frames is not None:
        if len(args.frames) not in (1, 2):
            raise SystemExit('--frames takes F or MIN MAX')
        frames = (args.frames[0], args.frames[-1])
        overrides.update(train_frames=frames, val_frames=frames)
    defaults = BenchmarkSpec()
    if args.object_size is not None:
        overrides.update(object_size=tuple(args.object_size))
    else:
        ratio = min(w / d for w, d in zip(args.image_size, defaults.image_size))
        overrides.update(object_size=tuple(round(s * ratio, 1) for s in defaults.object_size))
    try:
        spec = BenchmarkSpec(seed=args.seed, num_train_videos=args.num_train,
                             num_val_videos=args.num_val, image_size=tuple(args.image_size),
                             **overrides)
    except ValueError as e:
        raise SystemExit(f'Invalid benchmark: {e}')
    start = time.time()
    try:
        root = generate_builtin_benchmark(args.out_dir, spec, overwrite=args.overwrite,
                                          nproc=args.nproc)
    except FileExistsError as e:
        raise SystemExit(str(e))
    manifest = load_manifest(root)
    frames = {split: sum(info['num_frames']) for split, info in manifest['splits'].items()}
    print(f'\n{root}: train {len(manifest["splits"]["train"]["sequences"])} videos / '
          f'{frames["train"]} frames, val {len(manifest["splits"]["val"]["sequences"])} videos / '
          f'{frames["val"]} frames ({time.time() - start:.1f} s)\n'
          f'labels_sha256 {manifest["labels_sha256"]}')


if __name__ == '__main__':
    main()
