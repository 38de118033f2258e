"""pcc-report: from a commissioning-plan workbook to the Request for Decision and public summary.

The package is a one-way pipeline, one module per stage::

    load -> model -> reconcile -> render_docx / render_xlsx -> batch

``cli`` only parses options and calls these.
"""

import os
from pathlib import Path

__version__ = "0.1.0"

# The file that makes a folder a set of templates (the e-mail templates sit beside it).
WORD_TEMPLATE = "request-for-decision.docx"


# "Save As" in another format than Word Document: the folder is still the office's own templates
# (the build then says to save the file as .docx, rather than using the packaged wording).
_SAVED_AS = (".doc", ".docm", ".dotx", ".dotm", ".dot", ".odt", ".ott", ".rtf")


def _saved_otherwise(folder: Path) -> bool:
    stem = WORD_TEMPLATE.removesuffix(".docx")
    return any((folder / f"{stem}{suffix}").is_file() for suffix in _SAVED_AS)


def find_template_dir(cwd: Path | None = None) -> Path:
    """The folder of templates to use, the first of:

    1. the folder named by the environment variable ``PCC_TEMPLATES`` (the setting);
    2. ``templates/`` in the working folder, when it holds the Word template (so an office can
       keep its own wording beside its input/ and output/ folders), or a copy of it saved as
       .doc or .odt instead;
    3. the templates installed with the package (``pip install .`` puts them in
       ``pipeline/templates/``);
    4. ``templates/`` at the top of the repository (a checkout or an editable install).
    """
    named = os.environ.get("PCC_TEMPLATES")
    if named:
        return Path(named)
    try:
        here = (cwd or Path.cwd()) / "templates"
        if (here / WORD_TEMPLATE).is_file() or _saved_otherwise(here):
            return here.resolve()
    except OSError:  # the working folder was removed under us: use the packaged templates
        pass
    package = Path(__file__).resolve().parent
    installed = package / "templates"
    if (installed / WORD_TEMPLATE).is_file():
        return installed
    return package.parent / "templates"


# Resolved once, when the program starts, in the folder it was started from.
TEMPLATE_DIR = find_template_dir()
