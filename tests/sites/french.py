"""Realistic French defence and aviation news articles, generated from templates and a seed.

Deterministic: the same ``(seed, index)`` always gives the same article. Sentences are drawn
without replacement from several pools, so two articles share little text and are not
mistaken for near-duplicates. All characters fit windows-1252 (one page is served in it).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from newscrawler.demo.markup import slugify

# (name, tag, category, maker, kind with its article)
PROGRAMS = [
    ("Rafale F4", "Rafale", "aviation", "Dassault Aviation", "l’avion de combat"),
    ("A400M Atlas", "A400M", "aviation", "Airbus", "l’avion de transport tactique"),
    ("SCAF", "SCAF", "defense", "Dassault Aviation et Airbus", "le système de combat aérien"),
    ("FDI", "Marine nationale", "defense", "Naval Group", "la frégate de défense"),
    ("PANG", "Marine nationale", "defense", "Naval Group", "le futur porte-avions"),
    ("Eurodrone", "Drones", "aviation", "Airbus", "le drone MALE européen"),
    ("H160M Guépard", "Hélicoptères", "aviation", "Airbus Helicopters", "l’hélicoptère léger"),
    ("Caesar MkII", "Artillerie", "defense", "KNDS France", "le canon automoteur"),
    ("Aster 30", "Missiles", "defense", "MBDA", "le missile sol-air"),
    ("MRTT Phénix", "Ravitaillement", "aviation", "Airbus", "l’avion ravitailleur"),
    ("Mirage 2000D", "Mirage", "aviation", "Dassault Aviation", "l’avion d’attaque au sol"),
    ("Serval", "Armée de Terre", "defense", "KNDS France", "le véhicule blindé multi-rôles"),
]
AUTHORS = {
    "jdupont": ("Jean Dupont", "Jean Dupont suit les questions de défense depuis vingt ans."),
    "cmartin": ("Claire Martin", "Claire Martin couvre l’industrie aéronautique et spatiale."),
    "plefevre": ("Paul Lefèvre", "Ancien pilote de chasse, Paul Lefèvre analyse les programmes."),
    "erousseau": ("Émilie Rousseau", "Émilie Rousseau enquête sur les budgets de la Défense."),
}
TITLES = [
    "{p} : la DGA notifie une commande de {n} exemplaires supplémentaires",
    "Essais : nouvelle étape décisive pour le programme {p} à {place}",
    "Le programme {p} accuse un retard de {m} mois, selon un rapport parlementaire",
    "{maker} accélère les livraisons du programme {p}",
    "Export : le programme {p} suscite l’intérêt de {country}",
    "Budget 2026 : quelle place pour le programme {p} ?",
    "À {place}, les équipages se préparent à l’arrivée du {p}",
    "Cybersécurité : le programme {p} renforce la protection de ses systèmes",
    "Maintenance : la disponibilité du {p} progresse enfin",
    "Exercice {exercise} : le {p} mis à l’épreuve avec les alliés",
]
LEADS = [
    "{day}, {person} a confirmé que le programme {p}, mené par {maker}, entrait dans une "
    "nouvelle phase.",
    "C’est une annonce attendue depuis des mois : le programme {p} franchit un cap, a fait "
    "savoir le ministère des Armées {day_lower}, ce qui a été reçu comme un soulagement.",
    "{day}, les responsables du programme {p} ont présenté un point d’étape devant la "
    "commission de la Défense de l’Assemblée nationale.",
]
POOLS: dict[str, list[str]] = {
    "context": [
        "Le programme {p} est au cœur de la loi de programmation militaire, qui prévoit un "
        "effort inédit en faveur de l’équipement des forces.",
        "Selon {maker}, {kind} doit remplacer des matériels dont certains totalisent plus de "
        "trente ans de service.",
        "Les premiers exemplaires ont été affectés à {place}, où les équipes ont suivi "
        "plusieurs semaines de formation.",
        "Le calendrier initial prévoyait une mise en service dès {year}, mais plusieurs "
        "ajustements techniques ont été nécessaires.",
        "Pour l’état-major, la montée en puissance de ce programme conditionne la capacité des "
        "armées à tenir dans la durée.",
        "Les retours d’expérience des opérations récentes ont conduit à revoir plusieurs "
        "exigences, notamment en matière de guerre électronique.",
        "La question de la souveraineté industrielle française revient régulièrement dans les "
        "débats autour du programme {p}.",
    ],
    "figures": [
        "Le montant de la commande s’élève à {amount} millions d’euros, selon les documents "
        "budgétaires consultés par la rédaction.",
        "À terme, {n} exemplaires devraient être livrés, contre {n2} prévus dans la version "
        "initiale du programme.",
        "Le coût unitaire, souvent critiqué, aurait baissé de {pct} % grâce à "
        "l’industrialisation de la chaîne de production.",
        "La Cour des comptes estimait l’an passé que le programme avait déjà consommé près de "
        "{amount2} millions d’euros de crédits.",
        "Le taux de disponibilité atteindrait désormais {pct2} %, un niveau jamais observé "
        "depuis l’entrée en service.",
        "Près de {jobs} emplois directs et indirects dépendent de ce programme, répartis sur "
        "une centaine de sites en France.",
        "Le contrat comprend également {m} mois de soutien logistique et la formation de {n3} "
        "techniciens.",
    ],
    "quotes": [
        "« Nous avons franchi une étape importante, mais le plus dur reste à venir », a "
        "souligné {who}.",
        "« Ce programme est indispensable pour conserver notre supériorité opérationnelle "
        "face à des adversaires qui progressent vite », a déclaré {who}.",
        "« Les équipages attendent ce matériel avec impatience », a confié {who} lors d’un "
        "point presse.",
        "« Il n’y aura pas de dérapage budgétaire supplémentaire », a assuré {who} devant "
        "les députés.",
        "« La coopération avec nos partenaires européens doit être exemplaire », a insisté {who}.",
        "D’après {who}, les premiers résultats sont « très encourageants » et confirment les "
        "choix techniques effectués.",
    ],
    "industry": [
        "Chez {maker}, on assure que la cadence de production pourra être augmentée si l’État "
        "en fait la demande.",
        "Les sous-traitants, souvent des PME, s’inquiètent toutefois de tensions persistantes "
        "sur les approvisionnements en titane et en composants électroniques.",
        "Le site industriel de {place} a recruté plus de {recruits} personnes en un an pour "
        "tenir les objectifs de livraison.",
        "Plusieurs équipementiers français, dont Safran et Thales, sont associés au "
        "développement des systèmes embarqués.",
        "Le maintien en condition opérationnelle sera confié à un consortium piloté par "
        "{maker}, pour une durée de dix ans.",
        "Des discussions seraient en cours avec {country}, qui pourrait commander jusqu’à {n4} "
        "unités.",
    ],
    "operations": [
        "Lors de l’exercice {exercise}, le dispositif a été engagé aux côtés de moyens alliés "
        "pendant deux semaines.",
        "Les essais menés au centre d’expertise de {place} ont permis de valider l’intégration "
        "de nouvelles munitions.",
        "La dernière campagne de tirs s’est déroulée dans des conditions météorologiques "
        "difficiles, sans incident notable.",
        "Les équipages ont notamment travaillé sur la coordination avec les drones et les "
        "moyens de commandement aéroportés.",
        "Un premier déploiement opérationnel est envisagé dès l’an prochain, sous réserve des "
        "résultats de la campagne d’évaluation.",
    ],
    "outlook": [
        "Le prochain jalon est attendu en {month}, avec la revue de conception détaillée.",
        "Le ministère des Armées doit présenter d’ici la fin de l’année une actualisation de "
        "la programmation militaire, qui précisera l’avenir du programme.",
        "Les parlementaires ont prévu d’auditionner à nouveau les responsables du programme "
        "au printemps.",
        "Reste à savoir si les crédits suivront, dans un contexte budgétaire particulièrement "
        "contraint.",
    ],
}
# (first mention, later mentions)
PERSONS = [
    (
        "le général Hervé Lambert, chef d’état-major de l’Armée de l’Air et de l’Espace",
        "le général Lambert",
    ),
    ("l’amiral Bertrand Kéré, chef d’état-major de la Marine", "l’amiral Kéré"),
    ("Sophie Garnier, déléguée générale pour l’armement", "Sophie Garnier"),
    ("le député Antoine Mercier, rapporteur du budget de la Défense", "Antoine Mercier"),
    ("Hélène Rocher, directrice des programmes", "Hélène Rocher"),
    ("le colonel Luc Ferrand, commandant de la base aérienne", "le colonel Ferrand"),
]
PLACES = [
    "Istres",
    "Mont-de-Marsan",
    "Saint-Dizier",
    "Toulon",
    "Brest",
    "Cazaux",
    "Évreux",
    "Orléans-Bricy",
    "Lorient",
    "Cherbourg",
    "Bourges",
    "Salon-de-Provence",
]
COUNTRIES = ["l’Inde", "la Grèce", "l’Indonésie", "la Croatie", "l’Égypte", "l’Argentine"]
EXERCISES = ["Pitch Black", "Red Flag", "Polaris", "Orion", "Volfa", "Tiger Meet"]
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
DAYS = ["Ce lundi", "Mardi", "Ce mercredi", "Jeudi dernier", "Vendredi"]
COMMENTS = [
    ("Marc78", "Excellent article, merci pour ces précisions sur le calendrier."),
    ("Aviateur retraité", "Encore un programme qui prend du retard… On a déjà connu ça."),
    ("Julie B.", "Très intéressant. Quid du soutien à l’export dans ce dossier ?"),
    ("Pierre-Yves", "Il faudrait surtout commander davantage de munitions, sinon à quoi bon ?"),
    ("Fanfan", "Merci pour ce suivi régulier, on ne trouve ces informations nulle part."),
    ("Obs64", "Le chiffre de disponibilité me paraît bien optimiste, à vérifier sur la durée."),
]
_FIRST = datetime(2025, 1, 6, 7, 40, tzinfo=UTC)


@dataclass(frozen=True)
class Draft:
    """One generated article, before the site gives it a path."""

    title: str
    paragraphs: tuple[str, ...]
    author_slugs: tuple[str, ...]
    published: str
    modified: str
    category: str
    tags: tuple[str, ...]
    slug: str


def paris_iso(moment: datetime) -> str:
    """``moment`` in Paris local time: +01:00 in winter, +02:00 in summer (EU rule)."""
    utc = moment.astimezone(UTC)
    start = _last_sunday(utc.year, 3)
    end = _last_sunday(utc.year, 10)
    offset = 2 if start <= utc < end else 1
    return utc.astimezone(timezone(timedelta(hours=offset))).isoformat()


def _last_sunday(year: int, month: int) -> datetime:
    day = datetime(year, month + 1, 1, 1, tzinfo=UTC) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def draft(seed: int, index: int) -> Draft:
    """The ``index``-th article of the site seeded with ``seed`` (0 = the oldest)."""
    rng = random.Random(f"newscrawler-demo-{seed}-{index}")
    name, tag, category, maker, kind = PROGRAMS[index % len(PROGRAMS)]
    slots = _slots(rng, name, maker, kind)
    rounds = index // len(PROGRAMS)
    # Same program, next round: the next title template, so titles never repeat.
    template = (index % len(PROGRAMS) * 3 + seed + rounds) % len(TITLES)
    title = TITLES[template].format(**slots)
    if rounds >= len(TITLES):
        title += f" (épisode {rounds + 1})"
    published = _FIRST + timedelta(days=4 * index, minutes=rng.randrange(0, 600))
    modified = published + timedelta(minutes=rng.choice([0, 45, 180, 1500]))
    authors = [list(AUTHORS)[(index + seed) % len(AUTHORS)]]
    if index % 5 == 2:
        authors.append(list(AUTHORS)[(index + seed + 1) % len(AUTHORS)])
    return Draft(
        title=title,
        paragraphs=_paragraphs(rng, slots),
        author_slugs=tuple(authors),
        published=paris_iso(published),
        modified=paris_iso(modified),
        category=category,
        tags=(tag, "Défense européenne") if category == "defense" else (tag, "Aéronautique"),
        slug=slugify(title),
    )


def comments_for(seed: int, key: str) -> list[tuple[str, str]]:
    """The two reader comments shown under the article identified by ``key``."""
    return random.Random(f"comments-{seed}-{key}").sample(COMMENTS, 2)


def _slots(rng: random.Random, name: str, maker: str, kind: str) -> dict[str, str]:
    day = rng.choice(DAYS)
    person, who = rng.choice(PERSONS)
    return {
        "p": name,
        "maker": maker,
        "kind": kind,
        "day": day,
        "day_lower": day.lower(),
        "person": person,
        "who": who,
        "place": rng.choice(PLACES),
        "country": rng.choice(COUNTRIES),
        "exercise": rng.choice(EXERCISES),
        "month": rng.choice(MONTHS),
        "year": str(rng.randrange(2024, 2031)),
        "n": str(rng.randrange(6, 60)),
        "n2": str(rng.randrange(60, 120)),
        "n3": str(rng.randrange(20, 400)),
        "n4": str(rng.randrange(8, 40)),
        "m": str(rng.randrange(6, 36)),
        "pct": str(rng.randrange(5, 25)),
        "pct2": str(rng.randrange(55, 85)),
        "amount": _thousands(rng.randrange(120, 9800)),
        "amount2": _thousands(rng.randrange(1000, 30000)),
        "jobs": f"{rng.randrange(2, 25)} 000",
        "recruits": str(rng.randrange(50, 900)),
    }


def _paragraphs(rng: random.Random, slots: dict[str, str]) -> tuple[str, ...]:
    pools = {name: rng.sample(pool, len(pool)) for name, pool in POOLS.items()}
    middle = ["figures", "quotes", "industry", "operations", "context"]
    rng.shuffle(middle)
    plan = [["context"]] + [[m, rng.choice(list(POOLS))] for m in middle[: rng.randrange(3, 6)]]
    plan.append(["outlook", "outlook"])
    paragraphs = [rng.choice(LEADS).format(**slots)]
    for kinds in plan:
        sentences = [pools[k].pop().format(**slots) for k in kinds if pools[k]]
        if paragraphs and kinds == ["context"]:
            paragraphs[0] += " " + sentences[0]
        elif sentences:
            paragraphs.append(" ".join(sentences))
    return tuple(paragraphs)


def _thousands(value: int) -> str:
    """French digit grouping: 12 500, not 12,500."""
    return f"{value:,}".replace(",", " ")
