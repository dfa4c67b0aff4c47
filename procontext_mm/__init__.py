"""ProContEXT single-object tracking as an OpenMMLab 2.0 plugin.

``custom_imports = dict(imports=['procontext_mm'])`` in an mmengine config registers every
module of the package (models, datasets, transforms, metrics, hooks, loops) in the
``procontext_mm`` scope.
"""
from .version import __version__
from .utils import register_all_modules

register_all_modules(init_default_scope=False)

__all__ = ['__version__', 'register_all_modules']
