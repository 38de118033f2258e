"""Text as the Request for Decision's context holds it: every string made fit to publish
(:func:`clean`), and the table rows the template loops over (:class:`TextRow`)."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping

from pipeline.person_names import planned_organisations
from pipeline.textsafe import for_publication, scrub_personal_data


def clean(value: str) -> str:
    """See :func:`_clean`; kept per plan, whose organisations' names are never removed."""
    return _clean(value, planned_organisations())


@functools.lru_cache(maxsize=8192)
def _clean(value: str, planned: frozenset[str]) -> str:
    """``value`` as it may be published: no XML-illegal, bidi or zero-width characters, nor \\a
    and \\f, which docxtpl would turn into a new paragraph or a page break; and no e-mail
    address or telephone number (``[removed]``), as in the public summary, which publishes the
    same lines.

    Kept for each text: a plan repeats its providers, services and ways of commissioning (a
    10,000-line plan's 60,000 texts may be a thousand distinct ones)."""
    return scrub_personal_data(for_publication(value))


def form_field(value: str) -> str:
    """A field of the form that names its officers (Report by, Contact officer): published as
    typed, contact details included, as the form asks for them."""
    return for_publication(value)


class TextRow(Mapping[str, str]):
    """A table row of the context, as text: a mapping of the template's field names like the
    rest of the context, whose fields are also attributes (slots named by ``FIELDS``). Jinja
    reads ``line.service`` as an attribute first and only then as a key, after an exception:
    one per field of each of ten thousand rows took half the time the rows took to render."""

    __slots__ = ()
    FIELDS: tuple[str, ...] = ()

    def __getitem__(self, name: str) -> str:
        if name not in self.FIELDS:
            raise KeyError(name)
        return str(getattr(self, name))

    def __iter__(self) -> Iterator[str]:
        return iter(self.FIELDS)

    def __len__(self) -> int:
        return len(self.FIELDS)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self)!r})"
