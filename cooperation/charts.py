"""Charts drawn on the server as SVG: pure functions from plain data to what a template draws.

No chart library and no JavaScript. Every chart is laid out in a viewBox `WIDTH` units wide
and scales to its container (templates/includes/charts/), so it fits a 320 px phone without
scrolling sideways. That is why labels sit above their bars rather than beside them: a label
gets the whole width, and text stays large enough when the chart is shrunk. Coordinates are
rounded to a tenth of a unit; numbers meant to be read are formatted in the active language
(`formats.number_format`), the templates draw coordinates with localization off.
"""

import calendar
import datetime
import math

from django.utils import formats

#: The width of every chart's viewBox, in SVG units.
WIDTH = 360
LABEL_SIZE = 15
VALUE_SIZE = 14
TICK_SIZE = 13
#: The average advance of a character, as a share of the font size (system sans-serif): enough
#: to decide when a label must be shortened.
CHARACTER_WIDTH = 0.56
#: How many series a chart can tell apart (a colour and a pattern each, portal.css).
SERIES_STYLES = 4


def number(value) -> str:
    """A count as the active language writes it."""
    return formats.number_format(value, force_grouping=True)


def _round(value: float) -> float:
    return round(value, 1)


def text_width(text: str, size: float) -> float:
    return len(text) * size * CHARACTER_WIDTH


def fit(text: str, size: float, width: float) -> str:
    """`text`, shortened with an ellipsis to fit `width` units at `size`."""
    if text_width(text, size) <= width:
        return text
    keep = max(1, int(width / (size * CHARACTER_WIDTH)) - 1)
    return text[:keep].rstrip(" ,;:–—-") + "…"


def ticks(maximum: int, most: int = 5) -> list[int]:
    """Round tick values from 0 to at least `maximum` (integers: these charts count records),
    at most `most` + 1 of them."""
    maximum = max(int(maximum), 1)
    step = 1
    for magnitude in (10**k for k in range(0, 12)):
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(maximum / step) <= most:
                top = math.ceil(maximum / step) * step
                return list(range(0, top + 1, step))
    return [0, maximum]  # pragma: no cover (more than 10**12 records)


def stacked_bars(rows: list[dict], series: list[tuple[str, str]]) -> dict:
    """Horizontal bars, one per row, each split into segments by series.

    `rows`: dicts with `label` and `values` (series key -> count); `series`: (key, label)
    pairs in drawing order (at most `SERIES_STYLES`). Each row's label sits above its bar,
    its total at the bar's end. Returns the viewBox size, the rows with their segments'
    geometry, the ticks of the value axis and the series (with their style index)."""
    if len(series) > SERIES_STYLES:
        raise ValueError(f"at most {SERIES_STYLES} series can be told apart")
    widest = max((text_width(row["label"], LABEL_SIZE) for row in rows), default=0)
    # Short labels (years) fit beside their bars; others get a line of their own above.
    beside = widest <= WIDTH / 5
    bar_height, gap = 18, (8 if beside else 12)
    label_line = 0 if beside else LABEL_SIZE + 5
    row_height = label_line + bar_height + gap
    top_margin, axis_room = 4, TICK_SIZE + 12
    totals = [sum(row["values"].get(key, 0) for key, _label in series) for row in rows]
    scale_ticks = ticks(max(totals, default=0))
    right_room = text_width(number(scale_ticks[-1]), VALUE_SIZE) + 8
    left = _round(widest + 8) if beside else 1
    right = WIDTH - right_room
    unit = (right - left) / scale_ticks[-1]
    out_rows = []
    for n, (row, total) in enumerate(zip(rows, totals, strict=True)):
        y = top_margin + n * row_height
        bar_y = y + label_line
        x = left
        segments = []
        for index, (key, label) in enumerate(series):
            value = row["values"].get(key, 0)
            if not value:
                continue
            width = value * unit
            segments.append(
                {
                    "key": key,
                    "label": label,
                    "style": index,
                    "value": value,
                    "value_text": number(value),
                    # A white gap of 1.5 units between segments keeps their edges apart.
                    "x": _round(x),
                    "width": _round(max(width - 1.5, 1)),
                }
            )
            x += width
        out_rows.append(
            {
                **row,
                "label_text": fit(row["label"], LABEL_SIZE, WIDTH - 2),
                "label_x": 1,
                "label_y": _round(bar_y + bar_height - 4 if beside else y + LABEL_SIZE),
                "bar_y": _round(bar_y),
                "bar_height": bar_height,
                "segments": segments,
                "total": total,
                "total_text": number(total),
                "total_x": _round(x + 5),
                "total_y": _round(bar_y + bar_height - 4),
            }
        )
    axis_y = top_margin + len(rows) * row_height
    return {
        "width": WIDTH,
        "height": _round(axis_y + axis_room),
        "rows": out_rows,
        "series": [
            {"key": key, "label": label, "style": index}
            for index, (key, label) in enumerate(series)
        ],
        "plot_top": top_margin,
        "axis_y": _round(axis_y),
        "tick_label_y": _round(axis_y + TICK_SIZE + 6),
        "left": left,
        "ticks": [
            {"x": _round(left + value * unit), "label": number(value)} for value in scale_ticks
        ],
    }


# -- Time -------------------------------------------------------------------------------------


def period(value: datetime.date, precision: str) -> tuple[datetime.date, datetime.date]:
    """The days a date no more precise than its source can mean: 2014 is the whole year."""
    if precision == "year":
        return datetime.date(value.year, 1, 1), datetime.date(value.year, 12, 31)
    if precision == "month":
        last = calendar.monthrange(value.year, value.month)[1]
        return value.replace(day=1), value.replace(day=last)
    return value, value


def timeline(items: list[dict], start: datetime.date, end: datetime.date) -> dict:
    """Marks on a real time axis from `start` to `end`, one row per item, positions
    proportional to the date.

    `items`: dicts with `label`, `status` (the mark's shape), `date` and `precision` (when it
    was signed), and optionally `in_force` and `in_force_precision`. A date known only to the
    year or month is drawn at the middle of its period with a bar across the whole period, so
    the chart is no more precise than the source. Items are drawn oldest first."""
    start = min([start] + [period(i["date"], i["precision"])[0] for i in items])
    end = max([end] + [period(i["date"], i["precision"])[1] for i in items])
    label_line, track, gap = LABEL_SIZE + 6, 16, 8
    row_height = label_line + track + gap
    top_margin, axis_room = 4, TICK_SIZE + 12
    left, right = 8, WIDTH - 8
    days = max((end - start).days, 1)

    def x(day: datetime.date) -> float:
        return _round(left + (day - start).days / days * (right - left))

    def mark(day, precision) -> dict:
        first, last = period(day, precision)
        middle = first + (last - first) / 2
        left_x, right_x = x(first), x(last)
        return {
            "x": x(middle),
            "from": left_x,
            "width": _round(max(right_x - left_x, 1)),
            "exact": first == last,
        }

    rows = []
    ordered = sorted(items, key=lambda i: (i["date"], i["label"]))
    for n, item in enumerate(ordered):
        y = top_margin + n * row_height
        middle = _round(y + label_line + track / 2)
        signed = mark(item["date"], item["precision"])
        in_force = None
        if item.get("in_force"):
            in_force = mark(item["in_force"], item.get("in_force_precision", "day"))
        rows.append(
            {
                **item,
                "label_text": fit(item["label"], LABEL_SIZE, WIDTH - 2),
                "label_y": _round(y + LABEL_SIZE),
                "y": middle,
                "period_y": _round(middle - 3),
                "square": {"x": _round(signed["x"] - 6), "y": _round(middle - 6)},
                "signed": signed,
                "in_force_mark": in_force,
                # A diamond around the point (x, y), 8 units from its centre to each corner.
                "diamond": _diamond(signed["x"], middle, 8),
                "in_force_diamond": _diamond(in_force["x"], middle, 7) if in_force else "",
            }
        )
    axis_y = top_margin + len(rows) * row_height
    years = list(range(start.year + (start.month > 1 or start.day > 1), end.year + 1))
    # A label every year when they fit, else every second or fifth year.
    label_every = next(
        (k for k in (1, 2, 5, 10) if (right - left) * k / max(len(years), 1) >= 44), 10
    )
    year_ticks = [
        {
            "x": x(datetime.date(year, 1, 1)),
            "label": str(year) if (year - years[0]) % label_every == 0 else "",
        }
        for year in years
    ]
    return {
        "width": WIDTH,
        "height": _round(axis_y + axis_room),
        "rows": rows,
        "axis_y": _round(axis_y),
        "tick_y": _round(axis_y + 4),
        "tick_label_y": _round(axis_y + TICK_SIZE + 8),
        "left": left,
        "right": right,
        "ticks": year_ticks,
        "end_x": x(end),
        "start": start,
        "end": end,
    }


def _diamond(cx: float, cy: float, r: float) -> str:
    """The `points` of a diamond centred on (cx, cy)."""
    return " ".join(
        f"{_round(px)},{_round(py)}"
        for px, py in ((cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy))
    )
