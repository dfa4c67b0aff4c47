"""What a built-in benchmark is made of: :class:`BenchmarkSpec`."""
import dataclasses
from dataclasses import dataclass
from typing import Any, Dict, Tuple

#: Version of the generation rules (photos, cut-outs, motion, rendering, label rules). Bump it
#: whenever a change makes the same spec produce different files: the manifest records it and
#: :func:`generate_builtin_benchmark` refuses to reuse a benchmark made by another version.
GENERATOR_VERSION = 1

#: Splits that are generated, in the order they are generated.
SPLITS = ('train', 'val')


@dataclass(frozen=True)
class BenchmarkSpec:
    """Specification of a built-in SOT benchmark; with the generator version, it fixes every
    generated file.

    Every video is drawn from its own random stream, seeded by ``(seed, split, video index)``,
    so video ``GOT-10k_Val_000003`` is the same whatever the number of train videos.

    Args:
        seed (int): Seed of the whole benchmark (>= 0). Defaults to 0.
        num_train_videos (int): Videos in ``train`` (>= 0). Defaults to 200 (the quickstart's
            tiny tracker overfits 24, docs/quickstart_recipe.md).
        num_val_videos (int): Videos in ``val`` (>= 0). Defaults to 16 (8 made the AO of one
            training vary by +-5 points with the videos drawn).
        train_frames (tuple[int, int]): Inclusive (min, max) frames of a train video
            (min >= 20). Defaults to (60, 100).
        val_frames (tuple[int, int]): Same for val videos. Defaults to (100, 100).
        image_size (tuple[int, int]): Frame (width, height), pixels (each >= 96).
            Defaults to (320, 240).
        object_size (tuple[float, float]): Range of the target's size in the first frame, as
            the geometric mean ``sqrt(w * h)`` of its unrotated extent, pixels; drawn
            log-uniformly (targets are capped at 0.6 of the shorter image side).
            Defaults to (28, 72).
        occlusion_prob (float): Probability that a video has an occluder passing over the
            target (in [0, 1]). Defaults to 0.5.
        out_of_view_prob (float): Probability that the target leaves the view for a while
            (in [0, 1]). Defaults to 0.35.
        distractor_prob (float): Probability that a video has look-alike distractors
            (in [0, 1]). Defaults to 0.6.
        max_distractors (int): Distractors in a video that has some: 1 .. max_distractors
            (>= 1). Defaults to 2.
        jpeg_quality (int): JPEG quality of the frames (1 .. 100). Defaults to 90.
    """

    seed: int = 0
    num_train_videos: int = 200
    num_val_videos: int = 16
    train_frames: Tuple[int, int] = (60, 100)
    val_frames: Tuple[int, int] = (100, 100)
    image_size: Tuple[int, int] = (320, 240)
    object_size: Tuple[float, float] = (28.0, 72.0)
    occlusion_prob: float = 0.5
    out_of_view_prob: float = 0.35
    distractor_prob: float = 0.6
    max_distractors: int = 2
    jpeg_quality: int = 90

    def __post_init__(self):
        # Accept lists (from JSON or a CLI) and normalise types so that equal specs compare
        # and serialise equal.
        for name in ('train_frames', 'val_frames', 'image_size'):
            object.__setattr__(self, name, _int_pair(name, getattr(self, name)))
        object.__setattr__(self, 'object_size',
                           tuple(float(v) for v in _pair('object_size', self.object_size)))
        for name in ('seed', 'num_train_videos', 'num_val_videos', 'max_distractors',
                     'jpeg_quality'):
            object.__setattr__(self, name, _int(name, getattr(self, name)))
        for name in ('occlusion_prob', 'out_of_view_prob', 'distractor_prob'):
            value = float(getattr(self, name))
            if not 0.0 <= value <= 1.0:
                raise ValueError(f'BenchmarkSpec.{name} must be in [0, 1], got {value}.')
            object.__setattr__(self, name, value)
        self._check()

    def _check(self):
        if self.seed < 0:
            raise ValueError(f'BenchmarkSpec.seed must be >= 0, got {self.seed}.')
        for name in ('num_train_videos', 'num_val_videos'):
            if getattr(self, name) < 0:
                raise ValueError(f'BenchmarkSpec.{name} must be >= 0, got {getattr(self, name)}.')
        for name in ('train_frames', 'val_frames'):
            lo, hi = getattr(self, name)
            if not 20 <= lo <= hi:
                raise ValueError(f'BenchmarkSpec.{name} must be (min, max) with 20 <= min <= max, '
                                 f'got {(lo, hi)}.')
        if min(self.image_size) < 96:
            raise ValueError(f'BenchmarkSpec.image_size (width, height) must be >= 96 pixels '
                             f'each, got {self.image_size}.')
        lo, hi = self.object_size
        if not 8.0 <= lo <= hi <= 0.5 * min(self.image_size):
            raise ValueError(f'BenchmarkSpec.object_size must be (min, max) with 8 <= min <= max '
                             f'<= half the shorter image side, got {self.object_size} for '
                             f'image_size {self.image_size}.')
        if self.max_distractors < 1:
            raise ValueError(f'BenchmarkSpec.max_distractors must be >= 1, '
                             f'got {self.max_distractors}.')
        if not 1 <= self.jpeg_quality <= 100:
            raise ValueError(f'BenchmarkSpec.jpeg_quality must be in 1 .. 100, '
                             f'got {self.jpeg_quality}.')

    def num_videos(self, split: str) -> int:
        """Number of videos of ``split`` (``'train'`` or ``'val'``)."""
        return {'train': self.num_train_videos, 'val': self.num_val_videos}[_check_split(split)]

    def frame_range(self, split: str) -> Tuple[int, int]:
        """Inclusive (min, max) number of frames of a video of ``split``."""
        return {'train': self.train_frames, 'val': self.val_frames}[_check_split(split)]

    def to_dict(self) -> Dict[str, Any]:
        """The spec as a JSON-serialisable dict (tuples become lists)."""
        return {k: list(v) if isinstance(v, tuple) else v
                for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_dict(cls, values: Dict[str, Any]) -> 'BenchmarkSpec':
        """Inverse of :meth:`to_dict`.

        Raises:
            ValueError: On a key that is not a field of the spec.
        """
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - fields)
        if unknown:
            raise ValueError(f'Unknown BenchmarkSpec field(s) {unknown}; known: {sorted(fields)}.')
        return cls(**values)


def _check_split(split: str) -> str:
    if split not in SPLITS:
        raise ValueError(f'Unknown split {split!r}; the built-in benchmark has {SPLITS}.')
    return split


def _int(name: str, value) -> int:
    if isinstance(value, bool) or int(value) != value:
        raise ValueError(f'BenchmarkSpec.{name} must be an integer, got {value!r}.')
    return int(value)


def _pair(name: str, value) -> tuple:
    value = tuple(value)
    if len(value) != 2:
        raise ValueError(f'BenchmarkSpec.{name} must have 2 values, got {value!r}.')
    return value


def _int_pair(name: str, value) -> Tuple[int, int]:
    return tuple(_int(name, v) for v in _pair(name, value))
