"""Structure of the region: municipalities, school names and codes, context types."""
from __future__ import annotations

from workbench import demo


def test_region_layout(demo600):
    sch = demo600.tables["schools"]
    assert sch["municipality"].nunique() == 20
    assert sch["locality"].isin(["город", "село"]).all()
    assert sch["latitude"].between(55, 62).all() and sch["longitude"].between(43, 56).all()
    assert sch.groupby("municipality")["school_name"].apply(lambda s: s.is_unique).all()
    assert sch["school_name"].str.contains('"').all()
    assert demo600.truth["context_type"].value_counts().sort_index().index.tolist() == [1, 2, 3, 4, 5]
    assert set(demo600.truth["context_type_name"]) == set(demo.CONTEXT_TYPE_NAMES.values())
    assert demo.default_n_municipalities(60) == 3 and demo.default_n_municipalities(40000) == 60
