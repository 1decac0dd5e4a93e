"""The first stage of a build, in two passes over the survey's valid rows, so that a build
holds one row at a time however many the survey has.

Pass 1 (plan): read and check every row, streamed (survey.validate_stream), and count the
survey-wide figures every city is compared with; choose the cities asked for and note the
languages they are printed in. Of a row, only what the run report says of it is kept (a
Respondent); the record of each selected city is put aside on disk (RecordSpool). Every
data row of the export ends rendered, skipped (with its reason) or counted as blank, and
every problem with the survey is known, before the first PDF is made.

Pass 2 (Plan.targets, while the workers render): each selected city in turn: its HTML,
whether every character of it prints, its fingerprint and the date its PDF carries; the
build renders it as soon as it is found stale (build.py). A city made from the same inputs
as in the last build takes the fingerprint it had then, without its HTML being made
(memo.py).

A survey read before (the same bytes, profile, sheet and snapshotpdf) is not read again:
pass 1 takes its rows from the output folder's cache of it (cache.py).

A fingerprint covers a city's content only (its HTML without a date). The date its PDF
carries is SOURCE_DATE_EPOCH when set, else the one the manifest keeps for it while its
content stays the same (else the survey's modification time: when the content changed), so
saving the survey again rebuilds nothing and an untouched city keeps its bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from snapshotpdf import files
from snapshotpdf.batch import cache, manifest
from snapshotpdf.batch.check import Printable
from snapshotpdf.batch.memo import Memo
from snapshotpdf.batch.report import write_run_report
from snapshotpdf.batch.result import BuildResult, Done
from snapshotpdf.batch.settings import Settings, creation_date, source_date
from snapshotpdf.batch.workers import html_renderer
from snapshotpdf.errors import LayoutError
from snapshotpdf.models import (
    CityRecord,
    Inputs,
    Location,
    Problem,
    Severity,
    SurveyFigures,
    date_text,
)
from snapshotpdf.render.catalog import best_language, choose_language, untranslated_message
from snapshotpdf.render.layout import Layout, load_layout
from snapshotpdf.survey.figures import Tally
from snapshotpdf.survey.validate import RecordSpool, Respondent, Validation


@dataclass(frozen=True)
class Target:
    """A selected city, the PDF it goes to, the fingerprint of its content, and the date its
    PDF carries; html: the HTML fingerprinted, when it is the HTML to render (the template
    does not use the date, html.Renderer.dated), else None (the fingerprint was kept, or the
    worker makes the dated HTML). It goes with the city's job: the main process holds the
    HTML of the cities handed out and not yet back, a few per worker (workers.py)."""

    record: CityRecord
    path: Path
    fingerprint: str
    created: datetime
    html: str | None = None


@dataclass
class Plan:
    """What the render stage needs: the survey-wide figures, the selected cities' records
    (put aside, read back by targets()) and the previous manifest."""

    settings: Settings
    layout: Layout
    figures: SurveyFigures
    spool: RecordSpool  # every selected city's record, in file order: close it when done
    languages: Languages
    selected: set[int] | None  # the rows chosen with --city; None: every valid row
    total: int  # selected cities, less those found not to print so far
    entries: dict[str, manifest.Entry]  # the previous manifest, updated as cities are done
    settled: int  # how many problems reading and selecting found: a re-run says them too
    removed: list[manifest.Entry]  # cities of the previous build no longer in the survey
    # row -> the span of result.problems that pass 2 found for that city (a re-run says them
    # too, where that city comes): only for the few cities that have any
    said: dict[int, tuple[int, int]] = field(default_factory=dict)
    # (stylesheet, message) WeasyPrint said as it read the layout's CSS, said once a build
    sheets_said: set[tuple[str, str]] = field(default_factory=set)
    # what each city's fingerprint was made from (targets() makes it; save_memo keeps it)
    memo: Memo | None = None

    def __enter__(self) -> Plan:
        return self

    def __exit__(self, *exc: object) -> None:
        """The records put aside are let go, and a memo not saved is not kept."""
        self.spool.close()
        if self.memo is not None:
            self.memo.close()

    def save_memo(self) -> None:
        """What this build's fingerprints were made from, for the next build (memo.py);
        once the manifest is saved (entries: what it holds)."""
        if self.memo is not None:
            self.memo.save(self.entries)

    @property
    def author(self) -> str:
        """The organisation every PDF names as its author: --author, else the layout's
        [brand] organisation, else snapshotpdf."""
        return self.settings.author or self.layout.settings.brand.organisation or "snapshotpdf"

    def respondents(self, validation: Validation) -> Iterator[Respondent]:
        """The selected valid rows, in file order (those that do not print among them)."""
        for valid in validation.respondents:
            if self.selected is None or valid.row in self.selected:
                yield valid

    def targets(
        self, result: BuildResult, gone: Callable[[manifest.Entry], None]
    ) -> Iterator[Target]:
        """Pass 2: each selected city that prints, in file order, with its fingerprint and
        date, found as it is asked for. A city that does not print is skipped, as for an
        error in its row; if the previous build made its PDF, its entry is marked removed
        and gone is told (its PDF goes aside)."""
        settings = self.settings
        assert result.validation is not None
        fixed = source_date()
        changed = fixed or creation_date(settings.inputs.survey_path)  # for content changed now
        context = manifest.build_context(
            self.layout.files(),
            f"{settings.paper}\0variant {settings.variant}\0author {self.author}",
        )
        self.memo = memo = Memo(settings.outdir, context, self.figures, self.layout.name)
        memo.load(self.entries)
        content: _Content | None = None  # made for the first city whose HTML is needed
        for record in self.spool:
            before = len(result.problems)
            record = self.languages.apply(record, result)
            path = settings.outdir / files.pdf_name(record.country, record.city)
            inputs = memo.inputs(record)
            print_ = memo.fingerprint(path.name, inputs, self.entries)  # made before, printed
            html: str | None = None
            if print_ is None:
                content = content or _Content(self.layout, result)
                html = content.html(record, self.figures, settings.paper)  # undated: content
                if content.prints(record, html):  # a character no bundled font has: skipped
                    print_ = manifest.fingerprint(html, context)
            if len(result.problems) > before:
                self.said[record.source.row] = (before, len(result.problems))
            if print_ is None:
                result.skipped += 1
                self.total -= 1
                old = self.entries.get(path.name)
                if old is not None and old.status != "removed":
                    self.entries[path.name] = _removed(old)
                    gone(old)
                continue
            memo.note(path.name, inputs, print_)
            created = fixed or _kept_date(self.entries.get(path.name), print_) or changed
            yield Target(record, path, print_, created, content.rendered(html) if content else None)


class _Content:
    """A city's HTML as the build fingerprints it (undated), and whether it prints."""

    def __init__(self, layout: Layout, result: BuildResult) -> None:
        assert result.validation is not None
        self.renderer = html_renderer(layout)  # the one this process renders with, if it does
        self.printable = Printable(result.validation, layout.name, result.add)

    def html(self, record: CityRecord, figures: SurveyFigures, paper: str) -> str:
        return self.renderer.html(record, figures, paper)

    def prints(self, record: CityRecord, html: str) -> bool:
        return self.printable(record, html)

    def rendered(self, html: str | None) -> str | None:
        """The fingerprinted HTML, if it is the HTML to render: the date does not change it."""
        return None if html is None or self.renderer.dated else html


def read(inputs: Inputs, result: BuildResult, folder: Path | None = None) -> list[CityRecord]:
    """Read and check the survey into result, holding every valid record (a booklet needs
    them all at once); the valid records, in file order. folder: an output folder whose
    cache of the survey is used, or written (cache.py); None: none."""
    _reading(inputs, result)
    checked = cache.validate(inputs, folder)
    _checked(checked, result)
    return checked.records


def _reading(inputs: Inputs, result: BuildResult) -> None:
    result.reporter.step(f"Step 1 - reading {inputs.survey_path}")


def _checked(checked: Validation, result: BuildResult) -> None:
    """The survey read and checked: its counts and problems into result."""
    result.reporter.step(
        f"Step 2 - {checked.data_rows - len(checked.blank_rows)} row(s) normalised"
        f" (profile {checked.profile.name})"
    )
    result.validation = checked
    result.data_rows = checked.data_rows
    result.blank_rows = len(checked.blank_rows)
    result.skipped = len(checked.skipped)
    for problem in checked.problems:
        result.add(problem)


def plan(settings: Settings, result: BuildResult) -> Plan | None:
    """Pass 1, everything up to rendering; None when there is nothing to render (the run
    report is then final and written)."""
    result.settings = settings
    inputs = settings.inputs
    _reading(inputs, result)
    checked, records = cache.validate_stream(inputs, settings.outdir)
    tally = Tally()
    selection = _Selection(settings.cities)
    uses: dict[str | None, _Use] = {}  # each language the selected cities ask for
    spool = RecordSpool()
    try:
        for record in records:
            tally.add(record)
            if selection(record):
                _note_language(uses, record)
                spool.add(record)
        _checked(checked, result)
        figures = tally.figures()
        result.reporter.step(f"Step 3 - {figures.respondents} valid respondents compared")
        selection.report_unknown(result, checked)
        result.not_selected = len(checked.respondents) - spool.count
        if not spool.count:
            spool.close()
            write_run_report(result)
            return None
        layout = load_layout(inputs.layout)
        languages = Languages(layout, settings.language, result)
        languages.say(uses, result)
        entries = previous_entries(settings, result)
        removed = mark_removed(entries, present(checked))
    except BaseException:
        spool.close()
        raise
    selected = selection.rows if settings.cities else None
    total = spool.count
    settled = len(result.problems)
    return Plan(
        settings, layout, figures, spool, languages, selected, total, entries, settled, removed
    )


class _Selection:
    """The cities asked for with --city (every one when none is), by city name or file
    stem (files.choose), a record at a time."""

    def __init__(self, wanted: tuple[str, ...]) -> None:
        self.wanted = wanted
        self.unknown = files.choose([], wanted, _names)[1]  # names no valid row has had
        self.rows: set[int] = set()

    def __call__(self, record: CityRecord) -> bool:
        if not self.wanted:
            return True
        chosen, unknown = files.choose([record], self.wanted, _names)
        if chosen:
            self.rows.add(record.source.row)
            self.unknown = [name for name in self.unknown if name in unknown]
        return bool(chosen)

    def report_unknown(self, result: BuildResult, checked: Validation) -> None:
        """Each name that matched no valid row is an error, with the closest names."""
        cities = [valid.city for valid in checked.respondents] if self.unknown else []
        for name in self.unknown:
            result.report(
                Severity.ERROR,
                Location("--city", None, 0),
                f"no valid row has the city {name!r}; {files.unknown_city_hint(name, cities)}",
            )


def previous_entries(settings: Settings, result: BuildResult) -> dict[str, manifest.Entry]:
    """The previous build's manifest entries (removed cities too), by file name; a
    manifest.json that is not one is ignored, with a warning."""
    return manifest.load(
        settings.outdir,
        removed=True,
        warn=lambda message: result.reporter.notice(Severity.WARNING, message),
    )


def _kept_date(old: manifest.Entry | None, print_: str) -> datetime | None:
    """The date the previous build gave a city whose content is still the same."""
    if old is None or old.fingerprint != print_ or not old.created:
        return None
    try:
        return datetime.fromisoformat(old.created)
    except ValueError:
        return None


def present(validation: Validation) -> set[str]:
    """The file names of the survey's valid cities (selected or not; less those skipped)."""
    return {
        files.pdf_name(valid.country, valid.city)
        for valid in validation.respondents
        if valid.row not in validation.skipped
    }


def mark_removed(entries: dict[str, manifest.Entry], present: set[str]) -> list[manifest.Entry]:
    """Mark removed every entry whose file is not among present (the survey's valid cities:
    present()); the entries newly removed, as they were (their PDFs go aside)."""
    gone = [e for name, e in entries.items() if name not in present and e.status != "removed"]
    for old in gone:
        entries[old.file] = _removed(old)
    return gone


def _removed(old: manifest.Entry) -> manifest.Entry:
    return manifest.Entry(old.city, old.country, old.file, "removed")


@dataclass
class _Use:
    """The cities that ask for one language: the first of them, and how many."""

    city: str
    source: Location
    count: int = 1


def _note_language(uses: dict[str | None, _Use], record: CityRecord) -> None:
    """Count a city under the language it asks for (record.language, None for none)."""
    use = uses.get(record.language)
    if use is None:
        uses[record.language] = _Use(record.city, record.source)
    else:
        use.count += 1


class Languages:
    """The language each city's snapshot is printed in (record.language: one of the
    layout's catalogs, chosen by render.catalog.choose_language from --lang, the city's
    language, the profile's), and what to say of the languages asked for: each one the
    layout has no catalog for, and each string a language used lacks. A --lang the layout
    has no catalog for is an error at once."""

    def __init__(self, layout: Layout, override: str | None, result: BuildResult) -> None:
        if override and not best_language(override, layout.languages, ""):
            raise LayoutError(
                f"--lang {override}: the layout {layout.name!r} has no catalog for it",
                hint=f"languages: {', '.join(layout.languages)}; a catalog is added as"
                f" locales/{override}.toml (docs/languages.md)",
            )
        self.layout = layout
        self.override = override
        profile = result.validation.profile if result.validation else None
        self.default = profile.language if profile else None
        self.have = f"(it has {', '.join(layout.languages)})"

    def choose(self, own: str | None) -> str:
        layout = self.layout
        return choose_language(
            layout.languages,
            layout.default_language,
            override=self.override,
            own=own,
            profile=self.default,
        )

    def apply(self, record: CityRecord, result: BuildResult) -> CityRecord:
        """The record in the language it is printed in, after a warning when the language
        it asks for has no catalog."""
        language = self.choose(record.language)
        asked = None if self.override else record.language
        if asked and not best_language(asked, self.layout.languages, ""):
            result.report(
                Severity.WARNING,
                record.source,
                f"{record.city}: the layout has no {asked!r} catalog {self.have}:"
                f" printed in {language!r}",
                record,
            )
        return replace(record, language=language)

    def say(
        self, uses: dict[str | None, _Use], result: BuildResult, front: str | None = None
    ) -> None:
        """What to say once of the cities' languages (uses: by the language each asks
        for, _note_language), and of a booklet's front matter (front): a profile language
        without a catalog, and the strings each language used lacks (say_untranslated)."""
        layout = self.layout
        ordered = sorted(uses.items(), key=lambda item: item[1].source.row)  # file order
        default = self.default
        lacking = default and not best_language(default, layout.languages, "")
        if not self.override and lacking and ordered:
            result.report(
                Severity.WARNING,
                ordered[0][1].source,
                f"the profile's language {default!r} has no catalog in the layout"
                f" {self.have}: a city without a language of its own is printed in"
                f" {layout.default_language!r}",
            )
        users: dict[str, _Use] = {}  # by the language printed in
        for own, use in ordered:
            language = self.choose(own)
            if language in users:
                users[language].count += use.count
            else:
                users[language] = replace(use)
        first = ordered[0][1] if ordered else None
        say_untranslated(layout, users, first, result, front)


def in_languages(
    layout: Layout,
    records: list[CityRecord],
    override: str | None,
    result: BuildResult,
    front: str | None = None,
) -> list[CityRecord]:
    """Each record with the language its snapshot is printed in (Languages), after saying
    what Languages says of them and of a booklet's front matter in language front."""
    languages = Languages(layout, override, result)
    chosen = [languages.apply(record, result) for record in records]
    uses: dict[str | None, _Use] = {}
    for record in records:
        _note_language(uses, record)
    languages.say(uses, result, front)
    return chosen


def say_untranslated(
    layout: Layout,
    users: dict[str, _Use],
    first: _Use | None,
    result: BuildResult,
    front: str | None = None,
) -> None:
    """Once per language used (by the cities, users: by the language they are printed in;
    and by a booklet's front matter): the strings its catalog lacks, printed in the
    default language instead. A warning, placed at the first city printed in that language
    (first: the first city of all, for the front matter alone): --strict makes the run
    fail."""
    languages: dict[str, _Use | None] = dict(users)
    if front and front not in languages and first is not None:
        languages[front] = None
    for language, use in sorted(languages.items()):
        catalog = layout.catalog(language)
        if not catalog.missing:
            continue
        if use is None:
            who = "the booklet's cover and contents are"
        elif use.count == 1:
            who = f"{use.city} is"
        else:
            who = f"{use.city} and {use.count - 1} other(s) are"
        message = f"{who} in {language}: {untranslated_message(catalog, layout.default_language)}"
        where = use or first
        assert where is not None
        result.add(Problem(Severity.WARNING, where.source, message, city=use.city if use else None))


def _names(record: CityRecord) -> tuple[str, str]:
    return record.city, files.slug(record.country, record.city)


def keep_current(
    result: BuildResult,
    target: Target,
    entries: dict[str, manifest.Entry],
    force: bool,
    say: Callable[[BuildResult, Problem], None],
) -> bool:
    """Whether the city's PDF is current; if so it is marked unchanged (its warnings said
    again, with say). entries: the previous manifest, updated."""
    name = target.path.name
    old = entries.get(name)
    if force or not manifest.is_current(
        target.path.parent, old, target.fingerprint, date_text(target.created)
    ):
        return False
    assert old is not None
    record = target.record
    for message in old.warnings:  # still true of the file: say it again
        say(result, Problem(Severity.WARNING, record.source, message, city=record.city))
    entries[name] = replace(old, status="unchanged")
    result.unchanged.append(Done.of(record, name))
    return True
