"""Search commands: search from the terminal, embed papers, measure quality.

dailypapers search "QUERY" [--mode hybrid|keyword|semantic] [--sort relevance|newest|upvotes]
                           [--category cs.CL] [--from DATE] [--to DATE] [--has-code]
                           [--limit N] [--page P] [--json]
dailypapers similar ARXIV_ID [--limit N] [--json]
dailypapers index [--batch-size N] [--limit N] [--status] [--rebuild-keyword-index] [--json]
    (also merges SQLite's keyword index segments when done: ~1 s per 75k papers)
dailypapers eval beir DIR --split NAME [--limit-queries N] [--json]

`index` embeds what has no vector yet (or whose text changed), a committed batch at a time:
kill it whenever you like and run it again; it continues and never redoes finished work.
Search works before it has run (keyword only, and says so).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import cast

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from dailypapers.cli.context import day_option, services_for
from dailypapers.config import Settings
from dailypapers.domain.search import (
    SEARCH_MODES,
    SEARCH_SORTS,
    SearchFilters,
    SearchMode,
    SimilarPaper,
)
from dailypapers.errors import DailyPapersError
from dailypapers.presenters.papers import similar_paper
from dailypapers.presenters.search_hits import search_results
from dailypapers.services.evaluation import BeirReport, EvaluationService

console = Console(stderr=True)
out = Console()


def _progress(disable: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=disable,
    )


def _day(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    return day_option(value)


# --- search --------------------------------------------------------------------------------
def _highlight(text: str, spans: list) -> str:
    parts, last = [], 0
    for span in spans:
        parts.append(escape(text[last : span.start]))
        parts.append(f"[bold yellow]{escape(text[span.start : span.end])}[/bold yellow]")
        last = span.end
    parts.append(escape(text[last:]))
    return " ".join("".join(parts).split())


@click.command("search")
@click.argument("query")
@click.option("--mode", type=click.Choice(SEARCH_MODES), default="hybrid", show_default=True)
@click.option("--sort", type=click.Choice(SEARCH_SORTS), default="relevance", show_default=True)
@click.option("--category", help="Only papers listed in this arXiv category (e.g. cs.CL).")
@click.option("--from", "published_from", callback=_day, help="Published on/after (YYYY-MM-DD).")
@click.option("--to", "published_to", callback=_day, help="Published on/before (YYYY-MM-DD).")
@click.option("--has-code", is_flag=True, help="Only papers with a code repository.")
@click.option("--limit", type=int, default=10, show_default=True, help="Results per page.")
@click.option("--page", type=int, default=0, show_default=True, help="Page, counting from 0.")
@click.option("--json", "as_json", is_flag=True, help="Print the page as JSON.")
@click.pass_context
def search_command(
    ctx: click.Context,
    query: str,
    mode: str,
    sort: str,
    category: str | None,
    published_from: date | None,
    published_to: date | None,
    has_code: bool,
    limit: int,
    page: int,
    as_json: bool,
) -> None:
    """Search papers: keyword + semantic, each hit with why it matched."""
    filters = SearchFilters(published_from, published_to, category, has_code)
    with services_for(ctx) as services:
        services.upgrade_schema()
        result = services.search.search(
            query,
            mode=mode,
            sort=sort,
            filters=filters,
            page=page,
            limit=limit,  # type: ignore[arg-type]
        )
    if as_json:
        click.echo(json.dumps(search_results(result), indent=2, ensure_ascii=False))
        return
    if result.notice:
        console.print(f"[yellow]{escape(result.notice)}[/yellow]")
    console.print(
        f"{result.total:,} results ({result.mode_used}, {result.took_ms:.0f} ms); "
        f"page {result.page + 1} of {result.pages}"
    )
    for number, hit in enumerate(result.hits, start=result.page * result.limit + 1):
        why = hit.rationale
        out.print(
            f"[bold]{number}.[/bold] {_highlight(hit.paper.title, why.title_spans)}  "
            f"[dim]{hit.paper.arxiv_id}[/dim]"
        )
        out.print(f"   [dim]{escape(why.summary)}[/dim]")
        sentence = why.sentence_text(hit.paper)
        if sentence:
            out.print(f"   “{escape(' '.join(sentence.split()))}”")


@click.command("similar")
@click.argument("arxiv_id")
@click.option("--limit", type=int, default=6, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def similar_command(ctx: click.Context, arxiv_id: str, limit: int, as_json: bool) -> None:
    """Papers nearest to one paper by embedding, with a one-line reason each."""
    with services_for(ctx) as services:
        services.upgrade_schema()
        found: list[SimilarPaper] = services.search.similar(arxiv_id, limit=limit)
    if as_json:
        rows = [similar_paper(s) for s in found]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not found:
        console.print("No similar papers yet: this paper has no vector (run `dailypapers index`).")
    for s in found:
        out.print(f"{escape(s.paper.title)}  [dim]{s.paper.arxiv_id}[/dim]")
        out.print(f"   [dim]{escape(s.reason)}[/dim]")


# --- index ---------------------------------------------------------------------------------
@click.command("index")
@click.option(
    "--batch-size", type=int, help="Papers per committed batch (setting: embedding_batch_size)."
)
@click.option("--limit", type=int, help="Stop after about this many papers were embedded.")
@click.option("--status", "status_only", is_flag=True, help="Only say how much is left to do.")
@click.option(
    "--rebuild-keyword-index",
    is_flag=True,
    help="Rebuild SQLite's keyword index from the papers (needed after a VACUUM).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def index_command(
    ctx: click.Context,
    batch_size: int | None,
    limit: int | None,
    status_only: bool,
    rebuild_keyword_index: bool,
    as_json: bool,
) -> None:
    """Embed papers that have no vector yet (resumable: kill it and rerun any time).

    Then it computes keyphrases for embedded papers without Hugging Face's ai_keywords, and
    compacts SQLite's keyword index (faster keyword search after imports).
    """
    with services_for(ctx) as services:
        services.upgrade_schema()
        if rebuild_keyword_index:
            services.search.rebuild_keyword_index()
            console.print("keyword index rebuilt")
        if status_only:
            status = services.embedding.status()
            payload = {
                "model": status.model,
                "embedded": status.embedded,
                "pending": status.pending,
            }
            if as_json:
                click.echo(json.dumps(payload))
            else:
                console.print(
                    f"{status.model}: {status.embedded:,} papers embedded, "
                    f"{status.pending:,} to check or embed"
                )
            return
        keyphrased = 0
        with _progress(as_json) as bar:
            task = bar.add_task(f"embedding ({services.embedding.model})", total=None)
            try:
                report = services.embedding.run(
                    batch_size=batch_size,
                    limit=limit,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
            except KeyboardInterrupt:
                bar.stop()
                console.print(
                    "[yellow]stopped[/yellow]: finished batches are saved; "
                    "run `dailypapers index` again to continue."
                )
                sys.exit(130)
            if not report.stopped_early:
                task = bar.add_task("keyphrases", total=None)
                keyphrased = services.keyphrases.run()
                bar.update(task, completed=keyphrased, total=keyphrased)
        # New papers arrive as many small FTS5 segments; merging them keeps keyword search fast.
        services.search.optimize_keyword_index()
    if as_json:
        click.echo(json.dumps({**report.as_dict(), "keyphrases": keyphrased}))
        return
    console.print(
        f"embedded {report.embedded:,} papers ({report.per_second:.1f}/s), "
        f"{report.unchanged:,} unchanged, in {report.batches:,} batches"
        + (f", on {report.runs_on}" if report.runs_on else "")
        + ("; stopped at --limit" if report.stopped_early else "")
        + f"; keyphrases computed for {keyphrased:,} papers"
    )


# --- eval ----------------------------------------------------------------------------------
def _eval_output(command):
    """The options every eval command takes: which modes to run, and JSON output."""
    command = click.option(
        "--json", "as_json", is_flag=True, help="Print one JSON object: metrics per mode."
    )(command)
    return click.option(
        "--mode",
        "modes",
        multiple=True,
        type=click.Choice(["keyword", "semantic", "hybrid"]),
        help="Only these modes (repeatable; default: all three).",
    )(command)


@click.group("eval")
def eval_group() -> None:
    """Measure search quality on judged collections."""


@eval_group.command("beir")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--split", required=True, help="Judgments to use: qrels/SPLIT.tsv (e.g. train).")
@click.option("--limit-queries", type=int, help="Only the first N judged queries.")
@_eval_output
@click.pass_context
def eval_beir(
    ctx: click.Context,
    folder: Path,
    split: str,
    limit_queries: int | None,
    modes: tuple[str, ...],
    as_json: bool,
) -> None:
    """nDCG@10, recall@100 and latency per mode on a BEIR-format folder.

    The corpus goes into a temporary SQLite database and every judged query runs through
    the site's own SearchService. Corpus vectors are cached under <data_dir>/eval-cache.
    """
    settings: Settings = ctx.obj
    evaluation = EvaluationService(settings)
    with _progress(as_json) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        try:
            report = evaluation.beir(
                folder,
                split,
                modes=cast(tuple[SearchMode, ...], modes or ("keyword", "semantic", "hybrid")),
                limit_queries=limit_queries,
                progress=progress,
            )
        except DailyPapersError as exc:
            bar.stop()
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(2)
    if as_json:
        click.echo(json.dumps(report.as_dict()))
        return
    _print_eval(report)


def _print_eval(report: BeirReport) -> None:
    source = "cached vectors" if report.embedded_from_cache else "embedded now"
    console.print(
        f"[bold]{report.collection}[/bold] ({report.split}): {report.documents:,} documents, "
        f"{report.queries:,} judged queries; corpus {source} in {report.embed_seconds:.1f} s"
    )
    table = Table("mode", "nDCG@10", "recall@100", "p50 ms", "p95 ms")
    for mode, result in report.modes.items():
        table.add_row(
            mode,
            f"{result.ndcg_at_10:.4f}",
            f"{result.recall_at_100:.4f}",
            f"{result.p50_ms:.1f}",
            f"{result.p95_ms:.1f}",
        )
    out.print(table)


@eval_group.command("short")
@click.option(
    "--split",
    default="test",
    show_default=True,
    help="tune or test, or either with a kind: test-topical, test-keywords, test-title, "
    "test-author, test-author-field, test-phrase.",
)
@click.option("--limit-queries", type=int, help="Only the first N judged queries.")
@_eval_output
@click.pass_context
def eval_short(
    ctx: click.Context,
    split: str,
    limit_queries: int | None,
    modes: tuple[str, ...],
    as_json: bool,
) -> None:
    """nDCG@10, recall@100 and latency per mode on short queries made from HF's keywords.

    Topical queries (a keyword; relevant: the papers carrying it), known items (a paper's
    keywords or its title), author names (plain and `author:"Name"`) and quoted title
    phrases over the demo's papers, split by paper date into tune and test.
    """
    settings: Settings = ctx.obj
    evaluation = EvaluationService(settings)
    try:
        report = evaluation.short_queries(
            split,
            modes=cast(tuple[SearchMode, ...], modes or ("keyword", "semantic", "hybrid")),
            limit_queries=limit_queries,
        )
    except DailyPapersError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(report.as_dict()))
        return
    _print_eval(report)
