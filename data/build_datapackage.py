"""Write data/datapackage.json: the Frictionless descriptor of every table in data/.

The schemas live here, as Python, so that the provenance fields are defined once and every table gets the
same ones. Run `python data/build_datapackage.py` after changing a schema; a test checks that the committed
datapackage.json is what this script writes.
"""
from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

ISO_PARTIAL_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
SLUG = r"^[a-z0-9][a-z0-9-]*$"
CHAPTERS = ["intro", "1", "2", "3", "4", "5", "6", "conclusion", "I", "II", "III", "IV", "V", "VI"]
UNITS = [
    "persons", "count", "percent", "percent_change", "rubles", "rubles_per_month", "rubles_per_year",
    "rubles_per_kg", "rubles_per_liter", "kopecks", "tons", "kg", "liters", "grams_per_day", "index", "ratio",
    "per_1000_workers", "count_per_month", "minutes", "hours", "days", "weeks", "months", "years",
    "calendar_year", "km", "miles", "meters", "square_meters", "pages", "degrees", "degrees_fahrenheit",
]
QUALIFIERS = ["exact", "about", "more than", "at least", "almost", "less than", "up to"]
THEMES = ["industrial_crisis", "factory_politics", "union_purge", "national_terror"]
# Controlled values of the observation dimensions (kept equal to shopfloor.rules.DIMENSION_VALUES).
STATUSES = ["plan", "claim", "demand", "rumour", "rule", "capacity"]
SEXES = ["women", "men"]
DATE_PRECISIONS = ["day", "month", "year", "approx"]
EVENT_KINDS = ["trial", "plenum", "congress", "conference", "meeting", "decree", "resolution", "law", "strike",
               "protest", "arrest", "execution", "expulsion", "election", "accident", "appointment", "removal",
               "murder", "investigation", "campaign", "purge", "speech", "letter", "publication",
               "reorganization", "other"]
FATES = ["arrested", "shot", "died_in_custody", "sentenced", "expelled", "reinstated", "removed", "suicide",
         "murdered", "survived", "unknown", "other"]
ORG_KINDS = ["union", "union_body", "party_body", "state_body", "police", "enterprise", "other"]
PLACE_KINDS = ["factory", "mine", "construction_site", "city", "town", "district", "region", "republic", "country",
               "other"]
# Tables whose rows can carry further locators in citations.csv, with the key column of each.
CITED_KEYS = {"observations": "obs_id", "events": "event_id", "people": "person_id", "positions": "position_id",
              "organizations": "org_id", "places": "place_id", "relations": "relation_id", "glossary": "term",
              "discrepancies": "discrepancy_id"}
CITED_TABLES = list(CITED_KEYS)
RELATION_KINDS = ["patron", "client", "relative", "spouse", "denounced", "testified_against", "colleague", "friend",
                  "protected", "named_in_confession"]


def field(name, type_="string", description="", **constraints):
    spec = {"name": name, "type": type_, "description": description}
    if type_ == "boolean":
        spec.update(trueValues=["true"], falseValues=["false"])
    if constraints:
        spec["constraints"] = constraints
    return spec


def provenance(required_chapter=True):
    """The locator every fact carries: which work, chapter (or article section), heading and footnote."""
    return [
        field("source_id", description="The work read: goldman2007 or kokosalakis2021.", required=True),
        field("chapter", description="Chapter of the monograph (intro, 1-6, conclusion) or section numeral of "
              "the article (I-VI).", enum=CHAPTERS, **({"required": True} if required_chapter else {})),
        field("section", description="The heading under which the fact stands, as printed (see "
              "source_sections).", **({"required": True} if required_chapter else {})),
        field("note", "integer", "Number of the footnote that supports the fact; blank where the paragraph "
              "has none.", minimum=1),
        field("archival_ref", description="The archival file the footnote cites, in short form (GARF f. 5451, "
              "o. 43, d. 31, ll. 19-21); Ibid. resolved."),
        field("literature_ref", description="The published works the footnote cites for the fact, as keys into "
              "sources.csv with the page beside: 'work_id' or 'work_id, locator', several separated by '; ' (e.g. "
              "'getty1993, pp. 1022-4; davies1996, p. 459'). The locator is the pages, volume, number or date as "
              "the footnote gives them, with no ';'. A book rule checks every key."),
    ]


INFERENCE_BASES = ["context", "arithmetic", "general_knowledge"]
INFERRED = r"^[a-z_]+:(context|arithmetic|general_knowledge)(;[a-z_]+:(context|arithmetic|general_knowledge))*$"


def inference():
    """Which values of the row the sources do not print with the fact itself, and what they rest on. The
    project's standing general knowledge (Cyrillic names, modern names, coordinates, a gazetteer's parent
    place, 'ussr' for a nationwide figure) is documented once in data/README.md and not flagged row by row."""
    return [
        field("inferred", description="Fields whose value was worked out rather than printed with the fact, as "
              "';'-separated 'field:basis'. Basis: context (another sentence or passage of the source), "
              "arithmetic (computed from printed numbers), general_knowledge (not in the sources). Blank: every "
              "value is printed with the fact (for observations: in the sentence that prints the figure; for "
              "other tables: in the cited paragraph or its footnote).", pattern=INFERRED),
        field("inferred_note", description="What the inferred values rest on, in the book's words; required "
              "where inferred is filled."),
    ]


def date_field(name, description):
    return field(name, description=description + " ISO 8601, only as precise as the source (YYYY, YYYY-MM "
                 "or YYYY-MM-DD).", pattern=ISO_PARTIAL_DATE)


TABLES = {
    "sources": {
        "title": "Works",
        "description": "The two works the book is built on and every published work they cite for a row of the "
                       "package (the keys of the literature_ref columns), as the source's first full citation "
                       "gives it. The provenance columns of a cited work say where that citation stands.",
        "primaryKey": ["work_id"],
        "fields": [
            field("work_id", description="Identifier, also the BibTeX key of the generated bibliography.",
                  required=True, unique=True, pattern=r"^[a-z0-9]+$"),
            field("short_name", description="Author-year form used in source lines and as the bibliography "
                  "label; a newspaper or journal cited by issue has its title alone.", required=True, unique=True),
            field("authors", description="Authors (editors of an edited volume) in BibTeX form: 'Last, First' "
                  "joined by ' and '; blank for a newspaper, a journal or an official publication without one."),
            field("title", description="Title, without the subtitle.", required=True),
            field("year", "integer", "Year of publication; blank for a newspaper or journal cited by issue (the "
                  "locator dates it) and where the source gives none.", minimum=1900, maximum=2100),
            field("subtitle", description="Subtitle, where there is one."),
            field("kind", description="What kind of publication.", required=True,
                  enum=["monograph", "article", "edited volume", "chapter", "document collection", "reference work",
                        "newspaper", "periodical"]),
            field("container", description="Journal with volume and number, where an article; the work_id of "
                  "the edited volume, where a chapter; the journal, where a document collection was printed in "
                  "one."),
            field("publisher", description="Publisher."),
            field("place", description="Place of publication."),
            field("doi", description="DOI where there is one."),
            field("url", description="Stable address where there is one."),
            *provenance(required_chapter=False),
            field("reference_note", description="Where the entry departs from the source's footnote or adds to "
                  "it: another spelling or date in the other source, and what is general knowledge."),
        ],
    },
    "source_sections": {
        "title": "Chapters and sections of the sources",
        "description": "Every chapter and section heading of both works, so that each row's locator can be "
                       "checked. Line numbers refer to the project's plain-text copies of the works.",
        "primaryKey": ["source_id", "chapter", "section"],
        "fields": [
            field("source_id", description="The work.", required=True),
            field("chapter", description="Chapter or article section.", required=True, enum=CHAPTERS),
            field("section", description="Heading as printed.", required=True),
            field("kind", description="chapter (the chapter's own title, used for text before its first "
                  "sub-heading) or section.", required=True, enum=["chapter", "section"]),
            field("order", "integer", "Position in the work.", required=True, minimum=1),
            field("line", "integer", "First line of the heading in the text copy.", required=True, minimum=1),
            field("line_end", "integer", "Last line before the next heading.", required=True, minimum=1),
        ],
        "foreignKeys": [{"fields": "source_id", "reference": {"resource": "sources", "fields": "work_id"}}],
    },
    "measures": {
        "title": "Codebook of measures",
        "description": "The measure vocabulary: what each measure_id in observations counts, in which unit, and "
                       "the theme it mainly serves. At most 150 measures; distinctions that are not a different "
                       "quantity are dimensions of the observation (breakdown, subject, status, sex, theme, "
                       "place_id, org_id, period).",
        "primaryKey": ["measure_id"],
        "fields": [
            field("measure_id", description="Identifier.", required=True, unique=True, pattern=r"^[a-z0-9_]+$"),
            field("label", description="Short label for axes and tables.", required=True),
            field("unit", description="Unit of every observation of this measure.", required=True, enum=UNITS),
            field("definition", description="What is counted, in the book's words.", required=True),
            field("theme", description="The theme chapter it mainly serves (each observation has its own theme).",
                  required=True, enum=THEMES),
            field("over_100_allowed", "boolean", "true where a percentage may exceed 100 (turnover as a share of "
                  "the average workforce, fulfilment of a plan or norm); other percentages lie in 0-100.",
                  required=True),
        ],
    },
    "observations": {
        "title": "Observations",
        "description": "One row per quantitative statement of the sources (long format). A range has "
                       "value_low and value_high and no value; a missing value is blank, never zero.",
        "primaryKey": ["obs_id"],
        "fields": [
            field("obs_id", description="Identifier.", required=True, unique=True, pattern=r"^[a-z0-9]+-\d{4}$"),
            field("measure_id", description="What is measured (see measures).", required=True),
            field("value", "number", "The figure in the measure's unit; blank for a range."),
            field("value_low", "number", "Lower end of a range."),
            field("value_high", "number", "Upper end of a range."),
            field("unit", description="Unit; must be the measure's unit.", required=True, enum=UNITS),
            field("qualifier", description="How the source words the figure.", required=True, enum=QUALIFIERS),
            field("as_printed", description="The figure exactly as the source prints it (both ends of a range "
                  "separated by ' | '); blank for a derived value."),
            date_field("period_start", "Start of the period the figure refers to."),
            date_field("period_end", "End of that period."),
            field("place_id", description="Where (see places); ussr for national figures."),
            field("org_id", description="Which organisation (see organizations)."),
            field("breakdown", description="The subgroup, as 'dimension: value'."),
            field("estimate", "boolean", "true where the source presents the figure as an estimate.",
                  required=True),
            field("derived", description="Blank for a printed figure; for a computed one, the formula over "
                  "obs_ids."),
            field("description", description="What the figure counts, in the book's words.", required=True),
            *provenance(),
            field("subject", description="Dimension: who or what the figure refers to within its measure (a "
                  "group of people, a kind of body, an item, a cause); blank when it is the measure's own "
                  "population."),
            field("status", description="Dimension: what kind of figure it is; blank for a reported actual "
                  "value.", enum=STATUSES),
            field("sex", description="Dimension: blank for both sexes or unstated.", enum=SEXES),
            field("theme", description="Dimension: the theme chapter the figure serves.", required=True,
                  enum=THEMES),
            *inference(),
        ],
        "foreignKeys": [
            {"fields": "measure_id", "reference": {"resource": "measures", "fields": "measure_id"}},
            {"fields": "source_id", "reference": {"resource": "sources", "fields": "work_id"}},
        ],
    },
    "events": {
        "title": "Events",
        "description": "Dated events of 1917-1941 that the sources record, with title and summary in the book's words.",
        "primaryKey": ["event_id"],
        "fields": [
            field("event_id", description="Identifier: start date and a slug.", required=True, unique=True,
                  pattern=r"^\d{4}(-\d{2}(-\d{2})?)?-[a-z0-9-]+$"),
            field("date_start", description="When it began. ISO 8601, only as precise as the source (YYYY, "
                  "YYYY-MM or YYYY-MM-DD).", required=True, pattern=ISO_PARTIAL_DATE),
            date_field("date_end", "When it ended, if later than the start."),
            field("date_precision", description="How much of the date the source gives.", required=True,
                  enum=DATE_PRECISIONS),
            field("kind", description="What kind of event.", required=True, enum=EVENT_KINDS),
            field("title", description="Short title in the book's words.", required=True),
            field("summary", description="One or two sentences in the book's words.", required=True),
            field("place_id", description="Where (see places)."),
            field("org_ids", description="Organisations involved, separated by ';'."),
            field("person_ids", description="People involved, separated by ';'."),
            field("theme", description="The theme chapter it belongs to.", required=True, enum=THEMES),
            *provenance(),
            *inference(),
        ],
        "foreignKeys": [{"fields": "place_id", "reference": {"resource": "places", "fields": "place_id"}}],
    },
    "people": {
        "title": "People",
        "description": "Every named historical actor, named as the sources transliterate them, with their fate where "
                       "a source states it. Cyrillic only where certain.",
        "primaryKey": ["person_id"],
        "fields": [
            field("person_id", description="Identifier: surname-firstname, or surname alone.", required=True,
                  unique=True, pattern=SLUG),
            field("name", description="Name as the source transliterates it.", required=True),
            field("name_variants", description="Other spellings found in the sources, separated by ';'."),
            field("name_ru", description="Name in Cyrillic: the project's general knowledge (the sources "
                  "print transliterations), only where certain and agreeing with the printed initials; not "
                  "flagged in inferred unless it departs from the printed name."),
            field("first_name", description="First name where a source gives it."),
            field("patronymic", description="Patronymic where a source gives it."),
            field("description", description="Who they were, in the book's words.", required=True),
            field("fate", description="The gravest fate a source states; unknown where none does.", required=True,
                  enum=FATES),
            date_field("fate_date", "When the fate befell them."),
            field("fate_precision", description="How much of fate_date the source gives.", enum=DATE_PRECISIONS),
            *provenance(),
            *inference(),
        ],
    },
    "positions": {
        "title": "Posts held",
        "description": "Posts people held in organisations and places, with dates as the sources give them.",
        "primaryKey": ["position_id"],
        "fields": [
            field("position_id", description="Identifier.", required=True, unique=True, pattern=r"^pos-\d{4}$"),
            field("person_id", description="Who (see people).", required=True),
            field("org_id", description="In which organisation (see organizations)."),
            field("place_id", description="Where (see places)."),
            field("role", description="The post, in plain English.", required=True),
            date_field("date_from", "Held from."),
            date_field("date_to", "Held until."),
            *provenance(),
            *inference(),
        ],
        "foreignKeys": [
            {"fields": "person_id", "reference": {"resource": "people", "fields": "person_id"}},
            {"fields": "org_id", "reference": {"resource": "organizations", "fields": "org_id"}},
            {"fields": "place_id", "reference": {"resource": "places", "fields": "place_id"}},
        ],
    },
    "organizations": {
        "title": "Organisations",
        "description": "Unions, union bodies, party bodies, state bodies, police and enterprises named in the sources.",
        "primaryKey": ["org_id"],
        "fields": [
            field("org_id", description="Identifier: slug of the English name.", required=True, unique=True,
                  pattern=SLUG),
            field("name", description="Name in English as the source gives it.", required=True),
            field("name_ru", description="Name in Russian (transliterated or Cyrillic), where the source gives it."),
            field("kind", description="What kind of body.", required=True, enum=ORG_KINDS),
            field("parent_id", description="The body it belongs to (see organizations)."),
            field("place_id", description="Its seat (see places)."),
            field("description", description="What it was, in the book's words.", required=True),
            *provenance(),
        ],
        "foreignKeys": [
            {"fields": "parent_id", "reference": {"resource": "organizations", "fields": "org_id"}},
            {"fields": "place_id", "reference": {"resource": "places", "fields": "place_id"}},
        ],
    },
    "places": {
        "title": "Places",
        "description": "Gazetteer of every factory, mine, site, town, district and region named. Coordinates are the "
                       "project's own knowledge, not the sources'; location_precision says how far to trust them.",
        "primaryKey": ["place_id"],
        "fields": [
            field("place_id", description="Identifier: slug of the name as in the source.", required=True,
                  unique=True, pattern=SLUG),
            field("name", description="Name as in the source (1930s).", required=True),
            field("name_modern", description="Today's name."),
            field("name_ru", description="Name in Cyrillic, only where certain."),
            field("kind", description="What kind of place.", required=True, enum=PLACE_KINDS),
            field("parent_place_id", description="The city or region it lies in (see places)."),
            field("industry", description="Branch of industry, for workplaces."),
            field("lat", "number", "Latitude, decimal degrees (project's knowledge).", minimum=-90, maximum=90),
            field("lon", "number", "Longitude, decimal degrees (project's knowledge).", minimum=-180, maximum=180),
            field("location_precision", description="How precise lat/lon are: the site itself, its district, the "
                  "city centre, a point in the region, or unknown (no coordinates).", required=True,
                  enum=["site", "district", "city", "region", "unknown"]),
            field("outside_ussr_1937", "boolean", "true for a place outside the USSR's borders of 1 January 1937 "
                  "(abroad, or annexed only later); its coordinates then lie outside the outline on purpose.",
                  required=True),
            field("description", description="What the place was, in the book's words.", required=True),
            *provenance(),
            *inference(),
        ],
        "foreignKeys": [{"fields": "parent_place_id", "reference": {"resource": "places", "fields": "place_id"}}],
    },
    "relations": {
        "title": "Ties between people",
        "description": "Person-to-person ties the sources record: patronage, family, denunciation, testimony.",
        "primaryKey": ["relation_id"],
        "fields": [
            field("relation_id", description="Identifier.", required=True, unique=True, pattern=r"^rel-\d{4}$"),
            field("person_id", description="Who (see people); the tie runs from this person.", required=True),
            field("other_person_id", description="To whom (see people).", required=True),
            field("kind", description="What the tie was.", required=True, enum=RELATION_KINDS),
            field("description", description="The tie, in the book's words.", required=True),
            date_field("date", "When the source dates the tie."),
            *provenance(),
        ],
        "foreignKeys": [
            {"fields": "person_id", "reference": {"resource": "people", "fields": "person_id"}},
            {"fields": "other_person_id", "reference": {"resource": "people", "fields": "person_id"}},
        ],
    },
    "glossary": {
        "title": "Glossary",
        "description": "Russian terms the sources use, transliterated as they print them, with a meaning in the book's words.",
        "primaryKey": ["term"],
        "fields": [
            field("term", description="Term as transliterated in the sources.", required=True, unique=True),
            field("term_ru", description="The term in Cyrillic, where certain."),
            field("plural", description="Plural as the sources write it."),
            field("meaning", description="Meaning, in the book's words.", required=True),
            *provenance(),
        ],
    },
    "citations": {
        "title": "Further locators",
        "description": "The additional passages behind a row of another table, where its facts come from more than "
                       "one place or a second passage prints the same fact again. The row's own provenance columns "
                       "stay its primary locator (the passage of its main fact); each row here adds one more, and "
                       "`supports` says which of the row's facts it stands for.",
        "primaryKey": ["citation_id"],
        "fields": [
            field("citation_id", description="Identifier.", required=True, unique=True, pattern=r"^cit-\d{4}$"),
            field("table", description="The table of the row this passage supports.", required=True,
                  enum=CITED_TABLES),
            field("row_id", description="The primary key of that row in that table (obs_id, event_id, person_id, "
                  "...); the row must exist.", required=True),
            field("supports", description="Which facts of the row this passage gives: column names of that table "
                  "separated by ';' (e.g. date_start;person_ids), or `all` where the passage prints the whole fact "
                  "again (a duplicate row merged into this one).", required=True,
                  pattern=r"^(all|[a-z_]+(;[a-z_]+)*)$"),
            *provenance(),
        ],
        "foreignKeys": [{"fields": "source_id", "reference": {"resource": "sources", "fields": "work_id"}}],
    },
    "discrepancies": {
        "title": "Discrepancies",
        "description": "Where a source disagrees with itself or the other source: totals, dates, figures, spellings.",
        "primaryKey": ["discrepancy_id"],
        "fields": [
            field("discrepancy_id", description="Identifier.", required=True, unique=True, pattern=r"^disc-\d{3}$"),
            field("kind", description="What disagrees.", required=True, enum=["total", "date", "figure", "spelling"]),
            field("what", description="The disagreement, in the book's words.", required=True),
            field("rows", description="The rows involved (obs_id, event_id, person_id, place_id or org_id), "
                  "separated by ';'; blank where the disagreement lies in no single row of the package."),
            field("treatment", description="How the book reads it.", required=True),
            *provenance(),
        ],
    },
}


def descriptor() -> dict:
    resources = []
    for name, table in TABLES.items():
        schema = {"fields": table["fields"], "primaryKey": table["primaryKey"]}
        if "foreignKeys" in table:
            schema["foreignKeys"] = table["foreignKeys"]
        resources.append({
            "name": name,
            "path": f"{name}.csv",
            "title": table["title"],
            "description": table["description"],
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "profile": "tabular-data-resource",
            "schema": schema,
        })
    return {
        "name": "shop-floor",
        "title": "Shop Floor: Soviet industry and political repression, 1928-1941",
        "description": "Figures, events, people, places and organisations extracted from Goldman (2007) and "
                       "Kokosalakis (2021), each row traced to chapter, section and footnote.",
        "version": "0.1.0",
        "licenses": [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                      "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "sources": [
            {"title": "Wendy Z. Goldman, Terror and Democracy in the Age of Stalin (Cambridge University Press, 2007)"},
            {"title": "Yiannis Kokosalakis, Bolshevik Bargaining in Soviet Industry, The Journal of Modern History "
                      "93:2 (2021)", "path": "https://doi.org/10.1086/714151"},
        ],
        "resources": resources,
    }


def render() -> str:
    return json.dumps(descriptor(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    (HERE / "datapackage.json").write_text(render(), encoding="utf-8")
    print(f"wrote {HERE / 'datapackage.json'} ({len(TABLES)} tables)")
