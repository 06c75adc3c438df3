"""The API's OpenAPI schema: every response it can give, and what each parameter takes.

Every operation may answer 400 and 404, in JSON: a value a parameter does not take, or
a NUL byte anywhere in the URL (archive.middleware.refuse_nul_bytes answers that before
any view); no such entry, no such page, or any other URL under /api/.

The parameters' schemas say what the forms behind them accept, so that a request the
schema allows is answered and one it does not is refused. Which countries, series,
publishers, groups, reports and incidents exist is the archive's data, not the schema's:
those parameters say what a value looks like, and a value naming nothing is a 400.
"""

from drf_spectacular.utils import OpenApiParameter

from reports.filters import MAX_QUERY_LENGTH

# A text without a NUL byte: the only kind of text a URL of the archive may carry.
NO_NUL = r"^[^\x00]*$"
SLUG = r"^[-a-zA-Z0-9_]+$"  # django.core.validators.validate_slug


def or_empty(schema):
    """`schema`, or the empty value: a parameter left empty is one not given."""
    return {"anyOf": [schema, {"type": "string", "maxLength": 0}]}


YEAR = or_empty({"type": "integer", "minimum": 1000, "maximum": 9999})
DAY = or_empty({"type": "string", "format": "date"})
PAGE = or_empty({"type": "integer", "minimum": 1})

MESSAGES = {"type": "array", "items": {"type": "string"}}
FIELD_ERRORS = {
    "type": "object",
    "description": "The parameters refused, each with what is wrong with its value.",
    "additionalProperties": MESSAGES,
}
ERROR = {
    "type": "object",
    "description": "A request refused as a whole (a NUL byte in the URL): `fields` is empty.",
    "properties": {
        "error": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": MESSAGES},
    },
    "required": ["error", "fields"],
}
NOT_FOUND = {
    "type": "object",
    "description": "No such entry or page, or no such URL under /api/.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}


def text(max_length=MAX_QUERY_LENGTH, required=False):
    """The schema of a text a form's CharField takes: at most `max_length` characters
    once the white space around it is stripped (at least one if `required`), no NUL."""
    inner = f"[^\\s\\x00](?:[^\\x00]{{0,{max_length - 2}}}[^\\s\\x00])?"
    return {"type": "string", "pattern": rf"^\s*{inner if required else f'(?:{inner})?'}\s*$"}


def query(name, schema=None, description="", enum=None, required=False):
    """A query parameter: a text without NUL unless `schema` says otherwise; `enum`, the
    values of a choice, takes the empty value too (no choice) unless `required`."""
    if enum is not None:
        schema = {"type": "string"}
        enum = list(enum) if required else ["", *enum]
    return OpenApiParameter(
        name,
        schema or {"type": "string", "pattern": NO_NUL},
        OpenApiParameter.QUERY,
        required=required,
        description=description,
        enum=enum,
    )


SLUG_PATH = OpenApiParameter("slug", {"type": "string", "pattern": SLUG}, OpenApiParameter.PATH)


def error_responses(result, generator, request, public):
    """Give every operation under /api/ its 400 and 404 (unless it says its own) with their
    bodies: a postprocessing hook of drf-spectacular (SPECTACULAR_SETTINGS)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(FieldErrors=FIELD_ERRORS, Error=ERROR, NotFound=NOT_FOUND)
    bad = {"oneOf": [ref("FieldErrors"), ref("Error")]}
    for path, operations in result["paths"].items():
        if not path.startswith("/api/"):
            continue
        for operation in operations.values():
            responses = operation["responses"]
            responses.setdefault("400", json_response("A value the API does not take.", bad))
            responses.setdefault("404", json_response("Not found.", ref("NotFound")))
    return result


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def json_response(description, schema):
    return {"description": description, "content": {"application/json": {"schema": schema}}}
