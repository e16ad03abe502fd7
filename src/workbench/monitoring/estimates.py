"""The estimates of the ``effectiveness`` table: their codes, the order they are listed in (the
event study's order: before the selection, then the programme years) and their Russian names;
the Russian names of the outcomes."""
from __future__ import annotations

EST_DID = "DiD"
EST_DID_POOLED = "DiD pooled"
EST_PLACEBO = "placebo DiD"
EST_PLACEBO_POOLED = "placebo DiD pooled"
EST_BEFORE_AFTER = "до/после участников"
PLACEBOS = (EST_PLACEBO, EST_PLACEBO_POOLED)
ESTIMATE_ORDER = {EST_PLACEBO: 0, EST_PLACEBO_POOLED: 1, EST_DID: 2, EST_DID_POOLED: 3,
                  EST_BEFORE_AFTER: 4}
ESTIMATE_RU = {EST_DID: "разность разностей (участники vs сопоставимые неучастники)",
               EST_DID_POOLED: "разность разностей в среднем за годы участия",
               EST_PLACEBO: "плацебо-проверка (год до отбора участников)",
               EST_PLACEBO_POOLED: "плацебо-проверка в среднем за годы до отбора",
               EST_BEFORE_AFTER: "изменение у участников (входной → итоговый), без контрольной группы"}
OUTCOME_RU = {"result_index": "индекс результатов",
              "result_index_shrunk": "индекс результатов (сглаженный)",
              "value_added": "результат с учётом контекста"}
