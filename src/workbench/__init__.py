"""ШНОР workbench: identification, clustering, monitoring and briefings for regional education
authorities. Logic lives in the stage modules; notebooks and the CLI only call it."""

__version__ = "0.1.0"
