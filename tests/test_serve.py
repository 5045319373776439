"""The tagging service, through FastAPI's test client (no network)."""

import json

import pytest

pytest.importorskip("fastapi", reason="the serve extra (fastapi) is not installed")
from fastapi.testclient import TestClient  # noqa: E402

from conftest import SEED  # noqa: E402
from topics.corpus import Corpus  # noqa: E402
from topics.serve import create_app  # noqa: E402
from topics.tagger import Tagger  # noqa: E402


@pytest.fixture(scope="module")
def client(default_model):
    return TestClient(create_app(default_model, max_body_bytes=200_000))


def test_single_article_same_json_as_the_cli(client, default_model):
    article = next(iter(Corpus(SEED)))
    r = client.post("/tag", json={"id": article.id, "text": article.text})
    assert r.status_code == 200
    expected = Tagger(default_model).tag_one(article).to_dict()
    assert r.json() == json.loads(json.dumps(expected))
    assert {"security", "energy", "defense-trade", "tourism"} <= {t["name"] for t in r.json()["themes"]}


def test_batch_as_list_and_as_object(client):
    docs = [{"text": "Oil prices rose as OPEC cut output and crude exports fell."}, {"id": "x", "text": "Tourists filled the beach resorts."}]
    as_list = client.post("/tag", json=docs).json()
    as_obj = client.post("/tag", json={"articles": docs}).json()
    assert as_list == as_obj and [r["id"] for r in as_list] == ["1", "x"]
    assert as_list[0]["themes"][0]["name"] == "energy"


def test_health_topics_model(client, default_model):
    assert client.get("/health").json()["status"] == "ok"
    assert len(client.get("/topics").json()["topics"]) == default_model.lda.n_topics_
    assert client.get("/model").json()["files"] == default_model.manifest["files"]
    assert "/tag" in client.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize(
    "body,status",
    [
        (b"{not json", 422),
        (b'{"text": ""}', 422),
        (b'{"title": "no text"}', 422),
        (b"[]", 422),
        (b'{"text": 5}', 422),
        (b'"just a string"', 422),
    ],
)
def test_malformed_requests_get_4xx_with_a_reason(client, body, status):
    r = client.post("/tag", content=body, headers={"content-type": "application/json"})
    assert r.status_code == status and r.json()["detail"]


def test_oversized_request_is_refused(client):
    r = client.post("/tag", json={"text": "word " * 100_000})
    assert r.status_code == 413 and "over" in r.json()["detail"]


def test_manifest_keeps_no_server_paths_and_docs_load_nothing_from_a_cdn(client):
    body = json.dumps(client.get("/model").json())
    assert "/work/" not in body and "/tmp/" not in body and "lee_background.cor" in body
    assert client.get("/docs").status_code == 404 and client.get("/openapi.json").status_code == 200


def test_whitespace_only_text_is_refused_as_the_cli_skips_it(client):
    r = client.post("/tag", json={"text": "  \n\t "})
    assert r.status_code == 422 and "only whitespace" in json.dumps(r.json())


def test_bearer_token(default_model):
    app = TestClient(create_app(default_model, token="s3cret"))
    assert app.get("/health").status_code == 200  # liveness stays open
    assert app.post("/tag", json={"text": "Oil prices rose."}).status_code == 401
    assert app.get("/model", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert app.post("/tag", json={"text": "Oil prices rose."}, headers={"Authorization": "Bearer s3cret"}).status_code == 200
