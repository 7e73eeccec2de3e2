"""Background work: the scheduler's tick and the job queue that serve and worker processes share."""

from __future__ import annotations

from pydantic import Field

from dailypapers.config.section import Section


class JobSettings(Section):
    scheduler_tick_s: float = Field(
        30, gt=0, description="How often the scheduler (in serve or worker) checks for due jobs."
    )
    serve_runs_scheduler: bool = Field(
        True,
        description="Run the scheduler inside `dailypapers serve`; turn off when separate "
        "`dailypapers worker` processes run it.",
    )
    job_lease_s: float = Field(
        60,
        gt=0,
        description="How long a claimed job (an embedding batch) stays with its worker without "
        "a renewal; a job whose worker died is claimed again after this.",
    )
    job_max_attempts: int = Field(
        3,
        ge=1,
        description="Claims of one job before it is marked failed (a job that kills its worker "
        "or keeps failing is not retried forever).",
    )
    jobs_per_tick: int = Field(
        50, ge=1, description="Most queued jobs one scheduler tick runs in one process."
    )
    index_job_batch_limit: int = Field(
        500,
        ge=1,
        description="Papers the scheduler's `index` job embeds at most per tick (about; a batch "
        "is never split). New papers get their vectors without running `dailypapers index`; "
        "a backlog is worked off over several ticks.",
    )
