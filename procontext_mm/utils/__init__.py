from .checkpoint import (allow_mmengine_checkpoint_globals, convert_official_state_dict,
                         load_foreign_checkpoint, official_key_to_mm)
from .cpu_info import cpu_has_native_bf16, cpu_name
from .running_fps import RunningFPS
from .setup_env import register_all_modules

__all__ = [
    'register_all_modules', 'allow_mmengine_checkpoint_globals', 'convert_official_state_dict',
    'load_foreign_checkpoint', 'official_key_to_mm', 'cpu_has_native_bf16', 'cpu_name',
    'RunningFPS'
]
