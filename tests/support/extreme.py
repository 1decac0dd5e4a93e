"""Extreme but realistic respondents: the longest answers a snapshot must survive.

EXTREME answers everything at its longest: a 40-character city name, long person names
and link, a 250-word spotlight, every option chosen in every question. CROWDED has the same
long names and every option, but a short spotlight and organisation: it still needs a third
page, for other sections than the spotlight.
"""

from __future__ import annotations

from snapshotpdf.survey import vocabulary

SEP = "; "


def every(question: str) -> str:
    """Every option of a question, as the sample export writes them."""
    return SEP.join(vocabulary.sample_answer(question, k) for k in vocabulary.options(question))


def grid() -> dict[str, str]:
    """Every policy area answered, alternating Yes and No."""
    return {area: "Yes" if i % 2 else "No" for i, area in enumerate(vocabulary.policy_areas())}


CITY_40 = "San Cristóbal de los Altos del Valle Sur"  # 40 characters
assert len(CITY_40) == 40

SPOTLIGHT_250 = (
    "When the regional rail line closed in 2016, San Cristóbal de los Altos del Valle Sur lost "
    "its fastest link to the capital and, within two years, almost a fifth of the young "
    "people who had commuted on it. The city answered with an innovation programme that "
    "began as a single room in the old station building and a promise to test every new "
    "service with the residents who would use it. Staff from transport, housing and social "
    "services moved into that room for three days a week, together with two designers and a "
    "data analyst seconded from the university, and started with the questions residents "
    "asked most often at the counter.\n\n"
    "The first pilots were modest: demand-responsive minibuses booked by telephone or text "
    "message, a shared calendar of clinic hours across the valley, and a single form for "
    "the eleven permits a small shop needs. Each pilot ran for twelve weeks with a public "
    "dashboard of its results, and each was either scaled, changed or stopped in an open "
    "council session. The minibuses now carry more than four thousand passengers a month, "
    "the permit form has cut the average wait from nine weeks to three, and the clinic "
    "calendar was adopted by two neighbouring municipalities. The station room has become "
    "a permanent laboratory with its own budget line, a citizens' panel that meets every "
    "month, and a rule that no new digital service goes live before residents over seventy "
    "have tried it and said that it works for them."
)
assert 245 <= len(SPOTLIGHT_250.split()) <= 255, len(SPOTLIGHT_250.split())

EXTREME: dict[str, object] = {
    "city": CITY_40,
    "country": "Bosnia and Herzegovina",
    "mayor": "María Fernanda Alejandra de los Ángeles Rodríguez-Villanueva",
    "term": "2019-2027",
    "innovation_lead": "Jean-Baptiste Alexandre Marie-Christophe Beauchamp-Delacroix",
    "population": 12345678,
    "population_year": 2023,
    "website": "https://datos-abiertos.san-cristobal-de-los-altos-del-valle-sur.example/portal/",
    "org_structure": (
        "Innovation is led by a cross-departmental Office of Innovation and Digital "
        "Government reporting directly to the Mayor, with innovation champions in each of "
        "the city's fourteen departments, a standing partnership with two universities and "
        "a residents' advisory board that reviews every project before and after its pilot."
    ),
    "staff_profiles": every("staff_profiles"),
    "spotlight": SPOTLIGHT_250,
    "formal_strategy": "Yes",
    "innovation_associations": every("innovation_associations"),
    "approach": "Both",
    "priority_areas": "Social Inclusion, Equity; Labour Market and Skills",
    "partners_innovation": every("partners"),
    "partners_data": every("partners"),
    "dedicated_funding": "Yes",
    "funding_sources": every("funding_sources"),
    "funding_directed": every("funding_directed"),
    "innovation_helps": every("innovation_helps"),
    "success_factors": every("success_factors"),
    "role_of_data": "Somewhat significant",
    "data_uses": every("data_uses"),
    "data_challenges": every("data_challenges"),
    "open_data": "Yes, but not to a central location",
    **grid(),
}

CROWDED: dict[str, object] = {
    **EXTREME,
    "city": "Villanueva de la Cañada del Norte",
    "country": "Spain",
    "spotlight": " ".join(SPOTLIGHT_250.split()[:60]) + ".",
    "org_structure": "A small innovation unit in the Mayor's office leads the work.",
}
