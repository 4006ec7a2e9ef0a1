"""The Leidraad's knelpunten and leidende principes, quoted, for the werkprocesbeschrijving.

Source: seed 000 (Leidraad "Het tijdelijk huisverbod vanuit een nieuw perspectief", pages 3-8, "De 10 leidende
principes"). The texts are the Leidraad's own words; only OCR errors are fixed ("RIHG"/"RiIHG" -> "RiHG",
"initiéren" -> "initiëren", "beeft" -> "heeft") and bullets joined with "; ". Principle 8 ("Uitvoeren") has four
parts in the Leidraad (A inzet van hulp, B plegeraanpak, C perspectief van het kind, D termijnen), so its codes
are 8A-8D. The phase of a principle is the column of the Leidraad's figure it stands under.

Models name a principle with the property ``leidraadPrincipe`` (engine.base.vocabulary); the deploy refuses an
unknown code (engine.modeling.phases).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Principle:
    code: str
    title: str
    phase: str  # a code of engine.base.vocabulary.PHASES
    knelpunt: str
    principe: str


PRINCIPLES: tuple[Principle, ...] = (
    Principle(
        "1",
        "Verzoeken huisverbod-procedure",
        "opstarten_verzoeken",
        "Het tijdelijk huisverbod wordt vaak alleen verzocht na een crisismelding (in plaats van vroegtijdig bij "
        "structurele onveiligheid of patroon van geweld); alleen de politie initieert de opstart van een tijdelijk "
        "huisverbod; een huisverbod-procedure wordt zelden verzocht bij kindermishandeling.",
        "Het verzoek tot het opstarten van een huisverbod is een afweging die alle partijen kunnen maken indien "
        "sprake is van onmiddellijk en dreigend gevaar van huiselijk geweld en/of kindermishandeling of bij "
        "onderbouwde vermoedens van structurele onveiligheid.",
    ),
    Principle(
        "2",
        "Integraal afwegen",
        "opstarten_verzoeken",
        "Het tijdelijk huisverbod wordt onvoldoende in samenhang met andere interventies en maatregelen benut, "
        "waardoor het een ‘eigenstandige’ procedure wordt.",
        "Indien sprake is van mogelijke inzet van veiligheidsmaatregelen bij huiselijk geweld en/of "
        "kindermishandeling dan is het tijdelijk huisverbod onderdeel van die afweging, waarbij rekening wordt "
        "gehouden met de inzet van het minst zware middel om adequaat de veiligheid te waarborgen.",
    ),
    Principle(
        "3",
        "Onmiddellijkheidscriterium",
        "beoordelen",
        "Het onderbouwen van een vermoeden van ernstig en onmiddellijk gevaar wordt veelal benaderd vanuit "
        "strafrechtelijk perspectief. Terwijl vanuit bestuursrechtelijk perspectief deze onderbouwing alleen "
        "aannemelijk gemaakt hoeft te worden.",
        "Er wordt vaker tegemoet gekomen aan het doel van de bestuurlijke maatregel, namelijk bescherming bieden in "
        "die gevallen waar nog geen vermoeden is van strafbare feiten, maar wel aannemelijk is dat er sprake is van "
        "ernstig en onmiddellijk gevaar.",
    ),
    Principle(
        "4",
        "Anders-dan-incidenteel-verblijven criterium",
        "beoordelen",
        "Het ‘anders dan incidenteel verblijven’-criterium in de Wet tijdelijk huisverbod levert verschillende "
        "interpretatieproblemen op en wordt vaak gekoppeld aan een specifieke woning in plaats van een persoon, "
        "waardoor het huisverbod vaak niet ingezet kan worden bij ex-partnergeweld.",
        "Het is duidelijk waarvoor en in welke situaties het ‘anders dan incidenteel’-criterium geldt, door de "
        "elementen als aard, frequentie en duur nader te specificeren. Daar waar het gaat om situaties waarbij de "
        "woning of verblijfplaats van betrokkene niet of minder relevant is, maar wanneer de bescherming van "
        "personen wel (hoog) nodig wordt geacht, kunnen aanvullende bestuursrechtelijke maatregelen worden "
        "toegepast, zoals een gebieds-, locatie- en contactverbod.",
    ),
    Principle(
        "5",
        "Samenloop straf- en bestuursrecht",
        "beoordelen",
        "Bij het merendeel van de huisverboden is er een samenloop met strafrechtelijk optreden, namelijk "
        "aanhouding van de verdachte. Deze zaken komen op de ZSM-tafel en vanuit dat perspectief wordt er weinig "
        "afstemming gezocht m.b.t. het al dan niet opleggen van het tijdelijk huisverbod (en/of "
        "gedragsaanwijzing). Waardevolle informatie, die van belang is voor zowel de beslissing op de ZSM als de "
        "beslissing tot het al dan niet opleggen van een tijdelijk huisverbod, wordt niet altijd tijdig gedeeld. "
        "Ook indien (tegelijkertijd) sprake is van kindermishandeling wordt deze informatie niet meegenomen in de "
        "afdoening.",
        "Bij samenloop van bestuursrecht (huisverbod) en strafrecht (aanhouding verdachte) neemt de officier van "
        "justitie op de ZSM-tafel altijd in overweging een gedragsaanwijzing op te leggen (art. 509hh Sv; zoals "
        "een gebieds- en contactverbod en/of de voortzetting of intensivering van al reeds bestaande "
        "hulpverlening) in aansluiting op het huisverbod (of na afloop daarvan), zodat de ingezette hulp ook bij "
        "afloop van een tijdelijk huisverbod een verplichtend karakter krijgt en betrokkenen beschermd blijven. "
        "Dit geldt ook voor kindermishandeling.",
    ),
    Principle(
        "6",
        "Beoordelen tijdelijk huisverbod",
        "beoordelen",
        "Het RiHG dateert van 2008 en is sindsdien niet meer herijkt. Bepaalde signalen worden niet of met "
        "onvoldoende gewicht meegenomen, zoals non-fatale wurging, dierengeweld, eergerelateerd geweld, "
        "ouderenmishandeling, etc.; het RiHG is met name gericht op een (recent) geweldsincident; alleen politie "
        "is gemandateerd voor het afnemen van RiHG.",
        "Het initiëren en beoordelen van een tijdelijk huisverbod vergt specifieke kennis over (patronen en "
        "complexe vormen van) huiselijk geweld én kindermishandeling en vraagt om een (integrale veiligheids- en "
        "risico) beoordeling die hierop aansluit. Zorg voor een zo goed onderbouwd verzoek aan een partij die de "
        "RiHG afneemt, zodat een huisverbod-procedure kan worden opgestart en beoordeeld. (In acute situaties moet "
        "zowel via de politie als via Veilig Thuis en/of (extern) crisisteam een RiHG kunnen worden afgenomen; bij "
        "vroegtijdige inzet zou een verzoek kunnen worden voorgelegd aan een weegteam.)",
    ),
    Principle(
        "7",
        "Opleggen tijdelijk huisverbod",
        "opleggen",
        "Doordat de politie/hovj haar taken voornamelijk beschouwt vanuit het strafrechtelijk kader, wordt het "
        "opleggen van een tijdelijk huisverbod met name vanuit dat perspectief benaderd; doordat alleen de "
        "politie/hovj is gemandateerd voor het beoordelen én opleggen van een tijdelijk huisverbod bepaalt de "
        "politie of een huisverbod wordt voorgelegd aan de burgemeester (ondertekeningsmandaat) dan wel wordt "
        "opgelegd (beslissingsmandaat).",
        "Het besluit tot het opleggen van een tijdelijk huisverbod moet bestuurlijk worden genomen op basis van "
        "een inhoudelijke afweging. Er is een gelijkwaardige positie vanuit zowel zorg als straf om een "
        "huisverbod voor te kunnen leggen aan de burgemeester.",
    ),
    Principle(
        "8A",
        "Uitvoeren: inzet van hulp",
        "uitvoeren",
        "Door wachtlijstproblematiek en/of prioritering is inzet van hulp niet altijd direct mogelijk, waardoor "
        "‘momentum’ wordt gemist.",
        "Inzet van specialistische expertise en een systeemgerichte aanpak op huiselijk geweld en "
        "kindermishandeling is beschikbaar én bereikbaar tijdens het tijdelijk huisverbod (en na afloop).",
    ),
    Principle(
        "8B",
        "Uitvoeren: plegeraanpak",
        "uitvoeren",
        "In sommige regio’s wordt specifieke expertise op gebied van plegerinterventies gemist en plegers staan "
        "niet altijd open voor vrijwillige hulpverlening.",
        "Er zijn interventies en er is opvang beschikbaar voor plegers, zodat zij gemotiveerd blijven om hulp te "
        "accepteren en hun gedrag te veranderen. Daarnaast moet het mogelijk zijn om hulp te verplichten (bijv. "
        "opvolgen aanwijzingen van hulpverlening of volgen van BORG-training).",
    ),
    Principle(
        "8C",
        "Uitvoeren: perspectief van het kind",
        "uitvoeren",
        "Kinderen worden niet altijd meegenomen / betrokken bij een tijdelijk huisverbod-procedure en de "
        "uitvoerbaarheid van het tijdelijk huisverbod komt in het geding als tevens een beschikking ligt voor een "
        "omgangsregeling.",
        "Betrek het kind in alle stappen van het tijdelijk huisverbod en zorg dat het recht op omgang niet "
        "prevaleert voor het recht van het kind op een veilige relatie met de ouder.",
    ),
    Principle(
        "8D",
        "Uitvoeren: termijnen",
        "uitvoeren",
        "De huidige 10 dagen zijn ontoereikend om de doelen van het tijdelijk huisverbod in voldoende mate te "
        "kunnen halen. Om die reden wordt vaak verlengd tot 28 dagen. Ook indien de uithuisgeplaatste onvindbaar/ "
        "onbereikbaar is, kan hulp voor diegene niet worden ingezet en heeft het tijdelijk huisverbod als "
        "maatregel minder effect.",
        "Het verruimen van de eerste termijn naar 14 dagen maakt de kans groter dat het tijdelijk huisverbod niet "
        "hoeft te worden verlengd. En indien uithuisgeplaatste onvindbaar/ niet bereikbaar is, is flexibilisering "
        "van de wettelijke termijnen gewenst, zoals het opschorten van een tijdelijk huisverbod.",
    ),
    Principle(
        "9",
        "Handhaven tijdelijk huisverbod",
        "handhaven",
        "Bij overtreding van het tijdelijk huisverbod ziet het OM vaak af van vervolging, omdat de bewijslast dat "
        "de uithuisgeplaatste wist van (de verlenging van) het tijdelijk huisverbod niet voldoet aan de regels "
        "voor bewijslast vanuit strafrechtelijk perspectief; de politie heeft geen controlebevoegdheid om ook "
        "gedurende een tijdelijk huisverbod de woning te kunnen betreden zodat gehandhaafd kan worden.",
        "Overtreding van een tijdelijk huisverbod is een strafbaar feit en moet door de politie en OM altijd "
        "kunnen worden gehandhaafd. Dit betekent dat de bestuursrechtelijke regels voor bewijslast dat "
        "uithuisgeplaatste wist van (verlenging van) een huisverbod overeen komen met de regels die gelden vanuit "
        "het strafrecht, en dat de politie de controlebevoegdheid heeft om ook gedurende een tijdelijk huisverbod "
        "de woning te kunnen betreden.",
    ),
    Principle(
        "10",
        "Afronden & monitoren",
        "afronden_monitoren",
        "Na afloop van het tijdelijk huisverbod is het niet altijd duidelijk wie regie heeft en houdt, wie "
        "zorgdraagt voor de borging en uitvoering van het veiligheidsplan en wie de betrokkenen gemotiveerd houdt "
        "voor hulpverlening.",
        "Na afloop van een huisverbod blijft een hulpverlenende instantie betrokken en verantwoordelijk voor de "
        "veiligheid in het gezin (met aandacht voor ieder betrokkene) om duurzame veiligheid te kunnen realiseren. "
        "De veiligheid wordt gedurende een jaar tot anderhalf jaar gemonitord.",
    ),
)
PRINCIPLE_BY_CODE: dict[str, Principle] = {p.code: p for p in PRINCIPLES}

# The keys of the ``variant`` dictionary that "Kenmerken van deze variant" sets (processes/README.md, "What each
# variant changes"): their Dutch label and the principle a different value answers.
VARIANT_PARAMETERS: dict[str, tuple[str, str]] = {
    "eerste_termijn": ("eerste termijn", "8D"),
    "maximale_duur": ("maximale duur met verlenging", "8D"),
    "opschorting": ("opschorten als de uithuisgeplaatste onbereikbaar is", "8D"),
    "maximale_opschorting": ("maximale duur van alle opschortingen samen", "8D"),
    "verplichte_hulp": ("verplichte hulp (plegeraanpak)", "8B"),
    "zsm_509hh_verplicht": ("gedragsaanwijzing (509hh Sv) altijd afwegen op ZSM", "5"),
    "monitoring": ("monitoring na afloop", "10"),
}


def principle_codes(value: str | None) -> list[str]:
    """The codes of a ``leidraadPrincipe`` value ("7" or "1, 6"), as written."""
    return [part.strip().upper() for part in (value or "").split(",") if part.strip()]


def unknown_principles(value: str | None) -> list[str]:
    return [code for code in principle_codes(value) if code not in PRINCIPLE_BY_CODE]
