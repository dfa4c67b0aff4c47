import json

import pytest

from procontext_mm.apis.quickstart import OutputFolderError, QuickstartFolder, format_table


def test_steps_run_once_and_are_remembered_across_runs(tmp_path):
    calls = []
    folder = QuickstartFolder(str(tmp_path / 'out'))
    assert folder.step('train', lambda: calls.append(1) or {'iters': 3}) == {'iters': 3}
    again = QuickstartFolder(str(tmp_path / 'out'))  # an interrupted run started again
    assert again.step('train', lambda: calls.append(2) or {'iters': 9}) == {'iters': 3}
    assert calls == [1]


def test_refuses_unrelated_or_other_version_folders(tmp_path):
    (tmp_path / 'other').mkdir()
    (tmp_path / 'other' / 'notes.txt').write_text('mine')
    with pytest.raises(OutputFolderError, match='not empty'):
        QuickstartFolder(str(tmp_path / 'other'), fresh=True)
    assert (tmp_path / 'other' / 'notes.txt').exists()  # --fresh never deletes foreign folders
    old = tmp_path / 'old'
    QuickstartFolder(str(old))
    state = json.loads((old / 'quickstart.json').read_text())
    state['version'] = '0.0.1'
    (old / 'quickstart.json').write_text(json.dumps(state))
    with pytest.raises(OutputFolderError, match='written by procontext_mm 0.0.1'):
        QuickstartFolder(str(old))
    # what the message offers works: --fresh starts a folder of another version over
    assert QuickstartFolder(str(old), fresh=True).state.version != '0.0.1'


def test_fresh_restarts_and_benchmark_binding(tmp_path):
    folder = QuickstartFolder(str(tmp_path / 'out'))
    folder.bind_benchmark('abc')
    folder.step('a', lambda: 1)
    with pytest.raises(OutputFolderError, match='another benchmark'):
        QuickstartFolder(str(tmp_path / 'out')).bind_benchmark('def')
    restarted = QuickstartFolder(str(tmp_path / 'out'), fresh=True)
    assert restarted.state.done == {} and restarted.state.benchmark_fingerprint == ''


def test_format_table():
    text = format_table([{'tracker': 'a', 'AO': 12.345}, {'tracker': 'bb', 'AO': 1.0}],
                        ['tracker', 'AO'], title='T')
    assert text.splitlines() == ['T', 'tracker |    AO', '--------+------', 'a       | 12.35',
                                 'bb      |  1.00']
