"""Incidents as event datasets code them (UCDP GED): the place's precision, the type of
violence, the governments named as sides; a group's role (perpetrator, or a side in the
fighting); a claim's best estimate within its range."""

from django.db import migrations, models


class AddColumn(migrations.AddField):
    """AddField of a NOT NULL column as one ALTER TABLE ... ADD COLUMN on SQLite too.

    Django's SQLite schema editor rebuilds a table to add such a column, and a rebuild
    drops the table's triggers: the incident table's keep its search rows (0006, 0021).
    The column keeps its default in SQLite's schema; Django always writes a value.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.name)
        definition, _ = schema_editor.column_sql(model, field)
        quote = schema_editor.quote_name
        schema_editor.execute(
            f"ALTER TABLE {quote(model._meta.db_table)} ADD COLUMN {quote(field.column)} "
            f"{definition} DEFAULT {schema_editor.quote_value(field.get_default())}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0021_incident_search_facets"),
    ]

    operations = [
        migrations.AddField(
            model_name="figureclaim",
            name="point",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Where the source gives a best estimate within its range (UCDP's “best”).",
                null=True,
                verbose_name="source's best estimate",
            ),
        ),
        migrations.AddField(
            model_name="historicalfigureclaim",
            name="point",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Where the source gives a best estimate within its range (UCDP's “best”).",
                null=True,
                verbose_name="source's best estimate",
            ),
        ),
        AddColumn(
            model_name="historicalincident",
            name="place_precision",
            field=models.CharField(
                blank=True,
                choices=[
                    ("exact", "The exact place"),
                    ("near", "Within about 25 km of a named place"),
                    ("district", "A district (second-level division)"),
                    ("province", "A province (first-level division)"),
                    ("part_of_country", "A part of the country"),
                    ("country", "Only the country"),
                    ("international", "International waters or airspace"),
                ],
                help_text="How exactly the place is known, where the source says.",
                max_length=20,
                verbose_name="place precision",
            ),
        ),
        AddColumn(
            model_name="historicalincident",
            name="state_actors",
            field=models.CharField(
                blank=True,
                help_text="Governments the source names as a side; they are not armed groups.",
                max_length=300,
                verbose_name="state actors",
            ),
        ),
        AddColumn(
            model_name="historicalincident",
            name="violence_type",
            field=models.CharField(
                blank=True,
                choices=[
                    ("state_based", "State-based armed conflict"),
                    ("non_state", "Non-state conflict"),
                    ("one_sided", "One-sided violence"),
                ],
                max_length=20,
                verbose_name="type of violence",
            ),
        ),
        AddColumn(
            model_name="historicalperpetration",
            name="role",
            field=models.CharField(
                choices=[("perpetrator", "Perpetrator"), ("side", "Side in the fighting")],
                default="perpetrator",
                max_length=12,
                verbose_name="role",
            ),
        ),
        AddColumn(
            model_name="incident",
            name="place_precision",
            field=models.CharField(
                blank=True,
                choices=[
                    ("exact", "The exact place"),
                    ("near", "Within about 25 km of a named place"),
                    ("district", "A district (second-level division)"),
                    ("province", "A province (first-level division)"),
                    ("part_of_country", "A part of the country"),
                    ("country", "Only the country"),
                    ("international", "International waters or airspace"),
                ],
                help_text="How exactly the place is known, where the source says.",
                max_length=20,
                verbose_name="place precision",
            ),
        ),
        AddColumn(
            model_name="incident",
            name="state_actors",
            field=models.CharField(
                blank=True,
                help_text="Governments the source names as a side; they are not armed groups.",
                max_length=300,
                verbose_name="state actors",
            ),
        ),
        AddColumn(
            model_name="incident",
            name="violence_type",
            field=models.CharField(
                blank=True,
                choices=[
                    ("state_based", "State-based armed conflict"),
                    ("non_state", "Non-state conflict"),
                    ("one_sided", "One-sided violence"),
                ],
                max_length=20,
                verbose_name="type of violence",
            ),
        ),
        AddColumn(
            model_name="perpetration",
            name="role",
            field=models.CharField(
                choices=[("perpetrator", "Perpetrator"), ("side", "Side in the fighting")],
                default="perpetrator",
                max_length=12,
                verbose_name="role",
            ),
        ),
        migrations.AddConstraint(
            model_name="figureclaim",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("point__isnull", True),
                    models.Q(
                        ("point__gte", models.F("low")),
                        models.Q(
                            ("high__isnull", True),
                            ("point__lte", models.F("high")),
                            _connector="OR",
                        ),
                    ),
                    _connector="OR",
                ),
                name="claim_point_within_range",
                violation_error_message="The best estimate must lie between low and high.",
            ),
        ),
    ]
