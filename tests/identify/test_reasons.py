"""The Russian reasons: every statement read back against the numbers of its own row (demo run,
every school-year), the worst subjects first for a listed school, the percentile never «0-й»."""
from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from workbench import identify as I
from workbench.core.formatting import fmt_num, fmt_pct, pctl
from workbench.identify import IdentifyParams

NUM = r"[−+]?\d+(?:,\d+)?"
P = IdentifyParams()


def num(text: str) -> float:
    return float(text.replace("−", "-").replace(",", ".").replace("+", ""))


def close(text: str, value: float, digits: int = 1) -> bool:
    """The text is the value as the formatter writes it (one decimal by default)."""
    return text.lstrip("+") == fmt_num(value, digits).lstrip("+")


def check_cell(part: str, r: dict, cells: pd.DataFrame) -> bool:
    m = re.fullmatch(r"доля («2»|не набравших минимальный балл) по (\S+), (.+?) (\d+) кл\.: "
                     r"(\d+)% \(регион (\d+)%\)(?:, (\d+) (?:года|лет) подряд)?", part)
    if m is None:
        m2 = re.fullmatch(r"доля (?:«2»|не набравших минимальный балл) по (\S+), все предметы и "
                          r"классы: (\d+)% \(регион (\d+)%\)", part)
        assert m2, part
        return int(m2.group(2)) >= int(m2.group(3))
    c = cells[(cells["school_id"] == r["school_id"]) & (cells["year"] == r["year"])
              & (cells["procedure"] == m.group(2)) & (cells["grade"] == int(m.group(4)))]
    c = c[c["subject"].str.lower() == m.group(3).lower()]
    assert len(c) == 1, part
    c = c.iloc[0]
    assert fmt_pct(c["share_low"]) == m.group(5) + "%" and fmt_pct(c["share_low_region"]) == \
        m.group(6) + "%", part
    assert c["z"] < 0 and c["n"] >= 5, part  # a worst cell: below the region, not a tiny class
    return True


def check_level(part: str, r: dict) -> bool:
    m = re.fullmatch(rf"устойчивый уровень результатов за (?:(\d{{4}}) г\.|(\d+) (?:год|года|лет) "
                     rf"\((\d{{4}})–(\d{{4}})\)) ({NUM}) \(95% ДИ ({NUM})…({NUM})\)"
                     rf"(?:, (ниже|выше) регионального уровня)?(?:, (\d+)-й процентиль по региону"
                     rf"(?: \(верхние (\d+)%\))?)?", part)
    assert m, part
    if m.group(2):
        assert int(m.group(2)) == r["n_years"] and int(m.group(4)) == r["year"]
        assert int(m.group(3)) == r["window_from"]
    else:
        assert int(m.group(1)) == r["year"] and r["n_years"] <= 1 or r["window_from"] == r["year"]
    assert close(m.group(5), r["quality_index"]) and close(m.group(6), r["quality_ci_low"]) \
        and close(m.group(7), r["quality_ci_high"]), part
    if m.group(8) == "ниже":
        assert r["quality_ci_high"] < r["benchmark"]
    if m.group(8) == "выше":
        assert r["quality_ci_low"] > r["benchmark"]
    if m.group(9):
        assert pctl(r["result_percentile"]) == m.group(9) + "-й процентиль"
    if m.group(10):
        assert r["result_percentile"] > 100 - int(m.group(10)) and r["category"] == "high_performing"
    return True


def check_rank(text: str, r: dict) -> None:
    m = re.fullmatch(r"(\d+)-й процентиль по региону \(95% интервал места: (\d+)–(\d+)-й\)", text)
    assert m, text
    assert pctl(r["result_percentile"]) == m.group(1) + "-й процентиль"
    assert math.floor(r["rank_ci_low"]) <= max(1, int(m.group(2))) <= max(1, r["rank_ci_low"] + 1)
    assert int(m.group(2)) <= int(m.group(1)) <= int(m.group(3))


def check_bottom(part: str, r: dict) -> bool:
    m = re.fullmatch(r"в нижних (\d+)% региона(?: (\d+) (?:года|лет) подряд)?: (.+?\)), "
                     r"вероятность входить в нижние (\d+)% — (более 99%|менее 1%|\d+%)"
                     r"(?:, но в список не включена: (.+))?", part)
    assert m, part
    assert r["in_bottom"] and r["result_percentile"] <= int(m.group(1))
    assert int(m.group(2) or 1) == max(1, r["years_low"])
    check_rank(m.group(3), r)
    p = r["prob_bottom"]
    shown = m.group(5)
    assert (shown == "более 99%" and p >= 0.995) or (shown == "менее 1%" and p < 0.005) or \
        shown == fmt_pct(p), part
    if m.group(6):
        assert r["category"] == "watch"
        for why in re.split(r", (?=результаты только|вероятность|95% ДИ|основания)", m.group(6)):
            if why.startswith("вероятность"):
                assert p < P.min_probability
            elif why.startswith("95% ДИ"):
                assert not r["quality_ci_high"] < r["benchmark"]
            elif why.startswith("результаты только"):
                assert r["n_years"] < P.min_years
            else:
                raise AssertionError(why)
    else:
        assert r["low_results"]
    return True


def check_adverse(part: str, r: dict) -> bool:
    m = re.fullmatch(rf"неблагоприятные социальные условия: социальный индекс ({NUM}) \((\d+)-й "
                     rf"процентиль, нижние (\d+)% региона\)", part)
    assert m, part
    assert r["adverse_context"] and close(m.group(1), r["social_index"])
    assert pctl(r["social_percentile"]) == m.group(2) + "-й процентиль"
    return True


def check_value_added(part: str, r: dict) -> bool:
    level = re.fullmatch(rf"с учётом социальных условий результат на уровне ожидаемого "
                         rf"\(95% ДИ ({NUM})…({NUM})\)", part)
    if level:  # |value added| rounds to 0,0
        assert abs(r["value_added"]) < 0.05
        assert close(level.group(1), r["va_ci_low"]) and close(level.group(2), r["va_ci_high"])
        return True
    m = re.fullmatch(rf"(?:с учётом социальных условий результат (ниже|выше) ожидаемого на|"
                     rf"результат (выше) ожидаемого в таких условиях на) ({NUM}) \(95% ДИ ({NUM})…"
                     rf"({NUM})\)", part)
    assert m, part
    word = m.group(1) or m.group(2)
    assert (r["value_added"] < 0) == (word == "ниже")
    assert close(m.group(3), abs(r["value_added"]))
    assert close(m.group(4), r["va_ci_low"]) and close(m.group(5), r["va_ci_high"])
    if m.group(2):  # the resilient statement: significantly above expected
        assert r["va_ci_low"] > 0 and r["category"] == "resilient"
    return True


def check_single_year(part: str, r: dict) -> bool:
    m = re.fullmatch(rf"индекс результатов (\d{{4}}) г\. ({NUM}) \(95% ДИ ({NUM})…({NUM})\) — в "
                     rf"нижних (\d+)% региона за этот год, но в список и в зону риска не включена: "
                     rf"(.+)", part)
    assert m, part
    assert int(m.group(1)) == r["year"] and close(m.group(2), r["result_index"])
    assert r["year_percentile"] <= int(m.group(5)) and not r["in_bottom"]
    assert r["category"] not in ("low_results", "low_results_adverse", "watch")
    rest = m.group(6)
    if rest.startswith("это один год из"):
        n = int(re.match(r"это один год из (\d+)", rest).group(1))
        assert n == r["n_years"] >= 2
        rest = rest.split(", ", 1)[1]
    level, _, small = rest.partition(", результаты малочисленной школы")
    check_level(level, r)
    if small:
        assert r["shrink_weight"] < 0.5
    return True


def check_row(r: dict, cells: pd.DataFrame) -> None:
    """Every statement of the row's reasons is true of the row."""
    text = r["reasons"]
    obj = text.find("признаки необъективности результатов ВПР")
    if obj >= 0:
        assert r["objectivity_flag"]
        text = text[:obj].rstrip("; ")
    parts = [p for p in text.split("; ") if p]
    cat = r["category"]
    if cat in ("low_results", "low_results_adverse"):
        assert parts and parts[0].startswith("доля"), text  # the worst cells come first
    if cat == "typical":
        assert not parts or all(p.startswith("индекс результатов") for p in parts), text
    if cat == "resilient":
        assert any("выше ожидаемого" in p or "в верхних" in p for p in parts), text
    for part in parts:
        if part.startswith("доля"):
            check_cell(part, r, cells)
        elif part.startswith("устойчивый уровень"):
            check_level(part, r)
        elif part.startswith("в нижних"):
            check_bottom(part, r)
        elif part.startswith("в этом году вне нижних"):
            assert r["low_results"] and not r["in_bottom"]
        elif part.startswith("в списке ШНОР с"):
            assert int(re.search(r"с (\d{4}) г\.", part).group(1)) == r["listed_since"] < r["year"]
        elif part.startswith("неблагоприятные"):
            check_adverse(part, r)
        elif "ожидаемого" in part:
            check_value_added(part, r)
        elif part.startswith("индекс результатов"):
            check_single_year(part, r)
        elif part.startswith("недостаточно данных"):
            assert r["insufficient_data"] and cat in ("insufficient_data", "adverse_context")
        elif part.startswith("результаты в верхних"):
            assert cat == "resilient" and r["result_percentile"] >= P.resilient_percentile
        else:
            raise AssertionError(f"unread statement: {part!r}")


def test_every_reason_of_the_demo_is_true_of_its_row(demo600_ident):
    df, cells, notes, m = demo600_ident
    assert (df["category"] != "typical").sum() > 500
    for r in df.to_dict("records"):
        check_row(r, cells)
    # no school of the bottom group is «Типичная»; every unlisted one says why
    assert not (df["in_bottom"] & (df["category"] == "typical")).any()
    # a school without enough data says so whatever its category (a ШФНСУ without results)
    assert df.loc[df["insufficient_data"], "reasons"].str.contains("недостаточно данных").all()


def test_reasons_name_worst_subject_numbers(synth):
    res, ctx, schools, q = synth
    df, cells, _ = I.identify(res, ctx, schools, IdentifyParams())
    row = df[df["low_results"]].iloc[0]
    c = cells[(cells["school_id"] == row["school_id"]) & (cells["year"] == row["year"])
              & (cells["n"] >= 5)].sort_values("z").iloc[0]
    subj = c["subject"][0].lower() + c["subject"][1:]
    what = "доля «2»" if c["mark_based"] else "доля не набравших минимальный балл"
    expected = (f"{what} по {c['procedure']}, {subj} {c['grade']} кл.: "
                f"{round(100 * c['share_low'])}% (регион {round(100 * c['share_low_region'])}%)")
    assert row["reasons"].startswith(expected)
    level = (f"устойчивый уровень результатов за {row['n_years']} года ({row['window_from']}–"
             f"{row['year']}) {fmt_num(row['quality_index'], 1)} (95% ДИ "
             f"{fmt_num(row['quality_ci_low'], 1)}…{fmt_num(row['quality_ci_high'], 1)})")
    assert level in row["reasons"]
    assert "−" in row["reasons"] and "-" not in row["reasons"].replace("-й", "")


@pytest.mark.parametrize("p,text", [(0.0, "менее 1%"), (0.004, "менее 1%"), (0.5, "50%"),
                                    (0.994, "99%"), (0.995, "более 99%")])
def test_probability_is_never_shown_as_certain(p, text):
    from workbench.identify.reason_parts import probability_text

    assert probability_text(p) == text


def test_percentile_in_reasons_is_never_zeroth():
    assert pctl(0.0) == "1-й процентиль" and pctl(99.9) == "99-й процентиль"
    assert pctl(7.4) == "7-й процентиль"
