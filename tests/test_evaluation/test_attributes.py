"""Per-sequence attribute files: flag folders, pytracking's JSON specs and text lists give the
same attribute -> sequences map; bad files name the file, sequence and value."""
import json

import pytest

from procontext_mm.evaluation import ATTRIBUTE_NAMES, read_sequence_attributes

SEQS = ['Basketball', 'Biker', 'Bird1']
# OTB-100's attributes of these three sequences (the OTB paper's table)
TAGS = {'Basketball': ['IV', 'OCC', 'DEF', 'OPR', 'BC'],
        'Biker': ['SV', 'OCC', 'MB', 'FM', 'OPR', 'OV', 'LR'],
        'Bird1': ['DEF', 'FM', 'OV']}
EXPECTED = {attr: [s for s in SEQS if attr in TAGS[s]] for attr in ATTRIBUTE_NAMES['otb']}


def test_three_file_kinds_agree(tmp_path):
    names = ATTRIBUTE_NAMES['otb']
    for seq, tags in TAGS.items():
        flags = ','.join('1' if a in tags else '0' for a in names)
        (tmp_path / 'att').mkdir(exist_ok=True)
        (tmp_path / 'att' / f'{seq}.txt').write_text(flags + '\n')
    spec = dict(att_name_short=list(names), **TAGS)
    (tmp_path / 'otb.json').write_text(json.dumps(spec))
    (tmp_path / 'otb.txt').write_text('# OTB attributes\n' + ''.join(
        f'{seq}: {", ".join(tags)}\n' if i % 2 else f'{seq}\t{" ".join(tags)}\n'
        for i, (seq, tags) in enumerate(TAGS.items())))
    for path in ('att', 'otb.json', 'otb.txt'):
        assert read_sequence_attributes(str(tmp_path / path), SEQS, names) == EXPECTED, path
    # without names: the JSON's att_name_short order; the text file's order of appearance
    assert list(read_sequence_attributes(str(tmp_path / 'otb.json'), SEQS)) == list(names)
    assert list(read_sequence_attributes(str(tmp_path / 'otb.txt'), SEQS))[:3] == [
        'IV', 'OCC', 'DEF']


def test_pytracking_name_prefixes(tmp_path):
    (tmp_path / 'uav.json').write_text(json.dumps({'uav_bike1': ['SV', 'ARC'], 'car1': []}))
    found = read_sequence_attributes(str(tmp_path / 'uav.json'), ['bike1', 'car1'],
                                     ATTRIBUTE_NAMES['uav123'])
    assert found['SV'] == ['bike1'] and found['IV'] == []


def test_errors_name_file_sequence_and_value(tmp_path):
    (tmp_path / 'a.txt').write_text('Basketball IV, XYZ\nBiker SV\nBird1 FM\n')
    with pytest.raises(ValueError, match=r"a\.txt: sequence Basketball has attribute\(s\) "
                                         r"\['XYZ'\]"):
        read_sequence_attributes(str(tmp_path / 'a.txt'), SEQS, ATTRIBUTE_NAMES['otb'])
    (tmp_path / 'b.txt').write_text('Basketball IV\n')
    with pytest.raises(ValueError, match=r'no attributes for 2 of 3 sequences: Biker, Bird1'):
        read_sequence_attributes(str(tmp_path / 'b.txt'), SEQS)
    (tmp_path / 'att').mkdir()
    (tmp_path / 'att' / 'Basketball.txt').write_text('1,0\n')
    with pytest.raises(ValueError, match='2 flags but 11 attributes'):
        read_sequence_attributes(str(tmp_path / 'att'), ['Basketball'], ATTRIBUTE_NAMES['otb'])
    with pytest.raises(FileNotFoundError, match='No attribute file for sequence Biker'):
        read_sequence_attributes(str(tmp_path / 'att'), ['Basketball', 'Biker'])
    (tmp_path / 'bad.json').write_text('{"Basketball": ')
    with pytest.raises(ValueError, match=r'bad\.json: not valid JSON'):
        read_sequence_attributes(str(tmp_path / 'bad.json'), SEQS)
