"""Deterministic demo region («Демонстрационный край») with a known ground truth (design §7).

`generate_region` builds the canonical tables in memory (an independent random stream per part
of the model, so the same seed gives the same region and changing the programme effect changes
only the participants' outcomes from their participation year on); `write_demo` writes them as
files that look like real regional exports plus the params file that maps them. The steps:
structure, context, true_results, pupils, results (ВПР), programme, exams, students (РДР),
monitoring, risk_survey; then ground_truth, files and params_yaml for writing.
"""
from workbench.demo.files import RESULTS_FORMATS, SCHOOL_HEADERS, VPR_HEADERS
from workbench.demo.generate import generate_region
from workbench.demo.helpers import mark_probabilities
from workbench.demo.params import (CONTEXT_TYPE_NAMES, DEFAULT_YEARS, INDICATORS, REGION_NAME,
                                   SHARE_INDICATORS, DemoParams, DemoRegion,
                                   default_n_municipalities)
from workbench.demo.params_yaml import params_yaml
from workbench.demo.write import write_demo

__all__ = ["CONTEXT_TYPE_NAMES", "DEFAULT_YEARS", "DemoParams", "DemoRegion", "INDICATORS",
           "REGION_NAME", "RESULTS_FORMATS", "SCHOOL_HEADERS", "SHARE_INDICATORS", "VPR_HEADERS",
           "default_n_municipalities", "generate_region", "mark_probabilities", "params_yaml",
           "write_demo"]
