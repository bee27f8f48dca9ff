"""Two processes of the service drain one outbox: every delivery is sent once, by one of them."""

import asyncio
from collections import Counter
from pathlib import Path

import httpx

from tests.databases import fresh_database
from tests.processes.receiver import receiving
from tests.processes.service_processes import (
    run_cli,
    running_service,
    service_environment,
)

WEBHOOKS = 10
YEARS = range(2031, 2037)
DELIVERY_TIMEOUT_S = 90.0


async def test_two_processes_drain_one_outbox_without_sending_anything_twice(
    tmp_path: Path,
) -> None:
    async with fresh_database(tmp_path, "service") as database_url:
        environment = service_environment(
            database_url,
            # Both drain often, a few rows at a time, so they work the same rows at once.
            APP_WEBHOOKS__DRAIN_INTERVAL_S="0.05",
            APP_WEBHOOKS__BATCH_SIZE="3",
            APP_WEBHOOKS__ALLOWED_NETWORKS='["127.0.0.0/8"]',
        )
        await run_cli(environment, tmp_path, "migrate")
        key = await run_cli(
            environment, tmp_path, "keys", "create", "--name", "drainers", "--role", "admin"
        )
        headers = {"Authorization": f"Bearer {key.strip()}"}
        with receiving(delay_s=0.05) as receiver:
            async with (
                running_service(environment, tmp_path) as first,
                running_service(environment, tmp_path) as second,
                httpx.AsyncClient(base_url=first.base_url, headers=headers) as via_first,
                httpx.AsyncClient(base_url=second.base_url, headers=headers) as via_second,
            ):
                receiver.sender_pids = [first.pid, second.pid]
                webhook_ids = []
                for number in range(WEBHOOKS):
                    created = await via_first.post(
                        "/api/v1/webhooks",
                        json={"url": f"{receiver.base_url}/hook/{number}"},
                    )
                    assert created.status_code == 201, created.text
                    webhook_ids.append(created.json()["id"])
                for index, year in enumerate(YEARS):
                    via = (via_first, via_second)[index % 2]
                    assert (await via.post("/api/v1/years", json={"year": year})).status_code == 201
                    assert (await via.post(f"/api/v1/years/{year}/publish")).status_code == 200
                expected = WEBHOOKS * len(YEARS)
                for _ in range(int(DELIVERY_TIMEOUT_S * 10)):
                    if len(receiver.received) >= expected:
                        break
                    await asyncio.sleep(0.1)
                await asyncio.sleep(1.0)  # a second sending of anything would arrive meanwhile
                deliveries = [
                    delivery
                    for webhook_id in webhook_ids
                    for delivery in (
                        await via_second.get(
                            f"/api/v1/webhooks/{webhook_id}/deliveries", params={"limit": 100}
                        )
                    ).json()["items"]
                ]

    sent = Counter((received.path, received.delivery_id) for received in receiver.received)
    assert len(sent) == expected
    assert max(sent.values()) == 1, [pair for pair, times in sent.items() if times > 1]
    senders = Counter(received.sender_pid for received in receiver.received)
    assert set(senders) == {first.pid, second.pid}, senders
    assert len(deliveries) == expected
    assert {(d["status"], d["attempts"]) for d in deliveries} == {("delivered", 1)}
