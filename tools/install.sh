#!/usr/bin/env bash
# Install procontext_mm and its OpenMMLab 2.0 stack into a virtual environment.
#
#   bash tools/install.sh            # venv at ./.venv (or $PROCONTEXT_VENV)
#
# Idempotent: re-running it re-uses the venv and pip's wheel cache, so only the first run pays
# for the mmcv build. The order below matters (see docs/install.md / DESIGN):
#   1. torch first, plus a setuptools that still ships pkg_resources (mmcv's setup.py needs it);
#   2. mmcv built from source WITH its C++ ops and WITHOUT build isolation, so that it compiles
#      against the torch installed in step 1 (with isolation it silently builds without ops);
#   3. mmengine / mmdet / the rest, then this package in editable mode.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${PROCONTEXT_VENV:-$repo_root/.venv}"
python_bin="${PYTHON:-python3}"

TORCH_VERSION="2.13.0"
MMCV_VERSION="2.1.0"
MMENGINE_VERSION="0.10.7"
MMDET_VERSION="3.3.0"

log() { printf '\033[1m[install]\033[0m %s\n' "$*"; }

if [ ! -x "$venv/bin/python" ]; then
  log "creating virtual environment at $venv"
  "$python_bin" -m venv "$venv"
fi
py="$venv/bin/python"
pip=("$py" -m pip install --disable-pip-version-check)

"${pip[@]}" --quiet --upgrade "pip>=23"
log "step 1/3: torch==$TORCH_VERSION (CPU build when available locally), setuptools<81"
"${pip[@]}" --quiet "torch==$TORCH_VERSION" "setuptools>=77.0.3,<81" wheel numpy

if "$py" -c "import mmcv, mmcv.ops; assert mmcv.__version__ == '$MMCV_VERSION'" 2>/dev/null; then
  log "step 2/3: mmcv $MMCV_VERSION with ops already installed"
else
  log "step 2/3: building mmcv==$MMCV_VERSION with C++ ops from source."
  log "          This takes ~10 minutes on 2 cores the first time (up to ~30 on a busy machine);"
  log "          pip caches the wheel, so later installs take seconds."
  MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-2}" "${pip[@]}" --no-build-isolation "mmcv==$MMCV_VERSION"
fi

log "step 3/3: mmengine, mmdet, procontext_mm"
"${pip[@]}" --quiet "mmengine==$MMENGINE_VERSION" "mmdet==$MMDET_VERSION"
"${pip[@]}" --quiet --no-build-isolation -e "$repo_root[apps,tests,deploy]"

"$py" - <<'PY'
import mmcv, mmcv.ops, mmdet, mmengine, torch  # noqa: F401  (mmcv.ops proves the C++ ops built)
import procontext_mm
print(f'[install] ok: torch {torch.__version__}, mmengine {mmengine.__version__}, '
      f'mmcv {mmcv.__version__} (ops), mmdet {mmdet.__version__}, '
      f'procontext_mm {procontext_mm.__version__}')
PY
log "activate with: source $venv/bin/activate"
