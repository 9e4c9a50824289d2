"""Start the dashboard: `python -m app.serve [streamlit options]` runs `streamlit run dashboard.py`.

Streamlit 1.67 takes a folder named pages/ beside the entry point for an old-style multipage app
until the entry point has called st.navigation once: the first visitor after a server start then
gets a "Page not found" dialog over the page. Setting the flag it checks before the server
starts keeps every run on dashboard.py's navigation.
"""
from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

ENTRY_POINT = Path(__file__).resolve().parent.parent / "dashboard.py"


def main() -> None:
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(ENTRY_POINT), *sys.argv[1:]]
    cli.main()


if __name__ == "__main__":
    main()
