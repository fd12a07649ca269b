"""Import/export: lossless JSON round-trip, idempotent import, refusals reported, all or nothing."""

import copy
import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from procedures import services
from procedures.models import Procedure, ProcedureVersion
from procedures.transfer import catalog_export, catalog_export_csv, catalog_import

from .factories import ProcedureFactory, make_version

pytestmark = pytest.mark.django_db

WAIVER = {
    "condition": "online",
    "percent": 100,
    "description": "Miễn khi nộp trực tuyến",
    "valid_from": "2025-07-01",
    "valid_until": "2026-12-31",
}


@pytest.fixture
def catalog():
    v1 = make_version(
        procedure=ProcedureFactory(code="1.001193", name="Đăng ký khai sinh"),
        fee_kind="fixed",
        fee_amount=15000,
        waivers=[WAIVER],
        documents=("cccd", "giay_chung_sinh"),
    )
    v2 = services.version_new_draft(procedure=v1.procedure)
    v2.processing_days = 2
    v2.save()
    services.version_publish(version=v2)
    services.version_new_draft(procedure=v1.procedure, change_note="nháp")  # v3 draft
    make_version(procedure=ProcedureFactory(code="2.000815", name="Chứng thực bản sao"))
    return catalog_export()


def wipe():
    # Published versions are frozen even for deletion: empty the tables the way a fresh
    # database is empty.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM procedures_requireddocument; DELETE FROM procedures_feewaiver;"
            if connection.vendor != "postgresql"
            else "SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE procedures_procedure, procedures_procedureversion, "
            "procedures_requireddocument, procedures_feewaiver, procedures_procedure_agencies CASCADE"
        )
    if connection.vendor != "postgresql":  # pragma: no cover
        ProcedureVersion.objects.all().delete()
        Procedure.objects.all().delete()


def test_export_round_trips_exactly(catalog):
    assert [p["code"] for p in catalog["procedures"]] == ["1.001193", "2.000815"]
    birth = catalog["procedures"][0]
    assert [(v["number"], v["status"]) for v in birth["versions"]] == [
        (1, "retired"),
        (2, "published"),
        (3, "draft"),
    ]
    assert birth["versions"][1]["waivers"][0]["valid_until"] == "2026-12-31"
    text = json.dumps(catalog, ensure_ascii=False, sort_keys=True)
    wipe()
    assert Procedure.objects.count() == 0
    report = catalog_import(json.loads(text))
    assert report.ok, report.refused
    assert (report.created, report.versions_created) == (2, 4)
    assert json.dumps(catalog_export(), ensure_ascii=False, sort_keys=True) == text


def test_import_is_idempotent(catalog):
    report = catalog_import(copy.deepcopy(catalog))
    assert report.ok, report.refused
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert (report.versions_created, report.versions_updated) == (0, 0)
    assert catalog_export() == catalog


def test_import_updates_drafts_and_adds_versions(catalog):
    data = copy.deepcopy(catalog)
    birth = data["procedures"][0]
    birth["name"] = "Đăng ký khai sinh (sửa)"
    birth["versions"][2]["processing_days"] = 5  # the draft
    new = copy.deepcopy(birth["versions"][2])
    new.update(number=4, status="draft")
    birth["versions"].append(new)
    report = catalog_import(data)
    assert report.ok, report.refused
    assert (report.updated, report.unchanged, report.versions_created, report.versions_updated) == (
        1,
        1,
        1,
        1,
    )
    assert catalog_export() == data
    assert Procedure.objects.get(code="1.001193").search_text.startswith("dang ki khai sinh sua")


def test_import_can_publish_a_new_version_and_retire_the_old_one(catalog):
    data = copy.deepcopy(catalog)
    versions = data["procedures"][0]["versions"]
    versions[1].update(status="retired", retired_at="2026-01-01T00:00:00+00:00")
    versions[2].update(status="published", published_at="2026-01-01T00:00:00+00:00")
    report = catalog_import(data)
    assert report.ok, report.refused
    assert catalog_export() == data


def test_import_refuses_bad_rows_with_reasons_and_imports_nothing(catalog):
    data = copy.deepcopy(catalog)
    data["procedures"][0]["versions"][1]["processing_days"] = 30  # published: frozen
    data["procedures"][1]["field"] = "astrology"
    data["procedures"].append({**copy.deepcopy(data["procedures"][1]), "code": "x"})
    good_new = copy.deepcopy(catalog["procedures"][1])
    good_new["code"] = "3.000001"
    data["procedures"].append(good_new)
    bad_schema = copy.deepcopy(catalog["procedures"][1])
    bad_schema["code"] = "3.000002"
    bad_schema["agencies"] = ["NOPE"]
    bad_schema["versions"][0]["form_schema"]["fields"][0]["kind"] = "datee"
    data["procedures"].append(bad_schema)
    report = catalog_import(data)
    assert not report.ok
    text = "\n".join(report.refused)
    assert "procedures[0] 1.001193 v2: phiên bản đã công bố không được sửa" in text
    assert "procedures[1] 2.000815: field" in text and "astrology" in text
    assert "procedures[2] x: code" in text or "procedures[2] x:" in text
    assert "procedures[4] 3.000002: không có cơ quan (unknown agencies): NOPE" in text
    assert 'procedures[4] 3.000002 v1: fields[0] "ho_ten": loại "datee"' in text
    # Nothing was imported, not even the good row.
    assert not Procedure.objects.filter(code="3.000001").exists()
    assert catalog_export() == catalog


def test_import_refuses_files_of_another_kind():
    assert not catalog_import({"format": "other"}).ok
    assert not catalog_import([]).ok
    report = catalog_import({"format": "dvc-procedures", "format_version": 1, "procedures": [{}]})
    assert not report.ok


def test_two_published_versions_in_a_file_are_refused(catalog):
    data = copy.deepcopy(catalog)
    data["procedures"][0]["versions"][0]["status"] = "published"
    report = catalog_import(data)
    assert any("more than one published version" in r for r in report.refused)


def test_the_commands(catalog, tmp_path, capsys):
    path = tmp_path / "catalog.json"
    call_command("export_procedures", str(path))
    assert json.loads(path.read_text(encoding="utf-8")) == catalog
    call_command("import_procedures", str(path))
    assert "0 created, 0 updated, 2 unchanged" in capsys.readouterr().out
    bad = json.loads(path.read_text(encoding="utf-8"))
    bad["procedures"][0]["online_level"] = "maybe"
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("import_procedures", str(path))
    assert "REFUSED procedures[0] 1.001193: online_level" in capsys.readouterr().err
    call_command("export_procedures", "--format", "csv", str(tmp_path / "s.csv"))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "s.csv").read_text(encoding="utf-8"))))
    assert [(r["code"], r["published_version"], r["documents"]) for r in rows] == [
        ("1.001193", "2", "2"),
        ("2.000815", "1", "1"),
    ]


def test_csv_export_queries_do_not_grow(catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        catalog_export_csv()
    with django_assert_max_num_queries(6):
        catalog_export()
