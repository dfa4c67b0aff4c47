"""The quickstart job: benchmark -> training -> tracking -> metrics -> pictures, on a CPU.

Every step writes its result under one output folder and records completion in
``quickstart.json``; a rerun skips finished steps and resumes an interrupted training from its
last checkpoint. A folder written by another version of the package or for another benchmark
is refused instead of mixing results.
"""
import json
import os
import os.path as osp
import shutil
from dataclasses import asdict, dataclass, field
from typing import Callable, Dict, List, Optional

from procontext_mm.version import __version__

STATE_FILE = 'quickstart.json'


class OutputFolderError(RuntimeError):
    """The output folder holds results of another version or benchmark."""


@dataclass
class QuickstartState:
    """What a quickstart folder holds: who wrote it and which steps are done.

    Attributes:
        version (str): ``procontext_mm`` version that wrote the folder.
        benchmark_fingerprint (str): Fingerprint of the generated benchmark (its manifest).
        done (dict): Step name -> the step's recorded result (JSON-serialisable).
    """
    version: str = __version__
    benchmark_fingerprint: str = ''
    done: Dict[str, object] = field(default_factory=dict)


class QuickstartFolder:
    """The output folder of a quickstart run and its progress record.

    Args:
        root (str): Output folder. Created if missing.
        fresh (bool): Delete a folder written by this quickstart (never an unrelated folder)
            and start over. Defaults to False.

    Raises:
        OutputFolderError: If ``root`` is non-empty but was not written by this version of the
            quickstart.
    """

    def __init__(self, root: str, fresh: bool = False):
        self.root = osp.abspath(root)
        state_path = osp.join(self.root, STATE_FILE)
        if osp.isdir(self.root) and os.listdir(self.root):
            if not osp.isfile(state_path):
                raise OutputFolderError(
                    f'{self.root} is not empty and holds no {STATE_FILE}: choose an empty or new '
                    'folder (--out-dir) so that results are not mixed with other files')
            state = QuickstartState(**json.load(open(state_path)))
            if state.version != __version__:
                raise OutputFolderError(
                    f'{self.root} was written by procontext_mm {state.version}, this is '
                    f'{__version__}: use another --out-dir, or --fresh to start it over')
            if fresh:
                shutil.rmtree(self.root)
        os.makedirs(self.root, exist_ok=True)
        self.state_path = state_path
        self.state = (QuickstartState(**json.load(open(state_path)))
                      if osp.isfile(state_path) else QuickstartState())
        self._save()

    def path(self, *parts: str) -> str:
        """A path inside the output folder."""
        return osp.join(self.root, *parts)

    def _save(self) -> None:
        tmp = self.state_path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(asdict(self.state), f, indent=2)
        os.replace(tmp, self.state_path)

    def bind_benchmark(self, fingerprint: str) -> None:
        """Record the benchmark the results belong to; refuse a different one."""
        known = self.state.benchmark_fingerprint
        if known and known != fingerprint:
            raise OutputFolderError(
                f'{self.root} holds results for another benchmark ({known[:12]}, now '
                f'{fingerprint[:12]}): use another --out-dir, or --fresh')
        self.state.benchmark_fingerprint = fingerprint
        self._save()

    def step(self, name: str, run: Callable[[], object]) -> object:
        """Run a step once: return its recorded result if it finished before."""
        if name in self.state.done:
            return self.state.done[name]
        result = run()
        self.state.done[name] = result
        self._save()
        return result


def format_table(rows: List[dict], columns: List[str], title: Optional[str] = None) -> str:
    """A plain-text table of ``rows`` (dicts) with the given columns (floats with 2 decimals)."""
    cells = [[str(c) for c in columns]]
    for row in rows:
        cells.append([f'{row[c]:.2f}' if isinstance(row[c], float) else str(row[c])
                      for c in columns])
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    lines = [' | '.join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths)))
             for r in cells]
    lines.insert(1, '-+-'.join('-' * w for w in widths))
    return '\n'.join(([title] if title else []) + lines)
