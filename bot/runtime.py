"""The long-lived objects of one bot process, built once at start-up and passed down."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock, SimulatedClock, SystemClock, local_today
from bot.config import Settings
from bot.i18n import Catalogs, load_catalogs
from bot.plan.loader import LoadedPlan, load_plan
from bot.plan.registry import DepartmentRegistry
from bot.services.accounts import AccountService
from bot.services.callers import CallerLookup
from bot.services.conversations import ConversationService
from bot.services.intake import IntakeService
from bot.services.periods import PeriodService
from bot.services.progress import ProgressService
from bot.services.responsibility import Responsibility
from scheduler.digest_schedule import DigestPolicy
from scheduler.reminder_schedule import ReminderPolicy
from scheduler.work_calendar import load_work_calendar
from storage.db import create_engine, create_session_factory
from storage.plan_sync import SyncReport, sync_plan


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    catalogs: Catalogs
    plan: LoadedPlan
    registry: DepartmentRegistry
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    accounts: AccountService
    conversations: ConversationService
    callers: CallerLookup
    periods: PeriodService
    responsibility: Responsibility
    intake: IntakeService
    progress: ProgressService
    reminder_policy: ReminderPolicy
    digest_policy: DigestPolicy

    async def sync_plan(self) -> SyncReport:
        """Bring the database in line with the plan file, as of today's local date."""
        async with self.sessions.begin() as session:
            return await sync_plan(
                session, self.plan, today=local_today(self.clock, self.settings.tz), now=self.clock.now()
            )


def build_runtime(
    settings: Settings,
    clock: Clock | None = None,
    *,
    plan: LoadedPlan | None = None,
    catalogs: Catalogs | None = None,
) -> Runtime:
    """Load catalogs and the plan (both fail loudly when missing), then open the engine.

    A caller that already loaded them (to report problems its own way) passes them in.
    """
    catalogs = catalogs or load_catalogs(settings.locales_dir)
    plan = plan or load_plan(settings.plan_file)
    registry = DepartmentRegistry(plan.plan)
    engine = create_engine(settings.resolved_database_url)
    sessions = create_session_factory(engine)
    the_clock = clock or (SimulatedClock(settings.simulated_now) if settings.simulated_now else SystemClock())
    accounts = AccountService(
        sessions=sessions,
        admin_ids=settings.admin_ids,
        registry=registry,
        clock=the_clock,
        tz=settings.tz,
    )
    conversations = ConversationService(sessions, the_clock, settings.conversation_idle_timeout)
    periods = PeriodService(sessions, plan, the_clock, settings.tz)
    responsibility = Responsibility(plan.plan, registry)
    policy = reminder_policy(settings)
    return Runtime(
        settings=settings,
        catalogs=catalogs,
        plan=plan,
        registry=registry,
        engine=engine,
        sessions=sessions,
        clock=the_clock,
        accounts=accounts,
        conversations=conversations,
        callers=CallerLookup(sessions, accounts, conversations),
        periods=periods,
        responsibility=responsibility,
        intake=IntakeService(
            sessions, periods, responsibility, registry, the_clock, settings.tz, settings.soft_check_margin
        ),
        progress=ProgressService(sessions, periods, responsibility, the_clock, settings.tz),
        reminder_policy=policy,
        digest_policy=DigestPolicy(
            weekday=settings.summary_weekday,
            send_time=settings.summary_time,
            window_days=settings.summary_window_days,
            grace=policy.grace,
            calendar=policy.calendar,
            tz=settings.tz,
        ),
    )


def reminder_policy(settings: Settings) -> ReminderPolicy:
    """The reminder settings as one value; a bad holidays file fails start-up, naming the file."""
    return ReminderPolicy(
        days_before=tuple(sorted(settings.reminder_days_before, reverse=True)),
        days_after=settings.reminder_days_after,
        repeat_every_days=settings.reminder_repeat_days,
        fyi_days_before=tuple(sorted(settings.reminder_fyi_days_before, reverse=True)),
        send_time=settings.reminder_time,
        grace=dt.timedelta(days=settings.reminder_grace_days),
        calendar=load_work_calendar(settings.holidays_file),
        tz=settings.tz,
    )
