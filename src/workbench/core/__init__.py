"""The bottom layer: canonical tables, the method's codes and Russian labels, value
normalisers, the one formatter, the one palette, the one small-cell rule, errors.
Imports nothing of the rest of the package."""
from workbench.core.errors import WorkbenchError
from workbench.core.tables import (ADVERSE, CANONICAL_TABLES, FAVOURABLE, INDICATOR_LABELS_RU, KEYS,
                                   NEUTRAL, OPTIONAL_COLUMNS, REQUIRED_COLUMNS, STANDARD_INDICATORS)
from workbench.core.vocabulary import (CATEGORIES, CATEGORY_ORDER, DOMAINS, DOMAINS_RU,
                                       LISTED_CATEGORIES, RISK_FACTORS, SCHEDULE, WAVES, WAVES_RU)

__all__ = ["ADVERSE", "CANONICAL_TABLES", "CATEGORIES", "CATEGORY_ORDER", "DOMAINS", "DOMAINS_RU",
           "FAVOURABLE", "INDICATOR_LABELS_RU", "KEYS", "LISTED_CATEGORIES", "NEUTRAL",
           "OPTIONAL_COLUMNS", "REQUIRED_COLUMNS", "RISK_FACTORS", "SCHEDULE", "STANDARD_INDICATORS",
           "WAVES", "WAVES_RU", "WorkbenchError"]
