# OSTrack baseline (Ye et al., ECCV 2022; its vitb_256_mae_ce_32x4_got10k_ep100 setting): the
# same one-stream ViT with one static 128 px template at factor 2 and no template update, 256 px
# search at factor 4, CE keep 0.7. OSTrack checkpoints load directly (same key layout).
_base_ = ['../procontext/procontext-static-k2_vit-b16-mae-128-256px_4xb32-100e_got10k.py']
