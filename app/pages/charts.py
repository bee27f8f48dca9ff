"""Chart geometry for the server-rendered SVG (pure): bar lengths, rank labels, history lines.

The numbers shown beside each chart come from the services as they are; these functions only
place them. A bar is a share of a scale in percent (its SVG stretches to the row's width); the
history chart is drawn in a fixed viewBox that the browser scales.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

HUNDRED: Final = Decimal(100)
# Bands coloured by their English label; any other label keeps the neutral colour.
BAND_CLASSES: Final = {"good": "band-good", "fair": "band-fair", "average": "band-average"}


def share_pct(value: Decimal | None, scale: Decimal | None) -> Decimal | None:
    """`value` as a percentage of `scale`, kept within 0–100 (a penalty draws no bar)."""
    if value is None or scale is None or scale <= 0:
        return None
    return min(HUNDRED, max(Decimal(0), value / scale * HUNDRED)).quantize(Decimal("0.01"))


def band_class(label_en: str | None) -> str:
    if label_en is None:
        return "band-none"
    return BAND_CLASSES.get(label_en.strip().lower(), "band-other")


def rank_label(rank: int | None, tied: bool) -> str:
    """'4', '=4' for a shared rank (joint 4th), '' where the service states no rank."""
    if rank is None:
        return ""
    return f"={rank}" if tied else str(rank)


@dataclass(frozen=True)
class Change:
    """A rank change as an arrow, for the text beside it."""

    arrow: str
    steps: int
    css: str


def rank_change(change: int | None) -> Change | None:
    """Previous rank − current rank: positive moved up. None: no comparable rank."""
    if change is None:
        return None
    if change > 0:
        return Change("▲", change, "up")
    if change < 0:
        return Change("▼", -change, "down")
    return Change("=", 0, "same")


# The history chart's viewBox and plot area, in SVG units.
WIDTH: Final = 640
HEIGHT: Final = 260
LEFT: Final = 44
RIGHT: Final = 16
TOP: Final = 16
BOTTOM: Final = 36


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    year: int
    value: Decimal


@dataclass(frozen=True)
class Line:
    label: str
    css: str
    points: tuple[Point, ...]

    @property
    def path(self) -> str:
        return " ".join(
            f"{'M' if i == 0 else 'L'}{p.x:.1f},{p.y:.1f}" for i, p in enumerate(self.points)
        )


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Marker:
    x: float
    label: str


@dataclass(frozen=True)
class LineChart:
    lines: tuple[Line, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    markers: tuple[Marker, ...]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM


@dataclass(frozen=True)
class Series:
    label: str
    values: dict[int, Decimal]


def _year_position(moment: float, first: int, last: int) -> float:
    span = max(last - first, 1)
    return LEFT + (moment - first) / span * (WIDTH - LEFT - RIGHT)


def _moment(day: date) -> float:
    """A date on the time axis, where year Y stands for 31 December of Y."""
    days = date(day.year, 12, 31).timetuple().tm_yday
    return day.year + (day.timetuple().tm_yday - days) / days


def _value_position(value: Decimal, low: Decimal, high: Decimal) -> float:
    span = high - low or Decimal(1)
    return float(Decimal(HEIGHT - BOTTOM) - (value - low) / span * (HEIGHT - BOTTOM - TOP))


def _value_range(series: Sequence[Series]) -> tuple[Decimal, Decimal]:
    """Whole tens around every value, with room for the line, within 0–100."""
    values = [v for s in series for v in s.values.values()]
    low = max(Decimal(0), Decimal(math.floor((min(values) - 2) / 10) * 10))
    high = min(HUNDRED, Decimal(math.ceil((max(values) + 2) / 10) * 10))
    return low, max(high, low + 10)


def line_chart(
    series: Sequence[Series],
    years: Sequence[int],
    events: Sequence[tuple[date, str]] = (),
    *,
    number: Callable[[Decimal], str],
) -> LineChart | None:
    """Lines of index values by year; each event marked at its date between the years.

    Year Y's point stands at the end of Y (results describe units as they stood on 31
    December), so an event dated 1 January 2023 falls between the 2022 and 2023 points.
    """
    drawn = [s for s in series if s.values]
    if not drawn or not years:
        return None
    first, last = min(years), max(years)
    low, high = _value_range(drawn)
    lines = tuple(
        Line(
            label=s.label,
            css=f"series-{i % 4}",
            points=tuple(
                Point(_year_position(y, first, last), _value_position(v, low, high), y, v)
                for y, v in sorted(s.values.items())
            ),
        )
        for i, s in enumerate(drawn)
    )
    step = Decimal(10) if high - low <= 40 else Decimal(20)
    y_values = [low + step * i for i in range(int((high - low) / step) + 1)]
    markers = tuple(
        Marker(_year_position(_moment(day), first, last), label)
        for day, label in events
        if first < _moment(day) <= last
    )
    return LineChart(
        lines=lines,
        x_ticks=tuple(Tick(_year_position(y, first, last), str(y)) for y in range(first, last + 1)),
        y_ticks=tuple(Tick(_value_position(v, low, high), number(v)) for v in y_values),
        markers=markers,
    )
