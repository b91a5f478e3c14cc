"""The gazetteer: every country with its codes and English and French names, the M49 tree,
capitals, cities and demonyms, the groupings; and region suggestions from text."""

from __future__ import annotations

import gettext
import itertools
import json

import pycountry
import pytest

from clipper.core.archive import Archive
from clipper.core.drafts import ClippingDraft
from clipper.core.ingest.suggest import suggest_regions
from clipper.core.ingest.text import read_text
from clipper.core.regions import GAZETTEER_PATH, load_gazetteer, region_matcher
from clipper.core.text import name_key
from tests.helpers.documents import SEED

# The 54 member states of the African Union other than the Sahrawi Republic.
AFRICA = [
    "DZ", "AO", "BJ", "BW", "BF", "BI", "CV", "CM", "CF", "TD", "KM", "CG", "CD", "CI", "DJ",
    "EG", "GQ", "ER", "SZ", "ET", "GA", "GM", "GH", "GN", "GW", "KE", "LS", "LR", "LY", "MG",
    "MW", "ML", "MR", "MU", "MA", "MZ", "NA", "NE", "NG", "RW", "ST", "SN", "SC", "SL", "SO",
    "ZA", "SS", "SD", "TZ", "TG", "TN", "UG", "ZM", "ZW",
]  # fmt: skip
P5 = ["US", "GB", "FR", "RU", "CN"]


def test_every_iso_country_is_there_with_codes_and_both_names() -> None:
    gazetteer = load_gazetteer()
    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    for country in pycountry.countries:
        region = gazetteer.regions[country.alpha_2]
        assert region.kind == "country" and region.code == country.alpha_2
        assert region.alpha3 == country.alpha_3 and region.numeric == country.numeric
        assert region.name and region.name_fr
        # ISO's own English and French names find the country too.
        assert gazetteer.lookup(country.name) is region
        assert gazetteer.lookup(french.gettext(country.name)) is region
        assert gazetteer.lookup(country.alpha_2) is region
    assert len(AFRICA) == 54


def test_region_names_are_unique_so_each_is_one_tag() -> None:
    regions = list(load_gazetteer())
    keys = [name_key(r.name) for r in regions]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("code", AFRICA + P5)
def test_african_countries_and_the_p5_have_demonyms_in_both_languages(code: str) -> None:
    region = load_gazetteer().regions[code]
    assert region.demonyms and region.demonyms_fr


def test_the_m49_tree_and_groupings() -> None:
    gazetteer = load_gazetteer()
    niger = gazetteer.regions["NE"]
    assert niger.parent == "011"
    assert gazetteer.regions["011"].parent == "202"
    assert gazetteer.regions["202"].parent == "002"
    assert gazetteer.regions["002"].kind == "continent"
    assert gazetteer.lookup("Afrique de l'Ouest") is gazetteer.regions["011"]
    groupings = {r.name: set(r.members) for r in gazetteer if r.kind == "grouping"}
    assert groupings["Alliance of Sahel States"] == {"ML", "BF", "NE"}
    assert groupings["G5 Sahel"] == {"NE", "ML", "BF", "TD", "MR"}
    assert {"NE", "ML", "BF", "NG", "SN"} <= groupings["ECOWAS"]
    assert groupings["African Union"] >= set(AFRICA)
    assert len(groupings["European Union"]) == 27 and "FR" in groupings["European Union"]
    assert {"NE", "ML", "BF", "TD"} <= groupings["Sahel"]
    assert gazetteer.lookup("CEDEAO") is gazetteer.regions["ecowas"]
    assert gazetteer.lookup("AES") is gazetteer.regions["aes"]
    assert gazetteer.lookup("AU") is gazetteer.regions["AU"]  # Australia's code, not the Union
    assert "AU" in gazetteer.regions["african-union"].abbreviations
    assert "Niamey" in niger.capitals and "Agadez" in niger.cities
    assert "Moscou" in gazetteer.regions["RU"].capitals


def test_the_archive_builds_its_region_tree_from_the_gazetteer(archive: Archive) -> None:
    data = json.loads(GAZETTEER_PATH.read_text(encoding="utf-8"))
    nodes = {n.name: n for n in archive.tag_tree("region")}
    assert len(nodes) == len(data["regions"])
    sahel = nodes["Alliance of Sahel States"]
    assert nodes["Niger"].id in archive.tag_descendants(sahel.id)
    assert nodes["Niger"].id in archive.tag_descendants(nodes["Africa"].id)
    added = archive.add(ClippingDraft(title="t", body="b"), tags=[("region", "Niger")])
    counted = {n.name: n.total for n in archive.tag_tree("region")}
    assert counted["Africa"] == counted["ECOWAS"] == counted["Niger"] == 1
    assert archive.get(added.id).regions[0].code == "NE"


def test_mentions_by_name_demonym_capital_and_city_with_case_rules() -> None:
    matcher = region_matcher()
    found = {
        (m.text, m.how, m.region_keys)
        for m in matcher.mentions(
            "Nigerien troops left Niamey for Agadez; the US and the EU, les Maliens et la "
            "CEDEAO. Congolese refugees. The AU summit. Not countries: us, chad, china plates."
        )
    }
    assert ("Nigerien", "demonym", ("NE",)) in found
    assert ("Niamey", "capital", ("NE",)) in found
    assert ("Agadez", "city", ("NE",)) in found
    assert ("US", "name", ("US",)) in found
    assert ("EU", "name", ("european-union",)) in found
    assert ("Maliens", "demonym", ("ML",)) in found
    assert ("CEDEAO", "name", ("ecowas",)) in found
    assert ("AU", "name", ("african-union",)) in found
    assert ("Congolese", "demonym", ("CD", "CG")) in found
    texts = {text for text, _, _ in found}
    assert not texts & {"us", "chad", "china"}


def test_longest_name_wins() -> None:
    keys = [m.region_keys for m in region_matcher().mentions(
        "The Alliance of Sahel States left the G5 Sahel; Bissau-Guinean and South Sudanese "
        "delegates met in Niger, not Nigeria."
    )]  # fmt: skip
    assert keys == [("aes",), ("g5-sahel",), ("GW",), ("SS",), ("NE",), ("NG",)]


def test_seed_regions_rank_niger_first_then_russia_mali_burkina() -> None:
    draft = read_text(SEED.read_text(encoding="utf-8"), "seed")
    regions = suggest_regions(draft.title, draft.body)
    names = [r.name for r in regions]
    assert names[0] == "Niger" and regions[0].score == 1.0
    assert {"Russia", "Mali", "Burkina Faso"} <= set(names[:5])
    assert all(a.score >= b.score for a, b in itertools.pairwise(regions))


def test_a_french_story_is_placed_too() -> None:
    regions = suggest_regions(
        "Au Tchad, Mahamat Déby investi président",
        "À N'Djamena, le général Mahamat Idriss Déby a prêté serment jeudi. Les Tchadiens "
        "ont voté en mai. Paris, allié historique, était représenté par un ministre.",
    )
    assert regions[0].name == "Chad" and regions[0].code == "TD"
