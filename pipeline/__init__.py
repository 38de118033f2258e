"""pcc-report: from a commissioning-plan workbook to the Request for Decision and public summary.

The package is a one-way pipeline, one module per stage::

    load -> model -> reconcile -> render_docx / render_xlsx -> batch

``cli`` only parses options and calls these.
"""

from pathlib import Path

__version__ = "0.1.0"

# The editable templates live at the top of the repository, beside input/ and output/.
TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"
