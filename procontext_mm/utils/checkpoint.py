"""Checkpoint helpers: safe loading under torch's ``weights_only`` default, and conversion of
the authors' (OSTrack-layout) checkpoints to this package's key layout."""
import pickle
import re
from collections import OrderedDict
from typing import Dict, Iterable, List

import torch
from torch import Tensor

# ------------------------------------------------------------------ weights_only allow-list


def _history_buffer_state(self) -> dict:
    """``HistoryBuffer.__getstate__`` without the statistics methods.

    mmengine pickles its class-level statistics functions with ``getattr``, which
    ``weights_only`` loading must not allow (it would let a file call arbitrary methods).
    They are restored from the class on load anyway (``__setstate__`` re-registers them).
    """
    state = dict(self.__dict__)
    state.pop('statistics_methods', None)
    return state


def allow_mmengine_checkpoint_globals() -> None:
    """Let ``torch.load(weights_only=True)`` (torch >= 2.6 default) read mmengine checkpoints.

    mmengine stores its message hub (``HistoryBuffer`` of numpy arrays) and numpy scalars in
    checkpoints; resuming fails with ``Unsupported global`` without this. Only these
    data-holding classes are allowed, and ``HistoryBuffer`` is made to pickle only its data.
    Checkpoints written before ``procontext_mm`` was imported still hold ``getattr`` calls
    and need ``weights_only=False`` (only for files you trust).
    """
    add_safe_globals = getattr(torch.serialization, 'add_safe_globals', None)
    if add_safe_globals is None:  # torch < 2.4 has no weights_only default to satisfy
        return
    import numpy as np
    from mmengine.logging.history_buffer import HistoryBuffer
    HistoryBuffer.__getstate__ = _history_buffer_state
    multiarray = np._core.multiarray if hasattr(np, '_core') else np.core.multiarray
    allowed = [HistoryBuffer, np.ndarray, np.dtype, multiarray._reconstruct]
    allowed += [type(np.dtype(name)) for name in ('float64', 'float32', 'int64', 'int32', 'bool')]
    allowed += [np.float64, np.float32, np.int64, np.int32, np.bool_]
    scalar = getattr(multiarray, 'scalar', None)
    if scalar is not None:
        allowed.append(scalar)
    add_safe_globals(allowed)


# ------------------------------------------------------------------ the authors' checkpoints


class _Placeholder:
    """Stands in for any non-tensor class found in a foreign pickle (training settings,
    optimiser state of the authors' trainer); nothing of it is executed."""

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        pass


class _TensorsOnlyUnpickler(pickle.Unpickler):
    """Unpickler that resolves torch / collections / numpy classes and replaces every other
    class with :class:`_Placeholder`, so checkpoints pickled with the authors' ``lib.*``
    objects load without their code and without running it."""

    _trusted = ('torch', 'collections', 'numpy', 'builtins', '_codecs', 'copyreg')

    def find_class(self, module: str, name: str):
        if module.split('.')[0] in self._trusted:
            return super().find_class(module, name)
        return _Placeholder


class _TensorsOnlyPickleModule:
    Unpickler = _TensorsOnlyUnpickler
    load = pickle.load
    __name__ = 'tensors_only_pickle'


def load_foreign_checkpoint(path: str) -> dict:
    """Load a checkpoint written by another code base, on CPU.

    Tries ``weights_only=True`` first; if the file pickles foreign classes (e.g. the
    reference trainer's settings), falls back to an unpickler that keeps tensors and standard
    containers and replaces the foreign objects by inert placeholders.

    Raises:
        FileNotFoundError: If ``path`` does not exist.
    """
    try:
        return torch.load(path, map_location='cpu', weights_only=True)
    except FileNotFoundError:
        raise FileNotFoundError(f'Checkpoint not found: {path}') from None
    except pickle.UnpicklingError:
        return torch.load(path, map_location='cpu', weights_only=False,
                          pickle_module=_TensorsOnlyPickleModule)


_HEAD_CONV = re.compile(r'^box_head\.(conv[1-4]_(?:ctr|offset|size))\.([01])\.(.+)$')
_HEAD_LAST = re.compile(r'^box_head\.(conv5_(?:ctr|offset|size))\.(weight|bias)$')


def official_key_to_mm(key: str) -> str:
    """Map a key of the authors' / OSTrack state dict to this package's.

    ``backbone.*`` keeps its name; ``box_head.convK_X.0.*`` (conv) -> ``head.convK_X.conv.*``,
    ``box_head.convK_X.1.*`` (BN) -> ``head.convK_X.bn.*``, ``box_head.conv5_X.*`` ->
    ``head.conv5_X.*``.

    Raises:
        KeyError: For a key the ProContEXT / OSTrack layout does not have.
    """
    if key.startswith('backbone.'):
        return key
    match = _HEAD_CONV.match(key)
    if match:
        layer, index, rest = match.groups()
        return f'head.{layer}.{"conv" if index == "0" else "bn"}.{rest}'
    match = _HEAD_LAST.match(key)
    if match:
        return f'head.{match.group(1)}.{match.group(2)}'
    raise KeyError(key)


def convert_official_state_dict(state_dict: Dict[str, Tensor]) -> 'OrderedDict[str, Tensor]':
    """Convert a whole state dict of the authors' layout (``checkpoint['net']``).

    Raises:
        KeyError: Listing every key that is not part of the ProContEXT / OSTrack layout
            (e.g. a checkpoint of another model).
    """
    converted, unknown = OrderedDict(), []
    for key, value in state_dict.items():
        try:
            converted[official_key_to_mm(key)] = value
        except KeyError:
            unknown.append(key)
    if unknown:
        raise KeyError(f'{len(unknown)} keys are not in the ProContEXT / OSTrack layout, e.g. '
                       f'{unknown[:8]}: is this a checkpoint of another model?')
    return converted


def describe_key_mismatch(expected: Dict[str, Tensor], found: Dict[str, Tensor],
                          source: str) -> List[str]:
    """Human-readable problems between a model's state dict and a checkpoint's."""
    problems = []
    missing = sorted(set(expected) - set(found))
    unexpected = sorted(set(found) - set(expected))
    mismatched = sorted(k for k in set(expected) & set(found)
                        if tuple(expected[k].shape) != tuple(found[k].shape))
    if missing:
        problems.append(f'{len(missing)} missing keys: {_preview(missing)}')
    if unexpected:
        problems.append(f'{len(unexpected)} unexpected keys: {_preview(unexpected)}')
    for key in mismatched[:8]:
        problems.append(f'{key}: checkpoint {tuple(found[key].shape)} vs model '
                        f'{tuple(expected[key].shape)}')
    return [f'{source}: {p}' for p in problems]


def _preview(keys: Iterable[str], limit: int = 8) -> str:
    keys = list(keys)
    return ', '.join(keys[:limit]) + (' ...' if len(keys) > limit else '')
