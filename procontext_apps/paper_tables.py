"""The paper's Tables 1-4 as data, and how a table row becomes a run.

Each :class:`PaperRow` names the config that trains the row's model and the numbers the paper
reports for it (``configs/procontext/README.md`` holds the same mapping for readers; a test
keeps the two in agreement). A row is run either

* in full (:func:`full_configs`): its own config with the ``data/...`` roots moved under a
  given folder and the test split of the table (GOT-10k val, GOT-10k test or TrackingNet
  test), or
* quick (:func:`quick_variant`): the tiny quickstart ProContEXT with the row's distinguishing
  settings (template memory, candidate-elimination keep ratio, templates sampled in training)
  copied from the row's config, on the built-in benchmark.
"""
import copy
import hashlib
import json
import os.path as osp
import warnings
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from mmengine.config import Config

from .tracker_runs import compress_schedule

#: The tiny model every quick variant starts from (relative to the configs folder, as every
#: config path here: the caller names that folder, e.g. ``configs/`` of a source checkout).
TINY_CONFIG = 'quickstart/procontext_vit-tiny_1xb8-1500i_builtin.py'
#: Config files of the official test splits whose loaders replace a row's in full mode.
TRACKINGNET_TEST_CONFIG = '_base_/datasets/trackingnet_test.py'
#: The folder the configs' dataset roots are written under (``data/GOT10k``, ...).
CONFIG_DATA_PREFIX = 'data/'

#: Where a row is tested in full mode; the last two are scored by the benchmarks' servers.
GOT10K_VAL, GOT10K_TEST, TRACKINGNET_TEST = 'got10k_val', 'got10k_test', 'trackingnet_test'
#: Metric columns of the tables each test split fills.
SPLIT_METRICS = {
    GOT10K_VAL: ('AO', 'SR0.5'),
    GOT10K_TEST: ('AO', 'SR0.5', 'SR0.75'),
    TRACKINGNET_TEST: ('AUC', 'N-PRE', 'PRE'),
}
#: Metric column -> key of the evaluator's result (``ope/``: the second, OPE metric of the
#: quick Table 1, see :func:`quick_variant`).
METRIC_KEYS = {
    'AO': 'sot/AO', 'SR0.5': 'sot/SR0.5', 'SR0.75': 'sot/SR0.75',
    'AUC': 'ope/success', 'N-PRE': 'ope/norm_precision', 'PRE': 'ope/precision',
}
SERVERS = {
    GOT10K_TEST: 'the GOT-10k server, http://got-10k.aitestunion.com/',
    TRACKINGNET_TEST: 'the TrackingNet server, https://eval.ai/web/challenges/challenge-page/1805',
}


@dataclass(frozen=True)
class PaperRow:
    """One row (or, in Table 1, one half of a row) of a table of the paper.

    Attributes:
        table (int): Table number, 1-4.
        label (str): The row as the paper prints it (Table 1: the method; Table 2: the number
            of static scales; Table 3: the template factors, ``+ DT`` with dynamic templates;
            Table 4: the keep ratio rho).
        config (str, optional): Config of the row's model, relative to the configs folder;
            None when the paper's number has no config here.
        paper (dict): Metric column -> the paper's value.
        split (str): Where the row is tested in full mode: ``GOT10K_VAL``, ``GOT10K_TEST`` or
            ``TRACKINGNET_TEST``.
    """
    table: int
    label: str
    config: Optional[str]
    paper: Dict[str, float]
    split: str = GOT10K_VAL

    def config_path(self, config_root: str) -> Optional[str]:
        """Path of the config in ``config_root`` (e.g. ``configs/`` of a source checkout), or
        None."""
        return osp.join(config_root, self.config) if self.config else None

    @property
    def name(self) -> str:
        """The config's file name without ``.py`` (names the row's work folders)."""
        return osp.splitext(osp.basename(self.config))[0] if self.config else ''

    @property
    def metrics(self) -> Tuple[str, ...]:
        """The metric columns this row fills."""
        return SPLIT_METRICS[self.split]


def _ablation(name: str) -> str:
    return f'procontext/{name}_vit-b16-mae-128-256px_4xb32-100e_got10k.py'


_STATIC_K2 = _ablation('procontext-static-k2')
_K2_4 = _ablation('procontext')
_TRACKINGNET_MODEL = 'procontext_vit-b16-mae_4xb32-300e_lasot-got10k-coco-trackingnet.py'

#: Every row of Tables 1-4, in the paper's order.
PAPER_ROWS: Tuple[PaperRow, ...] = (
    PaperRow(1, 'OSTrack', f'ostrack/ostrack{_TRACKINGNET_MODEL[len("procontext"):]}',
             {'AUC': 83.9, 'N-PRE': 88.5, 'PRE': 83.2}, TRACKINGNET_TEST),
    # OSTrack's GOT-10k-only model (Ye et al.) has no config in this repository
    PaperRow(1, 'OSTrack', None, {'AO': 73.7, 'SR0.5': 83.2, 'SR0.75': 70.8}, GOT10K_TEST),
    PaperRow(1, 'ProContEXT', f'procontext/{_TRACKINGNET_MODEL}',
             {'AUC': 84.6, 'N-PRE': 89.2, 'PRE': 83.8}, TRACKINGNET_TEST),
    PaperRow(1, 'ProContEXT', 'procontext/procontext_vit-b16-mae_4xb32-100e_got10k.py',
             {'AO': 74.6, 'SR0.5': 84.7, 'SR0.75': 72.9}, GOT10K_TEST),
    PaperRow(2, '1', _STATIC_K2, {'AO': 85.1, 'SR0.5': 94.6}),
    PaperRow(2, '2', _ablation('procontext-static-k2-4'), {'AO': 86.7, 'SR0.5': 96.5}),
    PaperRow(2, '3', _ablation('procontext-static-k2-3-4'), {'AO': 85.4, 'SR0.5': 95.6}),
    PaperRow(2, '4', _ablation('procontext-static-k2-2.7-3.3-4'), {'AO': 85.4, 'SR0.5': 95.4}),
    PaperRow(3, '[2.0]', _STATIC_K2, {'AO': 85.1, 'SR0.5': 94.6}),
    PaperRow(3, '[2.0] + DT', _ablation('procontext-k2'), {'AO': 86.3, 'SR0.5': 96.0}),
    PaperRow(3, '[2.0, 4.0] + DT', _K2_4, {'AO': 86.8, 'SR0.5': 96.8}),
    PaperRow(4, '0.6', _ablation('procontext-keep0.6'),
             {'GFLOPs': 36.1, 'AO': 85.8, 'SR0.5': 95.4}),
    PaperRow(4, '0.7', _K2_4, {'GFLOPs': 38.0, 'AO': 86.8, 'SR0.5': 96.8}),
    PaperRow(4, '0.8', _ablation('procontext-keep0.8'),
             {'GFLOPs': 40.1, 'AO': 86.3, 'SR0.5': 96.1}),
    PaperRow(4, '0.9', _ablation('procontext-keep0.9'),
             {'GFLOPs': 42.7, 'AO': 86.3, 'SR0.5': 95.8}),
    PaperRow(4, '1.0', _ablation('procontext-keep1.0'),
             {'GFLOPs': 45.5, 'AO': 85.7, 'SR0.5': 95.5}),
)

#: Captions (shortened from the paper's).
CAPTIONS = {
    1: 'Table 1: comparison with OSTrack on TrackingNet and GOT-10k (test sets)',
    2: 'Table 2: number of scales for static templates (GOT-10k val)',
    3: 'Table 3: the exploration of dynamic templates (GOT-10k val)',
    4: 'Table 4: the exploration of keeping ratio ρ in token pruning (GOT-10k val)',
}


def table_rows(table: int) -> List[PaperRow]:
    """The rows of one table, in the paper's order."""
    rows = [row for row in PAPER_ROWS if row.table == table]
    if not rows:
        raise ValueError(f'the paper has Tables 1-4, not {table}')
    return rows


# ------------------------------------------------------------------ what a config sets
#: Steps of the configs' training pipelines (``configs/_base_/datasets/*.py``) read and set here.
SAMPLE_FRAMES_STEP, CROP_STEP = 'sample_frames', 'crop'


def _config_name(cfg: Config) -> str:
    return getattr(cfg, 'filename', None) or 'the config'


def train_pipeline(cfg: Config) -> dict:
    """The training pipeline of a config: ``train_dataloader.dataset.pipeline`` (of a
    ``ConcatSOTDataset``: the pipeline its datasets share), a dict of named steps.

    Raises:
        ValueError: If the pipeline is missing or a list (its steps have no names).
    """
    pipeline = cfg.train_dataloader.dataset.get('pipeline')
    if not isinstance(pipeline, dict):
        raise ValueError(f'{_config_name(cfg)}: train_dataloader.dataset.pipeline '
                         'must be a dict of named steps (see configs/_base_/datasets/), got '
                         f'{type(pipeline).__name__}')
    return pipeline


def train_step(cfg: Config, name: str) -> dict:
    """The config of step ``name`` of a config's training pipeline (:func:`train_pipeline`)."""
    step = train_pipeline(cfg).get(name)
    if step is None:
        raise ValueError(f'{_config_name(cfg)}: the training pipeline has no step '
                         f'{name!r} (steps: {", ".join(train_pipeline(cfg)["order"])})')
    return step


def keep_ratio(cfg: Config) -> float:
    """The candidate-elimination keep ratio of a config (one value for all eliminating blocks).

    Raises:
        ValueError: If the blocks have different ratios (a quick variant could not copy them).
    """
    ratios = cfg.model.backbone.ce_keep_ratio
    ratios = [ratios] if isinstance(ratios, (int, float)) else list(ratios)
    if len(set(ratios)) != 1:
        raise ValueError(f'per-block keep ratios {ratios} are not supported here')
    return float(ratios[0])


def row_settings(cfg: Config) -> dict:
    """What distinguishes the rows of the tables, read from a config.

    Returns:
        dict: ``template_memory`` (the model's template memory without its crop size),
        ``ce_keep_ratio``, ``template_factors`` (of the ``crop`` step) and ``num_dynamic``
        (of the ``sample_frames`` step), the last two from the training pipeline.
    """
    memory = cfg.model.template_memory.to_dict()
    memory.pop('template_size', None)  # a property of the network size, not of the row
    return dict(
        template_memory=memory,
        ce_keep_ratio=keep_ratio(cfg),
        template_factors=tuple(train_step(cfg, CROP_STEP)['template_factors']),
        num_dynamic=int(train_step(cfg, SAMPLE_FRAMES_STEP)['num_dynamic']))


def describe(cfg: Config) -> Dict[str, str]:
    """The descriptive columns of the paper's tables for a config (``DT``, ``scale num``,
    ``κ``, ``Dynamic template``, ``ρ``)."""
    memory = cfg.model.template_memory
    static = [float(k) for k in memory.static_factors]
    dynamic = bool(memory.dynamic_factors)
    return {'DT': '✓' if dynamic else '×', 'scale num': str(len(static)), 'κ': str(static),
            'Dynamic template': '✓' if dynamic else '', 'ρ': f'{keep_ratio(cfg):.1f}'}


# ------------------------------------------------------------------ quick variants
def varied_settings(row_configs: Sequence[Config]) -> Tuple[str, ...]:
    """The :func:`row_settings` keys whose values differ between the rows of a table."""
    settings = [row_settings(cfg) for cfg in row_configs]
    return tuple(key for key in settings[0] if any(s[key] != settings[0][key] for s in settings))


def quick_variant(row_config: Config,
                  tiny_config: Config,
                  iters: int,
                  with_ope: bool = False,
                  copied: Sequence[str] = ('template_memory', 'ce_keep_ratio',
                                           'template_factors', 'num_dynamic')) -> Config:
    """The tiny quickstart ProContEXT carrying a row's distinguishing settings.

    Copied from ``row_config`` (:func:`row_settings`), those named in ``copied``: the template
    memory (static and dynamic factors, update rule), the keep ratio, and in the training
    pipeline the template factors and the number of dynamic templates sampled. Pass the
    settings the table varies (:func:`varied_settings`): the others stay the tiny recipe's
    (e.g. its keep ratio of 1.0: a model minutes old loses the target when 30% of its 64
    search tokens are eliminated). The network size, crop sizes and search factor stay the
    tiny model's. The schedule (warm-up, cosine decay, keep-ratio decay, checkpoints) is
    compressed into ``iters`` iterations.

    Args:
        row_config (Config): The row's full config.
        tiny_config (Config): The tiny model's config (:data:`TINY_CONFIG`); not modified.
        iters (int): Training iterations.
        with_ope (bool): Score the test split with the OPE protocol too (TrackingNet's, keys
            ``ope/success``, ``ope/norm_precision``, ``ope/precision``), besides GOT-10k's.
        copied (Sequence[str]): Keys of :func:`row_settings` to copy. Defaults to all.

    Returns:
        Config: A new config (the data roots are the tiny config's).
    """
    settings = row_settings(row_config)
    cfg = copy.deepcopy(tiny_config)
    if 'template_memory' in copied:
        cfg.model.template_memory.update(copy.deepcopy(settings['template_memory']))
    if 'ce_keep_ratio' in copied:
        cfg.model.backbone.ce_keep_ratio = settings['ce_keep_ratio']
    if 'template_factors' in copied:
        train_step(cfg, CROP_STEP)['template_factors'] = settings['template_factors']
    if 'num_dynamic' in copied:
        train_step(cfg, SAMPLE_FRAMES_STEP)['num_dynamic'] = settings['num_dynamic']
    compress_schedule(cfg, iters)
    if with_ope:
        # the built-in frames of an absent target carry no box to score, as GOT-10k's
        cfg.test_evaluator = [
            dict(cfg.test_evaluator),
            dict(type='SOTMetric', benchmark='trackingnet', prefix='ope',
                 metric_options=dict(exclude_invisible=True)),
        ]
    return cfg


def quick_variant_name(variant: Config) -> str:
    """A readable name of a quick variant that changes with what it trains: rows whose
    variants train the same model share it (e.g. ``s2-4_d2-4_keep0.7_400it-3f9a0c``).

    The suffix digests the whole training config but the test evaluator, so an edit of the
    tiny config gives new names instead of reusing results of the old one.
    """
    settings = row_settings(variant)
    memory = settings['template_memory']

    def factors(values):
        return '-'.join(f'{float(v):g}' for v in values) or 'none'

    trained = {k: v for k, v in variant.to_dict().items() if k != 'test_evaluator'}
    digest = hashlib.sha256(json.dumps(trained, sort_keys=True, default=str).encode())
    return (f's{factors(memory["static_factors"])}_d{factors(memory["dynamic_factors"])}_'
            f'keep{settings["ce_keep_ratio"]:g}_{variant.train_cfg.max_iters}it-'
            f'{digest.hexdigest()[:6]}')


# ------------------------------------------------------------------ full runs
def _walk_dicts(node) -> Iterator[dict]:
    """Every dict inside a config node (depth first, the node itself included)."""
    if isinstance(node, dict):
        yield node
        children = node.values()
    elif isinstance(node, (list, tuple)):
        children = node
    else:
        return
    for child in children:
        yield from _walk_dicts(child)


def full_configs(row: PaperRow, config_root: str, data_root: str) -> Tuple[Config, Config]:
    """A row's configs for training and for testing on its test split, with the datasets
    under ``data_root``.

    The configs are read from ``config_root`` (e.g. ``configs/`` of a source checkout).
    Every ``data/<name>`` root of the configs becomes ``<data_root>/<name>``. The test config
    tests on the row's split: GOT-10k val scored with the GOT-10k protocol, or GOT-10k test /
    TrackingNet test written as the servers' submission archives (``format_only``).

    Returns:
        tuple[Config, Config]: ``(train_config, test_config)``.
    """
    train_cfg = Config.fromfile(row.config_path(config_root))
    test_cfg = copy.deepcopy(train_cfg)
    if row.split == GOT10K_VAL:
        test_cfg.test_dataloader.dataset.split = 'val'
        test_cfg.test_evaluator = dict(type='SOTMetric', benchmark='got10k')
    elif row.split == TRACKINGNET_TEST:
        server = Config.fromfile(osp.join(config_root, TRACKINGNET_TEST_CONFIG))
        test_cfg.test_dataloader = server.test_dataloader
        test_cfg.test_evaluator = server.test_evaluator
    # GOT10K_TEST: the configs' own test loader and evaluator (got10k_test.py)
    for cfg in (train_cfg, test_cfg):
        for node in _walk_dicts([cfg[key] for key in cfg.keys()]):
            root = node.get('data_root')
            if isinstance(root, str) and root.startswith(CONFIG_DATA_PREFIX):
                node['data_root'] = osp.join(data_root, root[len(CONFIG_DATA_PREFIX):])
    return train_cfg, test_cfg


def required_paths(cfg: Config, training: bool) -> List[Tuple[str, str]]:
    """The files and folders a run reads from disk before its first iteration.

    Args:
        cfg (Config): A config of :func:`full_configs`.
        training (bool): A training run (train and val loaders, pretrained weights) or a test
            run (test loader).

    Returns:
        list[tuple[str, str]]: ``(path, what it is)``: dataset roots, GOT-10k split folders,
        split / annotation files and pretrained weights, in the order found.
    """
    from procontext_mm.datasets import GOT10kDataset
    loaders = ('train_dataloader', 'val_dataloader') if training else ('test_dataloader', )
    paths = []
    for node in _walk_dicts([cfg.get(loader) for loader in loaders]):
        if 'data_root' not in node or 'type' not in node:
            continue
        kind, root = str(node['type']).split('.')[-1], node['data_root']
        paths.append((root, f'{kind} root'))
        if kind == 'GOT10kDataset':
            folder = GOT10kDataset.SPLIT_FOLDERS.get(node.get('split', 'train'))
            if folder:
                paths.append((osp.join(root, folder), f'GOT-10k {folder} split'))
        for key in ('split_file', 'ann_file'):
            if node.get(key):
                paths.append((osp.join(root, node[key]), f'{kind} {key}'))
    if training:
        for node in _walk_dicts(cfg.get('model')):
            if node.get('type') == 'Pretrained' and '://' not in str(node.get('checkpoint')):
                where = '' if osp.isabs(node['checkpoint']) else ', from the current folder'
                paths.append((node['checkpoint'], f'pretrained weights{where}'))
    return paths


def missing_paths(runs: Sequence[Tuple[Config, bool]]) -> List[str]:
    """The :func:`required_paths` of ``(config, training)`` runs that do not exist, as
    ``'path (what it is)'`` lines, each path once."""
    missing, seen = [], set()
    for cfg, training in runs:
        for path, what in required_paths(cfg, training):
            if path not in seen and not osp.exists(path):
                missing.append(f'{path} ({what})')
            seen.add(path)
    return missing


def config_gflops(cfg: Config) -> float:
    """Table 4's GFLOPs of a config: multiply-accumulates of the conv and linear layers of one
    tracking forward (:func:`procontext_mm.utils.complexity.tracking_forward_complexity`, the
    figure of ``tools/analysis_tools/get_flops.py``)."""
    from procontext_mm.apis import init_model
    from procontext_mm.utils.complexity import tracking_forward_complexity
    with warnings.catch_warnings():
        # mmcv's note on the head's conv bias before BatchNorm, the reference's layout
        warnings.filterwarnings('ignore', 'Unnecessary conv bias')
        model = init_model(copy.deepcopy(cfg))
    return tracking_forward_complexity(model)['layer_gmacs']
