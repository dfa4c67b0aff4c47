import json

import pytest

from procontext_apps.run_folder import STATE_FILE, RunFolder, RunFolderError
from procontext_apps.text_table import format_table


def test_steps_run_once_and_are_remembered_across_runs(tmp_path):
    calls = []
    folder = RunFolder(str(tmp_path / 'out'))
    assert folder.step('train', lambda: calls.append(1) or {'iters': 3}) == {'iters': 3}
    again = RunFolder(str(tmp_path / 'out'))  # an interrupted run started again
    assert again.step('train', lambda: calls.append(2) or {'iters': 9}) == {'iters': 3}
    assert calls == [1]


def test_refuses_unrelated_or_other_version_folders(tmp_path):
    (tmp_path / 'other').mkdir()
    (tmp_path / 'other' / 'notes.txt').write_text('mine')
    with pytest.raises(RunFolderError, match='not empty'):
        RunFolder(str(tmp_path / 'other'), fresh=True)
    assert (tmp_path / 'other' / 'notes.txt').exists()  # --fresh never deletes foreign folders
    old = tmp_path / 'old'
    RunFolder(str(old))
    state = json.loads((old / STATE_FILE).read_text())
    state['version'] = '0.0.1'
    (old / STATE_FILE).write_text(json.dumps(state))
    with pytest.raises(RunFolderError, match='written by procontext_mm 0.0.1'):
        RunFolder(str(old))
    # what the message offers works: --fresh starts a folder of another version over
    assert RunFolder(str(old), fresh=True).state.version != '0.0.1'


def test_fresh_restarts_and_data_binding(tmp_path):
    folder = RunFolder(str(tmp_path / 'out'))
    folder.bind_data('abc')
    folder.step('a', lambda: 1)
    with pytest.raises(RunFolderError, match='other data'):
        RunFolder(str(tmp_path / 'out')).bind_data('def')
    restarted = RunFolder(str(tmp_path / 'out'), fresh=True)
    assert restarted.state.done == {} and restarted.state.data_fingerprint == ''


def test_format_table():
    text = format_table([{'tracker': 'a', 'AO': 12.345}, {'tracker': 'bb', 'AO': 1.0}],
                        ['tracker', 'AO'], title='T')
    assert text.splitlines() == ['T', 'tracker |    AO', '--------+------', 'a       | 12.35',
                                 'bb      |  1.00']
