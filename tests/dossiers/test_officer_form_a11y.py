"""Errors and help text of the back-office forms reach screen readers (WCAG 2.1 AA, 1.3.1 and
3.3.1): Django (5.2+) points a control's aria-describedby at "<id>_helptext" and "<id>_error",
so the page must have elements with those ids; an invalid control has aria-invalid="true"; a
radio group's error is inside its fieldset; errors use the styled ``errorlist`` class; and the
supplement formset's own error is Vietnamese with the English beside it."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from dossiers.models import DossierStatus as S
from tests.dossiers.officer_support import login, officer_url

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
CONTROLS = {"input", "select", "textarea"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.parent, self.children = tag, parent, []
        self.attrs = {k: "" if v is None else v for k, v in attrs}

    def __iter__(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child

    def text(self) -> str:
        return " ".join(
            (c.text() if isinstance(c, Node) else c).strip() for c in self.children
        ).strip()

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class _Tree(HTMLParser):
    """A forgiving DOM of a page: enough to follow ids, ancestors and text."""

    def __init__(self):
        super().__init__()
        self.root = self.current = Node("#root", [], None)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, attrs, self.current))

    def handle_endtag(self, tag):
        for node in (self.current, *self.current.ancestors()):
            if node.tag == tag:
                self.current = node.parent
                return

    def handle_data(self, data):
        self.current.children.append(data)


def parse(markup: str) -> Node:
    tree = _Tree()
    tree.feed(markup)
    tree.close()
    return tree.root


def describers(root: Node, target_id: str) -> list[Node]:
    return [n for n in root if target_id in n.attrs.get("aria-describedby", "").split()]


def assert_accessible_errors(markup: str) -> Node:
    """The checks of the module docstring, on the whole page; returns its tree."""
    root = parse(markup)
    nodes = list(root)
    ids = [n.attrs["id"] for n in nodes if "id" in n.attrs]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    by_id = {n.attrs["id"]: n for n in nodes if "id" in n.attrs}
    for node in nodes:  # every reference resolves
        for attr in ("aria-describedby", "aria-labelledby"):
            for ref in node.attrs.get(attr, "").split():
                assert ref in by_id, f'<{node.tag} {attr}="{node.attrs[attr]}">: no id "{ref}"'
    assert not [n for n in nodes if "error" in n.classes()], "unstyled class error"
    for error_id, error in by_id.items():  # every field error is announced with its control
        if not error_id.endswith("_error"):
            continue
        assert "errorlist" in error.classes() and error.text(), error_id
        owners = describers(root, error_id)
        assert owners, f"{error_id} describes nothing"
        for owner in owners:
            if owner.tag == "fieldset":
                assert owner in error.ancestors(), f"{error_id} is outside its fieldset"
                controls = [n for n in owner if n.tag in CONTROLS]
            else:
                controls = [owner]
            assert controls and all(c.attrs.get("aria-invalid") == "true" for c in controls)
    for control in nodes:  # and every invalid control says why
        if control.tag not in CONTROLS or control.attrs.get("aria-invalid") != "true":
            continue
        described = [control, *(a for a in control.ancestors() if a.tag == "fieldset")]
        refs = [r for n in described for r in n.attrs.get("aria-describedby", "").split()]
        assert any("errorlist" in by_id[r].classes() for r in refs), control.attrs
    return root


def error_of(root: Node, control_id: str) -> str:
    (error,) = [n for n in root if n.attrs.get("id") == f"{control_id}_error"]
    return error.text()


def control(root: Node, control_id: str) -> Node:
    (node,) = [n for n in root if n.attrs.get("id") == control_id]
    return node


def test_refuse_without_reasons_links_the_error_to_the_reasons(people, client):
    d = people.dossier(S.SUBMITTED)
    login(client, people.reception)
    r = client.post(officer_url("refuse", d), {"refuse-reasons": ""})
    assert r.status_code == 400
    root = assert_accessible_errors(r.content.decode())
    reasons = control(root, "id_refuse-reasons")
    assert reasons.attrs["aria-invalid"] == "true"
    assert reasons.attrs["aria-describedby"] == "id_refuse-reasons_error"
    assert error_of(root, "id_refuse-reasons") == "Vui lòng ghi rõ lý do (a reason is required)."
    # the other action forms of the page are not marked invalid
    assert "aria-invalid" not in control(root, "id_receive-note").attrs


def test_a_supplement_request_without_items_says_so_in_vietnamese(people, client):
    d = people.dossier(S.IN_REVIEW)
    login(client, people.specialist)
    data = {
        "items-TOTAL_FORMS": "4",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "30",
    }
    r = client.post(officer_url("request_supplement", d), data)
    assert r.status_code == 400
    markup = r.content.decode()
    root = assert_accessible_errors(markup)
    assert "Please submit" not in markup
    (errors,) = [n for n in root if n.attrs.get("id") == "items-errors"]
    # The list's error summary: it takes the focus and names every item's errors.
    assert "data-error-summary-focus" in errors.attrs and errors.attrs["tabindex"] == "-1"
    text = errors.text()
    assert "Vui lòng ghi ít nhất 1 nội dung cần bổ sung (list at least 1 missing item)." in text
    text = " ".join(text.replace(" :", ":").split())  # the text of the links, then ": "
    assert "Nội dung cần bổ sung (What is missing) – 1: Vui lòng nhập thông tin này" in text
    assert "Lý do (Why) – 1: Vui lòng nhập thông tin này" in text
    assert 'href="#id_items-0-what"' in markup and 'href="#id_items-0-reason"' in markup
    assert [n.tag for n in describers(root, "items-errors")] == ["table"]
    for name in ("what", "reason"):  # the first row is required (min_num=1)
        assert control(root, f"id_items-0-{name}").attrs["aria-invalid"] == "true"
        assert error_of(root, f"id_items-0-{name}").startswith("Vui lòng nhập thông tin này")
    assert "aria-invalid" not in control(root, "id_items-1-what").attrs
    # the propose form of the same page: its help text is there under the id Django uses
    draft = control(root, "id_propose-draft")
    assert draft.attrs["aria-describedby"] == "id_propose-draft_helptext"


def test_a_radio_group_error_is_inside_its_fieldset(people, client):
    d = people.dossier(S.RESULT_READY)
    login(client, people.reception)
    r = client.post(officer_url("return_result", d), {"return-method": ""})
    assert r.status_code == 400
    root = assert_accessible_errors(r.content.decode())
    (fieldset,) = describers(root, "id_return-method_error")
    assert fieldset.tag == "fieldset"
    radios = [n for n in fieldset if n.tag == "input" and n.attrs.get("type") == "radio"]
    assert radios and all(radio.attrs["aria-invalid"] == "true" for radio in radios)


def test_a_hand_back_error_on_a_text_field(people, client):
    d = people.dossier(S.RESULT_READY)
    login(client, people.reception)
    r = client.post(officer_url("return_result", d), {"return-method": "counter"})
    assert r.status_code == 400
    root = assert_accessible_errors(r.content.decode())
    assert control(root, "id_return-collected_by").attrs["aria-invalid"] == "true"
    assert error_of(root, "id_return-collected_by").startswith("Ghi tên người nhận kết quả")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Vui lòng chọn thủ tục (choose a procedure)."),
        (
            "KHONG-CO",
            "Vui lòng chọn một thủ tục trong danh sách (choose a procedure from the list).",
        ),
    ],
)
def test_the_counter_start_form_links_its_error(people, client, value, message):
    login(client, people.reception)
    r = client.get(officer_url("counter_start"), {"procedure": value})
    assert r.status_code == 200
    root = assert_accessible_errors(r.content.decode())
    select = control(root, "id_procedure")
    assert select.attrs["aria-invalid"] == "true"
    assert select.attrs["aria-describedby"] == "id_procedure_error"
    assert error_of(root, "id_procedure") == message


def test_the_counter_intake_form_links_its_errors(people, client):
    login(client, people.reception)
    r = client.post(officer_url("counter_intake", code=people.version.procedure.code), {})
    assert r.status_code == 400
    root = assert_accessible_errors(r.content.decode())
    assert control(root, "id_a-full_name").attrs["aria-invalid"] == "true"
    (fieldset,) = describers(root, "id_d-result_delivery_error")
    assert fieldset.tag == "fieldset"


def test_pages_without_errors_refer_only_to_existing_ids(people, client):
    login(client, people.specialist)
    root = assert_accessible_errors(
        client.get(officer_url("detail", people.dossier(S.IN_REVIEW))).content.decode()
    )
    assert not [n for n in root if n.attrs.get("aria-invalid")]
    login(client, people.reception)
    assert_accessible_errors(client.get(officer_url("counter_start")).content.decode())
    page = client.get(officer_url("counter_intake", code=people.version.procedure.code))
    assert_accessible_errors(page.content.decode())
