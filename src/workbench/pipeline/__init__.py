"""The runner of `workbench run`: the top of the package, above every stage."""
from workbench.pipeline.errors import RunFailed
from workbench.pipeline.notebooks import execute_notebook, export_html
from workbench.pipeline.runner import FAIL_ENV, project_root, run, run_stage_inprocess

__all__ = ["FAIL_ENV", "RunFailed", "execute_notebook", "export_html", "project_root", "run",
           "run_stage_inprocess"]
