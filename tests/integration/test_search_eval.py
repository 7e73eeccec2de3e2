"""`dailypapers eval beir` on a slice of the MED collection (real judgments), end to end.

The slice is MED's first 250 abstracts and the queries with at least 3 relevant documents
among them, so it embeds in seconds. Floors are well under what was measured on the slice
(see MEASURED), so a real regression fails and noise does not.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dailypapers.cli import cli

DOCS = 250
MEASURED = {"keyword": 0.751, "semantic": 0.847, "hybrid": 0.863}  # nDCG@10, 17 queries
FLOOR = {"keyword": 0.60, "semantic": 0.70, "hybrid": 0.75}


@pytest.fixture(scope="module")
def med_slice(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    source = shared_data / "classic" / "med"
    folder = tmp_path_factory.mktemp("med")
    docs = source.joinpath("corpus.jsonl").read_text(encoding="utf-8").splitlines()[:DOCS]
    kept = {json.loads(line)["_id"] for line in docs}
    (folder / "corpus.jsonl").write_text("\n".join(docs) + "\n", encoding="utf-8")
    with source.joinpath("qrels", "test.tsv").open(newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))[1:]
    judged = {}
    for query, doc, score in rows:
        if doc in kept:
            judged.setdefault(query, []).append((doc, score))
    judged = {q: pairs for q, pairs in judged.items() if len(pairs) >= 3}
    (folder / "qrels").mkdir()
    with (folder / "qrels" / "test.tsv").open("w", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t")
        writer.writerow(["query-id", "corpus-id", "score"])
        writer.writerows([q, d, s] for q, pairs in judged.items() for d, s in pairs)
    queries = source.joinpath("queries.jsonl").read_text(encoding="utf-8").splitlines()
    (folder / "queries.jsonl").write_text("\n".join(queries) + "\n", encoding="utf-8")
    return folder


def test_eval_beir_reports_every_mode_and_hybrid_clears_its_floor(
    med_slice: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path), "eval", "beir", str(med_slice), "--split", "test"]
    result = runner.invoke(cli, [*base, "--json", "--limit-queries", "30"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert list(scores) == ["keyword", "semantic", "hybrid"]
    for mode, metrics in scores.items():
        assert metrics["ndcg@10"] >= FLOOR[mode], (mode, metrics)
        assert 0 < metrics["recall@100"] <= 1
        assert metrics["latency_p50_ms"] <= metrics["latency_p95_ms"]
    assert scores["hybrid"]["ndcg@10"] >= scores["keyword"]["ndcg@10"]
    again = runner.invoke(cli, base)  # the corpus vectors come from the cache now
    assert again.exit_code == 0, again.output
    assert "cached vectors" in again.stderr
    assert "hybrid" in again.stdout


def test_a_folder_without_judgments_is_a_clear_error(med_slice: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path), "eval", "beir", str(med_slice), "--split", "dev"]
    )
    assert result.exit_code == 2
    assert "qrels/dev.tsv is missing" in result.output


def test_eval_short_runs_on_the_demo_papers_with_their_shipped_vectors(
    tmp_path: Path, model_weights: None
) -> None:
    modes = ["--mode", "keyword", "--mode", "hybrid", "--limit-queries", "20"]
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path), "eval", "short", "--split", "test-title", *modes]
    )
    assert result.exit_code == 0, result.output
    assert "cached vectors" in result.stderr  # nothing embedded but the queries
    assert "1,219 documents, 20 judged queries" in result.stderr
    assert "keyword" in result.stdout and "semantic" not in result.stdout
    assert (tmp_path / "eval-short-queries" / "qrels" / "tune-topical.tsv").is_file()
