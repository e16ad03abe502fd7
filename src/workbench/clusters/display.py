"""What notebook 03 shows besides figures: Russian tables and sentences, and the static heatmap."""
from __future__ import annotations

import pandas as pd

from workbench import viz
from workbench.clusters.figures import figure_png
from workbench.core.formatting import fmt_num
from workbench.core.tables import INDICATOR_LABELS_RU


def k_choice_note(selection: pd.DataFrame, k: int, fixed: int | None, method: str = "gmm",
                  warning: str | None = None) -> str:
    """Russian sentences on how the number of clusters was chosen (and the weak-separation
    warning, when there is one)."""
    crit, col, best_of = (("по байесовскому информационному критерию (BIC)", "bic", "idxmin")
                          if method == "gmm" else ("по наибольшему силуэту", "silhouette", "idxmax"))
    has = len(selection) and col in selection and selection[col].notna().any()
    if fixed is not None:
        best = selection.loc[getattr(selection[col], best_of)(), "k"] if has else None
        tail = f" ({crit} лучшим было бы k = {int(best)})" if best is not None and best != k else ""
        text = f"Число кластеров задано в параметрах: k = {k}{tail}."
    else:
        text = f"Число кластеров выбрано {crit}: k = {k}."
    row = selection[selection["k"] == k] if has else selection.iloc[:0]
    if method == "gmm" and len(row) and row["certainty"].iloc[0] == row["certainty"].iloc[0]:
        text += (" Школа относится к своему кластеру в среднем с вероятностью "
                 f"{fmt_num(row['certainty'].iloc[0], 2)}.")
    return text + (f" {warning}" if warning else "")


def feature_labels(features: list[str], labels: dict[str, str] | None = None) -> list[str]:
    """Russian names of the indicators the clusters are built on."""
    return [(labels or INDICATOR_LABELS_RU).get(f, f) for f in features]


SUMMARY_RU = {"cluster": "Кластер", "cluster_name": "Название", "n_schools": "Школ",
              "n_students": "Обучающихся в школе (среднее)", "is_rural": "Доля сельских школ",
              "social_index": "Социальный индекс (среднее)", "stability": "Устойчивость (ARI)",
              "stability_cluster": "Устойчивость кластера (Жаккар)",
              "certainty": "Вероятность своего кластера (среднее)"}


def summary_table(profiles: pd.DataFrame, year: int) -> pd.DataFrame:
    """The clusters of one year: number, name, schools, the size and rural share the name speaks
    of, social index, stability and certainty (Russian headers; absent columns left out)."""
    cols = [c for c in SUMMARY_RU if c in profiles.columns]
    return profiles[profiles["year"] == year][cols].rename(columns=SUMMARY_RU)


def selection_table(selection: pd.DataFrame) -> pd.DataFrame:
    """The criteria per k (BIC, ICL, certainty, silhouette, spread), the chosen one marked «да»
    (Russian headers); columns without values (BIC of k-means) are left out."""
    # an empty table (one cluster: k was not chosen) keeps its columns
    shown = selection.dropna(axis=1, how="all") if len(selection) else selection
    return shown.assign(chosen=shown["chosen"].map({True: "да", False: ""})).rename(
        columns={"k": "k", "bic": "BIC (ниже — лучше)", "icl": "ICL",
                 "certainty": "Вероятность своего кластера", "silhouette": "Силуэт",
                 "inertia_per_school": "Разброс на школу", "chosen": "Выбрано"})


def show_static(fig) -> None:
    """Display a matplotlib figure in a notebook as an embedded PNG (the exported HTML works
    offline); the usual «нет данных для графика» when there is none."""
    from IPython.display import Image, display  # the notebook's kernel only

    if fig is None:
        viz.show(None)
        return
    display(Image(data=figure_png(fig)))
