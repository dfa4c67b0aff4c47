"""The paper's Tables 1-4 in one command: train and test every row, print ours next to the paper.

    python tools/analysis_tools/run_table.py --table {1,2,3,4} --data-root DIR [--work-dir DIR]
                                             [--nproc N]
    python tools/analysis_tools/run_table.py --table N --quick [--quick-iters N] [--work-dir DIR]
    python tools/analysis_tools/run_table.py --table N [--quick] --dry-run

Full mode trains each row's config (``procontext_apps.paper_tables.PAPER_ROWS``) on the
datasets under ``--data-root`` in their official layouts, in the folders the configs name
(``DIR/GOT10k``, ``DIR/LaSOT``, ``DIR/coco``, ``DIR/TrackingNet``; the MAE weights at
``pretrained/mae_pretrain_vit_base.pth``) and tests it: Tables 2-4 on GOT-10k val (GOT-10k
protocol); Table 1 on GOT-10k test and TrackingNet test, which only their servers score: the
table then points to the submission archives to upload. ``--quick`` runs the same rows as the
tiny quickstart model carrying each row's template and keep-ratio settings, for
``--quick-iters`` iterations on the built-in benchmark (generated under the work dir unless
``--data-root`` is one; the settings a table keeps constant stay the tiny recipe's); its numbers
only compare the rows with each other, not with the paper.
``--dry-run`` prints the plan and the paper's table (Table 4: with our GFLOPs) and runs nothing.

``--nproc N`` trains and tests each row with N processes on this machine (one per GPU; gloo
processes on a CPU-only machine) through ``tools/dist_train.sh`` and ``tools/dist_test.sh``; each
run's config is saved next to its checkpoints. Without it, everything runs in this process.

A rerun skips finished trainings and tests (an interrupted training resumes from its last
checkpoint); rows that train the same model, within or across tables, share one run. The table
is printed and written to ``<work-dir>/table<N>.txt`` and ``.json``.
"""
import argparse
import json
import os
import os.path as osp
import socket
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

from mmengine.config import Config

from procontext_apps import paper_tables as pt
from procontext_apps import tracker_runs
from procontext_apps.run_folder import RunFolder, RunFolderError
from procontext_apps.text_table import format_table
from procontext_apps.tracker_runs import TrackerEntry

#: Iterations per row of --quick: a five-row table takes 10-20 minutes on a 2-core CPU (about
#: 0.25-0.35 s an iteration and 30-40 s of set-up and testing a row).
DEFAULT_QUICK_ITERS = 400
#: tools/, which holds the distributed launch scripts.
TOOLS_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))
#: configs/ of this source checkout, where the rows' configs are.
CONFIG_ROOT = osp.join(osp.dirname(TOOLS_DIR), 'configs')
#: The configs' data folder, used when --data-root is not given.
DEFAULT_DATA_ROOT = 'data'
#: Descriptive columns of each table, as the paper heads them (values from the row's config).
DESCRIPTIVE_COLUMNS = {1: ['DT'], 2: ['scale num', 'κ'], 3: ['κ', 'Dynamic template'], 4: ['ρ']}
METRIC_COLUMNS = {1: ['AUC', 'N-PRE', 'PRE', 'AO', 'SR0.5', 'SR0.75'], 2: ['AO', 'SR0.5'],
                  3: ['AO', 'SR0.5'], 4: ['AO', 'SR0.5']}
SPLIT_NAMES = {pt.GOT10K_VAL: 'GOT-10k val', pt.GOT10K_TEST: 'GOT-10k test',
               pt.TRACKINGNET_TEST: 'TrackingNet test'}
#: ``SOTMetric`` benchmark names, which name the submission archives.
SUBMISSION_NAMES = {pt.GOT10K_TEST: 'got10k', pt.TRACKINGNET_TEST: 'trackingnet'}
MISSING = '-'


@dataclass
class RowRun:
    """How one paper row is run.

    Attributes:
        row (PaperRow): The row.
        name (str): Its run, naming its work folders and steps; rows with the same run share
            it. Empty for a row without config (paper numbers only).
        full_config (Config, optional): The row's own config as written.
        train_config (Config, optional): What is trained.
        test_config (Config, optional): What is tested.
        test_name (str): Names the test's folders and step (one run can be tested on several
            splits).
    """
    row: pt.PaperRow
    name: str = ''
    full_config: Optional[Config] = None
    train_config: Optional[Config] = None
    test_config: Optional[Config] = None
    test_name: str = ''


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--table', type=int, choices=[1, 2, 3, 4], required=True)
    parser.add_argument('--data-root',
                        help='full mode: folder of the datasets (default: data); --quick: an '
                        'existing built-in benchmark (default: generate one in the work dir)')
    parser.add_argument('--work-dir',
                        help='default: work_dirs/paper_tables/full or .../quick; shared by the '
                        'tables so that rows common to several tables are run once')
    parser.add_argument('--quick', action='store_true',
                        help='the tiny model on the built-in benchmark (CPU, minutes)')
    parser.add_argument('--quick-iters', type=int, default=DEFAULT_QUICK_ITERS,
                        help='training iterations per row with --quick')
    parser.add_argument('--dry-run', action='store_true',
                        help='print the plan and the paper\'s table, run nothing')
    parser.add_argument('--nproc', type=int, default=1,
                        help='processes per training / test on this machine (torchrun; one per '
                        'GPU). Default 1: everything runs in this process')
    args = parser.parse_args(argv)
    if args.quick_iters < 1:
        parser.error('--quick-iters must be >= 1')
    if args.nproc < 1:
        parser.error('--nproc must be >= 1')
    args.work_dir = osp.abspath(args.work_dir or osp.join(
        'work_dirs', 'paper_tables', 'quick' if args.quick else 'full'))
    return args


# ------------------------------------------------------------------ planning
def plan_runs(table: int, quick: bool, quick_iters: int, data_root: str) -> List[RowRun]:
    """The run of every row of ``table`` (configs built, nothing run)."""
    runs = []
    rows = pt.table_rows(table)
    if quick:
        varied = pt.varied_settings(
            [Config.fromfile(r.config_path(CONFIG_ROOT)) for r in rows if r.config])
        tiny = Config.fromfile(osp.join(CONFIG_ROOT, pt.TINY_CONFIG))
    for row in rows:
        if row.config is None:
            runs.append(RowRun(row))
            continue
        full = Config.fromfile(row.config_path(CONFIG_ROOT))
        if quick:
            variant = pt.quick_variant(full, tiny, quick_iters, with_ope=table == 1,
                                       copied=varied)
            name = pt.quick_variant_name(variant)
            runs.append(RowRun(row, name, full, variant, variant,
                               test_name=name + ('+ope' if table == 1 else '')))
        else:
            train_config, test_config = pt.full_configs(row, CONFIG_ROOT, data_root)
            runs.append(RowRun(row, row.name, full, train_config, test_config,
                               test_name=f'{row.name}_{row.split}'))
    return runs


def describe_plan(runs: Sequence[RowRun], work_dir: str, benchmark: Optional[str]) -> str:
    """What would be trained and tested, where, on which data (``benchmark``: the built-in
    benchmark of a quick run, None in full mode)."""
    lines = []
    for run in runs:
        head = f'Table {run.row.table} row {run.row.label!r}'
        if not run.name:
            lines.append(f'{head}: paper numbers only (no config in this repository)')
            continue
        if benchmark:
            split, data = 'the built-in benchmark\'s val split', [benchmark]
        else:
            split = SPLIT_NAMES[run.row.split]
            data = sorted({path + ('' if osp.exists(path) else ' (missing)')
                           for path, what in pt.required_paths(run.train_config, True)
                           + pt.required_paths(run.test_config, False) if 'root' in what})
        variant = f' as quick variant {run.name}' if benchmark else ''
        lines += [f'{head}: {run.row.config}{variant}',
                  f'    train -> {osp.join(work_dir, "train", run.name)}',
                  f'    test on {split} -> {osp.join(work_dir, "results", run.test_name)}',
                  f'    data: {", ".join(data)}']
    return '\n'.join(lines)


# ------------------------------------------------------------------ running
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _launch(script: str, args: List[str]) -> None:
    """Run ``tools/<script>`` (a torchrun launch script) with this interpreter."""
    env = dict(os.environ, PYTHON=sys.executable, PORT=os.environ.get('PORT') or str(_free_port()))
    command = ['bash', osp.join(TOOLS_DIR, script), *args]
    print(f'[run_table] {" ".join(command)}')
    if subprocess.run(command, env=env).returncode != 0:
        raise RuntimeError(f'{script} failed; its log is in the work dir of: {" ".join(command)}')


def _save_run_config(cfg: Config, work_dir: str) -> str:
    """Write ``cfg`` as ``<work_dir>/run_config.py`` for a launched process; returns the path."""
    os.makedirs(work_dir, exist_ok=True)
    config_file = osp.join(work_dir, 'run_config.py')
    cfg.dump(config_file)
    return config_file


def train_distributed(entry: TrackerEntry, benchmark_root: Optional[str], work_dir: str,
                      nproc: int) -> str:
    """Train like ``tracker_runs.train_tracker`` with ``nproc`` processes (tools/dist_train.sh);
    the config is saved as ``<work_dir>/run_config.py``. Returns the final checkpoint."""
    # the saved config carries ``resume`` (True when the work dir has a checkpoint)
    config_file = _save_run_config(tracker_runs.train_config(entry, benchmark_root, work_dir),
                                   work_dir)
    _launch('dist_train.sh', [config_file, str(nproc), '--work-dir', work_dir])
    return tracker_runs.last_checkpoint(work_dir)


def test_distributed(entry: TrackerEntry, benchmark_root: Optional[str], work_dir: str,
                     results_dir: str, checkpoint: Optional[str], nproc: int) -> dict:
    """Test like ``tracker_runs.test_tracker`` with ``nproc`` processes (tools/dist_test.sh).

    Returns:
        dict: The metrics, as the test tool wrote them to ``<work_dir>/metrics.json``.
    """
    config_file = _save_run_config(
        tracker_runs.test_config(entry, benchmark_root, work_dir, results_dir), work_dir)
    metrics_file = osp.join(work_dir, 'metrics.json')
    if osp.exists(metrics_file):
        os.remove(metrics_file)  # of an interrupted earlier try
    _launch('dist_test.sh', [config_file, checkpoint or 'none', str(nproc),
                             '--work-dir', work_dir, '--metrics-file', metrics_file])
    with open(metrics_file) as f:
        return json.load(f)


def run_rows(runs: Sequence[RowRun], folder: RunFolder, mode: str,
             benchmark_root: Optional[str], nproc: int = 1) -> Dict[str, dict]:
    """Train and test every run once (recorded steps are skipped), in this process or with
    ``nproc`` processes each.

    Returns:
        dict: test name -> ``{'metrics': ..., 'submission': zip or None, 'checkpoint': ...}``.
    """
    results = {}
    for run in runs:
        if not run.name or run.test_name in results:
            continue
        entry = TrackerEntry(run.name, run.train_config)
        train_dir = folder.path('train', run.name)
        print(f'[run_table] training {run.row.config} as {run.name}')
        checkpoint = folder.step(f'{mode}/train:{run.name}', lambda: (
            tracker_runs.train_tracker(entry, benchmark_root, train_dir) if nproc == 1
            else train_distributed(entry, benchmark_root, train_dir, nproc)))
        print(f'[run_table] testing {run.test_name}')
        test_entry = TrackerEntry(run.name, run.test_config)
        test_dir, results_dir = folder.path('test', run.test_name), folder.path(
            'results', run.test_name)

        def test():
            metrics = (tracker_runs.test_tracker(test_entry, benchmark_root, test_dir,
                                                 results_dir, checkpoint) if nproc == 1
                       else test_distributed(test_entry, benchmark_root, test_dir, results_dir,
                                             checkpoint, nproc))
            submission = None
            if run.row.split in SUBMISSION_NAMES:
                submission = osp.join(results_dir,
                                      f'{SUBMISSION_NAMES[run.row.split]}_submission.zip')
            return dict(metrics=metrics, checkpoint=checkpoint,
                        submission=submission if submission and osp.isfile(submission) else None)

        results[run.test_name] = folder.step(f'{mode}/test:{run.test_name}', test)
    return results


def row_gflops(runs: Sequence[RowRun], quick: bool, folder: Optional[RunFolder]):
    """Table 4's GFLOPs of each run: the row's config, and with ``quick`` its tiny variant.

    Returns:
        dict: run name -> ``{'full': GFLOPs, 'tiny': GFLOPs}`` (``tiny`` only with ``quick``).
    """
    flops = {}
    for run in runs:
        if not run.name or run.name in flops:
            continue

        def count():
            counted = {'full': pt.config_gflops(run.full_config)}
            if quick:
                counted['tiny'] = pt.config_gflops(run.train_config)
            return counted

        flops[run.name] = (folder.step(f'gflops:{run.name}', count) if folder is not None
                           else count())
    return flops


# ------------------------------------------------------------------ the table
def table_columns(table: int, quick: bool) -> List[str]:
    """The printed columns: the paper's descriptive columns, then ours and paper's per metric."""
    columns = ['Method'] + DESCRIPTIVE_COLUMNS[table]
    if table == 4:
        columns += (['GFLOPs tiny', 'GFLOPs full', 'GFLOPs paper'] if quick
                    else ['GFLOPs ours', 'GFLOPs paper'])
    for metric in METRIC_COLUMNS[table]:
        columns += [f'{metric} ours', f'{metric} paper']
    return columns


def ours_of(run: RowRun, results: Dict[str, dict], quick: bool) -> Dict[str, object]:
    """Metric column -> our value of one row: a number, or in full mode for a server-scored
    split the submission archive to upload."""
    result = results.get(run.test_name)
    if result is None:
        return {}
    if result['submission'] and not quick:
        return {metric: result['submission'] for metric in run.row.metrics}
    return {metric: float(result['metrics'][key]) for metric, key in pt.METRIC_KEYS.items()
            if key in result['metrics']}


def build_table(table: int, runs: Sequence[RowRun], results: Dict[str, dict],
                flops: Dict[str, dict], quick: bool):
    """The paper's layout with ours next to the paper's numbers.

    Table 1 prints one line per method: its TrackingNet and GOT-10k columns come from
    different models (rows), as in the paper. In full mode a server-scored cell holds a note
    number ``[n]``: the archive to upload is listed under the table.

    Returns:
        tuple: ``(lines, submissions)``: dicts keyed by :func:`table_columns`, and the list
        of ``(note number, row, archive)``.
    """
    groups: Dict[str, List[RowRun]] = {}
    for run in runs:
        groups.setdefault(run.row.label, []).append(run)
    submissions, lines = [], []
    for label, group in groups.items():
        configured = next(run for run in group if run.full_config is not None)
        line = dict(pt.describe(configured.full_config),
                    Method='ProContEXT' if table > 1 else label)
        for metric in METRIC_COLUMNS[table]:
            # the row tested on the metric's split first; quick rows score every metric
            candidates = sorted(group, key=lambda run: metric not in run.row.metrics)
            ours = next((ours_of(run, results, quick)[metric] for run in candidates
                         if metric in ours_of(run, results, quick)), MISSING)
            if isinstance(ours, str) and ours != MISSING:
                known = [n for n, _, archive in submissions if archive == ours]
                if not known:
                    submissions.append((len(submissions) + 1, candidates[0].row, ours))
                ours = f'[{known[0] if known else len(submissions)}]'
            paper = next(run.row.paper[metric] for run in group if metric in run.row.paper)
            line[f'{metric} ours'], line[f'{metric} paper'] = ours, f'{paper:.1f}'
        if table == 4:
            counted = flops.get(configured.name, {})
            line['GFLOPs paper'] = f'{configured.row.paper["GFLOPs"]:.1f}'
            if quick:
                line['GFLOPs full'] = counted.get('full', MISSING)
                tiny = counted.get('tiny')
                line['GFLOPs tiny'] = MISSING if tiny is None else f'{tiny:.3f}'
            else:
                line['GFLOPs ours'] = counted.get('full', MISSING)
        lines.append(line)
    return lines, submissions


def table_notes(table: int, quick: bool, quick_iters: int, data_root: str,
                submissions) -> List[str]:
    """What the numbers are, printed under the caption."""
    notes = []
    if quick:
        protocols = ('GOT-10k protocol (AO / SR) and, in the TrackingNet columns, the '
                     'TrackingNet OPE protocol (AUC / N-PRE / PRE)' if table == 1
                     else 'GOT-10k protocol')
        notes += [
            'QUICK MODE: NOT COMPARABLE WITH THE PAPER. Ours = the tiny quickstart ProContEXT '
            '(4-block, 128-dim ViT, 64 px templates / 128 px search) with the row\'s template '
            f'and keep-ratio settings, trained {quick_iters} iterations on the built-in '
            f'benchmark ({data_root}) and scored on its val split with the {protocols}. '
            'The paper: ViT-B, real datasets, 100-300 epochs.']
    elif table == 1:
        notes.append('GOT-10k test and TrackingNet test are scored only by their evaluation '
                     'servers: an "ours" cell [n] names the submission archive to upload '
                     '(listed below); their scores go in its place.')
    else:
        notes.append(f'Ours: the row\'s config trained on GOT-10k train ({data_root}) and '
                     'scored on GOT-10k val with the GOT-10k protocol, final checkpoint.')
    if not quick:
        notes.append('Trained in one process: the configs\' 4 GPUs x 32 batch runs as one '
                     'batch of 32 (use tools/dist_train.sh to train a row on several GPUs).')
    if table == 1:
        notes.append('OSTrack\'s GOT-10k paper numbers come from its own GOT-10k-only model, '
                     'which has no config in this repository' +
                     ('; here its GOT-10k columns score the quick OSTrack variant.' if quick
                      else '.'))
    if table == 4:
        notes.append('GFLOPs: multiply-accumulates of the conv and linear layers of one '
                     'tracking forward (tools/analysis_tools/get_flops.py)' +
                     ('; "full": the row\'s ViT-B config, "tiny": its quick variant.'
                      if quick else '.'))
    for number, row, archive in submissions:
        notes.append(f'[{number}] {row.label} ({row.config}): upload {archive} to '
                     f'{pt.SERVERS[row.split]}')
    return notes


def format_output(table: int, lines: List[dict], notes: List[str], quick: bool) -> str:
    """Caption, notes and the table as text."""
    text = format_table(lines, table_columns(table, quick))
    wrapped = [textwrap.fill(note, 100, initial_indent='  ', subsequent_indent='    ')
               for note in notes]
    return '\n'.join([pt.CAPTIONS[table] + (' [QUICK MODE]' if quick else '')] + wrapped + [text])


# ------------------------------------------------------------------ the job
def prepare_benchmark(folder: RunFolder, data_root: Optional[str]) -> str:
    """The built-in benchmark of a quick run: ``data_root`` if it is one, else generated in
    the work dir; bound to the folder (results of another benchmark are refused)."""
    from procontext_apps.builtin_benchmark import generate_builtin_benchmark, load_manifest
    if data_root is None:
        print('[run_table] built-in benchmark (generated once)')
        data_root = generate_builtin_benchmark(folder.path('benchmark'))
    manifest = load_manifest(data_root) if osp.isdir(data_root) else None
    if manifest is None:
        raise FileNotFoundError(
            f'--quick --data-root {data_root}: not a built-in benchmark (no manifest.json); '
            'leave --data-root out to generate one')
    folder.bind_data(manifest['fingerprint'])
    return osp.abspath(data_root)


def missing_data(runs: Sequence[RowRun]) -> List[str]:
    """The dataset folders and files (and pretrained weights) the runs need but do not find."""
    return pt.missing_paths([(cfg, training) for run in runs if run.name
                             for cfg, training in ((run.train_config, True),
                                                   (run.test_config, False))])


def check_data(runs: Sequence[RowRun]) -> None:
    """Fail before any training if a dataset folder or file a run needs is missing."""
    missing = missing_data(runs)
    if missing:
        raise FileNotFoundError(
            'run_table: missing before any training (datasets in their official layouts under '
            '--data-root, as configs/_base_/datasets/*.py name them):\n  ' + '\n  '.join(missing))


def main(argv=None) -> dict:
    """Run (or with ``--dry-run`` plan) one table; returns the JSON record written."""
    args = parse_args(argv)
    started = time.time()
    mode = 'quick' if args.quick else 'full'
    data_root = osp.abspath(args.data_root or DEFAULT_DATA_ROOT) if not args.quick \
        else args.data_root
    runs = plan_runs(args.table, args.quick, args.quick_iters, data_root)

    folder, results = None, {}
    if args.dry_run:
        if args.quick:
            data_root = data_root or osp.join(args.work_dir, 'benchmark')
        print(f'[run_table] dry run, {mode} mode, work dir {args.work_dir}')
        print(describe_plan(runs, args.work_dir, data_root if args.quick else None))
        if not args.quick:
            missing = missing_data(runs)
            print('[run_table] ' + ('missing:\n  ' + '\n  '.join(missing) if missing
                                    else 'every dataset folder and file needed is there'))
    else:
        if not args.quick:
            check_data(runs)
        folder = RunFolder(args.work_dir)
        if folder.step('mode', lambda: mode) != mode:
            raise RunFolderError(f'{folder.root} holds {folder.state.done["mode"]}-mode runs: '
                                 'use another --work-dir')
        if args.quick:
            data_root = prepare_benchmark(folder, data_root)
        results = run_rows(runs, folder, mode, data_root if args.quick else None, args.nproc)
    flops = row_gflops(runs, args.quick, folder) if args.table == 4 else {}

    lines, submissions = build_table(args.table, runs, results, flops, args.quick)
    notes = table_notes(args.table, args.quick, args.quick_iters, data_root, submissions)
    text = format_output(args.table, lines, notes, args.quick)
    print(text)
    record = dict(
        table=args.table, mode=mode, dry_run=args.dry_run, caption=pt.CAPTIONS[args.table],
        notes=notes, quick_iters=args.quick_iters if args.quick else None, data_root=data_root,
        columns=table_columns(args.table, args.quick), lines=lines,
        rows=[dict(label=run.row.label, config=run.row.config, split=run.row.split,
                   paper=run.row.paper, ours=ours_of(run, results, args.quick),
                   run=run.name or None, **results.get(run.test_name, {}),
                   gflops=flops.get(run.name))
              for run in runs],
        seconds=round(time.time() - started, 1))
    if folder is not None:
        with open(folder.path(f'table{args.table}.txt'), 'w') as f:
            f.write(text + '\n')
        with open(folder.path(f'table{args.table}.json'), 'w') as f:
            json.dump(record, f, indent=2, ensure_ascii=False)
        print(f'[run_table] written {folder.path(f"table{args.table}.txt")} and .json '
              f'({record["seconds"]:.0f} s)')
    return record


if __name__ == '__main__':
    main()
