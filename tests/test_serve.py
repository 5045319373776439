"""The tagging service, through FastAPI's test client (no network)."""

import json

import pytest

pytest.importorskip("fastapi", reason="the serve extra (fastapi) is not installed")
from conftest import SEED  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

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
    docs = [
        {"text": "Oil prices rose as OPEC cut output and crude exports fell."},
        {"id": "x", "text": "Tourists filled the beach resorts."},
    ]
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
    assert (
        app.post("/tag", json={"text": "Oil prices rose."}, headers={"Authorization": "Bearer s3cret"}).status_code
        == 200
    )


def test_a_request_not_tagged_in_time_gets_503(default_model):
    slow = TestClient(create_app(default_model, time_limit=0.0))
    r = slow.post("/tag", json={"text": "Oil prices rose."})
    assert r.status_code == 503 and "not tagged within" in r.json()["detail"] and r.headers["retry-after"] == "5"


def test_texts_are_cut_as_the_cli_cuts_them(client, default_model):
    from topics.corpus import MAX_CHARS

    long_text = "Tourists filled the beach resorts. " * (MAX_CHARS // 30)
    r = TestClient(create_app(default_model, max_body_bytes=3 * MAX_CHARS)).post("/tag", json={"text": long_text})
    cut = Tagger(default_model).tag_one(
        next(iter([__import__("topics").corpus.Article(id="1", text=long_text[:MAX_CHARS])]))
    )
    assert r.status_code == 200 and r.json()["themes"] == json.loads(json.dumps(cut.to_dict()))["themes"]


def test_slow_clients_are_disconnected(default_model, monkeypatch):
    """A client that never finishes its headers (slowloris), or trickles its body, does not
    hold a connection: closed after READ_TIMEOUT, and 408 for a body."""
    import socket
    import threading
    import time

    import uvicorn

    from topics import serve

    monkeypatch.setattr(serve, "READ_TIMEOUT", 0.5)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = serve.create_app(default_model, read_timeout=0.5)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", http=serve._header_timeout_protocol())
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        with socket.create_connection(("127.0.0.1", port)) as c:  # headers never finished
            c.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            c.settimeout(5)
            started = time.monotonic()
            assert c.recv(1024) == b""  # the server closed it
            assert time.monotonic() - started < 3
        with socket.create_connection(("127.0.0.1", port)) as c:  # body trickled, never finished
            c.sendall(
                b'POST /tag HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"te'
            )
            c.settimeout(5)
            assert b" 408 " in c.recv(1024)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_tagging_in_worker_processes_gives_the_same_answers(client, default_model):
    docs = [{"text": "Oil prices rose as OPEC cut output."}, {"id": "x", "text": "Tourists filled the beach resorts."}]
    with TestClient(create_app(default_model, processes=1)) as workers:
        assert workers.post("/tag", json=docs).json() == client.post("/tag", json=docs).json()
        assert workers.get("/health").json()["status"] == "ok"
