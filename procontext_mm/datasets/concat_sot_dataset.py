"""Concatenated SOT datasets that share one training pipeline."""
import copy
from typing import List, Mapping, Optional, Sequence, Union

from mmengine.dataset import BaseDataset, ConcatDataset

from procontext_mm.registry import DATASETS, build_in_scope


@DATASETS.register_module()
class ConcatSOTDataset(ConcatDataset):
    """An mmengine ``ConcatDataset`` whose ``pipeline`` is given once for all its datasets.

    Every dataset config without a ``pipeline`` of its own (key absent or None) gets a copy of
    ``pipeline``; a dataset config with its own pipeline, and an already built dataset, keep
    theirs. Because the shared pipeline is a config dict of its own rather than a copy inside
    each element of the ``datasets`` list (config files replace lists as a whole), a config
    variant changes one step of it without restating the datasets::

        train_dataloader = dict(dataset=dict(pipeline=dict(crop=dict(template_factors=(2.0, )))))

    Indices, ``get_data_info`` and ``MixedVideoSampler`` work as with ``ConcatDataset``.

    Args:
        datasets (Sequence[BaseDataset | dict]): The datasets or their configs (built in the
            ``procontext_mm`` scope unless a config names another).
        pipeline (Sequence[dict] | Mapping[str, dict | None], optional): Pipeline of every
            dataset config that has none: a list of transforms or a dict of named steps
            (see :class:`~procontext_mm.datasets.BaseSOTDataset`). Defaults to None: the
            datasets' own pipelines.
        lazy_init (bool): As mmengine's ``ConcatDataset``. Defaults to False.
        ignore_keys (str | list[str], optional): Metainfo keys that may differ between the
            datasets, as mmengine's ``ConcatDataset``. Defaults to None.
    """

    def __init__(self,
                 datasets: Sequence[Union[BaseDataset, dict]],
                 pipeline: Optional[Union[Sequence[dict], Mapping[str, Optional[dict]]]] = None,
                 lazy_init: bool = False,
                 ignore_keys: Optional[Union[str, List[str]]] = None) -> None:
        built = []
        for dataset in datasets:
            if isinstance(dataset, Mapping):
                dataset = dict(dataset)
                if dataset.get('pipeline') is None and pipeline is not None:
                    dataset['pipeline'] = copy.deepcopy(pipeline)
                dataset = build_in_scope(DATASETS, dataset)
            built.append(dataset)
        super().__init__(built, lazy_init=lazy_init, ignore_keys=ignore_keys)
