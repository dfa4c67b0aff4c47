from .template_memory import TemplateMemory, build_template_memory

__all__ = ['TemplateMemory', 'build_template_memory']
