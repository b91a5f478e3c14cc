"""The plan of a clipping book (grouping, order, dates), without any layout or Qt."""

from __future__ import annotations

import datetime as dt

import pytest

from clipper.export.book import (
    BookOptions,
    broader_tags,
    date_range_label,
    format_date,
    plan_book,
)
from tests.helpers.samples import Sample


def _plan(sample: Sample, ids: list[int], group_by: str):
    archive = sample.archive
    details = [archive.get(i) for i in ids]
    broader = broader_tags(archive.tag_tree(group_by)) if group_by in ("region", "topic") else {}
    return plan_book(details, BookOptions(title="T", group_by=group_by), broader)


def test_dates_are_written_as_precisely_as_they_are_known() -> None:
    assert format_date(dt.date(2023, 12, 6)) == "6 December 2023"
    assert format_date(dt.date(2023, 12, 1), "month") == "December 2023"
    assert format_date(dt.date(2023, 1, 1), "year") == "2023"
    assert format_date(None) == ""


def test_region_grouping_files_a_clipping_under_each_specific_region(sample: Sample) -> None:
    ids = [sample.ids[k] for k in ("niamey", "bamako", "grain", "moscow")]
    plan = _plan(sample, ids, "region")
    headings = [s.heading for s in plan.sections]
    # Alphabetical, and clippings without a region come last.
    assert headings == ["Mali", "Niger", "Russia", "No region"]
    listed = {s.heading: [e.clipping_id for e in s.entries] for s in plan.sections}
    assert listed["Niger"] == [sample.ids["niamey"], sample.ids["moscow"]]
    assert listed["Russia"] == [sample.ids["niamey"]]
    # The pages of a clipping sit under its first group; the second listing points back.
    russia_entry = plan.sections[2].entries[0]
    assert russia_entry.first_listing is False
    assert plan.order == (
        sample.ids["bamako"],
        sample.ids["niamey"],
        sample.ids["moscow"],
        sample.ids["grain"],
    )
    assert plan.section_of[sample.ids["niamey"]] == "Niger"


def test_a_broader_region_is_dropped_when_a_narrower_one_is_there(sample: Sample) -> None:
    archive = sample.archive
    archive.add_tag(sample.ids["moscow"], "region", "Sahel")
    plan = _plan(sample, [sample.ids["moscow"]], "region")
    assert [s.heading for s in plan.sections] == ["Niger"]


def test_date_grouping_is_chronological_by_month(sample: Sample) -> None:
    ids = [sample.ids[k] for k in ("arabic", "grain", "bamako", "niamey")]
    plan = _plan(sample, ids, "date")
    assert [s.heading for s in plan.sections] == ["November 2023", "December 2023"]
    assert plan.order == tuple(sample.ids[k] for k in ("grain", "bamako", "niamey", "arabic"))


def test_no_grouping_keeps_the_order_asked(sample: Sample) -> None:
    ids = [sample.ids[k] for k in ("moscow", "grain", "bamako")]
    plan = _plan(sample, ids, "none")
    assert [s.heading for s in plan.sections] == [None]
    assert plan.order == tuple(ids)


def test_date_range_spans_the_clippings(sample: Sample) -> None:
    details = [sample.archive.get(i) for i in sample.ids.values()]
    assert date_range_label(details) == "November 2023 – 6 December 2023"
    assert date_range_label(details[:1]) == "4 December 2023"
    assert date_range_label([]) == "Undated"


def test_options_refuse_unknown_groupings_and_papers() -> None:
    with pytest.raises(ValueError, match="group by"):
        BookOptions(title="T", group_by="colour")
    with pytest.raises(ValueError, match="paper"):
        BookOptions(title="T", paper="a3")
