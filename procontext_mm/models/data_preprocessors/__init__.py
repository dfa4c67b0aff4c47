from .sot_data_preprocessor import SOTDataPreprocessor

__all__ = ['SOTDataPreprocessor']
