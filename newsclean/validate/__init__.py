"""Validate: the Great Expectations suite over cleaned articles (checks.py) and its Data Docs (report_views.py)."""
