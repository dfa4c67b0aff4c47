"""ProContEXT single-object tracking as an OpenMMLab 2.0 plugin.

``custom_imports = dict(imports=['procontext_mm'])`` in an mmengine config registers every
module of the package (models, datasets, transforms, metrics, hooks, loops) in the
``procontext_mm`` scope.
"""
from .utils import allow_mmengine_checkpoint_globals, register_all_modules
from .version import __version__

allow_mmengine_checkpoint_globals()
register_all_modules(init_default_scope=False)

__all__ = ['__version__', 'register_all_modules']
