# coachbot's image: docker build -t coachbot . (docs/deploy.md)
# Two stages: the first builds coachbot's wheel and those of its dependencies, at the versions
# requirements.lock pins (the ones the tests ran on); the second installs them on a slim Python
# 3.11 (nothing else: --no-index) and runs coachbot as an unprivileged user. `coachbot run`
# applies the database migrations at start (on PostgreSQL one worker at a time), then serves
# Telegram by webhook or long polling.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md requirements.lock ./
COPY bot bot
COPY coaching coaching
COPY coaching_scripts coaching_scripts
COPY config config
COPY dialogs dialogs
COPY reminders reminders
COPY reports reports
COPY storage storage
RUN pip wheel --no-cache-dir --wheel-dir /wheels --constraint requirements.lock .

FROM python:3.11-slim
LABEL org.opencontainers.image.title="coachbot" \
      org.opencontainers.image.description="A self-hosted sales coach for field reps, in Telegram"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    COACHBOT_DATABASE_URL=sqlite:////var/lib/coachbot/coachbot.db \
    COACHBOT_WEBHOOK_LISTEN=0.0.0.0:8080 \
    COACHBOT_HEALTH_LISTEN=0.0.0.0:9090 \
    COACHBOT_LOG_FORMAT=json
RUN groupadd --system --gid 10001 coachbot \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/coachbot --create-home coachbot
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-compile --no-index /wheels/*.whl && rm -rf /wheels
USER 10001:10001
WORKDIR /var/lib/coachbot
VOLUME ["/var/lib/coachbot"]
# 8080: the webhook (and /healthz, /readyz, /metrics); 9090: /healthz, /readyz, /metrics only.
EXPOSE 8080 9090
# `coachbot health` without loading coachbot: tens of milliseconds, every 15 s.
HEALTHCHECK --interval=15s --timeout=7s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot.observability.probe"]
STOPSIGNAL SIGTERM
CMD ["coachbot", "run"]
