"""A municipality's page: listed schools now and a year before, the workbook link, clusters and
the changes of the list."""
from __future__ import annotations

import pytest

from support.briefings import hand_made_run, text


@pytest.fixture(scope="module")
def briefings_dir(tmp_path_factory):
    rd = tmp_path_factory.mktemp("run")
    hand_made_run(rd)
    return rd / "briefings"


def test_municipality_pages(briefings_dir):
    b = briefings_dir
    north = text(b / "municipality" / "severnyy-rayon.html")
    assert "в списке ШНОР: 1 (годом ранее: 1)" in north
    assert 'href="../tech_maps/severnyy-rayon.xlsx"' in north
    assert "Гимназия № 2" in north and "Сельские, медленный интернет" in north
    south = text(b / "municipality" / "yuzhnyy-rayon.html")
    assert "вошла в список (Типичная → ШНОР (низкие результаты обучения))" in south
