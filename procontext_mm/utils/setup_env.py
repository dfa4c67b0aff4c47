"""Environment set-up: register every module of the package in its registries."""
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Make every module of the package buildable by name in the ``procontext_mm`` scope.

    The registries of :mod:`procontext_mm.registry` are children of mmengine's root registries
    and name the sub-packages that define their modules (``locations``): a registry imports
    them on its first look-up, so nothing is imported here beyond the registries themselves.
    That keeps ``import procontext_mm`` (which calls nothing else) free of mmdet's datasets,
    matplotlib and scikit-image, which mmdet's own ``register_all_modules`` imports eagerly.

    Args:
        init_default_scope (bool): Also make ``procontext_mm`` the current default scope
            (what ``default_scope='procontext_mm'`` in a config does). If another scope is
            current, a new uniquely named instance is created so both coexist.
            Defaults to True.
    """
    import procontext_mm.registry  # noqa: F401

    if not init_default_scope:
        return
    never_created = (DefaultScope.get_current_instance() is None
                     or not DefaultScope.check_instance_created('procontext_mm'))
    if never_created:
        DefaultScope.get_instance('procontext_mm', scope_name='procontext_mm')
        return
    current_scope = DefaultScope.get_current_instance()
    if current_scope.scope_name != 'procontext_mm':
        warnings.warn('The current default scope '
                      f'"{current_scope.scope_name}" is not "procontext_mm", '
                      '`register_all_modules` will force the current default scope to be '
                      '"procontext_mm".')
        new_instance_name = f'procontext_mm-{datetime.datetime.now()}'
        DefaultScope.get_instance(new_instance_name, scope_name='procontext_mm')
