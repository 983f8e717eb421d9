"""Charts drawn on the server as SVG text: no JavaScript, nothing fetched, readable without the picture.

Each function takes plain numbers and the words to show (already translated)
and returns one `<svg>` element. The picture never carries a figure alone:
the svg names a `<title>` and `<desc>` (aria-labelledby), every bar and cell
has its figure written beside or inside it, a marker is a shape as well as a
colour, and every colour keeps at least 4.5:1 contrast with the text drawn on
it (3:1 for shapes on the white page). Text is escaped here, so a unit named
`<script>` stays words. Imports neither Flask nor the database.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

INK = "#1b1f23"
MUTED = "#4f5860"
GRID = "#c9d1d9"
PAPER = "#ffffff"
BAR = "#0b4f8a"
EMPTY = "#eceff1"
HEAT = ("#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b")  # light to dark, by fifths of the scale
FONT = 13  # px
WIDTH = 640


@dataclass(frozen=True)
class Bar:
    """One labelled bar: its value (None: nothing to draw), the figure shown beside it, an optional marker."""

    label: str
    value: float | None
    text: str
    marker: float | None = None


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours (1 to 21)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_on(fill: str) -> str:
    """Ink or white, whichever reads better on `fill`."""
    return INK if contrast(fill, INK) >= contrast(fill, PAPER) else PAPER


def text_width(text: str, size: float = FONT) -> float:
    """About how wide `text` is drawn: a Chinese character one em, Latin letters and digits about 0.6."""
    return sum(size if unicodedata.east_asian_width(ch) in ("W", "F") else 0.6 * size for ch in text)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, words: str, *, anchor: str = "start", fill: str = INK, size: int = FONT, **extra) -> str:
    attrs = "".join(f' {key.rstrip("_").replace("_", "-")}="{escape(str(value))}"' for key, value in extra.items())
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" fill="{fill}" font-size="{size}"{attrs}>'
        f"{escape(words)}</text>"
    )


def _svg(chart_id: str, width: float, height: float, title: str, desc: str, body: list[str]) -> str:
    ident = escape(chart_id)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{_num(width)}" '
        f'height="{_num(height)}" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(desc)}</desc>'
        f'<rect width="100%" height="100%" fill="{PAPER}"/>' + "".join(body) + "</svg>"
    )


def bins(values: Sequence[float | None], width: float = 10.0, top: float = 100.0) -> list[int]:
    """How many values fall in each bin of `width` from 0 to `top` (the last bin includes `top`)."""
    count = max(1, math.ceil(top / width))
    out = [0] * count
    for value in values:
        if value is None or math.isnan(value):
            continue
        out[min(max(int(value // width), 0), count - 1)] += 1
    return out


def histogram(
    values: Sequence[float | None],
    *,
    title: str,
    desc: str,
    chart_id: str,
    x_label: str,
    y_label: str,
    width: float = 10.0,
    top: float = 100.0,
    counts: Sequence[int] | None = None,
) -> str:
    """Columns counting the values in each bin (10-point bins of total scores by default), counts written on top.

    `counts` gives the bins' counts already counted (`values` is then not read).
    """
    counts = list(counts) if counts is not None else bins(values, width, top)
    left, right, head, foot = 44, 12, 34, 50
    plot_w, plot_h = WIDTH - left - right, 180
    highest = max(max(counts), 1)
    step = plot_w / len(counts)
    body = [_text(left, 16, y_label, fill=MUTED)]
    for tick in sorted({0, highest // 2, highest}):
        y = head + plot_h - plot_h * tick / highest
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{_num(y)}" y2="{_num(y)}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y + 4, str(tick), anchor="end", fill=MUTED))
    for index, count in enumerate(counts):
        low, high = index * width, min((index + 1) * width, top)
        x = left + index * step + 3
        h = plot_h * count / highest
        y = head + plot_h - h
        label = f"{_num(low)}–{_num(high)}"
        body.append(
            f'<rect class="bar" x="{_num(x)}" y="{_num(y)}" width="{_num(step - 6)}" height="{_num(h)}" '
            f'fill="{BAR}"><title>{escape(label)}: {count}</title></rect>'
        )
        body.append(_text(x + (step - 6) / 2, y - 5, str(count), anchor="middle", class_="count"))
        body.append(_text(x + (step - 6) / 2, head + plot_h + 18, label, anchor="middle", class_="bin", size=12))
    axis = head + plot_h
    body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{axis}" y2="{axis}" stroke="{INK}"/>')
    body.append(_text(left + plot_w / 2, axis + 40, x_label, anchor="middle", fill=MUTED))
    return _svg(chart_id, WIDTH, head + plot_h + foot, title, desc, body)


def bars(
    rows: Sequence[Bar],
    *,
    title: str,
    desc: str,
    chart_id: str,
    top: float = 1.0,
    ticks: Sequence[tuple[float, str]] = (),
    marker_label: str = "",
) -> str:
    """Horizontal bars, one per row, scaled 0 to `top`, each with its label on the left and figure on the right.

    A row's marker (say the jurisdiction's mean) is a dark rule with a white edge, so it shows on the bar
    and off it; `marker_label` names it in a key above the bars.
    """
    row_h, head = 30, 28 if marker_label else 8
    label_w = min(max([text_width(r.label) for r in rows] + [40]) + 12, WIDTH * 0.4)
    figure_w = min(max([text_width(r.text) for r in rows] + [30]) + 10, WIDTH * 0.3)
    plot_w = WIDTH - label_w - figure_w - 8
    foot = 22 if ticks else 6
    height = head + row_h * len(rows) + foot

    def x_of(value: float) -> float:
        return label_w + plot_w * min(max(value / top, 0.0), 1.0) if top else label_w

    body = []
    if marker_label:
        body.append(_marker(label_w + 6, 4, 18))
        body.append(_text(label_w + 16, 18, marker_label, fill=MUTED))
    for value, words in ticks:
        x = x_of(value)
        bottom = head + row_h * len(rows)
        body.append(f'<line x1="{_num(x)}" x2="{_num(x)}" y1="{head}" y2="{bottom}" stroke="{GRID}"/>')
        body.append(_text(x, bottom + 16, words, anchor="middle", fill=MUTED, size=12))
    for index, row in enumerate(rows):
        y = head + index * row_h
        body.append(_text(label_w - 8, y + 20, row.label, anchor="end", class_="label"))
        end = label_w
        if row.value is not None and not math.isnan(row.value):
            end = x_of(row.value)
            body.append(
                f'<rect class="bar" x="{_num(label_w)}" y="{y + 6}" width="{_num(end - label_w)}" '
                f'height="{row_h - 12}" fill="{BAR}"><title>{escape(row.label)}: {escape(row.text)}</title></rect>'
            )
        if row.marker is not None and not math.isnan(row.marker):
            body.append(_marker(x_of(row.marker), y + 2, row_h - 4))
        body.append(_text(WIDTH - figure_w, y + 20, row.text, class_="figure"))
    return _svg(chart_id, WIDTH, height, title, desc, body)


def _marker(x: float, y: float, h: float) -> str:
    """A dark vertical rule edged in white: visible on a bar and on the page alike."""
    line = f'x1="{_num(x)}" x2="{_num(x)}" y1="{_num(y)}" y2="{_num(y + h)}"'
    return (
        f'<g class="marker"><line {line} stroke="{PAPER}" stroke-width="6"/>'
        f'<line {line} stroke="{INK}" stroke-width="3"/></g>'
    )


def heat_table(
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    cells: Sequence[Sequence[tuple[float | None, str]]],
    *,
    title: str,
    desc: str,
    chart_id: str,
    top: float = 1.0,
) -> str:
    """A grid of rows × columns, each cell shaded by its value (0 to `top`, five steps) with its figure in it."""
    cell_h = 26
    label_w = min(max([text_width(label) for label in row_labels] + [40]) + 14, WIDTH * 0.45)
    cell_w = max(64.0, max([text_width(label, 12) for label in column_labels] + [0]) + 12)
    head = 30
    width = label_w + cell_w * len(column_labels) + 4
    height = head + cell_h * len(row_labels) + 4
    body = []
    for col, label in enumerate(column_labels):
        body.append(_text(label_w + cell_w * (col + 0.5), head - 10, label, anchor="middle", size=12, class_="column"))
    for row, label in enumerate(row_labels):
        y = head + row * cell_h
        body.append(_text(label_w - 8, y + 18, label, anchor="end", class_="label"))
        for col, (value, words) in enumerate(cells[row]):
            fill = EMPTY if value is None or math.isnan(value) else _shade(value / top if top else 0.0)
            x = label_w + col * cell_w
            body.append(
                f'<rect class="cell" x="{_num(x)}" y="{y}" width="{_num(cell_w - 2)}" height="{cell_h - 2}" '
                f'fill="{fill}"/>'
            )
            body.append(_text(x + (cell_w - 2) / 2, y + 17, words, anchor="middle", fill=text_on(fill), size=12))
    return _svg(chart_id, max(width, 200), height, title, desc, body)


def _shade(share: float) -> str:
    return HEAT[min(max(int(share * len(HEAT)), 0), len(HEAT) - 1)]
