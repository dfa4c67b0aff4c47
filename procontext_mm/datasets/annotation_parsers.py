"""Readers of the benchmarks' annotation files, with errors that name the file and the line.

Every SOT dataset class parses its official files with these functions (numeric tables of
boxes, per-frame flags, name lists, numbered frame folders); the VOT runner and the demo tool
read ground-truth files with them too.
"""
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

#: File name extensions recognised as frames when a frame directory is listed.
IMG_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp')


class AnnotationError(ValueError):
    """An annotation file does not follow its benchmark's format (message names file / line)."""


def read_text(path: str) -> str:
    """Read a required text file; a missing file raises ``FileNotFoundError`` naming it."""
    try:
        with open(path, 'r', encoding='utf-8', newline=None) as f:
            return f.read()
    except FileNotFoundError:
        raise FileNotFoundError(f'annotation file not found: {path}') from None
    except UnicodeDecodeError as e:
        raise AnnotationError(f'{path}: not a utf-8 text file ({e})') from None


def _content_lines(path: str, text: str) -> List[str]:
    """Lines of ``text`` without trailing blank lines; a blank line inside is an error."""
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    for i, line in enumerate(lines):
        if not line.strip():
            raise AnnotationError(f'{path}, line {i + 1}: blank line inside the annotations')
    return lines


def split_number_rows(path: str, text: Optional[str] = None) -> Tuple[List[str], List[List[str]]]:
    """Split every line of a numeric table into tokens.

    Values may be separated by commas, tabs or spaces (OTB mixes them).

    Returns:
        tuple[list[str], list[list[str]]]: the lines and their tokens.
    """
    if text is None:
        text = read_text(path)
    lines = _content_lines(path, text)
    return lines, [line.replace(',', ' ').split() for line in lines]


def row_format_error(path: str, lines: List[str], rows: List[List[str]],
                     num_cols: Sequence[int], what: str) -> AnnotationError:
    """Find the first bad row of a table and describe it."""
    for i, (line, row) in enumerate(zip(lines, rows)):
        if len(row) not in num_cols:
            return AnnotationError(
                f'{path}, line {i + 1}: expected {" or ".join(map(str, num_cols))} numbers '
                f'({what}), got {len(row)}: {line.strip()!r}')
        for token in row:
            try:
                float(token)
            except ValueError:
                return AnnotationError(f'{path}, line {i + 1}: {token!r} is not a number '
                                       f'({what}): {line.strip()!r}')
    return AnnotationError(f'{path}: cannot parse the table ({what})')


def parse_number_rows(path: str,
                      text: Optional[str] = None,
                      num_cols: int = 4,
                      what: str = 'x, y, w, h') -> np.ndarray:
    """Read a table with one row of ``num_cols`` numbers per line (e.g. ``groundtruth.txt``).

    ``nan`` is accepted (the caller decides what a NaN row means).

    Args:
        path (str): The file (also used in messages).
        text (str, optional): Its content if already read.
        num_cols (int): Numbers per line. Defaults to 4.
        what (str): What a row holds, for messages.

    Returns:
        np.ndarray: float32 (L, num_cols), L >= 1.

    Raises:
        FileNotFoundError: The file is missing.
        AnnotationError: It is empty, or a line has another count of values or a non-number;
            the message names the line and its content.
    """
    lines, rows = split_number_rows(path, text)
    if not rows:
        raise AnnotationError(f'{path}: empty, expected one line of {what} per frame')
    if all(len(row) == num_cols for row in rows):
        try:
            return np.array(rows, dtype=np.float32)
        except ValueError:
            pass
    raise row_format_error(path, lines, rows, (num_cols, ), what)


def parse_flags(path: str,
                num_frames: int,
                max_value: int = 1,
                text: Optional[str] = None) -> np.ndarray:
    """Read one integer flag per frame (``absence.label``, ``cover.label``, LaSOT
    ``full_occlusion.txt`` ...).

    Values may be one per line or comma / space separated on one line.

    Args:
        path (str): The file.
        num_frames (int): Expected number of values (frames of the ground truth).
        max_value (int): Largest allowed value (1 for 0/1 flags, 8 for GOT-10k cover).
        text (str, optional): Content if already read.

    Returns:
        np.ndarray: int8 (num_frames,).

    Raises:
        AnnotationError: Wrong count, a non-integer or a value out of ``[0, max_value]``; the
            message names the line.
    """
    if text is None:
        text = read_text(path)
    tokens = text.replace(',', ' ').split()
    values = None
    try:
        values = np.array(tokens, dtype=np.int64)
    except ValueError:
        pass
    if values is not None and len(values) == num_frames and (
            num_frames == 0 or (values.min() >= 0 and values.max() <= max_value)):
        return values.astype(np.int8)
    # slow path: locate the problem
    count = 0
    for i, line in enumerate(text.splitlines()):
        for token in line.replace(',', ' ').split():
            count += 1
            try:
                value = int(token)
            except ValueError:
                raise AnnotationError(
                    f'{path}, line {i + 1}: {token!r} is not an integer flag') from None
            if not 0 <= value <= max_value:
                raise AnnotationError(f'{path}, line {i + 1}: value {value} is outside '
                                      f'[0, {max_value}]')
    raise AnnotationError(f'{path}: {count} values, but the ground truth has {num_frames} frames')


def parse_optional_flags(path: str, num_frames: int, default: int,
                         max_value: int = 1) -> Tuple[np.ndarray, bool]:
    """:func:`parse_flags`, or ``default`` for every frame when the file does not exist.

    Returns:
        tuple[np.ndarray, bool]: int8 (num_frames,) values and whether the file existed.
    """
    try:
        text = read_text(path)
    except FileNotFoundError:
        return np.full(num_frames, default, dtype=np.int8), False
    return parse_flags(path, num_frames, max_value, text), True


def read_name_list(path: str) -> List[str]:
    """Read a list of names, one per line (``list.txt``); blank lines are ignored.

    Raises:
        FileNotFoundError: The file is missing.
        AnnotationError: A name is repeated (the message names both lines).
    """
    names: List[str] = []
    seen: Dict[str, int] = {}
    for i, line in enumerate(read_text(path).splitlines()):
        name = line.strip()
        if not name:
            continue
        if name in seen:
            raise AnnotationError(f'{path}, line {i + 1}: {name!r} repeats line {seen[name]}')
        seen[name] = i + 1
        names.append(name)
    return names


def list_frame_files(directory: str,
                     extensions: Sequence[str] = IMG_EXTENSIONS) -> Tuple[str, int, int]:
    """Find the numbered frames of a directory and the template of their names.

    Frame names must be ``<digits><ext>``, all with the same extension, numbered
    consecutively; either all zero-padded to one width (``00000001.jpg``) or not padded
    (``0.jpg``, ``10.jpg``).

    Args:
        directory (str): Directory of the frames.
        extensions (Sequence[str]): Lower-case extensions considered frames.

    Returns:
        tuple[str, int, int]: ``str.format`` template of the *file name* (e.g. ``'{:08d}.jpg'``),
        number of the first frame, number of frames.

    Raises:
        FileNotFoundError: The directory does not exist.
        AnnotationError: No frame, names that are not numbers, or gaps in the numbering.
    """
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        raise FileNotFoundError(f'frame directory not found: {directory}') from None
    frames = [n for n in names if osp.splitext(n)[1].lower() in extensions]
    if not frames:
        raise AnnotationError(f'{directory}: no frame ({"/".join(extensions)}) found')
    exts = {osp.splitext(n)[1] for n in frames}
    stems = [osp.splitext(n)[0] for n in frames]
    bad = [n for n, s in zip(frames, stems) if not s.isdigit()]
    if len(exts) > 1 or bad:
        raise AnnotationError(
            f'{directory}: frames must be named <number><ext> with one extension, found '
            f'{sorted(exts)} and {bad[:3]}')
    numbers = np.sort(np.array([int(s) for s in stems], dtype=np.int64))
    first, count = int(numbers[0]), len(numbers)
    if numbers[-1] - first + 1 != count:
        gaps = np.setdiff1d(np.arange(first, numbers[-1] + 1), numbers)[:3].tolist()
        raise AnnotationError(f'{directory}: frame numbers {first}..{int(numbers[-1])} have '
                              f'gaps (missing e.g. {gaps})')
    ext = exts.pop()
    if any(len(s) > 1 and s.startswith('0') for s in stems):  # zero-padded names
        widths = {len(s) for s in stems}
        if len(widths) > 1:
            raise AnnotationError(f'{directory}: zero-padded frame names of different widths '
                                  f'{sorted(widths)}')
        template = '{:0%dd}' % widths.pop()
    else:
        template = '{:d}'
    return template + escape_braces(ext), first, count


def escape_braces(path: str) -> str:
    """Escape ``{`` / ``}`` of a literal path so it can be part of a ``str.format`` template."""
    return path.replace('{', '{{').replace('}', '}}')


def printf_to_format(pattern: str) -> str:
    """Turn a printf frame pattern (``color/%08d.jpg``) into a ``str.format`` template."""
    match = re.fullmatch(r'(.*)%(0?\d*)d(.*)', pattern)
    if match is None:
        raise ValueError(f'{pattern!r} is not a printf pattern with one %d')
    head, width, tail = match.groups()
    return f'{escape_braces(head)}{{:{width}d}}{escape_braces(tail)}'


def subdirectories(directory: str) -> List[str]:
    """Sorted names of the sub-directories of ``directory``."""
    try:
        return sorted(e.name for e in os.scandir(directory) if e.is_dir())
    except FileNotFoundError:
        raise FileNotFoundError(f'dataset directory not found: {directory}') from None
