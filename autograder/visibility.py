"""When a student may see a test's result: Gradescope's four visibility values.

A test's visibility is `Test.visibility`, or the course default `layout.VISIBILITY`:

- "visible": at once;
- "after_due_date": once the assignment's due date has passed;
- "after_published": once the instructor publishes the grades;
- "hidden": never to students (staff see it).

Gradescope applies them itself to each test of results.json. Everything the kit writes
that a student reads at once (results.json's top-level `output`, the feedback page) shows
only what is visible at that `Moment`, and says how many tests it does not show yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from .layout import VISIBILITY
from .spec import VISIBILITIES, Test
from .suite import tests_for


@dataclass(frozen=True)
class Moment:
    """What has happened yet: the due date passed, the grades published."""

    past_due: bool = False
    published: bool = False

    @classmethod
    def at(cls, now: datetime | None = None, due: datetime | None = None,
           published: bool = False) -> Moment:
        """The moment `now` (default: the current time) for an assignment due at `due`
        (None: no due date, never past it)."""
        now = now or datetime.now(timezone.utc)
        past = due is not None and _aware(now) >= _aware(due)
        return cls(past_due=past, published=published)

    def shows(self, visibility: str) -> bool:
        """Whether a student sees a test of this visibility now."""
        return (visibility == "visible"
                or (visibility == "after_due_date" and self.past_due)
                or (visibility == "after_published" and self.published))


BEFORE_DUE = Moment()  # what a student sees right after submitting


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.astimezone()


def check(visibility: str) -> str:
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility {visibility!r} is not one of {', '.join(VISIBILITIES)}")
    return visibility


def of_test(test: Test, default: str = VISIBILITY) -> str:
    """The visibility of `test`: its own, or the course default."""
    return check(test.visibility or default)


def of_tests(tests: Iterable[Test], default: str = VISIBILITY) -> dict[str, str]:
    """Test name -> visibility."""
    return {test.name: of_test(test, default) for test in tests}


def for_assignment(assignment: str | None) -> dict[str, str]:
    """Test name -> visibility for `assignment`'s hidden tests ({} when unknown: every
    name then gets the course default through `lookup`)."""
    if assignment is None:
        return {}
    try:
        return of_tests(tests_for(assignment))
    except ModuleNotFoundError:
        return {}


def lookup(visibilities: dict[str, str], name: str) -> str:
    return visibilities.get(name, check(VISIBILITY))


WHEN = {"after_due_date": "after the due date", "after_published":
        "when grades are published", "hidden": "to course staff only"}


def not_shown_yet(counts: dict[str, int]) -> list[str]:
    """Sentences for the tests not shown, e.g. "3 tests are shown after the due date."."""
    lines = []
    for visibility in VISIBILITIES[1:]:
        count = counts.get(visibility, 0)
        if count:
            tests = "1 test is" if count == 1 else f"{count} tests are"
            lines.append(f"{tests} shown {WHEN[visibility]}.")
    return lines
