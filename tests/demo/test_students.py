"""РДР pupil rows aggregate exactly to the РДР results rows."""
from __future__ import annotations


def test_students_aggregate_to_rdr_rows(demo600):
    st = demo600.students
    assert set(st["procedure"]) == {"РДР"} and set(st["grade"]) == {7}
    assert sorted(st["year"].unique()) == [2024, 2025] and st["mark"].between(2, 5).all()
    counts = st.groupby(["school_id", "year", "mark"]).size().unstack(fill_value=0)
    rdr = demo600.tables["results"].query("procedure == 'РДР'").set_index(["school_id", "year"])
    for m in (2, 3, 4, 5):
        assert (rdr[f"n_mark{m}"] == counts[m].reindex(rdr.index)).all()
