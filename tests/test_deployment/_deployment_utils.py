"""Shared by the deployment tests (a uniquely named module: ``conftest`` is ambiguous)."""

# A tiny tracker whose dynamic templates may refresh every 2nd frame. With the random weights of
# seed 0 its raw scores on the moving square lie around 0.53-0.61: the threshold puts some
# refresh frames on either side (the tracker test checks that it does).
TINY_CFG_KWARGS = dict(update_interval=2, score_threshold=0.55)
