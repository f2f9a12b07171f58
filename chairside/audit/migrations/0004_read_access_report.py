"""Reads of patient data: the role and path of each event, and the patients a read showed
(one row each, so "who looked at this chart" is one indexed query). The new table is
append-only like the events: on PostgreSQL a trigger refuses UPDATE and DELETE."""

import django.db.models.deletion
from django.db import migrations, models


CREATE = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'audit rows are append-only: ' || TG_OP || ' refused on ' || TG_TABLE_NAME,
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_auditeventpatient_append_only
    BEFORE UPDATE OR DELETE ON audit_auditeventpatient
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_auditeventpatient_append_only ON audit_auditeventpatient;
DROP FUNCTION IF EXISTS audit_refuse_change();
"""


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_auditevent_append_only_trigger'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='path',
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='role',
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.CreateModel(
            name='AuditEventPatient',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('patient_id', models.UUIDField()),
                ('at', models.DateTimeField()),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='patients', to='audit.auditevent')),
            ],
            options={
                'ordering': ['-at', '-id'],
                'indexes': [models.Index(fields=['patient_id', '-at'], name='audit_read_patient_at')],
            },
        ),
        migrations.RunPython(_run(CREATE), _run(DROP), elidable=False),
    ]
