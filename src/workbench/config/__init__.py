"""Params: the section models of every stage, the top-level model, reading a params file, and
the stage registry. Above `core`, below every stage."""
from workbench.config.params import (InputSpec, InputsSpec, Params, ParamsError, base_dir_for,
                                     load_params, parse_params)
from workbench.config.stages import STAGE_NAMES, STAGES, Stage, stage_named

__all__ = ["InputSpec", "InputsSpec", "Params", "ParamsError", "STAGES", "STAGE_NAMES", "Stage",
           "base_dir_for", "load_params", "parse_params", "stage_named"]
