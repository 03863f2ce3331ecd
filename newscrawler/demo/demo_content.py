"""The articles of the friendly demo site "Le Petit Quotidien / The Daily Demo".

Plain data, in French and English, so the demo's sample searches (stemming, accents,
languages, authors, dates with offsets) have something real to find.
"""

from __future__ import annotations

from datetime import datetime

from newscrawler.demo.site import ArticleSpec

SECTIONS = {
    "actualites": "Actualités / News",
    "sciences": "Sciences",
    "culture": "Culture",
}

_ARTICLES: list[dict[str, object]] = [
    {
        "section": "actualites",
        "lang": "fr",
        "slug": "la-ville-ouvre-une-piste-cyclable",
        "title": "La ville ouvre une nouvelle piste cyclable le long du canal",
        "authors": ("Marie Lefort",),
        "published": "2025-03-03T07:30:00+01:00",
        "modified": "2025-03-03T11:05:00+01:00",
        "tags": ("vélo", "urbanisme"),
        "paragraphs": (
            "Après deux ans de travaux, la piste cyclable du canal a été inaugurée lundi matin "
            "par la maire, sous un ciel encore hésitant mais devant une foule de cyclistes.",
            "Longue de 6,5 kilomètres, elle relie la gare au parc des Écluses et doit permettre "
            "d’éviter le boulevard, où les accidents se sont multipliés ces dernières années.",
            "« Nous voulons que chacun puisse aller au travail à vélo en sécurité », a déclaré "
            "l’élue, qui promet l’installation de trois cents arceaux de stationnement "
            "d’ici l’été.",
            "Les associations d’usagers saluent un progrès, tout en regrettant que la traversée "
            "du pont Saint-Michel reste partagée avec les voitures.",
        ),
    },
    {
        "section": "actualites",
        "lang": "en",
        "slug": "harbour-ferry-returns",
        "title": "Harbour ferry returns after a winter of repairs",
        "authors": ("Tom Becker",),
        "published": "2025-03-10T06:45:00Z",
        "modified": "2025-03-10T09:20:00Z",
        "tags": ("transport",),
        "paragraphs": (
            "The little blue ferry that links the old harbour to the island resumed service on "
            "Monday, after a winter spent in dry dock having its engine and hull repaired.",
            "Commuters queued from six in the morning, many of them relieved to leave behind the "
            "replacement bus, which took forty minutes to cover what the ferry does in ten.",
            "The operator says the refitted vessel burns a third less fuel and can now carry "
            "bicycles, a change that cycling groups had requested for more than a decade.",
            "Timetables are unchanged for now, with departures every twenty minutes at peak "
            "hours and a last crossing at half past eleven in the evening.",
        ),
    },
    {
        "section": "actualites",
        "lang": "fr",
        "slug": "marche-couvert-renove",
        "title": "Le marché couvert rouvre ses portes après sa rénovation",
        "authors": ("Marie Lefort", "Chloé Nguyen"),
        "published": "2025-04-05T08:00:00+02:00",
        "modified": "2025-04-06T10:15:00+02:00",
        "tags": ("commerce", "urbanisme"),
        "paragraphs": (
            "Fermé pendant dix-huit mois, le marché couvert a rouvert samedi avec ses quarante "
            "commerçants, une verrière restaurée et un éclairage entièrement revu.",
            "Les fromagers, maraîchers et poissonniers ont retrouvé leurs étals, tandis que deux "
            "nouveaux venus proposent du café torréfié sur place et des pâtisseries végétales.",
            "La rénovation, qui a coûté 4,2 millions d’euros, a aussi permis d’isoler la toiture : "
            "la facture de chauffage devrait baisser de moitié selon les services techniques.",
            "Le marché est désormais ouvert du mardi au dimanche, avec une nocturne le jeudi "
            "jusqu’à vingt et une heures pendant toute la saison estivale.",
        ),
    },
    {
        "section": "actualites",
        "lang": "en",
        "slug": "library-late-opening",
        "title": "Central library trials late opening hours for students",
        "authors": ("Sarah Collins",),
        "published": "2025-05-12T17:10:00+01:00",
        "modified": "2025-05-12T17:10:00+01:00",
        "tags": ("education",),
        "paragraphs": (
            "The central library will stay open until midnight on weekdays during the exam "
            "season, a six-week trial that the city council approved on Thursday.",
            "Students had petitioned for longer hours, arguing that many of them share crowded "
            "flats and have nowhere quiet to revise after the university buildings close.",
            "Two extra security staff will be hired for the evening shifts, and the café on the "
            "ground floor has agreed to keep serving hot drinks until ten o’clock.",
            "If attendance is high, the council says the late opening could become permanent "
            "from the autumn, funded by savings on the library’s energy contract.",
        ),
    },
    {
        "section": "sciences",
        "lang": "fr",
        "slug": "hirondelles-reviennent-plus-tot",
        "title": "Les hirondelles reviennent de plus en plus tôt, selon un comptage participatif",
        "authors": ("Chloé Nguyen",),
        "published": "2025-04-14T09:00:00+02:00",
        "modified": "2025-04-15T08:30:00+02:00",
        "tags": ("biodiversité", "climat"),
        "paragraphs": (
            "Un comptage mené par plus de deux mille bénévoles montre que les hirondelles "
            "rustiques arrivent en moyenne onze jours plus tôt qu’il y a trente ans.",
            "Les chercheurs du muséum régional y voient un effet du réchauffement climatique, "
            "qui avance le printemps et modifie la disponibilité des insectes dont se "
            "nourrissent les oiseaux : le climat change plus vite que leurs habitudes.",
            "Cette avance n’est pas sans risque : un retour de froid tardif peut priver les "
            "hirondelles de nourriture au moment où elles construisent leurs nids.",
            "Les organisateurs invitent les habitants à signaler leurs observations sur le site "
            "du muséum et à préserver les nids installés sous les toits des granges.",
        ),
    },
    {
        "section": "sciences",
        "lang": "en",
        "slug": "students-build-weather-station",
        "title": "Students build a solar-powered weather station on the school roof",
        "authors": ("Tom Becker", "Sarah Collins"),
        "published": "2025-06-02T10:30:00+01:00",
        "modified": "2025-06-03T14:00:00+01:00",
        "tags": ("education", "climate"),
        "paragraphs": (
            "A class of fifteen-year-olds has built a weather station that now records "
            "temperature, humidity, wind speed and rainfall every five minutes from the "
            "school roof.",
            "The station runs on a small solar panel and sends its readings over the school "
            "network to a public web page, where anyone can follow the local weather.",
            "Their physics teacher says the project taught more than any textbook: the students "
            "had to calibrate sensors, debug software and waterproof their own enclosures.",
            "The national meteorological office has offered to include the station in its "
            "volunteer network, which already counts several hundred amateur stations.",
        ),
    },
    {
        "section": "sciences",
        "lang": "fr",
        "slug": "telescope-amateur-comete",
        "title": "Un astronome amateur photographie une comète depuis son jardin",
        "authors": ("Marie Lefort",),
        "published": "2025-01-20T22:15:00+01:00",
        "modified": "2025-01-21T07:40:00+01:00",
        "tags": ("astronomie",),
        "paragraphs": (
            "Passionné d’astronomie depuis l’enfance, un retraité de la commune a réussi à "
            "photographier la comète de passage avec un télescope installé au fond de son jardin.",
            "Il lui a fallu trois nuits d’observation et plus de quatre cents poses de trente "
            "secondes pour obtenir une image nette de la queue de poussière.",
            "Son cliché a été relayé par l’observatoire régional, qui rappelle que la comète "
            "reste visible aux jumelles jusqu’à la fin du mois, loin des lumières de la ville.",
            "Le club d’astronomie organise une soirée d’observation ouverte à tous samedi, sur "
            "le plateau, si la météo le permet.",
        ),
    },
    {
        "section": "sciences",
        "lang": "en",
        "slug": "river-water-quality-improves",
        "title": "River water quality improves for the third year running",
        "authors": ("Sarah Collins",),
        "published": "2025-07-08T08:05:00Z",
        "modified": "2025-07-09T12:45:00Z",
        "tags": ("climate", "environment"),
        "paragraphs": (
            "Water samples taken along the river show lower levels of nitrates and bacteria for "
            "the third year in a row, according to the annual report of the environment agency.",
            "The improvement follows the upgrade of two treatment plants and new rules limiting "
            "the spreading of fertiliser on fields close to the riverbanks.",
            "Anglers report that trout have returned to stretches where they had not been seen "
            "since the nineteen-nineties, a sign that oxygen levels are recovering too.",
            "Swimming is still not allowed in the town centre, but the agency says a bathing "
            "area upstream could open next summer if the trend continues.",
        ),
    },
    {
        "section": "culture",
        "lang": "fr",
        "slug": "festival-jazz-programme",
        "title": "Le festival de jazz dévoile une programmation très féminine",
        "authors": ("Chloé Nguyen",),
        "published": "2025-05-20T12:00:00+02:00",
        "modified": "2025-05-20T18:30:00+02:00",
        "tags": ("musique", "festival"),
        "paragraphs": (
            "Pour sa vingtième édition, le festival de jazz accueillera en juillet vingt-quatre "
            "formations, dont les deux tiers sont menées par des musiciennes.",
            "La directrice artistique assume ce choix : « Les talents sont là, il suffisait de "
            "les programmer », explique-t-elle, en citant la pianiste qui ouvrira le festival.",
            "Les concerts gratuits du kiosque sont maintenus chaque fin d’après-midi, et une "
            "scène sera réservée aux élèves du conservatoire le dernier week-end.",
            "La billetterie ouvre vendredi ; un tarif réduit est proposé aux moins de vingt-cinq "
            "ans et aux demandeurs d’emploi.",
        ),
    },
    {
        "section": "culture",
        "lang": "en",
        "slug": "museum-opens-textile-gallery",
        "title": "Museum opens a gallery devoted to the town's textile past",
        "authors": ("Tom Becker",),
        "published": "2025-02-14T11:00:00Z",
        "modified": "2025-02-14T15:30:00Z",
        "tags": ("history", "museum"),
        "paragraphs": (
            "The town museum has opened a new gallery telling the story of the weaving mills "
            "that employed half the town's population at the start of the twentieth century.",
            "Visitors can see a restored loom in working order, sample books of printed cottons "
            "and recorded interviews with former mill workers, the youngest now in their eighties.",
            "The curator spent three years collecting objects donated by local families, many of "
            "whom had kept tools and fabrics in their attics for generations.",
            "Entry to the gallery is free on the first Sunday of each month, and guided tours "
            "for schools can be booked through the museum's website.",
        ),
    },
    {
        "section": "culture",
        "lang": "fr",
        "slug": "cinema-plein-air-ete",
        "title": "Le cinéma en plein air revient sur les quais cet été",
        "authors": ("Marie Lefort",),
        "published": "2025-06-18T09:45:00+02:00",
        "modified": "2025-06-19T16:20:00+02:00",
        "tags": ("cinéma", "festival"),
        "paragraphs": (
            "Chaque jeudi de juillet et d’août, un écran géant sera installé sur les quais pour "
            "des projections gratuites à la tombée de la nuit.",
            "Le programme mêle grands classiques, films d’animation et documentaires, choisis "
            "cette année par un jury de lycéens et de résidents de la maison de retraite.",
            "Des chaises longues seront prêtées sur place, mais les organisateurs conseillent "
            "d’apporter un coussin et une couverture, les soirées au bord de l’eau étant fraîches.",
            "En cas de pluie, la séance sera déplacée dans la salle des fêtes, à deux pas du "
            "pont, où cent cinquante places seront disponibles.",
        ),
    },
    {
        "section": "culture",
        "lang": "en",
        "slug": "book-festival-record",
        "title": "Book festival draws a record crowd despite the rain",
        "authors": ("Sarah Collins", "Tom Becker"),
        "published": "2025-09-29T19:00:00+01:00",
        "modified": "2025-09-30T08:10:00+01:00",
        "tags": ("books", "festival"),
        "paragraphs": (
            "More than twelve thousand visitors came to the book festival over the weekend, a "
            "record for the event, even though heavy rain fell for most of Saturday.",
            "Queues for signings stretched around the market square, where a crime novelist and "
            "a young poet drew the longest lines of the festival.",
            "Local bookshops reported their best weekend of the year, and the children's tent "
            "had to turn families away during the afternoon storytelling sessions.",
            "Organisers are already planning next year's edition and hope to add a second "
            "marquee so that readers can stay dry whatever the weather.",
        ),
    },
]


def demo_articles() -> list[ArticleSpec]:
    """The demo articles, newest first, each under ``/<section>/<yyyy>/<mm>/<slug>.html``."""
    specs = []
    for data in _ARTICLES:
        published = str(data["published"])
        path = f"/{data['section']}/{published[:4]}/{published[5:7]}/{data['slug']}.html"
        paragraphs = tuple(data["paragraphs"])  # type: ignore[arg-type]
        specs.append(
            ArticleSpec(
                path=path,
                title=str(data["title"]),
                paragraphs=paragraphs,
                authors=tuple(data["authors"]),  # type: ignore[arg-type]
                published=published,
                modified=str(data["modified"]),
                lang=str(data["lang"]),
                section=str(data["section"]),
                tags=tuple(data["tags"]),  # type: ignore[arg-type]
                description=paragraphs[0],
            )
        )
    return sorted(specs, key=lambda a: datetime.fromisoformat(a.published), reverse=True)
