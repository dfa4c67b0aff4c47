from .sot_visualizer import SOTLocalVisualizer

__all__ = ['SOTLocalVisualizer']
