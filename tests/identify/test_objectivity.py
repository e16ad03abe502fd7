"""Step 5: objectivity flags on the demo region against the planted inflated ВПР schools."""
from __future__ import annotations


def test_inflated_vpr_gets_objectivity_flag(demo600_ident):
    """Measured: all 12 planted schools flagged in at least one year and all 12 in 2025; one
    false school-year flag in five years (3000 school-years), none in 2025."""
    df, cells, notes, m = demo600_ident
    per_school = m.groupby("school_id").agg(flag=("objectivity_flag", "any"),
                                            planted=("inflated_vpr", "first"))
    assert per_school.loc[per_school["planted"], "flag"].mean() >= 0.9
    assert (per_school["flag"] & ~per_school["planted"]).sum() <= 3
    d = m[m["year"] == m["year"].max()]
    assert d.loc[d["inflated_vpr"], "objectivity_flag"].mean() >= 0.7
    assert (d["objectivity_flag"] & ~d["inflated_vpr"]).sum() <= 3
    # flagged for review, never excluded: they keep their index and category, reasons say why
    f = d[d["objectivity_flag"]]
    assert f["result_index"].notna().all()
    assert f["reasons"].str.contains("признаки необъективности результатов ВПР").all()



def test_vpr_mean_mark_weighs_every_vpr_row_by_its_pupils():
    """The mean ВПР mark the monitoring matches on: rows of 10 pupils at 3.0 and 30 at 4.0 give
    (30 + 120) / 40 = 3.75; exams and rows without marks do not count; a class of 3 does."""
    import pandas as pd

    from workbench.identify.objectivity import vpr_mean_mark

    c = pd.DataFrame({"school_id": ["A", "A", "A", "A", "B"], "year": 2025,
                      "_side": ["vpr", "vpr", "exam", "vpr", "vpr"],
                      "mean_mark": [3.0, 4.0, 5.0, None, 2.0], "n": [10, 30, 50, 20, 3]})
    m = vpr_mean_mark(c)
    assert m.loc[("A", 2025)] == 3.75 and m.loc[("B", 2025)] == 2.0 and len(m) == 2
