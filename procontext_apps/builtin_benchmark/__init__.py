"""Built-in single-object-tracking benchmark, generated from photographs shipped with
scikit-image, in the official GOT-10k layout (see ``docs/builtin_benchmark.md``).

>>> from procontext_apps.builtin_benchmark import BenchmarkSpec, generate_builtin_benchmark
>>> root = generate_builtin_benchmark('data/builtin_sot', BenchmarkSpec(seed=0))

``root`` is then read like a GOT-10k download (``<root>/train``, ``<root>/val``).
"""
from .generator import (MANIFEST_NAME, benchmark_fingerprint, content_hashes,
                        generate_builtin_benchmark, load_manifest, write_video)
from .photos import CUTOUTS, PHOTO_SOURCES, PhotoLibrary
from .render import (ABSENT_BBOX_XYWH, FrameLabel, RenderedFrame, cover_level, label_frame,
                     render_frame)
from .scene import VideoPlan, plan_video, sequence_name
from .spec import GENERATOR_VERSION, BenchmarkSpec

__all__ = [
    'ABSENT_BBOX_XYWH', 'BenchmarkSpec', 'CUTOUTS', 'FrameLabel', 'GENERATOR_VERSION',
    'MANIFEST_NAME', 'PHOTO_SOURCES', 'PhotoLibrary', 'RenderedFrame', 'VideoPlan',
    'benchmark_fingerprint', 'content_hashes', 'cover_level', 'generate_builtin_benchmark',
    'label_frame', 'load_manifest', 'plan_video', 'render_frame', 'sequence_name', 'write_video'
]
