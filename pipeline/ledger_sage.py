"""A Sage audit trail read as a ledger: the transactions of every kind, each row typed by
Sage's two-letter code (``PI`` a purchase invoice, ``PP`` the payment of it, ``SI`` a sales
invoice, ``JD`` a journal), its supplier an account reference, with no supplier's name.

Only what spends the plan's money is counted, net of VAT as the plan's budgets are: purchase
invoices (``PI``) and purchase credit notes (``PC``, a credit), and payments made straight
from a bank, cash or card account (``BP``, ``CP``, ``VP``), whose payee is in Details (their
Account is the bank's). The purchase payments that settle those invoices (``PP``, ``PA``,
``PD``, ``PR``) would count each invoice twice; sales, receipts and journals are no spend.
They are left out, counted in one note (I-SPEND-AUDIT-TRAIL), never dropped without a word.

Another system's list of a supplier's transactions, typed in words or its own codes (a
Document type column of ``Invoice`` and ``Payment``, SAP's ``KR`` and ``KZ``), would count
each invoice twice too: where it lists both, the payments are left out the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum

from pipeline.findings import Finding
from pipeline.ledger_values import cut, is_credit, pounds
from pipeline.values import clean_text, format_money, normalise

# The headings of an audit trail's columns, folded as :func:`pipeline.ledger_headings.
# header_key` folds them ("A/C" is "a c").
TYPE_HEADINGS = ("type", "tp", "trans type", "transaction type")
ACCOUNT_HEADINGS = ("account", "a c", "account reference", "a c ref", "account ref")
NUMBER_HEADINGS = ("no", "tran no", "trans no", "transaction no")
DETAILS_HEADINGS = ("details",)
DEPARTMENT_HEADINGS = ("dept", "department")


class Kind(Enum):
    """What an audit trail's row is to the plan."""

    SPEND = "spend"  # counted
    CREDIT = "credit"  # counted, as a credit
    BANK = "bank"  # counted, its payee in Details
    LEFT_OUT = "left out"  # a Sage transaction that is no spend of the plan
    UNKNOWN = "unknown"  # no Sage code: a total, the header again, or a row to correct


# Sage's transaction types: what each is to the plan, and what a person is told of it.
TYPES: dict[str, tuple[Kind, str]] = {
    "PI": (Kind.SPEND, "purchase invoice"),
    "PC": (Kind.CREDIT, "purchase credit note"),
    "BP": (Kind.BANK, "bank payment"),
    "CP": (Kind.BANK, "cash payment"),
    "VP": (Kind.BANK, "credit card payment"),
    "PP": (Kind.LEFT_OUT, "purchase payment"),
    "PA": (Kind.LEFT_OUT, "purchase payment on account"),
    "PD": (Kind.LEFT_OUT, "purchase discount"),
    "PR": (Kind.LEFT_OUT, "purchase refund"),
    "SI": (Kind.LEFT_OUT, "sales invoice"),
    "SC": (Kind.LEFT_OUT, "sales credit note"),
    "SR": (Kind.LEFT_OUT, "sales receipt"),
    "SA": (Kind.LEFT_OUT, "sales receipt on account"),
    "SD": (Kind.LEFT_OUT, "sales discount"),
    "SP": (Kind.LEFT_OUT, "sales refund"),
    "BR": (Kind.LEFT_OUT, "bank receipt"),
    "CR": (Kind.LEFT_OUT, "cash receipt"),
    "VR": (Kind.LEFT_OUT, "credit card receipt"),
    "JD": (Kind.LEFT_OUT, "journal debit"),
    "JC": (Kind.LEFT_OUT, "journal credit"),
}


def audit_trail(keys: Sequence[str], mapping: dict[str, int]) -> bool:
    """Whether the header's folded ``keys`` are an audit trail's: a date and an amount (Net)
    found, no supplier, but a Type and an Account column. Its columns are added to
    ``mapping``: the Account as the supplier, the Type, the Details, the transaction's
    number as its reference and the department as its cost code (when not found already).
    Whether its rows are typed by Sage's codes is :func:`kinds`'."""
    if "supplier" in mapping or not {"date", "amount"} <= mapping.keys():
        return False
    found = {
        name: next((keys.index(k) for k in headings if k in keys), -1)
        for name, headings in (
            ("sage_type", TYPE_HEADINGS),
            ("supplier", ACCOUNT_HEADINGS),
            ("reference", NUMBER_HEADINGS),
            ("details", DETAILS_HEADINGS),
            ("cost_code", DEPARTMENT_HEADINGS),
        )
    }
    if found["sage_type"] < 0 or found["supplier"] < 0:
        return False
    for name, col in found.items():
        if col >= 0 and (name not in mapping or name == "reference"):
            mapping[name] = col
    return True


def kinds(types: Sequence[object]) -> list[Kind] | None:
    """Each row's :class:`Kind` by its Type; None when the column is not typed by Sage's
    codes (fewer than nine in ten of its filled cells are one), and so no audit trail."""
    folded = {value: _kind(value) for value in set(types)}
    filled = [folded[v] for v in types if clean_text(v)]
    known = sum(kind is not Kind.UNKNOWN for kind in filled)
    if not filled or known * 10 < len(filled) * 9:
        return None
    return [folded[value] for value in types]


def _kind(value: object) -> Kind:
    return TYPES.get(normalise(value).upper(), (Kind.UNKNOWN, ""))[0]


# Another system's transaction list, its type in words or codes (a Document type or
# Transaction type column): an invoice, or a payment that settles an invoice (SAP's KR and
# KZ document types; a discount or refund too). Credit notes are ``is_credit``'s.
_INVOICES = frozenset(("invoice", "inv", "purchase invoice", "bill", "kr", "re"))
_SETTLES = frozenset(
    (
        "payment",
        "pay",
        "pymt",
        "purchase payment",
        "payment on account",
        "discount",
        "dsc",
        "disc",
        "refund",
        "receipt",
        "kz",
        "zp",
    )
)


def settled(types: Sequence[object], suppliers: Sequence[object]) -> list[Kind] | None:
    """Each row's :class:`Kind` when the type column lists invoices and the payments that
    settle them (a supplier's transactions, not its payments alone): the invoices and credit
    notes count, and a payment to a supplier with an invoice listed is left out (it would
    count the invoice twice); a payment to one with none (a grant paid without an invoice)
    counts. None when it lists no invoice or no payment (the spend files' own layouts: every
    row a payment, or invoices and credit notes), read as before, as is a row of another type."""
    words = {value: normalise(value) for value in set(types)}
    found = set(words.values())
    if not found & _INVOICES or not found & _SETTLES:
        return None
    kind = {
        value: Kind.CREDIT
        if is_credit(value) or word == "kg"
        else Kind.LEFT_OUT
        if word in _SETTLES
        else Kind.SPEND
        for value, word in words.items()
    }
    invoiced = {
        normalise(supplier)
        for value, supplier in zip(types, suppliers, strict=True)
        if words[value] in _INVOICES
    }
    return [
        Kind.SPEND
        if kind[value] is Kind.LEFT_OUT and normalise(supplier) not in invoiced
        else kind[value]
        for value, supplier in zip(types, suppliers, strict=True)
    ]


class Tally:
    """An audit trail's rows as they are read: which are left out, by type, and how many
    are counted."""

    def __init__(
        self,
        kinds: Sequence[Kind],
        types: Sequence[object],
        printed: Sequence[object] = (),
        sage: bool = True,
    ):
        self.kinds = kinds
        self.types = types
        self.sage = sage  # Sage's audit trail, or another system's transaction list
        self.printed = printed  # each row's amount as printed, a credit note's unsigned
        self.left_out: dict[str, tuple[int, int]] = {}  # type -> rows, pence
        self.counted = 0

    def leaves_out(self, index: int, pence: object) -> bool:
        """Whether the row at ``index`` is a type left out (tallied with its net)."""
        if self.kinds[index] is not Kind.LEFT_OUT:
            return False
        code = normalise(self.types[index]).upper() if self.sage else clean_text(self.types[index])
        rows, total = self.left_out.get(code, (0, 0))
        self.left_out[code] = (rows + 1, total + (pence if isinstance(pence, int) else 0))
        return True

    def as_printed(self, index: int, pence: int) -> int:
        """The row's amount as the report printed it, as its totals add it up: a purchase
        credit note's net is printed unsigned (or with its minus), and counted as a credit."""
        printed = self.printed[index] if index < len(self.printed) else pence
        return printed if self.kinds[index] is Kind.CREDIT and isinstance(printed, int) else pence

    def untyped(self, index: int) -> str:
        """Why the row at ``index``, a date and an amount with no Sage type, is not counted,
        as a finding's clause; empty when it is typed."""
        if self.kinds[index] is not Kind.UNKNOWN:
            return ""
        said = cut(clean_text(self.types[index]))
        seen = f'reads "{said}"' if said else "is blank"
        return (
            f"type {seen}, not one of Sage's transaction types (PI, PC, BP, CP and VP are "
            "spend), so whether it spends the plan's money cannot be told; give the row its "
            "type, or export the audit trail again"
        )

    def note(self, label: str, sheet: str) -> Finding:
        if self.sage:
            return left_out_note(label, sheet, self.counted, self.left_out)
        said = "; ".join(
            f'{rows:,} {"row" if rows == 1 else "rows"} of type "{cut(code)}" '
            f"({format_money(pounds(pence))})"
            for code, (rows, pence) in sorted(self.left_out.items())
        )
        return Finding(
            "I-SPEND-AUDIT-TRAIL",
            label,
            f"{sheet} lists invoices and the payments that settle them: {self.counted:,} of "
            "its rows (invoices, credit notes, and payments to suppliers with no invoice "
            f"listed) {'is' if self.counted == 1 else 'are'} counted. Not counted, as payments "
            f"of the invoices counted already: {said}. To count payments instead, export the "
            "payments alone.",
            sheet,
        )


def left_out_note(
    label: str, sheet: str, counted: int, left_out: Mapping[str, tuple[int, int]]
) -> Finding:
    """I-SPEND-AUDIT-TRAIL: what an audit trail's rows were read as. ``left_out``: for each
    type not counted, how many rows and their net in pence."""
    said = "; ".join(
        f"{rows:,} {TYPES[code][1]}{'s' if rows != 1 else ''} ({code}, "
        f"{format_money(pounds(pence))})"
        for code, (rows, pence) in sorted(left_out.items())
    )
    others = (
        f" Not counted: {said}. Purchase payments settle the invoices counted already, and "
        "sales, receipts and journals are no spend of the plan."
        if said
        else ""
    )
    return Finding(
        "I-SPEND-AUDIT-TRAIL",
        label,
        f"{sheet} is read as a Sage audit trail: {counted:,} of its rows (purchase invoices "
        f"and credit notes, bank, cash and card payments) {'is' if counted == 1 else 'are'} "
        "counted, net of VAT (a bank payment's payee is its Details)."
        f"{others} Its suppliers are Sage's account references (the "
        "Account column): give each provider's reference an alias in "
        '[tool.pcc-report.aliases] (e.g. VICSUP = "Victim Support") so its payments match '
        "its line, or export the supplier's name with each transaction.",
        sheet,
    )
