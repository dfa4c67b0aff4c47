"""Test-time hyper-parameter search: tracking settings tried on a validation split, ranked.

A search tests one config + checkpoint once per point of a space of config overrides (e.g.
``model.test_cfg.search_factor``, ``model.test_cfg.window``,
``model.template_memory.update_interval``), each through mmengine's runner and the SOT test
loop exactly as ``tools/test.py`` would, ranks the trials by one metric and writes the best
point as a config that ``_base_``-s the searched one and overrides only the searched keys.

* The space is a grid (every combination) or ``num_random`` points drawn from it.
* The data is the config's ``val_dataloader`` / ``val_evaluator`` (its ``test_*`` ones when it
  has no validation loader, or when asked); a test split is refused unless allowed
  (:func:`test_split_refusal`: tuning on the test videos inflates their scores).
* Every finished trial is recorded in the work dir (:class:`RunFolder`): a rerun skips it, so an
  interrupted search continues and a grown space only runs its new points.
* Under ``torchrun`` (``launcher='pytorch'``) every process runs every trial on its share of
  the videos (the SOT test loop shards them); the first process keeps the record and prints.
"""
import ast
import copy
import hashlib
import itertools
import json
import os.path as osp
import random
import re
import textwrap
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from mmengine.config import Config
from mmengine.dist import broadcast_object_list, init_dist, is_distributed, is_main_process

from procontext_mm.evaluation.metrics import SOTMetric
from .run_folder import RunFolder, RunFolderError
from .text_table import format_table
from .tracker_runs import TrackerEntry, test_config

#: The flag that allows searching on a test split, named in the refusal.
ALLOW_TEST_SPLIT_FLAG = '--allow-test-split'
_OPE_METRICS = ('success', 'precision', 'norm_precision', 'FPS')
#: ``SOTMetric`` benchmark -> its metric names (without prefix).
SOT_METRIC_NAMES = {
    'got10k': ('AO', 'SR0.5', 'SR0.75', 'FPS'),
    'lasot': _OPE_METRICS, 'trackingnet': _OPE_METRICS, 'otb': _OPE_METRICS,
    **{vot: ('EAO', 'accuracy', 'robustness', 'failure_rate', 'num_failures', 'FPS')
       for vot in SOTMetric.VOT_BENCHMARKS},
    **{vot: ('EAO', 'accuracy', 'robustness', 'FPS') for vot in SOTMetric.MULTISTART_BENCHMARKS},
}
#: The headline metric of each benchmark, the default ranking metric.
DEFAULT_RANKING_METRIC = {
    'got10k': 'AO', 'lasot': 'success', 'trackingnet': 'success', 'otb': 'success',
    **{vot: 'EAO' for vot in SOTMetric.VOT_BENCHMARKS + SOTMetric.MULTISTART_BENCHMARKS},
}
#: Metrics where less is better (failure counts of the supervised VOT protocol); the others
#: rank higher first (VOT2022's robustness is the fraction tracked before failing).
LOWER_IS_BETTER = {vot: ('robustness', 'failure_rate', 'num_failures')
                   for vot in SOTMetric.VOT_BENCHMARKS}
#: Files written to the work dir.
RESULTS_JSON, RESULTS_TEXT, BEST_CONFIG = 'search_results.json', 'search_results.txt', \
    'best_config.py'

_KEY_PATTERN = re.compile(r'[A-Za-z_]\w*(\.[A-Za-z_]\w*)*')
_BARE_WORD = re.compile(r'[A-Za-z_][\w\-]*')
#: Spellings of None / True / False that are not Python's (refused rather than read as strings).
_NOT_PYTHON_LITERALS = {'none', 'null', 'true', 'false'}


class SearchSpaceError(ValueError):
    """A ``--space`` item that cannot be read or names a key the config does not have."""


class TestSplitError(ValueError):
    """The search would run on a test split and that was not allowed."""


# ------------------------------------------------------------------ the space
@dataclass(frozen=True)
class SearchPoint:
    """The settings of one trial.

    Attributes:
        settings (tuple): ``(config key, value)`` pairs, in the space's key order.
    """
    settings: Tuple[Tuple[str, Any], ...]

    def as_dict(self) -> Dict[str, Any]:
        """Config key -> value (``Config.merge_from_dict`` keys)."""
        return dict(self.settings)

    @property
    def name(self) -> str:
        """``key=repr(value)`` pairs sorted by key: the trial's identity in the run record
        (the same point keeps its name when the space lists its keys in another order)."""
        return ' '.join(f'{key}={value!r}' for key, value in sorted(self.settings))

    @property
    def trial_id(self) -> str:
        """Short hash of :attr:`name`, naming the trial's folder."""
        return hashlib.sha1(self.name.encode()).hexdigest()[:10]


def _split_top_level(text: str) -> List[str]:
    """``text`` split at the commas outside brackets and quotes: ``'[2,4],[2],None'`` ->
    ``['[2,4]', '[2]', 'None']``."""
    items, depth, quote, start = [], 0, None, 0
    for i, char in enumerate(text):
        if quote:
            quote = None if char == quote else quote
        elif char in '\'"':
            quote = char
        elif char in '([{':
            depth += 1
        elif char in ')]}':
            depth -= 1
        elif char == ',' and depth == 0:
            items.append(text[start:i])
            start = i + 1
    if depth != 0 or quote:
        raise ValueError('unbalanced brackets or quotes')
    return items + [text[start:]]


def parse_value(text: str, key: str) -> Any:
    """One value of a ``--space`` item: a Python literal (``4.5``, ``None``, ``[2.0, 4.0]``,
    ``'hann'``), or a bare word read as a string (``hann``).

    Raises:
        SearchSpaceError: For an empty value, ``none`` / ``null`` / ``true`` / ``false`` (not
            Python's spelling) or text that is neither a literal nor a bare word.
    """
    text = text.strip()
    if not text:
        raise SearchSpaceError(f'--space {key}: an empty value (two commas in a row, or a '
                               'comma at the end?)')
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        pass
    if text.lower() in _NOT_PYTHON_LITERALS:
        raise SearchSpaceError(f'--space {key}: {text!r} is ambiguous: write None, True or '
                               f"False (Python literals), or quote it ('{text}') for a string")
    if _BARE_WORD.fullmatch(text):
        return text
    raise SearchSpaceError(f'--space {key}: cannot read {text!r} as a Python literal (numbers, '
                           "None, True, False, 'strings', [lists], (tuples)); quote strings "
                           'that are not a single word')


def parse_space(items: Sequence[str]) -> Dict[str, List[Any]]:
    """``--space`` items ``KEY=V1,V2,...`` -> config key -> its values, in the given order.

    Values are split at the commas outside brackets and quotes (``...static_factors=[2.0,4.0],
    [2.0,3.0,4.0]`` gives two lists), each read by :func:`parse_value`.

    Raises:
        SearchSpaceError: No item, an item without ``=``, a key that is not a dotted name
            (list indices such as ``a.0.b`` are not supported), a key given twice, a value
            given twice for one key, or an unreadable value.
    """
    if not items:
        raise SearchSpaceError('give the search space: --space KEY=V1,V2 [KEY=V1,V2 ...], e.g. '
                               '--space model.test_cfg.search_factor=4.5,5.0,5.5')
    space: Dict[str, List[Any]] = {}
    for item in items:
        key, sep, text = item.partition('=')
        key = key.strip()
        if not sep:
            raise SearchSpaceError(f'--space {item!r}: expected KEY=V1,V2,... (no "=")')
        if not _KEY_PATTERN.fullmatch(key):
            raise SearchSpaceError(f'--space {item!r}: {key!r} is not a dotted config key such '
                                   'as model.test_cfg.search_factor (list indices are not '
                                   'supported)')
        if key in space:
            raise SearchSpaceError(f'--space: key {key!r} is given twice; list all its values '
                                   'in one item (KEY=V1,V2,...)')
        try:
            texts = _split_top_level(text)
        except ValueError as e:
            raise SearchSpaceError(f'--space {item!r}: {e}') from None
        values = [parse_value(value_text, key) for value_text in texts]
        seen = [repr(v) for v in values]
        duplicates = sorted({v for v in seen if seen.count(v) > 1})
        if duplicates:
            raise SearchSpaceError(f'--space {key}: value(s) {", ".join(duplicates)} given '
                                   'more than once')
        space[key] = values
    return space


def grid_points(space: Dict[str, List[Any]]) -> List[SearchPoint]:
    """Every combination of the space's values: the first key varies slowest."""
    keys = list(space)
    return [SearchPoint(tuple(zip(keys, values)))
            for values in itertools.product(*(space[key] for key in keys))]


def random_points(space: Dict[str, List[Any]], num_points: int, seed: int) -> List[SearchPoint]:
    """``num_points`` distinct points of the grid drawn with ``seed`` (all of them if the grid
    is smaller), in grid order. The same space, number and seed give the same points, so a
    resumed random search runs the same trials."""
    grid = grid_points(space)
    if num_points >= len(grid):
        return grid
    chosen = sorted(random.Random(seed).sample(range(len(grid)), num_points))
    return [grid[i] for i in chosen]


def _walk_config(cfg, parts: Sequence[str]):
    """``(node, None)`` at the end of ``parts`` in a config, or ``(deepest node, missing
    index)``."""
    node = cfg
    for i, part in enumerate(parts):
        if not (isinstance(node, dict) and part in node):
            return node, i
        node = node[part]
    return node, None


def _walk_object(obj, parts: Sequence[str]) -> Tuple[bool, Any]:
    """``(True, value)`` if ``parts`` leads to an item / public attribute of a built object,
    else ``(False, None)``."""
    for part in parts:
        if isinstance(obj, dict):
            if part not in obj:
                return False, None
            obj = obj[part]
        elif not part.startswith('_') and hasattr(obj, part):
            obj = getattr(obj, part)
        else:
            return False, None
    return True, obj


def check_space_keys(cfg: Config, keys: Sequence[str], config_name: str,
                     build_model=None) -> None:
    """Check that every searched key is a setting of the config.

    A key is known if the config holds it, or, for a ``model.`` key, if the model built from
    the config holds it (a default of the model's constructor, e.g. ``model.test_cfg.window``
    when the config leaves it out). A misspelt key would otherwise be merged in silently and
    change nothing (``ProContEXT`` keeps unknown ``test_cfg`` entries).

    Args:
        cfg (Config): The searched config.
        keys (Sequence[str]): Dotted keys.
        config_name (str): The config file, named in errors.
        build_model (callable, optional): Returns the model built from ``cfg`` (called at most
            once, only when a ``model.`` key is not in the config). None: the config alone.

    Raises:
        SearchSpaceError: Naming the key, where it leaves the config and what is there.
    """
    model, settings = None, cfg.to_dict()
    for key in keys:
        parts = key.split('.')
        node, missing = _walk_config(settings, parts)
        if missing is None:
            continue
        if parts[0] == 'model' and build_model is not None and isinstance(node, dict):
            if model is None:
                model = build_model()
            if _walk_object(model, parts[1:])[0]:
                continue
        where = '.'.join(parts[:missing]) or 'the config'
        if not isinstance(node, dict):
            raise SearchSpaceError(f'--space key {key!r}: {where} in {config_name} is a value '
                                   f'({node!r}), not a dict of settings')
        known = set(node)
        if parts[0] == 'model' and model is not None and missing >= 1:
            built = model
            for part in parts[1:missing]:
                built = built[part] if isinstance(built, dict) else getattr(built, part, None)
            if isinstance(built, dict):
                known |= set(built)
        known_text = ', '.join(sorted(str(k) for k in known)) or 'nothing'
        raise SearchSpaceError(f'--space key {key!r} is not a setting of {config_name}: '
                               f'{where} has no {parts[missing]!r} (it has: {known_text})')


# ------------------------------------------------------------------ the data
#: Dataset type -> split -> name of that test split.
_TEST_SPLITS = {
    'GOT10kDataset': {'test': 'GOT-10k test'},
    'LaSOTDataset': {'test': 'LaSOT test (protocol II)',
                     'all': 'LaSOT all (its test set included)',
                     'extension': 'LaSOT extension (LaSOT-ext, a test set)'},
    'TrackingNetDataset': {'test': 'TrackingNet test'},
}
#: Dataset types whose every sequence is a test benchmark's (no validation split exists).
_TEST_BENCHMARKS = {
    'FolderSOTDataset': 'an OTB-100-style folder of test sequences',
    'UAV123Dataset': 'UAV123 / UAV20L',
    'NFSDataset': 'NfS (Need for Speed)',
    'TNL2KDataset': 'TNL2K',
    'VOTDataset': 'VOT challenge sequences',
}
#: How to proceed, per dataset type.
_HINTS = {
    'GOT10kDataset': "search on GOT-10k val: --cfg-options {field}.dataset.split=val (GOT-10k "
                     "test's boxes are hidden: only its server scores it)",
    'LaSOTDataset': 'LaSOT has no validation split: search on GOT-10k val (a config whose '
                    "val_dataloader is GOT10kDataset split='val', e.g. configs/procontext/*"
                    "_got10k.py), or on LaSOT train sequences kept out of training "
                    "({field}.dataset.split='train', split_file=...)",
    'TrackingNetDataset': 'TrackingNet has no validation split (and its test boxes are '
                          'hidden): search on GOT-10k val',
    'FolderSOTDataset': 'OTB-100 and the other benchmarks in its layout have no validation '
                        'split: search on GOT-10k val, unless {data_root} holds your own '
                        'validation videos rather than a test benchmark',
    'UAV123Dataset': 'UAV123 has no validation split: search on GOT-10k val',
    'NFSDataset': 'NfS has no validation split: search on GOT-10k val',
    'TNL2KDataset': 'search on GOT-10k val, unless {data_root} is TNL2K\'s train subset rather '
                    'than its test subset',
    'VOTDataset': 'VOT has no validation split: search on GOT-10k val',
}
#: Default ``split`` of the dataset classes that have one.
_DEFAULT_SPLIT = 'train'


def _type_name(cfg: dict) -> str:
    return str(cfg.get('type', '')).split('.')[-1]


def describe_dataset(dataset_cfg: dict) -> str:
    """``GOT10kDataset split='val' at data/GOT10k`` (a ``ConcatSOTDataset``: its parts)."""
    if _type_name(dataset_cfg) == 'ConcatSOTDataset':
        return ' + '.join(describe_dataset(part) for part in dataset_cfg.get('datasets', []))
    split = f" split={dataset_cfg['split']!r}" if 'split' in dataset_cfg else ''
    return f"{_type_name(dataset_cfg) or '?'}{split} at {dataset_cfg.get('data_root')}"


def test_split_refusal(dataset_cfg: dict, loader_field: str,
                       config_name: str) -> Optional[str]:
    """Why searching on this dataset would tune on a test split; None if it is not one.

    Test splits: GOT-10k ``test``, LaSOT ``test`` and ``all``, TrackingNet ``test``, and every
    OTB / UAV123 / NFS / TNL2K-style folder (``FolderSOTDataset``) and VOT dataset, which are
    test benchmarks without a validation split. A ``ConcatSOTDataset`` is one if a part is.
    Other types (GOT-10k ``val`` / ``vot-val`` / ``train``, LaSOT / TrackingNet ``train``,
    datasets registered elsewhere) are not.

    Args:
        dataset_cfg (dict): The ``dataset`` of the searched data loader.
        loader_field (str): That loader's config field (``val_dataloader``), named in the
            hint.
        config_name (str): The config file, named in the message.

    Returns:
        str | None: The refusal: which dataset and split, why, and how to proceed.
    """
    type_name = _type_name(dataset_cfg)
    if type_name == 'ConcatSOTDataset':
        for part in dataset_cfg.get('datasets', []):
            refusal = test_split_refusal(part, loader_field, config_name)
            if refusal:
                return refusal
        return None
    split = dataset_cfg.get('split', _DEFAULT_SPLIT)
    name = _TEST_SPLITS.get(type_name, {}).get(split) or _TEST_BENCHMARKS.get(type_name)
    if name is None:
        return None
    hint = _HINTS[type_name].format(field=loader_field, data_root=dataset_cfg.get('data_root'))
    return (f'{config_name}: {loader_field} is {name} ({describe_dataset(dataset_cfg)}), a test '
            'split. Tuning tracking settings on the test videos fits them to those videos and '
            f'inflates the test scores. {hint}. To search on it anyway (your own validation '
            f'videos, or to reproduce a paper that did), pass {ALLOW_TEST_SPLIT_FLAG}.')


def _sot_metrics(evaluator_cfg) -> List[dict]:
    """The ``SOTMetric`` configs of an evaluator config (a dict, a list, or ``metrics=``)."""
    if isinstance(evaluator_cfg, dict) and 'metrics' in evaluator_cfg:
        evaluator_cfg = evaluator_cfg['metrics']
    metrics = evaluator_cfg if isinstance(evaluator_cfg, (list, tuple)) else [evaluator_cfg]
    return [m for m in metrics if isinstance(m, dict) and _type_name(m) == 'SOTMetric']


def ranking_metric(evaluator_cfg, metric: Optional[str], evaluator_field: str,
                   rule: Optional[str] = None) -> Tuple[str, str]:
    """The metric key the trials are ranked by, and whether more or less is better.

    Default: the benchmark's headline metric of the first ``SOTMetric``: ``AO`` for GOT-10k,
    ``success`` (AUC of the success plot) for the OPE benchmarks (LaSOT, TrackingNet, OTB),
    ``EAO`` for VOT, with the metric's prefix (``sot/AO``). ``metric`` may be given with or
    without the prefix. The rule is ``'greater'`` except for the failure counts of VOT2016-2019
    (``robustness``, ``failure_rate``, ``num_failures``); ``rule`` overrides it (a metric of
    another evaluator is ``'greater'`` unless told).

    Returns:
        tuple: ``(metric key, 'greater' or 'less')``.

    Raises:
        ValueError: No ``SOTMetric`` and no ``metric``; a name the benchmark does not report;
            every ``SOTMetric`` only formatting results (``format_only=True``).
    """
    sot_metrics = _sot_metrics(evaluator_cfg)
    if sot_metrics and all(m.get('format_only') for m in sot_metrics):
        raise ValueError(f'{evaluator_field}: the evaluator only writes results '
                         '(format_only=True, a split without ground truth), so there is no '
                         'score to rank the trials by')
    if not sot_metrics:
        if metric is None:
            raise ValueError(f'{evaluator_field}: the evaluator {evaluator_cfg} has no '
                             'SOTMetric: give the metric to rank by (--metric KEY, as the '
                             'evaluator names it)')
        return metric, rule or 'greater'
    first = sot_metrics[0]
    benchmark = first.get('benchmark', 'got10k')
    prefix = first.get('prefix') or 'sot'
    if benchmark not in SOT_METRIC_NAMES:
        raise ValueError(f'{evaluator_field}: SOTMetric(benchmark={benchmark!r}) is not one of '
                         f'{sorted(SOT_METRIC_NAMES)}')
    if metric is None:
        name = DEFAULT_RANKING_METRIC[benchmark]
    else:
        name = metric.split('/', 1)[1] if metric.startswith(prefix + '/') else metric
        if name not in SOT_METRIC_NAMES[benchmark]:
            raise ValueError(
                f'--metric {metric}: SOTMetric(benchmark={benchmark!r}) reports '
                f'{", ".join(prefix + "/" + n for n in SOT_METRIC_NAMES[benchmark])}')
    default_rule = 'less' if name in LOWER_IS_BETTER.get(benchmark, ()) else 'greater'
    return f'{prefix}/{name}', rule or default_rule


# ------------------------------------------------------------------ the job
@dataclass
class SearchJob:
    """What to search.

    Attributes:
        config (str): Config file (a model config with a validation data loader).
        checkpoint (str, optional): Weights (this package's or the authors'); None only for
            trackers without parameters.
        space (dict): Config key -> values (:func:`parse_space`).
        work_dir (str): Where the trials, the record and the results go.
        dataloader (str, optional): ``'val'`` or ``'test'``: which loader and evaluator of the
            config to search on. None: ``val`` if the config has a ``val_dataloader``, else
            ``test``.
        metric (str, optional): Ranking metric (:func:`ranking_metric`); None: the default.
        rule (str, optional): ``'greater'`` or ``'less'``: which way the metric is better;
            None: the metric's own (:func:`ranking_metric`).
        num_random (int, optional): Draw this many points of the grid instead of all of them.
        seed (int): Seed of the draw. Defaults to 0.
        allow_test_split (bool): Search on a test split anyway. Defaults to False.
        cfg_options (dict): Overrides merged into the config first (e.g. a ``data_root``).
        launcher (str): ``'none'``, or ``'pytorch'`` / ``'slurm'`` when started by torchrun /
            srun (every process runs every trial on its share of the videos).
        fresh (bool): Delete an earlier search's work dir and start over. Defaults to False.
    """
    config: str
    checkpoint: Optional[str]
    space: Dict[str, List[Any]]
    work_dir: str
    dataloader: Optional[str] = None
    metric: Optional[str] = None
    rule: Optional[str] = None
    num_random: Optional[int] = None
    seed: int = 0
    allow_test_split: bool = False
    cfg_options: dict = field(default_factory=dict)
    launcher: str = 'none'
    fresh: bool = False


def search_config(job: SearchJob) -> Tuple[Config, str]:
    """The config every trial starts from: ``cfg_options`` merged, the searched loader and
    evaluator as the test ones (run by ``SOTTestLoop``), nothing loaded by the runner itself.

    Returns:
        tuple: ``(config, field)`` with ``field`` the searched loader (``'val_dataloader'``).

    Raises:
        ValueError: The chosen loader or its evaluator is missing.
    """
    cfg = Config.fromfile(job.config)
    if job.cfg_options:
        cfg.merge_from_dict(job.cfg_options)
    stage = job.dataloader or ('val' if cfg.get('val_dataloader') else 'test')
    if stage not in ('val', 'test'):
        raise ValueError(f'dataloader must be "val" or "test", got {stage!r}')
    field_name = f'{stage}_dataloader'
    for name in (field_name, f'{stage}_evaluator'):
        if not cfg.get(name):
            raise ValueError(f'{job.config} has no {name} to search on' +
                             (' (use the test one: --dataloader test)' if stage == 'val' else ''))
    cfg.test_dataloader = cfg[field_name]
    cfg.test_evaluator = cfg[f'{stage}_evaluator']
    if not cfg.get('test_cfg'):
        cfg.test_cfg = dict(type='SOTTestLoop')
    cfg.load_from, cfg.resume = None, False
    return cfg, field_name


def _fingerprint(cfg: Config, checkpoint: Optional[str]) -> str:
    """What the trials' results depend on besides their settings: the searched config and the
    checkpoint file (path, size, modification time)."""
    source = dict(config=cfg.to_dict())
    if checkpoint is not None:
        stat = osp.getsize(checkpoint), int(osp.getmtime(checkpoint))
        source['checkpoint'] = [osp.abspath(checkpoint), *stat]
    text = json.dumps(source, sort_keys=True, default=repr)
    return hashlib.sha1(text.encode()).hexdigest()


def run_trial(cfg: Config, point: SearchPoint, checkpoint: Optional[str], trial_dir: str,
              launcher: str = 'none') -> Dict[str, float]:
    """Test ``cfg`` with the point's settings through mmengine's runner (as ``tools/test.py``).

    The raw results of every video go to ``<trial_dir>/results`` (the benchmark's format, for
    ``tools/analysis_tools/compare_sot.py``), the logs to ``trial_dir``.

    Returns:
        dict: The evaluator's metrics (e.g. ``sot/AO``), as floats.

    Raises:
        ValueError: No checkpoint for a model with parameters, or one that does not fit it.
    """
    from mmengine.model import is_model_wrapper
    from mmengine.runner import Runner

    from procontext_mm.apis import load_tracker_weights
    from procontext_mm.utils.dist import setup_cpu_distributed
    entry = TrackerEntry(f'trial {point.trial_id}', cfg, trained=False,
                         cfg_options=point.as_dict())
    trial_cfg = test_config(entry, None, trial_dir, osp.join(trial_dir, 'results'))
    trial_cfg.launcher = launcher
    setup_cpu_distributed(trial_cfg, launcher)
    runner = Runner.from_cfg(trial_cfg)
    model = runner.model.module if is_model_wrapper(runner.model) else runner.model
    if checkpoint is not None:
        load_tracker_weights(model, checkpoint)
    elif any(True for _ in model.parameters()):
        raise ValueError(f'{type(model).__name__} has parameters: give the CHECKPOINT to search '
                         'with')
    return {key: float(value) for key, value in runner.test().items()}


def rank_trials(trials: List[dict], metric: str, rule: str = 'greater') -> List[dict]:
    """The trials best first by ``metric`` (``rule`` ``'greater'``: higher is better,
    ``'less'``: lower; a trial without it, or NaN, last; ties keep the planned order), each
    with its ``rank`` (1 = best)."""
    sign = -1.0 if rule == 'greater' else 1.0

    def sort_key(indexed):
        index, trial = indexed
        value = trial['metrics'].get(metric)
        missing = value is None or value != value  # NaN
        return (missing, 0.0 if missing else sign * value, index)

    ranked = [dict(trial) for _, trial in sorted(enumerate(trials), key=sort_key)]
    for rank, trial in enumerate(ranked, start=1):
        trial['rank'] = rank
    return ranked


def short_labels(keys: Sequence[str]) -> Dict[str, str]:
    """Key -> its shortest dotted suffix that no other key ends with (``search_factor``)."""
    labels = {}
    for key in keys:
        parts = key.split('.')
        for n in range(1, len(parts) + 1):
            label = '.'.join(parts[-n:])
            if not any(other != key and (other == label or other.endswith('.' + label))
                       for other in keys):
                break
        labels[key] = label
    return labels


def value_text(value: Any) -> str:
    """A setting as printed: strings bare (``hann``), anything else as its repr."""
    return value if isinstance(value, str) else repr(value)


def format_ranking(ranked: List[dict], keys: Sequence[str], metric: str) -> str:
    """The ranked trials as a text table: rank, the settings, the metrics (ranking one first)."""
    labels = short_labels(keys)
    metric_keys = [metric]
    for trial in ranked:  # then the others in the evaluator's order
        metric_keys += [k for k in trial['metrics'] if k not in metric_keys]
    rows = []
    for trial in ranked:
        row = {'rank': str(trial['rank'])}
        row.update({labels[key]: trial['settings'][key] for key in keys})
        row.update({k: trial['metrics'].get(k, '-') for k in metric_keys})
        rows.append(row)
    return format_table(rows, ['rank'] + [labels[key] for key in keys] + metric_keys)


def config_point(cfg: Config, keys: Sequence[str], model=None) -> Optional[SearchPoint]:
    """The config's own values of the searched keys: from the config, else (``model.`` keys)
    from the model built from it (its constructor's defaults); None if one is unknown."""
    settings = cfg.to_dict()
    values = []
    for key in keys:
        parts = key.split('.')
        value, missing = _walk_config(settings, parts)
        if missing is not None:
            found, value = ((False, None) if model is None or parts[0] != 'model'
                            else _walk_object(model, parts[1:]))
            if not found:
                return None
        values.append((key, value))
    return SearchPoint(tuple(values))


def _same_settings(point: SearchPoint, other: SearchPoint) -> bool:
    """Whether two points set the same values (a list equals the tuple of its items)."""
    def canonical(p):
        return json.dumps(sorted(p.as_dict().items()), default=repr)

    return canonical(point) == canonical(other)


def _python_source(value: Any) -> str:
    """A value as config source; dicts as ``dict(key=...)`` when their keys allow it."""
    if isinstance(value, dict):
        if all(isinstance(k, str) and k.isidentifier() for k in value):
            return 'dict(' + ', '.join(f'{k}={_python_source(v)}' for k, v in value.items()) + ')'
        return '{' + ', '.join(f'{k!r}: {_python_source(v)}' for k, v in value.items()) + '}'
    return repr(value)


def best_config_text(config: str, point: SearchPoint, header: Sequence[str] = ()) -> str:
    """A config file that ``_base_``-s ``config`` and sets only the point's keys.

    Args:
        config (str): The searched config file (written as an absolute path).
        point (SearchPoint): The settings.
        header (Sequence[str]): Comment lines put first.

    Returns:
        str: Python source for mmengine's ``Config.fromfile``.
    """
    nested: Dict[str, Any] = {}
    for key, value in point.settings:
        node = nested
        *parents, leaf = key.split('.')
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    lines = [wrapped for line in header
             for wrapped in textwrap.wrap(line, 98, initial_indent='# ', subsequent_indent='# ')]
    lines.append(f'_base_ = [{osp.abspath(config)!r}]')
    overrides = ''.join(f'{key} = {_python_source(value)}\n' for key, value in nested.items())
    # yapf (mmengine's config formatter) wraps long nested dicts at the project's line length
    from yapf.yapflib.yapf_api import FormatCode
    overrides = FormatCode(overrides, style_config=dict(based_on_style='pep8',
                                                        column_limit=100))[0]
    return '\n'.join(lines) + '\n' + overrides


def _open_record(job: SearchJob, fingerprint: str) -> Tuple[Optional[RunFolder], dict]:
    """The main process opens the run folder; every process gets the finished trials.

    Returns:
        tuple: ``(folder or None on other processes, step name -> recorded result)``.

    Raises:
        RunFolderError: The work dir holds something else (raised on every process).
    """
    folder, payload = None, [None]
    if is_main_process():
        try:
            folder = RunFolder(job.work_dir, fresh=job.fresh)
            try:
                folder.bind_data(fingerprint)
            except RunFolderError:
                raise RunFolderError(
                    f'{folder.root} holds a search of another config, data or checkpoint: use '
                    'another --work-dir, or start this one over (--fresh)') from None
            payload = [dict(done=dict(folder.state.done))]
        except RunFolderError as e:
            payload = [dict(error=str(e))]
    broadcast_object_list(payload)
    if 'error' in payload[0]:
        raise RunFolderError(payload[0]['error'])
    return folder, payload[0]['done']


def _say(message: str) -> None:
    if is_main_process():
        print(f'[search_params] {message}', flush=True)


def run_search(job: SearchJob) -> dict:
    """Run (or continue) a search; print and write the ranking and the best config.

    Returns:
        dict: The record written to ``<work_dir>/search_results.json``: ``metric``,
        ``dataset``, ``trials`` (best first: ``rank``, ``settings`` (key -> printed value),
        ``metrics``, ``trial_dir``), ``best_config``.

    Raises:
        SearchSpaceError: A searched key the config does not have.
        TestSplitError: The searched loader is a test split and ``allow_test_split`` is False.
        ValueError: See :func:`search_config`, :func:`ranking_metric`, :func:`run_trial`.
        RunFolderError: The work dir holds another search (and ``fresh`` is False).
    """
    config_name = job.config
    cfg, field_name = search_config(job)
    dataset_cfg = cfg.test_dataloader.get('dataset', {})
    refusal = test_split_refusal(dataset_cfg, field_name, config_name)
    if refusal and not job.allow_test_split:
        raise TestSplitError(refusal)
    metric, rule = ranking_metric(cfg.test_evaluator, job.metric,
                                  field_name.replace('dataloader', 'evaluator'), job.rule)
    ranked_by = metric + (' (lower is better)' if rule == 'less' else '')

    built = []  # the model of the config, built at most once (to check keys it defaults)

    def build_model():
        from procontext_mm.registry import MODELS, build_in_scope
        if not built:
            built.append(build_in_scope(MODELS, cfg.model))
        return built[0]

    check_space_keys(cfg, list(job.space), config_name, build_model)
    points = (grid_points(job.space) if job.num_random is None
              else random_points(job.space, job.num_random, job.seed))
    fingerprint = _fingerprint(cfg, job.checkpoint)
    if job.launcher != 'none':  # one process group for all the trials' runners
        from procontext_mm.utils.dist import setup_cpu_distributed
        setup_cpu_distributed(copy.deepcopy(cfg), job.launcher)
        if not is_distributed():
            init_dist(job.launcher, **cfg.get('env_cfg', {}).get('dist_cfg', {}))
    folder, done = _open_record(job, fingerprint)

    dataset = describe_dataset(dataset_cfg)
    _say(f'{len(points)} trial(s) of {config_name} on {field_name} ({dataset}), ranked by '
         f'{ranked_by}' + (' [TEST SPLIT, allowed]' if refusal else ''))
    trials = []
    for index, point in enumerate(points, start=1):
        trial_dir = osp.join(osp.abspath(job.work_dir), 'trials', point.trial_id)
        step = f'trial {point.name}'
        if step in done:
            metrics = done[step]['metrics']
            _say(f'trial {index}/{len(points)} done before: {point.name}: '
                 f'{metric} {metrics[metric]:.2f}')
        else:
            _say(f'trial {index}/{len(points)}: {point.name}')
            metrics = run_trial(cfg, point, job.checkpoint, trial_dir, job.launcher)
            if metric not in metrics:
                raise ValueError(f'the evaluator reports {sorted(metrics)}, not the ranking '
                                 f'metric {metric!r} (--metric)')
            if folder is not None:
                folder.step(step, lambda: dict(metrics=metrics, trial_dir=trial_dir))
            _say(f'{metric} {metrics[metric]:.2f}')
        trials.append(dict(point=point, metrics=metrics,
                           settings={k: value_text(v) for k, v in point.settings},
                           trial_dir=trial_dir))

    ranked = rank_trials(trials, metric, rule)
    best = ranked[0]
    table = format_ranking(ranked, list(job.space), metric)
    record = dict(config=osp.abspath(config_name), checkpoint=job.checkpoint,
                  dataloader=field_name, dataset=dataset, metric=metric, rule=rule,
                  test_split_allowed=bool(refusal),
                  space={k: [value_text(v) for v in vs] for k, vs in job.space.items()},
                  cfg_options={k: repr(v) for k, v in job.cfg_options.items()},
                  best_config=osp.join(osp.abspath(job.work_dir), BEST_CONFIG),
                  trials=[{k: v for k, v in t.items() if k != 'point'} for t in ranked])
    if folder is not None:
        header = [f'Best of {len(ranked)} trial(s) of tools/analysis_tools/search_params.py: '
                  f'{metric} {best["metrics"][metric]:.2f} on {field_name} ({dataset}).',
                  f'Search: {osp.abspath(job.work_dir)}. Only the searched keys are set here.']
        if job.cfg_options:
            header.append('The search also used --cfg-options ' + ' '.join(
                f'{k}={v!r}' for k, v in job.cfg_options.items()) + ' (not set here).')
        with open(folder.path(BEST_CONFIG), 'w') as f:
            f.write(best_config_text(config_name, best['point'], header))
        with open(folder.path(RESULTS_TEXT), 'w') as f:
            f.write(table + '\n')
        with open(folder.path(RESULTS_JSON), 'w') as f:
            json.dump(record, f, indent=2)
        _say(f'ranked by {ranked_by} on {field_name} ({dataset}):\n{table}')
        own = config_point(cfg, list(job.space), built[0] if built else None)
        own_trial = next((t for t in ranked if own is not None
                          and _same_settings(t['point'], own)), None)
        if own_trial is not None:
            gain = best['metrics'][metric] - own_trial['metrics'][metric]
            _say(f'the config\'s own settings ({own.name}) rank {own_trial["rank"]} of '
                 f'{len(ranked)}: {metric} {own_trial["metrics"][metric]:.2f}, the best '
                 f'{gain:+.2f}')
        _say(f'best: {best["point"].name} ({metric} {best["metrics"][metric]:.2f}); config '
             f'{record["best_config"]}, table and record {folder.path(RESULTS_TEXT)} / .json')
    return record
