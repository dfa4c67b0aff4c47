"""Convert a checkpoint of the ProContEXT authors (or OSTrack; same layout) to procontext_mm.

    python tools/model_converters/official_to_mm.py ProContEXT_ep0300.pth.tar procontext.pth

The source holds ``{'net': state_dict}`` (plus, in training snapshots, the reference trainer's
objects, which are skipped without importing their code). The output is an mmengine checkpoint
``{'state_dict': ..., 'meta': ...}`` loadable by ``init_model`` / ``--checkpoint`` / ``load_from``.
"""
import argparse
import os.path as osp

import torch

from procontext_mm.utils.checkpoint import convert_official_state_dict, load_foreign_checkpoint


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='checkpoint of the authors / OSTrack ({"net": ...})')
    parser.add_argument('dst', help='where to write the procontext_mm checkpoint')
    return parser.parse_args(argv)


def convert(src: str, dst: str) -> int:
    """Convert ``src`` into ``dst``; returns the number of tensors written."""
    checkpoint = load_foreign_checkpoint(src)
    if not isinstance(checkpoint, dict) or 'net' not in checkpoint:
        keys = list(checkpoint)[:8] if isinstance(checkpoint, dict) else type(checkpoint).__name__
        raise KeyError(f'{src} has no "net" entry (found {keys}); it is not a checkpoint of the '
                       'ProContEXT / OSTrack code base')
    state_dict = convert_official_state_dict(checkpoint['net'])
    meta = dict(converted_from=osp.basename(src))
    if isinstance(checkpoint.get('epoch'), int):
        meta['epoch'] = checkpoint['epoch']
    torch.save(dict(state_dict=state_dict, meta=meta), dst)
    return len(state_dict)


def main(argv=None):
    args = parse_args(argv)
    count = convert(args.src, args.dst)
    print(f'Converted {count} tensors: {args.src} -> {args.dst}')


if __name__ == '__main__':
    main()
