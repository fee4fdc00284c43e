"""The Streamlit app of cchc: one module per page, shared widgets and cached resources.

Page files are paths relative to `app_streamlit.py` (the repository root); each page module renders
itself when Streamlit runs it as a script and is importable without side effects.
"""
from __future__ import annotations

SEARCH_PAGE = "nlp/app/search_page.py"
TAG_PAGE = "nlp/app/tag_page.py"
TRENDS_PAGE = "nlp/app/trends_page.py"
LIBRARY_PAGE = "nlp/app/library_page.py"
MODEL_PAGE = "nlp/app/model_page.py"
FOLLOWUP_PAGE = "nlp/app/followup_page.py"
