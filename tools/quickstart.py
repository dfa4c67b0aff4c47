"""The main job on a CPU: built-in benchmark -> training -> tracking -> metrics -> pictures.

    python tools/quickstart.py [--out-dir outputs/quickstart] [--iters N] [--fresh]

Generates the built-in benchmark (real photographs, GOT-10k layout), trains a tiny ProContEXT and
a tiny single-template (OSTrack-style) tracker with the real training pipeline, tests both and a
do-nothing baseline with the real test loop and the GOT-10k protocol, and writes one table, a
success plot and a demo video under the output folder. Rerunning continues where it stopped.
"""
import argparse
import os.path as osp

from procontext_mm.apis.quickstart import TrackerEntry, run_quickstart

CONFIGS = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'configs', 'quickstart')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out-dir', default='outputs/quickstart')
    parser.add_argument('--iters', type=int, default=None,
                        help='training iterations per tracker (default: the configs\' 1000)')
    parser.add_argument('--fresh', action='store_true',
                        help='start a quickstart folder of this version over')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    entries = [
        TrackerEntry('ProContEXT-tiny', osp.join(CONFIGS, 'procontext_vit-tiny_1xb8-1000i_builtin.py')),
        TrackerEntry('OSTrack-tiny', osp.join(CONFIGS, 'ostrack_vit-tiny_1xb8-1000i_builtin.py')),
        TrackerEntry('static box', osp.join(CONFIGS, 'static-box_builtin.py'), trained=False),
    ]
    return run_quickstart(args.out_dir, entries, max_iters=args.iters, fresh=args.fresh)


if __name__ == '__main__':
    main()
