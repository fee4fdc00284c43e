"""Record types that flow through the pipeline: Notice, Directive, Hit."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


def context_text(heading: str, title: str) -> str:
    """What the tagger reads beside a directive: its section heading and its notice's title."""
    return " ".join(x for x in (heading, title) if x)


@dataclass
class Deadline:
    """A deadline as written, kept with its precision; one-off, recurring or relative to the notice.

    One-off: `date` at its precision ("2023-04-12", "2023-09", "2023-Q4", "2023"). Recurring: `every`
    is week, month, quarter, half_year or year, with `day` (and `month`, for yearly ones) the day due
    in each period, 0 meaning its last day. Relative: `days` after the notice's date (`working` days).
    """

    text: str  # the phrase, e.g. "trước ngày 15 hằng tháng"
    date: str = ""
    precision: str = ""  # day | month | quarter | year
    every: str = ""
    day: int = 0
    month: int = 0
    days: int = 0
    working: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Directive:
    """One instruction of a notice: a numbered item, a bullet or a concluding paragraph."""

    text: str
    path: str = ""  # numbering path, e.g. "3.3.2"; "p4" for an unnumbered paragraph
    heading: str = ""  # the section heading it falls under
    unit: str = ""  # responsible (lead, chủ trì) unit, canonical spelling (nlp.units.canonical_unit)
    deadlines: list[str] = field(default_factory=list)  # ISO dates
    targets: list[str] = field(default_factory=list)  # e.g. "90%", "dưới 1%"
    labels: list[str] = field(default_factory=list)  # reform-area ids
    scores: dict[str, float] = field(default_factory=dict)
    kind: str = "directive"  # "directive", or "passage": other text of the notice, indexed for search only
    partners: list[str] = field(default_factory=list)  # co-operating units (phối hợp), canonical
    due: list[Deadline] = field(default_factory=list)  # deadlines with precision, recurrence, relativity

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Notice:
    """A parsed notice: metadata plus its directives."""

    title: str = ""
    doc_number: str = ""
    doc_type: str = "other"  # thong_bao_ket_luan | tuyen_truyen | tin_hoi_nghi | ke_hoach | other
    issuer: str = ""
    level: str = ""  # tinh | huyen | xa | ""
    locality: str = ""
    issue_date: str = ""  # ISO "YYYY-MM-DD", "YYYY-MM" or "YYYY" (see issue_date_precision)
    issue_date_precision: str = ""  # day | month | year | ""
    meeting_date: str = ""
    meeting_date_precision: str = ""
    published_date: str = ""  # the article's timestamp on a news page (kept apart from the notice's own dates)
    chair: str = ""
    signer: str = ""
    language: str = "vi"  # "other" when the text is not Vietnamese (then no directives are read)
    directives: list[Directive] = field(default_factory=list)
    passages: list[Directive] = field(default_factory=list)  # the rest of the body, kind "passage"
    text: str = ""  # the normalised full text

    def metadata(self) -> dict[str, Any]:
        """All fields except the directives and the full text."""
        d = asdict(self)
        d.pop("directives")
        d.pop("passages")
        d.pop("text")
        return d

    def to_dict(self) -> dict[str, Any]:
        return {"document": self.metadata(), "directives": [d.to_dict() for d in self.directives],
                "passages": [p.to_dict() for p in self.passages]}


@dataclass
class Hit:
    """One search result: a stored directive with its notice's metadata and a score."""

    doc_id: str
    directive_id: int
    text: str
    score: float
    labels: list[str] = field(default_factory=list)
    unit: str = ""
    deadline: str = ""
    locality: str = ""
    date: str = ""
    title: str = ""
    snippet: str = ""
    level: str = ""
    doc_type: str = ""
    heading: str = ""
    kind: str = "directive"  # "directive" or "passage"
    doc_number: str = ""  # the notice's number ("Số: 12/TB-UBND")
    partners: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
