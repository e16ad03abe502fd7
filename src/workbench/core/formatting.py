"""The one number formatter of everything a user reads: decimal comma, the real minus sign,
«—» for a missing value, and one rounding rule — half away from zero on the decimal value as
written (school rounding: 12,5 % → 13 %, 2,675 → 2,68), for numbers and percentages alike."""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

MINUS = "\u2212"
MISSING = "—"


def finite(x: Any) -> float | None:
    """x as a finite float, or None (None, NaN, ±inf, text, bool, pandas NA)."""
    if x is None or isinstance(x, (bool, str)):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def round_half_up(x: float, digits: int = 0) -> float:
    """x rounded half away from zero at `digits` decimals, judged on its shortest decimal repr."""
    q = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP))


def _decimal_text(v: float, digits: int) -> str:
    q = Decimal(1).scaleb(-digits)
    d = Decimal(repr(v)).quantize(q, rounding=ROUND_HALF_UP)
    if d == 0:
        d = abs(d)  # never «−0,0»
    return f"{d:.{digits}f}" if digits > 0 else f"{d:.0f}"


def fmt_num(x: Any, digits: int = 2, sign: bool = False) -> str:
    """Russian number: «−1,25», «3,4»; with sign=True a «+» before positive values («+0,3»;
    a value that rounds to zero has no sign)."""
    v = finite(x)
    if v is None:
        return MISSING
    return _fmt_finite(v, max(0, int(digits)), bool(sign))


@lru_cache(maxsize=1 << 16)
def _fmt_finite(v: float, digits: int, sign: bool) -> str:
    """fmt_num of a finite float, remembered: briefings format the same values (the region's
    medians, shares, years) on every one of thousands of pages (0.0 and −0.0 give the same text,
    so their sharing a cache entry changes nothing)."""
    s = _decimal_text(v, digits)
    positive = not s.startswith("-") and any(c not in "0." for c in s)
    s = s.replace(".", ",").replace("-", MINUS)
    return ("+" + s) if sign and positive else s


def fmt_int(x: Any) -> str:
    """A whole number: «12»; «—» for missing."""
    return fmt_num(x, 0)


def fmt_pct(share: Any, digits: int = 0) -> str:
    """A share in [0, 1] as a percentage: 0,384 → «38%», 0,125 → «13%» (digits=1: «12,5%»)."""
    v = finite(share)
    if v is None:
        return MISSING
    q = Decimal(1).scaleb(-max(0, int(digits)))
    d = (Decimal(repr(v)) * 100).quantize(q, rounding=ROUND_HALF_UP)
    return fmt_num(float(d), digits) + "%"


def fmt_ci(low: Any, high: Any, digits: int = 2, sign: bool = False) -> str:
    """An interval «−1,90…−0,90»."""
    return f"{fmt_num(low, digits, sign)}…{fmt_num(high, digits, sign)}"


def year_label(year: Any, missing: str = "нет данных") -> str:
    """School year of its first calendar year: 2024 → «2024/25»."""
    v = finite(year)
    if v is None:
        return missing
    y = int(v)
    return f"{y}/{(y + 1) % 100:02d}"


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    """The Russian plural form for n: (1, «школа»), (3, «школы»), (5, «школ»)."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return few
    return many


def years_ru(n: int) -> str:
    """«1 год», «2 года», «5 лет»."""
    return f"{int(n)} {plural_ru(int(n), 'год', 'года', 'лет')}"


def pctl(p: float) -> str:
    """«7-й процентиль»; a rank is shown between the 1st and the 99th (never «0-й»)."""
    return f"{int(min(99, max(1, round_half_up(float(p)))))}-й процентиль"


def lower_first(s: str) -> str:
    """Lower-case the first letter unless the word is an abbreviation («ВПР» stays)."""
    s = str(s).strip()
    if len(s) > 1 and s[1:2].islower():
        return s[:1].lower() + s[1:]
    return s
