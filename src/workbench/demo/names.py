"""Fictional names of the demo region: municipalities, schools (unique within a municipality,
with their kind, «Вид ОО») and programme curators. Every name is invented."""
from __future__ import annotations

import numpy as np

_CITY_NAMES = ["г. Светлогорск-на-Ветлуге", "г. Краснозорск", "г. Новоясненск", "г. Тихоборск",
               "г. Звонковск", "г. Синеречье", "г. Златоборск", "г. Ясногорье-Северное",
               "г. Кедроград", "г. Лучезарск", "г. Верхнеключевск", "г. Белозорье",
               "г. Малинозорск", "г. Ольховград", "г. Яснозорск"]
_DISTRICT_ROOTS = ["Ясноборский", "Тиходольский", "Светлоозёрский", "Зеленолугский",
                   "Звонкополянский", "Синехолмский", "Высокоборский", "Малиноярский",
                   "Кедрозёрский", "Рябинодольский", "Журавлинский", "Ольхоборский",
                   "Лебедеозёрский", "Тёплоключевский", "Серебродольский", "Клюквенский",
                   "Брусничинский", "Тихоструйский", "Соболиноярский", "Камышеборский",
                   "Калиноводский", "Дубравинский", "Голубоозёрский", "Вересковский",
                   "Ивняковский", "Снегирёвский", "Глухоманский", "Лесозвонский",
                   "Черёмуховодский", "Сосноярский", "Зорянский", "Студеноключевский",
                   "Каменнобродский", "Ковыльский", "Орешниковский", "Туманоборский",
                   "Светлоречинский", "Ягодноборский", "Полынский", "Медовоярский"]
_VILLAGES = ["Сосновская", "Берёзовская", "Ольховская", "Липовская", "Дубовская", "Кленовская",
             "Осиновская", "Рябиновская", "Калиновская", "Малиновская", "Вишнёвская",
             "Луговская", "Полевская", "Озёрская", "Заречная", "Заозёрная", "Подгорная",
             "Нагорная", "Покровская", "Никольская", "Троицкая", "Успенская", "Ильинская",
             "Петровская", "Михайловская", "Васильевская", "Александровская", "Николаевская",
             "Ивановская", "Андреевская", "Григорьевская", "Константиновская", "Алексеевская",
             "Дмитриевская", "Степановская", "Фёдоровская", "Павловская", "Семёновская",
             "Знаменская", "Воскресенская", "Спасская", "Краснопольская", "Белоключевская",
             "Каменская", "Ключевская", "Родниковская", "Травинская", "Боровская",
             "Гаревская", "Холмовская", "Долговская", "Красноборская", "Широковская",
             "Глубоковская", "Высоковская", "Кедровская", "Ягодная", "Черёмуховская",
             "Тополёвская", "Журавлёвская"]
_TOWNS = ["пгт Заречный", "пгт Лесной", "пгт Ключи", "пгт Боровое", "пгт Светлый",
          "пгт Сосновый Бор", "пгт Кедровый", "пгт Ясный", "пгт Озёрный", "пгт Луговой"]
_SURNAMES = ["Афанасьева", "Белова", "Воронцова", "Гладкова", "Добрынина", "Ершова", "Жданова",
             "Зимина", "Каштанова", "Лаптева", "Миронова", "Нестерова", "Орлова", "Полякова",
             "Рябова", "Соколова", "Тарасова", "Ульянова", "Фомина", "Чернова", "Широкова",
             "Яковлева", "Громов", "Дроздов", "Ковалёв", "Лебедев", "Морозов", "Синицын"]
_INITIALS = ["А. В.", "Е. Н.", "И. П.", "Л. С.", "М. А.", "Н. Г.", "О. Ю.", "Т. В.", "С. И."]


def municipality_names(n_mun: int, n_city: int) -> tuple[list[str], list[str]]:
    """Names of the municipalities and their kinds: the first `n_city` are city districts
    («city»), the others rural districts («district», «муниципальный округ/район»)."""
    names: list[str] = []
    kinds: list[str] = []
    for i in range(n_mun):
        if i < n_city:
            base = _CITY_NAMES[i % len(_CITY_NAMES)]
            names.append(base if i < len(_CITY_NAMES) else f"{base}-{i // len(_CITY_NAMES) + 1}")
            kinds.append("city")
        else:
            j = i - n_city
            root = _DISTRICT_ROOTS[j % len(_DISTRICT_ROOTS)]
            if j >= len(_DISTRICT_ROOTS):
                root = "Верхне" + root[0].lower() + root[1:]
            suffix = "муниципальный округ" if j % 3 != 2 else "муниципальный район"
            names.append(f"{root} {suffix}")
            kinds.append("district")
    return names, kinds


def school_names(mun_idx: np.ndarray, ctype: np.ndarray, basic: np.ndarray,
                 rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """Fictional school names unique within a municipality, and the kind of school («Вид ОО»)."""
    names: list[str] = []
    kinds: list[str] = []
    counters: dict[tuple[int, str], int] = {}
    village_orders: dict[int, np.ndarray] = {}
    village_used: dict[int, int] = {}
    for m, t, b in zip(mun_idx.tolist(), ctype.tolist(), basic.tolist()):
        if t == 1:
            kind = "Гимназия" if counters.get((m, "g"), 0) % 2 == 0 else "Лицей"
            k = counters[(m, "g")] = counters.get((m, "g"), 0) + 1
            names.append(f'МАОУ "{kind} № {k}"')
            kinds.append(kind)
        elif t in (2, 3):
            k = counters[(m, "s")] = counters.get((m, "s"), 0) + 1
            if t == 2:
                uiop = k % 7 == 3
                names.append(f'МБОУ "СОШ № {k}{" с УИОП" if uiop else ""}"')
                kinds.append("СОШ с УИОП" if uiop else "СОШ")
            else:
                town = _TOWNS[(k + m) % len(_TOWNS)]
                names.append(f'МБОУ "СОШ № {k} {town}"')
                kinds.append("СОШ")
        else:
            if m not in village_orders:
                village_orders[m] = rng.permutation(len(_VILLAGES))
                village_used[m] = 0
            u = village_used[m]
            village_used[m] = u + 1
            adj = _VILLAGES[village_orders[m][u % len(_VILLAGES)]]
            rep = u // len(_VILLAGES)
            kind = "ООШ" if b else "СОШ"
            prefix = "МКОУ" if t == 5 else "МБОУ"
            names.append(f'{prefix} "{adj} {kind}{f" № {rep + 1}" if rep else ""}"')
            kinds.append(kind)
    return names, kinds


def curator_names(n: int) -> list[str]:
    """`n` fictional curators of the programme («Фамилия И. О.»)."""
    return [f"{_SURNAMES[i % len(_SURNAMES)]} {_INITIALS[(i * 5) % len(_INITIALS)]}"
            for i in range(n)]
