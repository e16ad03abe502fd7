"""What a stage can reach: the run context (params, run folder, tables) and the DuckDB store.
Above `config`, below every stage."""
from workbench.context.run_context import CANONICAL_DIR, META_DIR, PROVENANCE, RunContext, open_context
from workbench.context.store import Store, StoreError

__all__ = ["CANONICAL_DIR", "META_DIR", "PROVENANCE", "RunContext", "Store", "StoreError",
           "open_context"]
