"""Per-sequence attributes of the SOT benchmarks (illumination variation, occlusion, ...).

The benchmarks tag every sequence with challenge attributes; scores over the sequences with
an attribute show where a tracker fails. They come in three kinds of files, all read by
:func:`read_sequence_attributes`:

* a folder of ``<seq>.txt`` files with one 0/1 flag per attribute, in the order of
  :data:`ATTRIBUTE_NAMES` (LaSOT's toolkit ``annos/att``, UAV123's ``att``);
* a JSON file mapping each sequence to its attribute names, with an optional
  ``att_name_short`` list giving the order (pytracking's
  ``evaluation/dataset_attribute_specs/*.json``: LaSOT, UAV123, OTB);
* a text file, one sequence a line: ``<seq> IV,OCC,DEF`` (or ``<seq>: IV OCC DEF``); ``#``
  starts a comment. OTB frames carry no attributes: its 11 come from such a file (or
  pytracking's ``otb_attributes.json``).
"""
import json
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence

#: Attribute order of the benchmarks' per-sequence flag files (and their usual short names).
ATTRIBUTE_NAMES = {
    'lasot': ('IV', 'POC', 'DEF', 'MB', 'CM', 'ROT', 'BC', 'VC', 'SV', 'FOC', 'FM', 'OV', 'LR',
              'ARC'),
    'uav123': ('SV', 'ARC', 'LR', 'FM', 'FOC', 'POC', 'OV', 'BC', 'IV', 'VC', 'CM', 'SOB'),
    'otb': ('IV', 'SV', 'OCC', 'DEF', 'MB', 'FM', 'IPR', 'OPR', 'OV', 'BC', 'LR'),
}
ATTRIBUTE_NAMES['lasot_ext'] = ATTRIBUTE_NAMES['lasot']
#: Prefixes under which pytracking's attribute files may list a sequence (``uav_bike1``).
_NAME_PREFIXES = ('uav_', 'nfs_')
_SPLIT = re.compile(r'[,\s]+')


def read_sequence_attributes(path: str,
                             seq_names: Sequence[str],
                             attr_names: Optional[Sequence[str]] = None) -> Dict[str, List[str]]:
    """Attribute -> the sequences that have it, for the given sequences.

    Args:
        path (str): A folder of 0/1 flag files, a ``.json`` file or a text file (see the
            module docstring).
        seq_names (Sequence[str]): Sequences to look up; every one must be in the file(s).
        attr_names (Sequence[str], optional): Attribute names: the order of the flags in flag
            files, the names allowed in the others. Defaults to the JSON file's
            ``att_name_short``, the names in order of appearance, or ``A1, A2, ...`` for flags.

    Returns:
        dict: attribute -> sequence names (in ``seq_names`` order), for every attribute
        (empty lists included), in attribute order.

    Raises:
        FileNotFoundError: If ``path`` does not exist, or a flag file is missing (named).
        ValueError: On a malformed file, a missing sequence or an unknown attribute name
            (naming file, sequence and value).
    """
    if osp.isdir(path):
        return _read_flag_folder(path, seq_names, attr_names)
    if not osp.isfile(path):
        raise FileNotFoundError(f'No attribute folder or file {path}.')
    if path.lower().endswith('.json'):
        with open(path) as f:
            try:
                content = json.load(f)
            except json.JSONDecodeError as error:
                raise ValueError(f'{path}: not valid JSON ({error}).') from None
        if not isinstance(content, dict):
            raise ValueError(f'{path}: expected an object sequence -> attribute names.')
        attr_names = attr_names or content.get('att_name_short')
        tagged = {k: v for k, v in content.items() if not k.startswith('att_name')}
    else:
        tagged = {}
        with open(path) as f:
            for line_no, line in enumerate(f, start=1):
                line = line.split('#', 1)[0].strip()
                if not line:
                    continue
                name, *rest = re.split(r'\s*:\s*|\s+', line, maxsplit=1)
                tagged[name] = [v for v in _SPLIT.split(rest[0] if rest else '') if v]
    return _by_attribute(path, tagged, seq_names, attr_names)


def _by_attribute(path: str, tagged: Dict[str, list], seq_names: Sequence[str],
                  attr_names: Optional[Sequence[str]]) -> Dict[str, List[str]]:
    per_sequence, missing = {}, []
    for name in seq_names:
        key = next((k for k in [name] + [p + name for p in _NAME_PREFIXES] if k in tagged),
                   None)
        if key is None:
            missing.append(name)
            continue
        if not isinstance(tagged[key], list):
            raise ValueError(f'{path}: sequence {key}: expected a list of attribute names, '
                             f'got {tagged[key]!r}.')
        per_sequence[name] = [str(a) for a in tagged[key] if str(a).strip()]
    if missing:
        shown = ', '.join(missing[:10]) + (', ...' if len(missing) > 10 else '')
        raise ValueError(f'{path}: no attributes for {len(missing)} of {len(seq_names)} '
                         f'sequences: {shown}.')
    if attr_names is None:
        attr_names = list(dict.fromkeys(a for attrs in per_sequence.values() for a in attrs))
    for name, attrs in per_sequence.items():
        unknown = [a for a in attrs if a not in attr_names]
        if unknown:
            raise ValueError(f'{path}: sequence {name} has attribute(s) {unknown} not among '
                             f'{list(attr_names)}.')
    return {attr: [s for s in seq_names if attr in per_sequence[s]] for attr in attr_names}


def _read_flag_folder(folder: str, seq_names: Sequence[str],
                      attr_names: Optional[Sequence[str]]) -> Dict[str, List[str]]:
    flags = {}
    for name in seq_names:
        path = osp.join(folder, f'{name}.txt')
        if not osp.isfile(path):
            raise FileNotFoundError(f'No attribute file for sequence {name}: {path}')
        with open(path) as f:
            values = [v for v in _SPLIT.split(f.read().strip()) if v]
        if any(v not in ('0', '1') for v in values):
            raise ValueError(f'{path}: attribute flags must be 0 or 1, got {values}')
        if attr_names is not None and len(values) != len(attr_names):
            raise ValueError(f'{path}: {len(values)} flags but {len(attr_names)} attributes '
                             f'({",".join(attr_names)})')
        flags[name] = [v == '1' for v in values]
    counts = {len(v) for v in flags.values()}
    if len(counts) > 1:
        raise ValueError(f'{folder}: the flag files hold different numbers of flags {counts}.')
    attr_names = attr_names or [f'A{i + 1}' for i in range(counts.pop() if counts else 0)]
    return {attr: [s for s in seq_names if flags[s][i]] for i, attr in enumerate(attr_names)}
