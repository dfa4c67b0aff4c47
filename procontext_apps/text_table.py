"""Plain-text tables for the terminal and summary files."""
from typing import List, Optional


def format_table(rows: List[dict], columns: List[str], title: Optional[str] = None) -> str:
    """A plain-text table of ``rows`` (dicts) with the given columns (floats with 2 decimals).

    The first column is left-aligned (names), the others right-aligned (numbers).
    """
    cells = [[str(c) for c in columns]]
    for row in rows:
        cells.append([f'{row[c]:.2f}' if isinstance(row[c], float) else str(row[c])
                      for c in columns])
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    lines = [' | '.join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths)))
             for r in cells]
    lines.insert(1, '-+-'.join('-' * w for w in widths))
    return '\n'.join(([title] if title else []) + lines)
