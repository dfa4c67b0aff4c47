from .transformer import (Attention, CEBlock, EliminationResult, Mlp, PatchEmbed,
                          eliminate_candidates)

__all__ = ['Attention', 'CEBlock', 'EliminationResult', 'Mlp', 'PatchEmbed', 'eliminate_candidates']
