"""Comparison plots of SOT papers: success, precision and EAO curves, one curve per tracker.

Pure matplotlib on the Agg canvas (no display, no pyplot state). Inputs are the curves that
:func:`~procontext_mm.evaluation.functional.eval_ope`, ``eval_got10k`` and
:func:`~procontext_mm.evaluation.functional.vot.eval_vot` return. Every legend entry is
``[score] name`` and the entries are sorted by score, best first, as in the OTB / LaSOT /
GOT-10k papers.
"""
import os
import os.path as osp
from itertools import cycle
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .functional import (GOT10K_IOU_THRESHOLDS, OPE_CENTER_THRESHOLDS_PX, OPE_IOU_THRESHOLDS,
                         OPE_NORM_CENTER_THRESHOLDS, PRECISION_THRESHOLD_PX)

#: Line colours (matplotlib's tab10) and styles; they cycle for more than 20 trackers.
COLORS = ('tab:red', 'tab:blue', 'tab:green', 'tab:orange', 'tab:purple', 'tab:brown',
          'tab:pink', 'tab:gray', 'tab:olive', 'tab:cyan')
LINESTYLES = ('-', '--')


def plot_curves(curves: Mapping[str, np.ndarray],
                thresholds: np.ndarray,
                scores: Mapping[str, float],
                out_file: str,
                title: str,
                xlabel: str,
                ylabel: str,
                score_format: str = '{:.3f}',
                legend_loc: str = 'lower left',
                xlim: Optional[Tuple[float, float]] = None,
                ylim: Tuple[float, float] = (0.0, 1.0),
                marker_x: Optional[float] = None,
                shade: Optional[Sequence[float]] = None) -> str:
    """Draw one curve per tracker and save the figure.

    Args:
        curves (Mapping[str, np.ndarray]): tracker name -> (T,) curve values.
        thresholds (np.ndarray): (T,) x values shared by the curves.
        scores (Mapping[str, float]): tracker name -> score shown in the legend and used to
            sort it (higher first).
        out_file (str): Image file to write (PNG, or any format matplotlib knows by suffix).
        title, xlabel, ylabel (str): Texts of the axes.
        score_format (str): Format of the score in the legend. Defaults to ``'{:.3f}'``.
        legend_loc (str): Legend location. Defaults to 'lower left'.
        xlim (tuple, optional): x range; defaults to the thresholds' range.
        ylim (tuple): y range. Defaults to (0, 1).
        marker_x (float, optional): Draw a dotted vertical line there (e.g. 20 px).
        shade (Sequence[float], optional): x range ``(low, high)`` to shade (e.g. the EAO
            interval).

    Returns:
        str: ``out_file``.

    Raises:
        ValueError: If a curve's length differs from the thresholds' or a score is missing.
    """
    thresholds = np.asarray(thresholds, dtype=np.float64)
    if not curves:
        raise ValueError(f'{out_file}: no curve to plot.')
    missing = [name for name in curves if name not in scores]
    if missing:
        raise ValueError(f'{out_file}: no score for {missing}.')
    figure = Figure(figsize=(5.6, 4.6), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    if shade is not None:
        axes.axvspan(shade[0], shade[1], color='0.92', zorder=0)
    styles = cycle([(ls, c) for ls in LINESTYLES for c in COLORS])
    for (name, label), (linestyle, color) in zip(legend_entries(scores, score_format), styles):
        if name not in curves:
            continue
        curve = np.asarray(curves[name], dtype=np.float64)
        if curve.shape != thresholds.shape:
            raise ValueError(f'{out_file}: curve of {name} has shape {curve.shape}, the '
                             f'thresholds {thresholds.shape}.')
        axes.plot(thresholds, curve, linestyle=linestyle, color=color, linewidth=2, label=label)
    if marker_x is not None:
        axes.axvline(marker_x, color='0.5', linestyle=':', linewidth=1)
    axes.set(title=title, xlabel=xlabel, ylabel=ylabel,
             xlim=xlim or (float(thresholds[0]), float(thresholds[-1])), ylim=ylim)
    axes.grid(alpha=0.3, linestyle='--')
    axes.legend(loc=legend_loc, fontsize=8, framealpha=0.85)
    figure.tight_layout()
    out_dir = osp.dirname(out_file)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    figure.savefig(out_file)
    return out_file


def legend_entries(scores: Mapping[str, float],
                   score_format: str = '{:.3f}') -> List[Tuple[str, str]]:
    """``(name, '[score] name')`` pairs, best score first (NaN / None last, names in order).

    Args:
        scores (Mapping[str, float]): tracker name -> score.
        score_format (str): Format of the score. Defaults to ``'{:.3f}'``.

    Returns:
        list[tuple[str, str]]: the legend, in drawing order.
    """
    def key(name):
        score = scores[name]
        return -np.inf if score is None or not np.isfinite(score) else float(score)

    def text(score):
        return 'n/a' if score is None else score_format.format(score)

    return [(name, f'[{text(scores[name])}] {name}')
            for name in sorted(scores, key=lambda name: -key(name))]


def plot_success(curves: Mapping[str, np.ndarray],
                 scores: Mapping[str, float],
                 out_file: str,
                 title: str = 'Success plots of OPE',
                 score_name: str = 'AUC',
                 thresholds: Optional[np.ndarray] = None) -> str:
    """Success plot: fraction of frames with IoU above the overlap threshold.

    Args:
        curves (Mapping[str, np.ndarray]): tracker -> success curve (fractions): 21 points
            (OPE, :data:`OPE_IOU_THRESHOLDS`) or 101 points (GOT-10k).
        scores (Mapping[str, float]): tracker -> AUC (OPE) or AO (GOT-10k), fractions.
        out_file (str): Image to write.
        title (str): Plot title. Defaults to 'Success plots of OPE'.
        score_name (str): Name of the score in the y label. Defaults to 'AUC'.
        thresholds (np.ndarray, optional): Defaults to the grid matching the curves' length.

    Returns:
        str: ``out_file``.
    """
    if thresholds is None:
        length = len(next(iter(curves.values())))
        thresholds = (GOT10K_IOU_THRESHOLDS
                      if length == len(GOT10K_IOU_THRESHOLDS) else OPE_IOU_THRESHOLDS)
    return plot_curves(curves, thresholds, scores, out_file, title, 'Overlap threshold',
                       f'Success rate ({score_name} in the legend)')


def plot_precision(curves: Mapping[str, np.ndarray],
                   scores: Mapping[str, float],
                   out_file: str,
                   title: str = 'Precision plots of OPE',
                   normalized: bool = False) -> str:
    """Precision plot: fraction of frames whose centre error is within the threshold.

    Args:
        curves (Mapping[str, np.ndarray]): tracker -> (51,) precision curve (fractions) on
            0..50 px, or on 0..0.5 target sizes when ``normalized``.
        scores (Mapping[str, float]): tracker -> precision at 20 px, or the normalised
            precision AUC.
        out_file (str): Image to write.
        title (str): Plot title.
        normalized (bool): Normalised precision (TrackingNet / LaSOT). Defaults to False.

    Returns:
        str: ``out_file``.
    """
    if normalized:
        return plot_curves(curves, OPE_NORM_CENTER_THRESHOLDS, scores, out_file, title,
                           'Normalized location error threshold', 'Normalized precision',
                           legend_loc='lower right')
    return plot_curves(curves, OPE_CENTER_THRESHOLDS_PX, scores, out_file, title,
                       'Location error threshold (pixels)',
                       f'Precision (at {PRECISION_THRESHOLD_PX} px in the legend)',
                       legend_loc='lower right', marker_x=PRECISION_THRESHOLD_PX)


def plot_eao(curves: Mapping[str, np.ndarray],
             scores: Mapping[str, float],
             out_file: str,
             interval: Sequence[int],
             title: str = 'Expected average overlap') -> str:
    """EAO curves (expected average overlap vs. sequence length), the interval shaded.

    Args:
        curves (Mapping[str, np.ndarray]): tracker -> EAO curve (lengths may differ: the
            curves are padded with NaN to the longest).
        scores (Mapping[str, float]): tracker -> EAO score.
        out_file (str): Image to write.
        interval (Sequence[int]): ``(low, high)`` of the score, drawn as a shaded band.
        title (str): Plot title.

    Returns:
        str: ``out_file``.
    """
    length = max(len(c) for c in curves.values())
    padded: Dict[str, np.ndarray] = {}
    for name, curve in curves.items():
        padded[name] = np.full(length, np.nan)
        padded[name][:len(curve)] = curve
    return plot_curves(padded, np.arange(length), scores, out_file,
                       f'{title} (score over lengths {interval[0]}-{interval[1]})',
                       'Sequence length', 'Expected average overlap', legend_loc='upper right',
                       xlim=(0, max(length - 1, 1)), shade=interval)


def radar_radial_range(values: np.ndarray) -> Tuple[float, float]:
    """Radial range of a radar plot of fractions: from a tenth below the lowest value (at
    least 0) to the highest value rounded up to a tenth (at most 1), at least 0.1 wide.

    Args:
        values (np.ndarray): scores in [0, 1], any shape; NaN ignored.

    Returns:
        tuple[float, float]: ``(low, high)``.
    """
    low = max(0.0, float(np.floor(np.nanmin(values) * 10 - 1)) / 10)
    high = max(min(1.0, float(np.ceil(np.nanmax(values) * 10)) / 10), low + 0.1)
    return low, high


def plot_attribute_radar(scores: Mapping[str, Mapping[str, float]],
                         out_file: str,
                         title: str = 'Success AUC per attribute',
                         num_sequences: Optional[Mapping[str, int]] = None,
                         score_format: str = '{:.3f}') -> str:
    """Radar plot of per-attribute scores: one axis per attribute, one polygon per tracker.

    The radial axis spans the scores' range rounded out to tenths (not from 0), so that
    differences between trackers show; its ticks are labelled. The legend gives each tracker's
    mean over the attributes, best first.

    Args:
        scores (Mapping[str, Mapping[str, float]]): tracker -> attribute -> score (fractions,
            e.g. success AUC); every tracker has the same attributes, at least 3.
        out_file (str): Image to write.
        title (str): Plot title. Defaults to 'Success AUC per attribute'.
        num_sequences (Mapping[str, int], optional): attribute -> number of sequences, shown
            in the axis labels.
        score_format (str): Format of the mean score in the legend. Defaults to ``'{:.3f}'``.

    Returns:
        str: ``out_file``.

    Raises:
        ValueError: With fewer than 3 attributes, or trackers with different attributes.
    """
    if not scores:
        raise ValueError(f'{out_file}: no tracker to plot.')
    attributes = list(next(iter(scores.values())))
    if len(attributes) < 3:
        raise ValueError(f'{out_file}: a radar plot needs at least 3 attributes, got '
                         f'{attributes}.')
    for name, per_attribute in scores.items():
        if list(per_attribute) != attributes:
            raise ValueError(f'{out_file}: {name} has attributes {list(per_attribute)}, the '
                             f'first tracker {attributes}.')
    values = np.array([[scores[n][a] for a in attributes] for n in scores], dtype=np.float64)
    low, high = radar_radial_range(values)
    angles = np.linspace(0, 2 * np.pi, len(attributes), endpoint=False)
    figure = Figure(figsize=(6.4, 6.0), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1, projection='polar')
    axes.set_theta_offset(np.pi / 2)  # first attribute at the top, then clockwise
    axes.set_theta_direction(-1)
    means = {name: float(np.nanmean(row)) for name, row in zip(scores, values)}
    styles = cycle([(ls, c) for ls in LINESTYLES for c in COLORS])
    rows = dict(zip(scores, values))
    for (name, label), (linestyle, color) in zip(legend_entries(means, score_format), styles):
        closed = np.append(rows[name], rows[name][0])
        axes.plot(np.append(angles, angles[0]), closed, linestyle=linestyle, color=color,
                  linewidth=1.6, label=label)
        axes.fill(angles, rows[name], color=color, alpha=0.06)
    labels = [f'{a}\n({num_sequences[a]})' if num_sequences and a in num_sequences else a
              for a in attributes]
    axes.set_xticks(angles)
    axes.set_xticklabels(labels, fontsize=8)
    axes.set_ylim(low, high)
    step = 0.1 if high - low <= 0.6 + 1e-9 else 0.2
    axes.set_yticks(np.arange(high, low + 1e-9, -step)[::-1][1:])  # tenths, the centre unmarked
    axes.tick_params(axis='y', labelsize=7)
    axes.set_title(f'{title}\n(centre of the plot: {low:.1f})', fontsize=10, pad=18)
    axes.legend(loc='upper right', bbox_to_anchor=(1.32, 1.12), fontsize=7,
                title='[mean] tracker', title_fontsize=7)
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    figure.savefig(out_file, bbox_inches='tight')
    return out_file
