"""Write inputs/sample-survey.xlsx: Lima as in the reference snapshot plus 25 invented cities.

Sample data, not real answers (Lima's come from the published reference snapshot; every
other city, person and answer is invented). The mix is chosen so that Lima's comparison
figures match the reference: 13 of 26 cities have a formal strategy (50%), 21 of 26 have
dedicated funding (81%), 14 of 26 take both approaches ("more than half").
Run: .venv/bin/python scripts/make_sample.py
"""

from __future__ import annotations

import random
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from support.workbook import write_xlsx  # noqa: E402

from snapshotpdf.survey import vocabulary  # noqa: E402

PROFILE = tomllib.loads((ROOT / "snapshotpdf/survey/profiles/sample.toml").read_text("utf-8"))
FIELDS = PROFILE["fields"]
GRID = PROFILE["data_sufficiency"]
SEP = PROFILE["profile"]["list_separator"] + " "


def answers(question: str, keys: list[str]) -> str:
    return SEP.join(vocabulary.sample_answer(question, k) for k in keys)


LIMA = {
    "city": "Lima",
    "country": "Peru",
    "mayor": "Jorge Vicente Martín Muñoz Wells",
    "term": "2019-2022",
    "innovation_lead": "Rubén Parra Williams",
    "population": 9670000,
    "population_year": 2020,
    "website": "http://datosabiertos.munlima.gob.pe/",
    "org_structure": "Lima has an innovation-related task group consisting of delegates from "
    "different departments. Lima's innovation work is led by an Office Chief of Digital "
    "Government and Innovation.",
    "staff_profiles": answers("staff_profiles", ["project_manager", "data_scientist", "engineer"]),
    "spotlight": "As part of its Institutional Strategic Plan for 2020–2023, Lima has required "
    "concrete action to improve openness and the transparency of city operations, as well as "
    "the modernisation of management techniques. The Regulation of Organisation and Functions, "
    "approved in early 2020, requires the replacement of the Office of Technology and "
    "Information with the Office of Digital Government and Innovation. The adoption of these "
    "plans and regulations represents a substantial move toward institutionalising a culture "
    "of innovation and transparency in Lima, with an end goal to improving the well-being of "
    "citizens.",
    "formal_strategy": "Yes",
    "innovation_associations": answers(
        "innovation_associations", ["data_analytics", "technological"]
    ),
    "approach": "Both",
    "priority_areas": answers("policy_areas", ["digital_governance", "environment"]),
    "partners_innovation": answers("partners", ["other_public", "private", "residents"]),
    "partners_data": answers("partners", ["academia"]),
    "dedicated_funding": "Yes",
    "funding_sources": answers("funding_sources", ["higher_government", "municipal_operating"]),
    "funding_directed": answers("funding_directed", ["training", "ideas", "digital"]),
    "innovation_helps": answers(
        "innovation_helps", ["simplifying", "service_delivery", "internal_operations"]
    ),
    "success_factors": answers("success_factors", ["metrics", "hr", "mayor"]),
    "role_of_data": "Significant",
    "data_uses": answers("data_uses", ["budget"]),
    "data_challenges": answers("data_challenges", ["infrastructure", "staff"]),
    "open_data": vocabulary.sample_answer("open_data", "central"),
    "contact_email": "innovation@lima.example",
    "language": "en",
    "sufficient": [
        "transport",
        "economic_development",
        "health",
        "government_finance",
        "education",
        "digital_governance",
    ],
}

LONG_SPOTLIGHT = (
    "Port Ashcombe began its innovation programme after the 2019 floods, when residents "
    "waited eleven days for basic repairs because three departments kept separate records of "
    "the same streets. The council asked a small team to find out why, and the answer was "
    "neither money nor goodwill: nobody could see the whole picture.\n\n"
    "The team started with one shared map of every asset the city owns, from drains and "
    "bridges to community halls, and asked each department to keep its own layer up to date. "
    "Within a year the map had become the place where repairs are planned, where councillors "
    "check progress and where residents report problems. Response times for street repairs "
    "fell from eleven days to three, and the council now publishes them every week.\n\n"
    "What made it work was less the technology than the habit of working in the open. Every "
    "project has a public page with its goal, its budget and what has been learnt, including "
    "what did not work. Staff from housing, transport and waste meet every fortnight to look "
    "at the same figures, and each meeting ends with one change that somebody owns. The "
    "programme has trained more than two hundred staff in basic data skills, and a resident "
    "panel of forty people tests new services before they are launched. The next step is a "
    "joint budget for projects that cross departments, so that good ideas no longer fall "
    "between two teams, and a partnership with the university to measure which changes "
    "last beyond their pilot year."
)

# city, country, strategy, funding, approach, mayor, lead, population, year, extras
INVENTED = [
    (
        "Valderrosa",
        "Spain",
        "Yes",
        "Yes",
        "Both",
        "Inés Carrasco Ordóñez",
        "Tomás Ybarra",
        412300,
        2021,
        {},
    ),
    (
        "Port Ashcombe",
        "United Kingdom",
        "Yes",
        "Yes",
        "Both",
        "Margaret Ellery-Fairbairn",
        "Daniel Okonkwo",
        286500,
        2021,
        {"spotlight": LONG_SPOTLIGHT},
    ),
    (
        "Żółtawa",
        "Poland",
        "Yes",
        "Yes",
        "Both",
        "Małgorzata Wróblewska-Łęcka",
        "Jędrzej Szczęsny",
        731900,
        2020,
        {},
    ),
    (
        "Καλαμόπολη",
        "Greece",
        "No",
        "Yes",
        "Holistic / macro level",
        "Ελευθερία Παπαδοπούλου",
        "Γιώργος Αναστασίου",
        158700,
        2021,
        {},
    ),
    (
        "Сребрено",
        "Bulgaria",
        "No",
        "Yes",
        "Both",
        "Любомир Стойчев",
        "Весела Николова",
        1245000,
        2021,
        {},
    ),
    (
        "İncebel",
        "Türkiye",
        "No",
        "Yes",
        "Holistic / macro level",
        "Ayşe Gülşen Işık",
        "Emre Çağlar Öztürk",
        2310000,
        2022,
        {},
    ),
    (
        "Kestrel Falls",
        "Canada",
        "No",
        "No",
        "Specific policy areas",
        None,
        None,
        None,
        None,
        {"sparse": True},
    ),
    (
        "São Miguel do Norte",
        "Brazil",
        "No",
        "Yes",
        "Holistic / macro level",
        "João Conceição Araújo",
        "Luíza Brandão",
        3480000,
        2020,
        {},
    ),
    ("Norrvik", "Sweden", "Yes", "Yes", "Both", "Åsa Lindqvist", "Björn Ekström", 96400, 2022, {}),
    (
        "Ravensmoor",
        "United States",
        "Yes",
        "Yes",
        "Both",
        "Dolores M. Whitfield",
        "Marcus Tran",
        1820000,
        2020,
        {},
    ),
    (
        "Mbalenga",
        "Kenya",
        "No",
        "No",
        "Specific policy areas",
        "Wanjiru Kamau-Otieno",
        "Brian Mwangi",
        645000,
        2019,
        {},
    ),
    (
        "Montebruno",
        "Italy",
        "No",
        "Yes",
        "Both",
        "Giulia Ferraresi",
        "Niccolò Bellandi",
        389000,
        2021,
        {},
    ),
    (
        "Aozora City",
        "Japan",
        "Yes",
        "Yes",
        "Both",
        "Haruka Tanabe",
        "Kenji Morimoto",
        1104000,
        2020,
        {},
    ),
    (
        "Quillacocha",
        "Chile",
        "No",
        "No",
        "Specific policy areas",
        "Valentina Quispe Rojas",
        "Matías Godoy",
        57200,
        2022,
        {},
    ),
    (
        "Noordhaven",
        "Netherlands",
        "Yes",
        "Yes",
        "Holistic / macro level",
        "Pieter van der Wal",
        "Sanne de Boer",
        241800,
        2021,
        {},
    ),
    # Every script, and cities whose snapshot is in their own language (issue 11). The
    # names are invented in each script; the answers, as for every city but Lima, too.
    ("星見市", "日本", "Yes", "Yes", "Both", "高橋 美咲", "中村 大輔", 512000, 2021, {}),
    ("해오름시", "대한민국", "No", "Yes", "Both", "김민준", "이서연", 684000, 2020, {}),
    (
        "مدينة الواحة",
        "تونس",
        "Yes",
        "Yes",
        "Both",
        "ليلى بن سالم",
        "يوسف الحداد",
        223500,
        2021,
        {"language": "fr"},
    ),
    (
        "גבעת הזית",
        "ישראל",
        "No",
        "Yes",
        "Specific policy areas",
        "נועה לוי",
        "אורי כהן",
        98300,
        2022,
        {},
    ),
    ("सूर्यनगर", "भारत", "Yes", "Yes", "Both", "अनीता शर्मा", "राहुल वर्मा", 1375000, 2021, {}),
    (
        "เมืองดอกแก้ว",
        "ประเทศไทย",
        "No",
        "No",
        "Holistic / macro level",
        "สมชาย ใจดี",
        "วิไล ศรีสุข",
        187400,
        2020,
        {},
    ),
    (
        "Villanueva del Río",
        "Colombia",
        "Yes",
        "Yes",
        "Both",
        "Catalina Restrepo Mejía",
        "Andrés Felipe Ocampo",
        845200,
        2020,
        {"language": "es"},
    ),
    (
        "Saint-Aubin-des-Lacs",
        "Canada",
        "No",
        "No",
        "Specific policy areas",
        "Geneviève Tremblay",
        "Étienne Gagnon",
        132600,
        2021,
        {"language": "fr"},
    ),
    (
        "Águas Claras do Sul",
        "Brasil",
        "Yes",
        "Yes",
        "Holistic / macro level",
        "Ana Beatriz Gonçalves",
        "Rafael Nascimento",
        2045000,
        2022,
        {"language": "pt"},
    ),
    (
        "Vale do Sereno",
        "Portugal",
        "No",
        "Yes",
        "Specific policy areas",
        "Inês Carvalho",
        "Tiago Ferreira",
        64300,
        2021,
        {"language": "pt"},
    ),
]

STRUCTURES = [
    "{city} has a dedicated innovation unit that reports to the mayor's office.",
    "{city} coordinates innovation through a cross-department working group that meets monthly.",
    "Innovation in {city} is led by the digital services department, with champions in each "
    "directorate.",
    "{city} has no single innovation office; each department runs its own improvement projects.",
]
SPOTLIGHTS = [
    "{city} opened a civic lab where residents and staff test new services together before "
    "they are rolled out across the city.",
    "In 2021 {city} published its first open budget, letting residents follow every "
    "project from approval to completion.",
    "{city} runs a yearly challenge that funds the three best ideas proposed by its own staff.",
]


# The same answers as typed by a city that answers in its own language.
STRUCTURES_IN = {
    "es": [
        "{city} tiene una unidad de innovación dedicada que depende de la alcaldía.",
        "{city} coordina la innovación mediante un grupo de trabajo interdepartamental que se"
        " reúne cada mes.",
        "En {city}, la innovación la dirige el departamento de servicios digitales, con"
        " referentes en cada dirección.",
        "{city} no tiene una oficina de innovación única; cada departamento lleva sus propios"
        " proyectos de mejora.",
    ],
    "fr": [
        "{city} dispose d'une unité d'innovation dédiée, rattachée au cabinet du maire.",
        "{city} coordonne l'innovation au sein d'un groupe de travail interservices qui se"
        " réunit chaque mois.",
        "À {city}, l'innovation est pilotée par la direction des services numériques, avec des"
        " référents dans chaque direction.",
        "{city} n'a pas de bureau de l'innovation unique ; chaque service mène ses propres"
        " projets d'amélioration.",
    ],
    "pt": [
        "{city} tem uma unidade de inovação dedicada, ligada ao gabinete do prefeito.",
        "{city} coordena a inovação por meio de um grupo de trabalho intersetorial que se"
        " reúne todo mês.",
        "Em {city}, a inovação é liderada pela secretaria de serviços digitais, com pontos"
        " focais em cada secretaria.",
        "{city} não tem um escritório de inovação único; cada secretaria conduz os próprios"
        " projetos de melhoria.",
    ],
}
SPOTLIGHTS_IN = {
    "es": [
        "{city} abrió un laboratorio cívico donde vecinos y personal prueban juntos nuevos"
        " servicios antes de extenderlos a toda la ciudad.",
        "En 2021 {city} publicó su primer presupuesto abierto, que permite seguir cada proyecto"
        " desde su aprobación hasta su finalización.",
        "{city} organiza cada año un concurso que financia las tres mejores ideas propuestas por"
        " su propio personal.",
    ],
    "fr": [
        "{city} a ouvert un laboratoire citoyen où habitants et agents testent ensemble de"
        " nouveaux services avant leur déploiement dans toute la ville.",
        "En 2021, {city} a publié son premier budget ouvert : chacun peut suivre chaque projet,"
        " de son approbation à son achèvement.",
        "{city} organise chaque année un concours qui finance les trois meilleures idées"
        " proposées par ses propres agents.",
    ],
    "pt": [
        "{city} abriu um laboratório cívico onde moradores e servidores testam juntos novos"
        " serviços antes de levá-los a toda a cidade.",
        "Em 2021, {city} publicou seu primeiro orçamento aberto, que permite acompanhar cada"
        " projeto da aprovação à conclusão.",
        "{city} promove todos os anos um concurso que financia as três melhores ideias"
        " propostas pelos próprios servidores.",
    ],
}


def typed(rng: random.Random, texts: list[str], translated: dict[str, list[str]], row: dict) -> str:
    """One of texts (as the English-speaking cities typed it), in the city's own language
    where it has one; the same draw from rng either way."""
    choice = rng.randrange(len(texts))
    return translated.get(row["language"], texts)[choice].format(city=row["city"])


def pick(rng: random.Random, question: str, low: int, high: int) -> str:
    keys = list(vocabulary.options(question))
    return answers(question, rng.sample(keys, rng.randint(low, high)))


def invented_row(rng: random.Random, spec: tuple) -> dict:
    city, country, strategy, funding, approach, mayor, lead, pop, year, extras = spec
    row: dict = {
        "city": city,
        "country": country,
        "formal_strategy": strategy,
        "dedicated_funding": funding,
        "approach": approach,
        "language": extras.get("language", "en"),
        "contact_email": f"innovation@{rng.randint(100, 999)}.example",
    }
    if extras.get("sparse"):  # a respondent who skipped most optional questions
        row["priority_areas"] = pick(rng, "policy_areas", 1, 1)
        row["innovation_helps"] = pick(rng, "innovation_helps", 1, 2)
        row["sufficient"] = rng.sample(list(vocabulary.policy_areas()), 3)
        row["grid_answered"] = 9
        return row
    start = rng.choice([2018, 2019, 2020, 2021])
    row.update(
        {
            "mayor": mayor,
            "innovation_lead": lead,
            "term": f"{start}–{start + 4}",
            "population": pop,
            "population_year": year,
            "website": f"https://data.{rng.randint(10, 99)}.example/innovation",
            "org_structure": typed(rng, STRUCTURES, STRUCTURES_IN, row),
            "staff_profiles": pick(rng, "staff_profiles", 2, 5),
            "spotlight": extras.get("spotlight") or typed(rng, SPOTLIGHTS, SPOTLIGHTS_IN, row),
            "innovation_associations": pick(rng, "innovation_associations", 1, 3),
            "priority_areas": pick(rng, "policy_areas", 2, 2),
            "partners_innovation": pick(rng, "partners", 1, 4),
            "partners_data": pick(rng, "partners", 1, 2),
            "funding_sources": pick(rng, "funding_sources", 1, 3) if funding == "Yes" else None,
            "funding_directed": pick(rng, "funding_directed", 1, 3) if funding == "Yes" else None,
            "innovation_helps": pick(rng, "innovation_helps", 2, 4),
            "success_factors": pick(rng, "success_factors", 1, 3),
            "role_of_data": rng.choice(["Significant", "Somewhat significant", "Not significant"]),
            "data_uses": pick(rng, "data_uses", 1, 3),
            "data_challenges": pick(rng, "data_challenges", 1, 3),
            "open_data": vocabulary.sample_answer(
                "open_data", rng.choice(vocabulary.options("open_data"))
            ),
            "sufficient": rng.sample(list(vocabulary.policy_areas()), rng.randint(3, 10)),
        }
    )
    return row


def main() -> None:
    rng = random.Random(2024)
    rows = [LIMA] + [invented_row(rng, spec) for spec in INVENTED]
    headers = list(FIELDS.values()) + list(GRID.values())
    table: list[list[object]] = [headers]
    for row in rows:
        answered = list(GRID)[: row.get("grid_answered", len(GRID))]
        values = [row.get(field) for field in FIELDS]
        values += [
            "Yes" if area in row["sufficient"] else "No" if area in answered else None
            for area in GRID
        ]
        table.append(values)
    out = ROOT / "inputs" / "sample-survey.xlsx"
    write_xlsx(out, table, sheet=PROFILE["profile"]["sheet"], styled_header=True)
    print(f"wrote {out} ({len(rows)} cities)")


if __name__ == "__main__":
    main()
