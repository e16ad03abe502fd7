"""The region's page: listed schools now and a year before, links to the municipalities and to
the passports of the listed schools."""
from __future__ import annotations

import pytest

from support.briefings import hand_made_run, text


@pytest.fixture(scope="module")
def briefings_dir(tmp_path_factory):
    rd = tmp_path_factory.mktemp("run")
    hand_made_run(rd)
    return rd / "briefings"


def test_region_page(briefings_dir):
    region = text(briefings_dir / "region.html")
    assert "в списке ШНОР: 2 (годом ранее: 1)" in region
    assert 'href="municipality/severnyy-rayon.html"' in region
    # the list: both listed schools, linked to their passports
    assert 'href="school/S1.html"' in region and 'href="school/S3.html"' in region
