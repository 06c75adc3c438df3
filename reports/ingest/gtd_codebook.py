"""The Global Terrorism Database codebook, as far as the archive reads and writes it.

One place for what the importer (reports.ingest.gtd, .incidents), the exporter
(reports.opendata.exports) and the benchmark's generator (bench.generate) must agree
on: the columns, the attack types both ways, and how the GTD writes "unknown".
"""

import re

from reports.models import IncidentType

# The 135 columns of the GTD export, in its order.
COLUMNS = (  # noqa: SIM905
    "eventid iyear imonth iday approxdate extended resolution country country_txt region "
    "region_txt provstate city latitude longitude specificity vicinity location summary crit1 "
    "crit2 crit3 doubtterr alternative alternative_txt multiple success suicide attacktype1 "
    "attacktype1_txt attacktype2 attacktype2_txt attacktype3 attacktype3_txt targtype1 "
    "targtype1_txt targsubtype1 targsubtype1_txt corp1 target1 natlty1 natlty1_txt targtype2 "
    "targtype2_txt targsubtype2 targsubtype2_txt corp2 target2 natlty2 natlty2_txt targtype3 "
    "targtype3_txt targsubtype3 targsubtype3_txt corp3 target3 natlty3 natlty3_txt gname "
    "gsubname gname2 gsubname2 gname3 gsubname3 motive guncertain1 guncertain2 guncertain3 "
    "individual nperps nperpcap claimed claimmode claimmode_txt claim2 claimmode2 "
    "claimmode2_txt claim3 claimmode3 claimmode3_txt compclaim weaptype1 weaptype1_txt "
    "weapsubtype1 weapsubtype1_txt weaptype2 weaptype2_txt weapsubtype2 weapsubtype2_txt "
    "weaptype3 weaptype3_txt weapsubtype3 weapsubtype3_txt weaptype4 weaptype4_txt "
    "weapsubtype4 weapsubtype4_txt weapdetail nkill nkillus nkillter nwound nwoundus nwoundte "
    "property propextent propextent_txt propvalue propcomment ishostkid nhostkid nhostkidus "
    "nhours ndays divert kidhijcountry ransom ransomamt ransomamtus ransompaid ransompaidus "
    "ransomnote hostkidoutcome hostkidoutcome_txt nreleased addnotes scite1 scite2 scite3 "
    "dbsource INT_LOG INT_IDEO INT_MISC INT_ANY related"
).split()
# Without these a row cannot become an incident.
REQUIRED_COLUMNS = ("eventid", "iyear", "imonth", "iday", "country_txt", "attacktype1_txt")
# Up to three perpetrator groups: (name, "attribution uncertain" flag).
PERPETRATOR_COLUMNS = (
    ("gname", "guncertain1"),
    ("gname2", "guncertain2"),
    ("gname3", "guncertain3"),
)
# Up to three sources, each a citation in one cell.
SOURCE_COLUMNS = ("scite1", "scite2", "scite3")

# attacktype1: (attacktype1_txt, the archive's IncidentType). The archive has no type
# of its own for the last four; they are OTHER, and an export writes the row's own text.
ATTACK_TYPES = {
    1: ("Assassination", IncidentType.ASSASSINATION),
    2: ("Armed Assault", IncidentType.ARMED_ASSAULT),
    3: ("Bombing/Explosion", IncidentType.BOMBING),
    4: ("Hijacking", IncidentType.OTHER),
    5: ("Hostage Taking (Barricade Incident)", IncidentType.HOSTAGE_TAKING),
    6: ("Hostage Taking (Kidnapping)", IncidentType.KIDNAPPING),
    7: ("Facility/Infrastructure Attack", IncidentType.OTHER),
    8: ("Unarmed Assault", IncidentType.OTHER),
    9: ("Unknown", IncidentType.OTHER),
}
# attacktype1_txt, lowercased (files differ in case), to the archive's type.
INCIDENT_TYPE_OF_ATTACK = {text.lower(): kind for text, kind in ATTACK_TYPES.values()}
# The archive's type to attacktype1_txt; OTHER has no text of its own.
ATTACK_OF_INCIDENT_TYPE = {
    kind: text for text, kind in ATTACK_TYPES.values() if kind != IncidentType.OTHER
}
# attacktype1_txt to its code in attacktype1.
ATTACK_CODES = {text: code for code, (text, _kind) in ATTACK_TYPES.items()}

# What the GTD writes where it does not know: "Unknown" in a text cell (a place, a
# perpetrator, an attack type), -99 in a number and -9 in a yes/no field (and in a
# few older numbers). A blank cell says nothing either.
UNKNOWN_TEXT = "Unknown"
UNKNOWN_NUMBER = -99
UNKNOWN_YES_NO = -9
UNKNOWN_COUNTS = {UNKNOWN_NUMBER, UNKNOWN_YES_NO}

# GTD exports write the resolution date in several ways.
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S", "%d-%b-%y", "%d-%b-%Y")
# A group as the GTD names it, "Tupac Amaru Revolutionary Movement (MRTA)": a name
# and its acronym (reports.models.name_with_acronym writes it).
NAME_WITH_ACRONYM = re.compile(r"^(?P<name>.+?)\s*\((?P<acronym>[^()]{1,30})\)$")
