"""The operator report: what patients asked, what the assistant could not answer, how often the
emergency guidance went out and what patients thought of the answers.

    python -m ops.report [--endpoints endpoints.yml] [--days 30] [--out DIR] [--no-text]

Reads the SQL tracker store the endpoints file names, in batches, and writes index.html (one
self-contained page: charts as embedded PNG, no request to any other host) and figures.json (the
same numbers, for scripts and tests).
"""

import argparse
import base64
import io
import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from core import audit
from core.facts import Content, load_content
from core.feedback import FEEDBACK_INTENT
from core.redaction import redact
from ops.clusters import group_similar
from ops.conversation import audit_path
from ops.exchanges import EMERGENCY_RESPONSES, Exchange, exchanges
from ops.retention import positive_days, tracker_store
from ops.store import cutoff, stored_events

DEFAULT_OUT = Path("reports") / "operator"
# Inline styles and data: images only; the page can fetch nothing.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def day_of(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(timestamp))


@dataclass
class Figures:
    """Everything the report shows, counted in one pass over the exchanges."""

    days: int
    show_text: bool
    conversations: int = 0
    messages: int = 0
    per_day: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    questions_per_day: dict[str, dict[str, int]] = field(default_factory=dict)
    facts: dict[str, int] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)
    emergencies: dict[str, int] = field(default_factory=dict)
    feedback: dict[str, dict[str, int]] = field(default_factory=dict)
    unanswered: int = 0
    groups: list[dict[str, Any]] = field(default_factory=list)
    # Filled by governance(): every facts entry's review, and the data-rights audit lines.
    reviews: list[dict[str, str]] = field(default_factory=list)
    data_rights: dict[str, int] = field(default_factory=dict)


def count(all_exchanges: Iterable[Exchange], days: int, show_text: bool) -> Figures:
    """The report's figures; message texts are redacted, and kept only with `show_text`."""
    topic_of = {fact.id: fact.topic for fact in load_content().facts}
    senders_per_day: dict[tuple[str, str], set[str]] = defaultdict(set)
    messages_per_day: Counter[tuple[str, str]] = Counter()
    questions: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    facts: Counter[str] = Counter()
    emergencies: Counter[str] = Counter()
    feedback: dict[str, Counter[str]] = defaultdict(Counter)
    unanswered: Counter[str] = Counter()
    senders: set[str] = set()
    for exchange in all_exchanges:
        if not exchange.is_message:
            continue
        day = day_of(exchange.timestamp)
        senders.add(exchange.sender_id)
        senders_per_day[day, exchange.channel].add(exchange.sender_id)
        messages_per_day[day, exchange.channel] += 1
        facts.update(exchange.facts)
        if any(response in EMERGENCY_RESPONSES for response in exchange.responses):
            emergencies[(exchange.red_flag or {}).get("category", "unspecified")] += 1
        helpful = exchange.entity_value("helpful")
        if exchange.intent == FEEDBACK_INTENT and isinstance(helpful, bool):
            verdict = "helpful" if helpful else "not_helpful"
            feedback[str(exchange.entity_value("fact"))][verdict] += 1
        if exchange.is_question:
            questions[day] += 1
            refused[day] += exchange.refused
        if exchange.unanswered:
            unanswered[redact(exchange.text)] += 1
    per_day: dict[str, dict[str, dict[str, int]]] = defaultdict(dict)
    for (day, channel), messages in sorted(messages_per_day.items()):
        per_day[day][channel] = {
            "conversations": len(senders_per_day[day, channel]),
            "messages": messages,
        }
    topics: Counter[str] = Counter()
    for fact_id, given in facts.items():
        topics[topic_of.get(fact_id, "unknown")] += given
    groups = [
        asdict(group) if show_text else {"count": group.count, "examples": []}
        for group in group_similar(unanswered)
    ]
    return Figures(
        days=days,
        show_text=show_text,
        conversations=len(senders),
        messages=sum(messages_per_day.values()),
        per_day=dict(per_day),
        questions_per_day={
            day: {"questions": questions[day], "refused": refused[day]} for day in sorted(questions)
        },
        facts=dict(facts.most_common()),
        topics=dict(topics.most_common()),
        emergencies=dict(emergencies.most_common()),
        feedback={fact: dict(verdicts) for fact, verdicts in sorted(feedback.items())},
        unanswered=sum(unanswered.values()),
        groups=groups,
    )


def governance(
    figures: Figures, content: Content, audit_lines: list[dict[str, Any]], today: date
) -> None:
    """Adds each facts entry's review status, overdue first, and the period's deletions and
    exports counted from the audit file.
    """
    figures.reviews = [
        {
            "entry": f"{review.kind} {review.entry_id}",
            "status": "OVERDUE" if review.overdue(today) else "current",
            "review_due": review.review_due.isoformat(),
            "reviewed_on": review.reviewed_on.isoformat(),
            "reviewed_by": review.reviewed_by,
            "version": review.version,
        }
        for review in content.reviews(today)
    ]
    first_day = today - timedelta(days=figures.days)
    counts = Counter(
        line["action"]
        for line in audit_lines
        if first_day < date.fromisoformat(line["time"][:10]) <= today
    )
    figures.data_rights = {action: counts[action] for action in audit.AUDIT_ACTIONS}


# Charts


def png(figure: Figure) -> str:
    """The figure as a data: URL. Figures made without pyplot render with Agg and need no
    display nor closing."""
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=100)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def chart_per_day(figures: Figures) -> str:
    days = sorted(figures.per_day)
    channels = sorted(
        {channel for per_channel in figures.per_day.values() for channel in per_channel}
    )
    figure = Figure(figsize=(10, 3.2))
    axes = figure.subplots(1, 2)
    for ax, measure in zip(axes, ("conversations", "messages"), strict=True):
        bottom = [0] * len(days)
        for channel in channels:
            values = [figures.per_day[day].get(channel, {}).get(measure, 0) for day in days]
            ax.bar(days, values, bottom=bottom, label=channel)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_title(f"{measure.capitalize()} per day")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    axes[0].legend(fontsize=8)
    return png(figure)


def chart_bars(values: dict[str, int], title: str) -> str:
    figure = Figure(figsize=(6, 0.5 + 0.35 * len(values)))
    ax = figure.subplots()
    labels = list(values)[::-1]
    ax.barh(labels, [values[label] for label in labels])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title)
    return png(figure)


def chart_refusals(figures: Figures) -> str:
    days = list(figures.questions_per_day)
    rates = [
        100 * entry["refused"] / entry["questions"] for entry in figures.questions_per_day.values()
    ]
    figure = Figure(figsize=(6, 3))
    ax = figure.subplots()
    ax.plot(days, rates, marker="o")
    ax.set_ylim(0, 100)
    ax.set_ylabel("% of questions refused")
    ax.set_title("Refusal rate per day")
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    return png(figure)


def chart_feedback(figures: Figures) -> str:
    facts = list(figures.feedback)[::-1]
    helpful = [figures.feedback[fact].get("helpful", 0) for fact in facts]
    not_helpful = [figures.feedback[fact].get("not_helpful", 0) for fact in facts]
    figure = Figure(figsize=(6, 0.8 + 0.4 * len(facts)))
    ax = figure.subplots()
    ax.barh(facts, helpful, label="helpful", color="#2e7d32")
    ax.barh(facts, not_helpful, left=helpful, label="not helpful", color="#c62828")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("Was this helpful? per fact")
    ax.legend(fontsize=8)
    return png(figure)


# The page

# Autoescaped: every text in the page, patients' messages above all, is escaped where it lands.
PAGES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=StrictUndefined,
)


@dataclass
class Table:
    id: str
    headings: list[str]
    rows: list[list[Any]]


@dataclass
class Section:
    """A chart and its tables; a section without tables says that nothing happened."""

    title: str
    chart: str | None
    alt: str
    tables: list[Table]


def governance_sections(figures: Figures) -> list[Section]:
    """The review status of the content and the data-rights requests, as two page sections."""
    columns = ["entry", "status", "review_due", "reviewed_on", "reviewed_by", "version"]
    reviews = Table(
        "reviews",
        ["Entry", "Status", "Review due", "Reviewed on", "Reviewed by", "Version"],
        [[review[column] for column in columns] for review in figures.reviews],
    )
    rights = Table("data-rights", ["Action", "Times"], list(map(list, figures.data_rights.items())))
    return [
        Section("Review status of the facts", None, "", [reviews] if reviews.rows else []),
        Section("Conversations deleted and exported", None, "", [rights] if rights.rows else []),
    ]


def render(figures: Figures, generated: float) -> str:
    """The report as one HTML page that needs nothing but itself."""
    per_day = Table(
        "per-day",
        ["Day", "Channel", "Conversations", "Messages"],
        [
            [day, channel, entry["conversations"], entry["messages"]]
            for day, channels in figures.per_day.items()
            for channel, entry in channels.items()
        ],
    )
    refusals = Table(
        "refusals",
        ["Day", "Questions", "Refused", "Rate"],
        [
            [
                day,
                entry["questions"],
                entry["refused"],
                f"{100 * entry['refused'] / entry['questions']:.0f}%",
            ]
            for day, entry in figures.questions_per_day.items()
        ],
    )
    feedback = Table(
        "feedback",
        ["Fact", "Helpful", "Not helpful"],
        [
            [fact, verdicts.get("helpful", 0), verdicts.get("not_helpful", 0)]
            for fact, verdicts in figures.feedback.items()
        ],
    )
    topics = Table("topics", ["Topic", "Facts given"], list(map(list, figures.topics.items())))
    facts = Table("facts", ["Fact", "Times given"], list(map(list, figures.facts.items())))
    emergencies = Table(
        "emergencies", ["Category", "Replies"], list(map(list, figures.emergencies.items()))
    )
    sections = [
        Section(
            "Conversations and messages per day, by channel",
            chart_per_day(figures) if per_day.rows else None,
            "Bar charts of conversations and messages per day, by channel",
            [per_day] if per_day.rows else [],
        ),
        Section(
            "Facts given, by topic",
            chart_bars(figures.topics, "Facts given by topic") if figures.topics else None,
            "Bar chart of the facts given by topic",
            [topics, facts] if facts.rows else [],
        ),
        Section(
            "Refusal rate over time",
            chart_refusals(figures) if refusals.rows else None,
            "Line chart of the share of questions refused per day",
            [refusals] if refusals.rows else [],
        ),
        Section(
            "Emergency replies, by category",
            chart_bars(figures.emergencies, "Emergency replies") if emergencies.rows else None,
            "Bar chart of the emergency replies by category",
            [emergencies] if emergencies.rows else [],
        ),
        Section(
            "Was this helpful?",
            chart_feedback(figures) if feedback.rows else None,
            "Bar chart of helpful and not helpful votes per fact",
            [feedback] if feedback.rows else [],
        ),
    ]
    group_sizes = Table(
        "groups",
        ["Group", "Messages"],
        [[number, group["count"]] for number, group in enumerate(figures.groups, start=1)],
    )
    return PAGES.get_template("report.html").render(
        csp=CSP,
        figures=figures,
        sections=sections + governance_sections(figures),
        group_sizes=group_sizes,
        until=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(generated)),
    )


def write_report(figures: Figures, out: Path, generated: float | None = None) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    page = out / "index.html"
    page.write_text(render(figures, time.time() if generated is None else generated))
    (out / "figures.json").write_text(json.dumps(asdict(figures), indent=2))
    return page


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", default="endpoints.yml", help="where the store is named")
    parser.add_argument("--days", type=positive_days, default=30, help="report this many days")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the report's folder")
    parser.add_argument("--no-text", action="store_true", help="leave message texts out")
    args = parser.parse_args(argv)
    store = tracker_store(args.endpoints)
    events = stored_events(store, cutoff(args.days))
    figures = count(exchanges(events), args.days, show_text=not args.no_text)
    governance(figures, load_content(), audit.read(audit_path(store)), date.today())
    page = write_report(figures, args.out)
    print(f"{page}: {figures.conversations} conversations, {figures.messages} messages.")


if __name__ == "__main__":
    main()
