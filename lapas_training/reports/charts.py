"""Small SVG charts drawn on the server, and the tables of their numbers.

One code path for the screen and the PDF reports (WeasyPrint draws the same SVG): no script, no
library, nothing fetched. The charts are for reading on paper too, so each series has its own
grey and, from the third on, a hatching pattern; every bar has its value printed at its end;
every label is escaped. Sizes are in the viewBox's units: the chart scales to its container.

`_chart.html` shows a chart in a <figure> with its caption and a `Table` of the same numbers
beside it, for people (and screen readers) who would rather read than look.
"""

import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

FONT = 'font-family="\'DejaVu Sans\', Arial, Helvetica, sans-serif" font-size="12"'
BAR = "#3b5b7a"
AXIS = "#444"
GRID = "#ccc"

# One style per series: a fill and, for the lighter ones, a pattern over it, so that six series
# stay apart in black and white. (fill, pattern) with pattern None, "hatch", "dots", "cross",
# "lines".
SERIES_STYLES = [
    ("#1f3a56", None),
    ("#6f8fae", None),
    ("#c5d3e0", "hatch"),
    ("#ffffff", "dots"),
    ("#ffffff", "cross"),
    ("#e3e3e3", "lines"),
]
PATTERNS = {
    "hatch": '<path d="M0 6 L6 0 M-1 1 L1 -1 M5 7 L7 5" stroke="#1f3a56" stroke-width="1.2"/>',
    "dots": '<circle cx="3" cy="3" r="1.3" fill="#1f3a56"/>',
    "cross": '<path d="M0 0 L6 6 M6 0 L0 6" stroke="#1f3a56" stroke-width="0.9"/>',
    "lines": '<path d="M0 3 L6 3" stroke="#1f3a56" stroke-width="1.2"/>',
}

_ids = itertools.count(1)


def format_number(value, decimals=0):
    """`value` in the active language's digits ("1.234", "57,1" in Indonesian); a dash for None."""
    if value is None:
        return "–"
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def format_percent(value):
    """A percentage with one decimal and its sign ("57,1%"); a dash for None (nothing counted)."""
    return "–" if value is None else f"{format_number(value, 1)}%"


def _n(value):
    """A coordinate in the SVG: two decimals at most, a dot whatever the language."""
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def _shorten(label, limit):
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _svg(width, height, title, body, defs=""):
    chart_id = f"chart-{next(_ids)}"
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart-svg" role="img" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" width="{_n(width)}" height="{_n(height)}" '
        f'preserveAspectRatio="xMinYMin meet" aria-labelledby="{chart_id}-title" {FONT}>'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f"{defs.replace('PID', chart_id)}{body.replace('PID', chart_id)}</svg>"
    )


def _style_defs(count):
    """The <defs> of the patterns of the first `count` series (ids made unique per chart by
    `_svg`, since several charts share one page)."""
    patterns = []
    for index, (fill, pattern) in enumerate(SERIES_STYLES[:count]):
        if pattern:
            patterns.append(
                f'<pattern id="PID-p{index}" width="6" height="6" patternUnits="userSpaceOnUse">'
                f'<rect width="6" height="6" fill="{fill}"/>{PATTERNS[pattern]}</pattern>'
            )
    return f"<defs>{''.join(patterns)}</defs>" if patterns else ""


def series_fill(index):
    """The fill attribute's value of series `index` (a colour or a pattern reference)."""
    fill, pattern = SERIES_STYLES[index % len(SERIES_STYLES)]
    return f"url(#PID-p{index})" if pattern else fill


def _nice_max(value):
    """A round axis maximum at or above `value`: 1, 2, 5 times a power of ten."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _ticks(top_value):
    """Whole-numbered axis ticks from 0 to `top_value` (a `_nice_max` or 100): five steps, or
    one per unit below five."""
    steps = top_value if top_value < 5 else 5
    return [top_value * step // steps for step in range(steps + 1)]


def _no_data(width, title):
    """A low strip saying there is nothing to draw, rather than an empty frame."""
    body = (
        f'<text x="{_n(width / 2)}" y="24" text-anchor="middle" fill="{AXIS}">'
        f"{escape(_('No data for this period.'))}</text>"
    )
    return _svg(width, 40, title, body)


def horizontal_bar_chart(rows, *, title, axis_label, max_value=None, percent=False):
    """Horizontal bars, one per (label, value) of `rows` (None counts as no bar), values printed
    at the bars' ends. `max_value` fixes the axis (100 for percentages); by default it is the
    largest value rounded up. `percent` prints values as percentages with one decimal."""
    rows = list(rows)
    width, label_w, value_w, row_h, bar_h, top = 640, 210, 64, 28, 18, 8
    plot_w = width - label_w - value_w
    height = top + max(len(rows), 1) * row_h + 44
    if not rows or not any(value for _label, value in rows):
        return _no_data(width, title)
    top_value = max_value or _nice_max(max(value or 0 for _label, value in rows))
    show = format_percent if percent else format_number
    parts = []
    for tick in _ticks(top_value):
        x = label_w + plot_w * tick / top_value
        parts.append(
            f'<line x1="{_n(x)}" y1="{top}" x2="{_n(x)}" y2="{_n(height - 40)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_n(x)}" y="{_n(height - 26)}" text-anchor="middle" fill="{AXIS}">'
            f"{escape(format_number(tick))}{'%' if percent else ''}</text>"
        )
    for index, (label, value) in enumerate(rows):
        y = top + index * row_h
        length = plot_w * float(value or 0) / float(top_value)
        parts.append(
            f"<g><title>{escape(label)}</title>"
            f'<text x="{label_w - 8}" y="{_n(y + bar_h / 2 + 4)}" text-anchor="end">'
            f"{escape(_shorten(str(label), 30))}</text></g>"
            f'<rect class="bar" x="{label_w}" y="{_n(y)}" width="{_n(length)}" height="{bar_h}" '
            f'fill="{BAR}" data-value="{escape(str(value))}"/>'
            f'<text x="{_n(label_w + length + 5)}" y="{_n(y + bar_h / 2 + 4)}">'
            f"{escape(show(value))}</text>"
        )
    parts.append(
        f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{_n(height - 40)}" '
        f'stroke="{AXIS}" stroke-width="1"/>'
        f'<text x="{_n(label_w + plot_w / 2)}" y="{_n(height - 6)}" text-anchor="middle" '
        f'fill="{AXIS}">{escape(axis_label)}</text>'
    )
    return _svg(width, height, title, "".join(parts))


def _category_label(label, x, slot):
    """A bar's label; where bars stand close (a year of months) its words go on two lines,
    "Agu" over "2025", so that neighbours do not run into each other."""
    if slot >= 80 or " " not in label:
        return escape(_shorten(label, 14))
    first, second = label.split(" ", 1)
    return (
        f"<tspan>{escape(_shorten(first, 7))}</tspan>"
        f'<tspan x="{_n(x)}" dy="14">{escape(_shorten(second, 7))}</tspan>'
    )


def stacked_bar_chart(categories, series, *, title, x_label, y_label):
    """Vertical bars, one per category, stacked from `series`: a list of (name, values) with one
    value per category, drawn bottom up in that order, each in its own grey or pattern, with a
    legend above; each bar's total is printed on top."""
    categories, series = list(categories), list(series)
    width, left, right, top, legend_h, bottom = 640, 56, 16, 8, 24, 62
    legend_rows = (len(series) + 2) // 3
    plot_top = top + legend_rows * legend_h + 8
    plot_h = 220
    height = plot_top + plot_h + bottom
    totals = [sum(values[i] or 0 for _name, values in series) for i in range(len(categories))]
    if not categories or not any(totals):
        return _no_data(width, title)
    top_value = _nice_max(max(totals))
    plot_w = width - left - right
    slot = plot_w / len(categories)
    bar_w = min(slot * 0.6, 60)
    parts = []
    for index, (name, _values) in enumerate(series):
        x = left + (index % 3) * 190
        y = top + (index // 3) * legend_h
        parts.append(
            f'<rect x="{x}" y="{y}" width="14" height="14" fill="{series_fill(index)}" '
            f'stroke="{AXIS}" stroke-width="0.8"/>'
            f'<text x="{x + 20}" y="{y + 11}">{escape(_shorten(str(name), 26))}</text>'
        )
    base_y = plot_top + plot_h
    for tick in _ticks(top_value):
        y = base_y - plot_h * tick / top_value
        parts.append(
            f'<line x1="{left}" y1="{_n(y)}" x2="{width - right}" y2="{_n(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{_n(y + 4)}" text-anchor="end" fill="{AXIS}">'
            f"{escape(format_number(tick))}</text>"
        )
    for index, category in enumerate(categories):
        x = left + slot * index + (slot - bar_w) / 2
        y = base_y
        for number, (name, values) in enumerate(series):
            value = values[index] or 0
            if not value:
                continue
            h = plot_h * value / top_value
            y -= h
            parts.append(
                f'<rect class="bar" x="{_n(x)}" y="{_n(y)}" width="{_n(bar_w)}" height="{_n(h)}" '
                f'fill="{series_fill(number)}" stroke="{AXIS}" stroke-width="0.6" '
                f'data-value="{value}"><title>{escape(category)}, {escape(name)}: '
                f"{escape(format_number(value))}</title></rect>"
            )
        parts.append(
            f'<text x="{_n(x + bar_w / 2)}" y="{_n(y - 4)}" text-anchor="middle" '
            f'font-weight="bold">{escape(format_number(totals[index]))}</text>'
            f'<text x="{_n(x + bar_w / 2)}" y="{_n(base_y + 16)}" text-anchor="middle">'
            f"{_category_label(str(category), x + bar_w / 2, slot)}</text>"
        )
    parts.append(
        f'<line x1="{left}" y1="{_n(base_y)}" x2="{width - right}" y2="{_n(base_y)}" '
        f'stroke="{AXIS}" stroke-width="1"/>'
        f'<text x="{_n(left + plot_w / 2)}" y="{_n(height - 8)}" text-anchor="middle" '
        f'fill="{AXIS}">{escape(x_label)}</text>'
        f'<text x="14" y="{_n(plot_top + plot_h / 2)}" text-anchor="middle" fill="{AXIS}" '
        f'transform="rotate(-90 14 {_n(plot_top + plot_h / 2)})">{escape(y_label)}</text>'
    )
    return _svg(width, height, title, "".join(parts), _style_defs(len(series)))


def bar_chart(rows, *, title, x_label, y_label):
    """Vertical bars, one per (label, value) of `rows`, values printed on top."""
    rows = list(rows)
    return stacked_bar_chart(
        [label for label, _value in rows],
        [(y_label, [value for _label, value in rows])],
        title=title,
        x_label=x_label,
        y_label=y_label,
    )


@dataclass(frozen=True)
class Cell:
    """A table cell: a number (formatted in the active language), a percentage, or text; a
    `url` makes it a link to the list it counts."""

    value: object
    url: str = ""
    percent: bool = False

    @property
    def numeric(self):
        return self.value is None or isinstance(self.value, int | Decimal | float)

    @property
    def text(self):
        if self.percent:
            return format_percent(self.value)
        if self.numeric:
            return format_number(self.value)
        return str(self.value)


@dataclass
class Table:
    """The numbers of a chart: `headers` and `rows` of cells (a plain value becomes a Cell);
    `total` an optional last row."""

    headers: list
    rows: list = field(default_factory=list)
    total: list | None = None

    def __post_init__(self):
        self.rows = [self._cells(row) for row in self.rows]
        if self.total is not None:
            self.total = self._cells(self.total)

    @staticmethod
    def _cells(row):
        return [cell if isinstance(cell, Cell) else Cell(cell) for cell in row]

    def rows_html(self):
        """The body's rows as `_chart.html` prints them: the first cell heads its row, the
        others are aligned right, a cell with a URL links to it. Written here rather than by
        a template tag per cell, which cost more than counting the figures on the national
        roll-up (a row per partner of the country)."""
        return mark_safe(
            "\n".join(
                "<tr>"
                + "".join(_cell_html(cell, index == 0) for index, cell in enumerate(row))
                + "</tr>"
                for row in self.rows
            )
        )


def _cell_html(cell, heads_row):
    text = conditional_escape(cell.text)
    if cell.url:
        text = f'<a href="{conditional_escape(cell.url)}">{text}</a>'
    if heads_row:
        return f'<th scope="row" class="fw-normal">{text}</th>'
    return f'<td class="text-end">{text}</td>'
