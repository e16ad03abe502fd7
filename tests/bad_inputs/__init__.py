"""Malformed-input corpus for the ingest tests (files are generated into a tmp dir)."""
