"""The OpenAPI document says what each operation really answers: its error statuses and their one shape.

The fuzzing run (scripts/api_fuzz.py) checks the same thing against a live app; these checks catch a forgotten
declaration without it: a rule that needs a login answers 401, a role rule or a signed-in write answers 403
(wrong role, CSRF), any parameter can be refused with 400, and a path parameter names an object that may not exist.
"""

import pytest

from ggzy.api import api
from ggzy.core.api_errors import ErrorOut
from ggzy.core.permissions import declared_rule

ERROR_STATUSES = {400, 401, 403, 404, 409, 429}


def _operations():
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                yield f"{','.join(operation.methods)} {prefix}{path}", path, operation


OPERATIONS = list(_operations())


@pytest.fixture
def openapi(client):
    return client.get("/api/openapi.json").json()


@pytest.mark.parametrize(("name", "path", "operation"), OPERATIONS, ids=[name for name, _, _ in OPERATIONS])
def test_operation_declares_the_errors_it_can_answer(name, path, operation):
    # given what the operation's rule and parameters imply
    rule = declared_rule(operation.view_func)
    declared = {status for status in operation.response_models if status in ERROR_STATUSES}
    has_parameters = any(model.model_fields for model in operation.models)
    expected = set()
    if rule.needs_login:
        expected.add(401)
    if rule.name.startswith("roles:") or (rule.needs_login and operation.methods != ["GET"]):
        expected.add(403)
    if has_parameters:
        expected.add(400)
    if "{" in path and "{year}" not in path:  # a path parameter names an object
        expected.add(404)
    # then every implied status is declared, and every declared error has the one error shape
    assert expected <= declared, f"{name}: declare {sorted(expected - declared)}"
    for status in declared:
        annotation = operation.response_models[status].model_fields["response"].annotation
        assert annotation is ErrorOut, f"{name}: {status} should answer ErrorOut"
    assert any(200 <= status < 300 for status in operation.response_models), f"{name}: no success schema"


def test_openapi_lists_every_error_with_the_error_schema(openapi):
    undocumented = []
    for path, methods in openapi["paths"].items():
        for method, entry in methods.items():
            statuses = {int(s) for s in entry["responses"]}
            if not statuses & ERROR_STATUSES - {429}:
                if path.endswith(("/templates", "/cas", "/cert-challenge", "/lots", "/ledger/head", "/ledger/keys")):
                    continue  # public lists without parameters: nothing to refuse
                undocumented.append(f"{method.upper()} {path}")
            for status in statuses & ERROR_STATUSES:
                schema = entry["responses"][str(status)]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (path, status)
    assert not undocumented, undocumented
    assert openapi["components"]["schemas"]["ErrorOut"]["required"] == ["detail", "errors"]


def test_binary_download_is_documented_as_such(openapi):
    entry = openapi["paths"]["/api/v1/tendering/lots/{lot_id}/documents/{purpose}/content"]["get"]
    assert list(entry["responses"]["200"]["content"]) == ["application/octet-stream"]
    purpose = next(p for p in entry["parameters"] if p["name"] == "purpose")
    assert "contract" in str(purpose["schema"])
