"""ProContEXT single-object tracking as an OpenMMLab 2.0 plugin.

``custom_imports = dict(imports=['procontext_mm'])`` in an mmengine config attaches the
package's registries (scope ``procontext_mm``) to mmengine's. Each registry imports its modules
(models, datasets, transforms, metrics, hooks, loops, visualizers) on its first look-up
(mmengine's lazy ``locations``), so importing the package is cheap and loads neither mmdet's
datasets nor a plotting library.
"""
from . import registry  # noqa: F401  (attaches the child registries to mmengine's roots)
from .utils import allow_mmengine_checkpoint_globals, register_all_modules
from .version import __version__

allow_mmengine_checkpoint_globals()

__all__ = ['__version__', 'register_all_modules']
