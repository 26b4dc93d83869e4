"""The OpenAPI schema lists every endpoint, every state field with its bounds, and the 422."""

from __future__ import annotations

from app.link.state import FIELDS

STATE_ROUTES = ["/api/trace", "/api/weights", "/api/state", "/api/mc", "/api/code", "/api/grads"]


def test_every_endpoint_is_listed(client):
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {*STATE_ROUTES, "/api/train", "/api/qr", "/api/presets", "/api/from-code", "/healthz"}
    train = spec["paths"]["/api/train"]["get"]
    assert "text/event-stream" in train["responses"]["200"]["content"] and "429" in train["responses"]
    names = {p["name"] for p in train["parameters"]}
    assert {"configs", "epochs", "train_size", "batch", "optimizer", "lr", "data_seed", "label_noise"} <= names
    for path, item in spec["paths"].items():
        assert set(item) == {"get"}
        responses = item["get"]["responses"]
        assert "200" in responses and "422" in responses, path


def test_every_state_field_with_bounds(client):
    spec = client.get("/openapi.json").json()
    for path in STATE_ROUTES:
        params = {p["name"]: p for p in spec["paths"][path]["get"]["parameters"]}
        for f in FIELDS:
            p = params[f.name]
            assert p["in"] == "query" and not p["required"] and f.allowed in p["description"]
            schema = p["schema"]
            if f.kind.name == "int":
                assert (schema["minimum"], schema["maximum"]) == (f.lo, f.hi)
            elif f.kind.name == "rate":
                assert schema["minimum"] == 0 and schema["exclusiveMaximum"] == 1
            elif f.kind.name == "choice":
                assert schema["enum"] == list(f.choices)
            else:
                assert schema["maxLength"] > 0
    mc = {p["name"]: p["schema"] for p in spec["paths"]["/api/mc"]["get"]["parameters"]}
    assert (mc["samples"]["minimum"], mc["samples"]["maximum"]) == (1, 100)


def test_error_schema(client):
    spec = client.get("/openapi.json").json()
    body = spec["components"]["schemas"]["ErrorBody"]
    assert set(body["required"]) == {"detail", "problems"}
    assert set(spec["components"]["schemas"]["ProblemModel"]["required"]) == {"field", "value", "allowed", "message"}
