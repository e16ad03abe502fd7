"""The one names rule: names that become files are safe, unique, stable and never reserved."""
from __future__ import annotations

import random
import unicodedata

import pytest

from workbench.core.names import (MAX_STEM, check_run_id, code_stem, file_stems, reserved_reason,
                                  slugify)


def _random_names(n: int, seed: int) -> list[str]:
    """Names drawn from every plane of Unicode a region's file could hold, with the separators,
    dots and look-alikes that break naive slugs (Ё/Е, Э/Е, «/», «..», case)."""
    rng = random.Random(seed)
    alphabet = ("абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЭЮЯ" "ӘәҮүҢңҺһ" "abcXYZ019"
                " ./\\:_-—«»№'\"*?<>|\t\n\x00" "éÉßǅﬁ①" "中文ひらがな" "😀🏫")
    names: set[str] = set()
    while len(names) < n:
        k = rng.randint(0, 40)
        s = "".join(rng.choice(alphabet) if rng.random() < 0.9 else chr(rng.randint(1, 0x2FFFF))
                    for _ in range(k))
        if rng.random() < 0.1:
            s = rng.choice(["latest", "store.duckdb", ".hidden", "..", ".", "CON", "Latest"]) + s[:2]
        names.add(s)
    return sorted(names)


@pytest.mark.parametrize("kind", ["slug", "code"])
@pytest.mark.parametrize("seed", [1, 2])
def test_thousand_random_unicode_names_never_collide_or_escape(tmp_path, kind, seed):
    names = _random_names(1000, seed)
    stems = file_stems(names, kind=kind)
    assert set(stems) == set(names)
    folded = [s.casefold() for s in stems.values()]
    assert len(set(folded)) == len(names)  # unique even on a case-insensitive disk
    folder = (tmp_path / "school").resolve()
    for name, stem in stems.items():
        assert stem and stem.isascii() and stem == stem.strip(), (name, stem)
        assert all(ch.isalnum() or ch in "-_" for ch in stem), (name, stem)
        assert reserved_reason(stem) is None, (name, stem)
        assert not stem.startswith("-") and len(stem) <= MAX_STEM + 1 + 64
        assert (folder / f"{stem}.html").resolve().parent == folder
    shuffled = names[:]
    random.Random(seed).shuffle(shuffled)
    assert file_stems(shuffled, kind=kind) == stems  # stable: order of the data is irrelevant
    # and really writable, every one a separate file
    folder.mkdir()
    for stem in stems.values():
        (folder / f"{stem}.html").write_text("x", encoding="utf-8")
    assert len(list(folder.iterdir())) == len(names)


def test_names_that_slugify_alike_get_their_own_files():
    stems = file_stems(["Ельнинский", "Эльнинский", "Северный район"], kind="slug")
    assert stems["Северный район"] == "severnyy-rayon"  # no collision: the plain slug
    a, b = stems["Ельнинский"], stems["Эльнинский"]
    assert a != b and a.startswith("elninskiy-") and b.startswith("elninskiy-")
    # each suffix belongs to its own name: alone or with others, a colliding name keeps it
    assert file_stems(["Ельнинский", "Эльнинский", "Другой"], kind="slug")["Ельнинский"] == a


def test_school_codes_x_slash_1_and_x_1_get_two_passports():
    stems = file_stems(["X/1", "X_1", "1001", "01001"], kind="code")
    assert stems["X_1"] == "X_1"  # the code written exactly as its file keeps it
    assert stems["X/1"].startswith("X_1-") and stems["X/1"] != "X_1"
    assert stems["1001"] == "1001" and stems["01001"] == "01001"  # leading zeros kept
    case = file_stems(["ab1", "AB1"], kind="code")
    assert case["ab1"].casefold() != case["AB1"].casefold()


@pytest.mark.parametrize("name", ["latest", "LATEST", "store.duckdb", "con", "Nul"])
def test_reserved_names_never_become_files(name):
    stem = file_stems([name], kind="code")[name]
    assert stem.casefold() != name.casefold() and reserved_reason(stem) is None


@pytest.mark.parametrize("run_id", ["latest", "Latest", "store.duckdb", ".hidden", "..", "a/b",
                                    "a\\b", "", "con", "x" * 82, "a..b", "-x"])
def test_reserved_or_unsafe_run_ids_are_refused_in_russian(run_id):
    with pytest.raises(ValueError) as info:
        check_run_id(run_id)
    assert "run_id" in str(info.value)
    assert any("а" <= ch <= "я" for ch in str(info.value))


@pytest.mark.parametrize("run_id", ["demo", "2025-05", "run_1.b", "A"])
def test_ordinary_run_ids_pass(run_id):
    assert check_run_id(run_id) == run_id


def test_slug_transliterates_and_drops_marks():
    assert slugify("г. Светлогорск-на-Ветлуге") == "g-svetlogorsk-na-vetluge"
    assert slugify("Ёлкинский") == "elkinskiy" and slugify("Café Éclair") == "cafe-eclair"
    assert slugify("Әлмәт") == "almat" and slugify("///") == "x"
    assert unicodedata.is_normalized("NFC", slugify("Й")) and slugify("Й") == "y"
    assert code_stem("X/1") == "X_1" and code_stem("-1") == "1" and code_stem("") == "_"
