"""Resource schools by the seeds' meaning on a hand-made region (issue 16 item 1): a flagged
school, a formerly listed one, a distant one and a weak «resilient» one are never proposed; an
agreed partner is kept, and flagged with the reason when it fails the criteria; a school with no
candidate within max_distance_km gets a note with the distance of the nearest one."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.clusters import cluster_schools, find_partners
from workbench.clusters.resource import resource_status
from workbench.config.clusters import ClustersParams, PartnersParams

# school: (category 2025, level, ci low, ci high, municipality, lat, lon)
SCHOOLS = {
    "L1": ("low_results", -1.5, -1.9, -1.1, "А", 56.00, 40.00),
    "L2": ("low_results", -1.4, -1.8, -1.0, "А", 56.01, 40.00),
    "L3": ("low_results", -1.3, -1.7, -0.9, "А", 56.02, 40.00),
    "L4": ("low_results", -1.6, -2.0, -1.2, "В", 53.30, 40.00),  # ~300 km south of everyone
    "GOOD": ("high_performing", 1.0, 0.6, 1.4, "А", 56.09, 40.00),    # 10 km from L1
    "FLAG": ("high_performing", 1.2, 0.8, 1.6, "А", 56.045, 40.00),   # flagged in 2024
    "FORMER": ("high_performing", 1.1, 0.7, 1.5, "А", 56.00, 40.09),  # ШНОР in 2023
    "FAR": ("high_performing", 1.3, 0.9, 1.7, "Б", 58.70, 40.00),     # ~300 km north
    "WEAK": ("resilient", 0.1, -0.3, 0.5, "А", 56.05, 40.05),         # interval not above mean
    **{f"T{i}": ("typical", 0.0 + 0.05 * i, -0.3, 0.4, "А", 56.2, 40.2 + 0.01 * i) for i in range(6)},
}


def _region():
    ids = list(SCHOOLS)
    rows = []
    for y in (2023, 2024, 2025):
        for sid, (cat, lvl, lo, hi, *_rest) in SCHOOLS.items():
            c = cat
            if y < 2025 and cat != "low_results":
                c = "low_results" if (sid == "FORMER" and y == 2023) else "typical"
            rows.append({"school_id": sid, "year": y, "result_index": lvl, "quality_index": lvl,
                         "quality_ci_low": lo, "quality_ci_high": hi, "category": c,
                         "low_results": c == "low_results", "watch": False,
                         "insufficient_data": False,
                         "objectivity_flag": sid == "FLAG" and y == 2024})
    ident = pd.DataFrame(rows)
    schools = pd.DataFrame({"school_id": ids, "school_name": [f"Школа {s}" for s in ids],
                            "municipality": [SCHOOLS[s][4] for s in ids],
                            "latitude": [SCHOOLS[s][5] for s in ids],
                            "longitude": [SCHOOLS[s][6] for s in ids]})
    rng = np.random.default_rng(0)
    ctx = pd.DataFrame([{"school_id": s, "year": y, "share_low_income": 0.2 + rng.normal(0, 0.01),
                         "internet_mbps": 50 + rng.normal(0, 1)} for y in (2023, 2024, 2025)
                        for s in ids])
    cl = cluster_schools(ctx, ClustersParams(n_bootstrap=0, k=1), identification=ident, schools=schools)
    return ident, schools, cl


@pytest.fixture(scope="module")
def hand():
    ident, schools, cl = _region()
    agreements = pd.DataFrame({"school_id": ["L2"], "partner_id": ["FLAG"], "number": ["7-П"],
                               "date": ["2024-09-01"], "valid_until": ["2027-08-31"],
                               "status": ["действует"]})
    programme = pd.DataFrame({"school_id": ["L3"], "year": [2025], "participant": [True],
                              "curator": [None], "partner_school_id": ["GOOD"]})
    res = find_partners(ident, cl, schools, PartnersParams(), agreements, programme)
    return res, ident


def test_resource_status_reasons_with_numbers(hand):
    _, ident = hand
    st = resource_status(ident, 2025, PartnersParams()).set_index("school_id")
    assert st.loc["GOOD", "resource"] and st.loc["FAR", "resource"]
    assert not st.loc["FLAG", "resource"]
    assert st.loc["FLAG", "why_not"] == "признаки необъективности результатов ВПР в 2024/25 уч. г."
    assert st.loc["FORMER", "why_not"] == "сама была в списке ШНОР или в зоне риска в 2023/24 уч. г."
    mean = np.mean([v[1] for v in SCHOOLS.values()])
    assert st.loc["WEAK", "regional_mean"] == pytest.approx(mean)
    assert "устойчивый уровень +0,10 (95% ДИ −0,30…0,50)" in st.loc["WEAK", "why_not"]
    # shorter windows: listed in 2024–2025 only, flagged in 2025 only → both are resources
    st2 = resource_status(ident, 2025, PartnersParams(listed_years=2, objectivity_years=1))
    st2 = st2.set_index("school_id")
    assert st2.loc["FORMER", "resource"] and st2.loc["FLAG", "resource"]
    assert not st2.loc["WEAK", "resource"]


def test_proposed_partner_is_the_good_one_not_flagged_former_distant_or_weak(hand):
    res, _ = hand
    pr = res.partners
    l1 = pr[pr["school_id"] == "L1"]
    assert set(l1["partner_id"]) == {"GOOD"}  # the only resource school within 150 km
    row = l1.iloc[0]
    assert row["basis"] == "proposed" and row["assigned"] and row["meets_criteria"]
    assert row["distance_km"] == pytest.approx(10.0, abs=0.2)
    assert "индекс результатов +1,0 против −1,5" in row["reasons"] and "10 км" in row["reasons"]
    proposed = pr[pr["basis"] == "proposed"]
    assert not proposed["partner_id"].isin(["FLAG", "FORMER", "FAR", "WEAK"]).any()


def test_agreed_partners_kept_and_checked(hand):
    res, _ = hand
    pr = res.partners.set_index("school_id")
    # L3's partner comes from programme and meets the criteria; GOOD keeps one slot for L1
    assert pr.loc["L3", "partner_id"] == "GOOD" and pr.loc["L3", "basis"] == "agreed"
    assert pr.loc["L3", "meets_criteria"] and pr.loc["L3", "criteria_note"] == ""
    assert pr.loc["L3", "agreement"] == "партнёр указан в таблице участия в программе"
    # L2's agreed partner is flagged for objectivity: kept, flagged, the reason says why
    assert pr.loc["L2", "partner_id"] == "FLAG" and pr.loc["L2", "assigned"]
    assert not pr.loc["L2", "meets_criteria"]
    assert pr.loc["L2", "criteria_note"] == "признаки необъективности результатов ВПР в 2024/25 уч. г."
    assert pr.loc["L2", "agreement"] == "соглашение № 7-П от 01.09.2024, действует до 31.08.2027"
    assert "действующее партнёрство" in pr.loc["L2", "reasons"]
    # no proposal for a school with an agreed pair
    assert (res.partners["school_id"] == "L2").sum() == 1
    assert any("партнёров, не соответствующих критериям ресурсной школы, — 1" in n for n in res.notes)


def test_distant_school_gets_a_note_with_the_nearest_distance(hand):
    res, _ = hand
    assert "L4" not in set(res.partners["school_id"])
    note = res.unmatched.set_index("school_id").loc["L4", "note"]
    # the nearest resource school is GOOD at about (56.09 − 53.30)° ≈ 310 km
    assert note.startswith("партнёр не найден: ближайшая подходящая ресурсная школа — в 31")
    assert "дальше предела 150 км" in note
    assert any("ближе 150 км (partners.max_distance_km), — 1;" in n for n in res.notes)


def test_expired_and_terminated_agreements_are_not_kept():
    ident, schools, cl = _region()
    agreements = pd.DataFrame({"school_id": ["L2", "L3"], "partner_id": ["GOOD", "GOOD"],
                               "number": ["1", "2"], "date": ["2022-09-01", "2023-09-01"],
                               "valid_until": ["2025-06-30", None],
                               "status": ["действует", "Расторгнуто"]})
    res = find_partners(ident, cl, schools, PartnersParams(), agreements, None)
    assert (res.partners["basis"] == "agreed").sum() == 0
    assert any("не действующих в 2025/26 учебном году, — 2 (расторгнуты — 1, истекли — 1" in n
               for n in res.notes)


def test_without_distance_limit_the_far_school_is_a_candidate():
    ident, schools, cl = _region()
    res = find_partners(ident, cl, schools, PartnersParams(max_distance_km=None))
    l4 = res.partners[res.partners["school_id"] == "L4"]
    assert len(l4) and set(l4["partner_id"]) <= {"GOOD", "FAR"} and len(res.unmatched) == 0


def test_pairs_sheet_shows_agreed_proposed_and_unmatched(hand):
    from workbench.clusters.pairs import partners_sheet

    res, _ = hand
    ident, schools, _cl = _region()
    sheet = partners_sheet(res.partners, schools, res.unmatched).set_index("Код ОО")
    assert sheet.loc["L2", "Основание пары"] == "действующее партнёрство"
    assert sheet.loc["L2", "Проверка критериев"] == ("НЕ соответствует: признаки необъективности "
                                                     "результатов ВПР в 2024/25 уч. г.")
    assert sheet.loc["L1", "Основание пары"] == "предложена"
    assert sheet.loc["L1", "Наименование школы-партнёра"] == "Школа GOOD"
    assert sheet.loc["L4", "Основание пары"] == "нет пары"
    assert "дальше предела 150 км" in sheet.loc["L4", "Обоснование"]
    assert sheet.loc["L4", "Код школы-партнёра"] == ""
