"""The output folder of a resumable job: who wrote it, on which data, and which steps are done.

A job (the quickstart, a paper-table run) writes every result under one folder and records
each finished step in ``run_state.json``; run again, it skips the finished steps. A folder
written by another version of the package or for other data is refused instead of mixing
results.
"""
import json
import os
import os.path as osp
import shutil
from dataclasses import asdict, dataclass, field
from typing import Callable, Dict

from procontext_mm.version import __version__

STATE_FILE = 'run_state.json'


class RunFolderError(RuntimeError):
    """The output folder holds results of another version or of other data."""


@dataclass
class RunState:
    """What a run folder holds: who wrote it and which steps are done.

    Attributes:
        version (str): ``procontext_mm`` version that wrote the folder.
        data_fingerprint (str): Fingerprint of the data the results belong to (e.g. the
            built-in benchmark's manifest); empty until bound.
        done (dict): Step name -> the step's recorded result (JSON-serialisable).
    """
    version: str = __version__
    data_fingerprint: str = ''
    done: Dict[str, object] = field(default_factory=dict)


class RunFolder:
    """The output folder of a resumable job and its progress record.

    Args:
        root (str): Output folder. Created if missing.
        fresh (bool): Delete a folder written by such a job (never an unrelated folder) and
            start over. Defaults to False.

    Raises:
        RunFolderError: If ``root`` is non-empty but holds no ``run_state.json``, or was
            written by another version of the package (without ``fresh``).
    """

    def __init__(self, root: str, fresh: bool = False):
        self.root = osp.abspath(root)
        self.state_path = osp.join(self.root, STATE_FILE)
        if osp.isdir(self.root) and os.listdir(self.root):
            if not osp.isfile(self.state_path):
                raise RunFolderError(
                    f'{self.root} is not empty and holds no {STATE_FILE}: choose an empty or new '
                    'output folder so that results are not mixed with other files')
            version = self._read_state().version
            if fresh:
                shutil.rmtree(self.root)
            elif version != __version__:
                raise RunFolderError(
                    f'{self.root} was written by procontext_mm {version}, this is '
                    f'{__version__}: use another output folder, or start this one over (--fresh)')
        os.makedirs(self.root, exist_ok=True)
        self.state = self._read_state() if osp.isfile(self.state_path) else RunState()
        self._save()

    def _read_state(self) -> RunState:
        with open(self.state_path) as f:
            return RunState(**json.load(f))

    def path(self, *parts: str) -> str:
        """A path inside the output folder."""
        return osp.join(self.root, *parts)

    def _save(self) -> None:
        tmp = self.state_path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(asdict(self.state), f, indent=2)
        os.replace(tmp, self.state_path)

    def bind_data(self, fingerprint: str) -> None:
        """Record the data the results belong to; refuse other data.

        Raises:
            RunFolderError: If the folder holds results for data of another fingerprint.
        """
        known = self.state.data_fingerprint
        if known and known != fingerprint:
            raise RunFolderError(
                f'{self.root} holds results for other data ({known[:12]}, now '
                f'{fingerprint[:12]}): use another output folder, or start this one over '
                '(--fresh)')
        self.state.data_fingerprint = fingerprint
        self._save()

    def step(self, name: str, run: Callable[[], object]) -> object:
        """Run a step once: return its recorded result if it finished before."""
        if name in self.state.done:
            return self.state.done[name]
        result = run()
        self.state.done[name] = result
        self._save()
        return result
