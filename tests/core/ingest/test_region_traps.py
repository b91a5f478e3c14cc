"""Region traps, each on a minimal text through `clipper import --dry-run --json`: names that
context shows to mean another country, a person, a US state, a river or an ocean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clipper.cli import main

# (title, body, the first region suggested, regions that must not be suggested)
TRAPS = {
    "drc-without-the": (
        "Fighting near Goma",
        "Rebels advanced on Goma in eastern Democratic Republic of Congo on Tuesday, the army"
        " said, as thousands fled the town.",
        "Democratic Republic of the Congo",
        {"Republic of the Congo"},
    ),
    "goma-alone": (
        "Rebels close in",
        "Rebels advanced on Goma on Tuesday, the army said, as thousands of Congolese fled"
        " across the lake.",
        "Democratic Republic of the Congo",
        {"Republic of the Congo"},
    ),
    "chad-as-a-first-name": (
        "Senator speaks",
        "Chad Smith, a senator from Ohio, told reporters in Chicago that the bill would pass."
        " Smith said the vote would come on Friday.",
        "United States",
        {"Chad"},
    ),
    "jordan-as-a-surname": (
        "Basketball legend at the game",
        "Michael Jordan watched the game in Chicago on Sunday. Jordan said the team had played"
        " well.",
        "United States",
        {"Jordan"},
    ),
    "new-mexico-the-state": (
        "Drought in the southwest",
        "Farmers in New Mexico said the drought had cut their harvest by half, and the governor"
        " of New Mexico asked Washington for help.",
        "New Mexico",
        {"Mexico"},
    ),
    "georgia-the-us-state": (
        "Election day",
        "Voters in Georgia went to the polls on Tuesday, and officials in Atlanta said turnout"
        " was high across the state of Georgia.",
        "Georgia (U.S. state)",
        {"Georgia"},
    ),
    "georgia-the-country": (
        "Protests in the capital",
        "Thousands marched in Tbilisi on Sunday against the law, and the government of Georgia"
        " said it would not withdraw it.",
        "Georgia",
        {"Georgia (U.S. state)"},
    ),
    "guinee-equatoriale-lowercase": (
        "Élections",
        "Le président de la Guinée équatoriale a annoncé des élections pour le mois de mars, a"
        " indiqué le gouvernement.",
        "Equatorial Guinea",
        {"Guinea"},
    ),
    "niger-river": (
        "Floods",
        "The Niger River burst its banks near Lokoja, the Nigerian emergency agency said, and"
        " villages along the River Niger were cut off.",
        "Nigeria",
        {"Niger"},
    ),
    "niger-state": (
        "Pupils abducted",
        "Gunmen abducted twenty pupils in Niger State, in north-central Nigeria, the police"
        " said on Friday.",
        "Nigeria",
        {"Niger"},
    ),
    "indian-ocean": (
        "Cyclone",
        "A cyclone formed over the Indian Ocean and is expected to reach Madagascar on"
        " Thursday, forecasters said.",
        "Madagascar",
        {"India"},
    ),
    "gulf-of-guinea": (
        "Piracy",
        "Pirates boarded a tanker in the Gulf of Guinea off Lagos on Monday, the Nigerian navy"
        " said.",
        "Nigeria",
        {"Guinea"},
    ),
}
# The same names where they do mean the country.
COUNTRIES = {
    "chad": (
        "Junta extends transition",
        "Chad's military leaders said on Monday the transition would last two more years. In"
        " N'Djamena, opposition parties called it a betrayal. Chad President Mahamat Déby did"
        " not comment.",
        "Chad",
    ),
    "jordan": (
        "Refugees",
        "King Abdullah of Jordan met aid agencies in Amman on Monday. Jordan hosts more than"
        " half a million refugees.",
        "Jordan",
    ),
    "niger": (
        "Junta expels ambassador",
        "Niger's junta ordered the French ambassador to leave Niamey within 48 hours, state"
        " television said.",
        "Niger",
    ),
    "title-case-headline": (
        "Niger Junta Orders French Troops Out By December",
        "The military government in Niamey said on Sunday the soldiers must leave.",
        "Niger",
    ),
}


def _regions(tmp_path: Path, capsys: pytest.CaptureFixture[str], title: str, body: str) -> list:
    path = tmp_path / "story.txt"
    path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    assert main(["--archive", str(tmp_path / "a"), "import", "--dry-run", "--json", str(path)]) == 0
    [row] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return [r["name"] for r in row["regions"]]


@pytest.mark.parametrize("trap", TRAPS, ids=list(TRAPS))
def test_a_region_trap(tmp_path: Path, capsys: pytest.CaptureFixture[str], trap: str) -> None:
    title, body, first, never = TRAPS[trap]
    names = _regions(tmp_path, capsys, title, body)
    assert names and names[0] == first, names
    assert not never & set(names), names


@pytest.mark.parametrize("case", COUNTRIES, ids=list(COUNTRIES))
def test_the_same_names_still_mean_the_country(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    title, body, country = COUNTRIES[case]
    names = _regions(tmp_path, capsys, title, body)
    assert names and names[0] == country, names
