"""Search test-time tracking settings on a validation split; print the ranking, write the best.

    python tools/analysis_tools/search_params.py CONFIG [CHECKPOINT] --space KEY=V1,V2 [...]
        [--random N [--seed S]] [--metric KEY [--rule {greater,less}]] [--work-dir DIR]
        [--dataloader {val,test}]
        [--allow-test-split] [--fresh] [--cfg-options k=v ...]
    python -m torch.distributed.run --nproc_per_node N tools/analysis_tools/search_params.py \\
        CONFIG CHECKPOINT --space ... --launcher pytorch          # videos sharded over N processes

Example::

    python tools/analysis_tools/search_params.py \\
        configs/procontext/procontext_vit-b16-mae_4xb32-100e_got10k.py procontext.pth \\
        --space model.test_cfg.search_factor=4.5,5.0,5.5 model.test_cfg.window=hann,None \\
                model.template_memory.update_interval=25,50,100

Every point of the grid (or ``--random N`` points of it) is one ``tools/test.py``-like run of
CONFIG + CHECKPOINT on the config's ``val_dataloader`` (its ``test_dataloader`` when it has
none, or with ``--dataloader test``), with the point's settings merged in. Values are Python
literals (``4.5``, ``None``, ``[2.0,4.0]``); a bare word is a string (``hann``). The trials are
ranked by ``--metric`` (default: ``sot/AO`` for GOT-10k, ``sot/success`` for the OPE
benchmarks, ``sot/EAO`` for VOT); ``<work-dir>/best_config.py`` ``_base_``-s CONFIG and sets
only the searched keys (test it with ``tools/test.py <work-dir>/best_config.py CHECKPOINT``).
Test splits (GOT-10k / LaSOT / TrackingNet test, LaSOT-ext, OTB-style folders, UAV123, NfS,
TNL2K, VOT) are refused unless ``--allow-test-split``. Finished trials are recorded in the work
dir: a rerun continues.
See docs/search_params.md.
"""
import argparse
import os
import os.path as osp
from typing import Optional, Sequence

from mmengine.config import DictAction

from procontext_apps.param_search import (SearchJob, SearchSpaceError, TestSplitError,
                                          parse_space, run_search)
from procontext_apps.run_folder import RunFolderError
from procontext_mm.utils.dist import finish_distributed


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Search test-time tracking settings on a validation split')
    parser.add_argument('config', help='config of the tracker (with a validation data loader)')
    parser.add_argument('checkpoint', nargs='?', default=None,
                        help='checkpoint of this package or of the authors; optional only for '
                        'trackers without parameters')
    parser.add_argument('--space', nargs='+', metavar='KEY=V1,V2', default=[],
                        help='config keys and their values, e.g. '
                        'model.test_cfg.search_factor=4.5,5.0 model.test_cfg.window=hann,None')
    parser.add_argument('--random', type=int, metavar='N',
                        help='try N points drawn from the grid instead of all of them')
    parser.add_argument('--seed', type=int, default=0, help='seed of --random (default 0)')
    parser.add_argument('--metric',
                        help='metric to rank by, e.g. sot/SR0.5 or SR0.5 (default: sot/AO for '
                        'GOT-10k, sot/success for LaSOT / TrackingNet / OTB, sot/EAO for VOT)')
    parser.add_argument('--rule', choices=['greater', 'less'],
                        help="which way --metric is better (default: the metric's own: less "
                        'for the failure counts of VOT2016-2019, greater otherwise)')
    parser.add_argument('--work-dir',
                        help='trials, record and results (default: work_dirs/search_params/'
                        '<config name>)')
    parser.add_argument('--dataloader', choices=['val', 'test'],
                        help="the config's loader and evaluator to search on (default: val, or "
                        'test if the config has no val_dataloader)')
    parser.add_argument('--allow-test-split', action='store_true',
                        help='search on a test split anyway (the scores on it are then tuned)')
    parser.add_argument('--fresh', action='store_true',
                        help="delete the work dir's earlier search and start over")
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries first, e.g. '
                        'val_dataloader.dataset.data_root=X')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm'], default='none',
                        help='job launcher (pytorch: started by torchrun)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    if args.random is not None and args.random < 1:
        parser.error('--random must be >= 1')
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    args.work_dir = args.work_dir or osp.join(
        'work_dirs', 'search_params', osp.splitext(osp.basename(args.config))[0])
    return args


def main(argv: Optional[Sequence[str]] = None) -> dict:
    """Run the search; returns its record (see ``procontext_apps.param_search.run_search``).

    Raises:
        SystemExit: With the message, for a bad ``--space``, a refused test split or a work dir
            that holds another search.
    """
    args = parse_args(argv)
    try:
        job = SearchJob(config=args.config, checkpoint=args.checkpoint,
                        space=parse_space(args.space), work_dir=args.work_dir,
                        dataloader=args.dataloader, metric=args.metric, rule=args.rule,
                        num_random=args.random, seed=args.seed,
                        allow_test_split=args.allow_test_split,
                        cfg_options=args.cfg_options or {}, launcher=args.launcher,
                        fresh=args.fresh)
        record = run_search(job)
    except (SearchSpaceError, TestSplitError, RunFolderError) as e:
        raise SystemExit(f'search_params: {e}') from None
    finish_distributed()
    return record


if __name__ == '__main__':
    main()
