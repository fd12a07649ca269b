"""PostgreSQL only: the trigram index behind catalog search, and triggers that keep published
versions frozen even against raw SQL or queryset.update(). SQLite (the demo) skips both; the
model's save()/delete() guards still apply there."""

from django.db import migrations

FORWARD = r"""
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS procedure_search_trgm
    ON procedures_procedure USING gin (search_text gin_trgm_ops);

CREATE OR REPLACE FUNCTION procedures_version_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'procedure version % is %, it cannot be deleted', OLD.id, OLD.status
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND (
        NEW.status = 'draft'
        OR (NEW.procedure_id, NEW.number, NEW.processing_days, NEW.processing_note,
            NEW.form_schema, NEW.fee_kind, NEW.fee_amount, NEW.fee_unit, NEW.fee_cap,
            NEW.fee_note, NEW.supplement_clock, NEW.change_note, NEW.published_at)
           IS DISTINCT FROM
           (OLD.procedure_id, OLD.number, OLD.processing_days, OLD.processing_note,
            OLD.form_schema, OLD.fee_kind, OLD.fee_amount, OLD.fee_unit, OLD.fee_cap,
            OLD.fee_note, OLD.supplement_clock, OLD.change_note, OLD.published_at)
    ) THEN
        RAISE EXCEPTION 'procedure version % is % and frozen', OLD.id, OLD.status
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER procedures_version_frozen
    BEFORE UPDATE OR DELETE ON procedures_procedureversion
    FOR EACH ROW EXECUTE FUNCTION procedures_version_frozen();

CREATE OR REPLACE FUNCTION procedures_version_child_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN ids := ARRAY[NEW.version_id];
    ELSIF TG_OP = 'DELETE' THEN ids := ARRAY[OLD.version_id];
    ELSE ids := ARRAY[OLD.version_id, NEW.version_id];
    END IF;
    IF EXISTS (SELECT 1 FROM procedures_procedureversion
               WHERE id = ANY(ids) AND status <> 'draft') THEN
        RAISE EXCEPTION '% of a published procedure version refused (it is frozen)', TG_TABLE_NAME
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER procedures_document_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON procedures_requireddocument
    FOR EACH ROW EXECUTE FUNCTION procedures_version_child_frozen();
CREATE TRIGGER procedures_waiver_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON procedures_feewaiver
    FOR EACH ROW EXECUTE FUNCTION procedures_version_child_frozen();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS procedures_waiver_frozen ON procedures_feewaiver;
DROP TRIGGER IF EXISTS procedures_document_frozen ON procedures_requireddocument;
DROP TRIGGER IF EXISTS procedures_version_frozen ON procedures_procedureversion;
DROP FUNCTION IF EXISTS procedures_version_child_frozen();
DROP FUNCTION IF EXISTS procedures_version_frozen();
DROP INDEX IF EXISTS procedure_search_trgm;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(FORWARD)  # no params: the '%' of RAISE must not be interpolated


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
