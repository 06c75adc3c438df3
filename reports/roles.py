"""The editorial roles: Editors curate, Publishers also publish.

Kept in one place for the code and the tests that check the groups. Migration 0002
created the groups from its own copy of these lists; a change to them needs a data
migration that sets the groups' permissions anew (0010_aggregates: relations and
designations; 0011: figure claims; 0012: view_revision; 0017: error reports).
"""

CURATED = [
    "report",
    "paragraph",
    "group",
    "groupalias",
    "leader",
    "incident",
    "perpetration",
    "citation",
    "grouprelation",
    "designation",
    "figureclaim",
]
# Parts of an entry an editor removes while curating it (inline rows).
EDITOR_MAY_DELETE = [
    "groupalias",
    "leader",
    "perpetration",
    "citation",
    "grouprelation",
    "designation",
    "figureclaim",
]
REFERENCE = ["country", "organisation"]
# Proposed revisions of live entries: an Editor sees their own (the admin narrows the
# list), a Publisher decides them by the publish_* permission of the entry's kind.
SEEN = ["revision"]
# Readers' error reports: both roles triage them (status, note, the fixing revision);
# only a reader creates one, and none is deleted.
TRIAGED = ["errorreport"]

EDITOR_PERMISSIONS = (
    [f"{action}_{model}" for model in CURATED for action in ("add", "change", "view")]
    + [f"delete_{model}" for model in EDITOR_MAY_DELETE]
    + [f"{action}_{model}" for model in REFERENCE for action in ("add", "change", "view")]
    + [f"view_{model}" for model in SEEN]
    + [f"{action}_{model}" for model in TRIAGED for action in ("change", "view")]
)
PUBLISHER_PERMISSIONS = EDITOR_PERMISSIONS + [
    "publish_report",
    "publish_incident",
    "publish_group",
    "delete_incident",
    "delete_group",
]

ROLES = {"Editors": EDITOR_PERMISSIONS, "Publishers": PUBLISHER_PERMISSIONS}
