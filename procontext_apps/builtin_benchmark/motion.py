"""Smooth random signals and episode envelopes that drive the built-in benchmark's videos.

Every per-frame quantity of a generated video (position, scale, aspect, rotation, lighting,
blur, camera pan) is a smooth function of the frame index built from the two primitives here.
They are pure numpy and take an explicit ``np.random.Generator``, so a video is a
deterministic function of its seed.
"""
import numpy as np


def smooth_signal(rng: np.random.Generator,
                  num_frames: int,
                  min_period: float,
                  max_period: float,
                  num_components: int = 3) -> np.ndarray:
    """A smooth random signal in [-1, 1]: a normalised sum of sinusoids.

    Each component has a period drawn log-uniformly from ``[min_period, max_period]`` frames, a
    random phase and an amplitude proportional to its period (slow components dominate, as in
    real camera / object motion). The sum is divided by the sum of the amplitudes, so the
    signal never leaves [-1, 1] and its largest frame-to-frame step is below
    ``2 * pi / min_period``.

    Args:
        rng (np.random.Generator): Source of randomness.
        num_frames (int): Length L of the signal.
        min_period (float): Shortest period, frames (> 0).
        max_period (float): Longest period, frames (>= min_period).
        num_components (int): Number of sinusoids. Defaults to 3.

    Returns:
        np.ndarray: (L,) float64 signal in [-1, 1].
    """
    t = np.arange(num_frames, dtype=np.float64)
    periods = np.exp(rng.uniform(np.log(min_period), np.log(max_period), num_components))
    phases = rng.uniform(0.0, 2.0 * np.pi, num_components)
    amplitudes = periods / periods.sum()
    waves = np.sin(2.0 * np.pi * t[:, None] / periods[None, :] + phases[None, :])
    return waves @ amplitudes


def smoothstep(x: np.ndarray) -> np.ndarray:
    """Cubic ease-in / ease-out ``3x^2 - 2x^3`` of ``x`` clipped to [0, 1]."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def episode_envelope(num_frames: int, start: int, ramp: int, hold: int) -> np.ndarray:
    """Envelope of an episode: 0, a smooth rise, a plateau at 1, a smooth fall, 0.

    The rise covers frames ``start .. start + ramp``; frames ``start + ramp`` to
    ``start + ramp + hold`` (inclusive) are exactly 1; then the fall mirrors the rise.

    Args:
        num_frames (int): Length L of the envelope.
        start (int): First frame (0-based) of the rise.
        ramp (int): Frames of the rise and of the fall (>= 1).
        hold (int): Frames at 1 (>= 0).

    Returns:
        np.ndarray: (L,) float64 envelope in [0, 1].
    """
    t = np.arange(num_frames, dtype=np.float64)
    rise = smoothstep((t - start) / ramp)
    fall = smoothstep((start + 2 * ramp + hold - t) / ramp)
    return np.minimum(rise, fall)
