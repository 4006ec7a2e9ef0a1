"""The RiHG catalogue as data: a literal transcription, nothing else.

Source: the annex ("Bijlage als bedoeld in artikel 2, eerste lid") of the
Besluit tijdelijk huisverbod (Stb. 2008), which lists exhaustively the facts and
circumstances the burgemeester weighs, "uitsluitend" and all of them (art. 2(1)).
The wording follows the annex letter for letter; only OCR damage in the scanned
source was repaired ("j-" -> "j.", "financiéle"/"financién" -> "financiële"/
"financiën", hyphenation across lines, dashes). Signal order is the annex order,
because signal codes ("2c.4") are derived from it: never reorder or insert.

The "nieuw perspectief" extension is kept apart on purpose: it is not law, it
comes from the Leidraad "Het tijdelijk huisverbod vanuit een nieuw perspectief"
(2026 pilots), and its weighting has not been defined.

engine/rihg/instrument.py turns these tuples into frozen dataclasses; edit only here.
"""

from __future__ import annotations

from typing import Any

ANNEX_ID = "besluit-thv-2008"
ANNEX_TITLE = "Risicotaxatie-instrument huiselijk geweld (RiHG)"
ANNEX_SOURCE = "Bijlage bij artikel 2, eerste lid, van het Besluit tijdelijk huisverbod"

# (key, number, article reference, short title, annex heading, indicators)
# indicator: (letter, name, signals)
ANNEX: tuple[Any, ...] = (
    (
        "persoon",
        1,
        "artikel 2, tweede lid, onder a",
        "Persoon",
        "Feiten en omstandigheden die de persoon betreffen ten aanzien van wie wordt overwogen om een "
        "huisverbod op te leggen",
        (
            (
                "a",
                "Antecedenten en incidenten (op basis van politieregistratie)",
                (
                    "registraties (HKS) en mutaties geweld",
                    "registraties (HKS) en mutaties zeden",
                    "registraties (HKS) en mutaties wapengerelateerd",
                    "registraties (HKS) en mutaties overig",
                ),
            ),
            (
                "b",
                "Mate van aanspreekbaarheid",
                (
                    "volledig in de war",
                    "apathisch, zich extreem afsluiten",
                    "gewelddadig, onhandelbaar, niet te corrigeren (tegen slachtoffer of derden)",
                    "extreem jaloers tegenover slachtoffer",
                    "dreigementen om zichzelf wat aan te doen of zichzelf daadwerkelijk te verwonden",
                ),
            ),
            (
                "c",
                "Riskante gewoonten (alcohol- of drugsgebruik)",
                (
                    "signalen wijzend op verslaving of excessief gebruik van alcohol",
                    "signalen wijzend op verslaving of excessief gebruik van soft drugs",
                    "signalen wijzend op verslaving of excessief gebruik van hard drugs",
                    "onder behandeling (geweest) voor verslaving",
                    "op het moment fors gedronken (of sterk vermoeden)",
                    "op het moment drugs gebruikt (of sterk vermoeden)",
                ),
            ),
        ),
    ),
    (
        "incident",
        2,
        "artikel 2, tweede lid, onder b",
        "Incident",
        "Feiten en omstandigheden die het verloop van het incident betreffen",
        (
            (
                "a",
                "Bedreiging",
                (
                    "verbaal (schelden, schreeuwen)",
                    "dreigen met fysiek geweld",
                    "dreigen met wapen",
                    "dreigen met doden",
                ),
            ),
            (
                "b",
                "Psychisch geweld",
                (
                    "slachtoffer onder druk zetten door geweld tegen kinderen en/of huisgenoten",
                    "slachtoffer onder druk zetten door geweld tegen huisdieren",
                    "slachtoffer onder druk zetten door vernielen (dierbare) eigendommen van het slachtoffer",
                    "slachtoffer onder druk zetten door hem te vernederen of te dwingen iets tegen de wil te doen",
                ),
            ),
            (
                "c",
                "Lichamelijk geweld",
                (
                    "duwen, schoppen, stompen, haren trekken e.d.",
                    "zware kneuzingen, brandwonden, gebroken ledematen",
                    "verwonden met wapen",
                    "verwurging",
                ),
            ),
            (
                "d",
                "Seksueel geweld",
                (
                    "verkrachting of aanranding",
                    "gedwongen seks of prostitutie",
                    "(vermoeden van) kindermisbruik",
                ),
            ),
            (
                "e",
                "Zwaarte van de intimidatie",
                (
                    "geweld is willekeurig en volstrekt zonder aanleiding",
                    "(dreiging van) plotselinge, extreme uitbarsting van geweld",
                    "zwaar fysiek geweld (al dan niet met ernstig letsel)",
                    "slachtoffer is totaal niet weerbaar",
                ),
            ),
            (
                "f",
                "Geweldsontwikkeling",
                (
                    "de zwaarte van het geweld is de laatste jaren toegenomen",
                    "de frequentie van geweld is de laatste jaren toegenomen",
                ),
            ),
            (
                "g",
                "Wapens",
                (
                    "in bezit van vuurwapen",
                    "in bezit van wapenvergunning",
                    "gebruik van slagwapen, steekwapen of (nep-)vuurwapen",
                    "gebruik van «toevallige» wapens (servies, asbak, keukenmes e.d.)",
                ),
            ),
            (
                "h",
                "Gevaarsniveau wapengebruik",
                (
                    "ermee dreigen",
                    "ermee gooien van een afstand",
                    "het slachtoffer er direct mee verwonden (direct fysiek contact)",
                    "bewuste (bedoelde) verwonding slachtoffer (min of meer met voorbedachten rade)",
                ),
            ),
            (
                "i",
                "Aanwezigheid van kinderen",
                (
                    "kinderen getuige van geweld",
                    "kinderen apathisch, huilen of schrikachtig",
                    "geweld gepleegd tegen kinderen",
                    "kinderen gewond",
                    "ondertoezichtstelling of andere kinderbeschermingsmaatregel",
                ),
            ),
            ("j", "Geweldsverwachting", ("slachtoffer vreest toekomstig geweld",)),
            (
                "k",
                "Rechtvaardiging achteraf",
                (
                    "berouw tonen, maar zich verschuilen achter externe oorzaken",
                    "ontkennen of minimaliseren van het geweld",
                    "rechtvaardigen van geweld",
                ),
            ),
        ),
    ),
    (
        "leefomstandigheden",
        3,
        "artikel 2, tweede lid, onder c",
        "Leefomstandigheden",
        "Feiten en omstandigheden die de leefomstandigheden van de betrokkene of zijn huisgenoten betreffen",
        (
            (
                "a",
                "Spanning door werkgerelateerde problemen",
                (
                    "(langdurige) werkloosheid",
                    "recent ontslag of dreiging van ontslag",
                    "problemen met betrekking tot arbeidsongeschiktheids- of werkloosheidsuitkering",
                    "spanningen op het werk",
                ),
            ),
            (
                "b",
                "Spanning door financiële problemen",
                (
                    "veel schulden",
                    "financieel niet kunnen rondkomen",
                    "vermoeden van een gokprobleem",
                ),
            ),
            (
                "c",
                "Spanning door familie- en relatieproblemen",
                (
                    "problemen met kinderen uit een eerdere relatie",
                    "niet accepteren van een zwangerschap",
                    "onenigheid over opvoeding van kinderen",
                    "gedragsproblemen bij kinderen",
                    "lopende echtscheidingsprocedure",
                    "overige relatieproblemen",
                    "problemen met betrekking tot verblijfsvergunning e.d.",
                ),
            ),
            (
                "d",
                "Sociaal isolement door beperkte vrienden- of kennissenkring",
                (
                    "strikte beperking van contacten (binnen eigen cultuur of geloof)",
                    "contacten met buitenwereld verlopen alleen via betrokkene",
                    "betrokkene verbiedt contact met vrienden of bekenden",
                ),
            ),
            (
                "e",
                "Sociaal isolement door rollenpatroon",
                (
                    "betrokkene controleert financiën, paspoort e.d.",
                    "slachtoffer heeft geen zeggenschap binnenshuis",
                    "slachtoffer mag niet of nauwelijks buitenshuis komen",
                ),
            ),
            (
                "f",
                "Sociaal isolement door onaangepast gezin",
                (
                    "er is geen contact te maken met het gezin",
                    "geschillen met anderen worden door ruzie of geweld opgelost",
                    "binnen het gezin is er veel ruzie",
                    "antecedenten slachtoffer die wijzen op sociaal isolement",
                    "antecedenten andere gezinsleden die wijzen op sociaal isolement",
                    "sociaal isolement door excessief middelengebruik of verslaving",
                ),
            ),
        ),
    ),
)

# Signals of the annex that point at kindermishandeling: children pressured, abused, witnessing, hurt, or
# already under a protection measure. Any of them means Veilig Thuis is consulted before the decision (Wth 2(3)).
CHILD_SIGNALS: tuple[str, ...] = ("2b.1", "2d.3", "2i.1", "2i.2", "2i.3", "2i.4", "2i.5")


def child_signals(outcome: dict[str, Any]) -> list[str]:
    """The signals about children in a RIHG outcome ({level: {indicator: {"signalen": [...]}}}), sorted."""
    found = {
        code
        for level in (outcome or {}).values()
        if isinstance(level, dict)
        for indicator in level.values()
        if isinstance(indicator, dict)
        for code in indicator.get("signalen") or []
        if code in CHILD_SIGNALS
    }
    return sorted(found)


# Art. 2(3) Besluit and its nota van toelichting: police data are part of level 1
# (indicator 1a) and may be used only as far as the decision needs them.
POLICE_DATA_INDICATOR = "1a"
POLICE_DATA_NOTE = (
    "Politiegegevens (artikel 2, derde lid, Besluit tijdelijk huisverbod): alleen betrekken voor zover "
    "nodig voor de beslissing om al dan niet een huisverbod op te leggen. Registraties en mutaties "
    "'geweld', 'zeden' en 'wapengerelateerd' zijn in ieder geval van belang; bij 'overig' naar bevind "
    "van zaken."
)

EXTENSION_ID = "nieuw-perspectief"
EXTENSION_VERSION = "2026.1"
EXTENSION_TITLE = "Aanvullende signalen (nieuw perspectief)"
EXTENSION_SOURCE = "Leidraad 'Het tijdelijk huisverbod vanuit een nieuw perspectief' (pilots 2026)"
EXTENSION_NOTE = (
    "Geen onderdeel van de bijlage bij het Besluit tijdelijk huisverbod. De weging van deze signalen is "
    "niet vastgesteld: ze worden vastgelegd en getoond, maar tellen niet mee in het tussenoordeel of het "
    "advies."
)

# (code, label, relation to the annex)
EXTENSION: tuple[tuple[str, str, str], ...] = (
    ("N1", "non-fatale verwurging", "2c noemt verwurging; volgens de Leidraad weegt die te licht"),
    ("N2", "dierengeweld", "2b noemt geweld tegen huisdieren alleen als drukmiddel"),
    ("N3", "eergerelateerd geweld", "niet in de bijlage"),
    ("N4", "ouderenmishandeling", "niet in de bijlage"),
    ("N5", "dwingende controle", "deels 3d en 3e"),
    ("N6", "stalking", "niet in de bijlage"),
    ("N7", "ex-partnergeweld", "niet in de bijlage; de Wth vereist een band met de woning"),
    ("N8", "psychisch geweld dat zich uit in stelselmatig isoleren, vernederen, intimideren", "deels 2b en 3d"),
    ("N9", "patroon van geweld in plaats van een enkel (recent) geweldsincident", "alleen 2f"),
)
