"""The main job on a CPU: built-in benchmark -> training -> tracking -> metrics -> pictures.

    python tools/quickstart.py [--out-dir outputs/quickstart] [--iters N] [--fresh] [--threads N]

Generates the built-in benchmark (real photographs, GOT-10k layout), trains a tiny ProContEXT and
a tiny single-template (OSTrack-style) tracker with the real training pipeline, tests both and a
do-nothing baseline with the real test loop and the GOT-10k protocol, and writes one table, a
success plot and a demo video under the output folder. Rerunning continues where it stopped.
"""
import argparse
import os.path as osp

from procontext_apps.quickstart import run_quickstart
from procontext_apps.tracker_runs import TrackerEntry

CONFIGS = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'configs', 'quickstart')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out-dir', default='outputs/quickstart')
    parser.add_argument('--iters', type=int, default=None,
                        help='training iterations per tracker; the whole schedule is compressed '
                        'into them (default: the configs\' 1500)')
    parser.add_argument('--fresh', action='store_true',
                        help='start a quickstart folder of this version over')
    parser.add_argument('--threads', type=int, default=2,
                        help='intra-op threads of this process (default 2; the data workers '
                        'share the cores). The numbers depend on it: float sums in another '
                        'order change a short training\'s result, so the README\'s table is '
                        'of 2 threads')
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error('--threads must be >= 1')
    return args


def main(argv=None):
    args = parse_args(argv)
    import torch
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(args.threads)
    procontext = osp.join(CONFIGS, 'procontext_vit-tiny_1xb8-1500i_builtin.py')
    entries = [
        TrackerEntry('ProContEXT-tiny', procontext),
        TrackerEntry('OSTrack-tiny', osp.join(CONFIGS, 'ostrack_vit-tiny_1xb8-1500i_builtin.py')),
        # the same weights, tracking with dynamic templates that are never refreshed
        TrackerEntry('ProContEXT-tiny, no refresh', procontext, trained=False,
                     weights_from='ProContEXT-tiny',
                     cfg_options={'model.template_memory.update_interval': None}),
        TrackerEntry('static box', osp.join(CONFIGS, 'static-box_builtin.py'), trained=False),
    ]
    try:
        return run_quickstart(args.out_dir, entries, max_iters=args.iters, fresh=args.fresh)
    finally:
        torch.set_num_threads(previous_threads)


if __name__ == '__main__':
    main()
